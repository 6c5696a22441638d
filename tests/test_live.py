"""Live events over Socket.IO with the real python-socketio client against a real server."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
import requests
import socketio

from tests.live_server import Hall, Listener

PERSONAL = re.compile(r"\d{11}|\d{17}[\dXx]")  # a phone number or an ID number


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    running = Hall(tmp_path_factory.mktemp("live"))
    yield running
    running.stop()


@pytest.fixture
def display(hall) -> Iterator[Listener]:
    listener = Listener(hall.url, auth={"device": hall.display_token})
    yield listener
    listener.close()


def _desk_id(hall: Hall, number: int) -> int:
    return number  # the demo hall's desks are created in order: id == number


def _clean(payload: dict) -> None:
    text = json.dumps(payload, ensure_ascii=False)
    assert not PERSONAL.search(text), text
    for forbidden in ('name": "张', "id_number", "phone", "token"):
        assert forbidden not in text or forbidden == "token" and "ticket:" in text, forbidden


def test_hall_room_needs_an_enrolled_display(hall):
    anonymous = Listener(hall.url)
    try:
        assert anonymous.join("hall:1") == {"ok": False, "error": "not allowed"}
        assert anonymous.join("desk:1")["ok"] is False
        assert anonymous.join("service:1")["ok"] is False
        assert anonymous.join("nonsense")["ok"] is False
    finally:
        anonymous.close()
    with pytest.raises(socketio.exceptions.ConnectionError):
        Listener(hall.url, auth={"device": "forged-token"})


def test_display_gets_a_snapshot_and_each_call(hall, display):
    reply = display.join("hall:1")
    assert reply["ok"] is True
    snapshot = reply["snapshot"]
    assert {"version", "services", "calls", "desks", "notice"} <= snapshot.keys()
    assert len(snapshot["services"]) == 15
    ticket = hall.issue("C")
    issued = display.wait_for(lambda e: e["ticket"]["id"] == ticket["id"])
    assert issued["action"] == "issue" and issued["version"] > snapshot["version"]
    assert issued["waiting"][str(hall.service_id("C"))] >= 1
    hall.api("POST", f"/desks/{_desk_id(hall, 3)}/call-next")
    called = display.wait_for(lambda e: e["ticket"]["id"] == ticket["id"] and e["action"] == "call")
    assert called["ticket"]["desk_number"] == 3
    assert called["announce"]["text"] == f"请 {ticket['number']} 号 到 3 号窗口"
    assert called["version"] == issued["version"] + 1 or called["version"] > issued["version"]
    hall.api("POST", f"/tickets/{ticket['id']}/recall", {"desk_id": _desk_id(hall, 3)})
    recalled = display.wait_for(lambda e: e["action"] == "recall")
    assert recalled["announce"]["speech"].startswith("请 C")
    for event in display.events:
        _clean(event)
        assert "token" not in event["ticket"]
    hall.api("POST", f"/tickets/{ticket['id']}/no-show", {"desk_id": _desk_id(hall, 3)})


def test_visitor_follows_only_their_own_ticket(hall):
    ticket = hall.issue("D")
    other = hall.issue("D")
    phone = Listener(hall.url)
    try:
        reply = phone.join(f"ticket:{ticket['token']}")
        assert reply["ok"] and reply["snapshot"]["ticket"]["number"] == ticket["number"]
        assert reply["snapshot"]["people_ahead"] >= 0
        assert phone.join("ticket:made-up")["ok"] is False
        hall.api("POST", f"/desks/{_desk_id(hall, 4)}/call-next")
        called = phone.wait_for(lambda e: e["action"] == "call")
        assert called["ticket"]["id"] in (ticket["id"], other["id"])
        for event in phone.events:
            _clean(event)
    finally:
        phone.close()


def test_desk_and_service_rooms(hall, display):
    assert display.join("desk:6")["snapshot"]["desk_number"] == 6
    assert "waiting" not in display.join("desk:6")["snapshot"]  # displays see no queue detail
    service = hall.service_id("F")
    assert display.join(f"service:{service}")["snapshot"]["waiting"] >= 0
    ticket = hall.issue("F")
    display.wait_for(lambda e: e["ticket"]["id"] == ticket["id"])
    hall.api("POST", "/desks/6/call-next")
    desk_event = display.wait_for(lambda e: e["action"] == "call" and e["ticket"]["desk_id"] == 6)
    assert desk_event["ticket"]["number"] == ticket["number"]


def test_a_gap_is_healed_by_the_snapshot(hall):
    display = Listener(hall.url, auth={"device": hall.display_token})
    before = display.join("hall:1")["snapshot"]["version"]
    display.close()
    missed = hall.issue("G")
    hall.api("POST", "/desks/7/call-next")
    display = Listener(hall.url, auth={"device": hall.display_token})
    try:
        snapshot = display.join("hall:1")["snapshot"]
        assert snapshot["version"] >= before + 2
        assert snapshot["calls"][0]["number"] == missed["number"]
        assert snapshot["calls"][0]["desk_number"] == 7
        assert any(d["number"] == missed["number"] for d in snapshot["desks"])
    finally:
        display.close()


def test_a_display_can_listen_but_never_act(hall, display):
    ticket = hall.issue("H")
    session = requests.Session()
    assert session.get(hall.display_url, timeout=5).status_code == 200  # enrolled in the cookie
    assert session.get(f"{hall.url}/display/", timeout=5).status_code == 200
    page = session.post(f"{hall.url}/desk/8/call-next", timeout=5, allow_redirects=False)
    assert page.status_code in (302, 400, 401, 403)
    api = session.post(f"{hall.url}/api/v1/desks/8/call-next", timeout=5)
    assert api.status_code == 401
    for event_name in ("call_next", "call", "finish"):  # no such socket events exist
        display.client.emit(event_name, {"desk_id": 8, "ticket_id": ticket["id"]})
    time.sleep(0.5)
    status = requests.get(f"{hall.url}/api/v1/tickets/{ticket['token']}", timeout=5).json()
    assert status["ticket"]["state"] == "waiting"


def test_display_pages_need_enrolment(hall):
    assert requests.get(f"{hall.url}/display/", timeout=5).status_code == 403
    assert requests.get(f"{hall.url}/display/desk/1", timeout=5).status_code == 403
    assert requests.get(f"{hall.url}/display/enrol/forged", timeout=5).status_code == 403
    assert (
        requests.get(f"{hall.url}/display/speech.wav?number=A001&desk=1", timeout=5).status_code
        == 403
    )


def test_offline_speech_renders_the_call(hall):
    session = requests.Session()
    session.get(hall.display_url, timeout=5)
    response = session.get(f"{hall.url}/display/speech.wav?number=A023&desk=3", timeout=15)
    if response.status_code == 404:
        pytest.skip("espeak-ng is not installed")
    assert response.status_code == 200 and response.content[:4] == b"RIFF"
    bad = session.get(f"{hall.url}/display/speech.wav?number=张三&desk=3", timeout=5)
    assert bad.status_code == 400


def test_websocket_disconnects_leave_no_junk_in_the_server_log(hall):
    """Werkzeug read a closed websocket's last frames as a request and logged binary junk."""
    log = hall.instance / "server.log"
    for _ in range(3):
        listener = Listener(hall.url, auth={"device": hall.display_token})
        assert listener.join("hall:1")["ok"] is True
        listener.close()
    time.sleep(1.0)
    text = log.read_text(errors="replace")
    assert "Bad request" not in text and "code 400" not in text, text[-2000:]
