"""The registrar's counter: find or register the visitor, record the matter, plan the visit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reception.core import crypto, identity, signals
from reception.core.clock import hall_day
from reception.core.errors import IllegalMove, InvalidInput, bounded
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import (
    OPEN_STATES,
    AuditEntry,
    Case,
    CaseStatus,
    Hall,
    JourneyStop,
    Priority,
    Representative,
    Service,
    Ticket,
    Visitor,
)
from reception.models.types import utcnow
from reception.queue import hours
from reception.queue.issuing import issue_ticket

MAX_REPRESENTATIVES = 5  # 《信访工作条例》 Art. 20
ART_20 = "多人采用走访形式提出共同的信访事项的，应当推选代表，代表人数不超过5人"
VULNERABLE_REASONS = ("", "elderly", "disabled", "pregnant")
# 信访目的 (the petition information system's): an accusation is always 揭发控告
PURPOSES = ("求决", "申诉", "意见建议", "揭发控告", "咨询", "其他")
ACCUSATION_PURPOSE = "揭发控告"


@dataclass
class VisitorInput:
    name: str
    id_number: str = ""
    no_id_card: bool = False
    phone: str = ""
    address: str = ""


@dataclass
class MatterInput:
    account: str
    category: str
    facts: str = ""
    request: str = ""
    department_id: int | None = None
    urgent: bool = False
    vulnerable: str = ""
    risk: bool = False
    accusation: bool = False
    accused_id: int | None = None
    group_size: int = 1
    representatives: list[str] = field(default_factory=list)
    route: list[int] = field(default_factory=list)  # service ids, in order
    # the number the visitor already took at the kiosk today (the matter joins that ticket)
    ticket_number: str = ""
    # the department or county a video reception is with
    remote_unit_id: int | None = None
    # the visitor agrees to texts on their mobile number (turn near, accepted, opinion given)
    sms_consent: bool = False
    purpose: str = "求决"  # 信访目的


def audit(staff_id: int | None, action: str, **refs: object) -> None:
    db.session.add(AuditEntry(staff_id=staff_id, action=action, **refs))


def find_by_id_number(id_number: str, staff_id: int | None, today: date) -> Visitor | None:
    """Look a visitor up by ID number (through its keyed hash); the look-up is audited."""
    card = identity.parse_id_number(id_number, today=today)
    visitor = db.session.scalars(
        select(Visitor)
        .options(selectinload(Visitor.cases).selectinload(Case.notes))
        .where(Visitor.id_hash == crypto.lookup_hash("id", card.number))
    ).first()
    if visitor is not None:
        audit(staff_id, "view_visitor", visitor_id=visitor.id, detail="lookup by ID number")
    return visitor


def matters_in(visitor: Visitor, hall_id: int) -> list[Case]:
    """The visitor's matters a hall may show: those it handles and those it handed down. A
    person is one person across the city, but a county's staff never read another hall's
    matters (that there are some is all `open_cases` and the count tell them)."""
    return [c for c in visitor.cases if hall_id in (c.hall_id, c.origin_hall_id)]


def open_cases(visitor: Visitor) -> list[Case]:
    """Matters already accepted or in progress (Art. 19: not accepted twice)."""
    return [c for c in visitor.cases if c.status in (CaseStatus.REGISTERED, CaseStatus.ACCEPTED)]


def _visitor(data: VisitorInput, today: date, *, seen: bool = True) -> Visitor:
    """The visitor's record, found by ID number or made. `seen`: staff checked the ID card, so
    a known record takes the name and phone given; a matter sent online (nobody saw the card)
    only fills what the record lacks."""
    name = data.name.strip()
    if not name or len(name) > 40:
        raise InvalidInput(N_("Write the visitor's name (40 characters at most)."))
    phone = identity.normalise_mobile(data.phone) if data.phone.strip() else None
    known = None
    if data.no_id_card:
        visitor = Visitor(name=name, no_id_card=True)
    else:
        card = identity.parse_id_number(data.id_number, today=today)
        key = crypto.lookup_hash("id", card.number)
        known = db.session.scalars(select(Visitor).where(Visitor.id_hash == key)).first()
        visitor = known or Visitor(id_hash=key, id_number=card.number)
        if seen or known is None:
            visitor.name, visitor.birth_date, visitor.sex = name, card.birth_date, card.sex
    if phone and (seen or known is None or not visitor.phone):
        visitor.phone, visitor.phone_hash = phone, crypto.lookup_hash("phone", phone)
    if data.address.strip() and (seen or known is None):
        visitor.address = bounded(data.address, 200)
    db.session.add(visitor)
    db.session.flush()
    return visitor


def _check_matter(
    hall: Hall, matter: MatterInput, categories: list[str], *, visit: bool = True
) -> list[Service]:
    if not matter.account.strip():
        raise InvalidInput(N_("Type the visitor's account of the matter."))
    if matter.category not in categories:
        raise InvalidInput(N_("Choose a category from the list."))
    if matter.vulnerable not in VULNERABLE_REASONS:
        raise InvalidInput(N_("Unknown vulnerability."))
    if matter.purpose not in PURPOSES:
        raise InvalidInput(N_("Choose the purpose from the list."))
    if not 1 <= matter.group_size <= 500:
        raise InvalidInput(N_("The group size is 1 to 500."))
    names = [n.strip() for n in matter.representatives if n.strip()]
    if len(names) > MAX_REPRESENTATIVES:
        raise InvalidInput(
            N_("Art. 20: “%(rule)s”. A group visit has at most 5 representatives."), rule=ART_20
        )
    if matter.group_size > 1 and not names:
        raise InvalidInput(N_("A group visit needs its representatives' names."))
    services = {s.id: s for s in hall.services if s.active}
    for department in (matter.department_id, matter.accused_id if matter.accusation else None):
        if department is not None and department not in services:
            raise InvalidInput(N_("Choose the department from the list."))
    route = [services.get(service_id) for service_id in matter.route]
    if None in route or (not route and visit):
        raise InvalidInput(N_("Choose at least one desk for the visit."))
    if matter.accusation and matter.accused_id in matter.route:
        raise InvalidInput(N_("An accusation never goes to the department it accuses."))
    return route  # type: ignore[return-value]


def vulnerable_reason(chosen: str, birth_date: date | None, today: date, elderly_age: int) -> str:
    """Why a visitor is served with priority (特殊群体): the registrar's choice, else "elderly"
    from the age. The one rule the registration page shows and the registration stores."""
    if chosen:
        return chosen
    if birth_date is not None and identity.age_on(birth_date, today) >= elderly_age:
        return "elderly"
    return ""


def register(
    hall: Hall,
    person: VisitorInput,
    matter: MatterInput,
    *,
    staff_id: int | None,
    categories: list[str],
    elderly_age: int,
    now: datetime | None = None,
) -> tuple[Case, Ticket]:
    """Record the visitor and the matter, and issue one ticket whose legs are the chosen desks."""
    now = now or utcnow()
    today = hall_day(hall.timezone, now)
    route = _check_matter(hall, matter, categories)
    visitor = _visitor(person, today)
    case = _record(hall, visitor, matter, staff_id, today, elderly_age)
    ticket = _ticket_for(hall, case, route, matter.ticket_number, staff_id, today, now)
    if case.sms_consent and visitor.phone:
        ticket.notify = True
    audit(staff_id, "register_case", visitor_id=visitor.id, case_id=case.id, ticket_id=ticket.id)
    # the video unit asked for, the supervisors' alerts: their domains' receivers
    signals.matter_registered.send(hall.id, case=case, ticket=ticket, matter=matter, now=now)
    return case, ticket


def register_received(
    hall: Hall,
    person: VisitorInput,
    matter: MatterInput,
    *,
    received_on: date,
    form: str,
    staff_id: int | None,
    categories: list[str],
    elderly_age: int,
    now: datetime,
) -> Case:
    """Register a matter that arrived without a visit (online, by letter): no ticket; its
    clocks start on the day it was received, not the day staff got to it. The person's record
    is filled, never overwritten (nobody saw their ID card)."""
    _check_matter(hall, matter, categories, visit=False)
    visitor = _visitor(person, hall_day(hall.timezone, now), seen=False)
    case = _record(hall, visitor, matter, staff_id, received_on, elderly_age)
    case.form = form
    audit(staff_id, "register_case", visitor_id=visitor.id, case_id=case.id)
    signals.matter_registered.send(hall.id, case=case, ticket=None, matter=matter, now=now)
    return case


def _record(
    hall: Hall,
    visitor: Visitor,
    matter: MatterInput,
    staff_id: int | None,
    registered_on: date,
    elderly_age: int,
) -> Case:
    repeat = bool(visitor.cases)
    vulnerable = vulnerable_reason(
        matter.vulnerable, visitor.birth_date, registered_on, elderly_age
    )
    case = Case(
        hall_id=hall.id,
        visitor_id=visitor.id,
        registered_by=staff_id,
        registered_on=registered_on,
        account=matter.account.strip(),
        facts=matter.facts.strip(),
        request=matter.request.strip(),
        category=matter.category,
        department_id=matter.department_id,
        urgent=matter.urgent,
        vulnerable=vulnerable,
        risk=matter.risk,
        repeat=repeat,
        accusation=matter.accusation,
        accused_id=matter.accused_id if matter.accusation else None,
        group_size=matter.group_size,
        sms_consent=matter.sms_consent,
        purpose=ACCUSATION_PURPOSE if matter.accusation else matter.purpose,
    )
    db.session.add(case)
    db.session.flush()
    for name in [n.strip() for n in matter.representatives if n.strip()]:
        db.session.add(Representative(case_id=case.id, name=bounded(name, 40)))
    return case


def _ticket_for(
    hall: Hall,
    case: Case,
    route: list[Service],
    number: str,
    staff_id: int | None,
    today: date,
    now: datetime,
) -> Ticket:
    """The matter's one ticket: the one the visitor took at the kiosk (`number`), or a new one
    for the first desk chosen; the other desks chosen are its planned next legs."""
    held = _held_ticket(hall, number, today)
    if held is not None:
        # the visitor keeps the number and place taken at the kiosk; the chosen desks follow
        ticket, later = held, [s for s in route if s.id != held.service_id]
    else:
        # the registrar may issue outside the opening hours: a staff override, recorded
        outside = not hours.is_open(hall, now)
        priority = (
            Priority.URGENT
            if case.urgent
            else Priority.VULNERABLE
            if case.vulnerable
            else Priority.WALK_IN
        )
        ticket = issue_ticket(
            hall.id,
            route[0].id,
            priority=priority,
            channel="registration",
            staff_id=staff_id,
            now=now,
            outside_hours=True,
        )
        if outside:
            audit(staff_id, "issue_outside_hours", case_id=case.id, ticket_id=ticket.id)
        later = route[1:]
    ticket.case_id = case.id
    for position, service in enumerate(later, start=2):
        db.session.add(JourneyStop(ticket_id=ticket.id, position=position, service_id=service.id))
    return ticket


def _held_ticket(hall: Hall, number: str, today: date) -> Ticket | None:
    """Today's open ticket with this number, not yet tied to a matter (None when no number)."""
    number = (number or "").strip().upper()
    if not number:
        return None
    ticket = db.session.scalars(
        select(Ticket).where(
            Ticket.hall_id == hall.id, Ticket.service_day == today, Ticket.number == number
        )
    ).first()
    if ticket is None or ticket.state not in {state.value for state in OPEN_STATES}:
        raise InvalidInput(N_("No number %(number)s is waiting today."), number=number)
    if ticket.case_id is not None:
        raise InvalidInput(N_("Number %(number)s already carries a matter."), number=number)
    return ticket


def visible_to(case: Case, department_ids: set[int]) -> bool:
    """An accusation (检举控告) is never shown to the department it accuses."""
    return not (case.accusation and case.accused_id in department_ids)


def decide(case: Case, status: str, on: date, staff_id: int | None, note: str = "") -> None:
    """Accept, not accept, or transfer the matter (within 15 days of registration)."""
    if case.status != CaseStatus.REGISTERED:
        raise IllegalMove(N_("This case has already been decided."))
    if status not in (
        CaseStatus.ACCEPTED,
        CaseStatus.NOT_ACCEPTED,
        CaseStatus.NOT_REACCEPTED,
        CaseStatus.TRANSFERRED,
    ):
        raise InvalidInput(N_("Unknown decision."))
    case.status, case.decided_on = status, on
    audit(staff_id, f"case_{status}", case_id=case.id, detail=bounded(note, 200))
