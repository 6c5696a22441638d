"""The regulation's clocks (《信访工作条例》2022), in calendar days of the hall's time zone.

- Art. 22: decide whether to accept, and notify in writing, within 15 days of registration.
- Art. 34: handle an accepted matter within 60 days of acceptance; extendable once, by at most
  30 days, with approval, and the visitor must be told the reason.
- Art. 35: a review (复查) may be requested within 30 days of the reply, answered within 30 days.
- Art. 36: a re-examination (复核) may be requested within 30 days of the review's answer,
  answered within 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reception.core.errors import IllegalMove, InvalidInput, bounded
from reception.core.messages import N_
from reception.models import Case, CaseStatus

NOTICE_DAYS = 15
HANDLE_DAYS = 60
MAX_EXTENSION_DAYS = 30
REVIEW_WINDOW_DAYS = 30
REVIEW_ANSWER_DAYS = 30
DUE_SOON_DAYS = 7


def notice_due(case: Case) -> date:
    return notice_due_from(case.registered_on)


def notice_due_from(received_on: date) -> date:
    """Art. 22: told within 15 days of the day the matter was received (registered or not)."""
    return received_on + timedelta(days=NOTICE_DAYS)


def handle_due(case: Case) -> date | None:
    if case.decided_on is None or case.status not in (CaseStatus.ACCEPTED, CaseStatus.CONCLUDED):
        return None
    return case.decided_on + timedelta(days=HANDLE_DAYS + case.extension_days)


def review_request_due(case: Case) -> date | None:
    return case.replied_on + timedelta(days=REVIEW_WINDOW_DAYS) if case.replied_on else None


def review_answer_due(case: Case) -> date | None:
    if case.review_requested_on is None:
        return None
    return case.review_requested_on + timedelta(days=REVIEW_ANSWER_DAYS)


def recheck_request_due(case: Case) -> date | None:
    if case.review_replied_on is None:
        return None
    return case.review_replied_on + timedelta(days=REVIEW_WINDOW_DAYS)


def recheck_answer_due(case: Case) -> date | None:
    if case.recheck_requested_on is None:
        return None
    return case.recheck_requested_on + timedelta(days=REVIEW_ANSWER_DAYS)


@dataclass(frozen=True)
class Deadline:
    what: str  # notice / handle / review_answer / recheck_answer
    due: date


def next_deadline(case: Case) -> Deadline | None:
    """The duty the case is waiting on now, if any."""
    if case.status == CaseStatus.REGISTERED:
        return Deadline("notice", notice_due(case))
    if case.recheck_requested_on is not None:
        return Deadline("recheck_answer", recheck_answer_due(case))  # type: ignore[arg-type]
    if case.review_requested_on is not None and case.review_replied_on is None:
        return Deadline("review_answer", review_answer_due(case))  # type: ignore[arg-type]
    if case.status == CaseStatus.ACCEPTED and case.replied_on is None:
        return Deadline("handle", handle_due(case))  # type: ignore[arg-type]
    return None


def standing(case: Case, today: date) -> str:
    """'overdue', 'due_soon' (within 7 days) or 'ok'."""
    deadline = next_deadline(case)
    if deadline is None:
        return "ok"
    if deadline.due < today:
        return "overdue"
    if deadline.due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "ok"


def extend(case: Case, days: int, approver: str, reason: str) -> None:
    """Extend the handling period once, by at most 30 days, with an approver and a reason."""
    if case.status != CaseStatus.ACCEPTED or case.replied_on is not None:
        raise IllegalMove(N_("Only an accepted case still being handled can be extended."))
    if case.extension_days:
        raise IllegalMove(N_("The handling period can be extended only once (Art. 34)."))
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(N_("An extension is 1 to 30 days (Art. 34)."))
    if not approver.strip() or not reason.strip():
        raise InvalidInput(N_("An extension needs the approver and the reason for the visitor."))
    case.extension_days = days
    case.extension_approver = bounded(approver, 64)
    case.extension_reason = bounded(reason, 1000)


def request_review(case: Case, on: date) -> None:
    due = review_request_due(case)
    if due is None:
        raise IllegalMove(N_("A review can be requested only after the reply."))
    if on > due:
        raise IllegalMove(N_("The 30 days to request a review have passed (Art. 35)."))
    case.review_requested_on = on


def request_recheck(case: Case, on: date) -> None:
    due = recheck_request_due(case)
    if due is None:
        raise IllegalMove(N_("A re-examination can be requested only after the review's answer."))
    if on > due:
        raise IllegalMove(N_("The 30 days to request a re-examination have passed (Art. 36)."))
    case.recheck_requested_on = on
