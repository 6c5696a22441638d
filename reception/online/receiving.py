"""Staff receive what came online: the inbox, the same registration and routing as at the
counter (the 15 days from the day it arrived), and requests for missing material."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, true, update

from reception.core.errors import IllegalMove, InvalidInput, bounded
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Case, Hall, MaterialRequest, OnlineFile, OnlinePetition, Visitor
from reception.online import files
from reception.sms import outbox
from reception.triage import clocks
from reception.triage.registration import (
    MatterInput,
    VisitorInput,
    audit,
    open_cases,
    register_received,
)


def hidden_from(petition: OnlinePetition, departments: set[int]) -> bool:
    """Art. 30 before registration: an accusation against a department is never shown to it
    (once registered, the case's own rule decides)."""
    return petition.accusation and petition.department_id in departments


def _shown_to(departments: set[int]) -> ColumnElement[bool]:
    """`hidden_from`'s rule as SQL: the matters the inbox may list for these departments."""
    if not departments:
        return true()
    return or_(
        OnlinePetition.accusation.is_(False),
        OnlinePetition.department_id.is_(None),
        OnlinePetition.department_id.not_in(departments),
    )


def notice_due(petition: OnlinePetition) -> date:
    return clocks.notice_due_from(petition.received_on)


def _waiting(hall_id: int, departments: set[int]) -> ColumnElement[bool]:
    return and_(
        OnlinePetition.hall_id == hall_id,
        OnlinePetition.case_id.is_(None),
        _shown_to(departments),
    )


def inbox(hall_id: int, departments: set[int]) -> list[OnlinePetition]:
    """The hall's matters received online and not yet registered, oldest first."""
    return list(
        db.session.scalars(
            select(OnlinePetition)
            .where(_waiting(hall_id, departments))
            .order_by(OnlinePetition.received_at, OnlinePetition.id)
        )
    )


def waiting_count(hall_id: int, departments: set[int]) -> int:
    """How many wait in the inbox (one COUNT: nothing decrypted for the cases list's link)."""
    return (
        db.session.scalar(
            select(func.count(OnlinePetition.id)).where(_waiting(hall_id, departments))
        )
        or 0
    )


def person_of(petition: OnlinePetition) -> Visitor | None:
    """The person the ID number names, if the city knows them (the Art. 19 check)."""
    return db.session.scalars(select(Visitor).where(Visitor.id_hash == petition.id_hash)).first()


def already_open(petition: OnlinePetition) -> list[Case]:
    person = person_of(petition)
    return open_cases(person) if person is not None else []


def files_of(petition: OnlinePetition) -> list[OnlineFile]:
    return list(
        db.session.scalars(
            select(OnlineFile).where(OnlineFile.petition_id == petition.id).order_by(OnlineFile.id)
        )
    )


def register(
    petition: OnlinePetition,
    hall: Hall,
    routing: MatterInput,
    *,
    staff_id: int,
    categories: list[str],
    elderly_age: int,
    now: datetime,
) -> Case:
    """Register the matter as the counter does, routed by the registrar's choices; its 15 days
    run from the day it was received."""
    if petition.case_id is not None:
        raise IllegalMove(N_("This matter is already registered."))
    person = VisitorInput(name=petition.name, id_number=petition.id_number, phone=petition.phone)
    matter = MatterInput(
        account=petition.facts,
        facts=petition.facts,
        request=petition.request,
        category=routing.category,
        purpose=routing.purpose,
        department_id=routing.department_id,
        urgent=routing.urgent,
        accusation=routing.accusation,
        accused_id=routing.accused_id,
        group_size=petition.group_size,
        representatives=[n for n in petition.representatives.splitlines() if n.strip()],
    )
    case = register_received(
        hall,
        person,
        matter,
        received_on=petition.received_on,
        form="online",
        staff_id=staff_id,
        categories=categories,
        elderly_age=elderly_age,
        now=now,
    )
    # two registrars pressing 登记 at once: only one UPDATE finds it unregistered (the other
    # waits for that commit on its row, then finds nothing), and the other's case is rolled back
    taken = db.session.execute(
        update(OnlinePetition)
        .where(OnlinePetition.id == petition.id, OnlinePetition.case_id.is_(None))
        .values(case_id=case.id, registered_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(taken, "rowcount", 0):
        raise IllegalMove(N_("This matter is already registered."))
    db.session.refresh(petition)
    return case


def ask_material(petition: OnlinePetition, text: str, staff_id: int, now: datetime) -> None:
    """Ask the petitioner for missing material (补充材料): no clock pauses; they are texted."""
    text = bounded(text, 1000)
    if not text:
        raise InvalidInput(N_("Write what material is missing."))
    db.session.add(MaterialRequest(petition_id=petition.id, at=now, staff_id=staff_id, text=text))
    audit(staff_id, "online_material", case_id=petition.case_id, detail=f"online {petition.id}")
    outbox.record(
        "online_material",
        petition.phone,
        {"link": petition.link},
        hall_id=petition.hall_id,
        case_id=petition.case_id,
        now=now,
    )


def requests_of(petition: OnlinePetition) -> list[MaterialRequest]:
    return list(
        db.session.scalars(
            select(MaterialRequest)
            .where(MaterialRequest.petition_id == petition.id)
            .order_by(MaterialRequest.id)
        )
    )


def answer_material(
    petition: OnlinePetition,
    request_id: int,
    text: str,
    uploads: list[files.Upload],
    now: datetime,
) -> None:
    """The petitioner's answer: words, files, or both (once a request)."""
    asked = db.session.get(MaterialRequest, request_id)
    if asked is None or asked.petition_id != petition.id:
        raise InvalidInput(N_("No such request for material."))
    if asked.answered_at is not None:
        raise IllegalMove(N_("This request was already answered."))
    text = bounded(text, 2000)
    checked = files.check(uploads)
    if len(files_of(petition)) + len(checked) > 3 * files.MAX_FILES:
        raise InvalidInput(N_("This matter holds as many files as it can: send the rest by post."))
    if not text and not checked:
        raise InvalidInput(N_("Write an answer or attach the material."))
    asked.answer, asked.answered_at = text, now
    files.store(petition.id, checked, now, material_id=asked.id)
