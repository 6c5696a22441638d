"""Art. 30 on the supervisor's surfaces: an accusation against a department never reaches that
department's staff, whatever their role: not on the board, not in its alerts (page, snapshot,
live events), not in the follow-ups, not by acknowledging an alert by its id."""

from __future__ import annotations

from flask import g

from reception.db.extensions import socketio
from reception.models import FollowUp, Ticket
from reception.models.types import utcnow
from reception.oversight import ratings, supervision
from reception.queue import moves
from tests.helpers import (
    accusation_ticket,
    commit,
    desk_by_number,
    issue,
    login,
    service_by_prefix,
    user_by_name,
)


def _board(app, username: str, hall):
    client = app.test_client()
    login(client, username)
    board = socketio.test_client(app, flask_test_client=client)
    for name in list(vars(g)):  # the tests share one app context: no cached user
        delattr(g, name)
    joined = board.emit("join", {"room": f"board:{hall.id}"}, callback=True)
    assert joined["ok"] is True, username
    board.get_received()
    return client, board, joined["snapshot"]


def _numbers(alerts) -> set[str]:
    return {a["ticket_number"] for a in alerts}


def test_the_accused_departments_leader_never_sees_the_accusation(app, db, hall):
    leader = user_by_name("leader")
    leader.department_id = service_by_prefix("B").id  # a leader-role account of 市住建局
    db.session.commit()
    ticket = accusation_ticket(hall)
    number, case_id = ticket.number, ticket.case_id
    commit(
        supervision.raise_alert(
            hall.id, "urgent", utcnow(), ticket_number=number, case_id=case_id, text="其他"
        )
    )

    accused, accused_board, accused_snapshot = _board(app, "leader", hall)
    watcher, hall_board, hall_snapshot = _board(app, "supervisor", hall)
    assert number in _numbers(hall_snapshot["alerts"])
    assert number not in _numbers(accused_snapshot["alerts"])
    page = accused.get("/supervisor/").get_data(as_text=True)
    assert f"/cases/{case_id}" not in page and f'"ticket_number": "{number}"' not in page
    assert number in watcher.get("/supervisor/").get_data(as_text=True)
    for name in list(vars(g)):
        delattr(g, name)
    alerts = accused_board.emit("join", {"room": f"alerts:{hall.id}"}, callback=True)
    assert number not in _numbers(alerts["snapshot"]["alerts"])

    # a live alert about the accusation: the hall's board hears it, the accused's does not
    commit(
        supervision.raise_alert(hall.id, "group", utcnow(), ticket_number=number, case_id=case_id)
    )
    heard = [m["args"][0] for m in hall_board.get_received() if m["name"] == "alert"]
    assert [a["ticket_number"] for a in heard] == [number]
    assert [m for m in accused_board.get_received() if m["name"] == "alert"] == []
    # an alert about anything else still reaches both
    commit(supervision.raise_alert(hall.id, "wait", utcnow(), ticket_number="Z999"))
    assert [
        m["args"][0]["ticket_number"] for m in accused_board.get_received() if m["name"] == "alert"
    ] == ["Z999"]
    hidden = heard[0]["id"]
    answer = accused.post(
        f"/supervisor/alerts/{hidden}/acknowledge", headers={"Accept": "application/json"}
    )
    assert answer.status_code == 404

    # the visitor rates the accusation's leg badly: the call-back is not the accused's either
    desk = desk_by_number(6).id
    moves.call_ticket(desk, ticket.id, staff_id=user_by_name("desk").id)
    moves.start(ticket.id, desk_id=desk)
    commit(moves.finish(ticket.id, "已受理", desk_id=desk))
    commit(ratings.rate(db.session.get(Ticket, ticket.id), 1, 1, "", utcnow()))
    follow_up = db.session.query(FollowUp).one()
    assert number in watcher.get("/supervisor/follow-ups").get_data(as_text=True)
    assert number not in accused.get("/supervisor/follow-ups").get_data(as_text=True)
    closed = accused.post(f"/supervisor/follow-ups/{follow_up.id}", data={"outcome": "x"})
    assert closed.status_code == 404
    assert [m for m in accused_board.get_received() if m["name"] == "alert"] == []


