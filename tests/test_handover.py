"""Matters across the city's halls: handed down to a county's department (交办 / 转送) with their
clocks unchanged and followed by the sending hall; put under the city's supervision (督办), which
goes overdue on the hall's board and the city board. The accusation rule holds across halls."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from reception.core.clock import hall_day
from reception.db.extensions import db as _db
from reception.jobs import run_duties
from reception.live import city_board
from reception.models import Alert, AuditEntry, Case, CaseHandover, CaseSupervision
from reception.models.types import utcnow
from reception.triage import clocks
from tests.helpers import login
from tests.test_halls import _matter, _service, city  # noqa: F401 - `city` is a fixture


def _registered_at_the_centre(app, city) -> Case:  # noqa: F811
    registrar = app.test_client()
    login(registrar, "registrar")
    assert registrar.post("/registration/", data=_matter(city["shi"])).status_code == 302
    return _db.session.scalars(select(Case)).one()


def _hand_down(client, case: Case, department_id, **extra):
    today = hall_day("Asia/Shanghai", utcnow())
    data = {
        "to_department_id": str(department_id),
        "handover_kind": "assigned",
        "due_on": (today + timedelta(days=10)).isoformat(),
        "note": "请清河县住建局核查房屋质量问题并答复",
        **extra,
    }
    return client.post(f"/cases/{case.id}/hand-down", data=data)


def test_a_matter_handed_down_keeps_its_clocks_and_the_centre_follows_it(app, client, city):  # noqa: F811
    case = _registered_at_the_centre(app, city)
    notice_due, registered = clocks.notice_due(case), case.registered_on
    housing = _service(city["qinghe"], "B")
    login(client, "registrar")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="hand-down"' in page and "清河县人民来访接待中心" in page
    answer = _hand_down(client, case, housing.id)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:400]
    _db.session.expire_all()
    case = _db.session.get(Case, case.id)
    assert case.hall_id == city["qinghe"].id and case.origin_hall_id == city["shi"].id
    assert case.department_id == housing.id
    assert case.registered_on == registered and clocks.notice_due(case) == notice_due
    handover = _db.session.scalars(select(CaseHandover)).one()
    assert handover.from_hall_id == city["shi"].id and handover.kind == "assigned"
    entry = _db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "case_handed_down")
    ).one()
    assert entry.hall_id == city["shi"].id and entry.case_id == case.id

    # the county: in its list, decided there
    county = app.test_client()
    login(county, "qh_registrar")
    assert case.number in county.get("/h/qinghe/cases/").get_data(as_text=True)
    accepted = county.post(f"/h/qinghe/cases/{case.id}/accepted", data={"note": ""})
    assert accepted.status_code == 303
    _db.session.expire_all()
    assert _db.session.get(Case, case.id).status == "accepted"

    # the centre keeps a read view: the step taken there, no decision here
    view = client.get(f"/cases/{case.id}")
    text = view.get_data(as_text=True)
    assert view.status_code == 200 and 'data-testid="handed-away"' in text
    assert "accepted" in text or "已受理" in text
    assert 'data-testid="hand-down"' not in text and 'data-testid="decide"' not in text
    assert case.number in client.get("/cases/").get_data(as_text=True)
    refused = client.post(f"/cases/{case.id}/reply", data={"note": "答复意见"})
    assert refused.status_code == 409
    _db.session.expire_all()
    assert _db.session.get(Case, case.id).replied_on is None

    # another county sees nothing of it
    other = app.test_client()
    login(other, "dc_registrar")
    assert other.get(f"/h/dongcheng/cases/{case.id}").status_code == 404
    assert case.number not in other.get("/h/dongcheng/cases/").get_data(as_text=True)


def test_a_refused_hand_down_changes_nothing(app, client, city):  # noqa: F811
    case = _registered_at_the_centre(app, city)
    login(client, "registrar")
    today = hall_day("Asia/Shanghai", utcnow())
    for extra, department in (
        ({}, _service(city["shi"], "C").id),  # a department of the same hall
        ({"note": ""}, _service(city["qinghe"], "B").id),  # no reason
        ({"due_on": (today - timedelta(days=1)).isoformat()}, _service(city["qinghe"], "B").id),
        ({}, _service(city["qinghe"], "L").id),  # the lawyer: not a department
        ({"handover_kind": "elsewhere"}, _service(city["qinghe"], "B").id),
        ({}, "abc"),
    ):
        answer = _hand_down(client, case, department, **extra)
        assert answer.status_code in (409, 422), (extra, answer.status_code)
        assert 'data-testid="form-error"' in answer.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(Case, case.id).hall_id == city["shi"].id
    assert _db.session.scalars(select(CaseHandover)).all() == []


def test_a_matter_is_never_handed_to_the_department_it_accuses(app, client, city):  # noqa: F811
    case = _registered_at_the_centre(app, city)
    accused = _service(city["qinghe"], "B")
    case.accusation, case.accused_id = True, accused.id
    _db.session.commit()
    login(client, "registrar")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'<option value="{accused.id}"' not in page
    assert f'<option value="{_service(city["qinghe"], "C").id}"' in page
    answer = _hand_down(client, case, accused.id)
    assert answer.status_code == 422 and "第三十条" in answer.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(Case, case.id).hall_id == city["shi"].id


def test_supervision_goes_overdue_on_the_halls_board_and_the_city_board(app, client, city):  # noqa: F811
    case = _registered_at_the_centre(app, city)
    login(client, "registrar")
    assert _hand_down(client, case, _service(city["qinghe"], "B").id).status_code == 303
    today = hall_day("Asia/Shanghai", utcnow())
    due = today + timedelta(days=2)
    # a county's supervisor is not the city: no supervision from them
    county = app.test_client()
    login(county, "qh_supervisor")
    data = {"due_on": due.isoformat(), "note": "两日内办结并报告"}
    assert county.post(f"/h/qinghe/cases/{case.id}/supervise", data=data).status_code == 403
    boss = app.test_client()
    login(boss, "supervisor")
    answer = boss.post(f"/h/qinghe/cases/{case.id}/supervise", data=data)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    again = boss.post(f"/h/qinghe/cases/{case.id}/supervise", data=data)
    assert again.status_code == 409
    listed = boss.get("/city/supervised").get_data(as_text=True)
    assert case.number in listed and f'href="/h/qinghe/cases/{case.id}"' in listed
    assert 'data-testid="overdue"' not in listed

    # three days later, still not done: one alert in 清河县, the city card counts it
    later = utcnow() + timedelta(days=3)
    run_duties(app, later)
    run_duties(app, later + timedelta(minutes=1))
    alerts = _db.session.scalars(select(Alert).where(Alert.kind == "overdue")).all()
    assert len(alerts) == 1 and alerts[0].hall_id == city["qinghe"].id
    assert alerts[0].case_id == case.id and case.number in alerts[0].text
    card = city_board.hall_summary(city["qinghe"], later, 10)
    assert card["overdue_matters"] == 1 and card["alerts"].get("overdue") == 1
    assert city_board.hall_summary(city["shi"], later, 10)["overdue_matters"] == 0
    supervision = _db.session.scalars(select(CaseSupervision)).one()
    assert supervision.alerted_on is not None
    # ended by the city: off the list
    ended = boss.post(f"/h/qinghe/cases/{case.id}/supervision/end", data={"note": "已办结"})
    assert ended.status_code == 303
    assert case.number not in boss.get("/city/supervised").get_data(as_text=True)


def test_the_accused_departments_city_staff_see_nothing_of_its_supervised_matter(app, city):  # noqa: F811
    """Art. 30 across halls: a city leader who works for the accused county department is told
    nothing of a supervised accusation — not on the supervised list, not in the city card's
    overdue count, not in the alerts it raised."""
    from reception.models import User

    case = _registered_at_the_centre(app, city)
    accused = _service(city["qinghe"], "B")
    case.accusation, case.accused_id = True, accused.id
    _db.session.commit()
    registrar = app.test_client()
    login(registrar, "registrar")
    assert _hand_down(registrar, case, _service(city["qinghe"], "C").id).status_code == 303
    boss = app.test_client()
    login(boss, "supervisor")
    today = hall_day("Asia/Shanghai", utcnow())
    data = {"due_on": (today + timedelta(days=1)).isoformat(), "note": "限期办结"}
    assert boss.post(f"/h/qinghe/cases/{case.id}/supervise", data=data).status_code == 303
    later = utcnow() + timedelta(days=3)
    run_duties(app, later)
    insider = User(username="accused_leader", role="leader", department_id=accused.id)
    insider.set_password("demo1234")
    _db.session.add(insider)
    _db.session.commit()
    reader = app.test_client()
    login(reader, "accused_leader")
    assert case.number not in reader.get("/city/supervised").get_data(as_text=True)
    assert case.number in boss.get("/city/supervised").get_data(as_text=True)
    accused_only = frozenset({accused.id})
    card = city_board.hall_summary(city["qinghe"], later, 10, accused_only)
    assert card["overdue_matters"] == 0 and "overdue" not in card["alerts"]
    assert city_board.hall_summary(city["qinghe"], later, 10)["overdue_matters"] == 1
    assert reader.get(f"/h/qinghe/cases/{case.id}").status_code == 404
