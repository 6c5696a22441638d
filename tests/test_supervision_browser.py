"""The supervisor's board in Chromium, live with no reload: a call shows at its desk, a pause
with its reason, the day's totals move, a visitor's bad rating on the phone arrives as an alert
with a chime, is acknowledged with who and when, in the hall's time zone from a browser in
another; and the reports page draws its chart with ECharts served by the hall itself."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser import screenshot, staff_page
from tests.live_server import Hall

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    running = Hall(tmp_path_factory.mktemp("board"))
    yield running
    running.stop()


def _staff(browser, hall: Hall, username: str, size=(1366, 768), zone="Asia/Shanghai"):
    viewport = {"width": size[0], "height": size[1]}
    return staff_page(browser, hall.url, username, viewport=viewport, timezone_id=zone)


def test_the_board_follows_the_hall_live(browser, hall):
    context, board = _staff(browser, hall, "supervisor", (1920, 1080), "America/New_York")
    board.wait_for_url("**/supervisor/")
    board.evaluate("window.__sameLoad = true")
    board.wait_for_function("document.body.dataset.connection === 'online'")
    issued_before = int(board.locator("#t-issued").inner_text())

    ticket = hall.issue("D")
    hall.api("POST", "/desks/4/call-next")
    card = board.locator(".desk-card[data-desk='4']")
    card.filter(has_text=ticket["number"]).wait_for(timeout=3000)
    assert "已叫号" in card.inner_text()
    issued = f"document.getElementById('t-issued').textContent === '{issued_before + 1}'"
    board.wait_for_function(issued)
    hall.api("POST", f"/tickets/{ticket['id']}/start", {"desk_id": 4})
    card.filter(has_text="办理中").wait_for(timeout=3000)
    hall.api("POST", f"/tickets/{ticket['id']}/finish", {"desk_id": 4, "outcome": "已答复"})
    card.filter(has_text="空闲").wait_for(timeout=3000)

    # the visitor rates the visit 非常不满意 on the phone: an alert with a chime
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(f"{hall.url}/t/{ticket['token']}")
    phone.get_by_test_id("rate-1-1").click()
    # 非常不满意: the phone asks why before anything is sent (skippable)
    phone.get_by_test_id("rate-why-1").wait_for()
    phone.get_by_test_id("reason-wait").check()
    phone.get_by_test_id("rate-send-1").click()
    phone.get_by_text("感谢您的评价").wait_for()
    row = board.locator("#alerts tr[data-kind='rating']").first
    row.wait_for(timeout=3000)
    text = row.inner_text()
    assert ticket["number"] in text and "市民政局" in text and "非常不满意" in text
    hall_clock = (datetime.now(UTC) + timedelta(hours=8)).strftime("%H:%M")
    minute_before = (datetime.now(UTC) + timedelta(hours=8, minutes=-1)).strftime("%H:%M")
    assert hall_clock in text or minute_before in text, text  # the hall's clock, not New York's
    assert int(board.evaluate("document.body.dataset.chimes || '0'")) >= 1
    board.wait_for_function("document.getElementById('t-satisfaction').textContent.includes('/')")
    screenshot(board, "board-alert")

    row.get_by_role("button", name="确认").click()
    # acknowledged: folded away under the open alerts, with who and when
    board.locator("#alerts-done tr[data-kind='rating']").first.filter(
        has_text="大厅主管 于"
    ).wait_for(state="attached", timeout=3000)

    # a desk pauses: its card says so, with the reason
    desk_context, desk = _staff(browser, hall, "supervisor")
    desk.goto(f"{hall.url}/desk/")
    desk.locator("button[data-desk='5']").click()
    desk.wait_for_url("**/desk/*")
    desk.get_by_text("暂停或关闭窗口").click()
    desk.locator("select[name=reason]").select_option("会议")
    desk.get_by_role("button", name="暂停服务", exact=True).click()
    board.locator(".desk-card[data-desk='5']").filter(has_text="会议").wait_for(timeout=3000)
    assert board.evaluate("window.__sameLoad") is True  # all of it without a reload
    screenshot(board, "board-live")
    for each in (context, phone_context, desk_context):
        each.close()


def test_the_report_chart_is_drawn_from_the_halls_own_echarts(browser, hall):
    ticket = hall.issue("D")  # a leg served today, whatever ran before
    hall.api("POST", "/desks/4/call-next")
    hall.api("POST", f"/tickets/{ticket['id']}/start", {"desk_id": 4})
    hall.api("POST", f"/tickets/{ticket['id']}/finish", {"desk_id": 4, "outcome": "已答复"})
    context, page = _staff(browser, hall, "leader")
    page.goto(f"{hall.url}/reports/?period=day&group=hour")
    page.wait_for_function("document.getElementById('report-chart').dataset.drawn !== undefined")
    assert page.locator("#report-chart svg").count() == 1
    assert page.locator("[data-testid=table-summary] .has-tip").count() > 5
    screenshot(page, "report-day")
    assert page.locator("#report-chart").get_attribute("data-wait-series") == "line"  # hours
    # by service at 1366 px: every column in sight, the waits as bars (categories, not a
    # trend), the axis named in the reader's language, what 满意率 counts said on the page
    page.goto(f"{hall.url}/reports/?period=day&group=service")
    page.wait_for_function("document.getElementById('report-chart').dataset.drawn !== undefined")
    assert page.locator("#report-chart").get_attribute("data-wait-series") == "bar"
    chart = page.locator("#report-chart svg").inner_html()
    assert "分钟" in chart and ">min<" not in chart
    for name in ("visits", "summary"):
        fits = page.locator(f"[data-testid=table-{name}]").evaluate(
            "t => t.parentElement.scrollWidth <= t.parentElement.clientWidth + 1"
        )
        assert fits, name
    heading = page.locator("[data-testid=table-visits] thead").inner_text()
    assert "满意率" in heading and "参评率" in heading and "差评" in heading
    assert "基本满意" in page.get_by_test_id("satisfaction-note").inner_text()
    assert "含基本满意" in page.locator("[data-testid=table-summary]").inner_text()
    screenshot(page, "report-by-service-1366")
    context.close()


def _acknowledged_alerts(hall: Hall, count: int) -> None:
    """Alerts the supervisors already took today, written straight into the hall's database."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(hall.instance / "reception.sqlite3") as database:
        hall_id = database.execute("SELECT id FROM halls ORDER BY id").fetchone()[0]
        for n in range(count):
            database.execute(
                "INSERT INTO alerts (hall_id, at, kind, ticket_number, text, seen, acknowledged_at)"
                " VALUES (?, ?, 'wait', ?, '40', 1, ?)",
                (hall_id, now, f"W{n:03d}", now),
            )


