"""Loading a hall description (services, desks, staff) into the database."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from reception.core.clock import zone
from reception.core.errors import InvalidInput
from reception.db.extensions import db
from reception.models import (
    Closure,
    Desk,
    Hall,
    LeaderDay,
    RemoteUnit,
    Role,
    Service,
    ServiceKind,
    SlotTemplate,
    StaffHall,
    User,
)
from reception.models.hall import HALL_CODE
from reception.models.staff import works_in
from reception.queue.hours import parse_day

DEMO_HALL = Path(__file__).with_name("demo_hall.json")
# the demo city: its centre (the demo hall) and two county halls below it
DEMO_CITY = (
    DEMO_HALL,
    Path(__file__).with_name("demo_qinghe.json"),
    Path(__file__).with_name("demo_dongcheng.json"),
)
DEMO_PASSWORD = "demo1234"
CARD_READER_URL = "http://127.0.0.1:19196/readcard"  # 华视 CVR-100's local service
# the reader's service runs on the counter's own computer: the browser may call only that
CARD_READER = re.compile(r"^http://(127\.0\.0\.1|localhost)(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$")
CARD_READER_KINDS = ("cvr100",)  # the vendors' answer shapes the counter's page reads
REGION_CODE = re.compile(r"^([0-9]{6}|[0-9]{12})?$")  # 行政区划代码 (GB/T 2260), or none
NOTIFY_AHEAD_MAX = 20
PREFIX = re.compile(r"^[A-Z]{1,2}$")
# The hall's numeric settings and their bounds (the admin form uses the same ones).
HALL_NUMBERS = (
    ("follow_up_days", 1, 30),
    ("pause_alert_minutes", 1, 480),
    ("video_answer_seconds", 10, 600),
    ("recording_retention_days", 1, 3650),
)


class HallDescriptionError(ValueError):
    pass


def read_description(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise HallDescriptionError(f"{path}: {exc}") from exc
    validate(data)
    return data


def validate(data: Any) -> None:
    """Refuse a description with missing fields, duplicate prefixes or desks, unknown kinds."""
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise HallDescriptionError("a hall needs a name")
    try:
        zone(data.get("timezone", "Asia/Shanghai"))
    except InvalidInput as exc:
        raise HallDescriptionError(f"unknown time zone {data.get('timezone')!r}") from exc
    prefixes: set[str] = set()
    for service in data.get("services", []):
        prefix = service.get("prefix", "")
        if not PREFIX.match(prefix) or prefix in prefixes:
            raise HallDescriptionError(f"bad or repeated service prefix {prefix!r}")
        if service.get("kind") not in {k.value for k in ServiceKind}:
            raise HallDescriptionError(f"service {prefix}: unknown kind {service.get('kind')!r}")
        if not service.get("name"):
            raise HallDescriptionError(f"service {prefix}: a name is needed")
        ahead = service.get("notify_ahead", 0)
        if not isinstance(ahead, int) or isinstance(ahead, bool) or not 0 <= ahead <= 20:
            raise HallDescriptionError(f"service {prefix}: notify_ahead is 0 to 20")
        prefixes.add(prefix)
    _check_floor(data.get("lobby_floor", 1), "lobby_floor")
    for key, low, high in HALL_NUMBERS:
        value = data.get(key, low)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise HallDescriptionError(f"{key}: a whole number from {low} to {high}")
    if not isinstance(data.get("video_recording", False), bool):
        raise HallDescriptionError("video_recording: true or false")
    if not isinstance(data.get("region_code", ""), str) or not REGION_CODE.match(
        data.get("region_code", "")
    ):
        raise HallDescriptionError("region_code: six (or twelve) digits of GB/T 2260")
    reader = data.get("card_reader_url", CARD_READER_URL)
    if not isinstance(reader, str) or not CARD_READER.match(reader):
        raise HallDescriptionError("card_reader_url: http://127.0.0.1:<port>/<path>")
    if data.get("card_reader_kind", "cvr100") not in CARD_READER_KINDS:
        raise HallDescriptionError(f"card_reader_kind: one of {', '.join(CARD_READER_KINDS)}")
    units: set[str] = set()
    for unit in data.get("remote_units", []):
        name = unit.get("name") if isinstance(unit, dict) else None
        if not isinstance(name, str) or not 0 < len(name) <= 120 or name in units:
            raise HallDescriptionError(f"bad or repeated remote unit {name!r}")
        units.add(name)
    hours = data.get("opening_hours", {})
    if not isinstance(hours, dict) or set(hours) - {str(d) for d in range(7)}:
        raise HallDescriptionError("opening_hours: weekdays '0' (Monday) to '6'")
    for weekday, spans in hours.items():
        try:
            parse_day(" ".join(f"{a}-{b}" for a, b in spans))
        except (InvalidInput, TypeError, ValueError) as exc:
            raise HallDescriptionError(f"opening_hours {weekday}: 08:30-12:00 style spans") from exc
    numbers: set[int] = set()
    for desk in data.get("desks", []):
        number = desk.get("number")
        if not isinstance(number, int) or number < 1 or number in numbers:
            raise HallDescriptionError(f"bad or repeated desk number {number!r}")
        _check_floor(desk.get("floor", 1), f"desk {number}: floor")
        for field in ("name", "name_en", "location", "location_en"):
            if not isinstance(desk.get(field, ""), str) or len(desk.get(field, "")) > 120:
                raise HallDescriptionError(f"desk {number}: {field} is text of at most 120")
        unknown = set(desk.get("services", [])) - prefixes
        if unknown:
            raise HallDescriptionError(f"desk {number}: unknown services {sorted(unknown)}")
        numbers.add(number)
    for user in data.get("users", []):
        if user.get("role") not in {r.value for r in Role}:
            raise HallDescriptionError(f"user {user.get('username')}: unknown role")
        if user.get("department") and user["department"] not in prefixes:
            raise HallDescriptionError(f"user {user.get('username')}: unknown department")
        if user.get("remote_unit") and user["remote_unit"] not in units:
            raise HallDescriptionError(f"user {user.get('username')}: unknown remote unit")
        desks = user.get("desks", [])
        if not isinstance(desks, list) or set(desks) - numbers:
            raise HallDescriptionError(f"user {user.get('username')}: unknown desks {desks!r}")
        if not isinstance(user.get("all_halls", False), bool):
            raise HallDescriptionError(f"user {user.get('username')}: all_halls is true or false")
    code = data.get("code")
    if code is not None and (not isinstance(code, str) or not HALL_CODE.match(code)):
        raise HallDescriptionError("code: lowercase letters, digits and hyphens (at most 32)")
    _validate_appointments(data.get("appointments", {}), prefixes)
    triage = data.get("triage", {})
    for category, targets in triage.get("routing", {}).items():
        kinds = {k.value for k in ServiceKind}
        unknown_targets = [t for t in targets if t not in kinds and t not in prefixes]
        if unknown_targets:
            raise HallDescriptionError(f"routing {category}: unknown desks {unknown_targets}")


def _check_floor(value: Any, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not -10 < value < 200:
        raise HallDescriptionError(f"{what}: a floor is a whole number (-9 to 199)")


def _validate_appointments(data: dict[str, Any], prefixes: set[str]) -> None:
    try:
        for item in data.get("templates", []):
            if set(item["services"]) - prefixes:
                raise HallDescriptionError(f"slot template: unknown services {item['services']}")
            if time.fromisoformat(item["start"]) >= time.fromisoformat(item["end"]):
                raise HallDescriptionError("slot template: start must be before end")
            if int(item.get("capacity", 2)) < 1 or int(item.get("slot_minutes", 30)) < 5:
                raise HallDescriptionError("slot template: capacity ≥ 1, slots ≥ 5 minutes")
        for item in data.get("closures", []):
            date.fromisoformat(item["day"])
        for item in data.get("leader_days", []):
            if item["service"] not in prefixes:
                raise HallDescriptionError(f"leader day: unknown service {item['service']}")
            time.fromisoformat(item["start"]), time.fromisoformat(item["end"])
    except (KeyError, TypeError, ValueError) as exc:
        raise HallDescriptionError(f"appointments: {exc}") from exc


def load_hall(data: dict[str, Any], *, default_password: str | None = None) -> Hall:
    """Create or update the hall named in `data`; flushes, the caller commits."""
    validate(data)
    hall = db.session.scalars(select(Hall).where(Hall.name == data["name"])).first()
    if hall is None:
        hall = Hall(name=data["name"], version=0)
        db.session.add(hall)
    if data.get("code"):
        taken = db.session.scalars(select(Hall).where(Hall.code == data["code"])).first()
        if taken is not None and taken is not hall:
            raise HallDescriptionError(f"code: {data['code']} is another hall's")
        hall.code = data["code"]
    hall.timezone = data.get("timezone", "Asia/Shanghai")
    hall.notice = data.get("notice", "")
    hall.address = data.get("address", "")
    hall.lobby_floor = data.get("lobby_floor", 1)
    hall.follow_up_days = data.get("follow_up_days", 5)
    hall.pause_alert_minutes = data.get("pause_alert_minutes", 15)
    hall.video_answer_seconds = data.get("video_answer_seconds", 60)
    hall.video_recording = data.get("video_recording", False)
    hall.recording_retention_days = data.get("recording_retention_days", 180)
    hall.region_code = data.get("region_code", "")
    hall.card_reader_url = data.get("card_reader_url", CARD_READER_URL)
    hall.card_reader_kind = data.get("card_reader_kind", "cvr100")
    hall.opening_hours = data.get("opening_hours", {})
    hall.triage = data.get("triage", {})
    db.session.flush()
    by_prefix = {s.prefix: s for s in hall.services}
    for order, item in enumerate(data.get("services", [])):
        service = by_prefix.get(item["prefix"]) or Service(hall_id=hall.id, prefix=item["prefix"])
        service.name, service.kind = item["name"], item["kind"]
        service.name_en = item.get("name_en", "")
        service.waiting_area = item.get("waiting_area", "")
        service.sort_order, service.active = order, item.get("active", True)
        service.wait_target_minutes = item.get("wait_target_minutes", 0)
        service.notify_ahead = item.get("notify_ahead", 0)
        db.session.add(service)
        by_prefix[service.prefix] = service
    by_number = {d.number: d for d in hall.desks}
    for item in data.get("desks", []):
        desk = by_number.get(item["number"]) or Desk(hall_id=hall.id, number=item["number"])
        desk.name, desk.name_en = item.get("name", ""), item.get("name_en", "")
        desk.floor = item.get("floor", 1)
        desk.location, desk.location_en = item.get("location", ""), item.get("location_en", "")
        desk.open = item.get("open", True)
        desk.active = item.get("active", True)
        desk.services = [by_prefix[prefix] for prefix in item.get("services", [])]
        db.session.add(desk)
        by_number[desk.number] = desk
    units = _load_units(hall, data.get("remote_units", []))
    for item in data.get("users", []):
        known = db.session.scalars(select(User.id).where(User.username == item["username"]))
        new = known.first() is None
        user = ensure_user(
            item["username"],
            item["role"],
            item.get("display_name", ""),
            item.get("password") or default_password,
        )
        if new:  # a new account works in this hall only, unless it is the city's
            user.all_halls = item.get("all_halls", False)
        if not user.all_halls and not any(m.hall_id == hall.id for m in user.memberships):
            user.memberships.append(StaffHall(hall_id=hall.id, role=item["role"]))
        if item.get("department"):
            user.department_id = by_prefix[item["department"]].id
        if item.get("remote_unit"):
            user.remote_unit_id = units[item["remote_unit"]].id
        if "desks" in item:
            user.desks = [by_number[number] for number in item["desks"]]
    db.session.flush()
    load_appointments(hall, data.get("appointments", {}), by_prefix)
    db.session.flush()
    return hall


def _load_units(hall: Hall, items: list[dict[str, Any]]) -> dict[str, RemoteUnit]:
    """The departments and counties received over video, by name (kept, never deleted)."""
    existing = db.session.scalars(select(RemoteUnit).where(RemoteUnit.hall_id == hall.id)).all()
    by_name = {unit.name: unit for unit in existing}
    for order, item in enumerate(items):
        unit = by_name.get(item["name"]) or RemoteUnit(hall_id=hall.id, name=item["name"])
        unit.name_en = item.get("name_en", "")
        unit.active, unit.sort_order = item.get("active", True), order
        db.session.add(unit)
        by_name[unit.name] = unit
    db.session.flush()
    return by_name


def load_appointments(hall: Hall, data: dict[str, Any], by_prefix: dict[str, Service]) -> None:
    """Slot templates, closures and leader days from the description (replacing the old ones)."""
    if not data:
        return
    service_ids = [s.id for s in by_prefix.values()]
    db.session.execute(delete(SlotTemplate).where(SlotTemplate.service_id.in_(service_ids)))
    for item in data.get("templates", []):
        for prefix in item["services"]:
            db.session.add(
                SlotTemplate(
                    service_id=by_prefix[prefix].id,
                    weekdays=item.get("weekdays", "0,1,2,3,4"),
                    start=time.fromisoformat(item["start"]),
                    end=time.fromisoformat(item["end"]),
                    slot_minutes=item.get("slot_minutes", 30),
                    capacity=item.get("capacity", 2),
                )
            )
    known = {c.day for c in db.session.scalars(select(Closure).where(Closure.hall_id == hall.id))}
    for item in data.get("closures", []):
        day = date.fromisoformat(item["day"])
        if day not in known:
            db.session.add(Closure(hall_id=hall.id, day=day, reason=item.get("reason", "")))
    today = datetime.now(zone(hall.timezone)).date()
    for item in data.get("leader_days", []):
        if "day" in item:
            days = [date.fromisoformat(item["day"])]
        else:  # the next four of a weekday, for a published weekly schedule
            first = today + timedelta(days=(item["weekday"] - today.weekday()) % 7 or 7)
            days = [first + timedelta(weeks=n) for n in range(4)]
        for day in days:
            exists = db.session.scalar(
                select(LeaderDay.id).where(
                    LeaderDay.hall_id == hall.id,
                    LeaderDay.day == day,
                    LeaderDay.service_id == by_prefix[item["service"]].id,
                )
            )
            if exists is None:
                db.session.add(
                    LeaderDay(
                        hall_id=hall.id,
                        service_id=by_prefix[item["service"]].id,
                        day=day,
                        leader=item["leader"],
                        place=item.get("place", ""),
                        matters=item.get("matters", ""),
                        start=time.fromisoformat(item["start"]),
                        end=time.fromisoformat(item["end"]),
                        slot_minutes=item.get("slot_minutes", 30),
                        capacity=item.get("capacity", 3),
                    )
                )


def ensure_user(username: str, role: str, display_name: str, password: str | None) -> User:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        if not password:
            raise HallDescriptionError(f"user {username}: a password is needed")
        user = User(username=username, role=role, display_name=display_name)
        user.set_password(password)
        db.session.add(user)
    return user


def hall_is_empty() -> bool:
    return db.session.scalars(select(Hall.id)).first() is None


# the set-up fields of the hall and what it holds: what a description carries of them, what
# the administration edits and audits (`reception.hall.administration`)
HALL_FIELDS = (
    "name",
    "address",
    "timezone",
    "notice",
    "lobby_floor",
    "opening_hours",
    "follow_up_days",
    "pause_alert_minutes",
    "video_answer_seconds",
    "video_recording",
    "recording_retention_days",
    "region_code",
    "card_reader_url",
    "card_reader_kind",
)
SERVICE_FIELDS = (
    "name",
    "name_en",
    "prefix",
    "kind",
    "waiting_area",
    "active",
    "wait_target_minutes",
    "notify_ahead",
)
DESK_FIELDS = ("number", "name", "name_en", "floor", "location", "location_en", "active")
USER_FIELDS = ("username", "display_name", "role", "department_id", "remote_unit_id", "active")
UNIT_FIELDS = ("name", "name_en", "active", "sort_order")


def describe_hall(hall: Hall) -> dict[str, Any]:
    """The hall's set-up in the description format `load_hall` reads (no passwords, no tokens,
    nothing about visitors): to copy one hall's set-up to another."""
    by_id = {s.id: s.prefix for s in hall.services}
    units = db.session.scalars(
        select(RemoteUnit)
        .where(RemoteUnit.hall_id == hall.id)
        .order_by(RemoteUnit.sort_order, RemoteUnit.id)
    ).all()
    return {
        **{name: getattr(hall, name) for name in HALL_FIELDS},
        "opening_hours": hall.opening_hours or {},
        "services": [
            {
                **{name: getattr(s, name) for name in SERVICE_FIELDS},
                "wait_target_minutes": s.wait_target_minutes,
            }
            for s in hall.services
        ],
        "remote_units": [
            {"name": unit.name, "name_en": unit.name_en, "active": unit.active} for unit in units
        ],
        "desks": [
            {
                **{name: getattr(d, name) for name in DESK_FIELDS},
                "services": [s.prefix for s in d.services],
            }
            for d in hall.desks
        ],
        "users": _described_users(hall, by_id, {unit.id: unit.name for unit in units}),
        "triage": hall.triage or {},
        "appointments": _described_appointments(hall, by_id),
    }


