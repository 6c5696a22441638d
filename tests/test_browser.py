"""What people see, in headless Chromium against a real `reception run` process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.browser import ServerProcess, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("hall")).start()
    yield process
    process.stop()


@pytest.fixture
def kiosk(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1024}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_tap_a_service_and_scan_the_printed_qr(server, kiosk):
    kiosk.goto(server.url + "/kiosk/")
    screenshot(kiosk, "kiosk")
    kiosk.get_by_role("button", name="律师接访").click()
    kiosk.wait_for_url("**/kiosk/ticket/*")
    number = kiosk.get_by_test_id("ticket-number").inner_text()
    assert number.startswith("L")
    token = kiosk.url.rsplit("/", 1)[1]
    path = screenshot(kiosk, "ticket")
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(path))]
    assert decoded == [f"{server.url}/t/{token}"]
    # the QR's target is the visitor's own page
    kiosk.goto(decoded[0])
    assert kiosk.get_by_test_id("ticket-number").inner_text() == number


def test_printed_ticket_fits_an_80mm_roll(server, kiosk):
    kiosk.goto(server.url + "/kiosk/")
    kiosk.get_by_role("button", name="市民政局").click()
    kiosk.wait_for_url("**/kiosk/ticket/*")
    kiosk.emulate_media(media="print")
    width = kiosk.evaluate("document.getElementById('ticket').getBoundingClientRect().width")
    assert width <= 72 * 96 / 25.4 + 1  # 72 mm printable width in CSS pixels
    assert kiosk.locator(".slip-actions").is_hidden()
    kiosk.emulate_media(media="screen")


def shortcut(page, key: str) -> None:
    """Press a console key once its module is listening (it loads after the page: a key
    pressed before it would be lost)."""
    page.wait_for_function("document.getElementById('console').dataset.shortcuts === 'ready'")
    page.keyboard.press(key)


def test_desk_logs_in_and_calls_the_ticket(server, browser, kiosk):
    kiosk.goto(server.url + "/kiosk/")
    kiosk.get_by_role("button", name="市住建局").click()
    kiosk.wait_for_url("**/kiosk/ticket/*")
    number = kiosk.get_by_test_id("ticket-number").inner_text()
    ticket_url = kiosk.url.replace("/kiosk/ticket/", "/t/")

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    desk = context.new_page()
    desk.goto(server.url + "/desk/")
    desk.get_by_label("用户名").fill("desk")
    desk.get_by_label("密码").fill("demo1234")
    desk.get_by_role("button", name="登录").click()
    desk.get_by_role("button", name="住建窗口").click()
    assert number in desk.locator("table.queue").inner_text()
    shortcut(desk, "n")  # call next
    desk.get_by_test_id("current-ticket").wait_for()
    assert number in desk.get_by_test_id("current-ticket").inner_text()
    screenshot(desk, "desk-console")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    visitor = phone.new_page()
    visitor.goto(ticket_url)
    assert "请到 2 号窗口" in visitor.get_by_test_id("called-banner").inner_text()
    screenshot(visitor, "ticket-phone")

    shortcut(desk, "s")
    desk.get_by_label("办理结果").wait_for()
    shortcut(desk, "f")  # focuses the empty outcome instead of submitting
    desk.get_by_label("办理结果").fill("已答复，告知办理流程")
    desk.get_by_role("button", name="办结").click()
    desk.get_by_text("本窗口当前无人办理").wait_for()
    # the phone redraws itself when its ticket is finished (its own reload: racing it with
    # another one aborts one of the two navigations)
    expect(visitor.locator("body")).to_contain_text("已办结", timeout=15000)
    phone.close()
    context.close()
