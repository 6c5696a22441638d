"""Socket.IO handlers: thin. Authenticate, join an id-named room, answer with a snapshot.

Sockets only listen: there is no event here that changes anything. Moves go through the
HTTP endpoints, which commit and then publish (`reception.realtime`).
"""

from __future__ import annotations

from typing import Any

from flask import session
from flask_socketio import join_room, leave_room
from sqlalchemy import select

from .. import snapshots
from ..extensions import db, socketio
from ..models import Desk, Role, Service, Ticket
from ..models.types import utcnow
from ..settings import settings
from .common import current_hall
from .live_access import DEVICE_KEY, current_viewer, device_by_token

TICKET_SERVICE_ROOMS = "live_ticket_service_rooms"


class Refused(Exception):
    pass


@socketio.on("connect")
def on_connect(auth: Any = None) -> bool:
    """Everyone may connect; rooms are checked on join. Displays may prove themselves here."""
    if isinstance(auth, dict) and isinstance(auth.get("device"), str):
        device = device_by_token(auth["device"])
        if device is None:
            return False
        session[DEVICE_KEY] = device.id
    return True


def _snapshot(room: Any) -> tuple[dict[str, Any], list[str]]:
    """The room's snapshot and the rooms to join for it; Refused when not allowed."""
    if not isinstance(room, str) or ":" not in room or len(room) > 100:
        raise Refused("unknown room")
    kind, _, key = room.partition(":")
    viewer, hall, now = current_viewer(), current_hall(), utcnow()
    if kind == "ticket":
        ticket = db.session.scalars(select(Ticket).where(Ticket.token == key)).first()
        if ticket is None:
            raise Refused("unknown ticket")
        minutes = settings().default_service_minutes
        return snapshots.ticket_snapshot(ticket, now, minutes), [
            room,
            f"service:{ticket.service_id}",
        ]
    if not key.isdigit():
        raise Refused("unknown room")
    supervises = viewer.staff is not None and viewer.staff.can(Role.SUPERVISOR, Role.LEADER)
    if kind == "alerts" and int(key) == hall.id and supervises:
        return {"room": room, "alerts": snapshots.todays_alerts(hall, now)}, [room]
    if kind == "hall" and int(key) == hall.id and viewer.may_watch_hall:
        return snapshots.hall_snapshot(hall, now), [room]
    if kind == "desk":
        desk = db.session.get(Desk, int(key))
        if desk is not None and desk.hall_id == hall.id and viewer.may_watch_desk(desk.id):
            return snapshots.desk_snapshot(desk, now, with_queue=viewer.staff is not None), [room]
    if kind == "service" and viewer.may_watch_hall:
        service = db.session.get(Service, int(key))
        if service is not None and service.hall_id == hall.id:
            return snapshots.service_snapshot(service, now), [room]
    raise Refused("not allowed")


def _answer(data: Any, *, join: bool) -> dict[str, Any]:
    room = data.get("room") if isinstance(data, dict) else None
    try:
        snapshot, rooms = _snapshot(room)
    except Refused as refused:
        return {"ok": False, "error": str(refused)}
    if join:
        if room.startswith("ticket:"):
            # a transferred ticket follows its new queue: leave the old one's room
            for old in session.get(TICKET_SERVICE_ROOMS, []):
                if old not in rooms:
                    leave_room(old)
            session[TICKET_SERVICE_ROOMS] = rooms[1:]
        for name in rooms:
            join_room(name)
    return {"ok": True, "room": room, "snapshot": snapshot}


@socketio.on("join")
def on_join(data: Any) -> dict[str, Any]:
    return _answer(data, join=True)


@socketio.on("snapshot")
def on_snapshot(data: Any) -> dict[str, Any]:
    """A fresh snapshot of a room the client may see (after a gap in versions)."""
    return _answer(data, join=False)
