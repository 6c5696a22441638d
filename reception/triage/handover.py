"""Matters across the city's halls: handed down to another hall's department (交办 / 转送) and
followed by the city until done (督办).

A hand-over moves the matter to the receiving hall (its case list, its decisions, its board's
alerts) with the department that must handle it; the sending hall keeps a read view and sees
each step taken there in the matter's history. The statutory clocks are not touched: they run
from the registration and the decisions, wherever the matter is handled. The accusation rule
(Art. 30) holds across halls: a matter is never handed to the department it accuses.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from reception.core.errors import IllegalMove, InvalidInput, bounded
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import (
    Case,
    CaseHandover,
    CaseNote,
    CaseStatus,
    CaseSupervision,
    Hall,
    HandoverKind,
    Service,
    ServiceKind,
)
from reception.triage.registration import audit

# a matter still being worked on: what can be handed down or followed
OPEN_MATTER = (CaseStatus.REGISTERED, CaseStatus.ACCEPTED)


def hand_down(
    case: Case,
    department: Service | None,
    *,
    kind: str,
    reason: str,
    due_on: date | None,
    staff_id: int,
    today: date,
) -> CaseHandover:
    """Hand the matter to `department` of another hall; refused (nothing changed) when the
    matter is closed, the department is not another hall's stationed department, it is the
    accused one, the reason is missing or the date is past."""
    reason = bounded(reason.strip(), 1000)
    if case.status not in OPEN_MATTER or case.replied_on is not None:
        raise IllegalMove(N_("Only a matter still being handled can be handed down."))
    if department is None or department.kind != ServiceKind.DEPARTMENT or not department.active:
        raise InvalidInput(N_("Choose the department that is to handle the matter."))
    if department.hall_id == case.hall_id:
        raise InvalidInput(N_("Choose a department of another hall."))
    if case.accusation and case.accused_id == department.id:
        raise InvalidInput(N_("A matter is never handed to the department it accuses (Art. 30)."))
    if kind not in {k.value for k in HandoverKind}:
        raise InvalidInput(N_("Choose whether the matter is assigned or forwarded."))
    if not reason:
        raise InvalidInput(N_("Write why the matter is handed down."))
    if due_on is not None and due_on < today:
        raise InvalidInput(N_("The date to report by cannot be in the past."))
    handover = CaseHandover(
        case_id=case.id,
        staff_id=staff_id,
        kind=kind,
        from_hall_id=case.hall_id,
        to_hall_id=department.hall_id,
        department_id=department.id,
        reason=reason,
        due_on=due_on,
    )
    db.session.add(handover)
    if case.origin_hall_id is None:
        case.origin_hall_id = case.hall_id  # the hall the matter came in at keeps its view
    case.hall_id, case.department_id = department.hall_id, department.id
    hall = db.session.get(Hall, department.hall_id)
    by = f" · {due_on.isoformat()}" if due_on else ""
    text = f"{hall.name if hall else ''} · {department.name}{by}\n{reason}"
    db.session.add(CaseNote(case_id=case.id, staff_id=staff_id, kind=f"handed_{kind}", text=text))
    audit(staff_id, "case_handed_down", case_id=case.id, detail=f"{kind} → {department.id}")
    db.session.flush()
    return handover


def receiving_departments(case: Case) -> list[Service]:
    """The stationed departments of the other halls a matter may be handed to (never the one
    it accuses), by hall."""
    query = (
        select(Service)
        .where(
            Service.hall_id != case.hall_id,
            Service.kind == ServiceKind.DEPARTMENT.value,
            Service.active.is_(True),
        )
        .order_by(Service.hall_id, Service.sort_order, Service.id)
    )
    if case.accusation and case.accused_id is not None:
        query = query.where(Service.id != case.accused_id)
    return list(db.session.scalars(query))


def handovers(case_id: int) -> list[CaseHandover]:
    return list(
        db.session.scalars(
            select(CaseHandover).where(CaseHandover.case_id == case_id).order_by(CaseHandover.id)
        )
    )


def open_supervision(case_id: int) -> CaseSupervision | None:
    return db.session.scalars(
        select(CaseSupervision).where(
            CaseSupervision.case_id == case_id, CaseSupervision.closed_at.is_(None)
        )
    ).first()


def supervise(
    case: Case, *, due_on: date | None, note: str, staff_id: int, today: date
) -> CaseSupervision:
    """Put the matter under the city's supervision (督办) until `due_on`."""
    note = bounded(note.strip(), 1000)
    if open_supervision(case.id) is not None:
        raise IllegalMove(N_("This matter is already under supervision."))
    if case.status not in OPEN_MATTER or case.replied_on is not None:
        raise IllegalMove(N_("Only a matter still being handled can be put under supervision."))
    if due_on is None or due_on < today:
        raise InvalidInput(N_("Give the date the matter is to be done by (today or later)."))
    if not note:
        raise InvalidInput(N_("Write what the supervision asks for."))
    supervision = CaseSupervision(case_id=case.id, staff_id=staff_id, due_on=due_on, note=note)
    db.session.add(supervision)
    db.session.add(
        CaseNote(
            case_id=case.id,
            staff_id=staff_id,
            kind="supervised",
            text=f"{due_on.isoformat()}\n{note}",
        )
    )
    audit(staff_id, "case_supervised", case_id=case.id, detail=due_on.isoformat())
    db.session.flush()
    return supervision


def end_supervision(case: Case, *, note: str, staff_id: int, now: datetime) -> None:
    """The city ends its supervision of the matter (done, or no longer needed)."""
    supervision = open_supervision(case.id)
    if supervision is None:
        raise IllegalMove(N_("This matter is not under supervision."))
    supervision.closed_at, supervision.closed_by = now, staff_id
    text = bounded(note.strip(), 1000)
    db.session.add(
        CaseNote(case_id=case.id, staff_id=staff_id, kind="supervision_ended", text=text)
    )
    audit(staff_id, "case_supervision_ended", case_id=case.id)


def supervised(
    hall_ids: set[int] | None = None, departments: frozenset[int] = frozenset()
) -> list[tuple[CaseSupervision, Case]]:
    """The matters under supervision, soonest due first: in these halls (None: every hall),
    never an accusation against the reader's departments (Art. 30)."""
    query = (
        select(CaseSupervision, Case)
        .join(Case, Case.id == CaseSupervision.case_id)
        .where(CaseSupervision.closed_at.is_(None))
        .order_by(CaseSupervision.due_on, CaseSupervision.id)
    )
    if hall_ids is not None:
        query = query.where(Case.hall_id.in_(sorted(hall_ids)))
    if departments:
        query = query.where(~(Case.accusation.is_(True) & Case.accused_id.in_(sorted(departments))))
    return [(row[0], row[1]) for row in db.session.execute(query)]


def is_done(case: Case) -> bool:
    """A matter whose handling ended: replied, not accepted, transferred out or concluded."""
    return case.status not in OPEN_MATTER or case.replied_on is not None


def overdue(
    today: date, hall_id: int | None = None, departments: frozenset[int] = frozenset()
) -> list[tuple[CaseSupervision, Case]]:
    """The supervised matters past their date and not done (in one hall, or every hall), never
    an accusation against the reader's `departments` (Art. 30)."""
    halls = {hall_id} if hall_id is not None else None
    return [
        (supervision, case)
        for supervision, case in supervised(halls, departments)
        if supervision.due_on < today and not is_done(case)
    ]
