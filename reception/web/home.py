"""The start page and the language switch."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from .common import current_hall
from .i18n import COOKIE, SUPPORTED

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home.html", hall=current_hall())


@bp.get("/vendor/socket.io.min.js")
def socketio_client():
    """The Socket.IO browser client, installed from npm (`npm ci`), served from this server."""
    folder = Path(current_app.root_path).parent / "node_modules" / "socket.io-client" / "dist"
    if not (folder / "socket.io.min.js").exists():
        abort(404, description="socket.io-client is not installed: run `npm ci`.")
    response = send_from_directory(folder, "socket.io.min.js", max_age=86400)
    return response


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
