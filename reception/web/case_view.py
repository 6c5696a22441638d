"""What a desk may see of the visitor and the matter behind its current ticket."""

from __future__ import annotations

from dataclasses import dataclass

from reception.core import identity
from reception.db.extensions import db
from reception.models import Case, Desk, Ticket, User
from reception.triage.registration import audit, visible_to


@dataclass
class CaseView:
    case: Case
    hidden: bool
    name: str
    id_number: str
    phone: str
    representatives: list[str]


def for_serving_desk(ticket: Ticket | None, desk: Desk, staff: User) -> CaseView | None:
    """The serving desk sees the visitor unmasked (audited); an accused department sees nothing."""
    if ticket is None or ticket.case_id is None:
        return None
    case = db.session.get(Case, ticket.case_id)
    if case is None:
        return None
    departments = {service.id for service in desk.services}
    if staff.department_id:
        departments.add(staff.department_id)
    if not visible_to(case, departments):
        return CaseView(case, True, "", "", "", [])
    visitor = case.visitor
    audit(
        staff.id,
        "view_visitor",
        visitor_id=visitor.id,
        case_id=case.id,
        ticket_id=ticket.id,
        detail=f"serving desk {desk.number}",
    )
    return CaseView(
        case=case,
        hidden=False,
        name=visitor.name,
        id_number=visitor.id_number or "",
        phone=visitor.phone or "",
        representatives=[r.name for r in case.representatives],
    )


def masked(case: Case) -> dict[str, str]:
    """The visitor as anyone else on staff sees them."""
    visitor = case.visitor
    return {
        "name": identity.mask_name(visitor.name),
        "id_number": identity.mask_id(visitor.id_number) if visitor.id_number else "",
        "phone": identity.mask_phone(visitor.phone) if visitor.phone else "",
    }
