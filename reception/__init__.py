"""The joint-reception hall: queue, kiosk, desks, live screens."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from reception import (
    assets,
    models,  # noqa: F401 - registers the tables with the metadata
)
from reception.core import config as config_module
from reception.core import crypto
from reception.core import settings as settings_module
from reception.db.extensions import babel, csrf, db, login_manager, migrate, socketio
from reception.live import publish
from reception.oversight import supervision  # noqa: F401 - its signal receivers
from reception.sms import outbox
from reception.sms.gateways import load_gateway
from reception.triage import casework  # noqa: F401 - its signal receivers
from reception.video import sessions  # noqa: F401 - its signal receivers
from reception.web import register
from reception.web.edge import i18n
from reception.web.edge.boundary import TransactionalFlask
from reception.web.edge.gate import gated, ungated_paths
from reception.web.edge.halls import halls_by_prefix


def _running_data_key() -> str:
    """The data key of the app whose context is active (apps in one process may differ)."""
    return str(current_app.config["DATA_KEY"])


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = TransactionalFlask(
        __name__,
        instance_path=os.environ.get("RECEPTION_INSTANCE_PATH") or str(assets.default_instance()),
        instance_relative_config=True,
        template_folder=str(assets.folder("templates")),
        static_folder=str(assets.folder("static")),
    )
    app.config.update(config_module.from_environment(app.instance_path))
    app.config.update(config or {})
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(assets.PACKAGE / "translations"))
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    config_module.check(app.config)
    settings_module.install(app.extensions, app.config)
    crypto.install_key_source(_running_data_key)
    # the embedded default keeps its SQLite file here; a fresh checkout has no such folder yet
    os.makedirs(app.instance_path, exist_ok=True)
    logging.getLogger("reception").setLevel(app.config["LOG_LEVEL"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(assets.folder("migrations")))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    socketio.init_app(
        app,
        message_queue=app.config.get("REDIS_URL"),
        channel=app.config.get("SOCKETIO_CHANNEL", "reception"),
        async_mode="threading",
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS", []),
        logger=False,
        engineio_logger=False,
        # Notice a dead connection within seconds, so screens can say so and reconnect.
        ping_interval=app.config.get("SOCKETIO_PING_INTERVAL", 10),
        ping_timeout=app.config.get("SOCKETIO_PING_TIMEOUT", 5),
    )
    publish.install()
    outbox.configure(app.config.get("PUBLIC_URL") or "")
    if app.config.get("SMS_GATEWAY") not in (None, "", "outbox"):
        load_gateway(app.config)  # a wrong name, a missing SDK: said at start, not at a send

    register(app)
    places = app.config["ACTIVE_REQUESTS"] = config_module.active_requests(app.config)
    if places > 0:  # see `web.gate`
        wait = app.config.get("ACTIVE_REQUESTS_WAIT_MS", 250) / 1000
        gate = gated(app.wsgi_app, places, wait, ungated_paths(app))
        app.wsgi_app = gate  # type: ignore[method-assign,assignment]
    app.wsgi_app = halls_by_prefix(app.wsgi_app)  # type: ignore[method-assign]
    return app


def _engine_options(config: dict[str, Any]) -> dict[str, Any]:
    uri = config["SQLALCHEMY_DATABASE_URI"]
    # Connections kept open per process: one for each request a busy server runs at once (the
    # threaded server gives every client connection its own thread). A smaller pool makes the
    # requests past it open and close a connection of their own every time (SQLite's pragmas,
    # a PostgreSQL backend), which at 16 desks cost more than the request's own work.
    size = int(config.get("DB_POOL_SIZE", config_module.DEFAULT_POOL_SIZE))
    pool = {"pool_size": size, "max_overflow": size}
    if uri.startswith("sqlite"):
        # Generous busy timeout: writers queue on the database lock instead of failing.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}, **pool}
    connect_args: dict[str, Any] = {}
    if uri.startswith("postgresql+psycopg:"):
        from reception.db.pgcursor import LazyDescriptionCursor

        connect_args["cursor_factory"] = LazyDescriptionCursor
    return {**pool, "pool_pre_ping": True, "connect_args": connect_args}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL for concurrent readers, FULL sync so a confirmed ticket survives a crash."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
