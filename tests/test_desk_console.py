"""Staff login and the desk console over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reception.db.extensions import db, socketio
from reception.models import Case, Desk, LoginAttempt, Ticket, TicketEvent
from reception.models.types import utcnow
from tests.helpers import desk_by_number, login, service_by_prefix


def _issue(client, prefix: str) -> Ticket:
    client.post("/kiosk/issue", data={"service_id": service_by_prefix(prefix).id})
    return db.session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()


def test_console_needs_login(client, db):
    response = client.get("/desk/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/desk/{desk_by_number(1).id}/call-next").status_code == 302


def test_wrong_password_is_a_form_error(client, db):
    response = login(client, "desk", "wrong")
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/desk/").status_code == 302


def test_visitor_role_cannot_use_the_console(client, db):
    login(client, "registrar")
    assert client.get("/desk/").status_code == 403


def test_choose_desk_then_call_start_finish(client, db):
    ticket = _issue(client, "A")
    login(client)
    desk = desk_by_number(1)
    assert "规划资源窗口" in client.get("/desk/?change=1").get_data(as_text=True)
    console = client.get(f"/desk/{desk.id}").get_data(as_text=True)
    assert ticket.number in console and "叫下一位" in console
    client.post(f"/desk/{desk.id}/call-next")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "called"
    page = client.get(f"/desk/{desk.id}").get_data(as_text=True)
    assert "已呼叫" in page or "重呼" in page
    client.post(f"/desk/{desk.id}/tickets/{ticket.id}/recall")
    client.post(f"/desk/{desk.id}/tickets/{ticket.id}/start")
    client.post(f"/desk/{desk.id}/tickets/{ticket.id}/finish", data={"outcome": "已答复"})
    db.session.expire_all()
    done = db.session.get(Ticket, ticket.id)
    assert (done.state, done.outcome, done.recall_count) == ("finished", "已答复", 1)
    actions = [e.action for e in done.events]
    assert actions == ["issue", "call", "recall", "start", "finish"]
    assert {e.staff_id for e in done.events[1:]} == {
        db.session.scalar(select(TicketEvent.staff_id).where(TicketEvent.action == "call"))
    }


def test_remembered_desk_opens_directly(client, db):
    login(client)
    desk = desk_by_number(4)
    client.get(f"/desk/{desk.id}")
    response = client.get("/desk/")
    assert response.headers["Location"].endswith(f"/desk/{desk.id}")


def test_call_next_with_empty_queue_says_so(client, db):
    login(client)
    desk = desk_by_number(3)
    response = client.post(f"/desk/{desk.id}/call-next", follow_redirects=True)
    assert "暂无等候" in response.get_data(as_text=True)


def test_illegal_move_is_shown_on_the_console_and_changes_nothing(client, db):
    ticket = _issue(client, "A")
    login(client)
    desk = desk_by_number(1)
    before = db.session.scalar(select(func.count(TicketEvent.id)))
    response = client.post(f"/desk/{desk.id}/tickets/{ticket.id}/finish", data={"outcome": "x"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "不能执行" in page and ticket.number in page
    assert db.session.scalar(select(func.count(TicketEvent.id))) == before


def test_finish_without_outcome_is_refused(client, db):
    ticket = _issue(client, "A")
    login(client)
    desk = desk_by_number(1)
    client.post(f"/desk/{desk.id}/call-next")
    client.post(f"/desk/{desk.id}/tickets/{ticket.id}/start")
    page = client.post(
        f"/desk/{desk.id}/tickets/{ticket.id}/finish", data={"outcome": " "}, follow_redirects=True
    ).get_data(as_text=True)
    assert "请先填写办理结果" in page
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "serving"


def test_transfer_from_the_console(client, db):
    ticket = _issue(client, "A")
    login(client)
    desk = desk_by_number(1)
    client.post(f"/desk/{desk.id}/call-next")
    client.post(f"/desk/{desk.id}/tickets/{ticket.id}/start")
    bad = client.post(
        f"/desk/{desk.id}/tickets/{ticket.id}/transfer",
        data={"service_id": "x"},
        follow_redirects=True,
    )
    assert "必须是整数" in bad.get_data(as_text=True)
    client.post(
        f"/desk/{desk.id}/tickets/{ticket.id}/transfer",
        data={"service_id": service_by_prefix("L").id, "to_desk_id": "", "note": "诉讼类"},
    )
    db.session.expire_all()
    moved = db.session.get(Ticket, ticket.id)
    assert (moved.state, moved.service_id, moved.leg) == ("waiting", service_by_prefix("L").id, 2)
    assert moved.events[-1].note == "诉讼类"
    client.post("/logout", data={})
    login(client, "lawyer")
    lawyer = client.get(f"/desk/{desk_by_number(11).id}").get_data(as_text=True)
    assert ticket.number in lawyer and "转办" in lawyer


def test_staff_open_only_the_desks_assigned_to_them(client, db):
    """The desk clerk works desks 1–10; the lawyer's room is not theirs (demo assignment)."""
    login(client)
    lawyer_room = desk_by_number(11)
    refused = client.get(f"/desk/{lawyer_room.id}")
    assert refused.status_code == 403 and "未被分配" in refused.get_data(as_text=True)
    assert client.post(f"/desk/{lawyer_room.id}/call-next").status_code == 303
    db.session.expire_all()
    assert db.session.get(Desk, lawyer_room.id).console_key is None  # nothing was claimed
    choose = client.get("/desk/?change=1").get_data(as_text=True)
    assert 'data-desk="1"' in choose and 'data-desk="11"' not in choose
    login(client, "lawyer")  # one desk: straight to it
    assert client.get("/desk/").headers["Location"].endswith(f"/desk/{lawyer_room.id}")


