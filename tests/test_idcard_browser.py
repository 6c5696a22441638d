"""The ID card at the registrar's counter and at the kiosk, in headless Chromium, read through a
fake 华视 CVR-100 service on 127.0.0.1 (the vendor's JSON, the card's photo included): the
form fills itself, the messages for no reader, no card and an expired card, and nothing of the
card in the server's log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser import screenshot, staff_page
from tests.live_server import Hall

pytestmark = pytest.mark.browser

PHOTO = "Qk02AAAAAAAAADYAAAAoAAAAUEhPVE9PRlRIRUNBUkQ="  # never to leave the page
CARD = {
    "resultFlag": 0,
    "errorMsg": "",
    "partyName": "林晓雯",
    "gender": "女",
    "nation": "汉",
    "bornDay": "19860215",
    "certAddress": "河北省石家庄市长安区建设北大街88号",
    "certNumber": "130102198602150027",
    "certOrg": "石家庄市公安局长安分局",
    "effDate": "20200101",
    "expDate": "20400101",
    "identityPic": PHOTO,
}


class FakeReader:
    """The vendor's local service: answers GET /readcard with `answer`, CORS allowed."""

    def __init__(self) -> None:
        self.answer: dict = {"resultFlag": -1, "errorMsg": "请放卡"}
        self.reads = 0
        reader = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                reader.reads += 1
                body = json.dumps(reader.answer, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/readcard"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def reader() -> Iterator[FakeReader]:
    fake = FakeReader()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def hall(tmp_path_factory, browser, reader) -> Iterator[Hall]:
    running = Hall(tmp_path_factory.mktemp("idcard"))
    context, page = staff_page(browser, running.url, "admin")
    page.goto(f"{running.url}/admin/hall")
    page.get_by_label("身份证阅读器本机服务地址").fill(reader.url)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存").wait_for()
    context.close()
    yield running
    running.stop()


def _status(page) -> str:
    return page.get_by_test_id("card-status").inner_text()


def test_the_card_on_the_reader_fills_the_registration_form(browser, hall, reader):
    reader.answer = {"resultFlag": -1, "errorMsg": "请放卡"}
    context, page = staff_page(browser, hall.url, "registrar")
    page.goto(f"{hall.url}/registration/")
    page.get_by_role("button", name="读取身份证").click()
    page.wait_for_function(
        "document.querySelector('[data-testid=card-status]').textContent.includes('还没有身份证')"
    )
    reader.answer = dict(CARD)  # the visitor puts the card down: the poll reads it
    page.wait_for_url(f"{hall.url}/registration/lookup")
    assert page.get_by_label("姓名").input_value() == "林晓雯"
    assert page.locator("input[name=id_number]").input_value() == "130102198602150027"
    assert page.get_by_label("住址").input_value() == CARD["certAddress"]
    hint = page.get_by_test_id("age").inner_text()
    assert "女" in hint and "1986-02-15" in hint
    assert PHOTO not in page.content()
    screenshot(page, "idcard-registration")
    context.close()
    log = (hall.instance / "server.log").read_text(errors="replace")
    for secret in (CARD["partyName"], CARD["certNumber"], "石家庄市长安区", PHOTO):
        assert secret not in log


def test_no_reader_and_an_expired_card_are_said_plainly(browser, hall, reader):
    reader.answer = {**CARD, "expDate": "20200101"}
    context, page = staff_page(browser, hall.url, "registrar")
    page.goto(f"{hall.url}/registration/")
    page.get_by_role("button", name="读取身份证").click()
    page.wait_for_function(
        "document.querySelector('[data-testid=card-status]').textContent.includes('已过期')"
    )
    assert "20200101" in _status(page)
    assert page.locator("input[name=id_number]").input_value() == ""  # nothing filled
    # the reader's service stops: the page says so
    page.route(reader.url, lambda route: route.abort())
    page.get_by_role("button", name="读取身份证").click()
    page.wait_for_function(
        "document.querySelector('[data-testid=card-status]').textContent.includes('没有连接身份证阅读器')"
    )
    context.close()


def test_the_kiosk_reads_the_card_to_check_in(browser, hall, reader):
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    page = context.new_page()
    posted = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    # a kiosk whose reader does not answer offers no card (and says nothing of hardware)
    page.route(reader.url, lambda route: route.abort())
    page.goto(f"{hall.url}/kiosk/checkin")
    page.wait_for_timeout(2500)
    assert page.get_by_test_id("card-checkin").is_hidden()
    page.unroute(reader.url)
    reader.answer = {"resultFlag": -1}
    page.get_by_test_id("read-card").wait_for()
    reader.answer = dict(CARD)  # nobody booked with this card today
    error = page.get_by_test_id("checkin-error")
    error.wait_for()
    assert "没有用这张身份证预约今天的记录" in error.inner_text()
    assert PHOTO not in page.content() and CARD["partyName"] not in page.content()
    # the card left on the reader is not sent again and again; the button sends it once more
    page.wait_for_timeout(4000)
    assert len(posted) == 1
    page.get_by_test_id("read-card").click()
    page.wait_for_load_state()
    page.wait_for_timeout(500)
    assert len(posted) == 2
    screenshot(page, "idcard-kiosk")
    context.close()
