"""Decisions on a case, one entry point for every step staff record.

Every step is audited and written into the case's history (a `CaseNote` of the step's kind,
with who and when). The regulation ties some decisions to a written reason that the visitor
is told: not accepting (不予受理), not accepting again (不再受理) and transferring to the
competent authority; a reply carries the handling opinion that the written notice quotes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from reception.core import signals
from reception.core.errors import InvalidInput, NotFound, bounded
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Case, CaseNote, CaseStatus, Role, Ticket, User
from reception.models.types import utcnow
from reception.sms import outbox
from reception.triage import clocks
from reception.triage.registration import audit, decide

DECISIONS = ("accepted", "not_accepted", "not_reaccepted", "transferred")
NEEDS_REASON = {
    "not_accepted": N_("Write the reason for not accepting: the visitor is told it in writing."),
    "not_reaccepted": N_(
        "Write why the matter is not accepted again (which handling it already had)."
    ),
    "transferred": N_("Write to which authority the matter goes, and why."),
    "reply": N_("Write the handling opinion: the written notice quotes it."),
}


@signals.leg_noted.connect
def _on_the_matters_record(
    ticket: Ticket,
    *,
    kind: str,
    text: str,
    service_id: int | None,
    desk_id: int | None,
    staff_id: int | None,
    now: datetime,
    **_: Any,
) -> None:
    """What a desk wrote as a leg of a registered matter's visit ended (the outcome, the note
    for the next desk) is part of the matter's record."""
    if ticket.case_id is not None:
        db.session.add(
            CaseNote(
                case_id=ticket.case_id,
                at=now,
                staff_id=staff_id,
                kind=kind,
                service_id=service_id,
                desk_id=desk_id,
                text=text,
            )
        )


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
    if leader is None or leader.role_in(case.hall_id) != Role.LEADER:
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


def _decision_day(case: Case, today: date, form: Mapping[str, Any], staff_id: int | None) -> date:
    """The day the decision was taken: today, or an earlier day recorded late with a reason
    (audited); never before the registration nor after today. The clocks run from it."""
    day = form.get("decided_on")
    if not isinstance(day, date) or day == today:
        return today
    if day > today:
        raise InvalidInput(N_("A decision cannot be dated in the future."))
    if day < case.registered_on:
        raise InvalidInput(N_("A decision cannot be dated before the matter was registered."))
    reason = str(form.get("late_reason") or "").strip()
    if not reason:
        raise InvalidInput(N_("Say why the decision is recorded after the day it was taken."))
    audit(
        staff_id,
        "case_decision_dated",
        case_id=case.id,
        detail=f"{day.isoformat()}: {reason}"[:200],
    )
    return day


def apply(
    case: Case, action: str, today: date, form: Mapping[str, Any], staff_id: int | None
) -> None:
    """Record one step on the case; refused steps raise before anything changes.

    `form` holds typed values: `note`, `approver`, `reason` (text), `days`, `leader_id` (ints)."""
    if action not in DECISIONS and action not in STEPS:
        raise NotFound(N_("No such action."))
    note = bounded(form.get("note") or "", 1000)
    if action in NEEDS_REASON and not note:
        raise InvalidInput(NEEDS_REASON[action])
    text = _history_text(action, form)
    if action in DECISIONS:
        day = _decision_day(case, today, form, staff_id)
        decide(case, action, day, staff_id, note)
        if day != today:  # the history says the decision's own day, and why it came late
            late = bounded(str(form.get("late_reason") or ""), 200)
            text = f"{text}\n（{day.isoformat()} 作出决定，补记：{late}）".strip()
    else:
        STEPS[action](case, today, form)
    audit(staff_id, f"case_{action}", case_id=case.id)
    db.session.add(CaseNote(case_id=case.id, staff_id=staff_id, kind=action, text=text))
    _tell(case, action)
    signals.case_step.send(case, action=action, now=utcnow())  # e.g. the online door's texts


# the steps the visitor is texted about (when they agreed), and the text's kind
TOLD = {
    "accepted": "case_accepted",
    "not_accepted": "case_not_accepted",
    "not_reaccepted": "case_not_accepted",
    "reply": "case_opinion",
}


def _tell(case: Case, action: str) -> None:
    """A text to the visitor of a step they are told of, if they agreed to texts."""
    kind = TOLD.get(action)
    phone = case.visitor.phone if case.sms_consent else None
    if kind is None or not phone:
        return
    outbox.record(
        kind,
        phone,
        {"day": f"{case.registered_on:%m月%d日}", "serial": f"{case.id % 1_000_000:06d}"},
        hall_id=case.hall_id,
        case_id=case.id,
        now=utcnow(),
    )


def _history_text(action: str, form: Mapping[str, Any]) -> str:
    """What the case history keeps of the step (the reason, the opinion, the extension)."""
    if action == "extend":
        return f"+{form.get('days')} · {form.get('approver') or ''} · {form.get('reason') or ''}"
    if action == "leader":
        leader = db.session.get(User, form.get("leader_id")) if form.get("leader_id") else None
        return (leader.display_name or leader.username) if leader else ""
    return bounded(form.get("note") or "", 1000)


def reason_for(case: Case, *kinds: str) -> str:
    """The text recorded with the case's latest step of one of `kinds` (for written notices)."""
    for note in reversed(case.notes):
        if note.kind in kinds:
            return note.text
    return ""


NOTICE_WORDS = {  # the 文号 of each written notice: its kind's word, the year, the case's serial
    "acceptance": "信受告",
    "non-acceptance": "信不受告",
    "opinion": "信处意",
}


def notice_reference(case: Case, kind: str) -> str:
    """The written notice's document number (文号), e.g. 信受告〔2026〕12号: the year of the
    step it records and the matter's serial, so each notice of a matter has its own."""
    day = case.replied_on if kind == "opinion" else case.decided_on
    year = (day or case.registered_on).year
    word = NOTICE_WORDS[kind]
    if kind == "non-acceptance" and case.status == CaseStatus.NOT_REACCEPTED:
        word = "信不再受告"
    return f"{word}〔{year}〕{case.id}号"
