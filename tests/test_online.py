"""The online door (网上信访): sending a matter from a phone (the code, the limits, the files),
the registrar's inbox and routing, the petitioner's own page to the end, the texts, Art. 30."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from reception.core.clock import hall_day
from reception.core.errors import IllegalMove
from reception.db.extensions import db
from reception.models import (
    AuditEntry,
    Case,
    CaseStatus,
    MaterialRequest,
    OnlineAttempt,
    OnlineFile,
    OnlinePetition,
    OutboxMessage,
    PhoneCode,
    ReplyRating,
    Service,
)
from reception.models.types import utcnow
from reception.online import files, limits
from tests.helpers import login, user_by_name
from tests.test_halls import city  # noqa: F401 - the demo city's fixture

PHONE = "13800138000"
ID_NUMBER = "11010519491231002X"


def picture(kind: str = "PNG", colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, kind)
    return buffer.getvalue()


def department(name: str) -> Service:
    return db.session.scalars(select(Service).where(Service.name == name)).one()


def form(**changes) -> dict:
    data = {
        "name": "王小明",
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "request": "请求维修楼顶漏水。",
        "facts": "小区楼顶漏水三年，物业不处理。",
        "category": "住房",
        "purpose": "求决",
        "department_id": str(department("市住建局").id),
        "place": "人民路1号",
        "group_size": "1",
        "representatives": "",
    }
    data.update(changes)
    return data


def age_codes() -> None:
    """The last code was asked for two minutes ago (one a minute to a number)."""
    db.session.execute(
        text("UPDATE phone_codes SET sent_at = :t"), {"t": utcnow() - timedelta(minutes=2)}
    )
    db.session.commit()


def send_code(client, phone: str = PHONE, root: str = "") -> str:
    """Ask for a code at the hall whose addresses start with `root`; the code the text holds."""
    age_codes()
    answer = client.post(
        f"{root}/online/code", data={"phone": phone}, headers={"X-Requested-With": "fetch"}
    )
    assert answer.status_code == 200, answer.get_json()
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "online_code")
        .order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"验证码(\d{6})", message.body).group(1)


def submit(client, code: str, files=(), **changes):
    data = form(code=code, **changes)
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(
        "/online/",
        data=data,
        content_type="multipart/form-data",
        headers={"X-Requested-With": "fetch"},
    )


def sent(client, files=None, **changes):
    """A matter sent with its code (two photos unless told); returns (petition, 查询码)."""
    if files is None:
        files = [("门.png", picture()), ("墙.jpg", picture("JPEG"))]
    answer = submit(client, send_code(client), files, **changes)
    assert answer.status_code == 200, answer.get_json()
    page = client.get("/online/done").get_data(as_text=True)
    code = re.search(r'data-testid="query-code">([A-Z0-9-]+)<', page).group(1)
    petition = db.session.scalars(select(OnlinePetition).order_by(OnlinePetition.id.desc())).first()
    return petition, code


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_nothing_is_stored_until_the_code_is_confirmed_then_everything_is(client, hall):
    code = send_code(client)
    wrong = "000000" if code != "000000" else "111111"
    refused = submit(client, wrong, [("门.png", picture())])
    assert refused.status_code == 422
    assert "code" in refused.get_json()["fields"]
    assert count(OnlinePetition) == 0 and count(OnlineFile) == 0
    assert db.session.scalars(select(PhoneCode)).one().tries == 1  # the try is counted
    petition, query = sent(client)
    assert petition.name == "王小明" and petition.received_on == hall_day(hall.timezone, utcnow())
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", query)
    assert petition.query_hash and query.replace("-", "") not in petition.query_hash
    kinds = [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert kinds[-1] == "online_received"
    # the code is used up: sending again with it is refused
    assert submit(client, code).status_code == 422


def test_attachments_are_stored_encrypted_and_typed_by_content(client, hall):
    png = picture()
    petition, _query = sent(client, files=[("照片.pdf", png), ("证明.jpg", picture("JPEG"))])
    stored = db.session.scalars(select(OnlineFile).order_by(OnlineFile.id)).all()
    assert [f.mimetype for f in stored] == ["image/png", "image/jpeg"]  # not by the name
    raw = db.session.execute(text("SELECT data, name FROM online_files ORDER BY id")).all()
    assert png not in raw[0][0] and b"PNG" not in raw[0][0]
    assert "照片".encode() not in raw[0][1]
    # a text file named .jpg, an empty file, too many files: refused, nothing stored
    code = send_code(client, "13900139000")
    for chosen, reason in (
        ([("x.jpg", b"<script>alert(1)</script>")], "x.jpg"),
        ([("y.png", picture()[:40])], "y.png"),
        ([(f"{n}.png", picture()) for n in range(6)], "5"),
    ):
        answer = submit(client, code, chosen, phone="13900139000")
        assert answer.status_code == 422 and reason in answer.get_json()["message"]
    assert count(OnlinePetition) == 1


def test_refused_input_comes_back_with_everything_typed(client):
    code = send_code(client)
    page = client.post(
        "/online/", data=form(code=code, id_number="110105194912310021")
    )  # a wrong check digit, no script
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "check digit" in html or "校验位" in html
    for typed in ("王小明", "请求维修楼顶漏水。", "人民路1号", "110105194912310021", code):
        assert typed in html
    assert count(OnlinePetition) == 0


def test_the_limits_per_number_and_per_address(client, app):
    send_code(client)
    again = client.post(
        "/online/code", data={"phone": PHONE}, headers={"X-Requested-With": "fetch"}
    )
    assert again.status_code == 429 and "一分钟" in again.get_json()["message"]
    for _n in range(limits.PETITIONS_PER_PHONE_DAY):
        sent(client)
    answer = submit(client, send_code(client))
    assert answer.status_code == 429
    assert count(OnlinePetition) == limits.PETITIONS_PER_PHONE_DAY


def test_the_query_code_and_phone_open_the_page_and_guessing_is_stopped(client, app):
    _petition, query = sent(client)
    other = app.test_client()
    assert other.get("/online/matter").status_code == 303  # nothing opened yet
    wrong = other.post("/online/lookup", data={"query_code": query, "phone": "13900139000"})
    assert wrong.status_code == 422
    opened = other.post("/online/lookup", data={"query_code": query.lower(), "phone": PHONE})
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/online/matter")
    page = other.get("/online/matter").get_data(as_text=True)
    assert "王*明" in page and "王小明" not in page and ID_NUMBER not in page
    assert query not in page
    guesser = app.test_client()
    for _ in range(limits.LOOKUP_FAILURES_PER_ADDRESS):
        guesser.post("/online/lookup", data={"query_code": "AAAA-BBBB-CCCC", "phone": PHONE})
    # five misses for the number: even the right code is refused for a while
    blocked = guesser.post("/online/lookup", data={"query_code": query, "phone": PHONE})
    assert blocked.status_code == 422 and "15" in blocked.get_data(as_text=True)
    assert count(OnlineAttempt) == 1 + limits.LOOKUP_FAILURES_PER_PHONE
    # ten misses from one address, whatever the numbers: that address is stopped too
    db.session.execute(text("DELETE FROM online_attempts"))
    db.session.commit()
    for n in range(limits.LOOKUP_FAILURES_PER_ADDRESS):
        guesser.post("/online/lookup", data={"query_code": query, "phone": f"1390013{n:04d}"})
    assert count(OnlineAttempt) == limits.LOOKUP_FAILURES_PER_ADDRESS
    stopped = guesser.post("/online/lookup", data={"query_code": query, "phone": PHONE})
    assert stopped.status_code == 422 and "15" in stopped.get_data(as_text=True)


def _register(client, petition, **changes):
    data = {
        "category": "住房",
        "purpose": "求决",
        "department_id": str(department("市住建局").id),
    }
    data.update(changes)
    return client.post(f"/cases/online/{petition.id}/register", data=data)


def test_the_registrar_routes_it_and_the_fifteen_days_run_from_its_arrival(client, app, hall):
    petition, _query = sent(client)
    arrived = petition.received_on - timedelta(days=3)
    petition.received_on = arrived
    db.session.commit()
    staff = app.test_client()
    login(staff, "registrar")
    inbox = staff.get("/cases/online/").get_data(as_text=True)
    assert "王*明" in inbox and "王小明" not in inbox
    detail = staff.get(f"/cases/online/{petition.id}")
    assert detail.status_code == 200 and "王小明" in detail.get_data(as_text=True)
    file = db.session.scalars(select(OnlineFile)).first()
    fetched = staff.get(f"/cases/online/files/{file.id}")
    assert fetched.status_code == 200 and fetched.data == picture()
    assert fetched.headers["Content-Disposition"].startswith("attachment;")
    assert fetched.mimetype == "application/octet-stream"
    assert fetched.headers["X-Content-Type-Options"] == "nosniff"
    answer = _register(staff, petition, urgent="1")
    assert answer.status_code == 303
    case = db.session.get(Case, db.session.get(OnlinePetition, petition.id).case_id)
    assert case.registered_on == arrived and case.urgent and case.status == CaseStatus.REGISTERED
    # urgent reaches the supervisor's board as at the counter (an online matter has no number)
    from reception.models import Alert

    assert [(a.kind, a.case_id) for a in db.session.scalars(select(Alert))] == [("urgent", case.id)]
    assert case.visitor.name == "王小明" and case.request == "请求维修楼顶漏水。"
    assert petition.id not in [
        p.id
        for p in db.session.scalars(select(OnlinePetition).where(OnlinePetition.case_id.is_(None)))
    ]
    audited = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "view_online")
    ).all()
    assert len(audited) >= 2  # the matter and its file
    admin = app.test_client()
    login(admin, "admin")
    trail = admin.get("/admin/audit").get_data(as_text=True)
    assert f"online matter {petition.id}: file {file.id}" in trail  # which matter, which file
    assert "王小明" not in trail and ID_NUMBER not in trail
    # the same person sends again: the registrar is warned of the open matter (Art. 19)
    second, _q = sent(client)
    page = staff.get(f"/cases/online/{second.id}").get_data(as_text=True)
    assert 'data-testid="art19"' in page and case.number in page


def registered(client, app):
    """A matter sent from `client` and registered by the registrar: (petition, 查询码, the
    registrar's browser, the case's id)."""
    petition, query = sent(client)
    staff = app.test_client()
    login(staff, "registrar")
    assert _register(staff, petition).status_code == 303
    return petition, query, staff, db.session.get(OnlinePetition, petition.id).case_id


def test_the_petitioner_follows_it_to_review(client, app, hall):
    petition, query, staff, case_id = registered(client, app)
    page = client.get("/online/matter").get_data(as_text=True)
    assert 'data-testid="step-registered"' in page
    assert staff.post(f"/cases/{case_id}/accepted", data={}).status_code == 303
    page = client.get("/online/matter").get_data(as_text=True)
    assert 'data-testid="step-accepted"' in page and 'data-testid="notice-acceptance"' in page
    assert re.search(r'data-testid="matter-now">\s*办理中', page)
    notice = client.get("/online/matter/notice/acceptance")
    assert notice.status_code == 200 and "受理告知书" in notice.get_data(as_text=True)
    assert "王小明" not in notice.get_data(as_text=True)
    download = client.get("/online/matter/notice/acceptance?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert client.get("/online/matter/notice/opinion").status_code == 404
    # material asked for, answered with a photo
    assert (
        staff.post(
            f"/cases/online/{petition.id}/material", data={"text": "请补充维修记录照片"}
        ).status_code
        == 303
    )
    asked = db.session.scalars(select(MaterialRequest)).one()
    # asking for material pauses no clock: the 60 days still run from the acceptance
    from reception.triage import clocks

    accepted = db.session.get(Case, case_id)
    assert clocks.next_deadline(accepted).due == accepted.decided_on + timedelta(days=60)
    assert "请补充维修记录照片" in client.get("/online/matter").get_data(as_text=True)
    answered = client.post(
        f"/online/matter/material/{asked.id}",
        data={"answer": "已补充", "files": [(io.BytesIO(picture("PNG", "blue")), "记录.png")]},
        content_type="multipart/form-data",
    )
    assert answered.status_code == 303
    assert count(OnlineFile) == 3
    # the opinion, rated 不满意, and the review asked for
    assert (
        staff.post(f"/cases/{case_id}/reply", data={"note": "已责成物业维修。"}).status_code == 303
    )
    page = client.get("/online/matter").get_data(as_text=True)
    assert 'data-testid="step-reply"' in page and 'data-testid="ask-review"' in page
    assert client.post("/online/matter/rate", data={"unit": "bad"}).status_code == 422  # both asked
    assert (
        client.post("/online/matter/rate", data={"unit": "bad", "office": "fair"}).status_code
        == 303
    )
    assert (
        client.post("/online/matter/rate", data={"unit": "good", "office": "good"}).status_code
        == 409
    )
    rating = db.session.scalars(select(ReplyRating)).one()
    assert (rating.stage, rating.unit_level, rating.office_level) == ("opinion", "bad", "fair")
    asked_review = client.post("/online/matter/ask/review", data={"reason": "维修不彻底"})
    assert asked_review.status_code == 303
    case = db.session.get(Case, case_id)
    today = hall_day(hall.timezone, utcnow())
    assert case.review_requested_on == today
    page = client.get("/online/matter").get_data(as_text=True)
    assert "复查中" in page
    assert re.findall(r'data-testid="step-([a-z_-]+)"', page) == [
        *("received", "registered", "accepted", "material", "material_answered", "reply"),
        "review",
    ]  # in the order it happened
    staff_page = staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert str(today + timedelta(days=30)) in staff_page and "维修不彻底" in staff_page
    assert 'data-testid="reply-ratings"' in staff_page
    kinds = [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert {"online_received", "online_accepted", "online_material", "online_opinion"} <= set(kinds)
    # the text's link opens the page in another browser
    link = db.session.scalars(select(OnlinePetition.link)).first()
    phone = app.test_client()
    assert phone.get(f"/s/{link}").status_code == 303
    assert 'data-testid="step-review"' in phone.get("/online/matter").get_data(as_text=True)
    assert app.test_client().get("/s/zzzzzz").status_code == 404
    # the review answered: that answer is rated in its turn, and re-examination may be asked
    assert staff.post(f"/cases/{case_id}/review-answer", data={}).status_code == 303
    page = client.get("/online/matter").get_data(as_text=True)
    assert "已复查" in page and 'data-testid="ask-recheck"' in page
    assert 'data-testid="unit-bad"' in page  # the review's answer is not rated yet
    assert (
        client.post("/online/matter/rate", data={"unit": "fair", "office": "fair"}).status_code
        == 303
    )
    assert client.post("/online/matter/ask/recheck", data={"reason": "仍不服"}).status_code == 303
    case = db.session.get(Case, case_id)
    assert case.recheck_requested_on == today
    assert "online_review" in [m.kind for m in db.session.scalars(select(OutboxMessage))]
    assert sorted(r.stage for r in db.session.scalars(select(ReplyRating))) == ["opinion", "review"]
    staff_page = staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert str(today + timedelta(days=30)) in staff_page and "仍不服" in staff_page
    assert "复核中" in client.get("/online/matter").get_data(as_text=True)


def test_a_group_asking_together_names_at_most_five_representatives(client, app):
    """Art. 20: several people asking together name their representatives (at most five); the
    registered matter keeps the group size and the names."""
    from reception.models import Representative

    code = send_code(client)
    alone = submit(client, code, group_size="3")
    assert alone.status_code == 422 and "代表" in alone.get_json()["message"]
    six = "\n".join(f"代表{n}" for n in range(6))
    too_many = submit(client, code, group_size="8", representatives=six)
    assert too_many.status_code == 422 and "5" in too_many.get_json()["message"]
    assert count(OnlinePetition) == 0
    petition, _query = sent(client, group_size="3", representatives="张三\n李四")
    staff = app.test_client()
    login(staff, "registrar")
    assert _register(staff, petition).status_code == 303
    case = db.session.scalars(select(Case)).one()
    assert case.group_size == 3
    assert [r.name for r in db.session.scalars(select(Representative))] == ["张三", "李四"]


def test_a_hall_visitors_ticket_opens_the_same_page(client, app, hall):
    from tests.helpers import matter_form

    staff = app.test_client()
    login(staff, "registrar")
    service = department("市住建局")
    answer = staff.post("/registration/", data=matter_form(service.id))
    assert answer.status_code in (200, 302, 303)
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    from reception.models import Ticket

    ticket = db.session.scalars(select(Ticket).where(Ticket.case_id == case.id)).one()
    status = client.get(f"/t/{ticket.token}").get_data(as_text=True)
    assert f"/t/{ticket.token}/matter" in status
    opened = client.get(f"/t/{ticket.token}/matter")
    assert opened.status_code == 303
    page = client.get("/online/matter").get_data(as_text=True)
    assert case.number in page and 'data-testid="step-registered"' in page
    assert "王*明" in page and "王小明" not in page


def test_the_accused_departments_staff_neither_list_nor_fetch_it(client, app, hall):
    """Art. 30: an accusation sent online against 市住建局 — its staff in every role (a registrar,
    a desk, a supervisor and a leader of that department) never list it, open it, fetch its
    files, register it or ask for its material, before or after it is registered."""
    housing = department("市住建局")
    petition, _query = sent(client, accusation="1", department_id=str(housing.id))
    assert petition.accusation and petition.purpose == "揭发控告"
    file = db.session.scalars(select(OnlineFile)).first()
    for name in ("registrar", "supervisor", "leader"):
        user_by_name(name).department_id = housing.id
    db.session.commit()
    accused = {name: app.test_client() for name in ("registrar", "zhujian", "supervisor", "leader")}
    for name, browser in accused.items():
        login(browser, name)

    def sees_nothing() -> None:
        for name, browser in accused.items():
            listing = browser.get("/cases/online/")
            assert listing.status_code == 403 or "王*明" not in listing.get_data(as_text=True), name
            assert browser.get(f"/cases/online/{petition.id}").status_code in (403, 404), name
            assert browser.get(f"/cases/online/files/{file.id}").status_code in (403, 404), name
            cases = browser.get("/cases/").get_data(as_text=True)
            assert "网上信访件 (0)" in cases or "网上信访件" not in cases, name
            moved = browser.post(f"/cases/online/{petition.id}/material", data={"text": "x"})
            assert moved.status_code in (403, 404), name
            routed = _register(browser, petition, department_id="")
            assert routed.status_code in (403, 404), name
        assert count(MaterialRequest) == 0

    sees_nothing()
    registrar = app.test_client()
    login(registrar, "admin")  # a registrar of no department: they may
    assert "王*明" in registrar.get("/cases/online/").get_data(as_text=True)
    planning = department("市规划和自然资源局")
    answer = _register(
        registrar,
        petition,
        department_id=str(planning.id),
        accusation="1",
        accused_id=str(housing.id),
    )
    assert answer.status_code == 303
    case_id = db.session.get(OnlinePetition, petition.id).case_id
    sees_nothing()
    for name, browser in accused.items():
        assert browser.get(f"/cases/{case_id}").status_code in (403, 404), name
        assert "王*明" not in browser.get("/cases/").get_data(as_text=True), name
        assert "揭发控告" not in browser.get("/cases/").get_data(as_text=True), name
    assert registrar.get(f"/cases/online/files/{file.id}").status_code == 200
    assert count(Case) == 1


def test_a_matter_sent_online_counts_as_网上_in_the_statistics_and_the_records(client, app, hall):
    """Art. 41's sheet and the 信访件 records tell the online door's matters (网上) from the
    hall's (走访)."""
    from reception.oversight.exports.petitions import records
    from reception.oversight.reports.annual import annual
    from reception.oversight.reports.scope import scope_for
    from tests.helpers import matter_form

    petition, _query = sent(client)
    staff = app.test_client()
    login(staff, "registrar")
    _register(staff, petition)
    staff.post("/registration/", data=matter_form(department("市住建局").id))
    today = hall_day(hall.timezone, utcnow())
    forms = {form: count for form, count, _people in annual(hall, today.year)["form"]}
    assert forms == {"visit": 1, "letter": 0, "online": 1, "phone": 0}
    channels = {key: count for key, count, _people in annual(hall, today.year)["channel"]}
    assert channels == {"registration": 1, "online": 1}
    rows = records(hall, scope_for(hall, today, today))
    assert sorted(row["xfxs"] for row in rows) == sorted(["网上", "走访"])


