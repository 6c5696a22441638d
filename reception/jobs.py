"""Timed duties of the hall: the appointments' no-show sweep, tomorrow's reminders, and the
supervisor's timed alerts (a wait beyond target, a desk paused too long), the roll-up of
finished days' legs for the reports, and forgetting the online door's codes and failed look-ups
once no limit looks at them.

`reception run` starts `Scheduler` (one daemon thread, never at import); in scale-out the same
duties run from cron as `reception sweep-appointments` and `reception send-reminders`. Each
duty of each hall is a transaction of its own; the reminders it records are sent only after
it commits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from reception.appointments.checkin import sweep_no_shows
from reception.appointments.notify import send_reminders
from reception.core.clock import local_time
from reception.core.settings import of as settings_of
from reception.db.extensions import db
from reception.models import Hall
from reception.models.types import utcnow
from reception.online import limits
from reception.oversight import reports, supervision
from reception.queue import nearing
from reception.sms import outbox
from reception.sms.gateways import load_gateway
from reception.video import recordings
from reception.video import sessions as video

log = logging.getLogger("reception.jobs")


def run_duties(app: Flask, now: datetime | None = None) -> tuple[int, int]:
    """One round for every hall: (bookings marked no-show, reminders sent); raises the timed
    alerts on the way. Each duty of each hall is a transaction of its own: one that fails is
    rolled back and logged, and the others still run and keep what they did."""
    now = now or utcnow()
    rules = settings_of(app.extensions)
    swept = reminded = 0
    for hall_id in db.session.scalars(select(Hall.id).order_by(Hall.id)).all():
        swept += _duty(
            "appointment no-shows",
            hall_id,
            lambda h: sweep_no_shows(h, policy=rules.booking, now=now),
        )
        _duty("timed alerts", hall_id, lambda h: supervision.watch(h, now))
        _duty("unanswered video calls", hall_id, lambda h: video.expire(h.id, now))
        _duty("recordings past retention", hall_id, lambda h: recordings.purge(h, now))
        # a month of finished days a round, oldest first
        _duty("report roll-up", hall_id, lambda h: reports.roll_up(h, now))
        reminded += _duty(
            "reminders",
            hall_id,
            lambda h: (
                send_reminders(h, now=now)
                if local_time(h.timezone, now).time() >= rules.reminders_after
                else 0
            ),
        )
    _in_transaction("'online codes and look-ups past use'", lambda: limits.forget(now))
    deliver_texts(app, now, every_line=True)
    return swept, reminded


def _duty(name: str, hall_id: int, duty: Callable[[Hall], int | None]) -> int:
    """Run one duty for one hall in a transaction of its own; what it counted (0 on failure)."""

    def work() -> int | None:
        hall = db.session.get(Hall, hall_id)
        return duty(hall) if hall is not None else 0

    return _in_transaction(f"{name!r} for hall {hall_id}", work)


def _in_transaction(what: str, work: Callable[[], int | None]) -> int:
    """One duty in a transaction of its own: committed, or rolled back and logged."""
    try:
        done = work()
        db.session.commit()
    except Exception:  # noqa: BLE001 - one duty's failure must not stop the others
        db.session.rollback()
        log.exception("timed duty %s failed; the other duties go on", what)
        return 0
    return int(done or 0)


def deliver_texts(app: Flask, now: datetime | None = None, *, every_line: bool = False) -> int:
    """Record the "turn is near" texts of the lines that moved (`every_line`: of every line
    that sends them), then send the texts that are due (new ones, and retries whose time has
    come); how many were sent or kept."""
    try:
        if every_line:
            nearing.check_all(now)
        else:
            nearing.check_moved(now)
        return outbox.deliver_due(load_gateway(app.config), now)
    except Exception:  # noqa: BLE001 - the texts wait for the next round
        db.session.rollback()
        log.exception("sending texts failed; trying again next round")
        return 0


class Courier:
    """Sends texts as soon as a commit records them (`outbox.WAKE`), and every few seconds
    those whose retry is due; one daemon thread, started by `reception run`."""

    def __init__(self, app: Flask, interval: float = 5.0) -> None:
        self.app = app
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="reception-texts", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        outbox.WAKE.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            outbox.WAKE.wait(self.interval)
            outbox.WAKE.clear()
            if self._stop.is_set():
                return
            with self.app.app_context():
                try:
                    deliver_texts(self.app)
                finally:
                    db.session.remove()


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
