"""How many requests the process works on at once.

One process runs Python one thread at a time (the GIL), and the threaded server gives every
client connection its own thread. At 9:00, sixteen desks pressing "call next" made sixteen
threads take turns at the interpreter: every request was slower by the others' work, and the
one holding the hall lock waited for the interpreter after each of its database round trips
while the other fifteen queued behind the lock. The gate lets `places` requests work at once
and the rest wait their turn, first come first served, without using the interpreter; the
holder of the hall lock then shares it with at most one other. Measured on two cores over
PostgreSQL at 16 clients (`bench/api_bench.py`, several runs each): call-next 250-280 → 280-350
requests/s, p99 84-110 → 61-90 ms; with 3 or 4 places the gain was smaller. On SQLite one
place is best (`config.active_requests` chooses by database).

Not gated: Socket.IO (a websocket or a long poll lives as long as its screen), requests with a
large or unknown-length body (an upload is as slow as its sender), and the reports and the
set-up export (a year's figures or a workbook take far longer than a desk's request: with one
place, every desk would wait behind them). A request that has waited `wait` seconds goes in
anyway: a few slow requests holding the places delay the others by at most that much and never
stop them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar

from flask import Flask

from reception.queue.locking import FairLock

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
SMALL_BODY = 64 * 1024  # bytes; a form, a JSON request, a photo-less registration
F = TypeVar("F", bound=Callable[..., Any])


def long_running(view: F) -> F:
    """Mark a view as one of the staff's long computations, which the gate lets through."""
    view.long_running = True  # type: ignore[attr-defined]
    return view


class Ungated(NamedTuple):
    """What the gate lets through by path: exactly these `paths`, and whatever starts with one
    of these `prefixes`."""

    paths: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()


def ungated_paths(app: Flask) -> Ungated:
    """Read off the app as it is wired: Socket.IO's middleware path (a prefix), and every rule
    whose view is `long_running`: its path exactly, or, when it has variable parts, its path up
    to the first of them as a prefix. Written out by hand, a view moved to another path would
    have been gated again without anyone noticing; and a whole prefix (`/reports/`) would have
    let through views nobody marked."""
    socket_path = getattr(app.wsgi_app, "engineio_path", "/socket.io/")
    paths: set[str] = set()
    prefixes = {socket_path.rstrip("/")}
    for rule in app.url_map.iter_rules():
        if getattr(app.view_functions.get(rule.endpoint), "long_running", False):
            if rule.arguments:
                prefixes.add(rule.rule.split("<", 1)[0])
            else:
                paths.add(rule.rule)
    return Ungated(frozenset(paths), tuple(sorted(prefixes)))


def gated(inner: WSGIApp, places: int, wait: float, ungated: Ungated) -> WSGIApp:
    """`inner` behind a first-come gate of `places`; the `ungated` paths pass by it (see the
    module)."""
    gate = FairLock(places)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not _gated(environ, ungated):
            return inner(environ, start_response)
        placed = gate.acquire(timeout=wait)
        try:
            return inner(environ, start_response)
        finally:
            if placed:
                gate.release()

    app.gate = gate  # type: ignore[attr-defined]
    app.ungated = ungated  # type: ignore[attr-defined]
    return app


def _gated(environ: dict[str, Any], ungated: Ungated) -> bool:
    path = environ.get("PATH_INFO", "")
    if path in ungated.paths or path.startswith(ungated.prefixes):
        return False
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        return False
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True  # the app refuses it quickly
    return length <= SMALL_BODY
