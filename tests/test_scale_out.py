"""Two server processes on PostgreSQL and Redis: a call on one reaches the other's screens."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import create_engine, text

from tests.browser import ServerProcess
from tests.helpers import POSTGRES_URL, REDIS_URL, need_service, postgres_admin_url
from tests.live_server import Hall, Listener

pytestmark = pytest.mark.services


@pytest.fixture
def shared_services() -> Iterator[dict[str, str]]:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        need_service(f"Redis is not reachable at {REDIS_URL}: {exc}")
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    name = f"reception_scale_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {
            "RECEPTION_DATABASE_URL": POSTGRES_URL + name,
            "RECEPTION_REDIS_URL": REDIS_URL,
            "RECEPTION_SOCKETIO_CHANNEL": f"reception-test-{uuid.uuid4().hex[:8]}",
        }
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_call_on_process_a_reaches_a_screen_on_process_b(shared_services, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    process_a = Hall(tmp_path / "a", env=shared_services)
    process_b = ServerProcess(tmp_path / "b", env=shared_services).start()
    listener = None
    try:
        listener = Listener(process_b.url, auth={"device": process_a.display_token})
        assert listener.join("hall:1")["ok"] is True
        ticket = process_a.issue("A")
        assert listener.join(f"ticket:{ticket['token']}")["ok"] is True
        process_a.api("POST", "/desks/1/call-next")
        called = listener.wait_for(
            lambda e: e["action"] == "call" and e["ticket"]["id"] == ticket["id"], timeout=5
        )
        assert called["ticket"]["desk_number"] == 1
        assert called["announce"]["text"] == f"请 {ticket['number']} 号 到 1 号窗口"
        # one event per change even though the client sits in two of its rooms
        assert sum(e["action"] == "call" for e in listener.events) == 1
    finally:
        if listener:
            listener.close()
        process_b.stop()
        process_a.stop()
