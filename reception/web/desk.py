"""The desk console: call next, recall, start, finish, no-show, hold, transfer."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from sqlalchemy import or_, select

from reception.core.clock import hall_day, local_time
from reception.core.errors import InvalidInput, QueueError
from reception.db.extensions import db
from reception.models import Desk, Role, Ticket, TicketState
from reception.models.types import utcnow
from reception.queue import calling, consoles, desk_states, journey, moves
from reception.queue.actions import BY_PATH
from reception.video import sessions as video
from reception.web import case_view
from reception.web.actions import TICKET_ACTIONS, perform
from reception.web.common import current_hall, error_text, in_hall, roles_required
from reception.web.forms import DeskActionForm, DeskStateForm, PostForm, VideoStartForm

bp = Blueprint("desk", __name__, url_prefix="/desk")
DESK_ROLES = (Role.DESK, Role.SUPERVISOR)


@bp.errorhandler(QueueError)
def refused(error: QueueError):
    """A refused move is shown on the console itself; nothing was changed."""
    flash(error_text(error), "error")
    desk_id = request.view_args.get("desk_id") if request.view_args else None
    if desk_id is None:
        return redirect(url_for("desk.choose"))
    return redirect(url_for("desk.console", desk_id=desk_id), code=303)


def _desk(desk_id: int) -> Desk:
    return in_hall(Desk, desk_id)


def console_key() -> str:
    """This staff session's key for the consoles it holds (kept in the signed session)."""
    if "console_key" not in session:
        session["console_key"] = secrets.token_hex(16)
    return str(session["console_key"])


def _own_desks() -> list[Desk]:
    return [desk for desk in current_hall().desks if consoles.may_open(current_user, desk)]


@bp.get("/")
@roles_required(*DESK_ROLES)
def choose():
    own = _own_desks()
    remembered = session.get("desk_id")
    if request.args.get("change") is None:
        if remembered in {desk.id for desk in own}:
            return redirect(url_for("desk.console", desk_id=remembered))
        if len(own) == 1:
            return redirect(url_for("desk.console", desk_id=own[0].id))
    key = console_key()
    return render_template(
        "desk/choose.html",
        hall=current_hall(),
        desks=own,
        holders={d.id: consoles.holder(d) for d in own if consoles.held_by_other(d, key)},
    )


@bp.post("/<int:desk_id>/open")
@roles_required(*DESK_ROLES)
def open_desk(desk_id: int):
    """Hold the desk for this session; `take_over=1` takes it from the session holding it."""
    desk = _desk(desk_id)
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    consoles.claim(
        desk, current_user, console_key(), utcnow(), take_over=request.form.get("take_over") == "1"
    )
    session["desk_id"] = desk.id
    return redirect(url_for("desk.console", desk_id=desk.id), 303)


@bp.get("/<int:desk_id>")
@roles_required(*DESK_ROLES)
def console(desk_id: int):
    desk = _desk(desk_id)
    if not consoles.may_open(current_user, desk):
        return render_template("desk/not_assigned.html", hall=current_hall(), desk=desk), 403
    if consoles.held_by_other(desk, console_key()):
        page = render_template(
            "desk/taken.html",
            hall=current_hall(),
            desk=desk,
            holder=consoles.holder(desk),
            local=lambda moment: local_time(current_hall().timezone, moment),
        )
        return page, 409
    session["desk_id"] = desk.id
    return _console_page(desk, DeskActionForm(formdata=None))


def _console_page(desk: Desk, form: DeskActionForm, *, error: str = "", status: int = 200):
    """The console; after a refused move, with everything the clerk typed and why."""
    hall = current_hall()
    today = hall_day(hall.timezone, utcnow())
    service_ids = [service.id for service in desk.services]
    current = calling.at_desk(desk, today)
    waiting = db.session.scalars(
        calling.waiting_in_order(desk, today, current_user.id).limit(200)
    ).all()
    parked = db.session.scalars(
        select(Ticket)
        .where(
            Ticket.hall_id == hall.id,
            Ticket.service_day == today,
            Ticket.state.in_((TicketState.HELD.value, TicketState.NO_SHOW.value)),
            or_(Ticket.target_desk_id == desk.id, Ticket.service_id.in_(service_ids)),
        )
        .order_by(Ticket.updated_at.desc())
    ).all()
    page = render_template(
        "desk/console.html",
        hall=hall,
        desk=desk,
        current=current,
        waiting=waiting,
        parked=parked,
        services=hall.services,
        desks=hall.desks,
        local=lambda moment: local_time(hall.timezone, moment),
        console_data=_console_data(desk, current),
        case=case_view.for_serving_desk(current, desk, current_user),
        action_form=form,
        error=error,
        handover=journey.handover_note(current) if current else "",
        notes=journey.handover_notes(list(waiting)),
        sent_here=len(desk_states.sent_here(desk)),
        video_panel=_video_panel(current, form),
        pause_reasons=desk_states.PAUSE_REASONS,
    )
    return page, status


def _video_panel(current: Ticket | None, form: DeskActionForm) -> dict[str, Any] | None:
    """At a video desk: the units to ring, the call open for the visitor, and the unit's
    outcome as the start of the desk's own (the clerk may change it before finishing)."""
    if current is None or not video.is_video(current.service):
        return None
    now = utcnow()
    latest = video.latest_session(current.id, current.leg)
    if latest is not None and latest.outcome and not form.outcome.data:
        form.outcome.data = latest.outcome
    return {
        "units": video.units(current.hall_id),
        "open": video.open_session(current.id, now),
        "latest": latest,
        "unanswered": latest is not None and video.ran_out(latest, now),
        "form": VideoStartForm(formdata=None, unit_id=current.remote_unit_id),
    }


