"""The `reception` command: run the hall, create staff, load a hall description.

`reception db …` gives Flask-Migrate's commands (upgrade, migrate, downgrade).
"""

from __future__ import annotations

import gc
import logging
import secrets
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from reception import create_app
from reception.appointments.checkin import sweep_no_shows
from reception.appointments.notify import send_reminders
from reception.core import config
from reception.db.extensions import db
from reception.hall.administration import first_run_token, needs_first_admin
from reception.hall.description import (
    DEMO_CITY,
    DEMO_PASSWORD,
    HallDescriptionError,
    ensure_user,
    hall_is_empty,
    load_hall,
    read_description,
)
from reception.jobs import Courier, Scheduler, deliver_texts
from reception.models import Desk, DisplayDevice, Hall, RemoteUnit, Role, StaffHall, User
from reception.models.types import utcnow
from reception.oversight import reports, supervision
from reception.video import recordings
from reception.web.edge import serving
from reception.web.edge.running import settings
from reception.web.hall_import import check_description


def settle_heap() -> None:
    """Before serving: collect once, then leave everything made so far (the modules, the app,
    SQLAlchemy's mappers and compiled statements) out of the garbage collector's scans. A full
    collection over those ~200,000 objects took tens of milliseconds in the middle of some
    request (a desk's call-next at the p99); what requests make is still collected."""
    gc.collect()
    gc.freeze()


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """Joint-reception hall: queue, kiosk, desks, live screens."""


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Load the demo hall and demo staff when the database is empty.",
)
@with_appcontext
def run_command(host: str, port: int, demo: bool) -> None:
    """Upgrade the database, seed the demo hall if empty, serve HTTP and Socket.IO."""
    upgrade()
    base = f"http://{host}:{port}"
    demo_display = None
    if demo and hall_is_empty():
        # the demo city: its centre (served at the plain addresses) and two county halls
        halls = [
            load_hall(read_description(path), default_password=DEMO_PASSWORD) for path in DEMO_CITY
        ]
        device = DisplayDevice(hall_id=halls[0].id, name="demo lobby")
        demo_display = f"{base}/display/enrol/{device.new_token()}"
        db.session.add(device)
        db.session.commit()
    first_run = None
    if needs_first_admin():
        token = first_run_token(current_app.instance_path)
        first_run = f"{base}/admin/first-run/{token}"
    click.echo(f"Reception hall running on {base}")
    if first_run:
        click.echo(f"  first run      {first_run}")
        click.echo(
            "                 (creates the hall's first administrator; works until one exists)"
        )
    click.echo(f"  kiosk          {base}/kiosk/")
    click.echo(f"  desk console   {base}/desk/")
    click.echo(f"  staff login    {base}/login")
    click.echo(f"  API            {base}/api/v1/services  (docs {base}/api/v1/docs)")
    click.echo(f"  lobby display  {base}/display/  (enrolled screens, or staff logged in)")
    if demo_display:
        click.echo(f"  demo display   {demo_display}  (enrols this browser as a lobby screen)")
    if not current_app.config.get("PUBLIC_URL"):
        click.echo(
            "  (no RECEPTION_PUBLIC_URL: screens and phones on other machines need the address "
            "they reach this one by; set it before enrolling screens or printing tickets)"
        )
    others = db.session.scalars(select(Hall).order_by(Hall.id).offset(1)).all()
    for other in others:
        click.echo(f"  {other.name}  {base}/h/{other.code}/kiosk/")
    if demo:
        click.echo(
            f"Demo logins (password {DEMO_PASSWORD}): admin, supervisor and leader (the city: "
            "every hall); registrar, desk (desks 1-10), lawyer, counsellor, mediator, video "
            "(desks 11-14), zhujian (the centre); jiaoyu and qinghe receive video visitors "
            "from their own offices (/remote/); qh_registrar, qh_desk, qh_lawyer, "
            "qh_supervisor (清河县) and dc_registrar, dc_desk, dc_mediator, dc_supervisor (东城区)"
        )
    db.session.remove()
    # Access lines would carry ticket tokens and booking codes: keep them out of the logs.
    werkzeug_log = logging.getLogger("werkzeug")
    werkzeug_log.setLevel(logging.WARNING)
    werkzeug_log.addFilter(_drop_websocket_tail)
    scheduler = Scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
    scheduler.start()
    Courier(current_app._get_current_object()).start()  # type: ignore[attr-defined]
    settle_heap()
    serving.serve(current_app._get_current_object(), host, port)  # type: ignore[attr-defined]


