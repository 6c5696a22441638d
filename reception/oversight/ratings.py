"""Rating a visit (评价, 信访工作条例 Art. 21; the 政务服务"好差评" five levels).

The visitor rates each finished leg of the visit from the ticket's own page: one rating a leg,
changeable for ten minutes; and, once the matter's reply is given, how the matter was handled
(one rating a matter, kept as leg 0 of the ticket it was given from). A rating of 不满意 or
worse opens a follow-up (回访) for the supervisor, due in the hall's set working days (five by
default; Monday to Friday, closure dates skipped). Ratings carry
no personal data: the ticket is anonymous, the comment is the visitor's own words.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import aliased

from reception.core.clock import hall_day
from reception.core.errors import IllegalMove, InvalidInput, NotFound, bounded
from reception.core.messages import N_
from reception.db import pending
from reception.db.extensions import db
from reception.models import (
    Appointment,
    AuditEntry,
    Case,
    Closure,
    FollowUp,
    Hall,
    LegFact,
    Rating,
    Service,
    Ticket,
    TicketEvent,
    Visitor,
)
from reception.models.case import accuses
from reception.models.rating import BAD, LEVELS
from reception.oversight import supervision

CHANGE_MINUTES = 10
# why a visitor rated 不满意 or worse, asked before the rating is sent (skippable): code → label
REASONS = {
    "wait": N_("Waited too long"),
    "attitude": N_("Staff attitude"),
    "unsolved": N_("The problem was not solved"),
    "unclear": N_("Not explained clearly"),
    "paperwork": N_("Too many steps or papers"),
}
CASE_LEG = 0  # a rating of the matter's handling (after the reply), not of one desk
DEVICE_SECONDS = 60  # the desk's rating device waits this long, then goes dark


def finished_legs(ticket: Ticket) -> dict[int, TicketEvent]:
    """The legs that were served and ended (finished, or passed on to the next desk), each
    with the event that started its service: who served, at which desk, for which service."""
    started: dict[int, TicketEvent] = {}
    ended: set[int] = set()
    for event in sorted(ticket.events, key=lambda e: (e.at, e.id)):
        if event.action == "start":
            started[event.leg] = event
        elif event.action == "finish":
            ended.add(event.leg)
        elif event.action == "transfer":
            ended.add(event.leg - 1)  # written once the ticket moved on: closes the leg before
    return {leg: event for leg, event in started.items() if leg in ended}


def ratings_of(ticket: Ticket) -> dict[int, Rating]:
    rows = db.session.scalars(select(Rating).where(Rating.ticket_id == ticket.id))
    return {rating.leg: rating for rating in rows}


def working_days_after(hall_id: int, start: date, days: int) -> date:
    closed = set(
        db.session.scalars(
            select(Closure.day).where(
                Closure.hall_id == hall_id,
                Closure.day > start,
                Closure.day <= start + timedelta(days=days * 3),
            )
        )
    )
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            left -= 1
    return day


def rate(
    ticket: Ticket,
    leg: int,
    level: int,
    comment: str,
    now: datetime,
    channel: str = "phone",
    *,
    reasons: tuple[str, ...] | list[str] = (),
    device_id: int | None = None,
) -> Rating:
    """Record (or, within ten minutes and through the same channel, change) the rating of one
    finished leg. A rating is never replaced through another channel: the visitor's own words
    on the phone are not overwritten by a tap on the desk's device, nor the other way round."""
    if level not in LEVELS:
        raise InvalidInput(N_("Choose one of the five levels."))
    if any(reason not in REASONS for reason in reasons):
        raise InvalidInput(N_("Choose the reasons from the list."))
    comment = bounded(comment, 500)
    why = ",".join(dict.fromkeys(reasons)) if level <= BAD else ""
    if leg == CASE_LEG:
        service_id, desk_id, staff_id = _rateable_case(ticket)
    else:
        ended = finished_legs(ticket).get(leg)
        if ended is None:
            raise IllegalMove(N_("This part of the visit is not finished yet."))
        service_id, desk_id, staff_id = ended.service_id, ended.desk_id, ended.staff_id
    rating = ratings_of(ticket).get(leg)
    if rating is not None:
        if rating.channel != channel or channel == "device":
            raise IllegalMove(N_("This visit has already been rated."))
        if now - rating.rated_at > timedelta(minutes=CHANGE_MINUTES):
            raise IllegalMove(N_("A rating can be changed for ten minutes only."))
        rating.level, rating.comment, rating.changed_at = level, comment, now
        rating.reasons = why
    else:
        rating = Rating(
            hall_id=ticket.hall_id,
            ticket_id=ticket.id,
            leg=leg,
            service_id=service_id,
            desk_id=desk_id,
            staff_id=staff_id,
            case_id=ticket.case_id,
            remote_unit_id=_unit_of_leg(ticket, service_id) if leg != CASE_LEG else None,
            level=level,
            comment=comment,
            reasons=why,
            channel=channel,
            device_id=device_id,
            rated_at=now,
        )
        db.session.add(rating)
    db.session.flush()
    # a leg already rolled up for the reports carries its rating: keep it current
    db.session.execute(
        update(LegFact)
        .where(LegFact.ticket_id == ticket.id, LegFact.leg == leg)
        .values(level=rating.level)
    )
    _follow_up(ticket, rating, now)
    return rating


