"""The petitioner's own view of a matter, sent online or registered in the hall: each step with
its day in plain words, the next date the regulation sets, and what the petitioner may do next
(rate the reply, ask for review or re-examination)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from reception.core.clock import hall_day
from reception.core.errors import IllegalMove, InvalidInput, bounded
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Case, CaseStatus, Hall, OnlinePetition, ReplyRating, Service
from reception.online import receiving
from reception.triage import casework, clocks, handover

# 满意 / 基本满意 / 不满意: the petition system's levels for the unit and for the petition office
LEVELS = {
    "good": N_("Satisfied (满意)"),
    "fair": N_("Fairly satisfied (基本满意)"),
    "bad": N_("Not satisfied (不满意)"),
}

STEP_TEXT = {
    "received": N_("Received (已收到): your matter arrived online."),
    "registered": N_("Registered (已登记) and passed on to be handled."),
    "handed": N_("Handed to %(unit)s to handle (已转交)."),
    "accepted": N_("Accepted (已受理)."),
    "not_accepted": N_("Not accepted (不予受理): %(reason)s"),
    "not_reaccepted": N_("Not accepted again (不再受理): %(reason)s"),
    "transferred": N_("Transferred (已转送): %(reason)s"),
    "extend": N_("The time to handle it was extended by %(days)s days: %(reason)s"),
    "material": N_("Material asked for (补充材料): %(reason)s"),
    "material_answered": N_("You sent the material asked for."),
    "reply": N_("Replied (已答复): the handling opinion is issued."),
    "review": N_("You asked for a review (已申请复查)."),
    "review-answer": N_("The review is answered (复查意见已出具)."),
    "recheck": N_("You asked for re-examination (已申请复核)."),
}

# where the matter stands now, in one word the petitioner knows
NOW_TEXT = {
    "received": N_("Received (已收到)"),
    "registered": N_("Registered, waiting for the decision to accept (已登记)"),
    "handling": N_("Being handled (办理中)"),
    "not_accepted": N_("Not accepted (不予受理)"),
    "not_reaccepted": N_("Not accepted again (不再受理)"),
    "transferred": N_("Transferred (已转送)"),
    "replied": N_("Replied (已答复)"),
    "reviewing": N_("Under review (复查中)"),
    "reviewed": N_("Review answered (已复查)"),
    "rechecking": N_("Under re-examination (复核中)"),
}


def now(case: Case | None) -> str:
    """The matter's state as the petitioner's page heads it (`NOW_TEXT`)."""
    if case is None:
        return "received"
    if case.recheck_requested_on is not None:
        return "rechecking"
    if case.review_replied_on is not None:
        return "reviewed"
    if case.review_requested_on is not None:
        return "reviewing"
    if case.replied_on is not None:
        return "replied"
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.CONCLUDED):
        return "handling"
    if case.status in ("not_accepted", "not_reaccepted", "transferred"):
        return str(case.status)
    return "registered"


NEXT_TEXT = {
    "notice": N_("By %(day)s you are told whether it is accepted (Art. 22)."),
    "handle": N_("By %(day)s it is handled and you get the written opinion (Art. 32)."),
    "review_answer": N_("By %(day)s the review is answered (Art. 35)."),
    "recheck_answer": N_("By %(day)s the re-examination is answered (Art. 36)."),
    "review_window": N_("If you disagree, you may ask for a review until %(day)s (Art. 35)."),
    "recheck_window": N_(
        "If you disagree, you may ask for re-examination until %(day)s (Art. 36)."
    ),
}


@dataclass(frozen=True)
class Step:
    day: date
    kind: str
    params: dict[str, object]


def _local_day(hall: Hall, moment: datetime) -> date:
    return hall_day(hall.timezone, moment)


def steps(hall: Hall, petition: OnlinePetition | None, case: Case | None) -> list[Step]:
    """What happened to the matter, in the order it happened, as the petitioner is told it."""
    found: list[tuple[date, float, Step]] = []

    def add(kind: str, moment: datetime | None, day: date | None = None, **params: object):
        on = day if day is not None else _local_day(hall, moment)  # type: ignore[arg-type]
        found.append((on, moment.timestamp() if moment else 0.0, Step(on, kind, params)))

    if petition is not None:
        add("received", petition.received_at, petition.received_on)
        for asked in receiving.requests_of(petition):
            add("material", asked.at, reason=asked.text)
            if asked.answered_at is not None:
                add("material_answered", asked.answered_at)
    if case is None:
        return [step for _day, _moment, step in sorted(found, key=lambda row: row[:2])]
    registered = petition.registered_at if petition is not None else None
    if registered is not None:
        add("registered", registered)
    else:
        add("registered", None, case.registered_on)
    for moved in handover.handovers(case.id):
        unit = db.session.get(Service, moved.department_id)
        add("handed", moved.at, unit=unit.name if unit else "—")
    for note in case.notes:
        if note.kind in STEP_TEXT and note.kind not in ("material", "received", "registered"):
            if note.kind == "extend":
                add(note.kind, note.at, days=case.extension_days, reason=case.extension_reason)
            else:
                add(note.kind, note.at, reason=note.text)
    return [step for _day, _moment, step in sorted(found, key=lambda row: row[:2])]


def next_date(case: Case | None, petition: OnlinePetition | None) -> tuple[str, date] | None:
    """The next date the regulation sets for the matter, and whose it is."""
    if case is None:
        if petition is None:
            return None
        return "notice", receiving.notice_due(petition)
    deadline = clocks.next_deadline(case)
    if deadline is not None:
        return deadline.what, deadline.due
    if case.review_replied_on is not None and case.recheck_requested_on is None:
        return "recheck_window", clocks.recheck_request_due(case)  # type: ignore[return-value]
    if case.replied_on is not None and case.review_requested_on is None:
        return "review_window", clocks.review_request_due(case)  # type: ignore[return-value]
    return None


def rating_stage(case: Case) -> str | None:
    """Which reply the petitioner may rate now: the opinion, or the review's answer."""
    if case.review_replied_on is not None:
        return "review"
    if case.replied_on is not None:
        return "opinion"
    return None


