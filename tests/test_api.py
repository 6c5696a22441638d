"""The JSON API: every operation, and a clear JSON error for every kind of bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from reception.cli import main
from reception.models import Ticket, TicketEvent
from tests.helpers import desk_by_number, service_by_prefix, user_by_name


@pytest.fixture
def api(client, api_token):
    headers = {"Authorization": f"Bearer {api_token}"}

    def call(method: str, path: str, json=None, **kwargs):
        return client.open(f"/api/v1{path}", method=method, json=json, headers=headers, **kwargs)

    return call


def _issue(api, prefix="A", **extra):
    response = api("POST", "/tickets", {"service_id": service_by_prefix(prefix).id, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["ticket"]


def test_services_list_with_waiting_counts(client, api):
    _issue(api, "L")
    data = client.get("/api/v1/services").get_json()
    lawyer = next(s for s in data["services"] if s["prefix"] == "L")
    assert lawyer["waiting"] == 1 and lawyer["kind"] == "lawyer" and lawyer["desks"] == [11]


def test_issue_returns_number_token_and_absolute_url(api):
    ticket = _issue(api, "B", priority="urgent")
    assert ticket["number"] == "B001" and ticket["priority"] == 3
    assert ticket["url"] == f"http://hall.test/t/{ticket['token']}"


def test_full_journey_through_the_api(client, api, db):
    ticket = _issue(api, "A")
    desk_a, desk_l = desk_by_number(1), desk_by_number(11)
    called = api("POST", f"/desks/{desk_a.id}/call-next").get_json()["ticket"]
    assert called["id"] == ticket["id"] and called["desk_number"] == 1
    assert api("POST", f"/tickets/{ticket['id']}/recall", {"desk_id": desk_a.id}).status_code == 200
    assert api("POST", f"/tickets/{ticket['id']}/start", {"desk_id": desk_a.id}).status_code == 200
    moved = api(
        "POST",
        f"/tickets/{ticket['id']}/transfer",
        {"service_id": service_by_prefix("L").id, "note": "legal", "desk_id": desk_a.id},
    ).get_json()["ticket"]
    assert (moved["state"], moved["leg"]) == ("waiting", 2)
    assert api("GET", f"/desks/{desk_l.id}/queue").get_json()["waiting"][0]["id"] == ticket["id"]
    lawyer_token = user_by_name("lawyer").new_api_token()  # the lawyer's room is the lawyer's
    db.session.commit()

    def lawyer(method, path, json=None):
        headers = {"Authorization": f"Bearer {lawyer_token}"}
        return client.open(f"/api/v1{path}", method=method, json=json, headers=headers)

    lawyer("POST", f"/desks/{desk_l.id}/call-next")
    lawyer("POST", f"/tickets/{ticket['id']}/start", {"desk_id": desk_l.id})
    done = lawyer(
        "POST", f"/tickets/{ticket['id']}/finish", {"outcome": "advised", "desk_id": desk_l.id}
    ).get_json()
    assert done["ticket"]["state"] == "finished"
    status = client.get(f"/api/v1/tickets/{ticket['token']}").get_json()["ticket"]
    assert status["state"] == "finished" and "token" not in status


def test_no_show_return_hold_resume_cancel(api):
    ticket = _issue(api, "C")
    desk = desk_by_number(3)
    at = {"desk_id": desk.id}
    api("POST", f"/desks/{desk.id}/call-next")
    assert (
        api("POST", f"/tickets/{ticket['id']}/no-show", at).get_json()["ticket"]["state"]
        == "no_show"
    )
    assert api("POST", f"/tickets/{ticket['id']}/return", at).get_json()["ticket"]["state"] == (
        "waiting"
    )
    api("POST", f"/desks/{desk.id}/call-next")
    assert api("POST", f"/tickets/{ticket['id']}/hold", at).get_json()["ticket"]["state"] == "held"
    assert api("POST", f"/tickets/{ticket['id']}/resume", at).get_json()["ticket"]["state"] == (
        "waiting"
    )
    cancelled = api("POST", f"/tickets/{ticket['id']}/cancel", {"note": "left", **at}).get_json()
    assert cancelled["ticket"]["state"] == "cancelled"


def test_status_reports_people_ahead(client, api):
    _issue(api, "D")
    second = _issue(api, "D")
    status = client.get(f"/api/v1/tickets/{second['token']}").get_json()["ticket"]
    assert status["people_ahead"] == 1 and status["wait_minutes"] > 0


def test_empty_queue_gives_null_ticket(api):
    response = api("POST", f"/desks/{desk_by_number(4).id}/call-next")
    assert response.status_code == 200 and response.get_json()["ticket"] is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"service_id": "abc"}, 422),
        ({"service_id": True}, 422),
        ({"service_id": 99999}, 404),
        ({"service_id": 1, "priority": "vip"}, 422),
        ({"service_id": 1, "priority": 7}, 422),
    ],
)
def test_bad_issue_requests_are_refused_with_json(api, db, body, status):
    response = api("POST", "/tickets", body)
    assert response.status_code == status
    assert response.get_json()["message"]
    assert db.session.scalar(select(func.count(Ticket.id))) == 0


def test_body_must_be_a_json_object(client, api_token, db):
    headers = {"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"}
    for raw in ("[1, 2]", "not json", '"text"'):
        response = client.post("/api/v1/tickets", data=raw, headers=headers)
        assert response.status_code == 400
        assert response.get_json()["message"]


def test_illegal_moves_are_409_and_change_nothing(api, db):
    ticket = _issue(api, "A")
    before = db.session.scalar(select(func.count(TicketEvent.id)))
    extra = {"finish": {"outcome": "x"}, "transfer": {"service_id": service_by_prefix("L").id}}
    for action in ("finish", "start", "recall", "no-show", "resume", "return", "transfer"):
        response = api(
            "POST", f"/tickets/{ticket['id']}/{action}", {"desk_id": 1, **extra.get(action, {})}
        )
        assert response.status_code == 409, action
        assert ticket["number"] in response.get_json()["message"]
    assert db.session.scalar(select(func.count(TicketEvent.id))) == before


def test_desk_bound_moves_check_the_desk(api):
    ticket = _issue(api, "A")
    api("POST", f"/desks/{desk_by_number(1).id}/call-next")
    response = api("POST", f"/tickets/{ticket['id']}/start", {"desk_id": desk_by_number(2).id})
    assert response.status_code == 409


def test_unknown_things_are_404(api):
    assert api("POST", "/tickets/99999/start", {"desk_id": 1}).status_code == 404
    assert api("POST", "/desks/99999/call-next").status_code == 404
    assert api("POST", "/tickets/1/explode", {"desk_id": 1}).status_code == 404
    assert api("GET", "/tickets/no-such-token").status_code == 404
    assert api("GET", "/no/such/endpoint").status_code == 404


def test_finish_needs_outcome_text(api):
    ticket = _issue(api, "A")
    api("POST", f"/desks/{desk_by_number(1).id}/call-next")
    at = {"desk_id": desk_by_number(1).id}
    api("POST", f"/tickets/{ticket['id']}/start", at)
    assert api("POST", f"/tickets/{ticket['id']}/finish", {"outcome": 5, **at}).status_code == 422
    assert api("POST", f"/tickets/{ticket['id']}/finish", at).status_code == 422


def test_api_needs_a_valid_token_and_role(client, db):
    response = client.post("/api/v1/tickets", json={"service_id": 1})
    assert response.status_code == 401 and response.get_json()["message"]
    bad = client.post(
        "/api/v1/tickets", json={"service_id": 1}, headers={"Authorization": "Bearer nope"}
    )
    assert bad.status_code == 401
    registrar = user_by_name("registrar")
    token = registrar.new_api_token()
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.post("/api/v1/tickets", json={"service_id": 1}, headers=headers).status_code == 201
    )
    forbidden = client.post(f"/api/v1/desks/{desk_by_number(1).id}/call-next", headers=headers)
    assert forbidden.status_code == 403


def test_api_ignores_session_cookies(client, db):
    client.post("/login", data={"username": "desk", "password": "demo1234"})
    assert client.post("/api/v1/tickets", json={"service_id": 1}).status_code == 401


def test_a_request_without_a_session_cookie_builds_no_signer(app, api, client, monkeypatch):
    """An API call brings no session cookie: it gets an empty session with no signer built for
    it; a signed-in page still reads its cookie through the signer."""
    interface = app.session_interface
    built: list[str] = []
    signer = interface.get_signing_serializer

    def counted(flask_app):
        built.append("signer")
        return signer(flask_app)

    monkeypatch.setattr(interface, "get_signing_serializer", counted)
    assert api("POST", "/tickets", {"service_id": service_by_prefix("A").id}).status_code == 201
    assert client.get("/api/v1/services").status_code == 200
    assert built == []
    client.post("/login", data={"username": "desk", "password": "demo1234"})
    built.clear()
    assert client.get("/desk/").status_code == 200
    assert built  # the cookie was read (and the session saved) through the signer


def test_desk_staff_move_only_at_their_own_desks(api, db):
    """The console's rule holds on the API: the desk clerk (desks 1–10) cannot call at the
    lawyer's room; the lawyer's queue is untouched."""
    ticket = _issue(api, "L")
    lawyer_room = desk_by_number(11).id
    refused = api("POST", f"/desks/{lawyer_room}/call-next")
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    db.session.expire_all()
    assert db.session.get(Ticket, ticket["id"]).state == "waiting"
    body = {"desk_id": lawyer_room}
    assert api("POST", f"/tickets/{ticket['id']}/start", body).status_code == 403
    assert api("POST", f"/desks/{desk_by_number(1).id}/call-next").status_code == 200


def test_create_user_assigns_desks(runner, db):
    result = runner.invoke(
        main, args=["create-user", "clerk2", "--password", "longenough", "--desks", "3,11"]
    )
    assert result.exit_code == 0, result.output
    assert [d.number for d in user_by_name("clerk2").desks] == [3, 11]
    bad = runner.invoke(
        main, args=["create-user", "clerk3", "--password", "longenough", "--desks", "99"]
    )
    assert bad.exit_code != 0 and "no desk" in bad.output


def test_a_refused_move_is_named_as_the_move_not_as_a_state(api):
    """The message names the move refused, from the one table of actions: a no-show refused on
    a finished ticket is "mark a no-show", never the state "a no-show" (the codes are alike)."""
    ticket = _issue(api, "A")
    desk = desk_by_number(1).id
    api("POST", f"/desks/{desk}/call-next")
    api("POST", f"/tickets/{ticket['id']}/start", {"desk_id": desk})
    api("POST", f"/tickets/{ticket['id']}/finish", {"desk_id": desk, "outcome": "已答复"})
    number = ticket["number"]
    english = api("POST", f"/tickets/{ticket['id']}/no-show?lang=en", {"desk_id": desk})
    assert english.status_code == 409
    assert english.get_json()["message"] == (
        f"Ticket {number} is finished: “mark a no-show” is not possible now."
    )
    chinese = api("POST", f"/tickets/{ticket['id']}/no-show", {"desk_id": desk})
    assert chinese.get_json()["message"] == f"{number} 号当前状态为“已办结”，不能执行“标记过号”。"
