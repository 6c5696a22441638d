"""Registration to the end of the journey in headless Chromium: two desks, one ticket, one phone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zxingcpp
from PIL import Image

from tests.browser import screenshot
from tests.live_server import Hall

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    running = Hall(tmp_path_factory.mktemp("registration"))
    yield running
    running.stop()


def _staff_page(browser, hall: Hall, username: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{hall.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    return context, page


def _serve(page, hall: Hall, desk: int, outcome: str) -> None:
    page.goto(f"{hall.url}/desk/{desk}")
    page.get_by_role("button", name="叫下一位").click()
    page.get_by_test_id("case-panel").wait_for()
    page.get_by_role("button", name="开始办理").click()
    page.get_by_label("办理结果").fill(outcome)
    page.get_by_role("button", name="办结").click()
    page.get_by_text("本窗口当前无人办理").wait_for()


def test_register_route_print_and_follow_the_journey(browser, hall):
    registrar_context, registrar = _staff_page(browser, hall, "registrar")
    registrar.goto(f"{hall.url}/registration/")
    registrar.get_by_label("身份证号").fill("440301199003070035")
    registrar.get_by_role("button", name="查询").click()
    registrar.get_by_label("姓名").fill("王小明")
    registrar.get_by_label("手机号码").fill("13812345678")
    registrar.get_by_label("来访人口述内容（工作人员录入）").fill(
        "村里征地补偿款至今未发放，要求按标准补偿。"
    )
    registrar.get_by_label("类别").select_option("征地拆迁")
    registrar.get_by_label("责任部门").select_option(label="市规划和自然资源局")
    registrar.get_by_role("button", name="推荐窗口").click()
    route = registrar.get_by_test_id("route")
    assert route.get_by_label("市规划和自然资源局").is_checked()
    assert route.get_by_label("律师接访").is_checked()
    screenshot(registrar, "registration-form")
    registrar.get_by_role("button", name="登记并打印号票").click()
    registrar.wait_for_url("**/kiosk/ticket/*")
    journey = registrar.get_by_test_id("journey").inner_text()
    assert journey.index("市规划和自然资源局") < journey.index("律师接访")
    number = registrar.get_by_test_id("ticket-number").inner_text()
    slip = screenshot(registrar, "registration-ticket")
    [ticket_url] = [r.text for r in zxingcpp.read_barcodes(Image.open(slip))]
    assert "王小明" not in registrar.content() and "440301" not in ticket_url

    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(ticket_url)
    phone.wait_for_function("document.body.dataset.connection === 'online'")
    assert phone.get_by_test_id("ticket-number").inner_text() == number

    desk_context, desk = _staff_page(browser, hall, "desk")
    _serve(desk, hall, 1, "已核实补偿标准，转律师释法")
    phone.locator("#service-name").filter(has_text="律师接访").wait_for(timeout=3000)
    phone.get_by_test_id("journey").filter(has_text="市规划和自然资源局").wait_for(timeout=3000)

    lawyer_context, lawyer = _staff_page(browser, hall, "lawyer")
    lawyer.goto(f"{hall.url}/desk/11")
    lawyer.get_by_role("button", name="叫下一位").click()
    panel = lawyer.get_by_test_id("case-panel").inner_text()
    assert "已核实补偿标准" in panel and "王小明" in panel  # the serving desk's own view
    phone.get_by_test_id("called-banner").filter(has_text="请到 11 号窗口").wait_for(timeout=3000)
    screenshot(phone, "registration-phone-second-leg")
    lawyer.get_by_role("button", name="开始办理").click()
    lawyer.get_by_label("办理结果").fill("告知可申请行政复议或提起诉讼")
    lawyer.get_by_role("button", name="办结").click()
    phone.get_by_test_id("finished").wait_for(timeout=3000)
    for context in (registrar_context, phone_context, desk_context, lawyer_context):
        context.close()


def test_the_form_orders_desks_and_shows_only_what_the_matter_needs(browser, hall):
    """Desks in the order the registrar sets with the keyboard; representatives as the group's
    size asks; the accused list only for an accusation; the age at look-up; three screens."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{hall.url}/login")
    page.get_by_label("用户名").fill("registrar")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{hall.url}/registration/")
    page.get_by_label("身份证号").fill("11010519491231002X")
    page.get_by_role("button", name="查询").click()
    page.wait_for_function("document.getElementById('registration')?.dataset.ready === '1'")
    assert "年龄" in page.get_by_test_id("age").inner_text()
    assert "优先" in page.get_by_test_id("age").inner_text()  # born 1949: elderly
    assert page.get_by_test_id("representatives").is_hidden()
    assert page.get_by_test_id("accused-box").is_hidden()
    assert page.evaluate("document.documentElement.scrollHeight") <= 3 * 768
    page.get_by_label("来访人数").fill("3")
    visible = page.locator("#representatives input[name=representative]:visible")
    assert visible.count() == 3
    page.get_by_label("来访人数").fill("40")
    assert visible.count() == 5
    page.get_by_label("检举控告").check()
    assert page.get_by_test_id("accused-box").is_visible()
    page.get_by_label("检举控告").uncheck()
    # tick three desks, then put the lawyer first with Alt+↑ twice
    route = page.get_by_test_id("route")
    for name in ("市民政局", "心理疏导", "律师接访"):
        route.get_by_label(name, exact=True).check()
    route.get_by_label("律师接访", exact=True).focus()
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+ArrowUp")
    order = page.evaluate(
        "[...document.querySelectorAll('#route input:checked')]"
        ".map(i => i.parentElement.innerText.trim())"
    )
    assert [o.split()[0] for o in order] == ["律师接访", "市民政局", "心理疏导"], order
    # and the arrow buttons: move 心理疏导 up one
    page.locator("#route li.chosen").nth(2).get_by_role("button", name="上移").click()
    page.get_by_label("姓名").fill("赵大爷")
    page.get_by_label("来访人数").fill("1")
    page.get_by_label("来访人口述内容（工作人员录入）").fill("低保待遇问题。")
    page.get_by_label("类别").select_option("民政")
    screenshot(page, "registration-ordered")
    page.get_by_role("button", name="登记并打印号票").click()
    page.wait_for_url("**/kiosk/ticket/*")
    journey = page.get_by_test_id("journey").inner_text()
    assert journey.index("律师接访") < journey.index("心理疏导") < journey.index("市民政局")
    context.close()


def test_accepting_a_matter_asks_first(browser, hall):
    """受理 starts the 60-day clock: one click asks, a dismissed question changes nothing."""
    registrar_context, registrar = _staff_page(browser, hall, "registrar")
    registrar.goto(f"{hall.url}/cases/")
    registrar.locator("a[href*='/cases/']").filter(has_text="XF").first.click()
    registrar.get_by_test_id("case-status").wait_for()
    if registrar.get_by_test_id("case-status").inner_text() != "已登记，待决定是否受理":
        pytest.skip("no undecided case left in this hall")
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    registrar.once("dialog", dismiss)
    registrar.get_by_role("button", name="受理", exact=True).click()
    registrar.wait_for_timeout(300)
    assert asked and "60" in asked[0]
    assert registrar.get_by_test_id("case-status").inner_text() == "已登记，待决定是否受理"
    registrar.once("dialog", lambda dialog: dialog.accept())
    registrar.get_by_role("button", name="受理", exact=True).click()
    registrar.get_by_test_id("case-status").filter(has_text="已受理，办理中").wait_for()
    registrar_context.close()
