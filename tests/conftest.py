"""Shared fixtures: one app per session, a fresh migrated SQLite file per test."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, g, has_request_context, request, request_started
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.orm import Session

from reception import create_app
from reception.db.extensions import db as _db
from reception.db.extensions import socketio
from reception.hall.description import DEMO_HALL, DEMO_PASSWORD, load_hall, read_description
from reception.live import events
from reception.models import AuditEntry, Hall
from reception.web.edge import boundary
from tests.browser import launch_chromium
from tests.helpers import base_config, postgres_admin_url, user_by_name


@pytest.fixture(scope="session", autouse=True)
def contracts() -> Iterator[None]:
    """Contracts held in every test: inside a request only the boundary commits; a GET (or
    HEAD) never writes anything but its audit entries; every Socket.IO event the app emits
    validates against `reception.live.events`."""

    def guard_get(session, flush_context, instances) -> None:
        if not has_request_context() or request.method not in ("GET", "HEAD"):
            return
        changed = [*session.new, *session.dirty, *session.deleted]
        writes = [obj for obj in changed if not isinstance(obj, AuditEntry)]
        assert not writes, f"GET {request.path} writes {writes!r}"

    original_emit = socketio.emit

    def checked_emit(name, payload, *args, **kwargs):
        events.EVENTS[name].model_validate(payload)
        return original_emit(name, payload, *args, **kwargs)

    def commit_only_at_the_boundary(session) -> None:
        if has_request_context() and not boundary.committing():
            raise AssertionError(f"{request.method} {request.path} commits outside the boundary")

    event.listen(Session, "before_flush", guard_get)
    event.listen(Session, "before_commit", commit_only_at_the_boundary)
    socketio.emit = checked_emit
    yield
    socketio.emit = original_emit
    event.remove(Session, "before_flush", guard_get)
    event.remove(Session, "before_commit", commit_only_at_the_boundary)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated with the real migrations and loaded with the demo hall, made once."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        load_hall(read_description(DEMO_HALL), default_password=DEMO_PASSWORD)
        _db.session.commit()
        _db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def app(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    path = tmp_path_factory.mktemp("live") / "reception.sqlite3"
    shutil.copy(template_db, path)
    application = create_app(base_config(f"sqlite:///{path}"))
    request_started.connect(_fresh_request_globals, application)
    return application


def _fresh_request_globals(sender: Flask, **extra: object) -> None:
    """In production every request has its own app context, so `g` (Flask-Login's cached user,
    the cached hall) starts empty. A test's requests reuse the test's app context; without
    this, two test clients would share one logged-in user (one client's logout logged out the
    other)."""
    for name in list(vars(g)):
        delattr(g, name)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the whole run (skips, or fails in CI, when it is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def db(app: Flask, template_db: Path) -> Iterator:
    """A fresh copy of the template database, inside an app context."""
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
        target = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        shutil.copy(template_db, target)
        yield _db
        _db.session.remove()


@pytest.fixture
def client(app: Flask, db):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def socket_client(app: Flask, client):
    return socketio.test_client(app, flask_test_client=client)


@pytest.fixture
def hall(db) -> Hall:
    return db.session.scalars(select(Hall)).one()


@pytest.fixture
def api_token(db) -> str:
    """A desk-role API token."""
    user = user_by_name("desk")
    token = user.new_api_token()
    db.session.commit()
    return token


@pytest.fixture
def world(app, db):
    """The permission matrix's objects: a case, a ticket, a booking, displays (see
    `tests.test_permissions.build_world`)."""
    from tests.test_permissions import build_world

    return build_world(app, db)


@pytest.fixture
def postgres_app() -> Iterator[tuple[Flask, str]]:
    """A throw-away PostgreSQL database, migrated and loaded with the demo hall."""
    admin_url = postgres_admin_url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"reception_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    uri = admin_url.rsplit("/", 1)[0] + "/" + name
    app = create_app(base_config(uri))
    with app.app_context():
        upgrade()
        load_hall(read_description(DEMO_HALL), default_password=DEMO_PASSWORD)
        _db.session.commit()
    try:
        yield app, uri
    finally:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
