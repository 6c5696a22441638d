"""The waiting counts the database keeps (`queue_counts`, by triggers) match the tickets after
every kind of change, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import delete, func, select, update

from reception.core.errors import QueueError
from reception.db.extensions import db as _db
from reception.live.publish import waiting_counts
from reception.models import Hall, Priority, QueueCount, Ticket, TicketState
from reception.queue import moves
from reception.queue.issuing import issue_ticket
from tests.helpers import desk_by_number, local, service_by_prefix

DAYS = ("2026-11-23", "2026-11-24")
_FROM = {
    "issue": (),
    "call": (),
    "start": ("called",),
    "finish": ("serving",),
    "no_show": ("called",),
    "return": ("no_show",),
    "hold": ("called", "serving"),
    "resume": ("held",),
    "cancel": ("waiting", "held"),
    "transfer": ("called", "serving"),
    "transfer_desk": ("called", "serving"),
}


def _counted() -> dict[tuple, int]:
    rows = _db.session.execute(
        select(
            QueueCount.hall_id, QueueCount.service_day, QueueCount.service_id, QueueCount.waiting
        )
    ).all()
    return {(h, d, s): n for h, d, s, n in rows if n}


def _actual() -> dict[tuple, int]:
    rows = _db.session.execute(
        select(Ticket.hall_id, Ticket.service_day, Ticket.service_id, func.count(Ticket.id))
        .where(Ticket.state == TicketState.WAITING.value)
        .group_by(Ticket.hall_id, Ticket.service_day, Ticket.service_id)
    ).all()
    return {(h, d, s): n for h, d, s, n in rows}


def _drive(rng: random.Random, steps: int) -> Counter[str]:
    """Random legal and illegal moves on random tickets; the counts are checked after each."""
    hall = _db.session.scalars(select(Hall)).first()
    assert hall is not None
    services = [service_by_prefix(p).id for p in ("A", "B", "E", "J")]
    desks = [desk_by_number(n).id for n in (1, 2, 5)]
    done: Counter[str] = Counter()
    for step in range(steps):
        day = DAYS[step * len(DAYS) // steps]
        when = local(day, f"{9 + step // 60:02d}:{step % 60:02d}")
        action = rng.choice(list(_FROM))
        # mostly a ticket the move may start from, sometimes any (the refusal changes nothing)
        wanted = select(Ticket.id)
        if rng.random() < 0.8 and _FROM[action]:
            wanted = wanted.where(Ticket.state.in_(_FROM[action]))
        tickets = _db.session.scalars(wanted).all()
        ticket_id = rng.choice(tickets) if tickets else None
        ticket = _db.session.get(Ticket, ticket_id) if ticket_id else None
        desk_id = ticket.desk_id if ticket is not None else None
        try:
            if action == "issue" or (ticket_id is None and action != "call"):
                action = "issue"
                issue_ticket(
                    hall.id,
                    rng.choice(services),
                    priority=rng.choice(list(Priority)),
                    now=when,
                    outside_hours=True,
                )
            elif action == "call":
                moves.call_next(rng.choice(desks), now=when)
            elif action == "start":
                moves.start(ticket_id, desk_id=desk_id, now=when)
            elif action == "finish":
                moves.finish(ticket_id, "ok", desk_id=desk_id, now=when)
            elif action == "no_show":
                moves.no_show(ticket_id, desk_id=desk_id, now=when)
            elif action == "return":
                moves.return_to_queue(ticket_id, now=when)
            elif action == "hold":
                moves.hold(ticket_id, desk_id=desk_id, now=when)
            elif action == "resume":
                moves.resume(ticket_id, desk_id=rng.choice(desks), now=when)
            elif action == "cancel":
                moves.cancel(ticket_id, desk_id=desk_id, now=when)
            elif action == "transfer":
                moves.transfer(
                    ticket_id, desk_id=desk_id, service_id=rng.choice(services), now=when
                )
            else:
                moves.transfer(ticket_id, desk_id=desk_id, to_desk_id=rng.choice(desks), now=when)
            _db.session.commit()
            done[action] += 1
        except QueueError:
            _db.session.rollback()
        assert _counted() == _actual(), (step, action)
    # what no move does, a plain write still counts: a ticket written, moved and deleted in SQL
    model = _db.session.scalars(select(Ticket).where(Ticket.state == "waiting")).first()
    assert model is not None
    values = {c.key: getattr(model, c.key) for c in Ticket.__table__.c if c.key != "id"}
    values.update(number="Z999", token="written-in-sql")
    new_id = _db.session.execute(Ticket.__table__.insert().values(values)).inserted_primary_key[0]
    _db.session.commit()
    assert _counted() == _actual()
    _db.session.execute(update(Ticket).where(Ticket.id == new_id).values(service_id=services[-1]))
    _db.session.commit()
    assert _counted() == _actual()
    _db.session.execute(delete(Ticket).where(Ticket.id == new_id))
    _db.session.commit()
    assert _counted() == _actual()
    return done


def test_counts_follow_every_move_on_sqlite(db):
    done = _drive(random.Random(7), 300)
    assert set(done) >= {"issue", "call", "return", "cancel", "transfer", "transfer_desk"}, done
    hall = db.session.scalars(select(Hall)).first()
    day = _db.session.scalars(select(Ticket.service_day).limit(1)).one()
    service = service_by_prefix("A").id
    assert waiting_counts(db.session(), hall.id, {service}, day) == {
        str(service): _actual().get((hall.id, day, service), 0)
    }


def test_counts_follow_every_move_on_postgresql(postgres_app):
    app, _ = postgres_app
    with app.app_context():
        done = _drive(random.Random(11), 300)
    assert set(done) >= {"issue", "call", "return", "cancel", "transfer"}, done
