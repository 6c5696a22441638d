"""The live hall in headless Chromium: lobby display, phone page and desk, through a restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import ServerProcess, screenshot
from tests.helpers import REQUIRE_SERVICES
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


def enable_voice(page) -> None:
    """Click the one-time voice overlay if the browser keeps sound off until a click; where
    autoplay is allowed (headless Chromium, a kiosk started with the autoplay flag) there is
    none, and nothing may cover the screen."""
    page.wait_for_function("document.body.dataset.voiceMode !== undefined")
    overlay = page.locator("#sound-overlay")
    if overlay.is_visible():
        overlay.click()
    assert not overlay.is_visible()


def _open_display(browser, hall: Hall):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(CAPTURE_SPEECH)
    page = context.new_page()
    page.goto(hall.display_url)
    page.wait_for_url("**/display/")
    enable_voice(page)
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
    enable_voice(display)
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


def test_the_voice_keeps_up_with_fifteen_calls_from_eight_desks(browser, tmp_path):
    """9:00 on a Monday, server voice (~7 s a call): nothing stale or superseded is read out,
    a call said while others wait is said once, and the backlog is gone within a minute."""
    (tmp_path / "monday").mkdir()
    hall = Hall(tmp_path / "monday")
    try:
        _fifteen_calls(browser, hall)
    finally:
        hall.stop()


def _fifteen_calls(browser, hall: Hall) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script("window.speechSynthesis.getVoices = () => [];")  # no browser voice
    display = context.new_page()
    display.goto(hall.display_url)
    enable_voice(display)
    display.wait_for_function("document.body.dataset.voiceMode !== undefined")
    if display.evaluate("document.body.dataset.voiceMode") != "server":
        context.close()
        if REQUIRE_SERVICES:
            pytest.fail("espeak-ng is needed for the server voice (RECEPTION_REQUIRE_SERVICES=1)")
        pytest.skip("espeak-ng is not installed")
    display.wait_for_function("document.body.dataset.connection === 'online'")
    served = {1: "A", 2: "B", 3: "C", 4: "D", 5: "E", 6: "F", 7: "G", 8: "H"}
    first = {desk: hall.issue(prefix) for desk, prefix in served.items()}
    second = {desk: hall.issue(served[desk]) for desk in range(1, 8)}
    superseded: dict[int, float] = {}  # ticket id -> page time its call stopped being news
    began = display.evaluate("Date.now()")
    for desk in served:
        hall.api("POST", f"/desks/{desk}/call-next")
    hall.api("POST", f"/tickets/{first[1]['id']}/recall", {"desk_id": 1})
    for desk in second:  # each desk serves its first visitor at once and calls the next
        ticket_id = first[desk]["id"]
        superseded[ticket_id] = display.evaluate("Date.now()")
        hall.api("POST", f"/tickets/{ticket_id}/start", {"desk_id": desk})
        hall.api("POST", f"/tickets/{ticket_id}/finish", {"outcome": "已答复", "desk_id": desk})
        hall.api("POST", f"/desks/{desk}/call-next")
    assert display.evaluate("Date.now()") - began < 10_000  # 15 calls within 10 s
    display.wait_for_function(
        "window.lobbyAnnouncer.backlog === 0 && !window.lobbyAnnouncer.busy", timeout=60_000
    )
    assert display.evaluate("Date.now()") - began < 60_000
    history = display.evaluate("window.lobbyAnnouncer.history")
    spoken = [entry for entry in history if entry["outcome"] == "spoken"]
    dropped = [entry for entry in history if entry["outcome"] != "spoken"]
    assert spoken and dropped, history
    drained = display.evaluate("Date.now()") - began
    ages = sorted(entry["at"] - entry["receivedAt"] for entry in spoken)
    outcomes = {o: sum(e["outcome"] == o for e in history) for o in {e["outcome"] for e in history}}
    print(  # the announcer's figures, for the notes (pytest -s)
        f"announcer: {len(history)} calls, {outcomes}, oldest spoken {ages[-1] / 1000:.1f} s, "
        f"backlog empty after {drained / 1000:.1f} s"
    )
    for entry in spoken:
        assert entry["at"] - entry["receivedAt"] <= 30_000, entry  # never older than 30 s
        gone = superseded.get(entry["ticketId"])
        assert gone is None or entry["at"] < gone + 1_000, entry  # never after it moved on
    called_last = {t["id"] for t in second.values()} | {first[8]["id"]}
    assert {e["ticketId"] for e in spoken} <= called_last | set(superseded), history
    assert len(spoken) == len({e["ticketId"] for e in spoken})  # one turn per ticket
    context.close()


LAYOUT_CHECK = """() => {
  const footer = document.querySelector('.lobby-foot').getBoundingClientRect().top;
  const inside = (el) => {
    const box = el.getBoundingClientRect();
    return box.top >= 0 && box.left >= 0 && box.bottom <= footer + 0.5
      && box.right <= innerWidth + 0.5 && box.height > 0;
  };
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const rows = [...document.querySelectorAll('#recent-calls tr')];
  const names = [...document.querySelectorAll('#waiting-counts .svc')];
  const counts = [...document.querySelectorAll('#waiting-counts .count')];
  const waits = [...document.querySelectorAll('#waiting-counts .wait')];
  return {
    rows: rows.length,
    rowsInside: rows.every(inside),
    servicesInside: [...names, ...counts].every(inside),
    clockInside: inside(document.getElementById('clock')),
    smallestName: Math.min(...names.map(px)),
    smallestCount: Math.min(...counts.map(px)),
    waits: waits.map((w) => w.textContent),
    services: names.length,
    truncated: names.filter((n) => n.scrollWidth > n.clientWidth + 1).map((n) => n.textContent),
  };
}"""


def test_the_lobby_is_readable_at_every_tv_size(browser, tmp_path):
    """All eight recent calls fully on screen; names and counts ≥ 48 px at 1080p; a wait each."""
    (tmp_path / "tv").mkdir()
    hall = Hall(tmp_path / "tv")
    try:
        for prefix in "ABCDEFGHABC":
            hall.issue(prefix)
        at_desk = {
            desk: hall.api("POST", f"/desks/{desk}/call-next")["ticket"] for desk in range(1, 9)
        }
        for desk in (1, 2, 3):  # three more calls: more than the eight the lobby shows
            done = {"desk_id": desk}
            hall.api("POST", f"/tickets/{at_desk[desk]['id']}/start", done)
            hall.api(
                "POST", f"/tickets/{at_desk[desk]['id']}/finish", {**done, "outcome": "已答复"}
            )
            hall.api("POST", f"/desks/{desk}/call-next")
        for prefix in "AAL":
            hall.issue(prefix)
        for width, height in ((1920, 1080), (1366, 768), (3840, 2160)):
            context = browser.new_context(viewport={"width": width, "height": height})
            context.add_init_script(CAPTURE_SPEECH)
            page = context.new_page()
            page.goto(hall.display_url)
            page.wait_for_url("**/display/")
            enable_voice(page)
            page.wait_for_function("document.querySelectorAll('#recent-calls tr').length >= 8")
            found = page.evaluate(LAYOUT_CHECK)
            screenshot(page, f"display-lobby-{width}x{height}")
            assert found["rows"] == 8 and found["rowsInside"], (width, found)
            assert found["servicesInside"] and found["clockInside"], (width, found)
            assert found["services"] == 15 and all(found["waits"]), found
            assert found["truncated"] == [], found  # every department's name in full
            if height == 1080:
                assert found["smallestName"] >= 48 and found["smallestCount"] >= 48, found
            context.close()
        assert any("约" in wait for wait in found["waits"])  # someone waits: a wait is shown
    finally:
        hall.stop()


def test_alert_times_are_in_the_halls_zone_before_and_after_the_live_redraw(browser, hall):
    """A supervisor's browser in another zone still reads the hall's clock, never UTC."""
    import sqlite3
    from datetime import UTC, datetime, timedelta

    moment = datetime.now(UTC).replace(microsecond=0)
    with sqlite3.connect(hall.instance / "reception.sqlite3") as connection:
        connection.execute(
            "INSERT INTO alerts (hall_id, at, kind, ticket_number, text, seen)"
            " VALUES (1, ?, 'urgent', 'A099', '征地拆迁', 0)",
            (moment.replace(tzinfo=None).isoformat(sep=" "),),
        )
    hall_clock = (moment + timedelta(hours=8)).strftime("%H:%M")  # Asia/Shanghai
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    page.goto(f"{hall.url}/login")
    page.get_by_label("用户名").fill("supervisor")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/supervisor/")
    drawn = page.get_by_test_id("alerts").locator("tr").first.inner_text()
    assert hall_clock in drawn, drawn  # as the server drew it
    page.wait_for_function("document.body.dataset.connection === 'online'")
    page.wait_for_timeout(500)  # the socket's snapshot has redrawn the table
    redrawn = page.get_by_test_id("alerts").locator("tr").first.inner_text()
    assert hall_clock in redrawn and "A099" in redrawn, redrawn
    context.close()


def test_after_a_reload_the_last_call_is_shown_not_flashed_as_new(browser, hall):
    ticket = hall.issue("G")
    hall.api("POST", "/desks/7/call-next")
    context, display = _open_display(browser, hall)
    display.get_by_test_id("current-call").filter(has_text="7 号窗口").wait_for(timeout=5000)
    assert (
        display.evaluate("document.getElementById('current-call').classList.contains('flash')")
        is False
    )
    display.reload()
    display.wait_for_function("document.body.dataset.connection === 'online'")
    display.get_by_test_id("current-call").filter(has_text=ticket["number"]).wait_for(timeout=5000)
    flashing = display.evaluate(
        "document.getElementById('current-call').classList.contains('flash')"
    )
    assert flashing is False and display.evaluate("window.__spoken.length") == 0
    context.close()
