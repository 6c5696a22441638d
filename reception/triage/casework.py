"""Decisions on a case, one entry point for every step staff record (audited)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..extensions import db
from ..models import Case, CaseStatus, Role, User
from ..queue.errors import InvalidInput, NotFound
from ..queue.messages import N_
from . import clocks
from .registration import audit, decide

DECISIONS = ("accepted", "not_accepted", "transferred")


def _reply(case: Case, today: date, form: Mapping[str, Any]) -> None:
    if case.status != CaseStatus.ACCEPTED or case.replied_on:
        raise InvalidInput(N_("Only an accepted case without a reply can be replied to."))
    case.replied_on = today


def _answer_review(case: Case, today: date, form: Mapping[str, Any]) -> None:
    if case.review_requested_on is None or case.review_replied_on:
        raise InvalidInput(N_("There is no review request to answer."))
    case.review_replied_on = today


def _extend(case: Case, today: date, form: Mapping[str, Any]) -> None:
    days = form.get("days")
    if not isinstance(days, int) or isinstance(days, bool):
        raise InvalidInput(N_("An extension is 1 to 30 days (Art. 34)."))
    clocks.extend(case, days, form.get("approver") or "", form.get("reason") or "")


def _assign_leader(case: Case, today: date, form: Mapping[str, Any]) -> None:
    leader_id = form.get("leader_id")
    leader = db.session.get(User, leader_id) if isinstance(leader_id, int) else None
    if leader is None or leader.role != Role.LEADER:
        raise InvalidInput(N_("Choose a leader."))
    case.leader_id = leader.id


STEPS = {
    "extend": _extend,
    "reply": _reply,
    "review": lambda case, today, form: clocks.request_review(case, today),
    "review-answer": _answer_review,
    "recheck": lambda case, today, form: clocks.request_recheck(case, today),
    "leader": _assign_leader,
}


def apply(case: Case, action: str, today: date, form: Mapping[str, Any], staff_id: int) -> None:
    """Record one step on the case; refused steps raise before anything changes.

    `form` holds typed values: `note`, `approver`, `reason` (text), `days`, `leader_id` (ints)."""
    if action in DECISIONS:
        decide(case, action, today, staff_id, form.get("note") or "")
    elif action in STEPS:
        STEPS[action](case, today, form)
    else:
        raise NotFound(N_("No such action."))
    audit(staff_id, f"case_{action}", case_id=case.id)
