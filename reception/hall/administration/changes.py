"""How a set-up change is made: its fields applied, its before and after audited, the
hall's screens told after the commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reception.db import pending
from reception.db.extensions import db
from reception.models import (
    AuditEntry,
)
from reception.queue.locking import lock_hall


def state_of(item: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(item, name) for name in fields}


def record_change(
    staff_id: int, what: str, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
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


def published(hall_id: int) -> None:
    """The screens hear of a set-up change in the hall's version order (a `hall` event):
    names, desks and places are redrawn without anyone reloading a page."""
    version = lock_hall(hall_id)
    pending.SETUP.note(db.session(), (hall_id, version))


def apply_fields(item: object, data: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in data:
            setattr(item, name, data[name])
