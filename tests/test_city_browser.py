"""A city on one deployment, in Chromium: the city's supervisor sees eleven halls live on one
1920×1080 wall screen and opens a county's board from it; a county's lobby screen, enrolled to
its hall, follows that hall's calls over its own socket address; a county's registrar works in
their hall only."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from reception.hall.description import DEMO_CITY
from tests.browser import screenshot, staff_page
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
