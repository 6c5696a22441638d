"""API: services, issuing, a ticket's status, a desk's line, call next, a desk's moves."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from reception.core.clock import hall_day
from reception.core.errors import NotFound
from reception.core.messages import N_
from reception.db.extensions import db
from reception.live.publish import waiting_counts
from reception.models import Priority, Role
from reception.models.types import utcnow
from reception.queue import calling, estimate, moves
from reception.queue.issuing import issue_ticket
from reception.web.actions import perform
from reception.web.api import schemas as s
from reception.web.api.common import acting_desk, api_user, bp, hall_desk, requires, ticket_json
from reception.web.common import current_hall, ticket_by_token
from reception.web.edge.running import settings


@bp.get("/services")
@bp.response(200, s.ServicesSchema)
def services() -> dict[str, Any]:
    """The hall's active services with today's waiting counts (public)."""
    hall = current_hall()
    items = [service for service in hall.services if service.active]
    today = hall_day(hall.timezone, utcnow())
    counts = waiting_counts(db.session(), hall.id, {x.id for x in items}, today) if items else {}
    return {
        "services": [
            {
                "id": x.id,
                "name": x.name,
                "name_en": x.name_en,
                "kind": x.kind,
                "prefix": x.prefix,
                "waiting": counts.get(str(x.id), 0),
                "desks": [d.number for d in x.desks],
            }
            for x in items
        ]
    }


@bp.post("/tickets")
@requires(Role.REGISTRAR, Role.DESK, Role.SUPERVISOR)
@bp.arguments(s.IssueRequest)
@bp.response(201, s.TicketEnvelope)
@bp.alt_response(
    409, schema=s.ErrorSchema, description="Outside the opening hours: says when the centre opens."
)
def issue(body: dict[str, Any]) -> dict[str, Any]:
    """Issue a ticket for a service (registrar, desk, supervisor); refused outside the hall's
    opening hours (the registrar's page may still issue, recorded)."""
    user = api_user()
    ticket = issue_ticket(
        current_hall().id,
        body["service_id"],
        priority=Priority[body["priority"].upper()],
        channel="api",
        staff_id=user.id,
    )
    return {"ticket": ticket_json(ticket, with_token=True)}


@bp.get("/tickets/<string(maxlength=64):token>")
@bp.response(200, s.TicketEnvelope)
def status(token: str) -> dict[str, Any]:
    """Public: the ticket's state, as its own page shows it."""
    ticket = ticket_by_token(token)
    if ticket is None:
        raise NotFound(N_("No such ticket."))
    standing = estimate.standing(
        ticket, default_minutes=settings().default_service_minutes, now=utcnow()
    )
    data = ticket_json(ticket)
    data.update(people_ahead=standing.people_ahead, wait_minutes=standing.wait_minutes)
    return {"ticket": data}


@bp.get("/desks/<int:desk_id>/queue")
@requires(Role.DESK, Role.SUPERVISOR, Role.REGISTRAR)
@bp.response(200, s.DeskQueueSchema)
def desk_queue(desk_id: int) -> dict[str, Any]:
    """Today's tickets the desk may call, in calling order."""
    desk = hall_desk(desk_id)
    today = hall_day(current_hall().timezone, utcnow())
    waiting = db.session.scalars(calling.waiting_in_order(desk, today, api_user().id)).all()
    return {"desk": desk.number, "waiting": [ticket_json(t) for t in waiting]}


@bp.post("/desks/<int:desk_id>/call-next")
@requires(Role.DESK, Role.SUPERVISOR)
@bp.response(200, s.MaybeTicketEnvelope)
def call_next(desk_id: int) -> dict[str, Any]:
    """Call the next visitor to the desk; `ticket` is null when nobody is waiting."""
    user = api_user()
    desk = acting_desk(desk_id)
    ticket = moves.call_next(desk.id, staff_id=user.id)
    if ticket is None:
        return {"ticket": None, "message": gettext("Nobody is waiting for this desk.")}
    return {"ticket": ticket_json(ticket)}


def _move_view(action: str) -> None:
    """The operation for one desk move: `POST /tickets/{ticket_id}/<action>`."""

    def move(body: dict[str, Any], ticket_id: int) -> dict[str, Any]:
        desk = acting_desk(body["desk_id"], in_body=True)
        ticket = perform(action, ticket_id, desk.id, api_user().id, body)
        return {"ticket": ticket_json(ticket)}

    move.__name__ = "move_" + action.replace("-", "_")
    move.__doc__ = f"{action}: a desk's move on a ticket (the desk in `desk_id` must hold it)."
    view = bp.arguments(s.MOVE_REQUESTS[action])(bp.response(200, s.TicketEnvelope)(move))
    bp.post(f"/tickets/<int:ticket_id>/{action}")(requires(Role.DESK, Role.SUPERVISOR)(view))


for _action in s.ACTIONS:
    _move_view(_action)
