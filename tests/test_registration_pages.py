"""The registrar's pages, the case pages and what each desk may see, over HTTP."""

from __future__ import annotations

from sqlalchemy import func, select

from reception.models import AuditEntry, Case, Ticket
from tests.helpers import desk_by_number, login, service_by_prefix

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


def test_one_rule_decides_the_elderly_hint_and_the_priority(client, db):
    """A 76-year-old: the hint says 老年人 and the select says 老年人 on every page the form
    comes back on (look-up, suggestion, refusal), and the stored case says so too."""
    from reception.core.identity import check_digit

    first17 = "44030119500307003"
    elder = first17 + check_digit(first17)
    login(client, "registrar")

    def select_shows(page: str) -> str:
        start = page.index('name="vulnerable"')
        chosen = page[start : page.index("</select>", start)].split(" selected>")
        return chosen[1].split("<")[0] if len(chosen) > 1 else ""

    looked_up = client.post("/registration/lookup", data={"id_number": elder}).get_data(True)
    assert 'data-testid="age"' in looked_up and "优先" in looked_up
    assert select_shows(looked_up) == "老年人"
    suggested = client.post(
        "/registration/", data=_form(id_number=elder, action="suggest", vulnerable="")
    ).get_data(as_text=True)
    assert select_shows(suggested) == "老年人" and "优先" in suggested
    refused = client.post("/registration/", data=_form(id_number=elder, account="")).get_data(True)
    assert select_shows(refused) == "老年人"
    client.post("/registration/", data=_form(id_number=elder, vulnerable=""))
    assert db.session.scalars(select(Case).order_by(Case.id.desc())).first().vulnerable == "elderly"
    young = client.post("/registration/lookup", data={"id_number": ID}).get_data(as_text=True)
    assert select_shows(young) in ("", "否") and "优先办理" not in young
