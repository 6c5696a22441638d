"""The hall's HTTP server: connection threads reused, none lost, access lines never formatted."""

from __future__ import annotations

import logging
import threading
import time

import pytest
import requests
from flask import Flask

from reception.web.edge import serving
from tests.browser import free_port


@pytest.fixture
def server(monkeypatch):
    """A tiny app on `PooledWSGIServer`; it answers with the id of the thread that served it."""
    app = Flask(__name__)
    seen: list[int] = []

    @app.get("/")
    def which() -> str:
        seen.append(threading.get_ident())
        return str(threading.get_ident())

    port = free_port()
    httpd = serving.PooledWSGIServer("127.0.0.1", port, app, handler=serving.QuietRequestHandler)
    runner = threading.Thread(target=httpd.serve_forever, daemon=True)
    runner.start()
    yield httpd, f"http://127.0.0.1:{port}/", seen
    httpd.shutdown()
    httpd.server_close()


def test_one_connection_after_another_is_served_by_the_same_thread(server):
    """Werkzeug closes every connection; the thread that served one serves the next instead
    of a new thread being started (and waited for) per connection."""
    _, url, seen = server
    for _ in range(20):
        assert requests.get(url, timeout=5).status_code == 200
        time.sleep(0.002)  # let the thread go back to waiting
    assert len(set(seen)) <= 2, len(set(seen))


def test_no_connection_is_lost_when_idle_threads_end_as_they_are_handed_one(server, monkeypatch):
    """Idle threads end after IDLE_SECONDS; with that made tiny, threads time out just as the
    accepting thread hands them a connection, over and over: every request is still answered."""
    monkeypatch.setattr(serving, "IDLE_SECONDS", 0.0005)
    _, url, _ = server
    failures: list[str] = []

    def client() -> None:
        with requests.Session() as session:
            for _ in range(40):
                try:
                    if session.get(url, timeout=5).status_code != 200:
                        failures.append("status")
                except requests.RequestException as exc:
                    failures.append(repr(exc))

    clients = [threading.Thread(target=client) for _ in range(12)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(30)
    assert failures == []


def test_idle_threads_end(server, monkeypatch):
    monkeypatch.setattr(serving, "IDLE_SECONDS", 0.05)
    httpd, url, _ = server
    before = threading.active_count()
    workers = [threading.Thread(target=lambda: requests.get(url, timeout=5)) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(5)
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() <= before
    assert httpd._idle == 0


def test_access_lines_are_not_even_formatted_unless_logged(server, monkeypatch):
    """The hall's `werkzeug` logger drops access lines (they would carry ticket tokens): the
    handler does not build them. At INFO they are logged as Werkzeug logs them."""
    _, url, _ = server
    formatted: list[str] = []
    original = serving.WSGIRequestHandler.log_request

    def spy(self, *args, **kwargs):
        formatted.append(self.path)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(serving.WSGIRequestHandler, "log_request", spy)
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    try:
        werkzeug_log.setLevel(logging.WARNING)
        requests.get(url + "?token=secret", timeout=5)
        assert formatted == []
        werkzeug_log.setLevel(logging.INFO)
        requests.get(url, timeout=5)
        assert formatted == ["/"]
    finally:
        werkzeug_log.setLevel(level)


def test_error_lines_leave_out_the_request_text(server, caplog):
    """A malformed request is answered 400 and logged at ERROR; the line leaves out the request
    text the standard library would quote (its path may hold a ticket's token)."""
    import socket

    httpd, _, _ = server
    with caplog.at_level(logging.ERROR, logger="werkzeug"):
        for line in (
            b"GET /t/SECRETTOKEN123 extra HTTP/1.1\r\n\r\n",  # bad request syntax
            b"GET x /t/SECRETTOKEN123\r\n\r\n",  # bad request version: the last word
            b"GET /t/SECRET'TOKEN123\" x HTTP/1.1\r\n\r\n",  # both quotes in the line
        ):
            with socket.create_connection(httpd.server_address, timeout=5) as raw:
                raw.sendall(line)
                answer = b""
                while chunk := raw.recv(4096):
                    answer += chunk
                assert b"400" in answer  # (a line without a known version gets no status line)
    messages = [record.getMessage() for record in caplog.records]
    assert len([m for m in messages if "code 400" in m]) == 3, messages
    assert not any("SECRET" in m for m in messages), messages
