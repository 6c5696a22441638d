"""The shared edge every request passes: ids in paths, text that can be stored, JSON shape.

One converter parses every `<int:…>` path id (ASCII digits, within a 64-bit column) so no
view meets an id the database cannot hold; one check refuses text a column cannot store (NUL,
lone surrogates) and JSON nested deeper than any of our bodies, with a 4xx and a message,
before a view or the database sees it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, request
from flask_babel import gettext
from werkzeug.exceptions import BadRequest, UnprocessableEntity
from werkzeug.routing import BaseConverter, ValidationError

from reception.models.types import MAX_ID

MAX_JSON_DEPTH = 20
_ID = re.compile(r"[0-9]{1,19}")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def parse_id(value: object) -> int | None:
    """A database id from a form, JSON body or path: a positive whole number that fits the
    column; None for anything else (Unicode digits, booleans, 2**64, -1)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if isinstance(value, str) and _ID.fullmatch(value.strip()):
        number = int(value.strip())
        return number if 1 <= number <= MAX_ID else None
    return None


class IdConverter(BaseConverter):
    """`<int:…>` for ids: an unparseable or out-of-range id is a 404, never a 500."""

    regex = r"[0-9]{1,19}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def storable(text: str) -> bool:
    return _UNSTORABLE.search(text) is None


def json_depth_ok(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests at most `limit` deep (a linear scan; no parsing)."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _refuse_unstorable(where: Iterable[str]) -> None:
    if not all(storable(text) for text in where):
        raise UnprocessableEntity(
            gettext("The request contains characters that cannot be stored (NUL or broken text).")
        )


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def check_request() -> None:
    """Refuse, before any view runs, input no column could store or no parser should try."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    if req.view_args:  # ids are parsed by the converter; text parts may hold anything
        _refuse_unstorable(v for v in req.view_args.values() if isinstance(v, str))
    if req.query_string:
        _refuse_unstorable(v for values in req.args.listvalues() for v in values)
    # by the declared type: asking for `request.files` would parse a JSON body as a form first
    if req.mimetype in _FORM_TYPES:
        _refuse_unstorable(v for values in req.form.listvalues() for v in values)
    if req.is_json and req.content_length != 0:
        raw = req.get_data(cache=True)
        # fewer brackets than the limit cannot nest deeper than it: no need to scan
        if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and not json_depth_ok(raw):
            raise BadRequest(gettext("The JSON body is nested too deeply."))
        body = req.get_json(silent=True)
        if body is None and raw.strip():
            raise BadRequest(gettext("The body is not valid JSON."))
        if body is not None and not isinstance(body, dict):
            raise BadRequest(gettext("The body must be a JSON object."))
        _refuse_unstorable(_strings(body))


def install(app: Flask) -> None:
    """Before any route is added: the id converter, and the check on every request."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_request)
