"""The registrar's pages, the case pages and what each desk may see, over HTTP."""

from __future__ import annotations

from sqlalchemy import func, select

from reception.models import AuditEntry, Case, Ticket
from tests.conftest import desk_by_number, login, service_by_prefix

ID = "440301199003070035"


def _form(**extra) -> dict:
    data = {
        "name": "王小明",
        "id_number": ID,
        "phone": "13812345678",
        "address": "人民路1号",
        "account": "小区楼顶漏水三年无人处理。",
        "category": "住房",
        "department_id": str(service_by_prefix("B").id),
        "group_size": "1",
        "action": "register",
        "route": [str(service_by_prefix("B").id), str(service_by_prefix("L").id)],
    }
    data.update(extra)
    return data


def test_registration_needs_a_registrar(client, db):
    assert client.get("/registration/").status_code == 302
    login(client, "desk")
    assert client.get("/registration/").status_code == 403


def test_lookup_then_register_and_print_the_journey(client, db):
    login(client, "registrar")
    page = client.post("/registration/lookup", data={"id_number": ID})
    assert page.status_code == 200 and ID in page.get_data(as_text=True)  # prefilled for a new one
    response = client.post("/registration/", data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    slip = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "B001" in slip and "市住建局" in slip and "律师接访" in slip
    assert ID not in slip and "王小明" not in slip and "13812345678" not in slip
    again = client.post("/registration/lookup", data={"id_number": ID}).get_data(as_text=True)
    assert "重复来访" in again and "已受理或正在办理" in again


def test_suggest_fills_the_route_from_the_rules(client, db):
    login(client, "registrar")
    page = client.post(
        "/registration/", data=_form(action="suggest", category="征地拆迁", risk="1", route=[])
    ).get_data(as_text=True)
    route = page[page.index('data-testid="route"') :]
    assert route.index("心理疏导") < route.index("市住建局") < route.index("市规划和自然资源局")
    assert route.index("市规划和自然资源局") < route.index("律师接访")


def test_bad_input_is_a_form_error_and_registers_nothing(client, db):
    login(client, "registrar")
    for extra, message in [
        ({"id_number": "440301199003070036"}, "校验位"),
        ({"phone": "12345"}, "手机号码"),
        ({"account": "  "}, "口述"),
        ({"category": "占卜"}, "类别"),
        ({"route": []}, "至少选择一个"),
        ({"group_size": "30", "representative": ["甲", "乙", "丙", "丁", "戊", "己"]}, "第二十条"),
    ]:
        response = client.post("/registration/", data=_form(**extra))
        assert response.status_code == 422, extra
        assert message in response.get_data(as_text=True), extra
    assert db.session.scalar(select(func.count(Case.id))) == 0
    assert db.session.scalar(select(func.count(Ticket.id))) == 0


def test_id_numbers_never_travel_in_urls(client, db):
    login(client, "registrar")
    assert client.get(f"/registration/lookup?id_number={ID}").status_code == 405


def test_serving_desk_sees_the_visitor_and_others_see_masks(client, db):
    login(client, "registrar")
    client.post("/registration/", data=_form())
    client.post("/logout")
    login(client, "desk")
    desk = desk_by_number(2)
    client.post(f"/desk/{desk.id}/call-next")
    console = client.get(f"/desk/{desk.id}").get_data(as_text=True)
    assert "王小明" in console and ID in console and "小区楼顶漏水" in console
    views = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view_visitor")).all()
    assert views and views[-1].detail == "serving desk 2"
    case = db.session.scalars(select(Case)).one()
    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "王*明" in detail and "440301********0035" in detail and "138****5678" in detail
    assert ID not in detail and "13812345678" not in detail


def test_accused_department_never_sees_the_accusation(client, db):
    login(client, "registrar")
    accused = service_by_prefix("B")
    client.post(
        "/registration/",
        data=_form(
            accusation="1",
            accused_id=str(accused.id),
            department_id="",
            category="其他",
            route=[str(service_by_prefix("F").id)],
        ),
    )
    case = db.session.scalars(select(Case)).one()
    client.post("/logout")
    login(client, "zhujian")  # desk staff of 市住建局, the accused department
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert case.number not in client.get("/cases/").get_data(as_text=True)
    desk = desk_by_number(6)  # serves 房产 (F) and 住建 (B)
    client.post(f"/desk/{desk.id}/call-next")
    console = client.get(f"/desk/{desk.id}").get_data(as_text=True)
    # Art. 30 in the engine: the accused department's desk never calls the accusation, so it
    # never sees the visitor nor the number; it stays waiting for a desk that may serve it
    ticket = db.session.scalars(select(Ticket).where(Ticket.case_id == case.id)).one()
    db.session.refresh(ticket)
    assert ticket.state == "waiting" and ticket.desk_id is None
    assert "王小明" not in console and ticket.number not in console


def test_case_decisions_and_the_due_list(client, db):
    login(client, "registrar")
    client.post("/registration/", data=_form())
    case = db.session.scalars(select(Case)).one()
    due = client.get("/cases/due").get_data(as_text=True)
    assert f"#{case.id}" not in due  # 15 days away: not yet due soon
    client.post(f"/cases/{case.id}/accepted")
    bad = client.post(
        f"/cases/{case.id}/extend",
        data={"days": "45", "approver": "王", "reason": "勘查"},
        follow_redirects=True,
    )
    assert "1 至 30 日" in bad.get_data(as_text=True)
    client.post(
        f"/cases/{case.id}/extend",
        data={"days": "30", "approver": "王局长", "reason": "需要现场勘查"},
    )
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert (case.status, case.extension_days) == ("accepted", 30)
    twice = client.post(f"/cases/{case.id}/accepted", follow_redirects=True)
    assert "已作出受理决定" in twice.get_data(as_text=True)


def test_an_over_long_representative_is_a_form_error_with_everything_kept(client, db):
    from reception.models import Case

    login(client, "registrar")
    cases = db.session.query(Case).count()
    answer = client.post(
        "/registration/",
        data=_form(group_size="8", representative=["张三", "李" * 400, "[['x']]"]),
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "每项最多 40 个字" in page
    assert "小区楼顶漏水三年无人处理。" in page and "张三" in page  # what was typed is kept
    assert db.session.query(Case).count() == cases
