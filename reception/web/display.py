"""Lobby display, desk screens, and the offline speech they fall back to.

A display page works only on an enrolled device: the admin's `reception enroll-display`
gives a one-time address `/display/enrol/<token>` that remembers the device in its cookie.
Staff who are logged in may look at the screens too. A display listens; it never acts.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, gettext
from sqlalchemy import select

from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.live import speech
from reception.live.publish import spoken_floor
from reception.models import Desk, Hall
from reception.models.types import utcnow
from reception.oversight import ratings
from reception.web.common import current_hall, error_text, hall_path, in_hall
from reception.web.edge.guard import parse_id
from reception.web.edge.running import settings
from reception.web.forms import PostForm, RatingForm
from reception.web.live_access import DEVICE_KEY, current_viewer, device_by_token

bp = Blueprint("display", __name__, url_prefix="/display")


def _not_enrolled():
    return render_template("display/not_enrolled.html", hall=current_hall()), 403


@bp.get("/enrol/<token>")
def enrol(token: str):
    return _enrol(token)


def short_enrol(code: str):
    """`/e/<code>`: the enrolment address short enough to type with a TV remote."""
    return _enrol(code.upper())


def _enrol(token: str):
    device = device_by_token(token)
    if device is None:
        return _not_enrolled()
    session.permanent = True
    session[DEVICE_KEY] = device.id
    if device.rater and device.desk_id:
        page = url_for("display.rater")
    elif device.desk_id:
        page = url_for("display.desk_screen", desk_id=device.desk_id)
    else:
        page = url_for("display.lobby")
    hall = current_hall()
    if device.hall_id != hall.id:  # a screen sees only the hall it was enrolled to
        own = db.session.get(Hall, device.hall_id)
        page = hall_path(own, page) if own is not None else page
    return redirect(page)


def _rater_device():
    device = current_viewer().device
    if device is None or not device.rater or device.desk_id is None:
        return None
    return device


@bp.get("/rate")
def rater():
    """The desk-side rating device (评价器): dark until its desk finishes a visitor, then the
    number and five big buttons; thanks, and dark again after the rating or a minute."""
    device = _rater_device()
    if device is None:
        return _not_enrolled()
    desk = db.session.get(Desk, device.desk_id)
    return render_template(
        "display/rater.html",
        hall=current_hall(),
        desk=desk,
        form=PostForm(formdata=None),
        seconds=ratings.DEVICE_SECONDS,
        reasons=ratings.REASONS,
        offline_after=settings().display_offline_seconds,
    )


@bp.get("/rate/pending")
def rater_pending():
    device = _rater_device()
    if device is None:
        abort(403)
    found = ratings.pending_at_desk(device.desk_id, utcnow())
    if found is None:
        return jsonify(pending=None)
    ticket, leg = found
    return jsonify(pending={"ticket_id": ticket.id, "number": ticket.number, "leg": leg})


@bp.post("/rate/<int:ticket_id>/<int:leg>")
def rater_rate(ticket_id: int, leg: int):
    device = _rater_device()
    if device is None:
        abort(403)
    form = RatingForm()
    if not form.validate_on_submit():
        return jsonify(
            error="invalid_input", message=gettext("Choose one of the five levels.")
        ), 422
    try:
        ratings.rate_on_device(
            device.desk_id,
            device.id,
            ticket_id,
            leg,
            form.level.data or 0,
            utcnow(),
            reasons=[] if form.skip.data else form.reasons.data or [],
        )
    except QueueError as error:
        db.session.rollback()
        return jsonify(error="refused", message=error_text(error)), error.status
    return jsonify(ok=True)


def desk_places(hall: Hall) -> dict[int, dict[str, str | int]]:
    """Every desk's number, place and floor (when not the lobby's) in the reader's language,
    keyed by desk id: public facts about the hall, shown beside a call on screens and phones."""
    locale = str(get_locale())
    return {
        desk.id: {
            "number": desk.number,
            "place": desk.place(locale),
            "floor": gettext("Floor %(floor)s", floor=desk.floor)
            if desk.floor != hall.lobby_floor
            else "",
        }
        for desk in hall.desks
    }


@bp.get("/")
def lobby():
    viewer = current_viewer()
    if not viewer.may_watch_hall:
        return _not_enrolled()
    hall = current_hall()
    return render_template(
        "display/lobby.html",
        hall=hall,
        desk_places=desk_places(hall),
        autoplay=viewer.autoplay,
        espeak=speech.espeak_available(),
        offline_after=settings().display_offline_seconds,
    )


@bp.get("/desk/<int:desk_id>")
def desk_screen(desk_id: int):
    desk = in_hall(Desk, desk_id)
    if not current_viewer().may_watch_desk(desk.id):
        return _not_enrolled()
    return render_template(
        "display/desk.html",
        hall=current_hall(),
        desk=desk,
        offline_after=settings().display_offline_seconds,
    )


@bp.get("/speech.wav")
def speech_audio():
    """The call sentence rendered offline, for displays whose browser has no Chinese voice."""
    if not current_viewer().may_watch_hall:
        abort(403)
    number, desk = request.args.get("number", ""), parse_id(request.args.get("desk", ""))
    if not speech.NUMBER.match(number) or desk is None or desk >= 1000:
        abort(400)
    if not speech.espeak_available():
        abort(404)
    hall = current_hall()
    place = db.session.scalars(
        select(Desk).where(Desk.hall_id == hall.id, Desk.number == desk)
    ).first()
    floor = spoken_floor(place, hall.lobby_floor) if place is not None else None
    response = Response(speech.render_wav(number, desk, floor), mimetype="audio/wav")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
