"""A newcomer sets up a hall from the browser alone, starting from an empty database."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser import ServerProcess, screenshot

pytestmark = pytest.mark.browser


def _first_run_address(server: ServerProcess) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = re.search(r"first run\s+(\S+)", (server.instance / "server.log").read_text())
        if found:
            return found.group(1)
        time.sleep(0.2)
    raise AssertionError((server.instance / "server.log").read_text())


def _secret(page, testid: str) -> str:
    return page.get_by_test_id(testid).inner_text().strip()


def test_from_an_empty_database_to_a_served_visitor(browser, tmp_path):
    server = ServerProcess(tmp_path, args=("--no-demo",)).start()
    try:
        _newcomer(browser, server)
    finally:
        server.stop()


def _newcomer(browser, server: ServerProcess) -> None:
    admin_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    admin = admin_context.new_page()
    admin.goto(_first_run_address(server))
    admin.get_by_label("大厅名称").fill("区信访接待中心")
    admin.get_by_label("用户名").fill("chief")
    admin.get_by_label("密码", exact=True).fill("a-long-secret-1")
    admin.get_by_label("再次输入密码").fill("a-long-secret-1")
    admin.get_by_role("button", name="创建管理员").click()
    admin.wait_for_url("**/admin/")
    # opening hours: every day, all day (the test may run at any hour)
    admin.goto(f"{server.url}/admin/hall")
    for day in ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"):
        admin.get_by_label(day).fill("00:00-24:00")
    admin.get_by_label("大厅地址").fill("区府路 1 号")
    admin.get_by_role("button", name="保存").click()
    admin.get_by_text("已保存").first.wait_for()
    # two services
    for name, prefix, kind in (("区住建局", "A", "进驻部门"), ("律师接访", "L", "律师")):
        admin.goto(f"{server.url}/admin/services/new")
        admin.get_by_label("服务名称").fill(name)
        admin.get_by_label("号码前缀").fill(prefix)
        admin.get_by_label("类型").select_option(label=kind)
        admin.get_by_role("button", name="保存").click()
        admin.wait_for_url("**/admin/services")
    # three desks
    for number, prefix in ((1, "A"), (2, "A"), (3, "L")):
        admin.goto(f"{server.url}/admin/desks/new")
        admin.get_by_label("窗口号").fill(str(number))
        admin.get_by_label("窗口名称").fill(f"{number} 号窗口")
        admin.locator("fieldset label", has_text=f"{prefix} · ").locator("input").check()
        admin.get_by_role("button", name="保存").click()
        admin.wait_for_url("**/admin/desks")
    assert admin.get_by_test_id("desks").locator("tbody tr").count() == 3
    # a staff account for desks 1 and 2
    admin.goto(f"{server.url}/admin/staff/new")
    admin.get_by_label("用户名").fill("clerk")
    admin.get_by_label("显示名称").fill("王窗口")
    admin.get_by_label("角色").select_option(label="窗口工作人员")
    for number in (1, 2):
        admin.locator("fieldset label", has_text=f"{number} 号窗口 ·").locator("input").check()
    admin.get_by_role("button", name="保存").click()
    password = _secret(admin, "new-password")
    # the lobby display
    admin.goto(f"{server.url}/admin/displays")
    admin.get_by_label("屏幕名称").fill("大厅屏")
    admin.get_by_role("button", name="登记", exact=True).click()
    enrol = _secret(admin, "enrol-address")
    screenshot(admin, "admin-enrolled")

    lobby_context = browser.new_context(viewport={"width": 1920, "height": 1080})
    lobby = lobby_context.new_page()
    lobby.goto(enrol)
    lobby.wait_for_url("**/display/")
    lobby.wait_for_function("document.body.dataset.connection === 'online'")
    admin.goto(f"{server.url}/admin/displays")
    assert admin.get_by_test_id("displays").locator("tbody tr").first.inner_text().count("是") >= 1

    kiosk_context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    kiosk = kiosk_context.new_page()
    kiosk.goto(f"{server.url}/kiosk/")
    kiosk.get_by_role("button", name="区住建局").click()
    kiosk.wait_for_url("**/kiosk/ticket/*")
    number = kiosk.get_by_test_id("ticket-number").inner_text()
    assert number == "A001"

    desk_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    desk = desk_context.new_page()
    desk.goto(f"{server.url}/login")
    desk.get_by_label("用户名").fill("clerk")
    desk.get_by_label("密码").fill(password)
    desk.get_by_role("button", name="登录").click()
    # a password the administrator gave is changed at the first login, before anything else
    desk.wait_for_url("**/password")
    desk.get_by_label("当前密码").fill(password)
    desk.get_by_label("新密码", exact=True).fill("clerk-own-secret-7")
    desk.get_by_label("再次输入新密码").fill("clerk-own-secret-7")
    desk.get_by_role("button", name="保存").click()
    desk.get_by_role("button", name="1 号窗口").first.click()
    desk.get_by_role("button", name="叫下一位").click()
    desk.get_by_test_id("current-ticket").wait_for()
    lobby.get_by_test_id("current-call").filter(has_text="请 A001 号 到 1 号窗口").wait_for(
        timeout=5000
    )
    screenshot(lobby, "newcomer-lobby")
    for context in (admin_context, lobby_context, kiosk_context, desk_context):
        context.close()
