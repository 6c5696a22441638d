"""The kiosk is driven by the clock and by the hall's hours, in headless Chromium against a real
`reception run`: it closes at the minute by itself, a live change of hours redraws it whole
(never a closed message above working buttons, never an empty page), and a refused tap leaves it
on its start page, where no reload, by hand or by its own timer, sends the tap again."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser import ServerProcess, screenshot, staff_page

pytestmark = pytest.mark.browser
DAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("kiosk")).start()
    yield process
    process.stop()


def _set_hours(admin, server: ServerProcess, hours: str) -> None:
    admin.goto(f"{server.url}/admin/hall")
    for day in DAYS:
        admin.get_by_label(day).fill(hours)
    admin.get_by_role("button", name="保存").click()
    admin.get_by_text("已保存").first.wait_for()


def _tickets(server: ServerProcess) -> int:
    with sqlite3.connect(server.instance / "reception.sqlite3") as database:
        return database.execute("SELECT count(*) FROM tickets").fetchone()[0]


def _buttons(kiosk) -> int:
    return kiosk.locator("#kiosk-form button").count()


def test_the_kiosk_turns_with_the_clock_and_the_hours(server, browser):
    admin_context, admin = staff_page(browser, server.url, "admin")
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    kiosk = context.new_page()
    try:
        # the hall closes at the next minute (with time left to load the page before it)
        now = datetime.now(ZoneInfo("Asia/Shanghai"))
        if now.second > 45:
            time.sleep(61 - now.second)
            now = datetime.now(ZoneInfo("Asia/Shanghai"))
        closing = (now + timedelta(minutes=1)).strftime("%H:%M")
        if closing == "00:00":
            pytest.skip("the minute before midnight has no interval that ends within the day")
        _set_hours(admin, server, f"00:00-{closing}")
        kiosk.goto(f"{server.url}/kiosk/")
        kiosk.evaluate("window.notReloaded = true")
        assert _buttons(kiosk) > 0 and kiosk.get_by_test_id("kiosk-closed").count() == 0

        # at the minute, by its own clock: no buttons, the message, no reload
        kiosk.get_by_test_id("kiosk-closed").wait_for(timeout=80_000)
        assert _buttons(kiosk) == 0
        assert kiosk.evaluate("window.notReloaded") is True
        assert kiosk.url.endswith("/kiosk/")
        screenshot(kiosk, "kiosk-closed-at-the-minute")

        # a live change of hours opens it: buttons, and no closed message above them
        _set_hours(admin, server, "00:00-24:00")
        kiosk.locator("#kiosk-form button").first.wait_for(timeout=10_000)
        assert kiosk.get_by_test_id("kiosk-closed").count() == 0
        assert "开放时间内方可取号" not in kiosk.locator("main").inner_text()
        assert kiosk.evaluate("window.notReloaded") is True

        # a tap the server refuses (the hall closed a moment before the page heard of it)
        with sqlite3.connect(server.instance / "reception.sqlite3") as database:
            database.execute("UPDATE halls SET opening_hours = ?", ('{"0": [["00:00", "00:01"]]}',))
        before = _tickets(server)
        kiosk.locator("#kiosk-form button").first.click()
        kiosk.wait_for_load_state()
        assert kiosk.url.endswith("/kiosk/")  # the start page, reached by GET
        assert kiosk.get_by_role("alert").count() >= 1
        for _ in range(3):
            kiosk.reload()  # a reload asks for the page again; it sends no tap
        assert _tickets(server) == before

        # closing by a live change: the message, and no buttons
        _set_hours(admin, server, "00:00-00:01")
        kiosk.get_by_test_id("kiosk-closed").wait_for(timeout=10_000)
        assert _buttons(kiosk) == 0
        assert _tickets(server) == before
    finally:
        context.close()
        admin_context.close()
