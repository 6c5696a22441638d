"""Workers for the concurrency tests: hammer issue and call-next through the engine.

Used from threads and from separate processes (spawned: each builds its own app).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import Flask

from reception import create_app
from reception.db.extensions import db
from reception.models import Hall
from reception.queue import moves
from reception.queue.issuing import issue_ticket


@dataclass
class Tally:
    issued: list[str] = field(default_factory=list)
    called: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def issuer(app: Flask, hall_id: int, service_id: int, count: int, tally: Tally) -> None:
    with app.app_context():
        for _ in range(count):
            try:
                ticket = issue_ticket(hall_id, service_id, channel="test")
                number = ticket.number
                db.session.commit()
                tally.issued.append(number)
            except Exception as exc:  # noqa: BLE001 - every failure is a finding here
                db.session.rollback()
                tally.errors.append(f"issue: {exc!r}")
        db.session.remove()


def caller(app: Flask, desk_id: int, stop_after_idle: float, tally: Tally) -> None:
    """Call, start and finish until the queue has stayed empty for `stop_after_idle` seconds."""
    idle_since = None
    with app.app_context():
        while True:
            try:
                ticket = moves.call_next(desk_id)
                ticket_id = ticket.id if ticket else None
                db.session.commit()
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                tally.errors.append(f"call: {exc!r}")
                continue
            if ticket_id is None:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > stop_after_idle:
                    break
                time.sleep(0.01)
                continue
            idle_since = None
            tally.called.append(ticket_id)
            try:
                moves.start(ticket_id, desk_id=desk_id)
                db.session.commit()
                moves.finish(ticket_id, "served", desk_id=desk_id)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                tally.errors.append(f"finish: {exc!r}")
        db.session.remove()


def process_main(database_uri: str, role: str, arg: int, count: int, out) -> None:
    """Entry point of a spawned process: build an app, run one worker, report the tally."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri, "TESTING": True, "REDIS_URL": None})
    tally = Tally()
    with app.app_context():
        hall_id = db.session.scalars(db.select(Hall.id)).first()
    if role == "issue":
        issuer(app, hall_id, arg, count, tally)
    else:
        caller(app, arg, 3.0, tally)
    out.put((role, tally.issued, tally.called, tally.errors))
