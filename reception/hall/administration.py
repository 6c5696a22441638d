"""Changes to the hall's set-up made from the browser: the hall, services, desks, staff and
displays. Every change is audited with what it was and what it became (never a password, a
token or anything personal). Nothing a ticket, case or booking refers to is ever deleted:
services, desks, staff and displays are deactivated instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update

from reception.appointments.slots import outside_hours
from reception.core.clock import zone
from reception.core.errors import IllegalMove, InvalidInput
from reception.core.messages import N_
from reception.db import pending
from reception.db.extensions import db
from reception.hall.description import (
    DESK_FIELDS,
    HALL_FIELDS,
    SERVICE_FIELDS,
    UNIT_FIELDS,
    USER_FIELDS,
    load_hall,
    validate,
)
from reception.models import (
    Appointment,
    AuditEntry,
    Desk,
    DisplayDevice,
    Hall,
    LeaderDay,
    RemoteUnit,
    Role,
    Service,
    SlotTemplate,
    Ticket,
    User,
)
from reception.queue.locking import lock_hall
from reception.triage.routing import categories, rules_of


def _state(item: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(item, name) for name in fields}


def _record(staff_id: int, what: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    changed = {k: v for k, v in after.items() if before is None or before.get(k) != v}
    if before is not None and not changed:
        return
    db.session.add(
        AuditEntry(
            staff_id=staff_id,
            action=f"setup_{what}",
            detail=str(after.get("name") or after.get("username") or after.get("number") or "")[
                :200
            ],
            change={
                "before": {k: before[k] for k in changed} if before else None,
                "after": changed,
            },
        )
    )


def _published(hall_id: int) -> None:
    """The screens hear of a set-up change in the hall's version order (a `hall` event):
    names, desks and places are redrawn without anyone reloading a page."""
    version = lock_hall(hall_id)
    pending.SETUP.note(db.session(), (hall_id, version))


def _apply(item: object, data: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in data:
            setattr(item, name, data[name])


def save_hall(hall: Hall, data: Mapping[str, Any], staff_id: int) -> None:
    zone(data.get("timezone", hall.timezone))  # refuses an unknown zone
    before = _state(hall, HALL_FIELDS)
    _apply(hall, data, HALL_FIELDS)
    db.session.flush()
    _record(staff_id, "hall", before, _state(hall, HALL_FIELDS))
    _published(hall.id)


def has_tickets(service: Service) -> bool:
    return bool(
        db.session.scalar(select(func.count(Ticket.id)).where(Ticket.service_id == service.id))
    )


def save_service(
    hall: Hall, service: Service | None, data: Mapping[str, Any], staff_id: int
) -> Service:
    """Create or change a service; its prefix is unique and fixed once tickets carry it."""
    prefix = data["prefix"]
    clash = db.session.scalars(
        select(Service).where(Service.hall_id == hall.id, Service.prefix == prefix)
    ).first()
    if clash is not None and clash is not service:
        raise InvalidInput(N_("Prefix %(prefix)s is already used."), prefix=prefix)
    if service is not None and service.prefix != prefix and has_tickets(service):
        raise IllegalMove(N_("The prefix cannot change once tickets carry it."))
    before = _state(service, SERVICE_FIELDS) if service else None
    if service is None:
        order = db.session.scalar(
            select(func.coalesce(func.max(Service.sort_order), 0)).where(Service.hall_id == hall.id)
        )
        service = Service(hall_id=hall.id, sort_order=(order or 0) + 1)
        db.session.add(service)
    _apply(service, data, SERVICE_FIELDS)
    db.session.flush()
    _record(staff_id, "service", before, _state(service, SERVICE_FIELDS))
    _published(hall.id)
    return service


def save_desk(
    hall: Hall,
    desk: Desk | None,
    data: Mapping[str, Any],
    services: list[Service],
    staff_id: int,
) -> Desk:
    clash = db.session.scalars(
        select(Desk).where(Desk.hall_id == hall.id, Desk.number == data["number"])
    ).first()
    if clash is not None and clash is not desk:
        raise InvalidInput(N_("Desk %(number)s already exists."), number=data["number"])
    before = _desk_state(desk) if desk else None
    if desk is None:
        desk = Desk(hall_id=hall.id)
        db.session.add(desk)
    _apply(desk, data, DESK_FIELDS)
    desk.services = services
    db.session.flush()
    _record(staff_id, "desk", before, _desk_state(desk))
    _published(hall.id)
    return desk


def _desk_state(desk: Desk) -> dict[str, Any]:
    return {**_state(desk, DESK_FIELDS), "services": [s.prefix for s in desk.services]}


def _user_state(user: User) -> dict[str, Any]:
    return {**_state(user, USER_FIELDS), "desks": [d.number for d in user.desks]}


def save_user(
    user: User | None,
    data: Mapping[str, Any],
    desks: list[Desk],
    staff: User,
) -> tuple[User, str | None]:
    """Create or change a staff account; a new one gets a password shown once (returned)."""
    clash = db.session.scalars(select(User).where(User.username == data["username"])).first()
    if clash is not None and clash is not user:
        raise InvalidInput(N_("The username %(name)s is taken."), name=data["username"])
    if user is not None and user.id == staff.id:
        if user.role == Role.ADMIN and data["role"] != Role.ADMIN:
            raise IllegalMove(N_("You cannot remove your own administrator role."))
        if not data["active"]:
            raise IllegalMove(N_("You cannot deactivate your own account."))
    before = _user_state(user) if user else None
    password = None
    if user is None:
        password = new_password()
        user = User(username=data["username"], must_change_password=True)
        user.set_password(password)
        db.session.add(user)
    _apply(user, data, USER_FIELDS)
    user.desks = desks
    db.session.flush()
    _record(staff.id, "staff", before, _user_state(user))
    return user, password


def change_own_password(user: User, current: str, new: str) -> None:
    """The owner sets their own password (first login after one was given, or any time)."""
    if not user.check_password(current):
        raise InvalidInput(N_("The current password is wrong."))
    if new == current:
        raise InvalidInput(N_("Choose a password different from the one you were given."))
    user.set_password(new)
    user.must_change_password = False
    db.session.add(AuditEntry(staff_id=user.id, action="password_changed", detail=user.username))


def save_unit(
    hall: Hall, unit: RemoteUnit | None, data: Mapping[str, Any], staff_id: int
) -> RemoteUnit:
    """Create or change a department or county received over video (names are unique)."""
    clash = db.session.scalars(
        select(RemoteUnit).where(RemoteUnit.hall_id == hall.id, RemoteUnit.name == data["name"])
    ).first()
    if clash is not None and clash is not unit:
        raise InvalidInput(N_("%(name)s is already a unit."), name=data["name"])
    before = _state(unit, UNIT_FIELDS) if unit else None
    if unit is None:
        unit = RemoteUnit(hall_id=hall.id)
        db.session.add(unit)
    _apply(unit, data, UNIT_FIELDS)
    db.session.flush()
    _record(staff_id, "remote_unit", before, _state(unit, UNIT_FIELDS))
    return unit


# No look-alikes (0/O/o, 1/l/I, 5/S, 2/Z, 8/B, 9/g): a password read off a screen or a note
# and typed by hand is typed right the first time.
PASSWORD_ALPHABET = "ACDEFGHJKMNPQRTUVWXYabcdefhijkmnpqrstuvwxy3467"
PASSWORD_LENGTH = 12


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def reset_password(user: User, staff_id: int) -> str:
    """A new password given by the administrator: its owner changes it at the next login."""
    password = new_password()
    user.set_password(password)
    user.must_change_password = True
    db.session.add(
        AuditEntry(staff_id=staff_id, action="setup_password_reset", detail=user.username)
    )
    return password


def new_api_token(user: User, staff_id: int) -> str:
    token = user.new_api_token()
    db.session.add(AuditEntry(staff_id=staff_id, action="setup_api_token", detail=user.username))
    return token


def revoke_api_token(user: User, staff_id: int) -> None:
    user.api_token_hash = None
    db.session.add(
        AuditEntry(staff_id=staff_id, action="setup_api_token_revoked", detail=user.username)
    )


def enrol_display(
    hall: Hall, name: str, desk: Desk | None, autoplay: bool, staff_id: int, rater: bool = False
) -> tuple[DisplayDevice, str]:
    """A new display and its one-time enrolment token (shown once)."""
    device = DisplayDevice(
        hall_id=hall.id,
        name=name,
        desk_id=desk.id if desk else None,
        autoplay=autoplay,
        rater=rater and desk is not None,
    )
    token = device.new_token(short=True)
    db.session.add(device)
    db.session.flush()
    _record(
        staff_id,
        "display",
        None,
        {"name": name, "desk": desk.number if desk else None, "autoplay": autoplay},
    )
    return device, token


def change_display(
    device: DisplayDevice, name: str, desk: Desk | None, autoplay: bool, staff_id: int
) -> None:
    before = {"name": device.name, "desk_id": device.desk_id, "autoplay": device.autoplay}
    device.name, device.desk_id, device.autoplay = name, desk.id if desk else None, autoplay
    db.session.flush()
    after = {"name": device.name, "desk_id": device.desk_id, "autoplay": device.autoplay}
    _record(staff_id, "display", before, after)


def revoke_display(device: DisplayDevice, staff_id: int) -> None:
    device.revoked = True
    _record(
        staff_id,
        "display",
        {"name": device.name, "revoked": False},
        {"name": device.name, "revoked": True},
    )


FIRST_RUN_FILE = "first-run.token"


def needs_first_admin() -> bool:
    """True until an active administrator account exists."""
    return (
        db.session.scalars(
            select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
        ).first()
        is None
    )


def first_run_token(instance_path: str) -> str:
    """A fresh one-time address token for creating the first administrator (its hash is kept
    in the instance folder, readable by this server alone)."""
    import hashlib
    import os
    from pathlib import Path

    token = secrets.token_urlsafe(12)
    path = Path(instance_path) / FIRST_RUN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(hashlib.sha256(token.encode()).hexdigest(), encoding="ascii")
    os.chmod(path, 0o600)
    return token


def first_run_valid(instance_path: str, token: str) -> bool:
    import hashlib
    import hmac
    from pathlib import Path

    path = Path(instance_path) / FIRST_RUN_FILE
    if len(token) > 64 or not path.is_file() or not needs_first_admin():
        return False
    expected = path.read_text(encoding="ascii").strip()
    return hmac.compare_digest(expected, hashlib.sha256(token.encode()).hexdigest())


def first_run(
    instance_path: str,
    hall_name: str,
    timezone: str,
    username: str,
    display_name: str,
    password: str,
) -> User:
    """Create the hall (when there is none) and the first administrator; the address is then
    spent."""
    from pathlib import Path

    zone(timezone)
    if db.session.scalars(select(User.id).where(User.username == username)).first():
        raise InvalidInput(N_("The username %(name)s is taken."), name=username)
    if db.session.scalars(select(Hall.id)).first() is None:
        db.session.add(Hall(name=hall_name, timezone=timezone, version=0))
    user = User(username=username, display_name=display_name or username, role=Role.ADMIN)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    db.session.add(AuditEntry(staff_id=user.id, action="setup_first_admin", detail=username))
    (Path(instance_path) / FIRST_RUN_FILE).unlink(missing_ok=True)
    return user


def import_description(hall: Hall, data: dict[str, Any], staff_id: int) -> dict[str, str]:
    """Apply a hall description (another hall's export) to this hall; new staff accounts get a
    password each, returned to be shown once. Raises HallDescriptionError with the field."""

    data = {**data, "name": hall.name}  # the set-up lands in this hall, whatever it was called
    validate(data)
    known = set(db.session.scalars(select(User.username)))
    passwords: dict[str, str] = {}
    users = []
    for item in data.get("users", []):
        if item.get("username") not in known:
            passwords[item["username"]] = new_password()
            item = {**item, "password": passwords[item["username"]]}
        users.append(item)
    load_hall({**data, "users": users})
    for user in db.session.scalars(select(User).where(User.username.in_(list(passwords)))):
        user.must_change_password = True  # given by the administrator: changed at first login
    _published(hall.id)
    db.session.add(
        AuditEntry(
            staff_id=staff_id,
            action="setup_import",
            detail=f"{len(data.get('services', []))} services, {len(data.get('desks', []))} desks",
        )
    )
    return passwords


def parse_routing(
    text: str, prefixes: set[str], aliases: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The routing rules as the registrar's page reads them, from lines like
    "征地拆迁: A, 律师" (a category, then service prefixes or kinds in the order suggested). A
    kind is written by its name in either language (`aliases`, name → code) or by its code."""
    kinds = {"department", "lawyer", "psychologist", "mediator", "video", "leader"}
    named = {name.casefold(): code for name, code in (aliases or {}).items()}
    categories: list[str] = []
    routing: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        category, _, rest = line.replace("：", ":").partition(":")
        category = category.strip()
        if not category or len(category) > 40 or category in categories:
            raise InvalidInput(
                N_("Line %(line)s: a category once, 40 characters at most."), line=number
            )
        targets = [t.strip() for t in rest.replace("，", ",").replace("、", ",").split(",")]
        targets = [named.get(t.casefold(), t) for t in targets if t]
        unknown = [t for t in targets if t not in kinds and t.upper() not in prefixes]
        if unknown:
            raise InvalidInput(
                N_("Line %(line)s: no service or kind %(names)s."),
                line=number,
                names=", ".join(unknown),
            )
        categories.append(category)
        if targets:
            routing[category] = [t if t in kinds else t.upper() for t in targets]
    if not categories:
        raise InvalidInput(N_("Write at least one category."))
    return {"categories": categories, "routing": routing}


def format_routing(hall: Hall, labels: Mapping[str, str] | None = None) -> str:
    """The rules as the routing page shows them: kinds by their names (`labels`, code → name)."""

    rules = rules_of(hall)
    names = labels or {}
    return "\n".join(
        f"{category}: {', '.join(names.get(t, t) for t in rules.get(category, []))}".rstrip(": ")
        for category in categories(hall)
    )


def save_routing(
    hall: Hall, text: str, staff_id: int, aliases: Mapping[str, str] | None = None
) -> None:
    triage = parse_routing(text, {s.prefix for s in hall.services}, aliases)
    before = {"triage": hall.triage}
    hall.triage = {**(hall.triage or {}), **triage}
    db.session.flush()
    _record(staff_id, "routing", before, {"triage": hall.triage})


def add_template(service: Service, data: Mapping[str, Any], staff_id: int) -> SlotTemplate:
    """A weekly bookable time of a service (weekdays, a time range cut into slots)."""
    if not data["weekdays"]:
        raise InvalidInput(N_("Choose at least one weekday."))
    if data["start"] >= data["end"]:
        raise InvalidInput(N_("The start must be before the end."))
    _check_within_hours(service, data, sorted(data["weekdays"]))
    template = SlotTemplate(
        service_id=service.id,
        weekdays=",".join(str(d) for d in sorted(data["weekdays"])),
        start=data["start"],
        end=data["end"],
        slot_minutes=data["slot_minutes"],
        capacity=data["capacity"],
    )
    db.session.add(template)
    db.session.flush()
    _record(staff_id, "slots", None, _template_state(template, service))
    return template


def _check_within_hours(service: Service, data: Mapping[str, Any], weekdays: list[int]) -> None:
    """A bookable time none of whose slots falls inside the opening hours is refused; one cut
    by the lunch break or a closed weekday is saved, and those slots are simply not offered
    (the page says how many)."""
    hall = db.session.get(Hall, service.hall_id)
    assert hall is not None
    inside, _outside = outside_hours(
        hall, weekdays, data["start"], data["end"], data["slot_minutes"]
    )
    if inside == 0:
        raise InvalidInput(
            N_("No slot of these times falls within the opening hours: nothing could be booked.")
        )


def _template_state(template: SlotTemplate, service: Service) -> dict[str, Any]:
    return {
        "service": service.prefix,
        "weekdays": template.weekdays,
        "start": template.start.strftime("%H:%M"),
        "end": template.end.strftime("%H:%M"),
        "slot_minutes": template.slot_minutes,
        "capacity": template.capacity,
    }


def remove_template(template: SlotTemplate, service: Service, staff_id: int) -> None:
    """Bookings already made keep their times; no new ones are offered from this template."""
    state = _template_state(template, service)
    db.session.delete(template)
    db.session.flush()
    _record(staff_id, "slots", state, {k: None for k in state})


def add_leader_day(
    hall: Hall, service: Service, data: Mapping[str, Any], today: date, staff_id: int
) -> list[LeaderDay]:
    """Publish a leader's reception day, or the same weekday for `weeks` weeks running."""
    if service.kind != "leader":
        raise InvalidInput(N_("A leader's reception day belongs to a leader's reception service."))
    if data["day"] < today:
        raise InvalidInput(N_("A day in the past cannot be published."))
    if data["start"] >= data["end"]:
        raise InvalidInput(N_("The start must be before the end."))
    _check_within_hours(service, data, [data["day"].weekday()])
    return [
        _leader_day(hall, service, data, data["day"] + timedelta(weeks=week), staff_id)
        for week in range(data.get("weeks") or 1)
    ]


def _leader_day(
    hall: Hall, service: Service, data: Mapping[str, Any], on: date, staff_id: int
) -> LeaderDay:
    day = LeaderDay(
        hall_id=hall.id,
        service_id=service.id,
        day=on,
        leader=data["leader"],
        place=data["place"],
        matters=data["matters"],
        start=data["start"],
        end=data["end"],
        slot_minutes=data["slot_minutes"],
        capacity=data["capacity"],
    )
    db.session.add(day)
    db.session.flush()
    _record(staff_id, "leader_day", None, {"day": day.day.isoformat(), "leader": day.leader})
    return day


def remove_leader_day(day: LeaderDay, staff_id: int) -> None:
    booked = db.session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.leader_day_id == day.id, Appointment.state == "booked"
        )
    )
    if booked:
        raise IllegalMove(
            N_("%(count)s visitor(s) booked this day: close the day instead (they are told)."),
            count=booked,
        )
    state = {"day": day.day.isoformat(), "leader": day.leader}
    db.session.execute(
        update(Appointment).where(Appointment.leader_day_id == day.id).values(leader_day_id=None)
    )
    db.session.delete(day)
    db.session.flush()
    _record(staff_id, "leader_day", state, {"day": None, "leader": None})
