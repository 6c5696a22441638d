"""Desk states: a paused or closed desk gets no calls, the estimate counts only working desks,
each change is logged and published; closing a desk releases visitors sent to it by name."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reception.core.errors import IllegalMove, InvalidInput
from reception.db.extensions import db as _db
from reception.db.extensions import socketio
from reception.models import DeskEvent, Ticket
from reception.models.types import utcnow
from reception.queue import desk_states, estimate, moves
from tests.helpers import commit, desk_by_number, issue, login, service_by_prefix


def test_a_paused_desk_gets_no_calls_and_the_estimate_counts_it_out(db, hall):
    issue(hall.id, service_by_prefix("B").id, utcnow())
    housing = service_by_prefix("B")
    both = estimate.open_desks(housing.id)  # desks 2 and 6 serve 住建
    desk = desk_by_number(2)
    with pytest.raises(InvalidInput):
        desk_states.pause(desk.id, "  ")
    commit(desk_states.pause(desk.id, "会议"))
    assert estimate.open_desks(housing.id) == both - 1
    with pytest.raises(IllegalMove):
        moves.call_next(desk.id)
    _db.session.rollback()
    commit(desk_states.resume(desk.id))
    assert moves.call_next(desk.id) is not None
    commit(None)
    with pytest.raises(IllegalMove):  # a visitor at the desk: finish first
        desk_states.pause(desk.id, "休息")
    _db.session.rollback()
    actions = [e.action for e in _db.session.scalars(select(DeskEvent).order_by(DeskEvent.id))]
    assert actions == ["pause", "resume"]


def test_closing_a_desk_releases_visitors_sent_to_it_by_name(db, hall):
    ticket = issue(hall.id, service_by_prefix("A").id, utcnow())
    first = desk_by_number(1)
    moves.call_next(first.id)
    moves.start(ticket.id, desk_id=first.id)
    moves.transfer(ticket.id, service_id=service_by_prefix("B").id, to_desk_id=desk_by_number(6).id)
    commit(None)
    desk = desk_by_number(6)
    with pytest.raises(IllegalMove) as refused:
        desk_states.close(desk.id)
    assert refused.value.params["count"] == 1
    _db.session.rollback()
    commit(desk_states.close(desk.id, release=True))
    moved = _db.session.get(Ticket, ticket.id)
    assert moved.target_desk_id is None and moved.state == "waiting"
    assert moves.call_next(desk_by_number(2).id).id == ticket.id  # another 住建 desk takes it


def test_the_console_pauses_and_the_screens_hear_it(app, client, db, hall):
    desk = desk_by_number(3)
    login(client, "desk")
    listener = socketio.test_client(app, flask_test_client=client)
    reply = listener.emit("join", {"room": f"hall:{hall.id}"}, callback=True)
    version = reply["snapshot"]["version"]
    listener.get_received()
    paused = client.post(
        f"/desk/{desk.id}/state/pause", data={"reason": "other", "other": "外出调查"}
    )
    assert paused.status_code == 303
    events = [m["args"][0] for m in listener.get_received() if m["name"] == "desk"]
    assert events == [
        {
            "hall_id": hall.id,
            "version": version + 1,
            "desk_id": desk.id,
            "desk_number": 3,
            "state": "paused",
        }
    ]  # no reason on the public rooms
    console = client.get(f"/desk/{desk.id}").get_data(as_text=True)
    assert "外出调查" in console and 'data-state="paused"' in console
    snapshot = listener.emit("join", {"room": f"hall:{hall.id}"}, callback=True)["snapshot"]
    assert snapshot["desk_states"] == [{"desk_id": desk.id, "desk_number": 3, "state": "paused"}]
    issue(hall.id, service_by_prefix("C").id, utcnow())
    refused = client.post(f"/desk/{desk.id}/call-next", follow_redirects=True)
    assert "暂停服务中" in refused.get_data(as_text=True)
    assert client.post(f"/desk/{desk.id}/state/resume").status_code == 303
    assert client.post(f"/desk/{desk.id}/state/explode").status_code == 404
    long = client.post(f"/desk/{desk.id}/state/pause", data={"reason": "x" * 41})
    assert long.status_code == 422