def _described_users(
    hall: Hall, by_id: dict[int, str], unit_names: dict[int, str]
) -> list[dict[str, Any]]:
    """The staff accounts: role, department, unit and desks (never a password or token)."""
    users = db.session.scalars(select(User).where(works_in(hall.id)).order_by(User.username)).all()
    return [
        {
            "username": u.username,
            "display_name": u.display_name,
            "role": u.role_in(hall.id),
            **({"all_halls": True} if u.all_halls else {}),
            **({"department": by_id[u.department_id]} if u.department_id in by_id else {}),
            **(
                {"remote_unit": unit_names[u.remote_unit_id]}
                if u.remote_unit_id in unit_names
                else {}
            ),
            "desks": [d.number for d in u.desks if d.hall_id == hall.id],
        }
        for u in users
    ]


def _described_appointments(hall: Hall, by_id: dict[int, str]) -> dict[str, Any]:
    """The bookable times: slot templates, closures and the leaders' reception days."""
    templates = db.session.scalars(
        select(SlotTemplate)
        .where(SlotTemplate.service_id.in_(list(by_id)))
        .order_by(SlotTemplate.id)
    ).all()
    closures = db.session.scalars(
        select(Closure).where(Closure.hall_id == hall.id).order_by(Closure.day)
    ).all()
    leader_days = db.session.scalars(
        select(LeaderDay).where(LeaderDay.hall_id == hall.id).order_by(LeaderDay.day)
    ).all()
    return {
        "templates": [
            {
                "services": [by_id[t.service_id]],
                "weekdays": t.weekdays,
                "start": t.start.strftime("%H:%M"),
                "end": t.end.strftime("%H:%M"),
                "slot_minutes": t.slot_minutes,
                "capacity": t.capacity,
            }
            for t in templates
        ],
        "closures": [{"day": c.day.isoformat(), "reason": c.reason} for c in closures],
        "leader_days": [
            {
                "service": by_id[d.service_id],
                "day": d.day.isoformat(),
                "leader": d.leader,
                "place": d.place,
                "matters": d.matters,
                "start": d.start.strftime("%H:%M"),
                "end": d.end.strftime("%H:%M"),
                "slot_minutes": d.slot_minutes,
                "capacity": d.capacity,
            }
            for d in leader_days
            if d.service_id in by_id
        ],
    }
