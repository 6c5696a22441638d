"""The registrar's counter (登记分流): look up, register, route, print one ticket for the visit."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import Role, Service, ServiceKind, Visitor
from ..models.types import utcnow
from ..queue.clock import hall_day
from ..queue.errors import QueueError
from ..settings import settings
from ..triage import registration, routing
from ..triage.registration import MatterInput, VisitorInput
from .actions import optional_id
from .common import current_hall, error_text, roles_required

bp = Blueprint("registration", __name__, url_prefix="/registration")
REGISTRARS = (Role.REGISTRAR, Role.SUPERVISOR)


def _flag(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "true")


def _matter_from_form() -> MatterInput:
    group_size = request.form.get("group_size", "1").strip() or "1"
    if not group_size.isdigit():
        group_size = "0"
    return MatterInput(
        account=request.form.get("account", ""),
        category=request.form.get("category", ""),
        facts=request.form.get("facts", ""),
        request=request.form.get("request", ""),
        department_id=optional_id(request.form, "department_id"),
        urgent=_flag("urgent"),
        vulnerable=request.form.get("vulnerable", ""),
        risk=_flag("risk"),
        accusation=_flag("accusation"),
        accused_id=optional_id(request.form, "accused_id"),
        group_size=int(group_size),
        representatives=request.form.getlist("representative"),
        route=[int(v) for v in request.form.getlist("route") if v.isdigit()],
    )


def _person_from_form() -> VisitorInput:
    return VisitorInput(
        name=request.form.get("name", ""),
        id_number=request.form.get("id_number", ""),
        no_id_card=_flag("no_id_card"),
        phone=request.form.get("phone", ""),
        address=request.form.get("address", ""),
    )


def _page(*, visitor: Visitor | None = None, error: str = "", suggestion=None, status=200):
    hall = current_hall()
    departments = [s for s in hall.services if s.active and s.kind == ServiceKind.DEPARTMENT]
    return (
        render_template(
            "registration/form.html",
            hall=hall,
            visitor=visitor,
            form=request.form,
            error=error,
            categories=routing.categories(hall),
            departments=departments,
            services=[s for s in hall.services if s.active],
            suggestion=suggestion,
            open_cases=registration.open_cases(visitor) if visitor else [],
            service_names={s.id: s.name for s in hall.services},
        ),
        status,
    )


@bp.get("/")
@roles_required(*REGISTRARS)
def start():
    return render_template("registration/start.html", hall=current_hall())


@bp.post("/lookup")
@roles_required(*REGISTRARS)
def lookup():
    """Find the visitor by ID number (POSTed: ID numbers never travel in a URL)."""
    hall = current_hall()
    if _flag("no_id_card"):
        return _page()
    try:
        visitor = registration.find_by_id_number(
            request.form.get("id_number", ""), current_user.id, hall_day(hall.timezone, utcnow())
        )
    except QueueError as error:
        db.session.rollback()  # draw the refused page from the state before the attempt
        return render_template("registration/start.html", hall=hall, error=error_text(error)), 422
    return _page(visitor=visitor)


@bp.post("/")
@roles_required(*REGISTRARS)
def submit():
    """Either suggest desks for the matter, or register it and issue the ticket."""
    hall = current_hall()
    matter = _matter_from_form()
    department = db.session.get(Service, matter.department_id) if matter.department_id else None
    suggestion = routing.suggest(
        hall,
        matter.category,
        department,
        risk=matter.risk,
        accused_id=matter.accused_id if matter.accusation else None,
    )
    if request.form.get("action") != "register":
        return _page(suggestion=suggestion)
    try:
        case, ticket = registration.register(
            hall,
            _person_from_form(),
            matter,
            staff_id=current_user.id,
            categories=routing.categories(hall),
            elderly_age=settings().elderly_age,
        )
    except QueueError as error:
        db.session.rollback()  # draw the refused page from the state before the attempt
        return _page(error=error_text(error), suggestion=suggestion, status=422)
    return redirect(url_for("kiosk.printed", token=ticket.token, registered=case.id))