def test_the_board_fits_a_pc_and_fills_a_wall_screen(browser, hall):
    _acknowledged_alerts(hall, 12)
    context, board = _staff(browser, hall, "supervisor", (1366, 768))
    board.goto(f"{hall.url}/supervisor/")
    board.wait_for_function("document.body.dataset.connection === 'online'")
    # twelve acknowledged alerts fold away: the desks stay in sight at 1366×768
    assert board.get_by_test_id("alerts-done").is_visible()
    folded = board.locator("#alerts-done-count").inner_text()
    assert int("".join(c for c in folded if c.isdigit())) >= 12, folded
    desks = board.get_by_test_id("board-desks").bounding_box()
    assert desks["y"] < 768 / 2, desks
    # a call: its timer reads as a duration, and a call left unanswered is marked
    ticket = hall.issue("D")
    hall.api("POST", "/desks/4/call-next")
    card = board.locator(".desk-card[data-desk='4']")
    card.filter(has_text=ticket["number"]).wait_for(timeout=3000)
    timer = card.locator(".desk-timer")
    board.wait_for_function(
        "document.querySelector(\".desk-card[data-desk='4'] .desk-timer\").textContent !== ''"
    )
    assert timer.inner_text() in ("不到一分钟", "1 分钟"), timer.inner_text()
    assert board.locator("#board").get_attribute("data-unanswered-after") == "180"
    board.evaluate("document.getElementById('board').dataset.unansweredAfter = '1'")
    board.locator(".desk-card.unanswered[data-desk='4']").wait_for(timeout=4000)
    assert "未应答" in timer.inner_text()
    screenshot(board, "board-1366")
    hall.api("POST", f"/tickets/{ticket['id']}/start", {"desk_id": 4})
    hall.api("POST", f"/tickets/{ticket['id']}/finish", {"desk_id": 4, "outcome": "已答复"})
    context.close()
    # the wall screen: the board uses the whole 1920×1080
    context, wall = _staff(browser, hall, "supervisor", (1920, 1080))
    wall.goto(f"{hall.url}/supervisor/")
    width = wall.locator("#board").bounding_box()["width"]
    assert width > 1800, width
    screenshot(wall, "board-wall")
    context.close()
