"""The live hall in headless Chromium: lobby display, phone page and desk, through a restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import ServerProcess, screenshot
from tests.live_server import Hall

pytestmark = pytest.mark.browser

CAPTURE_SPEECH = """
window.__spoken = [];
const voice = {lang: 'zh-CN', name: 'test-zh', voiceURI: 'test-zh', localService: true};
window.speechSynthesis.getVoices = () => [voice];
window.speechSynthesis.speak = (utterance) => {
  window.__spoken.push(utterance.text);
  setTimeout(() => utterance.onend && utterance.onend(new Event('end')), 30);
};
"""


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    running = Hall(tmp_path_factory.mktemp("livebrowser"))
    yield running
    running.stop()


def _open_display(browser, hall: Hall):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(CAPTURE_SPEECH)
    page = context.new_page()
    page.goto(hall.display_url)
    page.wait_for_url("**/display/")
    page.get_by_role("button", name="点击启用语音").click()
    page.wait_for_function("document.body.dataset.voiceMode === 'browser'")
    return context, page


def _spoken(page, count: int) -> list[str]:
    page.wait_for_function(f"window.__spoken.length >= {count}", timeout=10000)
    return page.evaluate("window.__spoken")


def test_call_reaches_display_and_phone_and_survives_a_restart(browser, hall):
    display_context, display = _open_display(browser, hall)
    display.evaluate("window.__loadedOnce = true")
    ticket = hall.issue("B")
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(f"{hall.url}/t/{ticket['token']}")
    assert phone.get_by_test_id("ticket-number").inner_text() == ticket["number"]
    display.wait_for_function("document.body.dataset.connection === 'online'")
    phone.wait_for_function("document.body.dataset.connection === 'online'")

    hall.api("POST", "/desks/2/call-next")
    expected = f"请 {ticket['number']} 号 到 2 号窗口"
    display.get_by_test_id("current-call").filter(has_text=expected).wait_for(timeout=2000)
    assert ticket["number"] in display.locator("#recent-calls").inner_text()
    phone.get_by_test_id("called-banner").filter(has_text="请到 2 号窗口").wait_for(timeout=2000)
    digits = "".join("零一二三四五六七八九"[int(c)] for c in ticket["number"][1:])
    sentence = f"请 B{digits} 号，到 二 号窗口"
    assert _spoken(display, 2)[:2] == [sentence, sentence]  # said twice
    screenshot(display, "display-lobby")
    # a long notice line (leader days) must scroll inside its strip, not widen the TV page
    assert (
        display.evaluate("document.getElementById('clock').getBoundingClientRect().right") <= 1920
    )
    screenshot(phone, "ticket-phone-called")

    hall.api("POST", f"/tickets/{ticket['id']}/recall", {"desk_id": 2})
    assert _spoken(display, 4)[2:4] == [sentence, sentence]  # a recall is announced again

    # kill the server outright, then start it again on the same port and database
    port = hall.server.port
    hall.server.kill()
    display.locator("#offline").wait_for(state="visible", timeout=12000)
    screenshot(display, "display-offline")
    hall.server = ServerProcess(hall.instance, port=port).start()
    display.locator("#offline").wait_for(state="hidden", timeout=15000)
    second = hall.issue("B")
    hall.api("POST", f"/tickets/{ticket['id']}/start", {"desk_id": 2})
    hall.api("POST", f"/tickets/{ticket['id']}/finish", {"outcome": "已答复", "desk_id": 2})
    hall.api("POST", "/desks/2/call-next")
    again = f"请 {second['number']} 号 到 2 号窗口"
    display.get_by_test_id("current-call").filter(has_text=again).wait_for(timeout=5000)
    assert display.evaluate("window.__loadedOnce") is True  # no reload happened
    phone.get_by_test_id("finished").wait_for(timeout=5000)
    display_context.close()
    phone_context.close()


def test_phone_follows_a_transfer_and_the_desk_console_updates_live(browser, hall):
    ticket = hall.issue("A")
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(f"{hall.url}/t/{ticket['token']}")
    phone.wait_for_function("document.body.dataset.connection === 'online'")

    desk_context = browser.new_context(viewport={"width": 1400, "height": 900})
    desk = desk_context.new_page()
    desk.goto(f"{hall.url}/login")
    desk.get_by_label("用户名").fill("lawyer")
    desk.get_by_label("密码").fill("demo1234")
    desk.get_by_role("button", name="登录").click()
    desk.goto(f"{hall.url}/desk/11")
    desk.wait_for_function("document.body.dataset.connection === 'online'")
    waiting_before = int(desk.get_by_test_id("waiting-count").inner_text())

    hall.api("POST", "/desks/1/call-next")
    hall.api("POST", f"/tickets/{ticket['id']}/start", {"desk_id": 1})
    hall.api(
        "POST",
        f"/tickets/{ticket['id']}/transfer",
        {"service_id": hall.service_id("L"), "note": "涉法涉诉", "desk_id": 1},
    )
    # the lawyer's console shows the transferred visitor without a reload
    desk.locator("#waiting-body").filter(has_text=ticket["number"]).wait_for(timeout=3000)
    assert int(desk.get_by_test_id("waiting-count").inner_text()) == waiting_before + 1
    phone.get_by_test_id("journey").filter(has_text="律师接访").wait_for(timeout=3000)
    assert "律师接访" in phone.locator("#service-name").inner_text()
    screenshot(desk, "desk-console-live")

    desk.get_by_role("button", name="叫下一位").click()
    phone.get_by_test_id("called-banner").filter(has_text="请到 11 号窗口").wait_for(timeout=3000)
    screenshot(phone, "ticket-phone-transferred")
    phone_context.close()
    desk_context.close()


def test_display_without_a_chinese_voice_falls_back_to_offline_speech(browser, hall):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script("window.speechSynthesis.getVoices = () => [];")  # a bare Linux box
    display = context.new_page()
    display.goto(hall.display_url)
    display.get_by_role("button", name="点击启用语音").click()
    display.wait_for_function("document.body.dataset.voiceMode !== undefined")
    mode = display.evaluate("document.body.dataset.voiceMode")
    footer = display.locator("#voice-mode").inner_text()
    if mode == "chime":  # espeak-ng is not installed on this machine
        assert "仅提示音" in footer
        context.close()
        pytest.skip("espeak-ng is not installed: chime-only mode shown")
    assert mode == "server" and "服务器离线合成" in footer
    display.wait_for_function("document.body.dataset.connection === 'online'")
    ticket = hall.issue("E")
    with display.expect_response(lambda r: "/display/speech.wav" in r.url, timeout=10000) as spoken:
        hall.api("POST", "/desks/5/call-next")
    assert spoken.value.status == 200
    assert f"number={ticket['number']}" in spoken.value.url and "desk=5" in spoken.value.url
    context.close()
