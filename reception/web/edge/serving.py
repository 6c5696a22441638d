"""The HTTP server a hall process runs: Werkzeug's threaded server, its threads kept for reuse.

Werkzeug closes every connection after one response, and its threaded server starts a new thread
for each one. Starting a thread makes the accepting thread wait until the new one has run, and
on a busy process that means waiting for the interpreter behind the requests at work: every
connection was accepted only after such a wait, one at a time. Here a connection's thread, once
done, waits a while for the next connection instead of ending, and the accepting thread hands
a connection to a waiting thread without waiting for anything. A websocket keeps its thread for
as long as its screen stays, as before; threads idle for `IDLE_SECONDS` end.
"""

from __future__ import annotations

import logging
import queue
import re
import socket
import threading
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

IDLE_SECONDS = 30.0


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, which formats an access line for every request (the decoded path,
    the date) before the logger decides to drop it. Access lines would carry ticket tokens and
    booking codes, and the hall's `werkzeug` logger drops them: they are not even formatted."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if _werkzeug_logs_info():
            super().log_request(code, size)

    def log_error(self, format: str, *args: Any) -> None:
        """Werkzeug's, without the raw request text the standard library quotes in its "Bad
        request syntax ('GET /ticket/<token> …')" lines: a path may hold a ticket's token or a
        booking code, and error lines are logged at every level the hall runs at."""
        super().log_error(format, *(_unquoted(arg) for arg in args))


_QUOTED = re.compile(r"""\((['"]).*\1\)""", re.DOTALL)


def _unquoted(arg: Any) -> Any:
    return _QUOTED.sub("(…)", arg) if isinstance(arg, str) else arg


def _werkzeug_logs_info() -> bool:
    return logging.getLogger("werkzeug").isEnabledFor(logging.INFO)


class PooledWSGIServer(ThreadedWSGIServer):
    """`ThreadedWSGIServer` whose connection threads serve the next connection (see module)."""

    block_on_close = False  # threads are daemons; nothing to keep a list of (it was reaped
    # at every connection: a scan of every screen's thread)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._handoff: queue.SimpleQueue[tuple[socket.socket, Any]] = queue.SimpleQueue()
        self._pool_lock = threading.Lock()
        self._idle = 0  # threads waiting for a connection, not yet handed one

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._pool_lock:
            if self._idle:
                self._idle -= 1
                self._handoff.put((request, client_address))
                return
        worker = threading.Thread(target=self._serve, args=(request, client_address), daemon=True)
        worker.start()

    def _serve(self, request: Any, client_address: Any) -> None:
        while True:
            self.process_request_thread(request, client_address)
            with self._pool_lock:
                self._idle += 1
            try:
                request, client_address = self._handoff.get(timeout=IDLE_SECONDS)
                continue  # the accepting thread counted this one busy again
            except queue.Empty:
                pass
            with self._pool_lock:
                try:  # handed one just as the wait ran out: it was counted busy
                    request, client_address = self._handoff.get_nowait()
                except queue.Empty:
                    self._idle -= 1
                    return


def serve(app: Any, host: str, port: int) -> None:
    """Serve `app` (HTTP and Socket.IO, threading mode) until interrupted."""
    server = PooledWSGIServer(host, port, app, handler=QuietRequestHandler)
    server.serve_forever()  # Werkzeug's: ends quietly on Ctrl+C and closes the socket
