"""The API blueprint and what its views share: the caller's token, the hall's desks."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypeVar, cast

from flask import Response, abort, g, request
from flask_babel import gettext
from flask_smorest import Blueprint
from flask_smorest.utils import unpack_tuple_response
from sqlalchemy import Select, Table, and_, bindparam, select

from reception.core.errors import InvalidInput, NotFound
from reception.core.messages import N_
from reception.db import rows
from reception.db.extensions import csrf, db
from reception.live.publish import ticket_fields
from reception.models import Desk, Hall, StaffHall, Ticket, User
from reception.models.staff import hash_api_token
from reception.queue import consoles
from reception.queue.rules import DESK_LABEL, desk_setup_columns, read_desk, take_desk
from reception.web.common import (
    current_hall,
    hall_to_join,
    take_joined_hall,
    wanted_hall,
)
from reception.web.edge.boundary import commit_answered
from reception.web.tickets import ticket_url

F = TypeVar("F", bound=Callable[..., Any])


class _Blueprint(Blueprint):
    """flask-smorest's blueprint, with one request schema object per operation: given a class,
    webargs makes a new schema (a deep copy of its fields) for every request."""

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)

    def response(self, status_code: Any, *args: Any, **kwargs: Any) -> Any:
        """flask-smorest's response, committing the request's transaction once the view has
        returned its answer as plain data, before the schema dumps it (`commit_answered`):
        the hall lock is not held while an answer is serialised."""
        dump = super().response(status_code, *args, **kwargs)

        def decorator(view: F) -> F:
            @wraps(view)
            def answered(*view_args: Any, **view_kwargs: Any) -> Any:
                result = view(*view_args, **view_kwargs)
                body, status, _ = unpack_tuple_response(result)
                if not isinstance(body, Response) and int(status or status_code) < 400:
                    commit_answered()
                return result

            return cast(F, dump(answered))

        return decorator


bp = _Blueprint("api", __name__, url_prefix="/api/v1", description="The hall's JSON API")
csrf.exempt(bp)


_USERS = cast(Table, User.__table__)
_HALLS = cast(Table, Hall.__table__)
_DESKS = cast(Table, Desk.__table__)
_MEMBERS = cast(Table, StaffHall.__table__)
_USER_COLUMNS = tuple(_USERS.c.keys())
_MEMBER_ROLE = "member_role"


@cache
def _caller_statement(hall: str | None, desk: bool) -> Select[Any]:
    """The caller by token hash, in one statement with what the request needs next: the hall
    (`hall`: how `wanted_hall` names it; None: the request already knows it, bind
    `known_hall_id`), the role the caller holds there, and the desk its path names (`desk`:
    bind `desk_id`) with that desk's set-up. Core, attached as stored: the ORM's result
    machinery would cost more than the query itself."""
    columns: list[Any] = list(_USERS.c)
    joined: Any = _USERS
    hall_id: Any = bindparam("known_hall_id")
    if hall is not None:
        hall_columns, on = hall_to_join(hall)
        columns += hall_columns
        joined = joined.outerjoin(_HALLS, on)
        hall_id = _HALLS.c.id
    columns.append(_MEMBERS.c.role.label(_MEMBER_ROLE))
    joined = joined.outerjoin(
        _MEMBERS, and_(_MEMBERS.c.user_id == _USERS.c.id, _MEMBERS.c.hall_id == hall_id)
    )
    if desk:
        columns += desk_setup_columns(_USERS.c.id, label=DESK_LABEL)
        joined = joined.outerjoin(_DESKS, _DESKS.c.id == bindparam("desk_id"))
    return (
        select(*columns)
        .select_from(joined)
        .where(_USERS.c.api_token_hash == bindparam("token_hash"))
    )


def staff(*roles: str, desk_id: int | None = None) -> User:
    """The staff member whose API token came with the request (401/403 otherwise), with the
    role they hold in the request's hall; the hall, and the desk `desk_id` names (the
    path's), are read by the same statement."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, description=gettext("Send an API token: Authorization: Bearer <token>."))
    params: dict[str, Any] = {"token_hash": hash_api_token(token.strip())}
    how: str | None = None
    if "hall" in g:
        params["known_hall_id"] = g.hall.id
    else:
        how, named = wanted_hall()
        params.update(named)
    if desk_id is not None:
        params["desk_id"] = desk_id
    statement = _caller_statement(how, desk_id is not None)
    row = rows.execute(db.session.connection(), statement, params).first()
    user = None
    if row is not None:
        values = row._mapping
        user = rows.adopt_values(User, {name: values[name] for name in _USER_COLUMNS})
        take_joined_hall(row)
        if "hall" not in g:
            current_hall()  # a code no hall has: 404; no hall at all yet: 503
        user.hall_role = values[_MEMBER_ROLE] or (user.role if user.all_halls else None)
        if desk_id is not None:
            take_desk(values, user.id, label=DESK_LABEL)
    if user is None or not user.active:
        abort(401, description=gettext("Unknown or disabled API token."))
    if user.hall_role is None or (roles and not user.can(*roles)):
        abort(403, description=gettext("Your account may not do this."))
    return user


def requires(*roles: str) -> Callable[[F], F]:
    """Check the caller's token and role before the body is even parsed (401/403 first)."""

    def decorator(view: F) -> F:
        view = bp.doc(security=[{"bearer": []}])(view)

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            # a desk in the path is read with the caller (the view asks for it next)
            desk_id = (request.view_args or {}).get("desk_id")
            g.api_user = staff(*roles, desk_id=desk_id if isinstance(desk_id, int) else None)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def api_user() -> User:
    user: User = g.api_user
    return user


def hall_desk(desk_id: int, *, in_body: bool = False) -> Desk:
    """A desk of this hall: 404 when the path names none, 422 when the body does (the
    operation's own resource exists; what it refers to does not). Read with its services and
    whether the caller is assigned to it: a move at it asks both."""
    caller = g.get("api_user")
    desk = read_desk(desk_id, caller.id if caller is not None else None)
    if desk is None or desk.hall_id != current_hall().id:
        if in_body:
            raise InvalidInput(N_("No such desk."))
        raise NotFound(N_("No such desk."))
    return desk


def acting_desk(desk_id: int, *, in_body: bool = False) -> Desk:
    """The desk a move is made from: one of this hall's, and one the caller may work (desk
    staff only at the desks assigned to them, as on the console)."""
    desk = hall_desk(desk_id, in_body=in_body)
    if not consoles.may_open(api_user(), desk):
        abort(403, description=gettext("You are not assigned to this desk."))
    return desk


def ticket_json(ticket: Ticket, *, with_token: bool = False) -> dict[str, Any]:
    desk = rows.get(Desk, ticket.desk_id) if ticket.desk_id else None
    data = ticket_fields(ticket, desk.number if desk else None)
    data["issued_at"] = ticket.issued_at
    data["service_day"] = ticket.service_day
    if with_token:
        data["token"] = ticket.token
        data["url"] = ticket_url(ticket)
    return data
