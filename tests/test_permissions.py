"""Who may use what: one table, every route of the app × every kind of user.

The test walks the app's URL map, so a new route without a row here fails. "allowed" means the
request got past the access checks (its answer may still be a form error, a 404 for a hidden
case or a 409 for a state that does not allow the move); "refused" means 401, 403 or the login
page. Staff call the API with their own bearer token (the API takes no cookies); anonymous
visitors and enrolled displays have none.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reception.db.extensions import db as _db
from reception.models import (
    Alert,
    Case,
    DisplayDevice,
    Hall,
    LeaderDay,
    MaterialRequest,
    OnlineFile,
    OnlinePetition,
    RemoteUnit,
    SlotTemplate,
    Ticket,
)
from reception.models.types import utcnow
from reception.queue.actions import MOVES
from tests.helpers import desk_by_number, login, service_by_prefix, user_by_name
from tests.test_appointments import _book
from tests.test_registration_pages import _form

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082"
)

ROLES = (
    "anonymous",
    "display",
    "admin",
    "registrar",
    "desk",
    "department",
    "supervisor",
    "leader",
    "remote",
)
USERS = {
    "admin": "admin",
    "registrar": "registrar",
    "desk": "desk",
    "department": "zhujian",  # desk staff of 市住建局 (desks 2 and 6)
    "supervisor": "supervisor",
    "leader": "leader",
    "remote": "jiaoyu",  # staff of 市教育局, receiving video visitors from their office
}
EVERYONE = frozenset(ROLES)
STAFF = frozenset(USERS)
HALL_STAFF = STAFF - {"remote"}  # a remote unit sees nothing of the hall but its video line
NOBODY: frozenset[str] = frozenset()


def roles(*names: str) -> frozenset[str]:
    return frozenset({"admin", *names})


ALLOWED: dict[str, frozenset[str]] = {
    # public pages: the kiosk, the visitor's phone, booking, language, login, assets
    "home.index": EVERYONE,
    "home.set_language": EVERYONE,
    "home.socketio_client": EVERYONE,
    "home.swagger_ui": EVERYONE,
    "home.echarts": EVERYONE,
    "static": EVERYONE,
    "auth.login": EVERYONE,
    "kiosk.index": EVERYONE,
    "kiosk.issue": EVERYONE,
    "kiosk.units": EVERYONE,
    "kiosk.printed": EVERYONE,
    "kiosk.checkin_page": EVERYONE,
    "kiosk.checkin": EVERYONE,
    "tickets.status": EVERYONE,
    "tickets.short_link": EVERYONE,
    "kiosk.checkin_by_card": EVERYONE,
    "tickets.qr_image": EVERYONE,
    "booking.index": EVERYONE,
    "booking.leaders": EVERYONE,
    "booking.slots": EVERYONE,
    "booking.book": EVERYONE,
    "booking.done": EVERYONE,
    "booking.manage": EVERYONE,
    # the online door and the petitioner's own page (opened by a 查询码, a text's link, a ticket)
    "online.index": EVERYONE,
    "online.send_code": EVERYONE,
    "online.submit": EVERYONE,
    "online.done": EVERYONE,
    "online.lookup": EVERYONE,
    "online.leave": EVERYONE,
    "online.matter": EVERYONE,
    "online.rate": EVERYONE,
    "online.ask": EVERYONE,
    "online.answer": EVERYONE,
    "online.notice": EVERYONE,
    "tickets.matter": EVERYONE,
    # what came online, in the registrar's work; its files for whoever may see the matter
    "online_inbox.inbox": roles("registrar", "supervisor", "leader"),
    "online_inbox.detail": roles("registrar", "supervisor", "leader"),
    "online_inbox.register": roles("registrar", "supervisor", "leader"),
    "online_inbox.ask_material": roles("registrar", "supervisor", "leader"),
    "online_inbox.attachment": roles("registrar", "desk", "department", "supervisor", "leader"),
    "display.enrol": EVERYONE,  # with a valid enrolment address
    "home.enrol_display": EVERYONE,  # the short form of it
    # staff
    "auth.logout": STAFF,
    "auth.password": STAFF,
    "display.lobby": HALL_STAFF | {"display"},
    "display.desk_screen": HALL_STAFF | {"display"},
    "display.speech_audio": HALL_STAFF | {"display"},
    # the rating device: an enrolled display marked as one (no other device, no staff login)
    "display.rater": NOBODY,
    "display.rater_pending": NOBODY,
    "display.rater_rate": NOBODY,
    "desk.choose": roles("desk", "department", "supervisor"),
    "desk.console": roles("desk", "department", "supervisor"),
    "desk.open_desk": roles("desk", "department", "supervisor"),
    "desk.call_next": roles("desk", "department", "supervisor"),
    "desk.act": roles("desk", "department", "supervisor"),
    "desk.change_state": roles("desk", "department", "supervisor"),
    "registration.start": roles("registrar", "supervisor"),
    "registration.lookup": roles("registrar", "supervisor"),
    "registration.submit": roles("registrar", "supervisor"),
    "cases.index": roles("registrar", "desk", "department", "supervisor", "leader"),
    "cases.due": roles("registrar", "desk", "department", "supervisor", "leader"),
    "cases.detail": roles("registrar", "desk", "department", "supervisor", "leader"),
    "cases.lookup": roles("registrar", "desk", "department", "supervisor", "leader"),
    "cases.act": roles("registrar", "supervisor", "leader"),
    "cases.notice": roles("registrar", "supervisor", "leader"),
    "appointments.day": roles("registrar", "desk", "department", "supervisor"),
    "appointments.checkin": roles("registrar", "supervisor"),
    "appointments.closures": roles(),
    "supervisor.board": roles("supervisor", "leader"),
    "city.board": roles("supervisor", "leader"),  # the city's own accounts (test_halls)
    "city.supervised": roles("supervisor", "leader"),
    "admin.halls": roles(),  # the city's administrators (test_halls)
    "cases.hand_down": roles("registrar", "supervisor", "leader"),
    "cases.supervise": roles("supervisor", "leader"),  # the city's accounts (test_halls)
    "cases.end_supervision": roles("supervisor", "leader"),
    "supervisor.acknowledge": roles("supervisor", "leader"),
    "reports.index": roles("supervisor", "leader"),
    "reports.export_csv": roles("supervisor", "leader"),
    "reports.export_xlsx": roles("supervisor", "leader"),
    "reports.annual_xlsx": roles("supervisor", "leader"),
    "exports.ratings": roles("supervisor", "leader"),
    "exports.petitions": roles("supervisor", "leader"),
    "supervisor.follow_ups": roles("supervisor", "leader"),
    "supervisor.close_follow_up": roles("supervisor", "leader"),
    "supervisor.reveal_phone": roles("supervisor", "leader"),
    "cases.recording": roles("registrar", "desk", "department", "supervisor", "leader"),
    # video reception: the unit's page and moves; the session's page for its two parties
    "video.remote": roles("remote"),
    "video.remote_panel": roles("remote"),
    "video.remote_present": roles("remote"),
    "video.answer": roles("remote"),
    "video.outcome": roles("remote"),
    "video.start": roles("desk", "department", "supervisor"),
    "video.recording_piece": roles("desk", "department", "supervisor"),
    "video.session_page": roles("desk", "department", "supervisor", "remote"),
    "video.state": roles("desk", "department", "supervisor", "remote"),
    "video.end": roles("desk", "department", "supervisor", "remote"),
    "units.index": roles(),
    "units.unit": roles(),
    "tickets.rate": EVERYONE,  # the ticket's token is the key
    "tickets.rate_case": EVERYONE,  # the ticket's token is the key
    # administration: the admin alone; the audit trail also the supervisor
    **{
        f"admin.{name}": roles()
        for name in (
            "index",
            "hall_settings",
            "services",
            "service",
            "desks",
            "desk",
            "staff",
            "person",
            "reset_password",
            "new_token",
            "revoke_token",
            "displays",
            "display",
            "revoke_display",
            "export",
            "import_hall",
            "routing",
            "appointments",
            "add_template",
            "remove_template",
            "add_leader_day",
            "remove_leader_day",
        )
    },
    "admin.audit": roles("supervisor"),
    "admin.texts": roles("supervisor"),
    "admin.text_again": roles("supervisor"),
    "admin.first_run": EVERYONE,  # the one-time address is the key (404 once spent)
    # the JSON API: public reads and bookings; staff moves by bearer token
    "api-docs.openapi_json": EVERYONE,
    "api-docs.openapi_swagger_ui": EVERYONE,
    "api.services": EVERYONE,
    "api.status": EVERYONE,
    "api.service_slots": EVERYONE,
    "api.book_appointment": EVERYONE,
    "api.lookup_appointment": EVERYONE,
    "api.cancel_appointment": EVERYONE,
    "api.move_appointment": EVERYONE,
    "api.issue": roles("registrar", "desk", "department", "supervisor"),
    "api.desk_queue": roles("registrar", "desk", "department", "supervisor"),
    "api.checkin_appointment": roles("registrar", "desk", "department", "supervisor"),
    "api.call_next": roles("desk", "department", "supervisor"),
    "api.figures": roles("supervisor", "leader"),
    "api.export_ratings": roles("supervisor", "leader"),
    "api.export_petitions": roles("supervisor", "leader"),
    **{f"api.move_{action.code}": roles("desk", "department", "supervisor") for action in MOVES},
}


def _values(role: str, world: dict) -> dict[str, object]:
    """The URL's parts: real objects, and for desk staff a desk of their own."""
    desk = world["desk2"] if role == "department" else world["desk1"]
    return {
        "desk_id": desk,
        "ticket_id": world["ticket_id"],
        "case_id": world["case_id"],
        "appointment_id": world["appointment_id"],
        "service_id": world["service_id"],
        "token": world["token"],
        "code": world["code"],
        "kind": "acceptance",
        "leg": 1,
        "follow_up_id": 1,
        "alert_id": world["alert_id"],
        "user_id": world["user_id"],
        "template_id": world["template_id"],
        "day_id": world["day_id"],
        "device_id": world["device_id"],
        "filename": "css/app.css",
        "name": "swagger-ui.css",
        "session_id": 1,
        "seq": 1,
        "unit_id": world["unit_id"],
        "message_id": 1,
        "link": "abcdef",
        "petition_id": world["petition_id"],
        "file_id": world["file_id"],
        "request_id": world["request_id"],
    }