def _drop_websocket_tail(record: logging.LogRecord) -> bool:
    """Werkzeug's dev server reads a closed websocket's last frames as a request and logs
    "code 400, message Bad request syntax / Bad HTTP/0.9 request type" with binary junk:
    nothing happened that an operator needs to see."""
    return "code 400, message Bad " not in record.getMessage()


@main.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.DESK.value)
@click.option("--display-name", default="")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--api-token", is_flag=True, help="Also make an API token and print it once.")
@click.option(
    "--desks",
    default=None,
    help="Desk numbers this account may work, e.g. '1,2,11', or 'all'.",
)
@click.option("--unit", default=None, help="The video unit of a `remote` account, by name.")
@click.option(
    "--hall",
    "hall_code",
    default=None,
    help="The hall (by its code) the account works in, with --role; without it, a city "
    "account: --role in every hall.",
)
@with_appcontext
def create_user(
    username: str,
    role: str,
    display_name: str,
    password: str,
    api_token: bool,
    desks: str | None,
    unit: str | None,
    hall_code: str | None,
):
    """Create a staff account (or give an existing one a new password)."""
    if len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    hall = _the_hall(hall_code)
    chosen = _desks_option(hall, desks) if desks is not None else None
    remote_unit = db.session.scalars(select(RemoteUnit).where(RemoteUnit.name == unit)).first()
    if unit is not None and remote_unit is None:
        raise click.BadParameter(f"no video unit named {unit!r}", param_hint="--unit")
    if role == Role.REMOTE and remote_unit is None:
        raise click.BadParameter("a remote account needs its unit", param_hint="--unit")
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = ensure_user(username, role, display_name or username, password)
    else:
        user.set_password(password)  # an existing account: its new password
    user.remote_unit_id = remote_unit.id if remote_unit is not None else None
    user.role = role
    if hall_code is not None and hall is not None:
        user.all_halls = False
        membership = next((m for m in user.memberships if m.hall_id == hall.id), None)
        if membership is None:
            user.memberships.append(StaffHall(hall_id=hall.id, role=role))
        else:
            membership.role = role
    elif user.id is None or not user.memberships:
        user.all_halls = True
    if chosen is not None:
        user.desks = chosen
    token = user.new_api_token() if api_token else None
    db.session.commit()
    click.echo(f"user {username} ({role}) saved")
    if token:
        click.echo(f"API token (shown once): {token}")


def _desks_option(hall: Hall | None, text: str) -> list[Desk]:
    if hall is None:
        raise click.BadParameter("no hall yet", param_hint="--desks")
    if text.strip() == "all":
        return list(hall.desks)
    by_number = {desk.number: desk for desk in hall.desks}
    try:
        numbers = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise click.BadParameter("desk numbers separated by commas", param_hint="--desks") from exc
    unknown = [n for n in numbers if n not in by_number]
    if unknown:
        raise click.BadParameter(f"no desk {unknown}", param_hint="--desks")
    return [by_number[n] for n in numbers]


def _the_hall(code: str | None = None) -> Hall | None:
    """The hall a command acts on: the one `code` names (`--hall`), else the configured one
    (`RECEPTION_HALL_ID`), else the first."""
    if code is not None:
        hall = db.session.scalars(select(Hall).where(Hall.code == code)).first()
        if hall is None:
            raise click.BadParameter(f"no hall with the code {code!r}", param_hint="--hall")
        return hall
    hall_id = config.hall_id(current_app.config)
    if hall_id is not None:
        return db.session.get(Hall, hall_id)
    return db.session.scalars(select(Hall).order_by(Hall.id)).first()


def _the_halls() -> list[Hall]:
    """The halls a timed duty covers: the configured one (`RECEPTION_HALL_ID`), else all."""
    hall_id = config.hall_id(current_app.config)
    query = select(Hall).order_by(Hall.id)
    if hall_id is not None:
        query = query.where(Hall.id == hall_id)
    return list(db.session.scalars(query).all())


@main.command("load-hall")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def load_hall_command(path: Path) -> None:
    """Create or update a hall from a JSON description (see reception/hall/demo_hall.json)."""
    try:
        data = read_description(path)
        with current_app.test_request_context():  # the admin's forms check it field by field
            check_description(data)
        password = secrets.token_urlsafe(9) if data.get("users") else None
        hall = load_hall(data, default_password=password)
    except HallDescriptionError as exc:
        db.session.rollback()
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(f"hall {hall.name!r}: {len(hall.services)} services, {len(hall.desks)} desks")
    if password:
        click.echo(f"new users got the password {password}; change it with create-user")


