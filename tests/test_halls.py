"""Many halls on one deployment: each hall's pages under `/h/<code>/`, staff by hall.

The demo city's two county halls are loaded over the test database's city centre (the demo hall,
served at the plain addresses). What is checked: each hall's kiosk, numbering, QR codes and
screens are its own; a county's staff are nobody on the city's pages and the centre's staff
nobody on a county's (walking the whole URL map, as the permission matrix does); city accounts
work in every hall; the API and the audit trail follow the hall of the address.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reception.db.extensions import db as _db
from reception.hall.description import DEMO_CITY, DEMO_PASSWORD, load_hall, read_description
from reception.models import (
    AuditEntry,
    Case,
    CaseNote,
    Desk,
    Hall,
    Service,
    StaffHall,
    Ticket,
    User,
)
from tests.helpers import login, matter_form, user_by_name
from tests.test_permissions import ALLOWED, _refused, _url
from tests.test_qr import _decode_png, _rasterise


@pytest.fixture
def city(db) -> dict[str, Hall]:
    """The demo city: the centre (already there) and its two county halls, by code."""
    for path in DEMO_CITY[1:]:
        load_hall(read_description(path), default_password=DEMO_PASSWORD)
    _db.session.commit()
    return {hall.code: hall for hall in _db.session.scalars(select(Hall).order_by(Hall.id))}


def _service(hall: Hall, prefix: str) -> Service:
    return _db.session.scalars(
        select(Service).where(Service.hall_id == hall.id, Service.prefix == prefix)
    ).one()


def _matter(hall: Hall) -> dict:
    """The registration form for a housing matter sent to the hall's housing bureau (B)."""
    return matter_form(_service(hall, "B").id)


def _issue(client, root: str, service: Service) -> str:
    answer = client.post(f"{root}/kiosk/issue", data={"service_id": service.id})
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:300]
    return answer.headers["Location"]


def test_each_hall_has_its_own_kiosk_numbers_and_qr_codes(app, client, city):
    qinghe = city["qinghe"]
    kiosk = client.get("/h/qinghe/kiosk/").get_data(as_text=True)
    assert "县自然资源局" in kiosk and "市规划和自然资源局" not in kiosk
    assert 'action="/h/qinghe/kiosk/issue"' in kiosk  # every address the page builds is the hall's
    assert "市规划和自然资源局" in client.get("/kiosk/").get_data(as_text=True)
    # a service of another hall is refused at this hall's kiosk
    refused = client.post(
        "/h/qinghe/kiosk/issue", data={"service_id": _service(city["shi"], "A").id}
    )
    assert _db.session.scalars(select(Ticket)).all() == []
    assert refused.status_code in (303, 404, 422)

    county_page = _issue(client, "/h/qinghe", _service(qinghe, "A"))
    centre_page = _issue(client, "", _service(city["shi"], "A"))
    assert county_page.startswith("/h/qinghe/kiosk/ticket/") and "/h/" not in centre_page
    tickets = {t.hall_id: t for t in _db.session.scalars(select(Ticket))}
    # numbering is per hall: both halls' first A ticket is A001
    assert tickets[qinghe.id].number == tickets[city["shi"].id].number == "A001"
    token = tickets[qinghe.id].token
    page = client.get(f"/h/qinghe/t/{token}")
    assert page.status_code == 200 and "清河县人民来访接待中心" in page.get_data(as_text=True)
    assert client.get(f"/t/{token}").status_code == 404  # not the centre's ticket
    assert client.get(f"/h/dongcheng/t/{token}").status_code == 404
    svg = client.get(f"/h/qinghe/t/{token}/qr.svg").get_data(as_text=True)
    assert _decode_png(_rasterise(svg)) == [f"http://hall.test/h/qinghe/t/{token}"]


