"""Configuration from the environment.

Every setting has a `RECEPTION_` environment variable; the embedded default is one process on a
SQLite file in the instance folder with no other server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from reception.core.crypto import development_key

DEFAULT_SECRET = "dev-insecure-secret-change-me"


class ConfigError(RuntimeError):
    """The configuration cannot run safely."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"RECEPTION_{name}")
    return value if value not in (None, "") else default


def _int_env(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"RECEPTION_{name} must be a whole number, got {raw!r}") from exc


def _optional_int_env(name: str) -> int | None:
    return None if _env(name) is None else _int_env(name, 0)


def normalise_database_url(url: str) -> str:
    """Let `postgres://` and `postgresql://` URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# database connections a server process keeps open (see `reception._engine_options`)
DEFAULT_POOL_SIZE = 32

# the hall's operating rules and their defaults, stated once: the environment
# (`RECEPTION_<NAME>`) overrides them, `reception.core.settings` reads them into `Settings`
RULES: dict[str, Any] = {
    "MAX_RECALLS": 3,
    "DEFAULT_SERVICE_MINUTES": 10,
    "KIOSK_RETURN_SECONDS": 20,
    "KIOSK_AUTO_PRINT": True,
    "ELDERLY_AGE": 70,
    "DISPLAY_OFFLINE_SECONDS": 5,
    "ANNOUNCE_MAX_AGE_SECONDS": 30,
    "APPOINTMENT_HORIZON_DAYS": 14,
    "APPOINTMENT_CUTOFF": "17:00",
    "CHECKIN_EARLY_MINUTES": 30,
    "CHECKIN_LATE_MINUTES": 15,
    "REMINDERS_AFTER": "15:00",
    "SCHEDULE_SECONDS": 60,
}


def _rules_from_environment() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, default in RULES.items():
        if isinstance(default, bool):
            found[name] = _env(name, "1" if default else "0") == "1"
        elif isinstance(default, int):
            found[name] = _int_env(name, default)
        else:
            found[name] = _env(name, default)
    return found


def from_environment(instance_path: str) -> dict[str, Any]:
    env = _env("ENV", "development")
    database_url = _env("DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not database_url:
        database_url = "sqlite:///" + os.path.join(instance_path, "reception.sqlite3")
    return {
        "ENV_NAME": env,
        "SECRET_KEY": _env("SECRET_KEY", DEFAULT_SECRET),
        "DATA_KEY": _env("DATA_KEY", development_key()),
        **_rules_from_environment(),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "DB_POOL_SIZE": _int_env("DB_POOL_SIZE", DEFAULT_POOL_SIZE),
        # unset: chosen by the database (`active_requests`)
        "ACTIVE_REQUESTS": _optional_int_env("ACTIVE_REQUESTS"),
        "ACTIVE_REQUESTS_WAIT_MS": _int_env("ACTIVE_REQUESTS_WAIT_MS", 250),
        # the hall this process serves (unset: the first); the pages, the API, the commands
        "HALL_ID": _optional_int_env("HALL_ID"),
        "REDIS_URL": _env("REDIS_URL"),
        "SOCKETIO_CHANNEL": _env("SOCKETIO_CHANNEL", "reception"),
        "PUBLIC_URL": _env("PUBLIC_URL"),
        "BABEL_DEFAULT_LOCALE": _env("LOCALE", "zh_CN"),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        "NOTIFIER": _env("NOTIFIER", ""),
        **_sms_from_environment(),
        "VIDEO_ICE_SERVERS": ice_servers(_env("VIDEO_ICE_SERVERS")),
        "VIDEO_CHUNK_SECONDS": _int_env("VIDEO_CHUNK_SECONDS", 5),
    }


SMS_SETTINGS = ("GATEWAY", "KEY_ID", "KEY_SECRET", "SIGN_NAME", "APP_ID", "REGION", "ENDPOINT")
SMS_KINDS = (  # a template id per kind of text (`reception.sms.kinds`)
    "TURN_NEAR",
    "BOOKED",
    "REMINDER",
    "CLOSURE",
    "CASE_ACCEPTED",
    "CASE_NOT_ACCEPTED",
    "CASE_OPINION",
    "ONLINE_CODE",
    "ONLINE_RECEIVED",
    "ONLINE_ACCEPTED",
    "ONLINE_NOT_ACCEPTED",
    "ONLINE_TRANSFERRED",
    "ONLINE_OPINION",
    "ONLINE_REVIEW",
    "ONLINE_MATERIAL",
)


def _sms_from_environment() -> dict[str, Any]:
    """`RECEPTION_SMS_GATEWAY` (outbox, aliyun, tencent), its keys and sign name, and
    `RECEPTION_SMS_TEMPLATE_<KIND>` for each kind of text."""
    names = [*SMS_SETTINGS, *(f"TEMPLATE_{kind}" for kind in SMS_KINDS)]
    return {f"SMS_{name}": _env(f"SMS_{name}", "") for name in names}


def hall_id(config: Mapping[str, Any]) -> int | None:
    """The hall a process serves (`RECEPTION_HALL_ID`); None: the first hall."""
    value = config.get("HALL_ID")
    return int(value) if value else None


def ice_servers(raw: str | None) -> list[dict[str, Any]]:
    """The ICE servers video calls may use, as RTCPeerConnection takes them: by default none
    (a hall's intranet: the two browsers reach each other directly), else a JSON list such as
    `[{"urls": "turn:turn.example.gov.cn:3478", "username": "hall", "credential": "..."}]`."""
    if raw is None:
        return []
    try:
        servers = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"RECEPTION_VIDEO_ICE_SERVERS is not JSON: {exc}") from exc
    if not isinstance(servers, list) or not all(
        isinstance(s, dict) and isinstance(s.get("urls"), str | list) for s in servers
    ):
        raise ConfigError('RECEPTION_VIDEO_ICE_SERVERS: a JSON list of {"urls": ...} objects')
    return servers


def active_requests(config: dict[str, Any]) -> int:
    """How many requests a server process works on at once (`web.gate`; 0: no gate).

    Unset, it follows the database. SQLite: one. Its writes are one at a time for the whole
    file and its work runs inside our process, so a second request at work only takes turns at
    the interpreter with the first (`bench/api_bench.py`, 16 clients, alternating runs: issue
    and call-next 0.48-0.59x the bare route's throughput with two places, 0.64-0.66x with one).
    PostgreSQL: two. The holder of the hall lock waits for the database after each statement,
    and a second request works meanwhile (0.56-0.58x with two, 0.50-0.53x with one)."""
    places = config.get("ACTIVE_REQUESTS")
    if places is None:
        uri = str(config.get("SQLALCHEMY_DATABASE_URI", ""))
        return 1 if uri.startswith("sqlite") else 2
    return int(places)


def check(config: dict[str, Any]) -> None:
    """Refuse settings that must never reach production."""
    if (config.get("ACTIVE_REQUESTS") or 0) < 0:
        raise ConfigError("RECEPTION_ACTIVE_REQUESTS must be 0 or more")
    if config.get("ACTIVE_REQUESTS_WAIT_MS", 0) < 0:
        raise ConfigError("RECEPTION_ACTIVE_REQUESTS_WAIT_MS must be 0 or more")
    if config.get("ENV_NAME") == "production" and config.get("SECRET_KEY") in (
        None,
        "",
        DEFAULT_SECRET,
    ):
        raise ConfigError(
            "RECEPTION_SECRET_KEY must be set to a long random value when RECEPTION_ENV=production"
        )
    if config.get("ENV_NAME") == "production" and config.get("DATA_KEY") == development_key():
        raise ConfigError(
            "RECEPTION_DATA_KEY must be set when RECEPTION_ENV=production (make one with: "
            "python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        )
