"""HTTP side: blueprints by audience, error pages, the login wiring."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db, login_manager
from ..models import User
from ..queue.clock import local_time
from ..queue.errors import QueueError
from . import (
    api,
    api_appointments,  # noqa: F401 - adds the appointment routes to the API blueprint
    appointments,
    auth,
    booking,
    cases,
    desk,
    display,
    home,
    kiosk,
    registration,
    sockets,  # noqa: F401 - registers the Socket.IO handlers
    supervisor,
    tickets,
)
from .common import error_text


def register(app: Flask) -> None:
    blueprints = (
        home.bp,
        auth.bp,
        kiosk.bp,
        tickets.bp,
        desk.bp,
        display.bp,
        registration.bp,
        cases.bp,
        supervisor.bp,
        booking.bp,
        appointments.bp,
        api.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(_load_user)
    app.context_processor(_template_globals)
    app.add_template_filter(_localtime, "localtime")
    app.register_error_handler(QueueError, _queue_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def _template_globals() -> dict[str, Any]:
    return {"locale": str(get_locale() or "zh_CN")}


def _localtime(moment: datetime | None, timezone: str, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return local_time(timezone, moment).strftime(pattern) if moment else ""


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _queue_error(error: QueueError) -> Any:
    db.session.rollback()
    message = error_text(error)
    if _wants_json():
        return jsonify(error=type(error).__name__, message=message), error.status
    return render_template("errors/error.html", code=error.status, message=message), error.status


def _csrf_error(error: CSRFError) -> Any:
    message = gettext("The form has expired or was not sent by this site. Please try again.")
    if _wants_json():
        return jsonify(error="CSRFError", message=message), 400
    return render_template("errors/error.html", code=400, message=message), 400


def _http_error(error: HTTPException) -> Any:
    db.session.rollback()
    code = error.code or 500
    messages = {
        400: gettext("The request was not understood."),
        403: gettext("Your account may not do this."),
        404: gettext("Nothing here: the page or ticket does not exist."),
        405: gettext("This address does not accept that method."),
        503: gettext("The hall is not set up yet."),
    }
    message = messages.get(code, error.description or error.name)
    if _wants_json():
        return jsonify(error=error.name, message=error.description or message), code
    return render_template("errors/error.html", code=code, message=message), code