def test_an_unknown_hall_code_is_not_found(client, city):
    assert client.get("/h/nowhere/kiosk/").status_code == 404
    assert client.get("/h/Bad_Code/kiosk/").status_code == 404
    assert client.get("/h/").status_code == 404
    token = user_by_name("desk").new_api_token()
    _db.session.commit()
    answer = client.get("/h/nowhere/api/v1/desks", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 404


def test_county_staff_land_in_their_hall_and_are_nobody_in_the_city(client, city):
    answer = login(client, "qh_registrar")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/h/qinghe/registration/")
    assert client.get("/h/qinghe/registration/").status_code == 200
    assert client.get("/h/qinghe/cases/").status_code == 200
    for path in ("/registration/", "/cases/", "/h/dongcheng/cases/"):
        refused = client.get(path)
        assert refused.status_code == 302 and "/login?next=" in refused.headers["Location"], path
    # what they register is registered in their hall
    registered = client.post("/h/qinghe/registration/", data=_matter(city["qinghe"]))
    assert registered.status_code == 302, registered.get_data(as_text=True)[:500]
    assert registered.headers["Location"].startswith("/h/qinghe/")
    case = _db.session.scalars(select(Case)).one()
    assert case.hall_id == city["qinghe"].id
    entries = _db.session.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id)).all()
    assert entries and {e.hall_id for e in entries} == {city["qinghe"].id}


def test_city_accounts_work_in_every_hall(client, city):
    login(client, "supervisor")
    for root in ("", "/h/qinghe", "/h/dongcheng"):
        board = client.get(f"{root}/supervisor/")
        assert board.status_code == 200, root
    assert "东城区人民来访接待中心" in client.get("/h/dongcheng/supervisor/").get_data(as_text=True)


def test_the_api_answers_for_the_hall_of_its_address(client, city):
    county = user_by_name("qh_desk").new_api_token()
    centre = user_by_name("desk").new_api_token()
    _db.session.commit()
    county_desk = _db.session.scalars(
        select(Desk).where(Desk.hall_id == city["qinghe"].id, Desk.number == 1)
    ).one()
    centre_desk = _db.session.scalars(
        select(Desk).where(Desk.hall_id == city["shi"].id, Desk.number == 1)
    ).one()

    def queue(root: str, token: str, desk: Desk):
        return client.get(
            f"{root}/api/v1/desks/{desk.id}/queue", headers={"Authorization": f"Bearer {token}"}
        )

    assert queue("/h/qinghe", county, county_desk).status_code == 200
    assert queue("", county, county_desk).status_code == 403  # nobody in the centre
    assert queue("", county, centre_desk).status_code == 403
    assert queue("/h/qinghe", centre, county_desk).status_code == 403
    assert queue("", centre, centre_desk).status_code == 200
    assert queue("", centre, county_desk).status_code == 404  # not the centre's desk
    # a ticket and a call at the county's desk through the county's address
    ticket = client.post(
        "/h/qinghe/api/v1/tickets",
        json={"service_id": _service(city["qinghe"], "A").id},
        headers={"Authorization": f"Bearer {county}"},
    )
    assert ticket.status_code == 201, ticket.get_json()
    assert "/h/qinghe/t/" in ticket.get_json()["ticket"]["url"]
    token = ticket.get_json()["ticket"]["token"]
    assert client.get(f"/h/qinghe/api/v1/tickets/{token}").status_code == 200
    assert client.get(f"/api/v1/tickets/{token}").status_code == 404
    called = client.post(
        f"/h/qinghe/api/v1/desks/{county_desk.id}/call-next",
        headers={"Authorization": f"Bearer {county}"},
    )
    assert called.status_code == 200, called.get_json()
    assert called.get_json()["ticket"]["number"] == "A001"


