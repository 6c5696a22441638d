"""Who is on the other end of a page or socket: staff, an enrolled display, or a visitor."""

from __future__ import annotations

from dataclasses import dataclass

from flask import session
from flask_login import current_user
from sqlalchemy import select

from reception.db.extensions import db
from reception.models import DisplayDevice, Role, User
from reception.models.device import hash_device_token
from reception.web.common import current_hall

DEVICE_KEY = "display_device_id"


@dataclass(frozen=True)
class Viewer:
    staff: User | None = None
    device: DisplayDevice | None = None

    @property
    def hall_staff(self) -> bool:
        """Staff working in the hall (a remote unit sees only its own video line)."""
        return self.staff is not None and not self.staff.is_a(Role.REMOTE)

    @property
    def may_watch_hall(self) -> bool:
        """Staff and enrolled displays see the hall's rooms; visitors only their ticket."""
        return self.hall_staff or self.device is not None

    @property
    def autoplay(self) -> bool:
        """An enrolled screen marked as allowed to play sound without a click."""
        return self.device is not None and self.device.autoplay

    def may_watch_desk(self, desk_id: int) -> bool:
        if self.hall_staff:
            return True
        if self.device is None:
            return False
        return self.device.desk_id in (None, desk_id)


def device_by_token(token: str) -> DisplayDevice | None:
    if not token or len(token) > 100:
        return None
    device = db.session.scalars(
        select(DisplayDevice).where(DisplayDevice.token_hash == hash_device_token(token))
    ).first()
    return device if device is not None and not device.revoked else None


def current_viewer() -> Viewer:
    staff = current_user if current_user.is_authenticated else None
    device = None
    device_id = session.get(DEVICE_KEY)
    if device_id is not None:
        device = db.session.get(DisplayDevice, device_id)
        if device is None or device.revoked:
            session.pop(DEVICE_KEY, None)
            device = None
        elif device.hall_id != current_hall().id:
            device = None  # enrolled to another hall: a visitor here (and still enrolled there)
    return Viewer(staff=staff, device=device)
