"""The online door in a real browser: a person on a phone (390×844) sends a matter with two
photos, confirms the code, gets the 查询码; a registrar routes it; it is accepted; the person
sees 已受理 with the date and the notice, later the opinion, rates it 不满意 and asks for a
review, which the staff see with its 30-day clock."""

from __future__ import annotations

import io
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from tests.browser import screenshot, staff_page
from tests.live_server import Hall
from tests.test_visitor_pages_browser import AXE, CHECKS

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    running = Hall(tmp_path_factory.mktemp("online"))
    yield running
    running.stop()


def _photo(folder, name: str, colour: str) -> str:
    path = folder / name
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _last_code(hall: Hall) -> str:
    with sqlite3.connect(hall.instance / "reception.sqlite3") as connection:
        body = connection.execute(
            "SELECT body FROM outbox_messages WHERE kind = 'online_code' ORDER BY id DESC"
        ).fetchone()[0]
    return re.search(r"验证码(\d{6})", body).group(1)


def _fits(page) -> None:
    """Nothing spills sideways on the phone; the age-friendly rules and axe-core (WCAG 2 A/AA)
    find nothing (as on every visitor page, `test_visitor_pages_browser`)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.add_script_tag(path=str(CHECKS))
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("n => ageFriendly.smallTargets(n)", 44)
    found += page.evaluate("() => ageFriendly.spills()")
    found += page.evaluate("() => ageFriendly.axe()")
    assert found == [], found


def test_a_matter_from_a_phone_to_a_review(browser, hall, tmp_path):
    phone = browser.new_context(**PHONE).new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.goto(f"{hall.url}/online/")
    _fits(phone)
    phone.get_by_test_id("online-name").fill("王小明")
    phone.get_by_test_id("online-id").fill("110105194912310021")  # a wrong check digit
    phone.get_by_test_id("online-phone").fill("13800138000")
    phone.get_by_test_id("send-code").click()
    phone.get_by_test_id("form-message").wait_for()
    assert phone.get_by_test_id("send-code").is_disabled()  # counting down to the next one
    phone.get_by_test_id("online-code").fill(_last_code(hall))
    phone.get_by_test_id("online-request").fill("请求维修楼顶漏水。")
    phone.get_by_test_id("online-facts").fill("小区楼顶漏水三年，物业不处理。")
    phone.get_by_test_id("online-category").select_option("住房")
    phone.get_by_test_id("online-department").select_option(label="市住建局")
    phone.get_by_test_id("online-files").set_input_files(
        [_photo(tmp_path, "门.jpg", "red"), _photo(tmp_path, "墙.jpg", "blue")]
    )
    assert phone.get_by_test_id("online-chosen").locator("li").count() == 2
    phone.get_by_test_id("online-submit").click()
    # refused: said why, beside the field; everything typed and both photos still chosen
    phone.get_by_test_id("error-id_number").wait_for()
    assert "校验位" in phone.get_by_test_id("error-id_number").inner_text()
    assert phone.get_by_test_id("online-request").input_value() == "请求维修楼顶漏水。"
    assert phone.evaluate("document.querySelector('[name=files]').files.length") == 2
    screenshot(phone, "online-refused")
    phone.get_by_test_id("online-id").fill("11010519491231002X")
    phone.get_by_test_id("online-submit").click()
    phone.wait_for_url("**/online/done")
    query = phone.get_by_test_id("query-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", query)
    _fits(phone)
    screenshot(phone, "online-query-code")
    phone.get_by_test_id("to-matter").click()
    phone.get_by_test_id("step-received").wait_for()
    assert "王*明" in phone.get_by_test_id("matter-name").inner_text()

    # the registrar routes it from the inbox; the photos are there, as downloads
    _context, staff = staff_page(browser, hall.url, "registrar")
    staff.on("dialog", lambda dialog: dialog.accept())
    staff.goto(f"{hall.url}/cases/")
    staff.get_by_test_id("to-online-inbox").click()
    staff.get_by_test_id("open-online").first.click()
    assert staff.get_by_test_id("online-file").count() == 2
    with staff.expect_download() as download:
        staff.get_by_test_id("online-file").first.click()
    assert download.value.suggested_filename.startswith("attachment-")
    staff.get_by_test_id("route-department").select_option(label="市住建局")
    staff.get_by_test_id("route-submit").click()
    staff.wait_for_url(re.compile(r".*/cases/\d+$"))
    case_url = staff.url
    assert staff.get_by_test_id("online-part").is_visible()
    staff.get_by_test_id("decide").get_by_role("button", name="受理", exact=True).click()
    staff.get_by_test_id("case-status").filter(has_text="已受理").wait_for()

    # the person, on another day's visit to the page, sees 已受理 with its date and the notice
    phone.goto(f"{hall.url}/online/lookup")
    phone.get_by_test_id("lookup-code").fill(query.lower().replace("-", " "))
    phone.get_by_test_id("lookup-phone").fill("138 0013 8000")
    phone.get_by_test_id("lookup-submit").click()
    phone.get_by_test_id("step-accepted").wait_for()
    assert "已受理" in phone.get_by_test_id("steps").inner_text()
    assert phone.get_by_test_id("matter-now").inner_text() == "办理中"
    assert "办结" in phone.get_by_test_id("next-date").inner_text()
    assert "?" not in phone.url and query not in phone.url
    phone.get_by_test_id("notice-acceptance").get_by_role("link").first.click()
    assert "受理告知书" in phone.get_by_test_id("notice").inner_text()
    phone.go_back()

    # the opinion; the person rates it 不满意 and asks for a review
    staff.goto(case_url)
    staff.get_by_test_id("reply").locator("textarea").fill("已责成物业公司一个月内修复楼顶。")
    staff.get_by_test_id("reply").get_by_role("button").click()
    staff.wait_for_url(case_url)
    phone.reload()
    phone.get_by_test_id("step-reply").wait_for()
    phone.get_by_test_id("unit-bad").check()
    phone.get_by_test_id("office-fair").check()
    phone.get_by_test_id("rate-send").click()
    phone.get_by_test_id("rated").wait_for()
    assert "不满意" in phone.get_by_test_id("rated").inner_text()
    phone.get_by_test_id("ask-reason").fill("漏水仍未修好。")
    phone.get_by_test_id("ask-send").click()  # its confirmation is accepted
    phone.get_by_test_id("step-review").wait_for()
    assert "复查" in phone.get_by_test_id("next-date").inner_text()
    _fits(phone)
    screenshot(phone, "online-review-asked")

    staff.goto(case_url)
    due = (datetime.now(UTC) + timedelta(hours=8)).date() + timedelta(days=30)
    assert str(due) in staff.get_by_test_id("deadline").inner_text()
    assert "不满意" in staff.get_by_test_id("reply-ratings").inner_text()
    assert "漏水仍未修好" in staff.get_by_test_id("case-history").inner_text()
    assert errors == []