def test_the_audit_trail_and_staff_list_are_the_halls_own(client, city):
    admin = User(username="qh_admin", role="admin", display_name="县管理员", all_halls=False)
    admin.set_password(DEMO_PASSWORD)
    _db.session.add(admin)
    _db.session.flush()
    _db.session.add(StaffHall(user_id=admin.id, hall_id=city["qinghe"].id, role="admin"))
    _db.session.commit()
    centre = client.application.test_client()
    login(centre, "registrar")
    registered = centre.post("/registration/", data=_matter(city["shi"]))
    assert registered.status_code == 302
    login(client, "qh_admin")
    staff = client.get("/h/qinghe/admin/staff").get_data(as_text=True)
    assert "qh_desk" in staff and "dc_desk" not in staff and "zhujian" not in staff
    # the city's own accounts work here too, but a county's administrator cannot manage them
    assert "supervisor" in staff
    city_admin = user_by_name("admin")
    assert client.get(f"/h/qinghe/admin/staff/{city_admin.id}").status_code == 404
    member = user_by_name("qh_desk")
    assert client.get(f"/h/qinghe/admin/staff/{member.id}").status_code == 200
    assert client.get(f"/h/qinghe/admin/staff/{user_by_name('dc_desk').id}").status_code == 404
    audit = client.get("/h/qinghe/admin/audit")
    assert audit.status_code == 200
    centre_entries = _db.session.scalars(
        select(AuditEntry).where(AuditEntry.hall_id == city["shi"].id)
    ).all()
    assert centre_entries  # the centre's look-up, not shown in the county
    assert "registrar" not in audit.get_data(as_text=True).split("<table", 1)[-1]


