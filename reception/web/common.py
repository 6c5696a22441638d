"""Helpers shared by the blueprints: the hall being served, roles, error translation."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, request
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ColumnElement, Row, Table, bindparam, func, select

from reception.core import config
from reception.core.errors import QueueError
from reception.core.messages import Label
from reception.db import rows
from reception.db.extensions import db, login_manager
from reception.models import Hall, Ticket, User
from reception.models.audit import AUDIT_ACTIONS, CHANGE_FIELDS
from reception.web.edge.halls import HALL_CODE_KEY, hall_prefix

F = TypeVar("F", bound=Callable[..., Any])


_HALLS = cast(Table, Hall.__table__)
# Built once each, read in Core and attached as stored: every request asks for its hall.
_FIRST_HALL = select(*_HALLS.c).order_by(_HALLS.c.id).limit(1)
_THE_HALL = select(*_HALLS.c).where(_HALLS.c.id == bindparam("hall_id"))
_HALL_BY_CODE = select(*_HALLS.c).where(_HALLS.c.code == bindparam("hall_code"))
_HALL_LABELS = tuple(f"hall_{column.key}" for column in _HALLS.c)

# How a request names its hall: by the code in its path, by the configured id, or not at all
# (the first hall).
BY_CODE, BY_ID, FIRST = "code", "id", "first"


def hall_to_join(how: str) -> tuple[tuple[ColumnElement[Any], ...], ColumnElement[bool]]:
    """The hall's columns (labelled `hall_<name>`) and the condition to left-join them on, for a
    request's first statement to read its hall with it (`take_joined_hall` then keeps it):
    `how` is what `wanted_hall` said (bind its parameters)."""
    if how == BY_CODE:
        on = _HALLS.c.code == bindparam("hall_code")
    elif how == BY_ID:
        on = _HALLS.c.id == bindparam("hall_id")
    else:
        on = _HALLS.c.id == select(func.min(_HALLS.c.id)).scalar_subquery()
    columns = tuple(
        column.label(label) for column, label in zip(_HALLS.c, _HALL_LABELS, strict=True)
    )
    return columns, on


def wanted_hall() -> tuple[str, dict[str, Any]]:
    """How this request names its hall and the statement parameters that say it: the code in
    its path (`/h/<code>/`), else the configured hall, else the first."""
    code = request.environ.get(HALL_CODE_KEY)
    if code:
        return BY_CODE, {"hall_code": code}
    hall_id = config.hall_id(current_app.config)
    if hall_id is not None:
        return BY_ID, {"hall_id": hall_id}
    return FIRST, {}


def take_joined_hall(row: Row[Any]) -> None:
    """Keep the hall a statement built with `hall_to_join` read (when there is one)."""
    values = row._mapping
    if "hall" not in g and values[_HALL_LABELS[0]] is not None:
        _keep(
            rows.adopt_values(
                Hall,
                {
                    column.key: values[label]
                    for column, label in zip(_HALLS.c, _HALL_LABELS, strict=True)
                },
            )
        )


def _keep(hall: Hall) -> None:
    g.hall = hall
    # what this request writes to the audit trail is written in this hall
    db.session.info["hall_id"] = hall.id


def current_hall() -> Hall:
    """The hall this request is for (see `wanted_hall`); 404 for a code no hall has."""
    if "hall" not in g:
        how, params = wanted_hall()
        connection = db.session.connection()
        if how == BY_CODE:
            row = connection.execute(_HALL_BY_CODE, params).first()
            if row is None:
                abort(404)
        elif how == BY_ID:
            row = connection.execute(_THE_HALL, params).first()
        else:
            row = connection.execute(_FIRST_HALL).first()
        if row is None:
            abort(503, description=gettext("This centre is not set up yet: please ask the staff."))
        _keep(rows.adopt(Hall, row))
    return g.hall


def several_halls() -> bool:
    """Whether this deployment serves more than one hall (the city's pages show then)."""
    if "several_halls" not in g:
        g.several_halls = (db.session.scalar(select(func.count(_HALLS.c.id))) or 0) > 1
    return bool(g.several_halls)


def halls_of(user: User) -> list[Hall]:
    """The halls this person works in, in the order they were set up (every hall for a city
    account)."""
    query = select(Hall).order_by(Hall.id)
    ids = user.hall_ids()
    if ids is not None:
        query = query.where(Hall.id.in_(sorted(ids)))
    return list(db.session.scalars(query))


def hall_path(hall: Hall, path: str) -> str:
    """`path`, an address of this request's hall (as `url_for` builds it), in `hall` instead."""
    root = request.script_root
    if root and path.startswith(root):
        path = path[len(root) :]
    return hall_prefix(hall.code) + path


def ticket_by_token(token: str) -> Ticket | None:
    """The ticket this token opens, if it is this hall's: a ticket is followed at its own
    hall's addresses only (its QR code, its page, its live room)."""
    if len(token) > 64:
        return None
    ticket = db.session.scalars(select(Ticket).where(Ticket.token == token)).first()
    return ticket if ticket is not None and ticket.hall_id == current_hall().id else None


_Row = TypeVar("_Row")


def in_hall(
    model: type[_Row], item_id: int | None, *, also: Callable[[_Row], bool] | None = None
) -> _Row:
    """The `model` row with this id in the current hall, else 404: the same answer whether it
    does not exist, is another hall's, or fails `also` (hidden from this user, Art. 30)."""
    item = db.session.get(model, item_id) if item_id is not None else None
    if (
        item is None
        or getattr(item, "hall_id", None) != current_hall().id
        or (also is not None and not also(item))
    ):
        abort(404)
    return item


def error_text(error: QueueError) -> str:
    """The domain error's message in the visitor's or staff member's language."""
    params = {key: _param_text(value) for key, value in error.params.items()}
    return gettext(error.message, **params)


def _param_text(value: object) -> object:
    if isinstance(value, Label):  # a domain word: an action's name
        return gettext(value)
    if not isinstance(value, str):
        return value
    return str(TICKET_STATES.get(value) or value)


# Names of the domain's codes in the reader's language (lazy: translated when shown).
TICKET_STATES = {
    "waiting": _l("waiting"),
    "called": _l("called"),
    "serving": _l("being served"),
    "held": _l("on hold"),
    "no_show": _l("a no-show"),
    "finished": _l("finished"),
    "cancelled": _l("cancelled"),
}
CASE_STATES = {
    "registered": _l("registered, awaiting the decision"),
    "accepted": _l("accepted, being handled"),
    "not_accepted": _l("not accepted"),
    "not_reaccepted": _l("not accepted again (already handled)"),
    "transferred": _l("transferred to the competent authority"),
    "concluded": _l("concluded"),
}
HANDOVER_KINDS = {
    "assigned": _l("assigned (交办)"),
    "forwarded": _l("forwarded (转送)"),
}
CASE_STEPS = {
    "accepted": _l("accepted"),
    "not_accepted": _l("not accepted"),
    "not_reaccepted": _l("not accepted again"),
    "transferred": _l("transferred"),
    "reply": _l("reply given"),
    "review": _l("review requested"),
    "review-answer": _l("review answered"),
    "recheck": _l("re-examination requested"),
    "extend": _l("handling period extended"),
    "leader": _l("leader responsible assigned"),
    "outcome": _l("served at a desk"),
    "transfer": _l("passed to another desk"),
    "remote_outcome": _l("outcome from the unit over video"),
    "handed_assigned": _l("assigned to another hall (交办)"),
    "handed_forwarded": _l("forwarded to another hall (转送)"),
    "supervised": _l("put under supervision (督办)"),
    "supervision_ended": _l("supervision ended"),
}
SERVICE_KINDS = {
    "department": _l("stationed department"),
    "lawyer": _l("lawyer"),
    "psychologist": _l("psychologist"),
    "mediator": _l("mediator"),
    "video": _l("video reception"),
    "leader": _l("leader's reception"),
}
ROLES = {
    "admin": _l("administrator"),
    "registrar": _l("registrar"),
    "desk": _l("desk staff"),
    "supervisor": _l("supervisor"),
    "leader": _l("leader on duty"),
    "remote": _l("remote unit (video reception)"),
}
RATING_LEVELS = {
    5: _l("very satisfied"),
    4: _l("satisfied"),
    3: _l("basically satisfied"),
    2: _l("dissatisfied"),
    1: _l("very dissatisfied"),
}


def named(table: dict[Any, Any], *, translate: bool = False) -> Callable[[Any], str]:
    """A template filter naming a code from `table`; an unknown code shows as itself. With
    `translate`, the table holds marked messages (N_) that are translated when shown."""

    def name(code: Any) -> str:
        label = table.get(code, code)
        return gettext(label) if translate and code in table else str(label)

    return name


def kind_aliases() -> dict[str, str]:
    """Each kind of service by its name in every language the hall speaks (name → code): what
    a person may write for it (the routing rules)."""
    aliases: dict[str, str] = {}
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            aliases.update({str(label): code for code, label in SERVICE_KINDS.items()})
    return aliases


audit_action_text = named(AUDIT_ACTIONS, translate=True)
change_field_text = named(CHANGE_FIELDS, translate=True)


def change_value_text(value: Any, names: dict[int, str] | None = None) -> str:
    """A set-up value as a person reads it: none as —, yes/no, lists joined, ids by name."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int) and names and value in names:
        return names[value]
    if isinstance(value, list):
        return ", ".join(change_value_text(item, names) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {change_value_text(item)}" for key, item in value.items())
    return str(value)


case_status_text = named(CASE_STATES)
case_step_text = named(CASE_STEPS)
case_step_kind_text = named(HANDOVER_KINDS)
service_kind_text = named(SERVICE_KINDS)
role_text = named(ROLES)
rating_text = named(RATING_LEVELS)
ticket_state_text = named(TICKET_STATES)


def city_staff_only() -> None:
    """The city's pages and acts are for city accounts (those working in every hall): a
    county's supervisor works in their own hall."""
    if not current_user.all_halls:
        abort(403)


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
