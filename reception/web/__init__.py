"""HTTP side: blueprints by audience, error pages, the login wiring."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Flask, Request, jsonify, render_template, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import format_date, get_locale, gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from reception.core.clock import local_time
from reception.core.errors import QueueError
from reception.db.extensions import db, login_manager
from reception.models import User
from reception.web import (
    admin,
    api,
    appointments,
    auth,
    booking,
    cases,
    city,
    desk,
    display,
    exports,
    home,
    kiosk,
    navigation,
    online,
    online_inbox,
    registration,
    reports,
    sockets,  # noqa: F401 - registers the Socket.IO handlers
    supervisor,
    tickets,
    units,
    video,
)
from reception.web.common import (
    audit_action_text,
    case_status_text,
    case_step_kind_text,
    case_step_text,
    change_field_text,
    change_value_text,
    current_hall,
    error_text,
    rating_text,
    role_text,
    service_kind_text,
    several_halls,
    ticket_state_text,
)
from reception.web.edge import guard
from reception.web.edge.running import settings
from reception.web.forms import PostForm


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, without building the signer for a request that brings
    no session cookie (every API call, every lobby screen's poll): a new empty session, as
    Flask's own would open once the signer found no cookie to read."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def register(app: Flask) -> None:
    app.session_interface = CookieSessions()
    guard.install(app)  # before any route: the id converter applies to every `<int:…>`
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
        city.bp,
        reports.bp,
        exports.bp,
        booking.bp,
        appointments.bp,
        admin.bp,
        video.bp,
        units.bp,
        online.bp,
        online_inbox.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    app.before_request(auth.require_own_password)
    api.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(_load_user)
    app.context_processor(_template_globals)
    app.add_template_filter(_localtime, "localtime")
    app.add_template_filter(case_status_text, "case_status")
    app.add_template_filter(audit_action_text, "audit_action")
    app.add_template_filter(change_field_text, "change_field")
    app.add_template_filter(change_value_text, "change_value")
    app.add_template_filter(case_step_text, "case_step")
    app.add_template_filter(case_step_kind_text, "case_step_kind")
    app.add_template_filter(_longdate, "longdate")
    app.add_template_filter(_weekday, "weekday")
    app.add_template_filter(service_kind_text, "service_kind")
    app.add_template_filter(role_text, "role_name")
    app.add_template_filter(rating_text, "rating_name")
    app.add_template_filter(ticket_state_text, "ticket_state")
    app.register_error_handler(QueueError, _queue_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


def _longdate(day: date | None) -> str:
    """A date with its weekday in the reader's language: 2026年11月25日星期三."""
    return format_date(day, "full") if day else "—"


def _weekday(day: date) -> str:
    """The day of the week, short, in the reader's language: 周三, Wed."""
    return format_date(day, "EEE")


def _load_user(user_id: str) -> User | None:
    """The logged-in person, with the role they hold in this request's hall; someone who holds
    none here is nobody here (a county's registrar on the city's pages: the login page)."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None:
        return None
    try:
        hall = current_hall()
    except HTTPException:  # no such hall (its 404 page asks who is logged in): nobody
        return None
    user.hall_role = user.role_in(hall.id)
    return user if user.hall_role is not None else None


def _template_globals() -> dict[str, Any]:
    return {
        "locale": str(get_locale() or "zh_CN"),
        "post_form": PostForm(formdata=None),
        "staff_pages": (
            navigation.pages_for(current_user, city=several_halls())
            if current_user.is_authenticated
            else []
        ),
        "settings": settings(),
        "public_base_is_local": tickets.public_base_is_local,
    }


def _localtime(
    moment: datetime | str | None, timezone: str, pattern: str = "%Y-%m-%d %H:%M"
) -> str:
    """Every time a page shows, in the hall's time zone (an ISO string from a payload too)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return local_time(timezone, moment).strftime(pattern) if moment else ""


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def snake_case(name: str) -> str:
    """A stable error code from a class or HTTP name: IllegalMove, Not Found → illegal_move…"""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).replace(" ", "_").replace("-", "_").lower()


def _queue_error(error: QueueError) -> Any:
    message = error_text(error)
    if _wants_json():
        return jsonify(error=snake_case(type(error).__name__), message=message), error.status
    return render_template("errors/error.html", code=error.status, message=message), error.status


def _csrf_error(error: CSRFError) -> Any:
    message = gettext("The form has expired or was not sent by this site. Please try again.")
    if _wants_json():
        return jsonify(error="csrf_failed", message=message), 400
    return render_template("errors/error.html", code=400, message=message), 400


def _field_errors(error: HTTPException) -> dict[str, Any] | None:
    """webargs puts a refused body's field messages on the exception (`data.messages`)."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not isinstance(messages, dict):
        return None
    merged: dict[str, Any] = {}
    for per_location in messages.values():
        if isinstance(per_location, dict):
            merged.update(per_location)
    return merged


def _http_error(error: HTTPException) -> Any:
    code = error.code or 500
    messages = {
        400: gettext("The request was not understood."),
        401: gettext("Log in or send an API token first."),
        403: gettext("Your account may not do this."),
        404: gettext("Nothing here: the page or ticket does not exist."),
        405: gettext("This address does not accept that method."),
        413: gettext("The request is too large."),
        415: gettext("Send the body as JSON (Content-Type: application/json)."),
        422: gettext("The request could not be processed."),
        503: gettext("The hall is not set up yet."),
    }
    fields = _field_errors(error)
    if fields is not None:
        message = gettext("Some fields are not valid: %(fields)s.", fields=", ".join(fields))
    elif error.description and error.description != type(error).description:
        message = str(error.description)  # a sentence one of our views wrote for this refusal
    else:
        message = messages.get(code, error.name)
    if _wants_json():
        body: dict[str, Any] = {"error": snake_case(error.name), "message": message}
        if fields is not None:
            body.update(error="invalid_input", fields=fields)
        response = jsonify(body)
        response.status_code = code
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response
    return render_template("errors/error.html", code=code, message=message), code
