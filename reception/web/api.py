"""JSON API `/api/v1`: the same operations as the kiosk and the desk console.

Staff authenticate with `Authorization: Bearer <token>` (`reception create-user --api-token`);
browser cookies are not accepted here, which is why the API needs no CSRF token. Errors are
JSON: `{"error": ..., "message": ...}` with 400/401/403/404/409/422.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import gettext
from sqlalchemy import select

from ..extensions import csrf, db
from ..models import Desk, Priority, Role, Ticket, User
from ..models.staff import hash_api_token
from ..models.types import utcnow
from ..queue import calling, estimate, moves
from ..queue.clock import hall_day
from ..queue.errors import InvalidInput, NotFound
from ..queue.issuing import issue_ticket
from ..queue.messages import N_
from ..realtime import ticket_view, waiting_counts
from .actions import TICKET_ACTIONS, optional_id, perform
from .common import commit, current_hall
from .tickets import ticket_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PRIORITY_NAMES = {p.name.lower(): p.value for p in Priority}


def _staff(*roles: str) -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, description=gettext("Send an API token: Authorization: Bearer <token>."))
    user = db.session.scalars(
        select(User).where(User.api_token_hash == hash_api_token(token.strip()))
    ).first()
    if user is None or not user.active:
        abort(401, description=gettext("Unknown or disabled API token."))
    if roles and not user.can(*roles):
        abort(403, description=gettext("Your account may not do this."))
    return user


def _body() -> dict[str, Any]:
    if not request.data:
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description=gettext("The body must be a JSON object."))
    return body


def _ticket_json(ticket: Ticket, *, with_token: bool = False) -> dict[str, Any]:
    desk = db.session.get(Desk, ticket.desk_id) if ticket.desk_id else None
    data = ticket_view(ticket, desk.number if desk else None)
    data["issued_at"] = ticket.issued_at.isoformat()
    data["service_day"] = ticket.service_day.isoformat()
    if with_token:
        data["token"] = ticket.token
        data["url"] = ticket_url(ticket)
    return data


def _priority(value: Any) -> int:
    if value is None:
        return Priority.WALK_IN
    if isinstance(value, str) and value.lower() in PRIORITY_NAMES:
        return PRIORITY_NAMES[value.lower()]
    raise InvalidInput(N_("priority must be one of walk_in, appointment, vulnerable, urgent."))


@bp.get("/services")
def services():
    hall = current_hall()
    items = [s for s in hall.services if s.active]
    today = hall_day(hall.timezone, utcnow())
    counts = waiting_counts(db.session, hall.id, {s.id for s in items}, today) if items else {}
    return jsonify(
        services=[
            {
                "id": s.id,
                "name": s.name,
                "name_en": s.name_en,
                "kind": s.kind,
                "prefix": s.prefix,
                "waiting": counts.get(str(s.id), 0),
                "desks": [d.number for d in s.desks],
            }
            for s in items
        ]
    )


@bp.post("/tickets")
def issue():
    staff = _staff(Role.REGISTRAR, Role.DESK, Role.SUPERVISOR)
    body = _body()
    service_id = optional_id(body, "service_id")
    if service_id is None:
        raise InvalidInput(N_("service_id is required."))
    ticket = issue_ticket(
        current_hall().id,
        service_id,
        priority=_priority(body.get("priority")),
        channel="api",
        staff_id=staff.id,
    )
    commit()
    return jsonify(ticket=_ticket_json(ticket, with_token=True)), 201


@bp.get("/tickets/<token>")
def status(token: str):
    """Public: the ticket's state, as its own page shows it."""
    ticket = db.session.scalars(select(Ticket).where(Ticket.token == token)).first()
    if ticket is None:
        raise NotFound(N_("No such ticket."))
    standing = estimate.standing(
        ticket, default_minutes=current_app.config["DEFAULT_SERVICE_MINUTES"], now=utcnow()
    )
    data = _ticket_json(ticket)
    data.update(people_ahead=standing.people_ahead, wait_minutes=standing.wait_minutes)
    return jsonify(ticket=data)


def _desk(desk_id: int) -> Desk:
    desk = db.session.get(Desk, desk_id)
    if desk is None or desk.hall_id != current_hall().id:
        raise NotFound(N_("No such desk."))
    return desk


@bp.get("/desks/<int:desk_id>/queue")
def desk_queue(desk_id: int):
    _staff(Role.DESK, Role.SUPERVISOR, Role.REGISTRAR)
    desk = _desk(desk_id)
    hall = current_hall()
    today = hall_day(hall.timezone, utcnow())
    waiting = db.session.scalars(calling.waiting_in_order(desk, today)).all()
    return jsonify(desk=desk.number, waiting=[_ticket_json(t) for t in waiting])


@bp.post("/desks/<int:desk_id>/call-next")
def call_next(desk_id: int):
    staff = _staff(Role.DESK, Role.SUPERVISOR)
    desk = _desk(desk_id)
    ticket = moves.call_next(desk.id, staff_id=staff.id)
    commit()
    if ticket is None:
        return jsonify(ticket=None, message=gettext("Nobody is waiting for this desk."))
    return jsonify(ticket=_ticket_json(ticket))


@bp.post("/tickets/<int:ticket_id>/<action>")
def act(ticket_id: int, action: str):
    """A desk's move on a ticket; `desk_id` in the body binds it to that desk's ticket."""
    if action not in TICKET_ACTIONS:
        raise NotFound(N_("No such action."))
    staff = _staff(Role.DESK, Role.SUPERVISOR)
    body = _body()
    desk_id = optional_id(body, "desk_id")
    if desk_id is not None:
        _desk(desk_id)
    ticket = perform(action, ticket_id, desk_id, staff.id, body)
    commit()
    return jsonify(ticket=_ticket_json(ticket))