def test_the_accused_departments_leader_never_counts_the_accusation_in_reports(app, db, hall):
    import csv
    import io
    from datetime import timedelta

    from openpyxl import load_workbook

    from reception.models import Case

    leader = user_by_name("leader")
    leader.department_id = service_by_prefix("B").id
    db.session.commit()
    ticket = accusation_ticket(hall)
    case = db.session.get(Case, ticket.case_id)
    case.registered_on = case.registered_on - timedelta(days=20)  # its 15 days ran out: late
    db.session.commit()
    day, number = case.registered_on.isoformat(), case.number
    query = f"period=day&day={day}&group=service"

    def seen(username: str) -> tuple[bool, bool, bool]:
        client = app.test_client()
        login(client, username)
        page = client.get(f"/reports/?{query}").get_data(as_text=True)
        late = client.get(f"/reports/export.csv?{query}&table=late").get_data(as_text=True)
        cells = [c for row in csv.reader(io.StringIO(late.lstrip("\ufeff"))) for c in row]
        book = load_workbook(io.BytesIO(client.get(f"/reports/annual.xlsx?year={day[:4]}").data))
        annual = [c.value for row in book.active.iter_rows() for c in row]
        return number in page, number in cells, "其他" in annual

    assert seen("supervisor") == (True, True, True)
    assert seen("leader") == (False, False, False)


def test_the_accused_departments_leader_counts_no_visit_of_the_accusation(app, db, hall):
    """Art. 30 in every figure: the board's totals, the report's summary and the figures API
    leave the accusation's ticket, legs and group out for staff of the accused department."""
    import json

    from reception.core.clock import hall_day
    from reception.models import Case

    leader = user_by_name("leader")
    leader.department_id = service_by_prefix("B").id
    db.session.commit()
    accusation = accusation_ticket(hall)
    db.session.get(Case, accusation.case_id).group_size = 4
    commit(None)
    issue(hall.id, service_by_prefix("B").id, utcnow(), outside_hours=True)  # an ordinary visit
    day = hall_day(hall.timezone, utcnow()).isoformat()

    def counted(username: str) -> tuple[int, int, int, int]:
        user = user_by_name(username)
        token = user.new_api_token()
        commit(None)
        client = app.test_client()
        login(client, username)
        page = client.get("/supervisor/").get_data(as_text=True)
        snapshot = page.split('<script type="application/json" id="board-snapshot">')[1]
        board = json.loads(snapshot.split("</script>")[0])["totals"]
        api = client.get(
            f"/api/v1/reports/figures?period=day&day={day}",
            headers={"Authorization": f"Bearer {token}"},
        ).get_json()["figures"]
        return board["issued"], api["tickets"], api["legs"], api["headcount"]

    assert counted("supervisor") == (2, 2, 2, 5)  # the group of four and one visitor alone
    assert counted("leader") == (1, 1, 1, 1)


def test_the_accused_departments_supervisor_sees_no_text_about_the_accusation(app, db, hall):
    """A text about an accusation (its case notice, its ticket's turn-near text) is not listed
    to, nor sent again by, staff of the accused department (Art. 30); the others see it."""
    from reception.models import Case, OutboxMessage, Visitor
    from reception.sms import outbox

    accusation = accusation_ticket(hall)
    visitor = Visitor(name="乙", phone="13912345678")
    db.session.add(visitor)
    db.session.flush()
    ordinary = Case(
        hall_id=hall.id,
        visitor_id=visitor.id,
        registered_on=accusation.service_day,
        account="诉求",
        category="其他",
    )
    db.session.add(ordinary)
    db.session.flush()
    now = utcnow()
    day = {"day": "12月07日"}
    about_case = outbox.record(
        "case_accepted",
        "13900000001",
        {**day, "serial": "000001"},
        hall_id=hall.id,
        case_id=accusation.case_id,
        now=now,
    )
    about_ticket = outbox.record(
        "turn_near",
        "13900000002",
        {"ticket": accusation.number, "ahead": "2"},
        hall_id=hall.id,
        ticket_id=accusation.id,
        leg=1,
        now=now,
    )
    other = outbox.record(
        "case_accepted",
        "13900000003",
        {**day, "serial": "000002"},
        hall_id=hall.id,
        case_id=ordinary.id,
        now=now,
    )
    db.session.commit()
    supervisor = user_by_name("supervisor")

    def listed() -> set[int]:
        client = app.test_client()
        login(client, "supervisor")
        page = client.get("/admin/texts").get_data(as_text=True)
        return {m.id for m in (about_case, about_ticket, other) if f'"text-{m.id}"' in page}

    assert listed() == {about_case.id, about_ticket.id, other.id}
    supervisor.department_id = service_by_prefix("B").id  # the accused department
    db.session.commit()
    assert listed() == {other.id}
    db.session.get(OutboxMessage, about_case.id).state = "failed"
    db.session.commit()
    client = app.test_client()
    login(client, "supervisor")
    assert client.post(f"/admin/texts/{about_case.id}/again").status_code == 404