def _url(rule, role: str, world: dict) -> str:
    values = _values(role, world)
    path = rule.rule
    while "<" in path:
        start = path.index("<")
        end = path.index(">", start)
        argument = path[start + 1 : end].rpartition(":")[2]
        if argument == "move":
            value = "resume"
        elif argument == "action":
            value = "review" if rule.endpoint == "cases.act" else "recall"
        elif argument == "what":
            value = "review"
        elif argument == "token" and rule.endpoint == "display.enrol":
            value = world["display_token"]
        elif argument == "code" and rule.endpoint == "home.set_language":
            value = "en"
        else:
            value = values[argument]
        path = path[:start] + str(value) + path[end + 1 :]
    if rule.endpoint == "display.speech_audio":
        path += "?number=A001&desk=1"
    return path


def _refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "")
    # the login page, asked for the page one wanted (logging out also ends on the login page)
    return response.status_code in (301, 302, 303) and "/login?next=" in location


def build_world(app, db):
    """(The `world` fixture, in conftest.) A case in 市住建局 (so its department may see it), a
    ticket, a booking, a display."""
    registrar = app.test_client()
    login(registrar, "registrar")
    assert registrar.post("/registration/", data=_form()).status_code == 302
    case = _db.session.scalars(select(Case)).one()
    ticket = _db.session.scalars(select(Ticket).where(Ticket.case_id == case.id)).one()
    booking = _book(_db.session.get(Hall, case.hall_id))
    device = DisplayDevice(hall_id=case.hall_id, name="lobby")
    token = device.new_token(short=True)
    spare = DisplayDevice(hall_id=case.hall_id, name="spare")  # the one administration edits
    spare.new_token()
    alert = Alert(hall_id=case.hall_id, kind="urgent", ticket_number=ticket.number)
    _db.session.add_all([device, spare, alert])
    petition, file, asked = online_matter(case)
    _db.session.commit()
    return {
        "alert_id": alert.id,
        "desk1": desk_by_number(1).id,
        "desk2": desk_by_number(2).id,
        "ticket_id": ticket.id,
        "case_id": case.id,
        "appointment_id": booking.id,
        "service_id": service_by_prefix("B").id,
        "token": ticket.token,
        "code": booking.code,
        "display_token": token,
        "user_id": user_by_name("leader").id,
        "device_id": spare.id,
        "template_id": _db.session.scalars(select(SlotTemplate.id)).first(),
        "day_id": _db.session.scalars(select(LeaderDay.id)).first(),
        "unit_id": _db.session.scalars(select(RemoteUnit.id)).first(),
        "petition_id": petition.id,
        "file_id": file.id,
        "request_id": asked.id,
    }


