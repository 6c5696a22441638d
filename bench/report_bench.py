"""Every report for a month and for a whole year of a busy hall, on SQLite and PostgreSQL.

    python bench/report_bench.py [--db sqlite|postgres|both] [--tickets 300000] [--runs 5]

It first builds a year (2025) of the demo hall at the given size: tickets with their event log
(calls, no-shows and returns, transfers to a second desk, service), about 20,000 registered
matters with their statutory dates, and ratings of about half the legs served (150,000 or more),
with the follow-ups the bad ones open. Arrivals follow a working day's curve (peaks at 9:00 and
14:30, the hall's time zone). Then it times each report (`reception.oversight.reports`) for June
and for the year: median of `--runs` and the slowest, in milliseconds. The generated databases
are kept under `bench/.data/` (SQLite) or as `reception_report_bench` (PostgreSQL) and reused
when their size matches. Figures only: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from reception import create_app  # noqa: E402
from reception.db.extensions import db  # noqa: E402
from reception.hall.description import DEMO_HALL, load_hall, read_description  # noqa: E402
from reception.models import (  # noqa: E402
    Case,
    FollowUp,
    Hall,
    Rating,
    Ticket,
    TicketEvent,
    User,
    Visitor,
)
from reception.oversight import reports  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_NAME = "reception_report_bench"
YEAR = 2025
ZONE = ZoneInfo("Asia/Shanghai")
CATEGORIES = ("住房", "征地拆迁", "劳动保障", "城市管理", "社会救助", "涉法涉诉", "其他")


def _working_days(year: int) -> list[date]:
    day, days = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _arrival(rng: random.Random, day: date) -> datetime:
    """A moment of the working day: most come at the opening, a second wave after lunch."""
    while True:
        peak, spread = (9.0, 0.9) if rng.random() < 0.6 else (14.5, 0.9)
        hour = rng.gauss(peak, spread)
        if 8.5 <= hour <= 17.0 and not 12.0 <= hour < 13.5:
            break
    local = datetime(day.year, day.month, day.day, tzinfo=ZONE) + timedelta(hours=hour)
    return local.astimezone(UTC)


class Builder:
    """Rows for the tables, written in batches with Core inserts (no ORM objects)."""

    def __init__(self, hall: Hall, rng: random.Random) -> None:
        self.hall, self.rng = hall, rng
        self.services = [s for s in hall.services if s.kind != "leader"]
        self.desks_of = {s.id: [d for d in hall.desks if s in d.services] for s in self.services}
        self.staff = list(db.session.scalars(select(User.id)))
        self.ticket_id = (db.session.scalar(select(func.max(Ticket.id))) or 0) + 1
        self.version = 1
        self.tickets: list[dict] = []
        self.events: list[dict] = []
        self.ratings: list[dict] = []
        self.rated_legs: list[tuple[int, int, int, datetime]] = []

    def event(self, ticket: dict, action: str, at: datetime, leg: int, service: int, desk, state):
        self.version += 1
        self.events.append(
            {
                "ticket_id": ticket["id"],
                "hall_id": self.hall.id,
                "hall_version": self.version,
                "action": action,
                "from_state": None,
                "to_state": state,
                "service_id": service,
                "desk_id": desk,
                "staff_id": self.staff[desk % len(self.staff)] if desk else None,
                "leg": leg,
                "at": at,
                "note": "",
            }
        )

    def leg(self, ticket: dict, leg: int, service: int, entered: datetime) -> datetime:
        """One leg: wait, call, perhaps a no-show (and a return), service. Its end."""
        rng = self.rng
        desk = rng.choice(self.desks_of[service]).id
        called = entered + timedelta(seconds=rng.expovariate(1 / 900))
        self.event(ticket, "call", called, leg, service, desk, "called")
        if rng.random() < 0.08:
            self.event(
                ticket, "no_show", called + timedelta(minutes=3), leg, service, None, "no_show"
            )
            if rng.random() < 0.5:
                return called + timedelta(minutes=3)
            back = called + timedelta(minutes=10)
            self.event(ticket, "return", back, leg, service, None, "waiting")
            called = back + timedelta(seconds=rng.expovariate(1 / 300))
            self.event(ticket, "call", called, leg, service, desk, "called")
        started = called + timedelta(seconds=rng.uniform(20, 120))
        self.event(ticket, "start", started, leg, service, desk, "serving")
        ended = started + timedelta(seconds=rng.expovariate(1 / 720) + 60)
        if rng.random() < 0.5:
            self.rated_legs.append((ticket["id"], leg, service, ended))
        return ended

    def ticket(self, day: date, number: int, service, case_id: int | None = None) -> None:
        at = _arrival(self.rng, day)
        ticket = {
            "id": self.ticket_id,
            "hall_id": self.hall.id,
            "service_day": day,
            "number": f"{service.prefix}{number:04d}",
            "token": f"bench{self.ticket_id:012d}",
            "service_id": service.id,
            "state": "finished",
            "priority": 0,
            "channel": "registration" if case_id else "kiosk",
            "case_id": case_id,
            "leg": 1,
            "recall_count": 0,
            "outcome": "",
            "issued_at": at,
            "line_at": at,
            "called_at": None,
            "updated_at": at,
        }
        self.ticket_id += 1
        self.tickets.append(ticket)
        self.event(ticket, "issue", at, 1, service.id, None, "waiting")
        ended = self.leg(ticket, 1, service.id, at)
        if self.rng.random() < 0.12:  # passed on to a second desk
            other = self.rng.choice(self.services)
            ticket["leg"] = 2
            self.event(ticket, "transfer", ended, 2, other.id, None, "waiting")
            ended = self.leg(ticket, 2, other.id, ended)
        self.event(ticket, "finish", ended, ticket["leg"], ticket["service_id"], None, "finished")


def generate(tickets: int, cases: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    hall = db.session.scalars(select(Hall)).one()
    builder = Builder(hall, rng)
    days = _working_days(YEAR)
    per_day = tickets // len(days) + 1
    departments = [s for s in builder.services if s.kind == "department"]

    # visitors and their matters (a quarter of the people come back with another matter)
    people = max(cases * 3 // 4, 1)
    db.session.execute(
        insert(Visitor),
        [{"name": f"来访人{n}", "no_id_card": True} for n in range(people)],
    )
    first_visitor = db.session.scalar(select(func.min(Visitor.id))) or 1
    case_rows, case_days = [], []
    for _ in range(cases):
        registered = rng.choice(days)
        status = rng.choices(
            ["registered", "accepted", "not_accepted", "transferred"], [5, 70, 15, 10]
        )[0]
        decided = (
            registered + timedelta(days=rng.randint(1, 18)) if status != "registered" else None
        )
        extension = 30 if status == "accepted" and rng.random() < 0.05 else 0
        replied = None
        if status == "accepted" and decided and rng.random() < 0.85:
            replied = decided + timedelta(days=rng.randint(5, 62 + extension))
        case_rows.append(
            {
                "hall_id": hall.id,
                "visitor_id": first_visitor + rng.randrange(people),
                "registered_on": registered,
                "account": "…",
                "facts": "",
                "request": "",
                "category": rng.choice(CATEGORIES),
                "department_id": rng.choice(departments).id,
                "group_size": rng.choice([1] * 19 + [rng.randint(5, 40)]),
                "repeat": rng.random() < 0.25,
                "status": status,
                "decided_on": decided,
                "extension_days": extension,
                "replied_on": replied,
                "review_requested_on": replied + timedelta(days=10)
                if replied and rng.random() < 0.05
                else None,
            }
        )
        case_days.append(registered)
    db.session.execute(insert(Case), case_rows)
    first_case = db.session.scalar(select(func.min(Case.id))) or 1
    cases_on: dict[date, list[int]] = {}
    for offset, registered in enumerate(case_days):
        cases_on.setdefault(registered, []).append(first_case + offset)

    made = 0
    for day in days:
        counters: dict[int, int] = {}
        matters = cases_on.get(day, [])
        for n in range(min(per_day, tickets - made)):
            service = rng.choice(builder.services)
            counters[service.id] = counters.get(service.id, 0) + 1
            case_id = matters[n] if n < len(matters) else None
            builder.ticket(day, counters[service.id], service, case_id)
            made += 1
        if len(builder.events) > 200_000:
            flush(builder)
    flush(builder)
    db.session.commit()


def flush(builder: Builder) -> None:
    db.session.execute(insert(Ticket), builder.tickets)
    db.session.execute(insert(TicketEvent), builder.events)
    rng = builder.rng
    rows = []
    for ticket_id, leg, service, ended in builder.rated_legs:
        level = rng.choices([5, 4, 3, 2, 1], [60, 25, 8, 5, 2])[0]
        rows.append(
            {
                "hall_id": builder.hall.id,
                "ticket_id": ticket_id,
                "leg": leg,
                "service_id": service,
                "level": level,
                "comment": "",
                "channel": "phone",
                "rated_at": ended + timedelta(minutes=2),
            }
        )
    if rows:
        db.session.execute(insert(Rating), rows)
        bad = db.session.execute(
            select(Rating.id, Rating.rated_at).where(
                Rating.level <= 2, Rating.ticket_id >= builder.tickets[0]["id"]
            )
        ).all()
        follow = [
            {
                "hall_id": builder.hall.id,
                "rating_id": rating_id,
                "due": (rated_at + timedelta(days=7)).date(),
                "outcome": "已回访" if rng.random() < 0.8 else "",
                "done_at": rated_at + timedelta(days=rng.randint(1, 9))
                if rng.random() < 0.8
                else None,
            }
            for rating_id, rated_at in bad
        ]
        if follow:
            db.session.execute(insert(FollowUp), follow)
    db.session.commit()
    builder.tickets, builder.events, builder.rated_legs = [], [], []


def _jobs(hall: Hall, scope: reports.Scope, today: date, with_annual: bool) -> dict:
    jobs = {f"visits by {d}": partial(reports.visits, scope, d) for d in reports.DIMENSIONS}
    jobs["summary"] = partial(reports.summary, scope, today)
    jobs["cases"] = partial(reports.cases, scope, today)
    jobs["outcomes by category"] = partial(reports.outcomes_by_category, scope)
    jobs["late matters"] = partial(reports.late_cases, scope, today)
    if with_annual:
        jobs["Art. 41 annual"] = partial(reports.annual, hall, YEAR)
    return jobs


def timed(action, runs: int) -> tuple[float, float]:
    spent = []
    for _ in range(runs):
        begin = time.perf_counter()
        action()
        spent.append((time.perf_counter() - begin) * 1000)
        db.session.rollback()
    return statistics.median(spent), max(spent)


def run(uri: str, label: str, tickets: int, cases: int, runs: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "REDIS_URL": None, "PUBLIC_URL": None})
    with app.app_context():
        have = 0
        try:
            have = db.session.scalar(select(func.count(Ticket.id))) or 0
        except Exception:  # noqa: BLE001 - an empty database: build it below
            db.session.rollback()
        if have != tickets:
            print(f"{label}: building {tickets} tickets, {cases} matters …", flush=True)
            begin = time.perf_counter()
            upgrade(directory=str(ROOT / "migrations"))
            if not db.session.scalar(select(func.count(Hall.id))):
                load_hall(read_description(DEMO_HALL), default_password="bench-password")
                db.session.commit()
            generate(tickets, cases)
            hall = db.session.scalars(select(Hall)).one()
            rolled = time.perf_counter()
            while reports.roll_up(hall, datetime(YEAR + 1, 1, 15, tzinfo=UTC)):
                db.session.commit()
            db.session.commit()
            print(f"  legs rolled up in {time.perf_counter() - rolled:.1f} s", flush=True)
            if uri.startswith("postgresql"):
                with db.engine.connect() as connection:
                    connection.execute(text("ANALYZE"))
                    connection.commit()
            print(f"  built in {time.perf_counter() - begin:.0f} s", flush=True)
        counts = {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("tickets", Ticket),
                ("events", TicketEvent),
                ("matters", Case),
                ("ratings", Rating),
                ("follow-ups", FollowUp),
            )
        }
        print(f"{label}: " + ", ".join(f"{n} {c:,}" for n, c in counts.items()))
        hall = db.session.scalars(select(Hall)).one()
        today = date(YEAR + 1, 1, 15)
        periods = {
            "June": reports.scope_for(hall, date(YEAR, 6, 1), date(YEAR, 6, 30)),
            "year": reports.scope_for(hall, date(YEAR, 1, 1), date(YEAR, 12, 31)),
        }
        print(f"{'report':<28}{'period':>7}{'median ms':>12}{'slowest ms':>12}")
        slowest = 0.0
        for period, scope in periods.items():
            jobs = _jobs(hall, scope, today, with_annual=period == "year")
            for name, job in jobs.items():
                median, worst = timed(job, runs)
                slowest = max(slowest, worst)
                print(f"{name:<28}{period:>7}{median:>12.0f}{worst:>12.0f}", flush=True)
        print(f"{label}: slowest single run {slowest:.0f} ms (target < 1000 ms each)\n")
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--tickets", type=int, default=300_000)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    if options.db in ("sqlite", "both"):
        folder = ROOT / "bench" / ".data"
        folder.mkdir(exist_ok=True)
        run(
            f"sqlite:///{folder / 'reports.sqlite3'}",
            "SQLite",
            options.tickets,
            options.cases,
            options.runs,
        )
    if options.db in ("postgres", "both"):
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_NAME}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
        admin.dispose()
        uri = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_NAME
        run(uri, "PostgreSQL", options.tickets, options.cases, options.runs)


if __name__ == "__main__":
    main()
