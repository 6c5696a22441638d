"""Locale choice: Simplified Chinese unless the person picked English."""

from __future__ import annotations

from flask import current_app, request

SUPPORTED = ("zh_CN", "en")
COOKIE = "lang"


def select_locale() -> str:
    choice = request.args.get("lang") or request.cookies.get(COOKIE)
    if choice in SUPPORTED:
        return choice
    return default_locale()


def default_locale() -> str:
    """The hall's own language."""
    return str(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN"))