@pytest.mark.services
def test_the_online_door_on_postgresql(postgres_app):
    """Sent, encrypted, registered and followed on PostgreSQL (a code's row locked while it is
    checked; the attachment in a bytea)."""
    app, _ = postgres_app
    phone, staff = app.test_client(), app.test_client()
    with app.app_context():
        petition, query = sent(phone)
        petition_id = petition.id
        raw = db.session.execute(text("SELECT data FROM online_files")).scalars().all()
        assert len(raw) == 2 and all(b"PNG" not in bytes(blob)[:64] for blob in raw)
        login(staff, "registrar")
        assert _register(staff, petition).status_code == 303
        case_id = db.session.get(OnlinePetition, petition_id).case_id
        db.session.remove()
    assert staff.post(f"/cases/{case_id}/accepted", data={}).status_code == 303
    other = app.test_client()
    assert (
        other.post("/online/lookup", data={"query_code": query, "phone": PHONE}).status_code == 303
    )
    assert 'data-testid="step-accepted"' in other.get("/online/matter").get_data(as_text=True)
    with app.app_context():
        db.session.remove()


def test_the_code_expires_and_a_file_over_10_mb_is_refused(client, monkeypatch):
    code = send_code(client)
    db.session.execute(
        text("UPDATE phone_codes SET expires_at = :t"), {"t": utcnow() - timedelta(seconds=1)}
    )
    db.session.commit()
    expired = submit(client, code)
    assert expired.status_code == 422 and "失效" in expired.get_json()["message"]
    # the limit made small here: a body of 10 MB would be spooled by the test client to a
    # temporary file that werkzeug's test client never closes (a ResourceWarning)
    monkeypatch.setattr(files, "MAX_BYTES", 4096)
    big = picture() + b"\0" * (files.MAX_BYTES + 1 - len(picture()))
    answer = submit(client, send_code(client), [("大.png", big)])
    assert answer.status_code == 422 and "10 MB" in answer.get_json()["message"]
    assert count(OnlinePetition) == 0 and count(OnlineFile) == 0


