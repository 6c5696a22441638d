"""Video reception pages: the remote unit's page, the session page both parties share, and the
session's moves (start, answer, end, outcome, recording pieces)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext
from flask_login import current_user

from reception.core.clock import hall_day
from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.models import Desk, RemoteUnit, Role, SessionState, Ticket, User, VideoSession
from reception.models.types import utcnow
from reception.video import recordings
from reception.video import sessions as video
from reception.web.common import current_hall, error_text, in_hall, roles_required
from reception.web.desk import DESK_ROLES, hold_console
from reception.web.forms import PostForm, VideoOutcomeForm, VideoStartForm

bp = Blueprint("video", __name__)


@bp.get("/remote/")
@roles_required(Role.REMOTE)
def remote():
    """The unit's own page: who waits for it in the hall, whether the video desk is free, the
    calls ringing for it (live: the page refreshes its panel on the unit's socket events)."""
    return render_template("video/remote.html", hall=current_hall(), **_remote_panel())


@bp.post("/remote/present")
@roles_required(Role.REMOTE)
def remote_present():
    """The unit's page is open: renewed every 45 s, so the kiosk offers the unit."""
    if not PostForm().validate_on_submit():
        abort(400)
    video.mark_present(current_user, utcnow())
    return jsonify(ok=True, seconds=video.PRESENCE_SECONDS)


@bp.get("/remote/panel")
@roles_required(Role.REMOTE)
def remote_panel():
    return render_template("video/_remote_panel.html", hall=current_hall(), **_remote_panel())


def _remote_panel() -> dict[str, Any]:
    hall, now = current_hall(), utcnow()
    unit = db.session.get(RemoteUnit, current_user.remote_unit_id or 0)
    if unit is None or unit.hall_id != hall.id:
        return {"unit": None, "waiting": [], "desks": [], "calls": []}
    return {
        "unit": unit,
        "waiting": video.waiting_for(unit.id, hall.id, hall_day(hall.timezone, now)),
        "desks": video.video_desks(hall),
        "calls": video.calls_for(unit.id, now),
        "now": now,
        "tickets": _numbers(video.calls_for(unit.id, now)),
    }


def _numbers(calls: list[VideoSession]) -> dict[int, str]:
    return {
        call.id: ticket.number
        for call in calls
        if (ticket := db.session.get(Ticket, call.ticket_id)) is not None
    }


@bp.post("/video/start")
@roles_required(*DESK_ROLES)
def start():
    """The video desk rings the unit the visitor asked for (or the one chosen now instead)."""
    form = VideoStartForm()
    desk = in_hall(Desk, form.desk_id.data)
    back = url_for("desk.console", desk_id=desk.id)
    if not form.validate_on_submit():
        flash(gettext("Choose the department or county to speak to."), "error")
        return redirect(back, 303)
    try:
        hold_console(desk)
        call = video.start(
            desk.id, form.ticket_id.data or 0, current_user.id, form.unit_id.data, utcnow()
        )
    except QueueError as error:
        db.session.rollback()
        flash(error_text(error), "error")
        return redirect(back, 303)
    return redirect(url_for("video.session_page", session_id=call.id), 303)


def _party_call(session_id: int) -> tuple[VideoSession, str]:
    """A video session of this hall and the user's side of it; 404 to anyone not a party."""
    call = in_hall(VideoSession, session_id)
    side = video.party(call, current_user)
    if side is None:
        abort(404)
    return call, side


@bp.get("/video/<int:session_id>")
@roles_required(*DESK_ROLES, Role.REMOTE)
def session_page(session_id: int):
    call, side = _party_call(session_id)
    summary = video.case_summary(call, current_user) if side == video.REMOTE else None
    ticket = db.session.get(Ticket, call.ticket_id)
    page_data = {
        "session_id": call.id,
        "party": side,
        "state_url": url_for("video.state", session_id=call.id),
        "recording_url": url_for("video.recording_piece", session_id=call.id, seq=1)[:-1],
        "ice_servers": current_app.config.get("VIDEO_ICE_SERVERS", []),
        "chunk_ms": int(current_app.config.get("VIDEO_CHUNK_SECONDS", 5) * 1000),
        "labels": _labels(with_case=ticket is not None and ticket.case_id is not None),
        "visitor_labels": _visitor_labels(call.unit.label(str(get_locale()))),
    }
    return render_template(
        "video/session.html",
        hall=current_hall(),
        call=call,
        party=side,
        ticket=ticket,
        summary=summary,
        outcome_form=VideoOutcomeForm(outcome=call.outcome),
        page_data=page_data,
        back=_back(call, side),
    )


def _back(call: VideoSession, side: str) -> str:
    if side == video.HALL:
        return url_for("desk.console", desk_id=call.desk_id)
    return url_for("video.remote")


def _visitor_labels(unit: str) -> dict[str, str]:
    """What the visitor's own screen says, in plain words (no staff instructions)."""
    return {
        "connecting": gettext("Connecting you to %(unit)s, please wait…", unit=unit),
        "connected": gettext("You are speaking with %(unit)s.", unit=unit),
        "reconnecting": gettext("The line is unsteady: reconnecting, please wait…"),
        "waiting": gettext("Connecting you to %(unit)s, please wait…", unit=unit),
        "ringing": gettext("Calling %(unit)s, please wait…", unit=unit),
        "unanswered": gettext(
            "%(unit)s cannot answer just now. The staff beside you will arrange what comes next.",
            unit=unit,
        ),
        "ended": gettext("The video reception has ended. Thank you."),
        "cancelled": gettext("The video reception has ended. Thank you."),
    }


def _labels(*, with_case: bool) -> dict[str, str]:
    return {
        "connecting": gettext("Connecting…"),
        "connected": gettext("Connected"),
        "reconnecting": gettext("Reconnecting…"),
        "waiting_peer": gettext("Waiting for the other side to join…"),
        "ringing": gettext("Ringing the unit: %(seconds)s s left to answer"),
        "unanswered": gettext(
            "The unit did not answer. End this call, then ring it again, choose another unit "
            "or transfer the visitor."
        ),
        "ended": gettext("The session has ended."),
        "cancelled": gettext("The call was withdrawn."),
        "denied": gettext(
            "The camera or microphone was refused. Allow them for this site in the browser's "
            "settings, then reload: the other side can still see and hear you once allowed."
        ),
        "missing": gettext(
            "No camera or microphone was found on this computer. Connect one and reload; the "
            "session goes on without your picture and voice meanwhile."
        ),
        "media_error": gettext("The camera or microphone could not be started: %(name)s."),
        "audio_only": gettext("No camera: the other side hears you but does not see you."),
        "saved": gettext("The outcome is saved on the case.")
        if with_case
        else gettext("The outcome is saved with this visit (no matter is registered)."),
        "upload_failed": gettext("A piece of the recording could not be sent; retrying."),
    }


@bp.get("/video/<int:session_id>/state")
@roles_required(*DESK_ROLES, Role.REMOTE)
def state(session_id: int):
    """What the session page shows now (names travel here, never in socket payloads)."""
    call, side = _party_call(session_id)
    now = utcnow()
    state = SessionState.UNANSWERED.value if video.ran_out(call, now) else call.state
    remote = db.session.get(User, call.remote_staff_id) if call.remote_staff_id else None
    pieces, size = recordings.stored(call.id) if call.recording else (0, 0)
    return jsonify(
        session_id=call.id,
        party=side,
        state=state,
        seconds_left=max(0, int((call.answer_by - now).total_seconds())),
        unit=call.unit.name,
        remote_name=remote.display_name or remote.username if remote else "",
        outcome=call.outcome,
        recording=call.recording,
        recorded_pieces=pieces,
        recorded_bytes=size,
    )


@bp.post("/video/<int:session_id>/answer")
@roles_required(Role.REMOTE)
def answer(session_id: int):
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        video.answer(session_id, current_user, utcnow())
    except QueueError as error:
        db.session.rollback()
        flash(error_text(error), "error")
        return redirect(url_for("video.remote"), 303)
    return redirect(url_for("video.session_page", session_id=session_id), 303)


@bp.post("/video/<int:session_id>/end")
@roles_required(*DESK_ROLES, Role.REMOTE)
def end(session_id: int):
    call, side = _party_call(session_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        video.end(call.id, current_user, utcnow())
    except QueueError as error:
        db.session.rollback()
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error="illegal_move", message=error_text(error)), error.status
        flash(error_text(error), "error")
    if request.accept_mimetypes.best == "application/json":
        return jsonify(ok=True)
    return redirect(_back(call, side), 303)


@bp.post("/video/<int:session_id>/outcome")
@roles_required(Role.REMOTE)
def outcome(session_id: int):
    """The unit writes its outcome (sent by the page's script without leaving the call)."""
    _party_call(session_id)
    form = VideoOutcomeForm()
    if not form.validate_on_submit():
        message = "; ".join(str(error) for field in form for error in field.errors)
        return jsonify(error="invalid_input", message=message), 422
    try:
        video.write_outcome(session_id, current_user, form.outcome.data or "", utcnow())
    except QueueError as error:
        db.session.rollback()
        return jsonify(error="refused", message=error_text(error)), error.status
    return jsonify(ok=True, message=gettext("The outcome is saved on the case."))


@bp.post("/video/<int:session_id>/recording/<int:seq>")
@roles_required(*DESK_ROLES)
def recording_piece(session_id: int, seq: int):
    """One piece of the hall's recording, the body as MediaRecorder gave it (CSRF header)."""
    _party_call(session_id)
    data = request.get_data(cache=False)
    try:
        created = recordings.add_chunk(session_id, current_user, seq, data, utcnow())
    except QueueError as error:
        db.session.rollback()
        return jsonify(error="refused", message=error_text(error)), error.status
    return jsonify(ok=True, stored=created), 201 if created else 200
