"""Socket.IO handlers: thin. Authenticate, join an id-named room, answer with a snapshot.

Sockets only listen: there is no event here that changes anything. Moves go through the
HTTP endpoints, which commit and then publish (`reception.live.publish`). The one event a client
sends is a video call's WebRTC signalling, relayed to the other party of the session and never
stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import request, session
from flask_socketio import emit, join_room, leave_room

from reception.db.extensions import db, socketio
from reception.live import city_board, events, hall_board, snapshots
from reception.models import Desk, Hall, RemoteUnit, Role, Service, User, VideoSession
from reception.models.types import utcnow
from reception.models.video import OPEN_SESSION_STATES
from reception.oversight import supervision
from reception.video import sessions as video
from reception.web.common import current_hall, ticket_by_token
from reception.web.edge.guard import parse_id
from reception.web.edge.running import settings
from reception.web.live_access import DEVICE_KEY, current_viewer, device_by_token

TICKET_SERVICE_ROOMS = "live_ticket_service_rooms"


class Refused(Exception):
    pass


# Enrolled displays connected to this process now, and when each was last seen (in memory:
# sockets only listen, they never write; with several processes each knows its own screens).
_online: dict[str, int] = {}  # socket id -> display device id
_last_seen: dict[int, datetime] = {}


def online_displays() -> set[int]:
    return set(_online.values())


def last_seen(device_id: int) -> datetime | None:
    return _last_seen.get(device_id)


@socketio.on("connect")
def on_connect(auth: Any = None) -> bool:
    """Everyone may connect; rooms are checked on join. Displays may prove themselves here."""
    if isinstance(auth, dict) and isinstance(auth.get("device"), str):
        device = device_by_token(auth["device"])
        if device is None:
            return False
        session[DEVICE_KEY] = device.id
    viewer = current_viewer()
    if viewer.device is not None:
        _online[request.sid] = viewer.device.id  # type: ignore[attr-defined]
        _last_seen[viewer.device.id] = utcnow()
    return True


@socketio.on("disconnect")
def on_disconnect(*args: Any) -> None:
    left_video(request.sid)  # type: ignore[attr-defined]
    device_id = _online.pop(request.sid, None)  # type: ignore[attr-defined]
    if device_id is not None:
        _last_seen[device_id] = utcnow()


Snapshot = Callable[[], dict[str, Any]]


def _resolve(room: Any) -> tuple[list[str], Snapshot]:
    """The rooms to join for `room` and how to draw its snapshot; Refused when not allowed."""
    if not isinstance(room, str) or ":" not in room or len(room) > 100:
        raise Refused("unknown room")
    kind, _, key = room.partition(":")
    viewer, hall, now = current_viewer(), current_hall(), utcnow()
    if kind == "ticket":
        ticket = ticket_by_token(key)
        if ticket is None:
            raise Refused("unknown ticket")
        minutes = settings().default_service_minutes
        return [room, f"service:{ticket.service_id}"], lambda: snapshots.ticket_snapshot(
            ticket, utcnow(), minutes
        )
    number = parse_id(key) if key.isascii() else None
    if number is None:
        raise Refused("unknown room")
    supervises = viewer.staff is not None and viewer.staff.can(Role.SUPERVISOR, Role.LEADER)
    departments = viewer.staff.departments if viewer.staff is not None else frozenset()
    alerts = supervision.alerts_room(hall.id, departments)  # Art. 30: never the accused's
    if kind == "alerts" and number == hall.id and supervises:
        return [alerts], lambda: events.AlertsSnapshot(
            room=room, alerts=hall_board.todays_alerts(hall, now, departments)
        ).json_dict()
    if kind == "board" and number == hall.id and supervises:
        # the board redraws on every queue and desk change of the hall, and on its own events
        minutes = settings().default_service_minutes
        return [room, f"hall:{hall.id}", alerts], lambda: hall_board.snapshot(
            hall, utcnow(), minutes, departments
        )
    if kind == "city" and supervises and viewer.staff is not None and viewer.staff.all_halls:
        # the city board: one hall's card, redrawn on that hall's queue, desk, board and alert
        # events (a city account, whatever hall's address its page was opened at)
        target = db.session.get(Hall, number)
        if target is None:
            raise Refused("unknown hall")
        minutes = settings().default_service_minutes
        rooms = [room, f"hall:{target.id}", f"board:{target.id}"]
        rooms.append(supervision.alerts_room(target.id, departments))
        return rooms, lambda: city_board.hall_summary(target, utcnow(), minutes, departments)
    if kind == "remote" and viewer.staff is not None:
        return _remote_room(room, number, viewer.staff)
    if kind == "video" and viewer.staff is not None:
        call = db.session.get(VideoSession, number)
        if (
            call is not None
            and call.state in OPEN_SESSION_STATES
            and video.party(call, viewer.staff)
        ):
            return [room], lambda: events.VideoSnapshot(room=room, state=call.state).json_dict()
    if kind == "setup" and number == hall.id:
        # anyone (the kiosk too): it carries only that the hall's set-up changed
        return [room], lambda: events.SetupSnapshot(
            room=room, version=snapshots.hall_version(hall.id)
        ).json_dict()
    if kind == "hall" and number == hall.id and viewer.may_watch_hall:
        minutes = settings().default_service_minutes
        return [room], lambda: snapshots.hall_snapshot(hall, utcnow(), minutes)
    if kind == "desk":
        desk = db.session.get(Desk, number)
        if desk is not None and desk.hall_id == hall.id and viewer.may_watch_desk(desk.id):
            staff_id = viewer.staff.id if viewer.staff is not None else None
            return [room], lambda: snapshots.desk_snapshot(
                desk, utcnow(), with_queue=staff_id is not None, staff_id=staff_id
            )
    if kind == "service" and viewer.may_watch_hall:
        service = db.session.get(Service, number)
        if service is not None and service.hall_id == hall.id:
            return [room], lambda: snapshots.service_snapshot(service, utcnow())
    raise Refused("not allowed")


def _remote_room(room: str, unit_id: int, staff: User) -> tuple[list[str], Snapshot]:
    """A unit's staff follow their calls and the hall's video line (its queues and desks)."""
    if not staff.is_a(Role.REMOTE) or staff.remote_unit_id != unit_id:
        raise Refused("not allowed")
    hall = current_hall()
    unit = db.session.get(RemoteUnit, unit_id)
    if unit is None or unit.hall_id != hall.id:  # a unit follows its own hall's video line
        raise Refused("not allowed")
    desks = video.video_desks(hall)
    services = {s.id for d in desks for s in d.desk.services if video.is_video(s)}
    rooms = [room, *(f"service:{s}" for s in sorted(services))]
    rooms += [f"desk:{d.desk.id}" for d in desks]
    return rooms, lambda: events.VideoSnapshot(
        room=room, version=snapshots.hall_version(hall.id)
    ).json_dict()


def _answer(data: Any, *, join: bool) -> dict[str, Any]:
    room = data.get("room") if isinstance(data, dict) else None
    try:
        rooms, snapshot = _resolve(room)
    except Refused as refused:
        return {"ok": False, "error": str(refused)}
    if join:
        try:
            _join(rooms)
        except KeyError:
            # the client went away while joining (a page navigating off): nothing to answer
            return {"ok": False, "error": "disconnected"}
    # Joined first, then the snapshot: an event committed in between reaches the client and
    # carries a newer version than the snapshot, so no change can fall between the two.
    db.session.rollback()  # end the read transaction that resolved the room: see every commit
    return {"ok": True, "room": room, "snapshot": snapshot()}


def _join(rooms: list[str]) -> None:
    if rooms[0].startswith("ticket:"):
        # a transferred ticket follows its new queue: leave the old one's room
        for old in session.get(TICKET_SERVICE_ROOMS, []):
            if old not in rooms:
                leave_room(old)
        session[TICKET_SERVICE_ROOMS] = rooms[1:]
    for name in rooms:
        join_room(name)


@socketio.on("join")
def on_join(data: Any) -> dict[str, Any]:
    answer = _answer(data, join=True)
    room = answer.get("room") or ""
    if answer["ok"] and room.startswith("video:"):
        _arrived(int(room.partition(":")[2]))
    return answer


@socketio.on("snapshot")
def on_snapshot(data: Any) -> dict[str, Any]:
    """A fresh snapshot of a room the client may see (after a gap in versions)."""
    return _answer(data, join=False)


# --- video signalling: relayed between the two parties of a session, never stored ---------

SIGNAL_TYPES = frozenset({"hello", "offer", "answer", "candidate", "bye"})
SIGNAL_MAX_BYTES = 64 * 1024
_video_sids: dict[str, tuple[int, str]] = {}  # socket id -> (session id, party) on this process


def _arrived(session_id: int) -> None:
    call = db.session.get(VideoSession, session_id)
    side = video.party(call, current_viewer().staff) if call is not None else None
    if side is None:
        return
    _video_sids[request.sid] = (session_id, side)  # type: ignore[attr-defined]
    peer = events.PeerEvent(session=session_id, party=side, present=True)
    emit("video_peer", peer.json_dict(), to=f"video:{session_id}", include_self=False)


def left_video(sid: str) -> None:
    """A party's page went away: tell the other one (it shows 重新连接中 and waits)."""
    joined = _video_sids.pop(sid, None)
    if joined is not None:
        session_id, side = joined
        peer = events.PeerEvent(session=session_id, party=side, present=False)
        socketio.emit("video_peer", peer.json_dict(), to=f"video:{session_id}", skip_sid=sid)


@socketio.on("signal")
def on_signal(data: Any) -> dict[str, Any]:
    """Pass an SDP offer/answer or ICE candidate to the other party of the session."""
    joined = _video_sids.get(request.sid)  # type: ignore[attr-defined]
    if not isinstance(data, dict) or joined is None or data.get("session") != joined[0]:
        return {"ok": False, "error": "not in this session"}
    payload = data.get("data")
    if not isinstance(payload, dict) or payload.get("type") not in SIGNAL_TYPES:
        return {"ok": False, "error": "unknown signal"}
    if len(json.dumps(payload)) > SIGNAL_MAX_BYTES:
        return {"ok": False, "error": "signal too large"}
    session_id, side = joined
    call = db.session.get(VideoSession, session_id)
    db.session.rollback()  # a read only: end the transaction (the next signal sees commits)
    if call is None or call.state not in OPEN_SESSION_STATES:
        return {"ok": False, "error": "session ended"}
    message = events.SignalMessage(session=session_id, party=side, data=payload)
    emit("signal", message.json_dict(), to=f"video:{session_id}", include_self=False)
    return {"ok": True}