def test_a_matter_sent_at_a_countys_address_is_that_countys_alone(client, app, city):  # noqa: F811
    """Sent at /h/qinghe/online/: received by 清河县's registrar, not listed at the centre."""
    code = send_code(client, root="/h/qinghe")
    answer = client.post(
        "/h/qinghe/online/",
        data=form(code=code, department_id=""),
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["redirect"].startswith("/h/qinghe/online/")
    petition = db.session.scalars(select(OnlinePetition)).one()
    assert petition.hall_id == city["qinghe"].id
    centre, county = app.test_client(), app.test_client()
    login(centre, "registrar")
    login(county, "qh_registrar")
    assert "王*明" not in centre.get("/cases/online/").get_data(as_text=True)
    assert centre.get(f"/cases/online/{petition.id}").status_code == 404
    assert "王*明" in county.get("/h/qinghe/cases/online/").get_data(as_text=True)
    assert county.get(f"/h/qinghe/cases/online/{petition.id}").status_code == 200


def test_having_sent_a_matter_the_person_books_a_visit_without_typing_again(client, app):
    _petition, query = sent(client)
    lawyer = db.session.scalars(select(Service).where(Service.prefix == "L")).one()
    page = client.get(f"/book/{lawyer.id}").get_data(as_text=True)
    assert 'value="王小明"' in page and PHONE in page and ID_NUMBER in page
    assert "请求维修楼顶漏水" in page
    # opened later by the 查询码 (or a text's link), the page never fills the identity in
    other = app.test_client()
    other.post("/online/lookup", data={"query_code": query, "phone": PHONE})
    assert "王小明" not in other.get(f"/book/{lawyer.id}").get_data(as_text=True)


def test_codes_and_failed_look_ups_are_forgotten_once_no_limit_needs_them(client, app):
    """A number's and an address's hashes are kept only while they stop abuse (two days)."""
    from reception import jobs

    send_code(client)
    client.post("/online/lookup", data={"query_code": "AAAA-BBBB-CCCC", "phone": PHONE})
    assert count(PhoneCode) == 1 and count(OnlineAttempt) == 1
    jobs.run_duties(app, utcnow() + timedelta(days=1))
    assert count(PhoneCode) == 1 and count(OnlineAttempt) == 1
    jobs.run_duties(app, utcnow() + limits.KEEP + timedelta(minutes=1))
    assert count(PhoneCode) == 0 and count(OnlineAttempt) == 0


def test_two_registrars_never_register_one_matter_twice(client, app, hall):
    """The second registrar's page was drawn before the first pressed 登记: refused, and the
    case it began is rolled back (one matter, one case)."""
    from sqlalchemy.orm.attributes import set_committed_value

    from reception.online import receiving
    from reception.triage.registration import MatterInput

    petition, _query = sent(client)
    staff = app.test_client()
    login(staff, "registrar")
    assert _register(staff, petition).status_code == 303
    # what the second registrar's transaction read before the first one committed
    stale = db.session.get(OnlinePetition, petition.id)
    set_committed_value(stale, "case_id", None)
    with pytest.raises(IllegalMove):
        receiving.register(
            stale,
            hall,
            MatterInput(account="", category="住房"),
            staff_id=user_by_name("registrar").id,
            categories=["住房"],
            elderly_age=70,
            now=utcnow(),
        )
    db.session.rollback()
    assert count(Case) == 1


def test_a_reply_rated_twice_at_the_same_instant_is_rated_once(client, app, monkeypatch):
    """Two taps that both found the reply unrated: the database keeps one rating a stage."""
    from reception.online import follow

    _petition, _query, staff, case_id = registered(client, app)
    staff.post(f"/cases/{case_id}/accepted", data={})
    staff.post(f"/cases/{case_id}/reply", data={"note": "已处理。"})
    assert (
        client.post("/online/matter/rate", data={"unit": "good", "office": "good"}).status_code
        == 303
    )
    monkeypatch.setattr(follow, "ratings_of", lambda case: {})  # as the second tap saw it
    again = client.post("/online/matter/rate", data={"unit": "bad", "office": "bad"})
    assert again.status_code == 409
    assert [r.unit_level for r in db.session.scalars(select(ReplyRating))] == ["good"]
