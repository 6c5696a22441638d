"""The hall supervisor's and leader on duty's pages: the live board, alerts, follow-ups."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from reception.core.clock import hall_day
from reception.core.errors import QueueError
from reception.core.identity import mask_phone
from reception.db.extensions import db
from reception.live import hall_board
from reception.models import Alert, FollowUp, Role, User
from reception.models.types import utcnow
from reception.oversight import ratings, supervision
from reception.video import sessions as video
from reception.web import reports
from reception.web.common import current_hall, error_text, in_hall, roles_required
from reception.web.edge.running import settings
from reception.web.forms import FollowUpForm, PostForm


def _label_tip(columns: list[reports.Column], key: str) -> tuple[Any, Any]:
    column = next(c for c in columns if c.key == key)
    return column.label, column.tip


bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")

# today's totals: named and explained as the report's columns of the same figures
BOARD_TOTALS = [
    ("issued", *_label_tip(reports.SUMMARY_ROWS, "tickets")),
    *(
        (key, *_label_tip(reports.VISIT_COLUMNS, key))
        for key in ("served", "no_shows", "transfers")
    ),
    *((key, *_label_tip(reports.SUMMARY_ROWS, key)) for key in ("satisfaction", "rating_rate")),
]


@bp.get("/")
@roles_required(Role.SUPERVISOR, Role.LEADER)
def board():
    """The live hall: desks, lines, today's totals and alerts (redrawn over the socket)."""
    hall = current_hall()
    snapshot = hall_board.snapshot(
        hall, utcnow(), settings().default_service_minutes, current_user.departments
    )
    return render_template(
        "supervisor/board.html",
        hall=hall,
        snapshot=snapshot,
        form=PostForm(),
        unanswered_seconds=supervision.UNANSWERED_CALL_SECONDS,
        totals=BOARD_TOTALS,
    )


@bp.post("/alerts/<int:alert_id>/acknowledge")
@roles_required(Role.SUPERVISOR, Role.LEADER)
def acknowledge(alert_id: int):
    alert = in_hall(
        Alert, alert_id, also=lambda a: supervision.alert_visible_to(a, current_user.departments)
    )
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        supervision.acknowledge(alert, current_user.id, utcnow())
    except QueueError as error:
        db.session.rollback()
        return _answer(error_text(error), 409)
    return _answer(gettext("Alert acknowledged."), 200)


def _answer(message: str, status: int):
    """The board acknowledges with fetch (JSON); without JavaScript the form posts back."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify(message=message), status
    flash(message, "success" if status == 200 else "error")
    return redirect(url_for("supervisor.board"), 303)


@bp.get("/follow-ups")
@roles_required(Role.SUPERVISOR, Role.LEADER)
def follow_ups():
    """Call-backs (回访) opened by bad ratings: open ones first, by due date."""
    return _follow_ups_page(FollowUpForm(formdata=None))


def _follow_ups_page(form: FollowUpForm, status: int = 200, revealed: dict | None = None):
    hall = current_hall()
    rows = ratings.follow_ups(hall.id, current_user.departments)
    numbers = ratings.contact_phones([r for f, r in rows if f.done_at is None])
    phones = {
        f.id: (revealed or {}).get(f.id) or mask_phone(numbers[r.id])
        for f, r in rows
        if f.done_at is None and r.id in numbers
    }
    page = render_template(
        "supervisor/follow_ups.html",
        hall=hall,
        rows=rows,
        form=form,
        today=hall_day(hall.timezone, utcnow()),
        services={s.id: s for s in hall.services},
        staff={u.id: u for u in db.session.scalars(select(User))},
        numbers=ratings.ticket_numbers([r for _f, r in rows]),
        phones=phones,
        reasons=ratings.REASONS,
        units={unit.id: unit for unit in video.units(hall.id)},
        revealed=revealed or {},
    )
    return page, status, {"Cache-Control": "no-store"}


def _follow_up(follow_up_id: int) -> FollowUp:
    """A call-back of this hall the user may see (Art. 30), else 404."""
    return in_hall(
        FollowUp,
        follow_up_id,
        also=lambda f: ratings.follow_up_visible(f, current_user.departments),
    )


@bp.post("/follow-ups/<int:follow_up_id>/phone")
@roles_required(Role.SUPERVISOR, Role.LEADER)
def reveal_phone(follow_up_id: int):
    """The visitor's number in full, for the call-back (a deliberate look, audited)."""
    follow_up = _follow_up(follow_up_id)
    if not PostForm().validate_on_submit():
        abort(400)
    phone = ratings.reveal_phone(follow_up, current_user.id)
    if phone is None:
        abort(404)
    return _follow_ups_page(FollowUpForm(formdata=None), revealed={follow_up.id: phone})


@bp.post("/follow-ups/<int:follow_up_id>")
@roles_required(Role.SUPERVISOR, Role.LEADER)
def close_follow_up(follow_up_id: int):
    follow_up = _follow_up(follow_up_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _follow_ups_page(form, 422)
    try:
        ratings.close_follow_up(follow_up, form.outcome.data or "", current_user.id, utcnow())
    except QueueError as error:
        db.session.rollback()
        flash(error_text(error), "error")
        return redirect(url_for("supervisor.follow_ups"), 303)
    flash(gettext("Follow-up recorded."), "success")
    return redirect(url_for("supervisor.follow_ups"), 303)
