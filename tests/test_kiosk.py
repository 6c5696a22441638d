"""The kiosk page, issuing from it, the printed ticket and the visitor's ticket page."""

from __future__ import annotations

import re

from flask_babel import refresh
from sqlalchemy import func, select

from reception.models import Ticket
from tests.helpers import refused_at_kiosk, service_by_prefix


def test_kiosk_shows_a_button_per_active_service(client, db):
    page = client.get("/kiosk/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "市规划和自然资源局" in html and "律师接访" in html and "心理疏导" in html
    assert html.count('name="service_id"') == 15
    assert 'lang="zh-CN"' in html


def test_issuing_leads_to_the_printable_ticket(client, db):
    service = service_by_prefix("L")
    response = client.post("/kiosk/issue", data={"service_id": service.id})
    assert response.status_code == 302
    slip = client.get(response.headers["Location"])
    html = slip.get_data(as_text=True)
    assert slip.status_code == 200
    assert "L001" in html and "律师接访" in html and "二楼律师接待室外" in html
    assert "您前面还有 0 人" in html
    assert "<svg" in html
    assert slip.headers["Referrer-Policy"] == "no-referrer"


def test_people_ahead_counts_the_queue(client, db):
    service = service_by_prefix("A")
    for _ in range(3):
        client.post("/kiosk/issue", data={"service_id": service.id})
    response = client.post("/kiosk/issue", data={"service_id": service.id})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A004" in html and "您前面还有 3 人" in html


def test_bad_service_is_refused_and_issues_nothing(client, db):
    for data in ({}, {"service_id": "abc"}, {"service_id": "-1"}, {"service_id": "99999"}):
        page = refused_at_kiosk(client, data)
        assert 'role="alert"' in page, data
    assert db.session.scalar(select(func.count(Ticket.id))) == 0


def test_inactive_service_is_refused(client, db):
    service = service_by_prefix("V")
    service.active = False
    db.session.commit()
    assert "视频接访" not in client.get("/kiosk/").get_data(as_text=True)
    assert "暂停取号" in refused_at_kiosk(client, {"service_id": service.id})


def test_issuing_is_a_post_only(client, db):
    assert client.get("/kiosk/issue?service_id=1").status_code == 405


def test_ticket_page_shows_state_and_unknown_token_is_a_friendly_404(client, db):
    response = client.post("/kiosk/issue", data={"service_id": service_by_prefix("B").id})
    token = response.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/t/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "B001" in html and "等候中" in html
    missing = client.get("/t/not-a-real-token")
    assert missing.status_code == 404
    assert "页面或号票不存在" in missing.get_data(as_text=True)


def test_token_is_long_random_and_urls_carry_nothing_else(client, db):
    tokens = set()
    for _ in range(5):
        response = client.post("/kiosk/issue", data={"service_id": service_by_prefix("C").id})
        location = response.headers["Location"]
        token = location.rsplit("/", 1)[1]
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 24 random bytes = 192 bits
        tokens.add(token)
    assert len(tokens) == 5


def test_english_is_available(client, db):
    html = client.get("/kiosk/?lang=en").get_data(as_text=True)
    assert "Planning and Natural Resources Bureau" in html
    assert 'lang="en"' in html
    switched = client.get("/lang/en?next=/kiosk/")
    assert switched.status_code == 302
    assert "Touch the department" in client.get("/kiosk/").get_data(as_text=True)


def test_language_switch_refuses_foreign_redirects(client, db):
    response = client.get("/lang/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_the_kiosk_returns_to_the_halls_language_for_the_next_visitor(client, db):
    client.get("/lang/en?next=/kiosk/")
    english = client.get("/kiosk/").get_data(as_text=True)
    refresh()
    assert "Take a ticket" in english or "Touch the department" in english
    issued = client.post("/kiosk/issue", data={"service_id": service_by_prefix("A").id})
    slip = client.get(issued.headers["Location"]).get_data(as_text=True)
    back = re.search(r'href="([^"]*)" id="done"', slip).group(1).replace("&amp;", "&")
    assert "next_visitor=1" in back
    reset = client.get(back)
    assert reset.status_code == 302
    assert any(c.startswith("lang=zh_CN;") for c in reset.headers.getlist("Set-Cookie"))
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    page = client.get(reset.headers["Location"]).get_data(as_text=True)
    assert "请点击您要办理的部门或窗口" in page
    assert "Touch the department" not in page


def test_checking_in_on_another_day_says_when_to_come(client, db, hall):
    from datetime import timedelta

    from reception.appointments import booking
    from reception.appointments.slots import bookable_days, slots_for
    from reception.models.types import utcnow
    from reception.web.edge.running import settings
    from tests.helpers import local

    rules, service = settings().booking, service_by_prefix("A")
    day = next(d for d in bookable_days(hall, utcnow(), rules) if slots_for(hall, service, d))
    slot = slots_for(hall, service, day)[0]
    visitor = booking.Booker(name="甲", phone="13900000001")
    made = booking.book(hall, service.id, slot.starts_at, visitor, policy=rules)
    db.session.commit()
    page = client.post("/kiosk/checkin", data={"code": made.code})
    text = page.get_data(as_text=True)
    starts = local(day.isoformat(), slot.local_start.strftime("%H:%M"))
    opens = (starts - timedelta(minutes=rules.early_minutes)).strftime("%H:%M")
    closes = (starts + timedelta(minutes=rules.late_minutes)).strftime("%H:%M")
    assert page.status_code == 409
    assert f"您的预约是 {day.month}月{day.day}日 {starts:%H:%M}" in text
    assert f"请当天 {opens}–{closes} 签到" in text
