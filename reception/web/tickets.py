"""The visitor's own ticket page `/t/<token>` (the QR code's target) and its QR code."""

from __future__ import annotations

import io
import ipaddress
from datetime import timedelta

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext

from reception.core.clock import local_time
from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.models import Case, Hall, Ticket
from reception.models.rating import BAD
from reception.models.types import utcnow
from reception.oversight import ratings
from reception.queue import estimate
from reception.queue.timeline import leg_times
from reception.sms import outbox
from reception.triage import clocks
from reception.web import online
from reception.web.common import current_hall, error_text, hall_path, ticket_by_token
from reception.web.display import desk_places
from reception.web.edge.running import settings
from reception.web.forms import RatingForm

bp = Blueprint("tickets", __name__)


def public_base() -> str:
    """The hall's address as visitors' phones and screens reach it (`PUBLIC_URL` when set)."""
    public = current_app.config.get("PUBLIC_URL")
    # the host as the request named it (checked against TRUSTED_HOSTS when set), in its ASCII
    # form: `request.host_url` would also decode it to an IRI, at a cost on every issue
    return public.rstrip("/") if public else f"{request.scheme}://{request.host}"


def public_base_is_local() -> bool:
    """No public address is set and this page was asked for through this machine's own name
    (127.0.0.1, localhost, ::1): an address built from it reaches no screen and no phone."""
    if current_app.config.get("PUBLIC_URL"):
        return False
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ticket_url(ticket: Ticket) -> str:
    """Absolute address of the ticket page, on the public address when one is configured."""
    return public_base() + url_for("tickets.status", token=ticket.token)


def qr_svg(data: str) -> str:
    """An inline SVG QR code (error correction M, 4-module quiet zone)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def _find(token: str) -> Ticket:
    ticket = ticket_by_token(token)
    if ticket is None:
        abort(404)
    return ticket


@bp.get("/s/<link>")
def short_link(link: str):
    """The short link a "your turn is near" text carries: to its ticket's live page."""
    message = outbox.by_link(link)
    ticket = db.session.get(Ticket, message.ticket_id) if message and message.ticket_id else None
    if ticket is None:
        matter = online.open_link(link)  # a text about a matter sent online
        if matter is None:
            abort(404)
        return matter
    page = url_for("tickets.status", token=ticket.token)
    if ticket.hall_id != current_hall().id:  # a text's link is on the deployment's address
        hall = db.session.get(Hall, ticket.hall_id)
        page = hall_path(hall, page) if hall is not None else page
    return redirect(page, 303)


@bp.get("/t/<token>")
def status(token: str):
    return _status_page(_find(token))


@bp.get("/t/<token>/matter")
def matter(token: str):
    """The visitor's own page of the matter registered with this ticket (as an online
    petitioner follows theirs): steps, notices, rating the reply, asking for review."""
    ticket = _find(token)
    case = db.session.get(Case, ticket.case_id) if ticket.case_id else None
    if case is None:
        abort(404)
    return online.open_case(case)


def _status_page(ticket: Ticket, asking: tuple[int, int] | None = None, comment: str = ""):
    """The phone page; `asking` (leg, level) asks why a 不满意 or worse was chosen, with the
    words already typed kept (`comment`)."""
    hall = current_hall()
    now = utcnow()
    standing = estimate.standing(
        ticket, default_minutes=settings().default_service_minutes, now=now
    )
    return render_template(
        "ticket/status.html",
        hall=hall,
        ticket=ticket,
        standing=standing,
        issued_local=local_time(hall.timezone, ticket.issued_at),
        legs=leg_times(ticket.events),
        services={s.id: s for s in hall.services},
        service_names={s.id: s.label(str(get_locale())) for s in hall.services},
        desk_places=desk_places(hall),
        case=db.session.get(Case, ticket.case_id) if ticket.case_id else None,
        case_rateable=ratings.case_rateable(ticket) is not None,
        clocks=clocks,
        rateable=ratings.finished_legs(ticket),
        given=ratings.ratings_of(ticket),
        rating_form=RatingForm(formdata=None),
        asking=asking,
        typed=comment,
        reasons=ratings.REASONS,
        can_change=lambda rating: (
            now - rating.rated_at <= timedelta(minutes=ratings.CHANGE_MINUTES)
        ),
    )


@bp.post("/t/<token>/rate/<int:leg>")
def rate(token: str, leg: int):
    """The visitor rates a finished leg of the visit (the ticket's token is the key)."""
    return _rate(token, leg)


@bp.post("/t/<token>/rate-case")
def rate_case(token: str):
    """The visitor rates how the matter was handled, once its reply is given (Art. 21)."""
    return _rate(token, ratings.CASE_LEG)


def _rate(token: str, leg: int):
    ticket = _find(token)
    form = RatingForm()
    back = redirect(url_for("tickets.status", token=token) + "#rate", 303)
    if not form.validate_on_submit():
        flash(gettext("Choose one of the five levels."), "error")
        return back
    level = form.level.data or 0
    if level <= BAD and not form.asked.data:
        # 不满意 or worse: ask why (choices and words, skippable) before anything is stored;
        # the question is answered on this page (its words stay out of any address)
        return _status_page(ticket, asking=(leg, level), comment=form.comment.data or "")
    try:
        ratings.rate(
            ticket,
            leg,
            level,
            form.comment.data or "",
            utcnow(),
            reasons=[] if form.skip.data else form.reasons.data or [],
        )
    except QueueError as error:
        db.session.rollback()
        flash(error_text(error), "error")
        return back
    flash(gettext("Thank you for your rating."), "success")
    return back


@bp.get("/t/<token>/qr.svg")
def qr_image(token: str):
    ticket = _find(token)
    response = Response(qr_svg(ticket_url(ticket)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.after_app_request
def no_referrer_on_tickets(response: Response) -> Response:
    # The token is the key to the ticket page: never leak it to another site.
    if request.path.startswith(("/t/", "/kiosk/ticket/")):
        response.headers["Referrer-Policy"] = "no-referrer"
    return response