def _unit_of_leg(ticket: Ticket, service_id: int) -> int | None:
    """The unit a video reception leg was held with: the rating is that unit's."""
    if ticket.remote_unit_id is None:
        return None
    service = db.session.get(Service, service_id)
    return ticket.remote_unit_id if service is not None and service.kind == "video" else None


def case_rateable(ticket: Ticket) -> Case | None:
    """The ticket's matter, once its reply is given (Art. 21: the visitor may then rate how it
    was handled)."""
    if ticket.case_id is None:
        return None
    case = db.session.get(Case, ticket.case_id)
    return case if case is not None and case.replied_on is not None else None


def _rateable_case(ticket: Ticket) -> tuple[int, None, None]:
    case = case_rateable(ticket)
    if case is None:
        raise IllegalMove(N_("The matter can be rated once its reply is given."))
    other = db.session.scalar(
        select(Rating.id).where(
            Rating.case_id == case.id, Rating.leg == CASE_LEG, Rating.ticket_id != ticket.id
        )
    )
    if other is not None:
        raise IllegalMove(N_("This matter has already been rated."))
    return case.department_id or ticket.service_id, None, None


def _follow_up(ticket: Ticket, rating: Rating, now: datetime) -> None:
    """A bad rating opens a call-back and tells the supervisors; the board recounts."""
    existing = db.session.scalars(select(FollowUp).where(FollowUp.rating_id == rating.id)).first()
    if rating.level <= BAD and existing is None:
        hall = db.session.get(Hall, ticket.hall_id)
        assert hall is not None
        today = hall_day(hall.timezone, now)
        due = working_days_after(ticket.hall_id, today, hall.follow_up_days)
        db.session.add(FollowUp(hall_id=ticket.hall_id, rating_id=rating.id, due=due))
        supervision.raise_alert(
            hall.id,
            "rating",
            now,
            text=str(rating.level),
            ticket_number=ticket.number,
            case_id=rating.case_id,
            service_id=rating.service_id,
            desk_id=rating.desk_id,
            rating_id=rating.id,
        )
    elif rating.level > BAD and existing is not None and existing.done_at is None:
        # changed to a good rating within the ten minutes: no call-back, and no alert left
        db.session.delete(existing)
        supervision.withdraw_rating_alerts(rating.id)
    db.session.flush()
    pending.BOARDS.note(db.session(), ticket.hall_id)


def follow_ups(hall_id: int, departments: frozenset[int]) -> list[tuple[FollowUp, Rating]]:
    """The hall's call-backs these departments' staff may see (never one about an accusation
    against them, Art. 30): open ones first, by due date."""
    query = (
        select(FollowUp, Rating)
        .join(Rating, Rating.id == FollowUp.rating_id)
        .where(FollowUp.hall_id == hall_id)
    )
    if departments:
        query = query.where(~accuses(Rating.case_id, departments))
    rows = db.session.execute(
        query.order_by(FollowUp.done_at.is_not(None), FollowUp.due, FollowUp.id).limit(200)
    )
    return [(follow_up, rating) for follow_up, rating in rows]


def follow_up_visible(follow_up: FollowUp, departments: frozenset[int]) -> bool:
    if not departments:
        return True
    rating = db.session.get(Rating, follow_up.rating_id)
    hidden = rating is not None and db.session.scalar(select(accuses(rating.case_id, departments)))
    return not hidden


