"""The texts sent to visitors (`/admin/texts`): each with its state (queued, sent, kept in the
outbox, failed with the gateway's code, dropped), the phone masked; a failed one sent again."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import or_, select

from reception.core.errors import IllegalMove, NotFound
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import MessageState, OutboxMessage, Role
from reception.models.types import utcnow
from reception.sms import outbox
from reception.web.admin.common import bp
from reception.web.common import current_hall, error_text, roles_required

TEXTS_PAGE = 50
STATES = tuple(state.value for state in MessageState)
STATE_NAMES = {
    "queued": N_("queued"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "kept": N_("kept in the outbox"),
    "failed": N_("failed"),
    "dropped": N_("dropped"),
}


def text_state(state: str) -> str:
    return gettext(STATE_NAMES.get(state, state))


@bp.get("/texts")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def texts():
    """The hall's texts, newest first, a state at a time if asked."""
    hall = current_hall()
    state = request.args.get("state", "")
    query = select(OutboxMessage).where(
        or_(OutboxMessage.hall_id == hall.id, OutboxMessage.hall_id.is_(None))
    )
    if state in STATES:
        query = query.where(OutboxMessage.state == state)
    if current_user.departments:  # Art. 30: nothing of an accusation against their department
        query = query.where(~outbox.hidden_from(current_user.departments))
    # a page that is not a whole number (even one Unicode calls a digit, "²") is the first
    page = request.args.get("page", 1, type=int)
    listed = db.paginate(
        query.order_by(OutboxMessage.id.desc()),
        page=page if 1 <= page <= 1_000_000 else 1,
        per_page=TEXTS_PAGE,
        error_out=False,
    )
    return render_template(
        "admin/texts.html",
        hall=hall,
        texts=[outbox.shown(m) for m in listed.items],
        listed=listed,
        state=state if state in STATES else "",
        states=STATES,
        text_state=text_state,
    )


@bp.post("/texts/<int:message_id>/again")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def text_again(message_id: int):
    """Send a failed or dropped text again (audited)."""
    try:
        outbox.send_again(
            message_id,
            current_hall().id,
            staff_id=current_user.id,
            departments=current_user.departments,
            now=utcnow(),
        )
    except NotFound as error:
        return {"message": error_text(error)}, 404
    except IllegalMove as error:
        flash(error_text(error), "error")
        return redirect(url_for("admin.texts"), 303)
    flash(gettext("The text is queued again."), "success")
    return redirect(url_for("admin.texts"), 303)
