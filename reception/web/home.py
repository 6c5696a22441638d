"""The start page and the language switch."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from .common import current_hall
from .i18n import COOKIE, SUPPORTED

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home.html", hall=current_hall())


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language in a cookie (no server-side state changes)."""
    target = request.args.get("next") or url_for("home.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("home.index")
    response = make_response(redirect(target))
    if code in SUPPORTED:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response
