"""Events are published after the commit, and a rolled-back change is never shown."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from reception.db.extensions import socketio
from reception.models.types import utcnow
from reception.queue import moves
from reception.queue.issuing import issue_ticket
from reception.triage import registration, routing
from reception.triage.registration import MatterInput, VisitorInput
from tests.helpers import desk_by_number, login, service_by_prefix


def _queue_events(socket_client) -> list[dict]:
    return [m["args"][0] for m in socket_client.get_received() if m["name"] == "queue"]


def test_rolled_back_changes_are_never_published(app, client, db, hall):
    login(client, "supervisor")
    listener = socketio.test_client(app, flask_test_client=client)
    assert listener.emit("join", {"room": f"hall:{hall.id}"}, callback=True)["ok"] is True
    listener.get_received()

    issue_ticket(hall.id, service_by_prefix("A").id)
    assert _queue_events(listener) == []  # flushed, not committed: nothing yet
    db.session.rollback()
    db.session.commit()  # a later, empty commit must not publish the discarded change
    assert _queue_events(listener) == []

    ticket = issue_ticket(hall.id, service_by_prefix("A").id)
    db.session.commit()
    events = _queue_events(listener)
    assert [(e["action"], e["ticket"]["number"]) for e in events] == [("issue", ticket.number)]
    listener.disconnect()


def test_one_commit_publishes_each_change_once_in_order(app, client, db, hall):
    login(client, "supervisor")
    listener = socketio.test_client(app, flask_test_client=client)
    listener.emit("join", {"room": f"hall:{hall.id}"}, callback=True)
    listener.get_received()
    ticket = issue_ticket(hall.id, service_by_prefix("B").id)
    moves.call_ticket(desk_by_number(2).id, ticket.id)
    db.session.commit()
    events = _queue_events(listener)
    assert [e["action"] for e in events] == ["issue", "call"]
    assert events[1]["version"] == events[0]["version"] + 1
    assert events[1]["announce"]["text"] == f"请 {ticket.number} 号 到 2 号窗口"
    listener.disconnect()


def test_staff_desk_snapshot_has_the_queue(app, client, db, hall):
    login(client)
    issue_ticket(hall.id, service_by_prefix("A").id)
    db.session.commit()
    listener = socketio.test_client(app, flask_test_client=client)
    reply = listener.emit("join", {"room": f"desk:{desk_by_number(1).id}"}, callback=True)
    assert [t["number"] for t in reply["snapshot"]["waiting"]] == ["A001"]
    listener.disconnect()


def test_urgent_and_group_alerts_reach_the_supervisor_never_the_lobby(app, client, db, hall):
    login(client, "supervisor")
    supervisor = socketio.test_client(app, flask_test_client=client)
    assert supervisor.emit("join", {"room": f"alerts:{hall.id}"}, callback=True)["ok"] is True
    supervisor.emit("join", {"room": f"hall:{hall.id}"}, callback=True)
    supervisor.get_received()
    matter = MatterInput(
        account="三十名职工反映欠薪",
        category="劳动保障",
        urgent=True,
        group_size=30,
        representatives=["甲", "乙"],
        route=[service_by_prefix("G").id],
    )
    _, ticket = registration.register(
        hall,
        VisitorInput(name="甲", no_id_card=True),
        matter,
        staff_id=None,
        categories=routing.categories(hall),
        elderly_age=70,
    )
    db.session.commit()
    received = supervisor.get_received()
    alerts = [m["args"][0] for m in received if m["name"] == "alert"]
    assert sorted(a["kind"] for a in alerts) == ["group", "urgent"]
    assert all(a["ticket_number"] == ticket.number for a in alerts)
    lobby = [m["args"][0] for m in received if m["name"] == "queue"]
    assert lobby and all("group" not in str(e) and "甲" not in str(e) for e in lobby)
    page = client.get("/supervisor/").get_data(as_text=True)
    snapshot = json.loads(page.split('id="board-snapshot">')[1].split("</script>")[0])
    assert {(a["kind"], a["text"]) for a in snapshot["alerts"]} == {
        ("group", "30"),
        ("urgent", "劳动保障"),
    }  # the board's first snapshot, drawn with the hall's words:
    labels = json.loads(page.split('id="board-labels">')[1].split("</script>")[0])
    assert (labels["group"], labels["urgent"]) == ("集体访 {n} 人", "紧急事项")
    supervisor.disconnect()


def test_alerts_are_for_supervisors_and_leaders_only(app, client, db, hall):
    login(client, "desk")
    listener = socketio.test_client(app, flask_test_client=client)
    assert listener.emit("join", {"room": f"alerts:{hall.id}"}, callback=True)["ok"] is False
    assert listener.emit("join", {"room": f"board:{hall.id}"}, callback=True)["ok"] is False
    assert client.get("/supervisor/").status_code == 403
    listener.disconnect()


def test_yesterdays_leftovers_are_not_counted_as_waiting(client, db, hall):
    service = service_by_prefix("C")
    issue_ticket(hall.id, service.id, now=utcnow() - timedelta(days=1))
    issue_ticket(hall.id, service.id)
    db.session.commit()
    services = client.get("/api/v1/services").get_json()["services"]
    assert next(s for s in services if s["prefix"] == "C")["waiting"] == 1


def test_a_failed_publish_does_not_fail_a_committed_change(app, client, db, hall, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("message queue down")

    monkeypatch.setattr(socketio, "emit", broken)
    response = client.post("/kiosk/issue", data={"service_id": service_by_prefix("A").id})
    assert response.status_code == 302  # committed, and the visitor gets the ticket
    assert "A001" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_phone_joining_as_it_is_called_never_misses_the_call(app, client, db, hall, monkeypatch):
    """The call commits while the phone's join is drawing its snapshot: the phone must still
    get the call event (it joined the room first), and every payload fits its declared type."""
    from reception.live import snapshots
    from reception.live.events import TicketSnapshot

    ticket = issue_ticket(hall.id, service_by_prefix("A").id)
    db.session.commit()
    token, desk = ticket.token, desk_by_number(1).id
    draw = snapshots.ticket_snapshot

    def call(desk_id: int) -> None:
        with app.app_context():  # another worker, committing and publishing on its own
            moves.call_next(desk_id)
            db.session.commit()

    def call_meanwhile(*args, **kwargs):
        worker = threading.Thread(target=call, args=(desk,))
        worker.start()
        worker.join()
        return draw(*args, **kwargs)

    monkeypatch.setattr(snapshots, "ticket_snapshot", call_meanwhile)
    phone = socketio.test_client(app)
    reply = phone.emit("join", {"room": f"ticket:{token}"}, callback=True)
    assert reply["ok"] is True
    TicketSnapshot.model_validate(reply["snapshot"])
    calls = [e for e in _queue_events(phone) if e["action"] == "call"]
    assert [e["ticket"]["id"] for e in calls] == [ticket.id]
    phone.disconnect()


def test_a_client_gone_mid_join_gets_a_refusal_not_a_traceback(app, client, db, hall, monkeypatch):
    """A page navigating away while its join is handled: Flask-SocketIO's join_room raises
    KeyError for a session already gone; the handler answers instead of logging a traceback."""
    from reception.web import sockets

    login(client, "supervisor")
    listener = socketio.test_client(app, flask_test_client=client)

    def gone(room):
        raise KeyError(room)

    monkeypatch.setattr(sockets, "join_room", gone)
    reply = listener.emit("join", {"room": f"hall:{hall.id}"}, callback=True)
    assert reply == {"ok": False, "error": "disconnected"}
    monkeypatch.undo()
    assert listener.emit("join", {"room": f"hall:{hall.id}"}, callback=True)["ok"] is True
