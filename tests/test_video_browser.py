"""Video reception in Chromium with fake camera and microphone: a kiosk ticket for 视频接访 with
the department chosen, its matter registered, the call at the video desk, the unit answering
from its office, pictures decoded on both sides (getStats), a dropped connection coming back
on the same session, a display and another staff member refused the session's room, the
outcome typed remotely landing on the case, the recording stored encrypted and played back as
a WebM of the session's length (ffprobe), and the visitor rating the leg."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from cryptography.fernet import Fernet

from reception.core.crypto import development_key
from tests.browser import CHROMIUM, CHROMIUM_ARGS, REQUIRE_SERVICES, screenshot, staff_page
from tests.live_server import Hall, Listener

pytestmark = pytest.mark.browser

MEDIA_ARGS = (
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
)


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    # pieces of two seconds: a short session still makes several pieces to put together
    running = Hall(tmp_path_factory.mktemp("video"), env={"RECEPTION_VIDEO_CHUNK_SECONDS": "2"})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def media_browser(browser):
    """Chromium whose camera and microphone are fake devices, allowed without a prompt."""
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *MEDIA_ARGS]
    )
    yield launched
    launched.close()


def _frames(page) -> int:
    return int(page.evaluate("window.videoCall ? window.videoCall.framesDecoded() : 0"))


def _wait_frames(page, more_than: int, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    frames = _frames(page)
    while frames <= more_than and time.monotonic() < deadline:
        time.sleep(0.25)
        frames = _frames(page)
    assert frames > more_than, f"only {frames} frames decoded"
    return frames


def _set_recording(browser, hall: Hall, on: bool) -> None:
    context, page = staff_page(browser, hall.url, "admin")
    page.goto(f"{hall.url}/admin/hall")
    box = page.locator("input[name=video_recording]")
    if box.is_checked() != on:
        box.click()
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存").first.wait_for()
    context.close()


def _kiosk_ticket(browser, hall: Hall, unit: str) -> dict:
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    kiosk = context.new_page()
    kiosk.goto(f"{hall.url}/kiosk/")
    kiosk.locator("button[data-prefix='V']").click()
    kiosk.get_by_test_id("kiosk-units").get_by_role("button", name=unit).click()
    kiosk.wait_for_url("**/kiosk/ticket/*")
    token = kiosk.url.rsplit("/", 1)[1].split("?")[0]
    number = kiosk.get_by_test_id("ticket-number").inner_text().strip()
    assert kiosk.get_by_test_id("slip-unit").inner_text() == unit  # the unit chosen, printed
    kiosk.goto(f"{hall.url}/t/{token}")
    assert unit in kiosk.get_by_test_id("unit-name").inner_text()  # and on the phone
    context.close()
    return {"token": token, "number": number}


def _register(browser, hall: Hall, number: str) -> None:
    """The registrar records the visitor's matter against the number taken at the kiosk."""
    context, page = staff_page(browser, hall.url, "registrar")
    page.goto(f"{hall.url}/registration/")
    page.get_by_label("身份证号").fill("440301199003070035")
    page.get_by_role("button", name="查询").click()
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("来访人口述内容（工作人员录入）").fill(
        "学校拖欠代课教师工资三个月，多次反映未果。"
    )
    page.get_by_label("来访人诉求").fill("补发工资")
    page.get_by_label("类别").select_option(index=1)
    route = page.get_by_test_id("route")
    for box in route.locator("input:checked").all():
        box.uncheck()
    route.get_by_label("视频接访").check()
    page.get_by_label("已取的号码").fill(number.lower())  # typed as heard: any case
    page.get_by_role("button", name="登记并打印号票").click()
    page.wait_for_url("**/kiosk/ticket/*")
    assert page.get_by_test_id("ticket-number").inner_text() == number  # the same number
    context.close()


def _duration(path) -> float:
    """The last video frame's time in the file (MediaRecorder writes no duration header)."""
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "packet=pts_time",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return max(float(line.strip(",")) for line in out.split() if line.strip(","))