def ratings_of(case: Case) -> dict[str, ReplyRating]:
    return {
        r.stage: r
        for r in db.session.scalars(select(ReplyRating).where(ReplyRating.case_id == case.id))
    }


def rate(case: Case, unit_level: str, office_level: str, now: datetime) -> ReplyRating:
    stage = rating_stage(case)
    if stage is None:
        raise IllegalMove(N_("The reply can be rated once it is given."))
    if unit_level not in LEVELS or office_level not in LEVELS:
        raise InvalidInput(N_("Choose 满意, 基本满意 or 不满意 for both."))
    if stage in ratings_of(case):
        raise IllegalMove(N_("You have already rated this reply."))
    rating = ReplyRating(
        case_id=case.id, stage=stage, unit_level=unit_level, office_level=office_level, at=now
    )
    db.session.add(rating)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same reply rated twice at the same instant
        raise IllegalMove(N_("You have already rated this reply.")) from exc
    return rating


def may_ask(case: Case, today: date) -> str | None:
    """'review' or 'recheck' when the petitioner may ask for it today, else None."""
    if case.review_requested_on is None:
        due = clocks.review_request_due(case)
        return "review" if due is not None and today <= due else None
    if case.recheck_requested_on is None:
        due = clocks.recheck_request_due(case)
        return "recheck" if due is not None and today <= due else None
    return None


def ask(case: Case, what: str, reason: str, today: date) -> None:
    """The petitioner asks for review (复查) or re-examination (复核): the stage opens with its
    30-day clock (`clocks` refuses one asked too early or too late), in the case's history and
    audit trail like a step staff record."""
    if what not in ("review", "recheck"):
        raise InvalidInput(N_("No such request."))
    reason = bounded(reason, 1000)
    casework.apply(case, what, today, {"note": reason or "（网上申请）"}, None)