def test_a_desk_is_worked_from_one_session_and_can_be_taken_over(app, client, db):
    ticket = _issue(client, "A")
    desk = desk_by_number(1)
    login(client)
    assert client.post(f"/desk/{desk.id}/open", data={}).status_code == 303
    second = app.test_client()
    login(second, "supervisor")
    warned = second.get(f"/desk/{desk.id}")
    page = warned.get_data(as_text=True)
    assert warned.status_code == 409 and "窗口工作人员" in page and "接管" in page
    # the second session cannot act on the desk without taking it over
    second.post(f"/desk/{desk.id}/call-next")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "waiting"
    assert second.post(f"/desk/{desk.id}/open", data={"take_over": "1"}).status_code == 303
    assert second.get(f"/desk/{desk.id}").status_code == 200
    # the first console is now refused, and told why
    first_try = client.post(f"/desk/{desk.id}/call-next", follow_redirects=True)
    assert "接管" in first_try.get_data(as_text=True) and first_try.status_code == 409
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "waiting"
    second.post(f"/desk/{desk.id}/call-next")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "called"
    # logging out frees the desk for the next clerk
    second.post("/logout", data={})
    db.session.expire_all()
    assert db.session.get(Desk, desk.id).console_key is None
    again = client.get(f"/desk/{desk.id}")
    assert again.status_code == 200, again.headers.get("Location")


def test_the_first_console_hears_of_the_takeover_live(app, client, db):
    desk = desk_by_number(2)
    login(client)
    client.post(f"/desk/{desk.id}/open", data={})
    socket_client = socketio.test_client(app, flask_test_client=client)
    reply = socket_client.emit("join", {"room": f"desk:{desk.id}"}, callback=True)
    mine = reply["snapshot"]["console"]
    assert mine and len(mine) == 12
    socket_client.get_received()
    second = app.test_client()
    login(second, "supervisor")
    second.post(f"/desk/{desk.id}/open", data={"take_over": "1"})
    received = [m for m in socket_client.get_received() if m["name"] == "console"]
    assert received and received[-1]["args"][0]["holder"] not in (None, mine)
    assert received[-1]["args"][0]["desk_id"] == desk.id


def test_unknown_action_and_desk_are_404(client, db):
    ticket = _issue(client, "A")
    login(client)
    assert (
        client.post(f"/desk/{desk_by_number(1).id}/tickets/{ticket.id}/explode").status_code == 404
    )
    assert client.get("/desk/99999").status_code == 404


def test_changes_are_post_only(client, db):
    login(client)
    desk = desk_by_number(1)
    assert client.get(f"/desk/{desk.id}/call-next").status_code == 405


def test_csrf_is_required_on_forms(app, db):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/kiosk/issue", data={"service_id": service_by_prefix("A").id})
        assert response.status_code == 400
        assert "表单已过期" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count(Ticket.id))) == 0
        response = client.post("/login", data={"username": "desk", "password": "demo1234"})
        assert client.get("/desk/").status_code == 302  # not logged in
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_logout_is_a_post(client, db):
    login(client)
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/desk/").status_code == 302


