"""Many halls on one deployment: a hall's pages live under `/h/<code>/`.

One WSGI middleware, outermost, moves `/h/<code>` from the path into the script root
(`SCRIPT_NAME`) and notes the code in the environ. Every view then runs as it does for a single
hall, and every address Flask builds — links, forms, the tickets' QR codes, the screens'
enrolment addresses, the Socket.IO path a page gives its client — carries the prefix by itself.
A path without the prefix is the deployment's default hall (`RECEPTION_HALL_ID`, else the first):
a deployment with one hall keeps the addresses it always had.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

HALL_CODE_KEY = "reception.hall_code"
_PREFIX = re.compile(r"/h/([a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?)(?=/|$)")


def hall_prefix(code: str) -> str:
    return f"/h/{code}"


class halls_by_prefix:  # noqa: N801 - used as a function wrapping the app
    """The app `inner` with each hall's pages under `/h/<code>/` (see the module)."""

    def __init__(self, inner: WSGIApp) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:  # the gate's and Socket.IO's attributes
        return getattr(self.inner, name)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/h/"):
            found = _PREFIX.match(path)
            if found is None:  # /h/ with no code a hall could have: nothing to serve
                start_response("404 NOT FOUND", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"Not Found"]
            environ[HALL_CODE_KEY] = found.group(1)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + found.group(0)
            environ["PATH_INFO"] = path[found.end() :] or "/"
        return self.inner(environ, start_response)
