"""The ticket state machine's table, and loading a ticket under the hall lock for a move."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Table,
    bindparam,
    func,
    select,
    true,
)

from reception.core.errors import IllegalMove, NotFound
from reception.core.messages import N_
from reception.db import rows
from reception.db.extensions import db
from reception.models import Case, Desk, Ticket, TicketState, User
from reception.models.hall import desk_services, staff_desks
from reception.queue.actions import ACTIONS, ALLOWED_FROM, DESK_BOUND
from reception.queue.locking import lock_hall

S = TicketState


def load_desk(desk_id: int) -> Desk:
    desk = db.session.get(Desk, desk_id)
    if desk is None:
        raise NotFound(N_("No such desk."))
    return desk


def load_ticket(ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(N_("No such ticket."))
    return ticket


_DESK_SERVICES = select(desk_services.c.service_id).where(
    desk_services.c.desk_id == bindparam("desk_id")
)
SERVICES_MEMO = "desk_services"  # desk id -> its service ids, as read this transaction
ASSIGNED_MEMO = "desk_assigned"  # (user id, desk id) -> whether the user is assigned the desk
READ_MEMO = "desk_read"  # (user id, desk id) -> the desk, read with both of the above

_DESKS = cast(Table, Desk.__table__)
_COMMA = cast(str, rows.constant(","))
_DESK_COLUMNS = tuple(_DESKS.c.keys())
DESK_LABEL = "desk_"  # the prefix of a desk's columns read along with another row


def desk_setup_columns(
    assigned_to: ColumnElement[Any], *, label: str = ""
) -> tuple[ColumnElement[Any], ...]:
    """A desk's columns with what a move at it needs to know of the set-up, for one statement:
    the services it serves (as "3,7") and whether the staff member `assigned_to` names (a bound
    id, or a column of a joined row) is assigned to it; `label` prefixes their names."""
    return (
        *(column.label(label + column.key) for column in _DESKS.c),
        # the separator written into the statement (`rows.constant`): a string would be
        # rendered into its text at every execution (SQLAlchemy binds it `literal_execute`)
        select(func.aggregate_strings(desk_services.c.service_id.cast(db.String), _COMMA))
        .where(desk_services.c.desk_id == _DESKS.c.id)
        .scalar_subquery()
        .label(label + "service_list"),
        select(true())
        .where(staff_desks.c.desk_id == _DESKS.c.id, staff_desks.c.user_id == assigned_to)
        .exists()
        .label(label + "assigned"),
    )


_DESK_WITH_SETUP = select(*desk_setup_columns(bindparam("user_id"))).where(
    _DESKS.c.id == bindparam("desk_id")
)


def read_desk(desk_id: int, user_id: int | None = None) -> Desk | None:
    """The desk (the session's copy when it has one), its services and whether `user_id` is
    assigned to it, read by one statement; what `desk_service_ids` and `consoles.may_open`
    then ask is answered from it for the rest of the transaction. A desk already read so with
    the same staff member this transaction (`take_desk`) is not read again."""
    known: Desk | None = rows.memo(READ_MEMO).get((user_id, desk_id))
    if known is not None:
        return known
    params = {"desk_id": desk_id, "user_id": user_id}
    row = rows.execute(db.session.connection(), _DESK_WITH_SETUP, params).first()
    return take_desk(row._mapping, user_id) if row is not None else None


def take_desk(values: RowMapping, user_id: int | None, *, label: str = "") -> Desk | None:
    """Keep the desk read by `desk_setup_columns` (None when the row holds none): the desk
    attached as loaded, its services and whether `user_id` is assigned to it remembered for
    the transaction."""
    if values[label + "id"] is None:
        return None
    desk = rows.adopt_values(Desk, {name: values[label + name] for name in _DESK_COLUMNS})
    listed = values[label + "service_list"]
    ids = sorted(int(part) for part in listed.split(",")) if listed else []
    rows.memo(SERVICES_MEMO)[desk.id] = tuple(ids)
    if user_id is not None:
        rows.memo(ASSIGNED_MEMO)[(user_id, desk.id)] = bool(values[label + "assigned"])
    # held for the transaction (the session keeps only weak references to what it holds)
    rows.memo(READ_MEMO)[(user_id, desk.id)] = desk
    return desk


def desk_service_ids(desk: Desk) -> tuple[int, ...]:
    """The services a desk serves (their ids, in id order): from the loaded list if there is
    one, or as read with the desk this transaction, else one indexed Core query rather than
    loading the services."""
    if "services" in desk.__dict__:
        return tuple(sorted(service.id for service in desk.services))
    known: tuple[int, ...] | None = rows.memo(SERVICES_MEMO).get(desk.id)
    if known is not None:
        return known
    found = rows.execute(db.session.connection(), _DESK_SERVICES, {"desk_id": desk.id})
    return tuple(sorted(found.scalars()))


def desk_department(desk: Desk, services: tuple[int, ...] | None = None) -> int | None:
    """The department a desk belongs to: its one service. A desk shared by several services
    (房产窗口 also taking 住建's overflow) is judged by the person at it."""
    ids = desk_service_ids(desk) if services is None else services
    return ids[0] if len(ids) == 1 else None


def departments_of(
    desk_id: int | None, staff_id: int | None, *, desk_services: tuple[int, ...] | None = None
) -> set[int]:
    """The departments acting in a move: the staff member's own, and the desk's if it has one
    (`desk_services`: the desk's service ids when the caller has them already)."""
    ids: set[int] = set()
    desk = db.session.get(Desk, desk_id) if desk_id is not None else None
    own = desk_department(desk, desk_services) if desk is not None else None
    if own is not None:
        ids.add(own)
    if staff_id is not None:
        staff = db.session.get(User, staff_id)
        if staff is not None and staff.department_id:
            ids.add(staff.department_id)
    return ids


def accused_of(ticket: Ticket) -> int | None:
    """The department an accusation (检举控告) behind this ticket accuses, if any."""
    if ticket.case_id is None:
        return None
    case = db.session.get(Case, ticket.case_id)
    return case.accused_id if case is not None and case.accusation else None


def check_not_accused(ticket: Ticket, desk_id: int | None, staff_id: int | None) -> None:
    """Art. 30: the accused department never handles, nor learns of, the accusation.

    To them the ticket does not exist, so the refusal is the same as for an unknown id."""
    accused = accused_of(ticket)
    if accused is not None and accused in departments_of(desk_id, staff_id):
        raise NotFound(N_("No such ticket."))


def _check(ticket: Ticket, action: str, desk_id: int | None) -> None:
    if ticket.state not in ALLOWED_FROM[action]:
        raise IllegalMove(
            N_("Ticket %(number)s is %(state)s: “%(action)s” is not possible now."),
            number=ticket.number,
            state=ticket.state,
            action=ACTIONS[action].named(),
        )
    if desk_id is None:
        return
    # A desk moves only its own visitor; a ticket at no desk (waiting, held, no-show) may be
    # moved by any desk, e.g. cancelled at the visitor's request.
    bound = action in DESK_BOUND or ticket.desk_id is not None
    if bound and ticket.desk_id != desk_id:
        raise IllegalMove(N_("Ticket %(number)s is not at this desk."), number=ticket.number)


def locked_ticket(
    ticket_id: int, action: str, desk_id: int | None, staff_id: int | None = None
) -> tuple[Ticket, int]:
    """The ticket, read fresh under the hall lock, once the move is known to be allowed.

    `desk_id` is the desk making the move (None: staff acting for the hall, e.g. a supervisor
    at the console of no desk); `staff_id` who makes it."""
    version = lock_hall(load_ticket(ticket_id).hall_id)
    ticket = db.session.get(Ticket, ticket_id, populate_existing=True, with_for_update=True)
    assert ticket is not None
    check_not_accused(ticket, desk_id, staff_id)
    _check(ticket, action, desk_id)
    return ticket, version
