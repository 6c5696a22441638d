"""Loading a hall description (services, desks, staff) into the database."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .extensions import db
from .models import Desk, Hall, Role, Service, ServiceKind, User
from .queue.clock import zone
from .queue.errors import InvalidInput

DEMO_HALL = Path(__file__).with_name("demo_hall.json")
DEMO_PASSWORD = "demo1234"
PREFIX = re.compile(r"^[A-Z]{1,2}$")


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
        prefixes.add(prefix)
    numbers: set[int] = set()
    for desk in data.get("desks", []):
        number = desk.get("number")
        if not isinstance(number, int) or number < 1 or number in numbers:
            raise HallDescriptionError(f"bad or repeated desk number {number!r}")
        unknown = set(desk.get("services", [])) - prefixes
        if unknown:
            raise HallDescriptionError(f"desk {number}: unknown services {sorted(unknown)}")
        numbers.add(number)
    for user in data.get("users", []):
        if user.get("role") not in {r.value for r in Role}:
            raise HallDescriptionError(f"user {user.get('username')}: unknown role")
        if user.get("department") and user["department"] not in prefixes:
            raise HallDescriptionError(f"user {user.get('username')}: unknown department")
    triage = data.get("triage", {})
    for category, targets in triage.get("routing", {}).items():
        kinds = {k.value for k in ServiceKind}
        unknown = [t for t in targets if t not in kinds and t not in prefixes]
        if unknown:
            raise HallDescriptionError(f"routing {category}: unknown desks {unknown}")


def load_hall(data: dict[str, Any], *, default_password: str | None = None) -> Hall:
    """Create or update the hall named in `data`; flushes, the caller commits."""
    validate(data)
    hall = db.session.scalars(select(Hall).where(Hall.name == data["name"])).first()
    if hall is None:
        hall = Hall(name=data["name"], version=0)
        db.session.add(hall)
    hall.timezone = data.get("timezone", "Asia/Shanghai")
    hall.notice = data.get("notice", "")
    hall.triage = data.get("triage", {})
    db.session.flush()
    by_prefix = {s.prefix: s for s in hall.services}
    for order, item in enumerate(data.get("services", [])):
        service = by_prefix.get(item["prefix"]) or Service(hall_id=hall.id, prefix=item["prefix"])
        service.name, service.kind = item["name"], item["kind"]
        service.name_en = item.get("name_en", "")
        service.waiting_area = item.get("waiting_area", "")
        service.sort_order, service.active = order, item.get("active", True)
        db.session.add(service)
        by_prefix[service.prefix] = service
    by_number = {d.number: d for d in hall.desks}
    for item in data.get("desks", []):
        desk = by_number.get(item["number"]) or Desk(hall_id=hall.id, number=item["number"])
        desk.name = item.get("name", "")
        desk.open = item.get("open", True)
        desk.services = [by_prefix[prefix] for prefix in item.get("services", [])]
        db.session.add(desk)
    for item in data.get("users", []):
        user = ensure_user(
            item["username"],
            item["role"],
            item.get("display_name", ""),
            item.get("password") or default_password,
        )
        if item.get("department"):
            user.department_id = by_prefix[item["department"]].id
    db.session.flush()
    return hall


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
