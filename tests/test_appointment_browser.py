"""Book on a phone, scan at the kiosk, be called before an earlier walk-in: in headless Chromium."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import zxingcpp
from PIL import Image

from tests.browser import screenshot
from tests.live_server import Hall

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    running = Hall(tmp_path_factory.mktemp("booking"))
    yield running
    running.stop()


def _the_day_has_come(hall: Hall, code: str) -> None:
    """Time passes: move the booking to start ten minutes from now, today (hall time)."""
    starts = datetime.now(UTC) + timedelta(minutes=10)
    local_day = (starts + timedelta(hours=8)).date()  # the demo hall is in Asia/Shanghai
    with sqlite3.connect(hall.instance / "reception.sqlite3") as connection:
        connection.execute(
            "UPDATE appointments SET day = ?, starts_at = ? WHERE code = ?",
            (local_day.isoformat(), starts.replace(tzinfo=None).isoformat(sep=" "), code),
        )


def test_book_on_a_phone_check_in_at_the_kiosk_and_go_first(browser, hall):
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(f"{hall.url}/book/")
    phone.get_by_role("link", name="市民政局").click()
    phone.locator("input[name=starts_at]:not([disabled])").first.check()
    phone.get_by_label("姓名").fill("周九")
    phone.get_by_label("手机号码").fill("13812345678")
    phone.get_by_label("简要说明您的事项").fill("申请低保")
    phone.get_by_role("button", name="确认预约").click()
    phone.wait_for_url("**/book/done/*")
    code = phone.get_by_test_id("booking-code").inner_text()
    shot = screenshot(phone, "booking-confirmation")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(shot))] == [code]
    assert "周九" not in phone.content() and "13812345678" not in phone.content()

    _the_day_has_come(hall, code)
    walk_in = hall.issue("D")  # took a ticket before the booked visitor arrived

    kiosk_context = browser.new_context(viewport={"width": 1280, "height": 1024})
    kiosk = kiosk_context.new_page()
    kiosk.goto(f"{hall.url}/kiosk/")
    kiosk.get_by_role("link", name="我有预约").click()
    scan = kiosk.get_by_test_id("scan-field")
    scan.type(code)
    scan.press("Enter")  # what a USB scanner does after the code
    kiosk.wait_for_url("**/kiosk/ticket/*")
    assert "签到成功" in kiosk.content()
    number = kiosk.get_by_test_id("ticket-number").inner_text()
    screenshot(kiosk, "checkin-ticket")

    called = hall.api("POST", "/desks/4/call-next")["ticket"]
    assert called["number"] == number and called["priority"] == 1
    assert called["number"] != walk_in["number"]
    phone_context.close()
    kiosk_context.close()


def test_a_booking_is_cancelled_only_when_the_visitor_confirms(browser, hall):
    """The cancel button asks first: dismissed, the booking stands; confirmed, it is cancelled."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{hall.url}/book/")
    phone.get_by_role("link", name="市民政局").click()
    phone.locator("input[name=starts_at]:not([disabled])").first.check()
    phone.get_by_label("姓名").fill("吴十")
    phone.get_by_label("手机号码").fill("13912345678")
    phone.get_by_role("button", name="确认预约").click()
    phone.wait_for_url("**/book/done/*")
    code = phone.get_by_test_id("booking-code").inner_text()
    key = {"code": code, "phone": "13912345678"}

    phone.goto(f"{hall.url}/book/manage")
    phone.locator("input[name=code]").fill(code)
    phone.locator("input[name=phone]").fill("13912345678")
    phone.get_by_role("button", name="查询").click()
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    phone.once("dialog", dismiss)
    phone.get_by_test_id("cancel-booking").click()
    assert asked and "取消" in asked[0]
    phone.wait_for_timeout(300)  # a submission would have left the page by now
    assert phone.get_by_test_id("cancel-booking").is_visible()
    assert hall.api("POST", "/appointments/lookup", key)["appointment"]["state"] == ("booked")

    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_test_id("cancel-booking").click()
    phone.wait_for_load_state()
    assert phone.get_by_test_id("cancel-booking").count() == 0
    assert hall.api("POST", "/appointments/lookup", key)["appointment"]["state"] == ("cancelled")
    context.close()