def test_login_is_rate_limited_per_account(client, db):
    for _ in range(5):
        assert login(client, "desk", "wrong").status_code == 422
    locked = login(client, "desk")  # even the right password waits now
    assert locked.status_code == 429 and "10 分钟" in locked.get_data(as_text=True)
    assert client.get("/desk/").status_code == 302
    assert login(client, "lawyer").status_code == 302  # other accounts are not affected
    db.session.execute(LoginAttempt.__table__.update().values(at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    assert login(client, "desk").status_code == 302


@pytest.mark.parametrize(
    ("username", "landing", "shown", "hidden"),
    [
        ("desk", "/desk/", {"desk", "cases", "appointments"}, {"registration", "supervisor"}),
        ("registrar", "/registration/", {"registration", "cases"}, {"desk", "supervisor"}),
        ("leader", "/supervisor/", {"supervisor", "cases"}, {"desk", "registration"}),
        ("supervisor", "/supervisor/", {"desk", "registration", "supervisor"}, set()),
        ("admin", "/admin/", {"desk", "registration", "supervisor", "admin"}, set()),
    ],
)
def test_each_role_lands_on_its_own_page_with_its_navigation(
    client, db, username, landing, shown, hidden
):
    response = login(client, username)
    assert response.status_code == 302 and response.headers["Location"].endswith(landing)
    page = client.get(landing, follow_redirects=True)
    assert page.status_code == 200  # never a 403 right after a correct login
    text = page.get_data(as_text=True)
    for name in shown:
        assert f'data-testid="nav-{name}"' in text, name
    for name in hidden:
        assert f'data-testid="nav-{name}"' not in text, name


def test_the_public_home_page_lists_only_public_pages(client, db):
    text = client.get("/").get_data(as_text=True)
    assert "/kiosk/" in text and "/book/" in text and "/login" in text
    for staff_page in ("/desk/", "/registration/", "/cases/", "/supervisor/", "/appointments/"):
        assert f'href="{staff_page}"' not in text, staff_page


def test_messages_say_what_the_move_did(client, db):
    ticket = _issue(client, "A")
    login(client)
    desk = desk_by_number(1)
    client.post(f"/desk/{desk.id}/call-next")
    started = client.post(
        f"/desk/{desk.id}/tickets/{ticket.id}/start", follow_redirects=True
    ).get_data(as_text=True)
    assert f"{ticket.number} 已开始办理" in started
    moved = client.post(
        f"/desk/{desk.id}/tickets/{ticket.id}/transfer",
        data={"service_id": service_by_prefix("L").id, "note": "诉讼类"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"{ticket.number} 已转至 律师接访" in moved


def test_case_states_are_shown_in_words_of_the_reader(client, db):
    from tests.test_registration_pages import _form

    login(client, "registrar")
    client.post("/registration/", data=_form())
    case_id = db.session.scalars(select(func.max(Case.id))).one()
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    status = page[page.index('data-testid="case-status"') :][:80]
    assert "待决定是否受理" in status and "registered" not in status
    client.post(f"/cases/{case_id}/accepted")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    status = page[page.index('data-testid="case-status"') :][:80]
    assert "已受理" in status and "accepted" not in status


def test_the_transfer_note_reaches_the_next_desk_and_the_case(client, db):
    from tests.test_registration_pages import _form

    login(client, "registrar")
    client.post("/registration/", data=_form(route=[str(service_by_prefix("B").id)]))
    ticket = db.session.scalars(select(Ticket)).one()
    client.post("/logout")
    login(client, "supervisor")  # may use every desk
    housing, lawyer = desk_by_number(2), desk_by_number(11)
    client.post(f"/desk/{housing.id}/call-next")
    client.post(f"/desk/{housing.id}/tickets/{ticket.id}/start")
    note = "已核实房屋产权，需法律意见"
    client.post(
        f"/desk/{housing.id}/tickets/{ticket.id}/transfer",
        data={"service_id": service_by_prefix("L").id, "note": note},
    )
    waiting = client.get(f"/desk/{lawyer.id}").get_data(as_text=True)
    assert note in waiting[waiting.index('data-testid="waiting-note"') :][:200]  # before the call
    client.post(f"/desk/{lawyer.id}/call-next")
    console = client.get(f"/desk/{lawyer.id}").get_data(as_text=True)
    shown = console[console.index('data-testid="handover-note"') :][:200]
    assert note in shown
    case = db.session.scalars(select(Case)).one()
    assert note in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_voiding_a_number_needs_a_reason(client, db):
    ticket = _issue(client, "A")
    login(client)
    desk = desk_by_number(1)
    client.post(f"/desk/{desk.id}/call-next")
    client.post(f"/desk/{desk.id}/tickets/{ticket.id}/no-show")
    console = client.get(f"/desk/{desk.id}").get_data(as_text=True)
    assert "作废此号" in console and "data-confirm=" in console
    refused = client.post(f"/desk/{desk.id}/tickets/{ticket.id}/cancel", data={"note": " "})
    assert refused.status_code == 422 and "作废原因" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "no_show"
    client.post(f"/desk/{desk.id}/tickets/{ticket.id}/cancel", data={"note": "来访人已离开"})
    db.session.expire_all()
    voided = db.session.get(Ticket, ticket.id)
    assert voided.state == "cancelled" and voided.events[-1].note == "来访人已离开"


def test_the_consoles_first_panel_says_what_the_desk_is_doing_while_serving(client, db):
    ticket = _issue(client, "A")
    login(client)
    desk = desk_by_number(1)
    client.post(f"/desk/{desk.id}/call-next")
    client.post(f"/desk/{desk.id}/tickets/{ticket.id}/start")
    page = client.get(f"/desk/{desk.id}").get_data(as_text=True)
    panel = page[page.index('data-testid="desk-state"') :].split("</section>")[0]
    assert 'data-testid="desk-state-serving"' in panel and ticket.number in panel
    english = client.get(f"/desk/{desk.id}?lang=en").get_data(as_text=True)
    services = english[english.index('class="services"') :].split("</p>")[0]
    assert "市规划和自然资源局" not in services  # the desk's services in the reader's language
