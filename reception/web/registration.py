"""The registrar's counter (登记分流): look up, register, route, print one ticket for the visit."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from reception.core import identity
from reception.core.clock import hall_day
from reception.core.errors import InvalidInput, QueueError
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Role, Service, ServiceKind, Visitor
from reception.models.types import utcnow
from reception.triage import registration, routing
from reception.triage.registration import MatterInput, VisitorInput
from reception.video import sessions as video
from reception.web.common import current_hall, error_text, roles_required
from reception.web.edge.running import settings
from reception.web.forms import LookupForm, RegistrationForm

bp = Blueprint("registration", __name__, url_prefix="/registration")
REGISTRARS = (Role.REGISTRAR, Role.SUPERVISOR)


def _matter(form: RegistrationForm) -> MatterInput:
    return MatterInput(
        account=form.account.data or "",
        category=form.category.data or "",
        facts=form.facts.data or "",
        request=form.request.data or "",
        department_id=form.department_id.data,
        urgent=form.urgent.data,
        vulnerable=form.vulnerable.data or "",
        risk=form.risk.data,
        accusation=form.accusation.data,
        accused_id=form.accused_id.data,
        group_size=form.group_size.data or 1,
        representatives=form.representative.filled(),
        route=list(form.route.data or []),
        ticket_number=form.ticket_number.data or "",
        remote_unit_id=form.remote_unit_id.data,
        sms_consent=bool(form.sms_consent.data),
        purpose=form.purpose.data or "求决",
    )


def _person(form: RegistrationForm) -> VisitorInput:
    return VisitorInput(
        name=form.name.data or "",
        id_number=form.id_number.data or "",
        no_id_card=form.no_id_card.data,
        phone=form.phone.data or "",
        address=form.address.data or "",
    )


def _page(
    form: RegistrationForm,
    *,
    visitor: Visitor | None = None,
    error: str = "",
    suggestion: list[Service] | None = None,
    age: int | None = None,
    status: int = 200,
):
    hall = current_hall()
    today = hall_day(hall.timezone, utcnow())
    birth, sex = _birth_and_sex(form.id_number.data or "", today)
    if birth is not None and age is None:
        age = identity.age_on(birth, today)
    # one rule for the hint and for the select: the page shows what registering will store
    form.vulnerable.data = registration.vulnerable_reason(
        form.vulnerable.data or "", birth, today, settings().elderly_age
    )
    elderly_by_age = form.vulnerable.data == "elderly" and age is not None
    departments = [s for s in hall.services if s.active and s.kind == ServiceKind.DEPARTMENT]
    services = [s for s in hall.services if s.active]
    by_id = {s.id: s for s in services}
    # the desks in the order the registrar chose them (or the suggestion), then the rest
    first = suggestion if suggestion else [by_id[i] for i in form.route.data or [] if i in by_id]
    return (
        render_template(
            "registration/form.html",
            hall=hall,
            visitor=visitor,
            matters=registration.matters_in(visitor, hall.id) if visitor else [],
            form=form,
            error=error,
            categories=routing.categories(hall),
            purposes=registration.PURPOSES,
            departments=departments,
            chosen=first,
            others=[s for s in services if s not in first],
            suggested=bool(suggestion),
            open_cases=registration.open_cases(visitor) if visitor else [],
            service_names={s.id: s.name for s in hall.services},
            units=video.units(hall.id),
            available_units=video.available_unit_ids(hall.id, utcnow()),
            video_service=next((s for s in services if video.is_video(s)), None),
            age=age,
            birth=birth,
            sex=sex,
            elderly=elderly_by_age and age is not None and age >= settings().elderly_age,
        ),
        status,
    )


def _birth_and_sex(id_number: str, today: date) -> tuple[date | None, str]:
    """What the ID number says of its holder (shown beside it, as the card says it)."""
    try:
        card = identity.parse_id_number(id_number, today=today) if id_number else None
    except QueueError:
        return None, ""
    return (card.birth_date, card.sex) if card else (None, "")


@bp.get("/")
@roles_required(*REGISTRARS)
def start():
    return render_template("registration/start.html", hall=current_hall(), form=LookupForm())


@bp.post("/lookup")
@roles_required(*REGISTRARS)
def lookup():
    """Find the visitor by ID number (POSTed: ID numbers never travel in a URL)."""
    hall, form = current_hall(), LookupForm()
    if form.validate_on_submit() and form.no_id_card.data:
        return _page(RegistrationForm(formdata=None, no_id_card=True))
    try:
        if not form.validate_on_submit():
            raise InvalidInput(N_("Type the ID number."))
        visitor = registration.find_by_id_number(
            form.id_number.data or "", current_user.id, hall_day(hall.timezone, utcnow())
        )
    except QueueError as error:
        db.session.rollback()  # draw the refused page from the state before the attempt
        page = render_template(
            "registration/start.html", hall=hall, form=form, error=error_text(error)
        )
        return page, 422
    # the card, when the reader read it, names the visitor; a known visitor keeps the address
    # they gave (the card's is the registered residence)
    card_name, card_address = form.card_name.data or "", form.card_address.data or ""
    prefill = RegistrationForm(
        formdata=None, id_number=form.id_number.data, name=card_name, address=card_address
    )
    if visitor is not None:
        prefill = RegistrationForm(
            formdata=None,
            name=card_name or visitor.name,
            id_number=visitor.id_number or "",
            no_id_card=visitor.no_id_card,
            phone=visitor.phone or "",
            address=visitor.address or card_address,
        )
    today = hall_day(hall.timezone, utcnow())
    card = identity.parse_id_number(form.id_number.data or "", today=today)
    return _page(prefill, visitor=visitor, age=identity.age_on(card.birth_date, today))


@bp.post("/")
@roles_required(*REGISTRARS)
def submit():
    """Either suggest desks for the matter, or register it and issue the ticket."""
    hall, form = current_hall(), RegistrationForm()
    valid = form.validate_on_submit()
    matter = _matter(form)
    department = db.session.get(Service, matter.department_id) if matter.department_id else None
    suggestion = None
    if form.action.data != "register":
        suggestion = routing.suggest(
            hall,
            matter.category,
            department if department and department.hall_id == hall.id else None,
            risk=matter.risk,
            accused_id=matter.accused_id if matter.accusation else None,
        )
        return _page(form, suggestion=suggestion)
    if not valid:
        return _page(form, error=gettext("Check the marked fields."), status=422)
    try:
        case, ticket = registration.register(
            hall,
            _person(form),
            matter,
            staff_id=current_user.id,
            categories=routing.categories(hall),
            elderly_age=settings().elderly_age,
        )
    except QueueError as error:
        db.session.rollback()  # draw the refused page from the state before the attempt
        return _page(form, error=error_text(error), status=422)
    return redirect(url_for("kiosk.printed", token=ticket.token, registered=case.id))
