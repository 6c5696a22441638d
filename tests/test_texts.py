"""Texts to visitors through the real SDKs of Alibaba Cloud and Tencent Cloud SMS, pointed at a
local stub of ours that checks each request's signature, template and variables (nothing leaves
the machine); "your turn is near" at N places ahead, once per leg, only with consent, never
after the call; retries with backoff and the states the administration shows."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from reception import jobs
from reception.models import Case, MessageState, OutboxMessage, Ticket, Visitor
from reception.queue import moves, nearing
from reception.sms import kinds, outbox
from reception.sms.gateways import AliyunGateway, Refused, TencentGateway
from reception.triage import registration, routing
from tests.helpers import commit, desk_by_number, issue, local, login, service_by_prefix

KEY_ID, SECRET = "AKIDstub", "stub-secret"
PHONE = "13912345678"


class Stub:
    """A local SMS endpoint answering as Tencent Cloud (TC3 signed JSON) or Alibaba Cloud
    (ACS3 signed RPC) do; each request checked and kept; `answer` says what to reply."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                seen = {"path": self.path, "headers": dict(self.headers), "body": body}
                stub.requests.append(seen)
                if "X-TC-Action" in self.headers:
                    seen["valid"] = stub.tc3_valid(self.headers, body)
                    payload = stub.answers.pop(0) if stub.answers else stub.tencent_ok()
                else:
                    seen["valid"] = stub.acs3_shaped(self.headers, body)
                    payload = stub.answers.pop(0) if stub.answers else stub.aliyun_ok()
                out = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @staticmethod
    def tencent_ok() -> dict:
        status = {"SerialNo": "2640:0001", "PhoneNumber": "+86" + PHONE, "Fee": 1}
        return {"Response": {"SendStatusSet": [{**status, "Code": "Ok", "Message": "ok"}]}}

    @staticmethod
    def aliyun_ok() -> dict:
        return {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r"}

    @staticmethod
    def tc3_valid(headers, body: bytes) -> bool:
        """Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256), recomputed with our secret."""
        auth = headers["Authorization"]
        algorithm, _, rest = auth.partition(" ")
        parts = dict(p.strip().split("=", 1) for p in rest.split(","))
        key_id, day, service, _ = parts["Credential"].split("/")
        signed = parts["SignedHeaders"].split(";")
        canonical_headers = "".join(f"{h}:{headers[h].strip().lower()}\n" for h in signed)
        canonical = "\n".join(
            [
                "POST",
                "/",
                "",
                canonical_headers,
                parts["SignedHeaders"],
                hashlib.sha256(body).hexdigest(),
            ]
        )
        scope = f"{day}/{service}/tc3_request"
        to_sign = "\n".join(
            [
                algorithm,
                headers["X-TC-Timestamp"],
                scope,
                hashlib.sha256(canonical.encode()).hexdigest(),
            ]
        )

        def sign(key: bytes, text: str) -> bytes:
            return hmac.new(key, text.encode(), hashlib.sha256).digest()

        key = sign(sign(sign(("TC3" + SECRET).encode(), day), service), "tc3_request")
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return key_id == KEY_ID and hmac.compare_digest(expected, parts["Signature"])

    @staticmethod
    def acs3_shaped(headers, body: bytes) -> bool:
        """Alibaba Cloud's ACS3-HMAC-SHA256: our key id, the signed headers, the body's hash."""
        auth = headers["Authorization"]
        return (
            auth.startswith(f"ACS3-HMAC-SHA256 Credential={KEY_ID},")
            and "x-acs-action" in auth
            and headers["x-acs-content-sha256"] == hashlib.sha256(body).hexdigest()
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    server = Stub()
    yield server
    server.close()


def _config(stub: Stub, gateway: str) -> dict:
    return {
        "SMS_GATEWAY": gateway,
        "SMS_KEY_ID": KEY_ID,
        "SMS_KEY_SECRET": SECRET,
        "SMS_SIGN_NAME": "市信访接待中心",
        "SMS_APP_ID": "1400000001",
        "SMS_ENDPOINT": stub.url,
        **{f"SMS_TEMPLATE_{kind.upper()}": f"T-{kind}" for kind in kinds.KINDS},
    }


def test_every_kind_of_text_keeps_its_variables_within_six_characters():
    samples = {
        "ticket": "AB1234",
        "ahead": "20",
        "link": "x" * outbox.LINK_LENGTH,
        "day": "12月31日",
        "time": "17:30",
        **kinds.split_code("ABCDEFGH"),
        "serial": "123456",
        "code": "012345",
    }
    for kind in kinds.KINDS.values():
        params = {name: samples[name] for name in kind.variables}
        kinds.check(kind.code, params)
        assert all(len(value) <= kinds.MAX_VARIABLE for value in params.values())
    with pytest.raises(ValueError):
        kinds.check("turn_near", {"ticket": "A1234567", "ahead": "3", "link": "abcdef"})


def test_every_kind_of_text_has_its_template_setting():
    """`RECEPTION_SMS_TEMPLATE_<KIND>` is read for every kind `kinds` knows (the configuration
    cannot import the texts: the two lists are held equal here)."""
    from reception.core.config import SMS_KINDS

    assert set(SMS_KINDS) == {code.upper() for code in kinds.KINDS}


def test_the_tencent_sdk_sends_a_signed_request_with_the_template_and_its_variables(stub):
    gateway = TencentGateway(_config(stub, "tencent"))
    params = {"ticket": "A012", "ahead": "3", "link": "abc234"}
    reference = gateway.send(PHONE, "turn_near", params, "")
    [request] = stub.requests
    assert request["valid"], request["headers"]["Authorization"]
    assert request["headers"]["X-TC-Action"] == "SendSms"
    sent = json.loads(request["body"])
    assert sent["TemplateId"] == "T-turn_near" and sent["SmsSdkAppId"] == "1400000001"
    assert sent["TemplateParamSet"] == ["A012", "3", "abc234"]
    assert sent["PhoneNumberSet"] == ["+86" + PHONE] and sent["SignName"] == "市信访接待中心"
    assert reference == "2640:0001"


def test_the_aliyun_sdk_sends_a_signed_request_with_the_template_and_its_variables(stub):
    gateway = AliyunGateway(_config(stub, "aliyun"))
    params = {"day": "12月08日", "time": "09:30", "code1": "ABCD", "code2": "EFGH"}
    assert gateway.send(PHONE, "booked", params, "") == "900619746936498440^0"
    [request] = stub.requests
    assert request["valid"], request["headers"]["Authorization"]
    query = dict(parse_qsl(urlsplit(request["path"]).query))
    assert query["TemplateCode"] == "T-booked" and query["PhoneNumbers"] == PHONE
    assert json.loads(query["TemplateParam"]) == params
    stub.answers.append({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit"})
    with pytest.raises(Refused) as refused:
        gateway.send(PHONE, "booked", params, "")
    assert refused.value.code == "isv.BUSINESS_LIMIT_CONTROL" and not refused.value.final


def _waiting_line(hall, count: int):
    """`count` tickets waiting for A; the last one's visitor agreed to texts at registration."""
    a = service_by_prefix("A")
    a.notify_ahead = 3
    commit(None)
    when = local("2026-11-23", "09:00")
    tickets = [issue(hall.id, a.id, when + timedelta(minutes=n)) for n in range(count - 1)]
    person = registration.VisitorInput(name="王五", id_number="", no_id_card=True, phone=PHONE)
    matter = registration.MatterInput(
        account="咨询", category="其他", route=[a.id], sms_consent=True
    )
    _, last = registration.register(
        hall,
        person,
        matter,
        staff_id=None,
        categories=routing.categories(hall),
        elderly_age=70,
        now=when + timedelta(minutes=count),
    )
    commit(None)
    return tickets, last, when


def test_your_turn_is_near_at_three_places_ahead_once_through_the_tencent_gateway(
    app, db, hall, stub, monkeypatch
):
    tickets, visitor, when = _waiting_line(hall, 6)  # five ahead of the visitor
    assert visitor.notify
    for key, value in _config(stub, "tencent").items():
        monkeypatch.setitem(app.config, key, value)
    desk = desk_by_number(1).id
    commit(moves.call_next(desk, now=when + timedelta(minutes=30)))  # four ahead
    jobs.deliver_texts(app, when + timedelta(minutes=30))
    assert stub.requests == []
    commit(moves.start(tickets[0].id, now=when + timedelta(minutes=31)))
    commit(moves.finish(tickets[0].id, "answered", now=when + timedelta(minutes=31)))
    commit(moves.call_next(desk, now=when + timedelta(minutes=32)))  # three ahead
    jobs.deliver_texts(app, when + timedelta(minutes=32))
    [request] = stub.requests
    assert request["valid"]
    sent = json.loads(request["body"])
    number = db.session.get(Ticket, visitor.id).number
    assert sent["TemplateId"] == "T-turn_near"
    assert sent["TemplateParamSet"][:2] == [number, "3"]
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.state == MessageState.SENT and message.gateway_ref == "2640:0001"
    assert message.body.startswith(f"请{number}号准备，前面还有3人")
    # the link in the text opens the ticket's live page
    link = sent["TemplateParamSet"][2]
    client = app.test_client()
    opened = client.get(f"/s/{link}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(visitor.token)
    assert client.get("/s/zzzzzz").status_code == 404
    # at most once per leg: the next calls send nothing more
    commit(moves.start(tickets[1].id, now=when + timedelta(minutes=33)))
    commit(moves.finish(tickets[1].id, "answered", now=when + timedelta(minutes=33)))
    commit(moves.call_next(desk, now=when + timedelta(minutes=34)))
    jobs.deliver_texts(app, when + timedelta(minutes=34), every_line=True)
    assert len(stub.requests) == 1


def test_no_text_without_consent_and_none_after_the_call(app, db, hall):
    tickets, visitor, when = _waiting_line(hall, 3)
    tickets[0].notify = True  # no number given: nothing can be sent
    commit(None)
    nearing.check_all(when)
    texts = db.session.scalars(select(OutboxMessage)).all()
    assert [t.ticket_id for t in texts] == [visitor.id]  # the one who agreed, two ahead
    # the visitor is called before the courier got to the text: it is dropped, never sent late
    commit(moves.call_ticket(desk_by_number(1).id, visitor.id, now=when + timedelta(minutes=5)))
    jobs.deliver_texts(app, when + timedelta(minutes=5))
    db.session.expire_all()
    assert db.session.scalars(select(OutboxMessage)).one().state == MessageState.DROPPED


def test_a_refused_text_is_tried_again_with_backoff_then_failed_and_shown(
    app, client, db, hall, stub, monkeypatch
):
    for key, value in _config(stub, "tencent").items():
        monkeypatch.setitem(app.config, key, value)
    visitor = Visitor(name="赵", phone=PHONE)
    db.session.add(visitor)
    db.session.flush()
    case = Case(
        hall_id=hall.id,
        visitor_id=visitor.id,
        registered_on=local("2026-11-23", "09:00").date(),
        account="诉求",
        category="其他",
        sms_consent=True,
    )
    db.session.add(case)
    commit(None)
    from reception.triage import casework

    casework.apply(case, "accepted", case.registered_on, {}, None)
    commit(None)
    refusal = {
        "Response": {
            "Error": {"Code": "LimitExceeded.PhoneNumberDailyLimit", "Message": "daily limit"},
            "RequestId": "x",
        }
    }
    stub.answers.extend([refusal] * outbox.MAX_TRIES)
    now = db.session.scalars(select(OutboxMessage)).one().next_try_at
    for attempt in range(outbox.MAX_TRIES):
        jobs.deliver_texts(app, now)
        db.session.expire_all()
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.attempts == attempt + 1
        if attempt + 1 < outbox.MAX_TRIES:
            assert message.state == MessageState.QUEUED
            wait = message.next_try_at - now
            assert wait == outbox.FIRST_RETRY * 2**attempt
            jobs.deliver_texts(app, now + wait - timedelta(seconds=1))  # not yet due
            now += wait
    assert message.state == MessageState.FAILED
    assert message.error.startswith("LimitExceeded.PhoneNumberDailyLimit")
    assert json.loads(stub.requests[0]["body"])["TemplateParamSet"] == [
        "11月23日",
        f"{case.id:06d}",
    ]
    login(client, "admin")
    page = client.get("/admin/texts").get_data(as_text=True)
    assert "139****5678" in page and PHONE not in page
    assert "LimitExceeded.PhoneNumberDailyLimit" in page and 'data-state="failed"' in page
    again = client.post(f"/admin/texts/{message.id}/again")
    assert again.status_code == 303
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).state == MessageState.QUEUED


def test_the_outbox_keeps_texts_by_default_and_a_booking_is_confirmed(app, db, hall):
    from tests.test_appointments import _book

    appointment = _book(hall, when=("2026-11-27", "09:00"))
    message = db.session.scalars(select(OutboxMessage)).one()
    jobs.deliver_texts(app, message.next_try_at)
    db.session.expire_all()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.kind == "booked" and message.state == MessageState.KEPT
    assert "11月27日09:00" in message.body and appointment.code in message.body


def test_turn_near_and_the_short_link_on_postgresql(postgres_app):
    """The same path on PostgreSQL: the line read, the text recorded once, claimed, kept, and
    found again by its link (a JSON field); the migrations match the models there too."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from reception.db.extensions import db as _db
    from reception.models import Hall
    from reception.sms.gateways import OutboxGateway

    app, _ = postgres_app
    with app.app_context():
        with _db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), _db.metadata) == []
        hall = _db.session.scalars(select(Hall)).first()
        _, visitor, when = _waiting_line(hall, 3)
        now = when + timedelta(minutes=10)
        assert nearing.check_all(now) == 1
        assert nearing.check_all(now) == 0  # once per leg
        assert outbox.deliver_due(OutboxGateway(), now) == 1
        message = _db.session.scalars(select(OutboxMessage)).one()
        assert message.state == MessageState.KEPT and message.ticket_id == visitor.id
        assert outbox.by_link(message.params["link"]).id == message.id
        assert outbox.by_link("zzzzzz") is None


def test_the_cron_command_looks_at_every_line_and_sends(db, hall, runner, monkeypatch):
    """Scale-out without `reception run`: `reception send-texts` from cron records the turn-near
    texts of every line (no process noted the call) and sends what is due."""
    _, visitor, when = _waiting_line(hall, 2)
    # the command runs "now": the morning the line was made
    monkeypatch.setattr(nearing, "utcnow", lambda: when + timedelta(minutes=10))
    monkeypatch.setattr(outbox, "utcnow", lambda: when + timedelta(minutes=10))
    from reception.cli import main

    result = runner.invoke(main, args=["send-texts"])
    assert result.exit_code == 0, result.output
    assert "1 text(s) sent or kept" in result.output
    db.session.expire_all()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.ticket_id == visitor.id and message.state == MessageState.KEPT
