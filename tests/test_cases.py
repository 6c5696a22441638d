"""Case pages: the list with filters and pages, the look-up by ID number, decisions with their
written reasons, the history, and the written notices on A4."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from reception.core.clock import hall_day
from reception.models import AuditEntry, Case, CaseNote
from reception.models.types import utcnow
from tests.helpers import login, service_by_prefix, user_by_name
from tests.test_registration_pages import ID, _form

OTHER_ID = "11010519491231002X"


def _register(client, **extra) -> Case:
    response = client.post("/registration/", data=_form(**extra))
    assert response.status_code == 302, response.get_data(as_text=True)
    return _latest()


def _latest():
    from reception.db.extensions import db

    return db.session.scalars(select(Case).order_by(Case.id.desc())).first()


def test_a_new_case_is_found_in_the_list_by_filters_and_number(client, db):
    login(client, "registrar")
    housing = _register(client)
    civil = _register(
        client, id_number=OTHER_ID, name="李四", department_id=str(service_by_prefix("D").id)
    )
    page = client.get("/cases/").get_data(as_text=True)
    assert housing.number in page and civil.number in page
    assert "王*" in page and "王小明" not in page and ID not in page  # masked, no ID
    by_dept = client.get(f"/cases/?department={service_by_prefix('D').id}").get_data(as_text=True)
    assert civil.number in by_dept and housing.number not in by_dept
    by_number = client.get(f"/cases/?number={housing.number}").get_data(as_text=True)
    assert housing.number in by_number and civil.number not in by_number
    assert civil.number in client.get(f"/cases/?number={civil.id}").get_data(as_text=True)
    by_state = client.get("/cases/?state=accepted").get_data(as_text=True)
    assert housing.number not in by_state
    today = hall_day("Asia/Shanghai", utcnow())
    since, until = today - timedelta(days=2), today + timedelta(days=2)
    in_range = client.get(f"/cases/?since={since}&until={until}").get_data(as_text=True)
    assert housing.number in in_range
    later = client.get(f"/cases/?since={(today + timedelta(days=5)).isoformat()}")
    assert housing.number not in later.get_data(as_text=True)


def test_bad_filters_are_form_errors_not_500(client, db):
    login(client, "registrar")
    for query in (
        "state=lost",
        "department=abc",
        "since=2026-13-01",
        "number=DROP TABLE",
        "page=0",
        "page=%EF%BC%91",
        "since=2026-11-10&until=2026-11-01",
        "endpoint=x&_external=1",
    ):
        response = client.get(f"/cases/?{query}")
        assert response.status_code in (200, 422), (query, response.status_code)
        if query != "endpoint=x&_external=1":
            assert response.status_code == 422 and "field-error" in response.get_data(as_text=True)


def test_the_list_is_paged(client, db):
    from reception.db.extensions import db as _db

    login(client, "registrar")
    first = _register(client)
    for _copy in range(55):  # copies of the case, as a busy month would have
        _db.session.add(
            Case(
                hall_id=first.hall_id,
                visitor_id=first.visitor_id,
                registered_on=first.registered_on,
                account="…",
                category="住房",
            )
        )
    _db.session.commit()
    page_one = client.get("/cases/").get_data(as_text=True)
    assert "共 56 件" in page_one or "56" in page_one
    assert 'rel="next"' in page_one and page_one.count("/cases/") >= 50
    page_two = client.get("/cases/?page=2").get_data(as_text=True)
    assert first.number in page_two and 'rel="prev"' in page_two


def test_lookup_by_id_number_is_posted_and_audited(client, db):
    login(client, "registrar")
    case = _register(client)
    found = client.post("/cases/lookup", data={"id_number": ID})
    page = found.get_data(as_text=True)
    assert found.status_code == 200 and case.number in page and ID not in page
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view_visitor")).all()
    assert any(a.detail == "lookup by ID number" for a in audits)
    bad = client.post("/cases/lookup", data={"id_number": "123"})
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    nobody = client.post("/cases/lookup", data={"id_number": OTHER_ID}).get_data(as_text=True)
    assert case.number not in nobody and "0" in nobody


def test_refusing_needs_a_written_reason_and_every_step_is_in_the_history(client, db):
    login(client, "registrar")
    case = _register(client)
    for action in ("not_accepted", "not_reaccepted", "transferred"):
        refused = client.post(f"/cases/{case.id}/{action}", data={"note": "  "})
        assert refused.status_code == 422, action
        db.session.expire_all()
        assert db.session.get(Case, case.id).status == "registered"
    reason = "不属于本机关职权范围，请向法院起诉"
    client.post(f"/cases/{case.id}/not_accepted", data={"note": reason})
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == "not_accepted"
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    history = page[page.index('data-testid="case-history"') :]
    assert "不予受理" in history and "不属于本机关职权范围" in history
    assert user_by_name("registrar").display_name in history
    note = db.session.scalars(select(CaseNote).where(CaseNote.kind == "not_accepted")).one()
    assert note.staff_id == user_by_name("registrar").id
    notice = client.get(f"/cases/{case.id}/notice/non-acceptance")
    text = notice.get_data(as_text=True)
    assert notice.status_code == 200 and "不予受理告知书" in text
    assert "不属于本机关职权范围" in text and "王小明" in text and case.number in text
    assert client.get(f"/cases/{case.id}/notice/acceptance").status_code == 409
    assert client.get(f"/cases/{case.id}/notice/whatever").status_code == 404


def test_acceptance_extension_reply_and_their_notices(client, db):
    login(client, "registrar")
    case = _register(client)
    client.post(f"/cases/{case.id}/accepted", data={"note": ""})
    client.post(
        f"/cases/{case.id}/extend",
        data={"days": "20", "approver": "王局长", "reason": "需要现场勘查"},
    )
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    extension = page[page.index('data-testid="extension"') :]
    assert "王局长" in extension and "需要现场勘查" in extension
    acceptance = client.get(f"/cases/{case.id}/notice/acceptance").get_data(as_text=True)
    due = case.decided_on + timedelta(days=80)
    assert "受理告知书" in acceptance
    assert f"{due.year}年{due.month}月{due.day}日" in acceptance and "需要现场勘查" in acceptance
    assert client.post(f"/cases/{case.id}/reply", data={"note": ""}).status_code == 422
    client.post(f"/cases/{case.id}/reply", data={"note": "已责成物业于月底前修复楼顶。"})
    opinion = client.get(f"/cases/{case.id}/notice/opinion").get_data(as_text=True)
    review_due = hall_day("Asia/Shanghai", utcnow()) + timedelta(days=30)
    assert "信访处理意见书" in opinion and "已责成物业于月底前修复楼顶" in opinion
    assert f"{review_due.year}年{review_due.month}月{review_due.day}日" in opinion
    prints = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("print_%"))).all()
    assert {a.action for a in prints} == {"print_acceptance", "print_opinion"}
    history = client.get(f"/cases/{case.id}").get_data(as_text=True)
    for step in ("已受理", "延长办理期限", "已答复"):
        assert step in history, step


def test_the_history_opens_with_the_registration(client, db):
    login(client, "registrar")
    case = _register(client)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    first = page[page.index('data-testid="history-registered"') :].split("</tr>")[0]
    assert "登记" in first and "登记员" in first and case.category in first


def test_a_decision_taken_earlier_is_recorded_with_its_day_and_why(client, db):
    from reception.db.extensions import db as _db

    login(client, "registrar")
    case = _register(client)
    today = hall_day("Asia/Shanghai", utcnow())
    case.registered_on = today - timedelta(days=5)  # registered last week
    _db.session.commit()
    earlier = (today - timedelta(days=3)).isoformat()
    url = f"/cases/{case.id}/accepted"
    no_reason = client.post(url, data={"decided_on": earlier})
    assert no_reason.status_code == 422
    assert f'value="{earlier}"' in no_reason.get_data(as_text=True)  # what was typed is kept
    for bad in ((today + timedelta(days=1)).isoformat(), (today - timedelta(days=9)).isoformat()):
        assert client.post(url, data={"decided_on": bad, "late_reason": "x"}).status_code == 422
    _db.session.expire_all()
    assert _db.session.get(Case, case.id).status == "registered"
    done = client.post(url, data={"decided_on": earlier, "late_reason": "系统停机，纸质登记"})
    assert done.status_code == 303
    _db.session.expire_all()
    case = _db.session.get(Case, case.id)
    assert case.status == "accepted" and case.decided_on.isoformat() == earlier
    [dated] = _db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "case_decision_dated")
    ).all()
    assert earlier in dated.detail and "系统停机" in dated.detail
    history = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "系统停机，纸质登记" in history and earlier in history
    notice = client.get(f"/cases/{case.id}/notice/acceptance").get_data(as_text=True)
    decided = case.decided_on
    assert f"{decided.year}年{decided.month}月{decided.day}日决定予以受理" in notice
    ref = notice[notice.index('data-testid="notice-ref"') :].split("</p>")[0]
    assert f"信受告〔{decided.year}〕{case.id}号" in ref
    assert 'data-testid="notice-seal"' in notice and "盖章" in notice
