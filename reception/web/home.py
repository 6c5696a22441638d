"""The start page and the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from reception.assets import VENDOR_FILES, vendor_root
from reception.web.common import current_hall
from reception.web.display import short_enrol
from reception.web.edge.i18n import COOKIE, SUPPORTED

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home.html", hall=current_hall())


@bp.get("/vendor/socket.io.min.js")
def socketio_client():
    """The Socket.IO browser client, installed from npm (`npm ci`), served from this server."""
    return _vendor_file("socket.io-client/dist/socket.io.min.js")


@bp.get("/vendor/echarts.min.js")
def echarts():
    """Apache ECharts for the report charts, installed from npm, served from this server."""
    return _vendor_file("echarts/dist/echarts.min.js")


@bp.get("/vendor/swagger-ui/<name>")
def swagger_ui(name: str):
    """Swagger UI for the API's docs page (`/api/v1/docs`), from npm, no CDN."""
    return _vendor_file(f"swagger-ui-dist/{name}")


def _vendor_file(relative: str):
    if relative not in VENDOR_FILES:
        abort(404)
    path = vendor_root() / relative
    if not path.is_file():
        abort(404, description="The browser libraries are not installed: run `npm ci`.")
    return send_from_directory(path.parent, path.name, max_age=86400)


@bp.get("/e/<code>")
def enrol_display(code: str):
    """A display's short enrolment address (typed with a TV remote)."""
    return short_enrol(code)


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language in a cookie (no server-side state changes). `next` is a
    path of this hall's pages (as `request.path` reads it, under the hall's `/h/<code>`)."""
    target = request.args.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("home.index")
    elif request.script_root and not target.startswith(request.script_root + "/"):
        target = request.script_root + target
    response = make_response(redirect(target))
    if code in SUPPORTED:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response
