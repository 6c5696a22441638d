"""The gate: how many requests one process works on at once (`reception.web.edge.gate`)."""

from __future__ import annotations

import threading
import time

import pytest

from reception import create_app
from reception.core.config import ConfigError, active_requests
from reception.queue.locking import FairLock
from reception.web.edge.gate import Ungated, _gated, gated, long_running, ungated_paths


def _request(path: str = "/api/v1/tickets", **environ: str) -> dict:
    return {"PATH_INFO": path, "REQUEST_METHOD": "POST", **environ}


class _Inner:
    """A WSGI app whose requests each work until told to finish; records who entered."""

    def __init__(self) -> None:
        self.entered: list[str] = []
        self.finish: dict[str, threading.Event] = {}
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        name = environ["test.name"]
        with self.lock:
            self.entered.append(name)
            finish = self.finish.setdefault(name, threading.Event())
        assert finish.wait(5)
        start_response("200 OK", [])
        return [name.encode()]

    def done(self, name: str) -> None:
        with self.lock:
            self.finish.setdefault(name, threading.Event()).set()


def _send(app, name: str, results: dict, **environ: str) -> threading.Thread:
    def run() -> None:
        results[name] = b"".join(app(_request(**environ, **{"test.name": name}), lambda *a: None))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _until(condition, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_fair_lock_with_places_lets_that_many_in_and_the_rest_in_arrival_order():
    lock = FairLock(2)
    assert lock.acquire() and lock.acquire() and lock.held
    assert lock.acquire(timeout=0.02) is False  # both places taken
    order: list[int] = []
    threads = []
    for index in range(4):
        arrived = threading.Event()

        def waiter(index: int = index, arrived: threading.Event = arrived) -> None:
            arrived.set()
            assert lock.acquire(timeout=5)
            order.append(index)
            lock.release()

        thread = threading.Thread(target=waiter)
        thread.start()
        arrived.wait()
        time.sleep(0.02)  # in the queue before the next comes
        threads.append(thread)
    lock.release()  # one place free: the waiters pass through it one at a time, in order
    for thread in threads:
        thread.join(5)
    assert order == [0, 1, 2, 3] and lock.held
    lock.release()
    assert not lock.held


def test_the_gate_lets_its_places_work_and_the_others_wait_their_turn():
    inner = _Inner()
    app = gated(inner, places=2, wait=5, ungated=Ungated())
    results: dict = {}
    first = [_send(app, name, results) for name in ("a", "b")]
    _until(lambda: inner.entered == ["a", "b"])
    waiting = []
    for name in ("c", "d"):
        waiting.append(_send(app, name, results))
        time.sleep(0.05)
    assert inner.entered == ["a", "b"]  # two at work, two waiting
    inner.done("b")
    _until(lambda: inner.entered == ["a", "b", "c"])  # the first to come, first in
    inner.done("a")
    _until(lambda: len(inner.entered) == 4)
    for name in ("c", "d"):
        inner.done(name)
    for thread in first + waiting:
        thread.join(5)
    assert results == {"a": b"a", "b": b"b", "c": b"c", "d": b"d"}
    assert not app.gate.held  # every place given back


def test_sockets_uploads_and_long_waiters_are_not_held_at_the_gate():
    """Socket.IO (a screen's connection lives for hours), the reports (a year's figures) and
    large or streamed bodies (as slow as their sender) pass a full gate; a request kept
    waiting past `wait` goes in anyway, so slow requests holding the places delay the others
    and never stop them."""
    inner = _Inner()
    app = gated(
        inner,
        places=1,
        wait=0.2,
        ungated=Ungated(frozenset({"/reports/annual.xlsx"}), ("/socket.io",)),
    )
    results: dict = {}
    busy = _send(app, "slow page", results)
    _until(lambda: inner.entered == ["slow page"])
    passing = [
        _send(app, "screen", results, PATH_INFO="/socket.io/", QUERY_STRING="EIO=4"),
        _send(app, "year", results, PATH_INFO="/reports/annual.xlsx", QUERY_STRING="year=2026"),
        _send(app, "upload", results, CONTENT_LENGTH=str(5 * 1024 * 1024)),
        _send(app, "stream", results, HTTP_TRANSFER_ENCODING="chunked"),
    ]
    _until(lambda: len(inner.entered) == 5)
    for name in ("screen", "year", "upload", "stream"):
        inner.done(name)
    started = time.monotonic()
    late = _send(app, "desk", results)
    _until(lambda: "desk" in inner.entered)
    assert 0.15 < time.monotonic() - started < 2  # waited its `wait`, then went in
    inner.done("desk")
    late.join(5)
    assert app.gate.held  # the slow page still holds its place; the latecomer took none
    inner.done("slow page")
    for thread in [busy, *passing]:
        thread.join(5)
    assert not app.gate.held and len(results) == 6


def test_a_server_gates_its_requests_unless_told_not_to(monkeypatch, tmp_path):
    monkeypatch.setenv("RECEPTION_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("RECEPTION_ACTIVE_REQUESTS", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/g.db"})
    # unset: one place on SQLite (one writer, its work in our process), two on PostgreSQL
    assert app.config["ACTIVE_REQUESTS"] == 1 and app.wsgi_app.gate.places == 1
    assert active_requests({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://h/db"}) == 2
    monkeypatch.setenv("RECEPTION_ACTIVE_REQUESTS", "3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/g.db"})
    assert app.wsgi_app.gate.places == 3
    monkeypatch.setenv("RECEPTION_ACTIVE_REQUESTS", "-2")
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/g.db"})
    monkeypatch.setenv("RECEPTION_ACTIVE_REQUESTS", "0")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/g.db"})
    assert not hasattr(app.wsgi_app, "gate")
    monkeypatch.setenv("RECEPTION_ACTIVE_REQUESTS_WAIT_MS", "-1")
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/g.db"})


def test_the_paths_let_through_are_read_off_the_app(monkeypatch, tmp_path):
    """The gate's ungated paths come from the app as wired: Socket.IO's middleware path and the
    rules of the views marked `long_running` (the reports, the set-up export), so a view moved
    to another path, or a new long computation, is let through without a list to keep, and a
    view nobody marked is gated even beside the marked ones."""
    monkeypatch.setenv("RECEPTION_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("RECEPTION_ACTIVE_REQUESTS", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/g.db"})
    ungated = app.wsgi_app.ungated
    assert ungated.prefixes == ("/socket.io",)
    assert ungated.paths == {
        "/admin/export",
        "/reports/",
        "/reports/export.csv",
        "/reports/export.xlsx",
        "/reports/annual.xlsx",
        "/reports/exports/ratings",
        "/reports/exports/petitions",
    }
    assert not _gated(_request("/socket.io/", QUERY_STRING="EIO=4"), ungated)
    assert not _gated(_request("/reports/annual.xlsx"), ungated)
    assert _gated(_request("/api/v1/desks/1/call-next"), ungated)

    app.add_url_rule(
        "/figures/<int:year>/all.xlsx", "figures", long_running(lambda year: str(year))
    )
    app.add_url_rule("/reports/today", "today", lambda: "today")  # not marked
    derived = ungated_paths(app)
    assert "/figures/" in derived.prefixes  # the rule's path up to its first variable part
    assert not _gated(_request("/figures/2026/all.xlsx"), derived)
    assert _gated(_request("/reports/today"), derived)
    assert _gated(_request("/api/v1/desks/1/call-next"), derived)