def _check_recording(browser, hall: Hall, session_id: int, tmp_path) -> None:
    with sqlite3.connect(hall.instance / "reception.sqlite3") as db:
        answered, ended, recording = db.execute(
            "select answered_at, ended_at, recording from video_sessions where id = ?",
            (session_id,),
        ).fetchone()
        pieces = db.execute(
            "select seq, data from recording_chunks where session_id = ? order by seq",
            (session_id,),
        ).fetchall()
    assert recording and len(pieces) >= 3
    assert [seq for seq, _ in pieces] == list(range(1, len(pieces) + 1))  # none lost
    # encrypted at rest: Fernet tokens under the hall's data key, each a piece of one WebM
    fernet = Fernet(development_key().encode())
    assert all(bytes(data).startswith(b"gAAAAA") for _, data in pieces)
    clear = [fernet.decrypt(bytes(data)) for _, data in pieces]
    assert clear[0].startswith(b"\x1a\x45\xdf\xa3") and b"webm" in clear[0][:64]

    context, page = staff_page(browser, hall.url, "supervisor")
    page.goto(f"{hall.url}/cases/")
    case_link = page.locator("a[href^='/cases/']").filter(has_text="XF").first
    case_link.click()
    page.get_by_test_id("case-history").filter(has_text="本月底前补发").wait_for()
    assert "单位视频接访办理意见" in page.get_by_test_id("case-history").inner_text()
    player = page.get_by_test_id(f"recording-{session_id}")
    response = context.request.get(hall.url + player.get_attribute("src"))
    assert response.status == 200 and response.headers["content-type"] == "video/webm"
    path = tmp_path / "session.webm"
    path.write_bytes(response.body())
    length = _duration(path)
    spoken = (datetime.fromisoformat(ended) - datetime.fromisoformat(answered)).total_seconds()
    assert abs(length - spoken) < 4, (length, spoken)
    with sqlite3.connect(hall.instance / "reception.sqlite3") as db:
        plays = db.execute(
            "select count(*) from audit_entries where action = 'play_recording'"
        ).fetchone()[0]
    assert plays == 1
    # a department's desk that may not see the case may not play its recording either
    outsider_context, _outsider = staff_page(browser, hall.url, "zhujian")
    assert outsider_context.request.get(hall.url + player.get_attribute("src")).status in (403, 404)
    outsider_context.close()
    context.close()


def test_a_full_video_reception(browser, media_browser, hall, tmp_path):
    if not shutil.which("ffprobe"):
        reason = "ffprobe not found (apt-get install ffmpeg)"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
    _set_recording(browser, hall, True)
    # the unit's staff wait in their office, their page open: the kiosk offers the unit
    remote_context, remote = staff_page(media_browser, hall.url, "jiaoyu")
    remote.wait_for_url("**/remote/")
    ticket = _kiosk_ticket(browser, hall, "市教育局")
    assert ticket["number"].startswith("V")
    _register(browser, hall, ticket["number"])
    # the visitor shows in the unit's line
    remote.get_by_test_id("remote-waiting").get_by_text(ticket["number"]).wait_for()

    # the video desk calls the visitor and rings the unit the visitor chose
    hall_context, desk = staff_page(media_browser, hall.url, "video")
    desk.wait_for_url("**/desk/**")
    desk.locator("#call-next").click()
    desk.get_by_test_id("current-ticket").get_by_text(ticket["number"]).wait_for()
    assert desk.get_by_test_id("video-unit").input_value() != ""
    desk.get_by_test_id("start-video").click()
    desk.wait_for_url("**/video/*")
    session_url = desk.url
    desk.get_by_test_id("video-status").filter(has_text="秒").wait_for()

    # the unit's page rings by itself; its staff answer
    remote.get_by_test_id("answer").wait_for(timeout=5000)
    assert int(remote.evaluate("document.body.dataset.chimes || '0'")) >= 1
    remote.get_by_test_id("answer").click()
    remote.wait_for_url(session_url)
    case_box = remote.get_by_test_id("video-case").inner_text()
    assert "王*明" in case_box and "拖欠代课教师工资" in case_box and "王小明" not in case_box
    for page in (desk, remote):
        page.get_by_test_id("video-status").filter(has_text="已连接").wait_for(timeout=15000)
        page.get_by_test_id("recording-note").wait_for()
    _wait_frames(desk, 10)
    _wait_frames(remote, 10)
    desk.get_by_test_id("remote-party").filter(has_text="市教育局信访干部").wait_for()
    screenshot(desk, "video-hall")
    screenshot(remote, "video-remote")

    # the visitor's own screen: the unit large, who and which unit, plain words, no controls
    desk.get_by_test_id("visitor-open").click()
    view = desk.get_by_test_id("visitor-view")
    view.wait_for()
    box = view.bounding_box()
    size = desk.viewport_size
    assert (box["width"], box["height"]) == (size["width"], size["height"])
    covered = desk.evaluate(
        "() => [[10, 10], [innerWidth / 2, innerHeight / 2], [innerWidth - 60, innerHeight - 10]]"
        ".every(([x, y]) => document.getElementById('visitor-view')"
        ".contains(document.elementFromPoint(x, y)))"
    )
    assert covered  # no navigation, case link or 结束 button reachable from the visitor's seat
    caption = view.inner_text()
    assert "市教育局" in caption and "市教育局信访干部" in caption
    assert "正在与市教育局视频通话" in desk.get_by_test_id("visitor-status").inner_text()
    desk.wait_for_function("document.getElementById('visitor-video').videoWidth > 0")
    screenshot(desk, "video-visitor-screen")
    desk.keyboard.press("Escape")
    view.wait_for(state="hidden")

    # the unit's computer loses the page (a reload): the same session comes back, no new call
    generation = desk.evaluate("window.videoCall.generation")
    remote.reload()
    desk.get_by_test_id("video-status").filter(has_text="重新连接中").wait_for(timeout=10000)
    for page in (desk, remote):
        page.get_by_test_id("video-status").filter(has_text="已连接").wait_for(timeout=20000)
    assert desk.evaluate("window.videoCall.generation") > generation
    assert remote.url == desk.url == session_url
    _wait_frames(remote, 10)
    before = _frames(desk)
    _wait_frames(desk, before + 10)

    # the hall's network drops for a few seconds: socket and media come back by themselves
    hall_context.set_offline(True)
    desk.evaluate("window.videoCall.pc.close()")
    time.sleep(3)
    hall_context.set_offline(False)
    for page in (desk, remote):
        page.get_by_test_id("video-status").filter(has_text="已连接").wait_for(timeout=30000)
    before = _frames(desk)
    _wait_frames(desk, before + 10)
    before = _frames(remote)
    _wait_frames(remote, before + 10)

    # nobody else may join the session's room
    session_id = int(session_url.rsplit("/", 1)[1])
    display = Listener(hall.url, auth={"device": hall.display_token})
    try:
        assert display.join(f"video:{session_id}")["ok"] is False
    finally:
        display.close()
    other_context, other = staff_page(browser, hall.url, "lawyer")
    assert other.goto(session_url).status == 404
    other.goto(f"{hall.url}/desk/")  # a page of theirs with the socket client
    other.wait_for_function("typeof io === 'function'")
    refused = other.evaluate(
        """(room) => new Promise((resolve) => {
            const socket = io({ transports: ["websocket"] });
            socket.emit("join", { room }, (reply) => resolve(reply));
        })""",
        f"video:{session_id}",
    )
    assert refused["ok"] is False
    other_context.close()

    # the unit writes its outcome; the hall's page shows it at once
    remote.get_by_test_id("outcome").fill("已责成学校本月底前补发工资，教育局督办。")
    remote.get_by_test_id("save-outcome").click()
    remote.get_by_test_id("outcome-result").filter(has_text="已保存").wait_for()
    desk.get_by_test_id("remote-outcome").filter(has_text="本月底前补发").wait_for(timeout=5000)

    time.sleep(2)
    desk.once("dialog", lambda dialog: dialog.accept())  # 结束视频接访 asks first
    desk.get_by_test_id("end-session").click()
    desk.wait_for_url("**/desk/**", timeout=30000)
    remote.get_by_test_id("video-status").filter(has_text="已结束").wait_for(timeout=5000)
    assert desk.locator("#outcome").input_value().startswith("已责成学校")
    screenshot(desk, "video-console-after")
    desk.locator("button[data-key='f']").click()
    desk.get_by_text(f"{ticket['number']} 已办结").first.wait_for()

    # the unit's outcome is on the case; the recording is kept encrypted and plays back whole
    session_id = int(session_url.rsplit("/", 1)[1])
    _check_recording(browser, hall, session_id, tmp_path)

    # the visitor rates the leg on the phone
    phone_context = media_browser.new_context(viewport={"width": 390, "height": 844})
    phone = phone_context.new_page()
    phone.goto(f"{hall.url}/t/{ticket['token']}")
    phone.get_by_test_id("rate-1-5").click()
    phone.get_by_text("感谢您的评价").wait_for()
    phone_context.close()
    remote_context.close()
    # the operator signs out: the video desk is free for the next one
    desk.get_by_role("button", name="退出").click()
    desk.wait_for_url("**/login**")
    hall_context.close()


