"""Timed duties of the hall: the appointments' no-show sweep, tomorrow's reminders, and the
supervisor's timed alerts (a wait beyond target, a desk paused too long), and the roll-up of
finished days' legs for the reports.

`reception run` starts `Scheduler` (one daemon thread, never at import); in scale-out the same
duties run from cron as `reception sweep-appointments` and `reception send-reminders`. Each
round is one transaction; the reminders it records are sent only after it commits.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from reception.appointments.checkin import sweep_no_shows
from reception.appointments.notify import load_notifier, send_reminders
from reception.core.clock import local_time
from reception.core.settings import of as settings_of
from reception.db.extensions import db
from reception.models import Hall
from reception.models.types import utcnow
from reception.oversight import reports, supervision
from reception.video import recordings
from reception.video import sessions as video

log = logging.getLogger("reception.jobs")


def run_duties(app: Flask, now: datetime | None = None) -> tuple[int, int]:
    """One round for every hall: (bookings marked no-show, reminders sent); raises the timed
    alerts on the way."""
    now = now or utcnow()
    rules = settings_of(app.extensions)
    swept = reminded = 0
    notifier = load_notifier(app.config)
    for hall in db.session.scalars(select(Hall).order_by(Hall.id)).all():
        swept += sweep_no_shows(hall, policy=rules.booking, now=now)
        supervision.watch(hall, now)
        video.expire(hall.id, now)
        recordings.purge(hall, now)
        reports.roll_up(hall, now)  # a month of finished days a round, oldest first
        if local_time(hall.timezone, now).time() >= rules.reminders_after:
            reminded += send_reminders(hall, notifier, now=now)
    db.session.commit()
    return swept, reminded


class Scheduler:
    """Runs `run_duties` every `settings.schedule_seconds` until stopped."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="reception-schedule", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        interval = settings_of(self.app.extensions).schedule_seconds
        while not self._stop.wait(interval):
            with self.app.app_context():
                try:
                    run_duties(self.app)
                except Exception:  # noqa: BLE001
                    db.session.rollback()
                    log.exception("scheduled duties failed; trying again next round")
                finally:
                    db.session.remove()
