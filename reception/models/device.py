"""Display devices (lobby TVs, desk LED strips): enrolled by an admin, able to listen only."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from reception.db.extensions import Model
from reception.models.types import UTCDateTime, utcnow

SHORT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


def hash_device_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DisplayDevice(Model):
    __tablename__ = "display_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # A desk screen is tied to its desk; a lobby screen (desk_id None) may show every desk.
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id"), default=None)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)
    # A screen whose browser may play sound unasked (Chromium --autoplay-policy=...): it never
    # covers itself with the "click to enable voice" overlay.
    autoplay: Mapped[bool] = mapped_column(default=False)
    # A rating device (评价器) beside its desk: lights up when the desk finishes a visitor.
    rater: Mapped[bool] = mapped_column(default=False)

    def new_token(self, *, short: bool = False) -> str:
        """A fresh enrolment token; only its hash is kept, so it is shown once. A short one
        (10 letters and digits without look-alikes, about 50 bits) can be typed with a TV
        remote."""
        if short:
            token = "".join(secrets.choice(SHORT_ALPHABET) for _ in range(10))
        else:
            token = secrets.token_urlsafe(24)
        self.token_hash = hash_device_token(token)
        return token