def test_an_unanswered_call_is_told_and_rerouted_and_a_missing_camera_is_explained(
    browser, media_browser, hall
):
    context, admin = staff_page(browser, hall.url, "admin")
    admin.goto(f"{hall.url}/admin/hall")
    admin.get_by_label("远程单位接听视频呼叫的时限（秒）").fill("10")
    admin.get_by_role("button", name="保存").click()
    admin.get_by_text("已保存").first.wait_for()
    context.close()
    # 清河县's page is open in its office, but nobody will answer the call
    away_context, away = staff_page(browser, hall.url, "qinghe")
    away.wait_for_url("**/remote/")
    ticket = _kiosk_ticket(browser, hall, "清河县")

    # this operator's computer has no camera or microphone (Chromium without fake devices)
    hall_context, desk = staff_page(browser, hall.url, "video")
    desk.wait_for_url("**/desk/**")
    desk.locator("#call-next").click()
    desk.get_by_test_id("current-ticket").get_by_text(ticket["number"]).wait_for()
    desk.get_by_test_id("start-video").click()
    desk.wait_for_url("**/video/*")
    message = desk.get_by_test_id("media-message")
    message.wait_for()
    assert "摄像头或麦克风" in message.inner_text()
    screenshot(desk, "video-no-camera")

    # nobody at 清河县 answers: the operator is told, and rings another unit instead
    desk.get_by_test_id("video-status").filter(has_text="未应答").wait_for(timeout=20000)
    desk.once("dialog", lambda dialog: dialog.accept())  # 结束视频接访 asks first
    desk.get_by_test_id("end-session").click()
    desk.wait_for_url("**/desk/**")
    desk.get_by_test_id("unanswered").filter(has_text="清河县").wait_for()
    desk.get_by_test_id("video-unit").select_option(label="东城区")
    desk.get_by_test_id("start-video").click()
    desk.wait_for_url("**/video/*")
    desk.get_by_test_id("video-status").filter(has_text="秒").wait_for()
    assert "东城区" in desk.locator("h1").inner_text()
    hall_context.close()
    away_context.close()
