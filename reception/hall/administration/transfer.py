"""A hall description imported over this hall; the routing rules as the page edits them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from reception.core.errors import InvalidInput
from reception.core.messages import N_
from reception.db.extensions import db
from reception.hall.administration.changes import published, record_change
from reception.hall.administration.people import new_password
from reception.hall.description import (
    load_hall,
    validate,
)
from reception.models import (
    AuditEntry,
    Hall,
    User,
)
from reception.triage.routing import categories, rules_of


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
    published(hall.id)
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
    record_change(staff_id, "routing", before, {"triage": hall.triage})
