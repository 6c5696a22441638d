"""The lobby, desk and rating displays: enrolled, changed, revoked."""

from __future__ import annotations

from reception.db.extensions import db
from reception.hall.administration.changes import record_change
from reception.models import (
    Desk,
    DisplayDevice,
    Hall,
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
    record_change(
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
    record_change(staff_id, "display", before, after)


def revoke_display(device: DisplayDevice, staff_id: int) -> None:
    device.revoked = True
    record_change(
        staff_id,
        "display",
        {"name": device.name, "revoked": False},
        {"name": device.name, "revoked": True},
    )