def test_a_new_account_made_in_a_county_works_only_there(client, city):
    admin = user_by_name("admin")
    login(client, "admin")
    answer = client.post(
        "/h/dongcheng/admin/staff/new",
        data={"username": "dc_new", "display_name": "新人", "role": "registrar", "active": "y"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)[:400]
    user = user_by_name("dc_new")
    assert not user.all_halls and user.role_in(city["dongcheng"].id) == "registrar"
    assert user.role_in(city["shi"].id) is None and user.role_in(city["qinghe"].id) is None
    assert admin.all_halls


COUNTY_STAFF = ("qh_registrar", "qh_desk", "qh_lawyer", "qh_supervisor")
CENTRE_STAFF = ("registrar", "desk", "zhujian", "jiaoyu")


def _walk(client, world: dict, root: str, headers: dict) -> dict[tuple[str, str], bool]:
    """Every route (but logging out and enrolling) at `root`: whether it let the client in."""
    answers = {}
    for rule in sorted(client.application.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in ("auth.logout", "display.enrol", "home.enrol_display", "auth.login"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = _url(rule, "desk", world)
            api = url.startswith("/api/v1/") and "openapi" not in url and "/docs" not in url
            body = {"desk_id": world["desk1"]} if api and method == "POST" else None
            response = client.open(
                root + url, method=method, json=body, headers=headers if api else {}
            )
            answers[(method, rule.endpoint)] = not _refused(response)
            response.close()
    return answers


def _city_and_staff(app, username: str):
    """The counties loaded over the matrix's world; a client logged in as `username`, and
    the headers of that person's API token."""
    for path in DEMO_CITY[1:]:
        load_hall(read_description(path), default_password=DEMO_PASSWORD)
    client = app.test_client()
    login(client, username)
    token = user_by_name(username).new_api_token()
    _db.session.commit()
    return client, {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("username", COUNTY_STAFF)
def test_a_countys_staff_reach_in_the_centre_exactly_what_a_visitor_reaches(app, world, username):
    """The permission matrix over halls: on the centre's pages (with the centre's objects) a
    county's staff member, logged in and with an API token, gets past exactly the routes an
    anonymous visitor gets past."""
    client, headers = _city_and_staff(app, username)
    answers = _walk(client, world, "", headers)
    wrong = [
        (method, endpoint)
        for (method, endpoint), allowed in answers.items()
        if allowed != ("anonymous" in ALLOWED[endpoint])
    ]
    assert wrong == []


@pytest.mark.parametrize("username", CENTRE_STAFF)
def test_the_centres_staff_reach_in_a_county_exactly_what_a_visitor_reaches(app, world, username):
    """And the other way: on a county's pages, the centre's staff get past exactly the routes
    an anonymous visitor gets past there (compared route by route, same addresses)."""
    staff, headers = _city_and_staff(app, username)
    as_staff = _walk(staff, world, "/h/qinghe", headers)
    as_nobody = _walk(app.test_client(), world, "/h/qinghe", {})
    wrong = [key for key, allowed in as_staff.items() if allowed != as_nobody[key]]
    assert wrong == []
    assert not any(
        allowed
        for (method, endpoint), allowed in as_staff.items()
        if "anonymous" not in ALLOWED[endpoint] and "display" not in ALLOWED[endpoint]
    )


def _upgrade_an_old_single_hall_database(app) -> None:
    """A database as 0017 left it (the demo hall, a ticket, a case's audit entry), upgraded:
    its hall becomes the deployment's first hall, its accounts city accounts, its audit
    trail the hall's; nothing is lost."""
    from flask_migrate import downgrade, upgrade

    from tests.helpers import issue, local

    with app.app_context():
        hall = _db.session.scalars(select(Hall)).one()
        service = _db.session.scalars(select(Service).where(Service.hall_id == hall.id)).first()
        issue(hall.id, service.id, local("2026-12-07", "09:00"))
        _db.session.add(AuditEntry(action="setup_import", detail="before", hall_id=hall.id))
        _db.session.commit()
        counts = {
            model.__name__: len(_db.session.scalars(select(model)).all())
            for model in (Hall, User, Ticket, AuditEntry, Service, Desk)
        }
        _db.session.remove()
        downgrade(revision="0017_outside")
        upgrade()
        assert {
            model.__name__: len(_db.session.scalars(select(model)).all())
            for model in (Hall, User, Ticket, AuditEntry, Service, Desk)
        } == counts
        hall = _db.session.scalars(select(Hall)).one()
        assert hall.code == f"hall-{hall.id}"
        users = _db.session.scalars(select(User)).all()
        assert all(u.all_halls and not u.memberships for u in users)
        assert {u.role_in(hall.id) for u in users} == {u.role for u in users}
        assert {e.hall_id for e in _db.session.scalars(select(AuditEntry))} == {hall.id}
        assert app.test_client().get(f"/h/{hall.code}/kiosk/").status_code == 200
        _db.session.remove()


def test_an_old_database_upgrades_in_place_on_sqlite(app, tmp_path):
    from reception import create_app
    from tests.helpers import base_config

    path = tmp_path / "old.sqlite3"
    old = create_app(base_config(f"sqlite:///{path}"))
    with old.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_hall(read_description(DEMO_CITY[0]), default_password=DEMO_PASSWORD)
        _db.session.commit()
    _upgrade_an_old_single_hall_database(old)
    with old.app_context():
        _db.engine.dispose()


def test_an_old_database_upgrades_in_place_on_postgresql(postgres_app):
    app, _ = postgres_app
    _upgrade_an_old_single_hall_database(app)


def test_the_city_board_is_for_the_citys_accounts(app, client, city):
    login(client, "supervisor")
    page = client.get("/city/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for hall in city.values():
        assert hall.name in text and f'href="/h/{hall.code}/supervisor/"' in text
    assert 'data-testid="nav-city"' in client.get("/supervisor/").get_data(as_text=True)
    county = app.test_client()
    login(county, "qh_supervisor")
    assert county.get("/h/qinghe/city/").status_code == 403
    assert 'data-testid="nav-city"' not in county.get("/h/qinghe/supervisor/").get_data(
        as_text=True
    )


def test_a_single_hall_shows_no_city_board_link(client, db):
    login(client, "supervisor")
    assert 'data-testid="nav-city"' not in client.get("/supervisor/").get_data(as_text=True)


def test_the_city_rooms_open_to_city_accounts_only(app, city):
    from reception.db.extensions import socketio

    qinghe = city["qinghe"]
    _issue(app.test_client(), "/h/qinghe", _service(qinghe, "A"))
    answers = {}
    for username in ("supervisor", "leader", "qh_supervisor", "desk"):
        client = app.test_client()
        login(client, username)
        socket = socketio.test_client(app, flask_test_client=client)
        answers[username] = socket.emit("join", {"room": f"city:{qinghe.id}"}, callback=True)
        socket.disconnect()
    card = answers["supervisor"]["snapshot"]
    assert card["code"] == "qinghe" and card["waiting"] == 1 and card["desks_in_use"] == 5
    assert card["totals"]["issued"] == 1
    assert answers["leader"]["ok"]
    assert not answers["qh_supervisor"]["ok"] and not answers["desk"]["ok"]


def test_the_centres_screen_is_a_visitor_in_a_county(app, world):
    """A display enrolled to the centre reaches on a county's pages exactly what a visitor
    reaches there."""
    for path in DEMO_CITY[1:]:
        load_hall(read_description(path), default_password=DEMO_PASSWORD)
    _db.session.commit()
    screen = app.test_client()
    assert screen.get(f"/display/enrol/{world['display_token']}").status_code == 302
    assert screen.get("/display/").status_code == 200  # enrolled in the centre
    assert screen.get("/h/qinghe/display/").status_code == 403  # not in 清河县
    as_screen = _walk(screen, world, "/h/qinghe", {})
    as_nobody = _walk(app.test_client(), world, "/h/qinghe", {})
    assert [key for key, allowed in as_screen.items() if allowed != as_nobody[key]] == []


def test_the_citys_administrator_creates_a_hall(app, client, city):
    login(client, "admin")
    assert "清河县人民来访接待中心" in client.get("/admin/halls").get_data(as_text=True)
    made = client.post(
        "/admin/halls",
        data={"name": "南宫市人民来访接待中心", "code": "nangong", "timezone": "Asia/Shanghai"},
    )
    assert made.status_code == 303 and made.headers["Location"] == "/h/nangong/admin/hall"
    hall = _db.session.scalars(select(Hall).where(Hall.code == "nangong")).one()
    assert hall.name == "南宫市人民来访接待中心"
    assert client.get("/h/nangong/admin/hall").status_code == 200
    entry = _db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "setup_new_hall")
    ).one()
    assert entry.detail == "南宫市人民来访接待中心" and "nangong" in str(entry.change)
    for data in (
        {"name": "另一个", "code": "nangong", "timezone": "Asia/Shanghai"},  # the code is taken
        {"name": "另一个", "code": "Bad Code", "timezone": "Asia/Shanghai"},
        {"name": "另一个", "code": "ok", "timezone": "Mars/Olympus"},
        {"name": "南宫市人民来访接待中心", "code": "other", "timezone": "Asia/Shanghai"},
    ):
        refused = client.post("/admin/halls", data=data)
        assert refused.status_code == 422, data
    assert len(_db.session.scalars(select(Hall)).all()) == 4
    # a county's administrator administers their hall, not the city's list of halls
    admin = User(username="qh_admin", role="admin", display_name="县管理员", all_halls=False)
    admin.set_password(DEMO_PASSWORD)
    admin.memberships.append(StaffHall(hall_id=city["qinghe"].id, role="admin"))
    _db.session.add(admin)
    _db.session.commit()
    county = app.test_client()
    login(county, "qh_admin")
    assert county.get("/h/qinghe/admin/").status_code == 200
    assert county.get("/h/qinghe/admin/halls").status_code == 403


def test_a_county_sees_that_a_person_has_matters_elsewhere_but_not_what_they_are(app, city):
    centre = app.test_client()
    login(centre, "registrar")
    assert centre.post("/registration/", data=_matter(city["shi"])).status_code == 302
    case = _db.session.scalars(select(Case)).one()
    _db.session.add(CaseNote(case_id=case.id, kind="outcome", text="已告知向市住建局反映"))
    _db.session.commit()
    county = app.test_client()
    login(county, "qh_registrar")
    page = county.post("/h/qinghe/registration/lookup", data={"id_number": "11010519491231002X"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="repeat-visitor"' in text
    assert "其中 1 件在本市其他接待中心" in text  # that there is one
    assert 'data-testid="open-case"' in text  # Art. 19 holds across the city
    assert "已告知向市住建局反映" not in text  # not what it is
    listed = county.post("/h/qinghe/cases/lookup", data={"id_number": "11010519491231002X"})
    assert case.number not in listed.get_data(as_text=True)
    # the centre itself sees its matter in full
    own = centre.post("/registration/lookup", data={"id_number": "11010519491231002X"})
    assert "已告知向市住建局反映" in own.get_data(as_text=True)
