"""Configuration from the environment, and the `reception` command's staff and hall commands."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from flask_migrate import upgrade
from sqlalchemy import select

from reception import create_app
from reception.cli import main
from reception.core import config as config_module
from reception.db.extensions import db as _db
from reception.models import Desk, DisplayDevice, Hall, User
from reception.models.staff import hash_api_token


def test_production_refuses_the_default_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("RECEPTION_ENV", "production")
    monkeypatch.delenv("RECEPTION_SECRET_KEY", raising=False)
    monkeypatch.setenv("RECEPTION_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(config_module.ConfigError, match="RECEPTION_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("RECEPTION_SECRET_KEY", "a-long-random-production-secret-value")
    with pytest.raises(config_module.ConfigError, match="RECEPTION_DATA_KEY"):
        create_app()
    monkeypatch.setenv("RECEPTION_DATA_KEY", Fernet.generate_key().decode())
    assert create_app().config["SECRET_KEY"] == "a-long-random-production-secret-value"


def test_defaults_to_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("RECEPTION_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = config_module.from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/reception.sqlite3"
    assert settings["BABEL_DEFAULT_LOCALE"] == "zh_CN"


def test_database_and_redis_urls_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RECEPTION_DATABASE_URL", "postgres://hall@db/reception")
    monkeypatch.setenv("RECEPTION_REDIS_URL", "redis://cache:6379/0")
    settings = config_module.from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://hall@db/reception"
    assert settings["REDIS_URL"] == "redis://cache:6379/0"


def test_bad_numbers_in_the_environment_are_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("RECEPTION_MAX_RECALLS", "three")
    with pytest.raises(config_module.ConfigError, match="RECEPTION_MAX_RECALLS"):
        config_module.from_environment(str(tmp_path))


def test_create_user_with_api_token(runner, db):
    result = runner.invoke(
        main,
        args=[
            "create-user",
            "lawyer2",
            "--role",
            "desk",
            "--password",
            "s3cret-pass",
            "--api-token",
        ],
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().rsplit(" ", 1)[1]
    user = db.session.scalars(select(User).where(User.username == "lawyer2")).one()
    assert user.check_password("s3cret-pass") and user.api_token_hash == hash_api_token(token)
    assert "s3cret-pass" not in result.output


def test_create_user_hashes_a_new_password_once_and_renews_an_old_one(runner, db, monkeypatch):
    hashed: list[str] = []
    real = User.set_password

    def counting(user, password):
        hashed.append(user.username)
        real(user, password)

    monkeypatch.setattr(User, "set_password", counting)
    args = ["create-user", "clerk9", "--role", "desk", "--password", "first-pass-1"]
    assert runner.invoke(main, args=args).exit_code == 0
    assert hashed == ["clerk9"]  # hashing is slow on purpose: once per new account
    args[-1] = "second-pass-2"
    assert runner.invoke(main, args=args).exit_code == 0
    assert hashed == ["clerk9", "clerk9"]
    db.session.expire_all()
    user = db.session.scalars(select(User).where(User.username == "clerk9")).one()
    assert user.check_password("second-pass-2") and not user.check_password("first-pass-1")


def test_the_commands_act_on_the_configured_hall(app, runner, db, monkeypatch):
    """A process serving one hall (`RECEPTION_HALL_ID`) enrols its displays there, not in the
    first hall of the database."""
    second = Hall(name="二号接待厅")
    db.session.add(second)
    db.session.commit()
    monkeypatch.setitem(app.config, "HALL_ID", second.id)
    result = runner.invoke(main, args=["enroll-display", "lobby-2"])
    assert result.exit_code == 0, result.output
    device = db.session.scalars(select(DisplayDevice).where(DisplayDevice.name == "lobby-2")).one()
    assert device.hall_id == second.id
    monkeypatch.setenv("RECEPTION_HALL_ID", str(second.id))
    assert config_module.from_environment("/tmp")["HALL_ID"] == second.id


def test_create_user_refuses_short_passwords(runner, db):
    result = runner.invoke(main, args=["create-user", "x", "--password", "short"])
    assert result.exit_code != 0 and "8 characters" in result.output


def test_load_hall_creates_and_updates(runner, db, tmp_path):
    description = {
        "name": "东区接待中心",
        "timezone": "Asia/Shanghai",
        "services": [{"prefix": "A", "kind": "lawyer", "name": "律师"}],
        "desks": [{"number": 1, "services": ["A"]}],
    }
    path = tmp_path / "hall.json"
    path.write_text(json.dumps(description, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(main, args=["load-hall", str(path)]).exit_code == 0
    description["desks"].append({"number": 2, "services": ["A"]})
    path.write_text(json.dumps(description, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(main, args=["load-hall", str(path)]).exit_code == 0
    hall = db.session.scalars(select(Hall).where(Hall.name == "东区接待中心")).one()
    assert [d.number for d in db.session.scalars(select(Desk).where(Desk.hall_id == hall.id))] == [
        1,
        2,
    ]


@pytest.mark.parametrize(
    "description",
    [
        {"services": []},
        {"name": "x", "timezone": "Mars/Base"},
        {"name": "x", "services": [{"prefix": "a1", "kind": "lawyer", "name": "l"}]},
        {"name": "x", "services": [{"prefix": "A", "kind": "astrologer", "name": "l"}]},
        {"name": "x", "desks": [{"number": 1, "services": ["Q"]}]},
    ],
)
def test_load_hall_refuses_bad_descriptions(runner, db, tmp_path, description):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(description), encoding="utf-8")
    result = runner.invoke(main, args=["load-hall", str(path)])
    assert result.exit_code == 2 and "error:" in result.output
    assert db.session.scalars(select(Hall).where(Hall.name == "x")).first() is None


def test_a_fresh_checkout_gets_its_instance_folder_and_database(monkeypatch, tmp_path):
    instance = tmp_path / "not-yet" / "instance"
    monkeypatch.setenv("RECEPTION_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("RECEPTION_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    assert (instance / "reception.sqlite3").exists()


def test_a_kiosk_before_set_up_says_so_in_the_visitors_language(monkeypatch, tmp_path):
    instance = tmp_path / "instance"
    monkeypatch.setenv("RECEPTION_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("RECEPTION_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    with app.app_context():
        upgrade()
    try:
        answer = app.test_client().get("/kiosk/")
        page = answer.get_data(as_text=True)
        assert answer.status_code == 503
        assert "本中心尚未完成设置" in page and "load-hall" not in page
    finally:
        with app.app_context():
            _db.engine.dispose()


def test_load_hall_takes_a_big_hall(runner, db, tmp_path):
    """The benchmarks' hall: one service and 1,600 desks (a desk per call they time)."""
    description = {
        "name": "基准测试大厅",
        "timezone": "Asia/Shanghai",
        "services": [{"prefix": "A", "kind": "department", "name": "基准服务"}],
        "desks": [{"number": n, "services": ["A"]} for n in range(1, 1601)],
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(description, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(main, args=["load-hall", str(path)])
    assert result.exit_code == 0, result.output
    assert "1600 desks" in result.output
