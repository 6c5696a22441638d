"""Texts to an online petitioner at each step staff take, carrying the matter's link (a hall
visitor who agreed to texts gets the counter's texts, `casework.TOLD`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reception.core import signals
from reception.models import Case
from reception.online.petitions import of_case
from reception.sms import outbox

TOLD = {
    "accepted": "online_accepted",
    "not_accepted": "online_not_accepted",
    "not_reaccepted": "online_not_accepted",
    "transferred": "online_transferred",
    "reply": "online_opinion",
    "review-answer": "online_review",
}


@signals.case_step.connect
def _tell_online(case: Case, *, action: str, now: datetime, **_: Any) -> None:
    kind = TOLD.get(action)
    petition = of_case(case.id) if kind else None
    if kind is None or petition is None:
        return
    outbox.record(
        kind,
        petition.phone,
        {"serial": f"{case.id % 1_000_000:06d}", "link": petition.link},
        hall_id=case.hall_id,
        case_id=case.id,
        now=now,
    )
