"""Helpers shared by the blueprints: the hall being served, roles, error translation."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db, login_manager
from ..models import Hall
from ..queue.errors import QueueError

F = TypeVar("F", bound=Callable[..., Any])


def current_hall() -> Hall:
    """The hall this server runs (the configured one, else the first)."""
    if "hall" not in g:
        hall_id = current_app.config.get("HALL_ID")
        query = select(Hall).order_by(Hall.id)
        if hall_id:
            query = query.where(Hall.id == int(hall_id))
        hall = db.session.scalars(query).first()
        if hall is None:
            abort(503, description="No hall is set up yet: run `reception load-hall` or `run`.")
        g.hall = hall
    return g.hall


def error_text(error: QueueError) -> str:
    """The domain error's message in the visitor's or staff member's language."""
    params = {key: _param_text(value) for key, value in error.params.items()}
    return gettext(error.message, **params)


def _param_text(value: object) -> object:
    states = {
        "waiting": gettext("waiting"),
        "called": gettext("called"),
        "serving": gettext("being served"),
        "held": gettext("on hold"),
        "no_show": gettext("a no-show"),
        "finished": gettext("finished"),
        "cancelled": gettext("cancelled"),
        "call": gettext("call"),
        "recall": gettext("recall"),
        "start": gettext("start service"),
        "finish": gettext("finish"),
        "return": gettext("return to queue"),
        "hold": gettext("hold"),
        "resume": gettext("resume"),
        "cancel": gettext("cancel"),
        "transfer": gettext("transfer"),
    }
    return states.get(value, value) if isinstance(value, str) else value


def case_status_text(status: str) -> str:
    """A case's state in the reader's language (templates: `case.status | case_status`)."""
    names = {
        "registered": gettext("registered, awaiting the decision"),
        "accepted": gettext("accepted, being handled"),
        "not_accepted": gettext("not accepted"),
        "not_reaccepted": gettext("not accepted again (already handled)"),
        "transferred": gettext("transferred to the competent authority"),
        "concluded": gettext("concluded"),
    }
    return names.get(status, status)


def case_step_text(kind: str) -> str:
    """A step in a case's history in the reader's language (`note.kind | case_step`)."""
    names = {
        "accepted": gettext("accepted"),
        "not_accepted": gettext("not accepted"),
        "not_reaccepted": gettext("not accepted again"),
        "transferred": gettext("transferred"),
        "reply": gettext("reply given"),
        "review": gettext("review requested"),
        "review-answer": gettext("review answered"),
        "recheck": gettext("re-examination requested"),
        "extend": gettext("handling period extended"),
        "leader": gettext("leader responsible assigned"),
        "outcome": gettext("served at a desk"),
        "transfer": gettext("passed to another desk"),
    }
    return names.get(kind, kind)


def service_kind_text(kind: str) -> str:
    names = {
        "department": gettext("stationed department"),
        "lawyer": gettext("lawyer"),
        "psychologist": gettext("psychologist"),
        "mediator": gettext("mediator"),
        "video": gettext("video reception"),
        "leader": gettext("leader's reception"),
    }
    return names.get(kind, kind)


def role_text(role: str) -> str:
    names = {
        "admin": gettext("administrator"),
        "registrar": gettext("registrar"),
        "desk": gettext("desk staff"),
        "supervisor": gettext("supervisor"),
        "leader": gettext("leader on duty"),
    }
    return names.get(role, role)


def rating_text(level: int) -> str:
    names = {
        5: gettext("very satisfied"),
        4: gettext("satisfied"),
        3: gettext("basically satisfied"),
        2: gettext("dissatisfied"),
        1: gettext("very dissatisfied"),
    }
    return names.get(level, str(level))


def roles_required(*roles: str) -> Callable[[F], F]:
    """Only logged-in staff of one of `roles` (admins always) may use the view."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