def online_matter(case: Case, *, registered: bool = True):
    """A matter sent online (with a photo and a request for material), registered as `case`
    or still waiting in the inbox."""
    from reception.core import crypto
    from reception.online import files, petitions

    petition = OnlinePetition(
        hall_id=case.hall_id,
        received_on=case.registered_on,
        name="王小明",
        id_number="11010519491231002X",
        id_hash=crypto.lookup_hash("id", "11010519491231002X"),
        phone="13800138000",
        phone_hash=crypto.lookup_hash("phone", "13800138000"),
        request="维修",
        facts="漏水",
        category=case.category,
        purpose="求决",
        department_id=case.department_id,
        query_hash=crypto.lookup_hash("query", petitions.new_query_code()),
        link=petitions.outbox.new_link(),
        case_id=case.id if registered else None,
    )
    _db.session.add(petition)
    _db.session.flush()
    files.store(petition.id, [(files.Upload("门.png", PNG), "image/png")], utcnow(), None)
    asked = MaterialRequest(petition_id=petition.id, text="请补充照片")
    _db.session.add(asked)
    _db.session.flush()
    file = _db.session.scalars(
        select(OnlineFile).where(OnlineFile.petition_id == petition.id)
    ).one()
    return petition, file, asked


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ALLOWED.keys() == set(), "a route without a row in the matrix"
    assert ALLOWED.keys() - endpoints == set(), "a row for a route that no longer exists"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_routes(app, db, world, role):
    client = app.test_client()
    headers = {}
    if role in USERS:
        login(client, USERS[role])
        user = user_by_name(USERS[role])
        headers = {"Authorization": f"Bearer {user.new_api_token()}"}
        _db.session.commit()
    elif role == "display":
        client.get(f"/display/enrol/{world['display_token']}")
    wrong = []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    for rule in rules:
        if rule.endpoint in ("auth.logout", "display.enrol", "home.enrol_display"):
            continue  # walked last: one ends the session, the others enrol the browser
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = _url(rule, role, world)
            api = url.startswith("/api/v1/") and "openapi" not in url and "/docs" not in url
            body = (
                {"desk_id": _values(role, world)["desk_id"]} if api and method == "POST" else None
            )
            response = client.open(
                url, method=method, json=body, headers=headers if api else {}, data=None
            )
            allowed = not _refused(response)
            response.close()
            if allowed != (role in ALLOWED[rule.endpoint]):
                wrong.append(
                    (method, url, response.status_code, "allowed" if allowed else "refused")
                )
    code = world["display_token"]
    for path, endpoint in (
        (f"/e/{code.lower()}", "home.enrol_display"),  # typed in lower case on a TV remote
        (f"/display/enrol/{code}", "display.enrol"),
    ):
        enrolled = client.get(path)
        if _refused(enrolled) != (role not in ALLOWED[endpoint]):
            wrong.append(("GET", path, enrolled.status_code, "enrol"))
    response = client.post("/logout")
    if _refused(response) != (role not in ALLOWED["auth.logout"]):
        wrong.append(("POST", "/logout", response.status_code, "logout"))
    assert wrong == [], (role, wrong)