@main.command("enroll-display")
@click.argument("name")
@click.option(
    "--desk",
    "desk_number",
    type=int,
    default=None,
    help="Tie the display to this desk number (an LED strip above the window).",
)
@click.option(
    "--autoplay",
    is_flag=True,
    help="The screen's browser plays sound unasked (Chromium started with "
    "--autoplay-policy=no-user-gesture-required): never cover it with the 'click to enable "
    "voice' overlay.",
)
@click.option(
    "--rater", is_flag=True, help="A rating device (评价器) beside the desk given with --desk."
)
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@click.option(
    "--hall",
    "hall_code",
    default=None,
    help="The hall, by its code (default: RECEPTION_HALL_ID, else the first).",
)
@with_appcontext
def enroll_display(
    name: str,
    desk_number: int | None,
    autoplay: bool,
    rater: bool,
    base_url: str,
    hall_code: str | None,
) -> None:
    """Enrol a lobby or desk display; prints the one-time address to open on it."""
    hall = _the_hall(hall_code)
    if hall is None:
        raise click.ClickException("no hall yet: run `reception run` or `load-hall` first")
    desk = None
    if desk_number is not None:
        desk = db.session.scalars(
            select(Desk).where(Desk.hall_id == hall.id, Desk.number == desk_number)
        ).first()
        if desk is None:
            raise click.ClickException(f"no desk {desk_number} in {hall.name}")
    if rater and desk is None:
        raise click.BadParameter("a rating device belongs to a desk", param_hint="--desk")
    device = DisplayDevice(
        hall_id=hall.id,
        name=name,
        desk_id=desk.id if desk else None,
        autoplay=autoplay,
        rater=rater,
    )
    token = device.new_token()
    db.session.add(device)
    db.session.commit()
    click.echo(f"display {name!r} enrolled; open this address once on it:")
    root = base_url.rstrip("/") + (f"/h/{hall.code}" if hall_code is not None else "")
    click.echo(f"  {root}/display/enrol/{token}")


@main.command("revoke-display")
@click.argument("name")
@with_appcontext
def revoke_display(name: str) -> None:
    """Stop a display from receiving anything (its token no longer works)."""
    devices = db.session.scalars(select(DisplayDevice).where(DisplayDevice.name == name)).all()
    if not devices:
        raise click.ClickException(f"no display named {name!r}")
    for device in devices:
        device.revoked = True
    db.session.commit()
    click.echo(f"revoked {len(devices)} display(s) named {name!r}")


@main.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Remind tomorrow's bookings in every hall (run daily, e.g. from cron in the
    afternoon); `RECEPTION_HALL_ID` keeps it to one."""
    halls = _the_halls()
    if not halls:
        raise click.ClickException("no hall yet")
    sent = sum(send_reminders(hall) for hall in halls)
    db.session.commit()
    click.echo(f"{sent} reminder(s) sent")


@main.command("send-texts")
@with_appcontext
def send_texts_command() -> None:
    """Send the texts that are due through the configured gateway (scale-out: from cron every
    minute, or run one process with `reception run`, whose courier sends them at once)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"{deliver_texts(app, every_line=True)} text(s) sent or kept")


@main.command("sweep-appointments")
@with_appcontext
def sweep_appointments_command() -> None:
    """Mark bookings whose check-in window has closed as no-shows (every hall)."""
    halls = _the_halls()
    if not halls:
        raise click.ClickException("no hall yet")
    count = sum(sweep_no_shows(hall, policy=settings().booking) for hall in halls)
    db.session.commit()
    click.echo(f"{count} booking(s) marked no-show")


@main.command("watch-hall")
@with_appcontext
def watch_hall_command() -> None:
    """Raise the supervisor's timed alerts (waits beyond target, desks paused too long)."""
    raised = 0
    for hall in _the_halls():
        raised += supervision.watch(hall, utcnow())
    db.session.commit()
    click.echo(f"{raised} alert(s) raised")


@main.command("roll-up-reports")
@with_appcontext
def roll_up_reports_command() -> None:
    """Roll the legs of every finished day up for the reports (all of the backlog)."""
    days = 0
    for hall in _the_halls():
        while rolled := reports.roll_up(hall, utcnow()):
            db.session.commit()
            days += rolled
    db.session.commit()
    click.echo(f"{days} day(s) rolled up")


@main.command("purge-recordings")
@with_appcontext
def purge_recordings_command() -> None:
    """Delete video recordings older than each hall's retention period."""
    purged = sum(recordings.purge(hall, utcnow()) for hall in _the_halls())
    db.session.commit()
    click.echo(f"{purged} recording(s) deleted")
