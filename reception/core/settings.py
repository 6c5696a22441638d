"""The hall's operating rules, read once from the configuration into one frozen object.

Domain code receives the parts it needs as arguments (`Settings.booking` is the booking
policy); the app factory keeps the object on the app (`install`), views and templates read it
there (`reception.web.edge.running.settings`), and page scripts get their values from the data
attributes those templates write, so a rule such as the check-in window is stated in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import time
from typing import Any

from reception.core.config import RULES, ConfigError

EXTENSION_KEY = "reception_settings"


@dataclass(frozen=True)
class Policy:
    """The booking policy (its defaults are `config.RULES`')."""

    horizon_days: int = RULES["APPOINTMENT_HORIZON_DAYS"]  # bookable this many days ahead
    # the day before, bookings close at this local time
    cutoff: time = time.fromisoformat(RULES["APPOINTMENT_CUTOFF"])
    early_minutes: int = RULES["CHECKIN_EARLY_MINUTES"]  # check-in opens this long before
    late_minutes: int = RULES["CHECKIN_LATE_MINUTES"]  # and closes this long after its start


@dataclass(frozen=True)
class Settings:
    booking: Policy
    max_recalls: int
    default_service_minutes: int
    kiosk_return_seconds: int
    kiosk_auto_print: bool
    elderly_age: int
    display_offline_seconds: int
    announce_max_age_seconds: int  # a call older than this when its turn comes is not spoken
    reminders_after: time  # hall-local time from which tomorrow's reminders go out
    schedule_seconds: int  # how often `reception run` sweeps no-shows and sends reminders

    def public(self) -> dict[str, Any]:
        """What page scripts may read (no secrets here, only rules)."""
        data = asdict(self)
        data["booking"]["cutoff"] = self.booking.cutoff.strftime("%H:%M")
        data["reminders_after"] = self.reminders_after.strftime("%H:%M")
        return data


def _clock(value: object, name: str) -> time:
    try:
        hours, _, minutes = str(value).partition(":")
        return time(int(hours), int(minutes or 0))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a time of day HH:MM, got {value!r}") from exc


def from_config(config: Mapping[str, Any]) -> Settings:
    """The rules of `config`, each missing one at its default (`config.RULES`)."""

    def rule(name: str) -> Any:
        return config.get(name, RULES[name])

    return Settings(
        booking=Policy(
            horizon_days=int(rule("APPOINTMENT_HORIZON_DAYS")),
            cutoff=_clock(rule("APPOINTMENT_CUTOFF"), "APPOINTMENT_CUTOFF"),
            early_minutes=int(rule("CHECKIN_EARLY_MINUTES")),
            late_minutes=int(rule("CHECKIN_LATE_MINUTES")),
        ),
        max_recalls=int(rule("MAX_RECALLS")),
        default_service_minutes=int(rule("DEFAULT_SERVICE_MINUTES")),
        kiosk_return_seconds=int(rule("KIOSK_RETURN_SECONDS")),
        kiosk_auto_print=bool(rule("KIOSK_AUTO_PRINT")),
        elderly_age=int(rule("ELDERLY_AGE")),
        display_offline_seconds=int(rule("DISPLAY_OFFLINE_SECONDS")),
        announce_max_age_seconds=int(rule("ANNOUNCE_MAX_AGE_SECONDS")),
        reminders_after=_clock(rule("REMINDERS_AFTER"), "REMINDERS_AFTER"),
        schedule_seconds=int(rule("SCHEDULE_SECONDS")),
    )


def of(extensions: Mapping[str, Any]) -> Settings:
    """The settings an app keeps among its `extensions` (`install`)."""
    found: Settings = extensions[EXTENSION_KEY]
    return found


def install(extensions: dict[str, Any], config: Mapping[str, Any]) -> Settings:
    """Read the settings from `config` and keep them among an app's `extensions`."""
    extensions[EXTENSION_KEY] = found = from_config(config)
    return found