def contact_phones(rated: list[Rating]) -> dict[int, str]:
    """The number each call-back dials, by rating id: the registered visitor's, else the
    booking's the ticket came from; none for an anonymous kiosk visit. Two queries for a whole
    list, whatever its length."""
    case_ids = {r.case_id for r in rated if r.case_id is not None}
    by_case: dict[int, str] = {}
    if case_ids:
        rows = db.session.execute(
            select(Case.id, Visitor.phone)
            .join(Visitor, Visitor.id == Case.visitor_id)
            .where(Case.id.in_(case_ids))
        )
        by_case = {case_id: phone for case_id, phone in rows if phone}
    ticket_ids = {r.ticket_id for r in rated}
    by_ticket: dict[int, str] = {}
    if ticket_ids:
        rows = db.session.execute(
            select(Appointment.ticket_id, Appointment.phone).where(
                Appointment.ticket_id.in_(ticket_ids)
            )
        )
        by_ticket = {ticket_id: phone for ticket_id, phone in rows if ticket_id and phone}
    phones: dict[int, str] = {}
    for rating in rated:
        phone = by_case.get(rating.case_id or 0) or by_ticket.get(rating.ticket_id)
        if phone:
            phones[rating.id] = phone
    return phones


def reveal_phone(follow_up: FollowUp, staff_id: int) -> str | None:
    """The call-back's number in full, for the one who will call: each look is audited."""
    rating = db.session.get(Rating, follow_up.rating_id)
    phone = contact_phones([rating]).get(rating.id) if rating is not None else None
    if phone is not None and rating is not None:
        db.session.add(
            AuditEntry(
                staff_id=staff_id,
                action="reveal_phone",
                case_id=rating.case_id,
                ticket_id=rating.ticket_id,
                detail=f"follow-up {follow_up.id}",
            )
        )
    return phone


def close_follow_up(follow_up: FollowUp, outcome: str, staff_id: int, now: datetime) -> None:
    outcome = bounded(outcome, 2000)
    if not outcome:
        raise InvalidInput(N_("Write what the call-back found and did."))
    if follow_up.done_at is not None:
        raise IllegalMove(N_("This follow-up is already done."))
    follow_up.outcome, follow_up.done_at, follow_up.done_by = outcome, now, staff_id


def ticket_numbers(rated: list[Rating]) -> dict[int, str]:
    """The ticket numbers of these ratings (what staff call a visit by; no personal data)."""
    ids = {rating.ticket_id for rating in rated}
    if not ids:
        return {}
    rows = db.session.execute(select(Ticket.id, Ticket.number).where(Ticket.id.in_(ids)))
    return {ticket_id: number for ticket_id, number in rows}


def rate_on_device(
    desk_id: int,
    device_id: int,
    ticket_id: int,
    leg: int,
    level: int,
    now: datetime,
    reasons: list[str] | tuple[str, ...] = (),
) -> Rating:
    """A desk's rating device rates the visit it is showing (the one its desk finished last,
    within the minute, not yet rated), once; any other ticket or leg is not its to rate."""
    showing = pending_at_desk(desk_id, now)
    if showing is None or (showing[0].id, showing[1]) != (ticket_id, leg):
        raise NotFound(N_("This device can rate only the visit it shows."))
    ticket, shown_leg = showing
    return rate(
        ticket, shown_leg, level, "", now, channel="device", device_id=device_id, reasons=reasons
    )


def pending_at_desk(desk_id: int, now: datetime) -> tuple[Ticket, int] | None:
    """The visitor this desk finished last, within the last minute and not yet rated there:
    what the desk's rating device (评价器) asks about. A leg ends with `finish`, or with the
    `transfer` that passes the visitor on (that event carries the next leg, and no desk)."""
    ended, started = aliased(TicketEvent), aliased(TicketEvent)
    row = db.session.execute(
        select(ended.ticket_id, started.leg)
        .join(
            started,
            and_(
                started.ticket_id == ended.ticket_id,
                started.action == "start",
                started.desk_id == desk_id,
                or_(
                    and_(ended.action == "finish", started.leg == ended.leg),
                    and_(ended.action == "transfer", started.leg == ended.leg - 1),
                ),
            ),
        )
        .where(
            ended.action.in_(("finish", "transfer")),
            ended.at >= now - timedelta(seconds=DEVICE_SECONDS),
        )
        .order_by(ended.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    ticket = db.session.get(Ticket, row.ticket_id)
    assert ticket is not None
    if row.leg in ratings_of(ticket):
        return None
    return ticket, row.leg
