"""The kiosk: big buttons per service, and the ticket it prints."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from sqlalchemy import select

from reception.appointments.checkin import CheckIn, check_in, check_in_by_card
from reception.core.errors import InvalidInput, QueueError
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Service, Ticket
from reception.models.types import utcnow
from reception.queue import estimate, hours
from reception.queue.issuing import issue_ticket
from reception.queue.journey import pending_stops
from reception.video import sessions as video
from reception.web.common import current_hall, error_text, in_hall, ticket_by_token
from reception.web.edge.i18n import COOKIE, default_locale
from reception.web.edge.running import settings
from reception.web.forms import CardCheckInForm, CheckInForm, KioskIssueForm, KioskUnitForm
from reception.web.tickets import qr_svg, ticket_url

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


def _services() -> list[Service]:
    hall = current_hall()
    return list(
        db.session.scalars(
            select(Service)
            .where(Service.hall_id == hall.id, Service.active.is_(True))
            .order_by(Service.sort_order, Service.id)
        )
    )


@bp.get("/")
def index():
    if request.args.get("next_visitor"):
        # back at the start page for the next visitor: the hall's own language again
        response = redirect(url_for("kiosk.index"))
        response.set_cookie(COOKIE, default_locale(), max_age=365 * 24 * 3600, samesite="Lax")
        return response
    return _index(KioskIssueForm())


def _index(form: KioskIssueForm, status: int = 200):
    """The start page as the hall's hours and set-up make it now; it tells its script when the
    kiosk next opens or closes, so the page turns at that minute by itself."""
    hall, now = current_hall(), utcnow()
    closed = ""
    try:
        hours.check_open(hall, now)
    except QueueError as error:
        closed = error_text(error)
    change = hours.next_change(hall, now)
    page = render_template(
        "kiosk/index.html",
        hall=hall,
        services=[] if closed else _services(),
        form=form,
        closed=closed,
        change_in=max(int((change - now).total_seconds()), 0) if change else 0,
    )
    return page, status


def _back_to_start(message: str):
    """A refused tap: the message on the start page, reached by GET (post/redirect/get), so a
    reload of the kiosk, by hand or by its own timer, never sends the tap again."""
    flash(message, "error")
    return redirect(url_for("kiosk.index"), 303)


@bp.post("/issue")
def issue():
    form = KioskUnitForm()
    if not form.validate_on_submit():
        return _back_to_start(gettext("Touch one of the buttons to take a number."))
    hall = current_hall()
    service = db.session.get(Service, form.service_id.data)
    asks_unit = service is not None and service.active and video.is_video(service)
    units = video.units(hall.id) if asks_unit else []
    if units and form.remote_unit_id.data is None:
        # video reception: first ask whom the visitor wants to speak to
        return redirect(url_for("kiosk.units", service_id=form.service_id.data), 303)
    try:
        if units:
            video.require_on_duty(hall.id, form.remote_unit_id.data, utcnow())
        ticket = issue_ticket(hall.id, form.service_id.data, channel="kiosk")
        if units:
            video.choose_unit(ticket, form.remote_unit_id.data)
    except QueueError as error:
        db.session.rollback()
        return _back_to_start(error_text(error))
    return redirect(url_for("kiosk.printed", token=ticket.token))


@bp.get("/units/<int:service_id>")
def units(service_id: int):
    """Video reception: whom the visitor wants to speak to (then the tap issues the ticket)."""
    hall = current_hall()
    service = in_hall(Service, service_id, also=lambda s: s.active)
    choices = video.units(hall.id) if video.is_video(service) else []
    if not choices:
        return redirect(url_for("kiosk.index"))
    form = KioskUnitForm(formdata=None, service_id=service.id)
    return render_template(
        "kiosk/units.html",
        hall=hall,
        service=service,
        units=choices,
        available=video.available_unit_ids(hall.id, utcnow()),
        form=form,
    )


@bp.get("/checkin")
def checkin_page():
    return render_template("kiosk/checkin.html", hall=current_hall(), form=CheckInForm(), error="")


@bp.post("/checkin")
def checkin():
    """A scanned or typed booking code becomes a ticket (USB scanners type it, then Enter)."""
    hall, form = current_hall(), CheckInForm()
    try:
        if not form.validate_on_submit():
            raise InvalidInput(N_("Type or scan the booking code."))
        result = check_in(hall, form.code.data or "", policy=settings().booking)
    except QueueError as error:
        db.session.rollback()  # draw the refused page from the state before the attempt
        page = render_template("kiosk/checkin.html", hall=hall, form=form, error=error_text(error))
        return page, error.status
    return _checked_in(result)


@bp.post("/checkin/card")
def checkin_by_card():
    """The ID card read at the kiosk checks in the holder's booking of today."""
    hall, form = current_hall(), CardCheckInForm()
    try:
        if not form.validate_on_submit():
            raise InvalidInput(N_("Put the ID card on the reader."))
        result = check_in_by_card(hall, form.id_number.data or "", policy=settings().booking)
    except QueueError as error:
        db.session.rollback()
        page = render_template(
            "kiosk/checkin.html",
            hall=hall,
            form=CheckInForm(formdata=None),
            error=error_text(error),
        )
        return page, error.status
    return _checked_in(result)


def _checked_in(result: CheckIn):
    if result.late:
        flash(gettext("You are past your booking window: this is a walk-in ticket."), "error")
    else:
        flash(gettext("Checked in: you will be called with appointment priority."), "success")
    return redirect(url_for("kiosk.printed", token=result.ticket.token))


@bp.get("/ticket/<token>")
def printed(token: str):
    """The ticket on screen, laid out for an 80 mm thermal printer when printed."""
    ticket = ticket_by_token(token)
    if ticket is None:
        abort(404)
    hall = current_hall()
    url = ticket_url(ticket)
    standing = estimate.standing(
        ticket,
        default_minutes=settings().default_service_minutes,
        now=ticket.issued_at,
    )
    return render_template(
        "kiosk/ticket.html",
        hall=hall,
        ticket=ticket,
        standing=standing,
        qr=qr_svg(url),
        url=url,
        return_seconds=settings().kiosk_return_seconds,
        auto_print=settings().kiosk_auto_print,
        title=gettext("Your ticket"),
        journey=_journey(ticket),
        # printed at the registration counter: go back there, not to the kiosk
        return_url=url_for("registration.start")
        if request.args.get("registered")
        else url_for("kiosk.index", next_visitor=1),
    )


def _journey(ticket: Ticket) -> list[Service]:
    """The desks of the visit: the current one, then the planned ones still to come."""
    stops = pending_stops(ticket.id)
    later = (db.session.get(Service, stop.service_id) for stop in stops)
    return [ticket.service, *(service for service in later if service is not None)]
