"""Administration in the browser: the hall, services, desks, staff, displays, the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reception.models import AuditEntry, Desk, DisplayDevice, Hall, Service, User
from tests.helpers import desk_by_number, login, service_by_prefix, user_by_name
from tests.test_registration_pages import _form


def _changes(db, action: str) -> list[AuditEntry]:
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def test_the_hall_is_edited_and_the_change_audited(client, db):
    login(client, "admin")
    page = client.get("/admin/hall").get_data(as_text=True)
    assert "市人民来访接待中心" in page
    bad = client.post("/admin/hall", data={"name": "X", "timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    saved = client.post(
        "/admin/hall",
        data={
            "name": "市人民来访接待中心",
            "address": "市府路 8 号",
            "timezone": "Asia/Shanghai",
            "notice": "新的告示",
            "lobby_floor": "1",
        },
    )
    assert saved.status_code == 303
    db.session.expire_all()
    hall = db.session.scalars(select(Hall)).one()
    assert (hall.address, hall.notice) == ("市府路 8 号", "新的告示")
    [entry] = _changes(db, "setup_hall")
    assert entry.change["after"]["address"] == "市府路 8 号"
    assert entry.change["before"]["address"] != "市府路 8 号"


def test_services_are_added_prefixes_unique_and_fixed_once_used(client, db):
    login(client, "admin")
    new = {"name": "市医保局", "prefix": "q", "kind": "department", "active": "1"}
    assert client.post("/admin/services/new", data=new).status_code == 303
    service = service_by_prefix("Q")
    assert service.name == "市医保局" and service.active
    again = client.post("/admin/services/new", data={**new, "name": "另一个"})
    assert again.status_code == 422 and "Q" in again.get_data(as_text=True)
    bad_kind = client.post("/admin/services/new", data={**new, "prefix": "QQ", "kind": "bank"})
    assert bad_kind.status_code == 422
    # 市住建局 (B) has carried tickets: its prefix stays
    client.post("/kiosk/issue", data={"service_id": service_by_prefix("B").id})
    housing = service_by_prefix("B")
    moved = client.post(
        f"/admin/services/{housing.id}",
        data={"name": housing.name, "prefix": "BB", "kind": "department", "active": "1"},
    )
    assert moved.status_code == 409 and "不能修改" in moved.get_data(as_text=True)
    # deactivated, never deleted: the kiosk no longer offers it
    client.post(
        f"/admin/services/{service.id}",
        data={"name": "市医保局", "prefix": "Q", "kind": "department"},
    )
    db.session.expire_all()
    assert db.session.get(Service, service.id).active is False
    assert 'data-prefix="Q"' not in client.get("/kiosk/").get_data(as_text=True)


def test_desks_are_added_with_their_place_and_services(client, db):
    login(client, "admin")
    lawyer = service_by_prefix("L")
    data = {
        "number": "16",
        "name": "第二律师室",
        "floor": "2",
        "location": "二楼 第二律师室",
        "services": [str(lawyer.id)],
        "active": "1",
    }
    assert client.post("/admin/desks/new", data=data).status_code == 303
    desk = desk_by_number(16)
    assert (desk.floor, desk.location, [s.prefix for s in desk.services]) == (
        2,
        "二楼 第二律师室",
        ["L"],
    )
    twice = client.post("/admin/desks/new", data=data)
    assert twice.status_code == 422
    unknown = client.post("/admin/desks/new", data={**data, "number": "17", "services": ["999"]})
    assert (
        unknown.status_code == 422
        and db.session.scalars(select(Desk).where(Desk.number == 17)).first() is None
    )


def test_staff_accounts_passwords_tokens_and_the_own_admin_role(app, client, db):
    login(client, "admin")
    desk_one = desk_by_number(1)
    made = client.post(
        "/admin/staff/new",
        data={
            "username": "clerk9",
            "display_name": "九号",
            "role": "desk",
            "desks": [str(desk_one.id)],
            "active": "1",
        },
    )
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and 'data-testid="new-password"' in page
    assert made.headers["Cache-Control"] == "no-store"
    password = page.split('data-testid="new-password">')[1].split("<")[0]
    clerk = app.test_client()
    assert login(clerk, "clerk9", password).status_code == 302
    own_secret = {"current": password, "password": "clerk9-own-1", "confirm": "clerk9-own-1"}
    assert clerk.post("/password", data=own_secret).status_code == 303  # first login
    assert clerk.get(f"/desk/{desk_one.id}").status_code == 200
    assert clerk.get(f"/desk/{desk_by_number(2).id}").status_code == 403
    admin = user_by_name("admin")
    own = client.post(
        f"/admin/staff/{admin.id}",
        data={"username": "admin", "role": "registrar", "active": "1"},
    )
    assert own.status_code == 409 and user_by_name("admin").role == "admin"
    reset = client.post(f"/admin/staff/{user_by_name('clerk9').id}/password")
    new_password = reset.get_data(as_text=True).split('data-testid="new-password">')[1]
    assert login(app.test_client(), "clerk9", new_password.split("<")[0]).status_code == 302
    token_page = client.post(f"/admin/staff/{user_by_name('clerk9').id}/token")
    token = token_page.get_data(as_text=True).split('data-testid="new-token">')[1].split("<")[0]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/desks/{desk_one.id}/queue", headers=headers).status_code == 200
    client.post(f"/admin/staff/{user_by_name('clerk9').id}/token/revoke")
    assert client.get(f"/api/v1/desks/{desk_one.id}/queue", headers=headers).status_code == 401
    assert "clerk9" in client.get("/admin/audit?action=setup_staff").get_data(as_text=True)


def test_displays_are_enrolled_renamed_and_revoked(app, client, db):
    login(client, "admin")
    enrolled = client.post("/admin/displays", data={"name": "大厅二号屏"})
    page = enrolled.get_data(as_text=True)
    address = page.split('data-testid="enrol-address">')[1].split("<")[0]
    code = address.rsplit("/", 1)[1]
    assert address == f"http://hall.test/e/{code}" and len(code) == 10  # typed with a remote
    screen = app.test_client()
    assert screen.get(address.replace("http://hall.test", "")).status_code == 302
    assert screen.get("/display/").status_code == 200
    device = db.session.scalars(
        select(DisplayDevice).where(DisplayDevice.name == "大厅二号屏")
    ).one()
    client.post(f"/admin/displays/{device.id}", data={"name": "大厅 2 号屏", "autoplay": "1"})
    db.session.expire_all()
    device = db.session.get(DisplayDevice, device.id)
    assert device.name == "大厅 2 号屏" and device.autoplay
    client.post(f"/admin/displays/{device.id}/revoke")
    assert screen.get("/display/").status_code == 403


def test_the_audit_trail_never_shows_personal_data(client, db):
    login(client, "registrar")
    client.post("/registration/", data=_form())
    client.post("/registration/lookup", data={"id_number": "440301199003070035"})
    client.post("/logout")
    login(client, "supervisor")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "view_visitor" in page and "王小明" not in page and "440301199003070035" not in page
    assert "13812345678" not in page
    filtered = client.get(
        f"/admin/audit?staff_id={user_by_name('registrar').id}&action=view_visitor"
    )
    assert filtered.status_code == 200
    assert client.get("/admin/audit?since=junk").status_code == 422
    assert client.get("/admin/").status_code == 403  # the rest of administration is the admin's
    assert db.session.scalars(select(User)).first() is not None


def test_export_then_import_copies_a_halls_set_up(client, db):
    import io
    import json

    login(client, "admin")
    exported = client.get("/admin/export")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    data = exported.get_json()
    assert {s["prefix"] for s in data["services"]} >= {"A", "B", "L"}
    assert "password" not in json.dumps(data) and "token" not in json.dumps(data)
    desk_11 = next(d for d in data["desks"] if d["number"] == 11)
    assert desk_11["floor"] == 2 and desk_11["services"] == ["L"]
    # another city's variant: a new service, a new desk, a new clerk
    data["services"].append({"prefix": "R", "kind": "department", "name": "区信访局"})
    data["desks"].append({"number": 16, "name": "区信访窗口", "services": ["R"]})
    data["users"].append({"username": "clerk16", "role": "desk", "desks": [16]})
    body = json.dumps(data, ensure_ascii=False).encode()
    done = client.post("/admin/import", data={"description": (io.BytesIO(body), "hall.json")})
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "clerk16" in page
    assert service_by_prefix("R").name == "区信访局"
    assert [s.prefix for s in desk_by_number(16).services] == ["R"]
    assert [d.number for d in user_by_name("clerk16").desks] == [16]


def test_a_broken_description_is_refused_with_where(client, db):
    import io

    login(client, "admin")
    broken = b'{\n  "name": "x",\n  "services": [\n    {"prefix": "A",}\n  ]\n}'
    refused = client.post("/admin/import", data={"description": (io.BytesIO(broken), "h.json")})
    assert refused.status_code == 422 and "第 4 行" in refused.get_data(as_text=True)
    bad_desk = b'{"name": "x", "services": [], "desks": [{"number": 1, "services": ["Q"]}]}'
    refused = client.post("/admin/import", data={"description": (io.BytesIO(bad_desk), "h.json")})
    assert refused.status_code == 422 and "窗口 1" in refused.get_data(as_text=True)
    assert desk_by_number(1).services  # nothing changed


def test_a_set_up_change_reaches_the_screens_in_version_order(app, client, db):
    from reception.db.extensions import socketio

    login(client, "admin")
    hall = db.session.scalars(select(Hall)).one()
    listener = socketio.test_client(app, flask_test_client=client)
    version = listener.emit("join", {"room": f"hall:{hall.id}"}, callback=True)["snapshot"][
        "version"
    ]
    listener.get_received()
    desk = desk_by_number(3)
    client.post(
        f"/admin/desks/{desk.id}",
        data={
            "number": "3",
            "name": "城管窗口",
            "floor": "1",
            "location": "一楼 东侧 3 号",
            "services": [str(s.id) for s in desk.services],
            "active": "1",
        },
    )
    heard = [m for m in listener.get_received() if m["name"] == "hall"]
    assert [m["args"][0] for m in heard] == [{"hall_id": hall.id, "version": version + 1}]
    snapshot = listener.emit("join", {"room": f"hall:{hall.id}"}, callback=True)["snapshot"]
    place = next(p for p in snapshot["places"] if p["desk_id"] == desk.id)
    assert place["place"] == "一楼 东侧 3 号" and snapshot["version"] == version + 1


def test_routing_rules_are_edited_as_lines(client, db):
    login(client, "admin")
    page = client.get("/admin/routing").get_data(as_text=True)
    assert "征地拆迁: A, 律师" in page  # a kind by its name, not its code
    bad = client.post("/admin/routing", data={"rules": "征地拆迁: A, bank"})
    assert bad.status_code == 422 and "bank" in bad.get_data(as_text=True)
    rules = "征地拆迁: lawyer, A\n物业纠纷: mediator, B\n其他"
    assert client.post("/admin/routing", data={"rules": rules}).status_code == 303
    db.session.expire_all()
    triage = db.session.scalars(select(Hall)).one().triage
    assert triage["categories"] == ["征地拆迁", "物业纠纷", "其他"]
    assert triage["routing"]["物业纠纷"] == ["mediator", "B"]
    login(client, "registrar")
    from tests.test_registration_pages import _form

    suggested = client.post(
        "/registration/",
        data=_form(action="suggest", category="物业纠纷", department_id="", route=[]),
    ).get_data(as_text=True)
    route = suggested[suggested.index('data-testid="route"') :]
    # the suggestion comes first, in the rule's order, then the other desks
    assert route.index("人民调解") < route.index("市住建局") < route.index("市规划和自然资源局")


def test_bookable_times_and_leader_days_are_published_from_the_browser(client, db):
    from datetime import timedelta

    from reception.core.clock import hall_day
    from reception.models import LeaderDay, SlotTemplate
    from reception.models.types import utcnow

    login(client, "admin")
    mediation = service_by_prefix("M")
    before = db.session.scalars(
        select(SlotTemplate).where(SlotTemplate.service_id == mediation.id)
    ).all()
    added = client.post(
        "/admin/appointments/templates",
        data={
            "service_id": mediation.id,
            "weekdays": ["6"],  # Saturday
            "start": "09:00",
            "end": "11:00",
            "slot_minutes": "30",
            "capacity": "1",
        },
    )
    assert added.status_code == 303
    after = db.session.scalars(
        select(SlotTemplate).where(SlotTemplate.service_id == mediation.id)
    ).all()
    assert len(after) == len(before) + 1 and after[-1].weekdays == "5"
    wrong = client.post(
        "/admin/appointments/templates",
        data={"service_id": mediation.id, "weekdays": ["1"], "start": "11:00", "end": "09:00"},
    )
    assert wrong.status_code == 422
    day = hall_day("Asia/Shanghai", utcnow()) + timedelta(days=5)
    published = client.post(
        "/admin/appointments/leader-days",
        data={
            "service_id": service_by_prefix("Z").id,
            "day": day.isoformat(),
            "leader": "副市长 赵六",
            "place": "三楼",
            "matters": "教育",
            "start": "09:00",
            "end": "11:00",
            "weeks": "3",
        },
    )
    assert published.status_code == 303
    assert "副市长 赵六" in client.get("/book/leaders").get_data(as_text=True)
    days = db.session.scalars(
        select(LeaderDay).where(LeaderDay.leader == "副市长 赵六").order_by(LeaderDay.day)
    ).all()
    assert [d.day for d in days] == [day + timedelta(weeks=n) for n in range(3)]
    for extra in days[1:]:
        client.post(f"/admin/appointments/leader-days/{extra.id}/remove")
    new_day = days[0]
    not_leader = client.post(
        "/admin/appointments/leader-days",
        data={
            "service_id": mediation.id,
            "day": day.isoformat(),
            "leader": "x",
            "start": "09:00",
            "end": "10:00",
        },
    )
    assert not_leader.status_code == 422
    client.post(f"/admin/appointments/leader-days/{new_day.id}/remove")
    assert "副市长 赵六" not in client.get("/book/leaders").get_data(as_text=True)


def test_a_booked_leader_day_is_not_withdrawn_but_closed(client, db):
    from datetime import datetime, time, timedelta

    from reception.appointments import booking
    from reception.appointments.slots import Policy
    from reception.core.clock import hall_day, zone
    from reception.models import LeaderDay
    from reception.models.types import utcnow

    hall = db.session.scalars(select(Hall)).one()
    day = hall_day(hall.timezone, utcnow()) + timedelta(days=3)
    leader_day = LeaderDay(
        hall_id=hall.id,
        service_id=service_by_prefix("Z").id,
        day=day,
        leader="副市长 钱七",
        start=time(9, 0),
        end=time(10, 0),
    )
    db.session.add(leader_day)
    db.session.commit()
    booking.book(
        hall,
        service_by_prefix("Z").id,
        datetime.combine(day, time(9, 0), tzinfo=zone(hall.timezone)),
        booking.Booker(name="孙八", phone="13812345670"),
        policy=Policy(horizon_days=30),
        now=utcnow(),
    )
    db.session.commit()
    login(client, "admin")
    refused = client.post(
        f"/admin/appointments/leader-days/{leader_day.id}/remove",
        headers={"Referer": "https://evil.example/"},
    )
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/admin/")
    db.session.expire_all()
    assert db.session.get(LeaderDay, leader_day.id) is not None
    assert "闭馆" in client.get("/admin/").get_data(as_text=True)


def test_blank_times_and_odd_time_zones_are_form_errors(client, db):
    """A time given as a blank and a time zone that is a path or 5,000 characters long are
    refused next to their fields, never a server error, and change nothing."""
    from reception.models import LeaderDay, SlotTemplate

    login(client, "admin")
    templates, days = db.session.query(SlotTemplate).count(), db.session.query(LeaderDay).count()
    for start, end in ((" ", "11:00"), ("09:00", " "), (" ", " ")):
        answer = client.post(
            "/admin/appointments/templates",
            data={
                "service_id": service_by_prefix("M").id,
                "weekdays": ["1"],
                "start": start,
                "end": end,
                "slot_minutes": "30",
                "capacity": "1",
            },
        )
        assert answer.status_code == 422 and "HH:MM" in answer.get_data(as_text=True)
        answer = client.post(
            "/admin/appointments/leader-days",
            data={
                "service_id": service_by_prefix("Z").id,
                "day": "2030-01-07",
                "leader": "x",
                "start": start,
                "end": end,
            },
        )
        assert answer.status_code == 422 and "HH:MM" in answer.get_data(as_text=True)
    assert db.session.query(SlotTemplate).count() == templates
    assert db.session.query(LeaderDay).count() == days
    for zone in ("Asia/" + "x" * 5000, "../../etc/passwd", "Asia/Shang hai", "\x00"):
        answer = client.post("/admin/hall", data={"name": "X", "timezone": zone})
        assert answer.status_code in (400, 422), zone
    db.session.expire_all()
    assert db.session.scalars(select(Hall)).one().timezone == "Asia/Shanghai"


def test_a_new_account_is_desk_staff_with_a_plain_password_changed_at_first_login(app, client, db):
    from reception.hall.administration import PASSWORD_ALPHABET

    login(client, "admin")
    page = client.get("/admin/staff/new").get_data(as_text=True)
    assert '<option value="desk" selected>' in page  # never an administrator by default
    answer = client.post(
        "/admin/staff/new", data={"username": "clerk9", "role": "desk", "active": "1"}
    )
    assert answer.status_code in (200, 303)
    shown = answer.get_data(as_text=True)
    user = user_by_name("clerk9")
    assert user.role == "desk" and user.must_change_password
    password = next(
        word
        for word in shown.replace("<", " ").replace(">", " ").split()
        if len(word) == 12 and user.check_password(word)
    )
    assert not set(password) & set("0Oo1lI5S2Z8B9g")
    assert set(password) <= set(PASSWORD_ALPHABET)

    clerk = app.test_client()
    first = clerk.post("/login", data={"username": "clerk9", "password": password})
    assert first.headers["Location"].endswith("/password")
    assert clerk.get("/desk/").headers["Location"].endswith("/password")  # nothing else first
    same = clerk.post(
        "/password", data={"current": password, "password": password, "confirm": password}
    )
    assert same.status_code == 422
    mine = "my-own-secret-42"
    changed = clerk.post("/password", data={"current": password, "password": mine, "confirm": mine})
    assert changed.status_code == 303
    db.session.expire_all()
    assert not user_by_name("clerk9").must_change_password
    assert clerk.get("/desk/").status_code == 200
    assert _changes(db, "password_changed")[0].detail == "clerk9"
    # a reset by the administrator asks for a change again
    client.post(f"/admin/staff/{user.id}/password")
    db.session.expire_all()
    assert user_by_name("clerk9").must_change_password


def test_screen_addresses_use_the_public_address_and_say_when_none_is_set(app, db):
    def admin_at(base: str):
        browser = app.test_client()
        browser.post("/login", data={"username": "admin", "password": "demo1234"}, base_url=base)
        return browser

    local = admin_at("http://127.0.0.1:5000")
    page = local.post(
        "/admin/displays", data={"name": "大厅屏"}, base_url="http://127.0.0.1:5000"
    ).get_data(as_text=True)
    assert 'data-testid="public-url-missing"' in page and "RECEPTION_PUBLIC_URL" in page
    assert "http://127.0.0.1:5000/e/" in page
    named = admin_at("http://localhost:5000")
    home = named.get("/admin/", base_url="http://localhost:5000").get_data(as_text=True)
    assert 'data-testid="public-url-missing"' in home
    lan = admin_at("http://192.168.1.10:5000")
    page = lan.get("/admin/displays", base_url="http://192.168.1.10:5000").get_data(as_text=True)
    assert "大厅屏" in page and 'data-testid="public-url-missing"' not in page
    app.config["PUBLIC_URL"] = "https://hall.example.gov.cn/"
    try:
        page = local.post(
            "/admin/displays", data={"name": "二楼屏"}, base_url="http://127.0.0.1:5000"
        ).get_data(as_text=True)
    finally:
        app.config["PUBLIC_URL"] = None
    assert "https://hall.example.gov.cn/e/" in page
    assert 'data-testid="public-url-missing"' not in page


ODD_DESCRIPTIONS = [
    [],
    "hall",
    None,
    {"services": 5},
    {"desks": ["abc"]},
    {"users": [{"role": "desk"}]},
    {"timezone": 5},
    {"timezone": "Asia/" + "x" * 500},
    {"users": [{"username": "a\x00b", "role": "desk"}]},
    {"users": [{"username": "a b", "role": "desk"}]},
    {"users": [{"username": "<script>x</script>", "role": "desk"}]},
    {"users": [{"username": "u" * 100_000, "role": "desk"}]},
    {"users": [{"username": "ok9", "role": "desk", "display_name": "n" * 500}]},
    {"services": [{"prefix": "Q", "kind": "department", "name": "n" * 500}]},
    {"notice": "n" * 600},
    {"opening_hours": {"0": "x"}},
    {"opening_hours": {"0": [[1, 2]]}},
    {
        "appointments": {
            "templates": [{"services": ["A"], "weekdays": "9", "start": "09:00", "end": "10:00"}]
        }
    },
    {"appointments": {"closures": [{"day": "2026-01-01", "reason": "r" * 300}]}},
    {
        "appointments": {
            "leader_days": [
                {
                    "service": "Z",
                    "day": "2030-01-01",
                    "leader": "l" * 100,
                    "start": "09:00",
                    "end": "10:00",
                }
            ]
        }
    },
    {"triage": {"routing": {"x": "lawyer"}}},
    {"triage": {"categories": ["征地拆迁\n恶意"], "routing": {}}},
    {"triage": 5},
]


@pytest.mark.parametrize("odd", ODD_DESCRIPTIONS, ids=range(len(ODD_DESCRIPTIONS)))
def test_an_import_is_checked_field_by_field_as_the_forms_check(client, db, odd):
    import io
    import json

    login(client, "admin")
    before = (
        db.session.query(Service).count(),
        sorted(db.session.scalars(select(User.username))),
        db.session.scalars(select(Hall)).one().notice,
    )
    if isinstance(odd, dict):
        odd = {"name": "x", **odd}
    body = json.dumps(odd, ensure_ascii=False).encode()
    answer = client.post("/admin/import", data={"description": (io.BytesIO(body), "h.json")})
    assert answer.status_code == 422
    assert 'class="field-error"' in answer.get_data(as_text=True)
    db.session.expire_all()
    after = (
        db.session.query(Service).count(),
        sorted(db.session.scalars(select(User.username))),
        db.session.scalars(select(Hall)).one().notice,
    )
    assert after == before


def test_a_deeply_nested_import_is_refused_and_routing_works_after_an_import(client, db):
    import io
    import json

    login(client, "admin")
    deep = b"[" * 100_000 + b"]" * 100_000
    answer = client.post("/admin/import", data={"description": (io.BytesIO(deep), "h.json")})
    assert answer.status_code == 422
    exported = client.get("/admin/export").get_json()
    exported["triage"]["routing"]["新类别"] = ["lawyer", "B"]
    exported["triage"]["categories"] = [*exported["triage"].get("categories", []), "新类别"]
    body = json.dumps(exported, ensure_ascii=False).encode()
    done = client.post("/admin/import", data={"description": (io.BytesIO(body), "h.json")})
    assert done.status_code in (200, 303)
    routing = client.get("/admin/routing")
    assert routing.status_code == 200 and "新类别" in routing.get_data(as_text=True)


def test_every_code_shown_to_a_person_has_a_label(client, db, hall):
    """The audit trail names its actions and set-up fields in the reader's language; the
    routing rules name kinds; no raw code (`view_case`, `department_id`, `None`) is shown."""
    from reception.models.audit import AUDIT_ACTIONS, CHANGE_FIELDS
    from reception.web.common import SERVICE_KINDS
    from tests.test_registration_pages import _form

    with pytest.raises(ValueError):
        AuditEntry(action="something_new")
    login(client, "registrar")
    client.post("/registration/", data=_form())
    case_id = db.session.scalars(
        select(AuditEntry.case_id).where(AuditEntry.case_id.isnot(None))
    ).first()
    client.get(f"/cases/{case_id}")
    client.get(f"/cases/{case_id}/notice/acceptance")
    login(client, "admin")
    client.post("/admin/staff/new", data={"username": "clerk8", "role": "desk", "active": "1"})
    for lang in ("zh_CN", "en"):
        client.get(f"/lang/{lang}")
        page = client.get("/admin/audit").get_data(as_text=True)
        shown = page[page.index('data-testid="audit"') :]
        for code in [*AUDIT_ACTIONS, *CHANGE_FIELDS]:
            assert f">{code}<" not in shown and f">{code}:" not in shown, (lang, code)
        assert "None" not in shown and "department_id" not in shown
        options = page[
            page.index('name="action"') : page.index("</select>", page.index('name="action"'))
        ]
        assert all(f'value="{code}"' in options for code in AUDIT_ACTIONS)
        routing = client.get("/admin/routing").get_data(as_text=True)
        assert ("征地拆迁: A, 律师" if lang == "zh_CN" else "征地拆迁: A, lawyer") in routing
    client.get("/lang/zh_CN")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "打印受理告知书" in page and "查看信访事项" in page and "修改工作人员账号" in page
    # a rule written with the names in either language is read as the kinds
    rules = "征地拆迁: 律师, A\n物业纠纷: Mediator, 心理咨询"
    assert client.post("/admin/routing", data={"rules": rules}).status_code == 303
    db.session.expire_all()
    routing = db.session.scalars(select(Hall)).one().triage["routing"]
    assert routing["征地拆迁"] == ["lawyer", "A"]
    assert routing["物业纠纷"] == ["mediator", "psychologist"]
    assert set(SERVICE_KINDS) == {
        "department",
        "lawyer",
        "psychologist",
        "mediator",
        "video",
        "leader",
    }


def test_the_administrations_detours_are_gone(client, db):
    from reception.models import Service

    login(client, "admin")
    made = client.post(
        "/admin/staff/new", data={"username": "clerk7", "role": "desk", "active": "1"}
    ).get_data(as_text=True)
    done = made[made.index('data-testid="done"') - 80 :].split("</a>")[0]
    assert 'href="/admin/staff"' in done  # 完成 returns to the list
    # a refused bookable time keeps the weekdays as chosen (none), not the default five
    refused = client.post(
        "/admin/appointments/templates",
        data={"service_id": service_by_prefix("M").id, "start": "09:00", "end": "10:00"},
    ).get_data(as_text=True)
    boxes = refused[refused.index('name="weekdays"') - 40 : refused.index("</fieldset>")]
    assert "checked" not in boxes
    fresh = client.get("/admin/appointments").get_data(as_text=True)
    assert fresh[fresh.index('name="weekdays"') :].count("checked") >= 5
    # the leader-day form says why its list is empty and links to make the service
    for leader in db.session.scalars(select(Service).where(Service.kind == "leader")):
        leader.kind = "department"
    db.session.commit()
    page = client.get("/admin/appointments").get_data(as_text=True)
    assert 'data-testid="no-leader-service"' in page
    assert (
        client.get("/admin/services/new?kind=leader")
        .get_data(as_text=True)
        .count('value="leader" selected')
        == 1
    )
    # no placeholder that looks like a saved value
    for path in ("/admin/hall", "/cases/"):
        assert "placeholder=" not in client.get(path).get_data(as_text=True), path
