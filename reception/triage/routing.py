"""Routing suggestions: which desks a matter needs, from its category, department and flags.

The rules are data (the hall's `triage` settings, loaded from the hall description): a
category maps to service kinds (`lawyer`, `mediator`, `psychologist`, …) or service prefixes.
"""

from __future__ import annotations

from collections.abc import Iterable

from reception.models import Hall, Service, ServiceKind

DEFAULT_CATEGORIES = [
    "征地拆迁",
    "劳动保障",
    "住房",
    "涉法涉诉",
    "医疗纠纷",
    "城市管理",
    "民政",
    "退役军人",
    "矛盾纠纷",
    "其他",
]
DEFAULT_ROUTING: dict[str, list[str]] = {
    "涉法涉诉": ["lawyer"],  # 诉访分离: guidance toward courts, arbitration, reconsideration
    "医疗纠纷": ["mediator", "lawyer"],
    "矛盾纠纷": ["mediator"],
}


def categories(hall: Hall) -> list[str]:
    return list((hall.triage or {}).get("categories") or DEFAULT_CATEGORIES)


def rules_of(hall: Hall) -> dict[str, list[str]]:
    return dict((hall.triage or {}).get("routing") or DEFAULT_ROUTING)


def _resolve(hall: Hall, targets: Iterable[str]) -> list[Service]:
    services = [s for s in hall.services if s.active]
    found: list[Service] = []
    for target in targets:
        if target in {k.value for k in ServiceKind}:
            found += [s for s in services if s.kind == target][:1]
        else:
            found += [s for s in services if s.prefix == target]
    return found


def suggest(
    hall: Hall, category: str, department: Service | None, *, risk: bool, accused_id: int | None
) -> list[Service]:
    """Desks in the order the visitor should see them; never the department an accusation names."""
    route: list[Service] = []
    if risk:  # calm first: a distressed visitor sees the psychologist before anything else
        route += _resolve(hall, ["psychologist"])
    if department is not None:
        route.append(department)
    route += _resolve(hall, rules_of(hall).get(category, []))
    unique: list[Service] = []
    for service in route:
        if service not in unique and service.id != accused_id:
            unique.append(service)
    return unique
