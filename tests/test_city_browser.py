"""A city on one deployment, in Chromium: the city's supervisor sees eleven halls live on one
1920×1080 wall screen and opens a county's board from it; a county's lobby screen, enrolled to
its hall, follows that hall's calls over its own socket address; a county's registrar works in
their hall only."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from reception.hall.description import DEMO_CITY
from tests.browser import screenshot, staff_page
from tests.helpers import matter_form
from tests.live_server import Hall, cli

pytestmark = pytest.mark.browser

COUNTIES = ("xinhe", "nangong", "wei-xian", "pingxiang", "guangzong", "julu", "linxi", "neiqiu")


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Iterator[Hall]:
    """The demo city (the centre and two counties) and eight county halls more: eleven."""
    instance = tmp_path_factory.mktemp("city")
    running = Hall(instance)
    county = json.loads(DEMO_CITY[2].read_text(encoding="utf-8"))
    for n, code in enumerate(COUNTIES):
        description = {
            **county,
            "name": f"第{n + 3}县人民来访接待中心",
            "code": code,
            "users": [],
        }
        path = instance / f"{code}.json"
        path.write_text(json.dumps(description, ensure_ascii=False), encoding="utf-8")
        cli(instance, "load-hall", str(path))
    yield running
    running.stop()


def _api(city: Hall, root: str, method: str, path: str, json_body=None) -> dict:
    answer = requests.request(
        method,
        f"{city.url}{root}/api/v1{path}",
        json=json_body,
        timeout=10,
        headers={"Authorization": f"Bearer {city.api_token}"},  # a city account: every hall
    )
    assert answer.status_code < 300, answer.text
    return answer.json()


def test_the_city_board_shows_eleven_halls_live_on_a_wall_screen(browser, city):
    context, board = staff_page(
        browser, city.url, "supervisor", viewport={"width": 1920, "height": 1080}
    )
    board.goto(f"{city.url}/city/")
    board.wait_for_function("document.body.dataset.connection === 'online'")
    cards = board.get_by_test_id("city-hall")
    assert cards.count() == 11
    for n in range(11):  # all of them in sight at once, nothing to scroll
        box = cards.nth(n).bounding_box()
        assert box["y"] + box["height"] <= 1080 and box["x"] + box["width"] <= 1920, (n, box)
    qinghe = board.locator(".city-card").filter(has_text="清河县人民来访接待中心")
    assert qinghe.locator("[data-field='waiting']").inner_text() == "0"
    # a visitor takes a ticket at 清河县's kiosk: its card shows it, with no reload
    board.evaluate("window.__sameLoad = true")
    services = requests.get(f"{city.url}/h/qinghe/api/v1/services", timeout=10).json()
    service_id = next(s["id"] for s in services["services"] if s["prefix"] == "B")
    ticket = _api(city, "/h/qinghe", "POST", "/tickets", {"service_id": service_id})["ticket"]
    assert "/h/qinghe/t/" in ticket["url"]
    waiting = qinghe.locator("[data-field='waiting']")
    board.wait_for_function(
        'document.querySelector("#hall-" + arguments[0] + " [data-field=\'waiting\']")'
        ".textContent === '1'".replace("arguments[0]", qinghe.get_attribute("data-hall-id")),
        timeout=5000,
    )
    assert waiting.inner_text() == "1"
    assert qinghe.locator("[data-field='issued']").inner_text() == "1"
    assert board.evaluate("window.__sameLoad") is True
    screenshot(board, "city-board-wall")
    # the card opens that county's own board
    qinghe.get_by_role("link", name="清河县人民来访接待中心").click()
    board.wait_for_url("**/h/qinghe/supervisor/")
    board.wait_for_function("document.body.dataset.connection === 'online'")
    assert "清河县人民来访接待中心" in board.title()
    assert board.get_by_test_id("t-issued").inner_text() == "1"
    context.close()


def test_a_county_screen_follows_its_own_halls_calls(browser, city):
    out = cli(
        city.instance, "enroll-display", "qinghe lobby", "--hall", "qinghe", "--base-url", city.url
    )
    address = out.strip().splitlines()[-1].strip()
    assert address.startswith(f"{city.url}/h/qinghe/display/enrol/")
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = context.new_page()
    screen.goto(address)
    screen.wait_for_url("**/h/qinghe/display/")
    screen.wait_for_function("document.body.dataset.connection === 'online'")
    assert "清河县人民来访接待中心" in screen.content()
    out = cli(
        city.instance,
        "create-user",
        "qh_api",
        "--role",
        "desk",
        "--hall",
        "qinghe",
        "--desks",
        "all",
        "--password",
        "desk-password",
        "--api-token",
    )
    token = out.strip().rsplit(" ", 1)[1]
    services = requests.get(f"{city.url}/h/qinghe/api/v1/services", timeout=10).json()
    service_id = next(s["id"] for s in services["services"] if s["prefix"] == "C")
    ticket = _api(city, "/h/qinghe", "POST", "/tickets", {"service_id": service_id})["ticket"]
    called = requests.post(
        f"{city.url}/h/qinghe/api/v1/desks/{_qinghe_desk(city, 3)}/call-next",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["number"] == ticket["number"]
    # the account works in 清河县 only: the centre's desks are not its own
    refused = requests.post(
        f"{city.url}/api/v1/desks/4/call-next",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert refused.status_code == 403
    screen.get_by_test_id("current-call").filter(has_text=ticket["number"]).wait_for(timeout=5000)
    # a call in the centre does not reach the county's screen
    centre = city.issue("D")
    city.api("POST", "/desks/4/call-next")
    screen.wait_for_timeout(1500)
    assert centre["number"] not in screen.locator("#recent-calls").inner_text()
    screenshot(screen, "county-lobby")
    context.close()


def _qinghe_desk(city: Hall, number: int) -> int:
    import sqlite3

    with sqlite3.connect(city.instance / "reception.sqlite3") as database:
        return database.execute(
            "SELECT desks.id FROM desks JOIN halls ON halls.id = desks.hall_id "
            "WHERE halls.code = 'qinghe' AND desks.number = ?",
            (number,),
        ).fetchone()[0]


def test_a_county_registrar_works_in_their_hall_only(browser, city):
    context, page = staff_page(browser, city.url, "qh_registrar")
    page.wait_for_url("**/h/qinghe/registration/")
    links = page.locator("header.topbar nav a[data-testid^='nav-']")
    hrefs = [links.nth(n).get_attribute("href") for n in range(links.count())]
    assert hrefs and all(href.startswith("/h/qinghe/") for href in hrefs), hrefs
    # the language switch keeps the hall
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/h/qinghe/registration/")
    page.get_by_role("link", name="中文").click()
    # the city's and another county's pages: the login page, nothing of theirs
    for path in ("/cases/", "/h/dongcheng/registration/", "/supervisor/"):
        page.goto(f"{city.url}{path}")
        page.wait_for_url("**/login?next=*")
        assert page.get_by_label("用户名").is_visible()
    context.close()


def _registered_at_the_centre(city: Hall) -> int:
    """The centre's registrar registers a housing matter through the form (CSRF, login);
    its case's id back."""
    web = requests.Session()

    def token(path: str) -> str:
        page = web.get(f"{city.url}{path}", timeout=10).text
        return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)

    web.post(
        f"{city.url}/login",
        data={"username": "registrar", "password": "demo1234", "csrf_token": token("/login")},
        timeout=10,
    )
    services = requests.get(f"{city.url}/api/v1/services", timeout=10).json()["services"]
    housing = str(next(s["id"] for s in services if s["prefix"] == "B"))
    form = {"csrf_token": token("/registration/"), **matter_form(int(housing))}
    answer = web.post(f"{city.url}/registration/", data=form, timeout=10, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    import sqlite3

    with sqlite3.connect(city.instance / "reception.sqlite3") as database:
        return database.execute("SELECT max(id) FROM cases").fetchone()[0]


def test_the_city_hands_a_matter_down_and_sees_it_go_overdue(browser, city):
    import sqlite3

    case_id = _registered_at_the_centre(city)
    context, page = staff_page(browser, city.url, "supervisor")
    page.goto(f"{city.url}/cases/{case_id}")
    form = page.get_by_test_id("hand-down")
    form.locator("select[name='to_department_id']").select_option(label="县住建局")
    form.locator("textarea[name='note']").fill("请县住建局核查并于期限内报告")
    form.get_by_role("button", name="交办").click()
    page.get_by_test_id("handed-away").wait_for()
    assert "清河县人民来访接待中心" in page.get_by_test_id("handed-away").inner_text()
    assert page.get_by_test_id("hand-down").count() == 0  # read only here now
    assert "交办至其他接待中心" in page.get_by_test_id("case-history").inner_text()
    # under the city's supervision, from the same page
    supervise = page.get_by_test_id("supervise")
    supervise.locator("input[name='due_on']").fill(
        (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()
    )
    supervise.locator("input[name='note']").fill("三日内办结并报告")
    supervise.get_by_role("button", name="列入督办").click()
    page.get_by_test_id("supervised").wait_for()
    # the county's registrar finds it in their own list
    county_context, county = staff_page(browser, city.url, "qh_registrar")
    county.wait_for_url("**/h/qinghe/registration/")
    county.goto(f"{city.url}/h/qinghe/cases/")
    assert county.get_by_role("link", name=re.compile(rf"XF\d{{4}}-0*{case_id}\b")).count() >= 1
    county_context.close()
    # days pass and nothing is done: the timed duties raise the overdue alert
    with sqlite3.connect(city.instance / "reception.sqlite3") as database:
        database.execute("UPDATE case_supervisions SET due_on = date('now', '-3 day')")
    assert "1 alert(s) raised" in cli(city.instance, "watch-hall")
    page.goto(f"{city.url}/city/")
    card = page.locator(".city-card").filter(has_text="清河县人民来访接待中心")
    card.locator("[data-kind='overdue-matters']").wait_for()
    assert "1 件督办事项超期" in card.inner_text() and "督办超期 1" in card.inner_text()
    page.goto(f"{city.url}/city/supervised")
    assert page.get_by_test_id("overdue").count() == 1
    page.goto(f"{city.url}/h/qinghe/supervisor/")
    row = page.locator("#alerts tr[data-kind='overdue']")
    row.wait_for()
    assert "已超过期限" in row.inner_text()
    screenshot(page, "county-board-overdue")
    context.close()
