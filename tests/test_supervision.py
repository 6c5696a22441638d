"""The supervisor's live hall: timed alerts (a wait beyond target, a desk paused too long),
a bad rating's alert, acknowledgement once (who, when), the board's snapshot and its room."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from reception.db.extensions import socketio
from reception.live import hall_board
from reception.models import Alert, Desk, Ticket
from reception.models.types import utcnow
from reception.oversight import ratings, supervision
from reception.queue import desk_states, moves
from tests.helpers import (
    commit,
    desk_by_number,
    issue,
    local,
    login,
    service_by_prefix,
    user_by_name,
)

DAY = "2026-11-23"


def _alerts(db, kind):
    return db.session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)).all()


def test_a_wait_beyond_target_alerts_once_per_ticket_and_not_while_unacknowledged(db, hall):
    service = service_by_prefix("B")
    service.wait_target_minutes = 30
    commit(None)
    start = local(DAY, "10:00")  # one hall day throughout, whatever the clock says
    first = issue(hall.id, service.id, start, outside_hours=True)
    issue(hall.id, service.id, start + timedelta(minutes=5), outside_hours=True)
    assert commit(supervision.watch(hall, start + timedelta(minutes=29))) == 0  # within target
    assert commit(supervision.watch(hall, start + timedelta(minutes=31))) == 1
    alert = _alerts(db, "wait")[0]
    assert (alert.ticket_number, alert.text, alert.service_id) == (first.number, "31", service.id)
    # not again while nobody acknowledged it, nor for the same ticket once acknowledged
    assert commit(supervision.watch(hall, start + timedelta(minutes=40))) == 0
    commit(supervision.acknowledge(alert, user_by_name("supervisor").id, utcnow()))
    assert commit(supervision.watch(hall, start + timedelta(minutes=41))) == 0
    # the next visitor in line becomes the longest waiter beyond target: a new alert
    desk = desk_by_number(2).id
    commit(moves.call_next(desk, now=start + timedelta(minutes=44)))
    assert commit(supervision.watch(hall, start + timedelta(minutes=45))) == 1
    assert [a.ticket_number for a in _alerts(db, "wait")][1] != first.number


def test_a_desk_paused_too_long_alerts_once_per_pause(db, hall):
    desk = desk_by_number(3)
    paused_at = utcnow() - timedelta(minutes=20)
    commit(desk_states.pause(desk.id, "会议", now=paused_at))
    hall.pause_alert_minutes = 15
    commit(None)
    assert commit(supervision.watch(hall, paused_at + timedelta(minutes=14))) == 0
    assert commit(supervision.watch(hall, paused_at + timedelta(minutes=16))) == 1
    assert commit(supervision.watch(hall, paused_at + timedelta(minutes=30))) == 0
    assert _alerts(db, "pause")[0].text == "会议"
    commit(desk_states.resume(desk.id, now=paused_at + timedelta(minutes=31)))
    commit(desk_states.pause(desk.id, "休息", now=paused_at + timedelta(minutes=32)))
    assert commit(supervision.watch(hall, paused_at + timedelta(minutes=50))) == 1


def test_the_minutely_watch_reads_the_paused_desks_only(db, hall):
    """The scheduler watches every minute: it reads the desks that are paused, not every desk
    of the hall (a hall of hundreds of desks was loaded whole, every minute, amid requests)."""
    desk = desk_by_number(3)
    paused_at = utcnow() - timedelta(minutes=20)
    commit(desk_states.pause(desk.id, "会议", now=paused_at))
    hall.pause_alert_minutes = 15
    commit(None)
    for held in [o for o in db.session.identity_map.values() if isinstance(o, Desk)]:
        db.session.expunge(held)
    loaded: list[int] = []

    def listener(desk: Desk, context: object) -> None:
        loaded.append(desk.number)

    event.listen(Desk, "load", listener)
    try:
        assert commit(supervision.watch(hall, utcnow())) == 1
    finally:
        event.remove(Desk, "load", listener)
    assert loaded == [3]


def test_a_bad_rating_alerts_the_supervisors_and_the_board_recounts(app, client, db, hall):
    login(client, "supervisor")
    board = socketio.test_client(app, flask_test_client=client)
    joined = board.emit("join", {"room": f"board:{hall.id}"}, callback=True)
    assert joined["ok"] is True
    assert joined["snapshot"]["totals"]["satisfaction"] is None
    board.get_received()
    ticket = issue(hall.id, service_by_prefix("B").id, utcnow(), outside_hours=True)
    desk = desk_by_number(2).id
    moves.call_next(desk)
    moves.start(ticket.id, desk_id=desk)
    commit(moves.finish(ticket.id, "已答复", desk_id=desk))
    received = board.get_received()
    assert any(m["name"] == "queue" for m in received)  # the board redraws on queue changes
    commit(ratings.rate(db.session.get(Ticket, ticket.id), 1, 1, "", utcnow()))
    received = board.get_received()
    alerts = [m["args"][0] for m in received if m["name"] == "alert"]
    assert [(a["kind"], a["text"], a["ticket_number"]) for a in alerts] == [
        ("rating", "1", ticket.number)
    ]
    assert any(m["name"] == "board" for m in received)
    fresh = board.emit("snapshot", {"room": f"board:{hall.id}"}, callback=True)["snapshot"]
    assert (fresh["totals"]["rated"], fresh["totals"]["satisfaction"]) == (1, 0.0)
    assert fresh["totals"]["served"] == 1 and fresh["totals"]["issued"] == 1

    # acknowledged once, from the board; every supervisor's board hears who and when
    alert_id = alerts[0]["id"]
    answer = client.post(
        f"/supervisor/alerts/{alert_id}/acknowledge", headers={"Accept": "application/json"}
    )
    assert answer.status_code == 200
    again = [m["args"][0] for m in board.get_received() if m["name"] == "alert"]
    assert again[0]["id"] == alert_id and again[0]["acknowledged_by"] == "大厅主管"
    assert again[0]["acknowledged_at"]
    second = client.post(
        f"/supervisor/alerts/{alert_id}/acknowledge", headers={"Accept": "application/json"}
    )
    assert second.status_code == 409
    assert client.post("/supervisor/alerts/999999/acknowledge").status_code == 404
    board.disconnect()


def test_the_board_shows_every_desk_and_line(db, hall):
    service = service_by_prefix("B")
    service.wait_target_minutes = 10
    commit(None)
    now = local(DAY, "10:30")  # one hall day throughout, whatever the clock says
    waiting = issue(hall.id, service.id, now - timedelta(minutes=12), outside_hours=True)
    issue(hall.id, service.id, now - timedelta(minutes=3), outside_hours=True)
    at_desk = issue(hall.id, service_by_prefix("A").id, now, outside_hours=True)
    commit(moves.call_next(desk_by_number(1).id, now=now))
    commit(desk_states.pause(desk_by_number(3).id, "会议", now=now))
    snapshot = hall_board.snapshot(hall, now, 10)
    desks = {d["number"]: d for d in snapshot["desks"]}
    assert (desks[1]["ticket_number"], desks[1]["ticket_state"]) == (at_desk.number, "called")
    assert (desks[3]["state"], desks[3]["reason"]) == ("paused", "会议")
    assert desks[2]["state"] == "open" and desks[2]["ticket_number"] is None
    lines = {s["id"]: s for s in snapshot["services"]}
    b = lines[service.id]
    assert (b["waiting"], b["target_minutes"], b["exceeded"]) == (2, 10, True)
    assert b["longest_wait_seconds"] >= 12 * 60 and b["estimate_minutes"] > 0
    assert waiting.number  # the longest waiter is the one issued 12 minutes ago
    assert snapshot["totals"]["issued"] == 3