def hold_console(desk: Desk) -> None:
    """A move comes from this session's console: refused for a desk the user is not assigned
    to and once another session took the desk over; a free desk becomes this session's. Every
    move a desk makes (the queue's, a video session's) passes here."""
    consoles.check_held(desk, current_user, console_key(), utcnow())


def _console_data(desk: Desk, current: Ticket | None) -> dict:
    """What the console's script needs to redraw the waiting list live (no personal data)."""
    locale = str(get_locale())
    return {
        "desk_id": desk.id,
        "hall_id": desk.hall_id,
        "setup_changed": gettext("The hall's set-up changed: reload this page when convenient."),
        "service_ids": [service.id for service in desk.services],
        "current_id": current.id if current else None,
        "names": {service.id: service.label(locale) for service in current_hall().services},
        "priorities": [
            gettext("walk-in"),
            gettext("appointment"),
            gettext("vulnerable"),
            gettext("urgent"),
        ],
        "transferred": gettext("transferred"),
        "call": gettext("Call this one"),
        "nobody": gettext("Nobody is waiting."),
        "call_url": url_for("desk.act", desk_id=desk.id, ticket_id=0, action="call"),
        "timezone": current_hall().timezone,
        "console": consoles.marker(console_key()),
        "taken_over": gettext(
            "This desk was taken over in another session: this console no longer works it."
        ),
    }


@bp.post("/<int:desk_id>/call-next")
@roles_required(*DESK_ROLES)
def call_next(desk_id: int):
    desk = _desk(desk_id)
    hold_console(desk)
    ticket = moves.call_next(desk.id, staff_id=current_user.id)
    if ticket is None:
        flash(gettext("Nobody is waiting for this desk."), "info")
    else:
        flash(gettext("Called %(number)s.", number=ticket.number), "success")
    return redirect(url_for("desk.console", desk_id=desk.id))


@bp.post("/<int:desk_id>/state/<move>")
@roles_required(*DESK_ROLES)
def change_state(desk_id: int, move: str):
    """Pause with a reason, resume, close or reopen the desk (from the console holding it)."""
    if move not in ("pause", "resume", "close", "reopen"):
        abort(404)
    desk, form = _desk(desk_id), DeskStateForm()
    if not form.validate_on_submit():
        return _console_page(
            desk, DeskActionForm(formdata=None), error=_form_error(form), status=422
        )
    hold_console(desk)
    staff, now = current_user.id, utcnow()
    if move == "pause":
        desk_states.pause(desk.id, form.pause_reason(), staff_id=staff, now=now)
        flash(gettext("Desk %(number)s is paused.", number=desk.number), "success")
    elif move == "resume":
        desk_states.resume(desk.id, staff_id=staff, now=now)
        flash(gettext("Desk %(number)s takes calls again.", number=desk.number), "success")
    elif move == "close":
        desk_states.close(desk.id, release=form.release.data, staff_id=staff, now=now)
        flash(gettext("Desk %(number)s is closed.", number=desk.number), "success")
    else:
        desk_states.reopen(desk.id, staff_id=staff, now=now)
        flash(gettext("Desk %(number)s is open.", number=desk.number), "success")
    return redirect(url_for("desk.console", desk_id=desk.id), 303)


def _form_error(form: Any) -> str:
    return "; ".join(f"{field.label.text}: {field.errors[0]}" for field in form if field.errors)


@bp.post("/<int:desk_id>/tickets/<int:ticket_id>/<action>")
@roles_required(*DESK_ROLES)
def act(desk_id: int, ticket_id: int, action: str):
    """A move on a ticket. Refused input comes back on the console with what was typed; a
    move the ticket's state no longer allows is flashed on a fresh console (303)."""
    if action not in TICKET_ACTIONS:
        abort(404)
    desk, form = _desk(desk_id), DeskActionForm()
    valid = form.validate_on_submit()
    if valid and action == "cancel" and not (form.note.data or "").strip():
        form.note.errors = [gettext("Write why the number is voided.")]
        valid = False
    if not valid:
        message = "; ".join(
            f"{field.label.text}: {field.errors[0]}" for field in form if field.errors
        )
        return _console_page(desk, form, error=message, status=422)
    hold_console(desk)
    try:
        ticket = perform(action, ticket_id, desk.id, current_user.id, form.data)
    except InvalidInput as error:
        db.session.rollback()  # draw the console from the state before the attempt
        return _console_page(desk, form, error=error_text(error), status=error.status)
    flash(_done_message(action, ticket), "success")
    return redirect(url_for("desk.console", desk_id=desk.id))


def _done_message(action: str, ticket: Ticket) -> str:
    """What the move did, in words ("B001 已开始办理", "B001 已转至 律师接访")."""
    number = ticket.number
    if action in ("transfer", "finish") and ticket.state == TicketState.WAITING.value:
        target = ticket.service.label(str(get_locale()))
        if ticket.target_desk_id:
            desk = db.session.get(Desk, ticket.target_desk_id)
            target = gettext("desk %(desk)s", desk=desk.number) if desk else target
        return gettext("%(number)s sent on to %(target)s.", number=number, target=target)
    move = BY_PATH.get(action)
    if move is None or not move.done:
        return gettext("%(number)s: done.", number=number)
    return gettext(move.done, number=number)
