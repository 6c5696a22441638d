"""Hypothesis against the HTML forms and the path ids: whatever a careless or hostile client
sends, the answer is never a 500, and a refused request changes nothing in the database."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from reception.db.extensions import db as _db
from reception.models import (
    Appointment,
    Case,
    CaseHandover,
    CaseSupervision,
    Ticket,
    TicketEvent,
    Visitor,
)
from tests.helpers import login, user_by_name

TABLES = (Ticket, TicketEvent, Case, Visitor, Appointment, CaseHandover, CaseSupervision)
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e3",
    "²",
    "⑦",
    "١٢",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999",
    "\x00",
    "a\x00b",
    "1",
    "2",
    "on",
    "2026-02-30",
    "2026-12-02",
    "x" * 3000,
]
value = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str))
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FORMS = {
    "/kiosk/issue": ["service_id"],
    "/kiosk/checkin": ["code"],
    "/kiosk/checkin/card": ["id_number"],
    "/registration/lookup": ["id_number", "no_id_card", "card_name", "card_address"],
    "/registration/": [
        "name",
        "id_number",
        "phone",
        "account",
        "category",
        "department_id",
        "vulnerable",
        "group_size",
        "accusation",
        "accused_id",
        "representative",
        "route",
        "action",
        "purpose",
        "sms_consent",
    ],
    "/book/1": [
        *("starts_at", "name", "phone", "id_number", "description", "day", "remote_unit_id"),
        "notify_turn",
    ],
    "/cases/1/accepted": ["note", "decided_on", "late_reason"],
    "/password": ["current", "password", "confirm"],
    "/remote/present": [],
    "/book/manage": ["code", "phone", "action", "starts_at", "day"],
    "/desk/1/tickets/1/transfer": ["service_id", "to_desk_id", "note"],
    "/desk/1/tickets/1/finish": ["outcome"],
    "/desk/1/tickets/1/cancel": ["note"],
    "/appointments/closures": ["day", "reason", "action"],
    "/cases/1/extend": ["days", "approver", "reason"],
    "/cases/1/leader": ["leader_id"],
    "/cases/1/hand-down": ["to_department_id", "handover_kind", "due_on", "note"],
    "/cases/1/supervise": ["due_on", "note"],
    "/cases/1/supervision/end": ["note"],
    "/login": ["username", "password"],
}
PATHS = [
    "/book/{}",
    "/desk/{}",
    "/cases/{}",
    "/display/desk/{}",
    "/t/{}",
    "/kiosk/ticket/{}",
    "/kiosk/units/{}",
    "/supervisor/follow-ups/{}/phone",
    "/book/done/{}",
    "/api/v1/tickets/{}",
    "/api/v1/services/{}/slots?day=2026-12-01",
    "/h/{}/kiosk/",
    "/h/{}/api/v1/services",
]


def _counts() -> tuple[int, ...]:
    _db.session.rollback()
    return tuple(_db.session.scalar(select(func.count()).select_from(t)) for t in TABLES)


def _as_admin(client) -> None:
    with client.session_transaction() as session:
        logged_in = "_user_id" in session
    if not logged_in:
        login(client, "admin")


@FUZZ
@given(
    path=st.sampled_from(sorted(FORMS)),
    data=st.data(),
)
def test_forms_never_answer_500_and_a_refusal_changes_nothing(client, db, path, data):
    _as_admin(client)
    fields = FORMS[path]
    form = {name: data.draw(value, label=name) for name in fields}
    before = _counts()
    response = client.post(path, data=form)
    assert response.status_code < 500, (path, form, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert _counts() == before, (path, form)


@FUZZ
@given(
    pattern=st.sampled_from(PATHS),
    raw=st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(NASTY),
        st.text(min_size=1, max_size=30),
    ),
)
def test_path_ids_never_answer_500(client, db, pattern, raw):
    _as_admin(client)
    path = pattern.format(quote(raw, safe=""))
    for method in ("GET", "POST"):
        response = client.open(path, method=method)
        assert response.status_code < 500, (method, path, response.get_data(as_text=True)[:300])


# --- the second wave's pages: administration, ratings, reports, video ---------------------

SETUP_TABLES = (
    "services", "desks", "users", "slot_templates", "leader_days", "display_devices",
    "remote_units", "ratings", "follow_ups", "video_sessions", "recording_chunks", "closures",
    "alerts", "tickets", "cases",
)  # fmt: skip


def _setup_counts() -> tuple[int, ...]:
    from sqlalchemy import text

    _db.session.rollback()
    return tuple(
        _db.session.scalar(text(f"SELECT count(*) FROM {table}")) for table in SETUP_TABLES
    )


def _world() -> dict[str, object]:
    """A served visit, its bad rating and call-back, and a video session: what the second
    wave's forms act on (made once per test, on the first example)."""
    from reception.models import FollowUp, RemoteUnit, VideoSession
    from reception.models.types import utcnow
    from reception.oversight import ratings
    from reception.queue import moves
    from reception.video import sessions as video
    from tests.helpers import commit, desk_by_number, issue, service_by_prefix, user_by_name

    found = _db.session.scalars(select(VideoSession)).first()
    if found is None:
        hall_id = service_by_prefix("B").hall_id
        served = issue(hall_id, service_by_prefix("B").id, utcnow(), outside_hours=True)
        desk = desk_by_number(2).id
        moves.call_ticket(desk, served.id)
        moves.start(served.id, desk_id=desk)
        commit(moves.finish(served.id, "已答复", desk_id=desk))
        commit(ratings.rate(_db.session.get(Ticket, served.id), 1, 1, "", utcnow()))
        unit = _db.session.scalars(select(RemoteUnit)).first()
        called = issue(hall_id, service_by_prefix("V").id, utcnow(), outside_hours=True)
        commit(video.choose_unit(called, unit.id))
        video_desk = desk_by_number(14).id
        commit(moves.call_ticket(video_desk, called.id))
        call = commit(
            video.start(video_desk, called.id, user_by_name("admin").id, unit.id, utcnow())
        )
        commit(video.answer(call.id, user_by_name("jiaoyu"), utcnow()))
        found = _db.session.get(VideoSession, call.id)
    served_ticket = _db.session.scalars(select(Ticket).where(Ticket.state == "finished")).first()
    return {
        "token": served_ticket.token,
        "ticket_id": served_ticket.id,
        "follow_up": _db.session.scalars(select(FollowUp.id)).first(),
        "session": found.id,
    }


SECOND_WAVE_FORMS = {
    "/admin/hall": ["name", "address", "timezone", "notice", "lobby_floor", "follow_up_days",
                    "pause_alert_minutes", "video_answer_seconds", "video_recording",
                    "recording_retention_days", "hours_0", "hours_3", "hours_6",
                    "region_code", "card_reader_url", "card_reader_kind"],
    "/admin/services/new": ["name", "name_en", "prefix", "kind", "waiting_area",
                            "wait_target_minutes", "notify_ahead", "active"],
    "/admin/desks/new": ["number", "name", "name_en", "floor", "location", "location_en",
                         "services", "active"],
    "/admin/staff/new": ["username", "display_name", "role", "department_id", "remote_unit_id",
                         "desks", "active"],
    "/admin/displays": ["name", "desk_id", "autoplay", "rater"],
    "/admin/appointments/templates": ["service_id", "weekdays", "start", "end", "slot_minutes",
                                      "capacity"],
    "/admin/appointments/leader-days": ["service_id", "day", "leader", "place", "matters",
                                       "start", "end", "slot_minutes", "capacity", "weeks"],
    "/admin/routing": ["rules"],
    "/admin/remote-units/new": ["name", "name_en", "sort_order", "active"],
    "/admin/halls": ["name", "code", "timezone"],
    "/t/{token}/rate/1": ["level", "comment", "reasons", "asked", "skip"],
    "/t/{token}/rate-case": ["level", "comment", "reasons", "asked", "skip"],
    "/supervisor/follow-ups/{follow_up}": ["outcome"],
    "/video/start": ["desk_id", "ticket_id", "unit_id"],
    "/video/{session}/outcome": ["outcome"],
}  # fmt: skip
REPORT_ARGS = [
    *("period", "day", "until", "group", "service", "table", "year"),
    *("fmt", "reversed_codes", "identity", "hall", "city"),
]
REPORT_PATHS = [
    *("/reports/", "/reports/export.csv", "/reports/export.xlsx", "/reports/annual.xlsx"),
    *("/reports/exports/ratings", "/reports/exports/petitions"),
]


@FUZZ
@given(path=st.sampled_from(sorted(SECOND_WAVE_FORMS)), data=st.data())
def test_the_second_waves_forms_never_answer_500(client, db, path, data):
    _as_admin(client)
    world = _world()
    form = {name: data.draw(value, label=name) for name in SECOND_WAVE_FORMS[path]}
    url = path.format(**world)
    if url.startswith("/video/"):
        login(client, "video" if "start" in url else "jiaoyu")
    before = _setup_counts()
    response = client.post(url, data=form)
    assert response.status_code < 500, (url, form, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert _setup_counts() == before, (url, form)
    if url.startswith("/video/"):
        login(client, "admin")


@FUZZ
@given(path=st.sampled_from(REPORT_PATHS), data=st.data())
def test_reports_never_answer_500_whatever_the_address(client, db, path, data):
    _as_admin(client)
    args = {name: data.draw(value, label=name) for name in REPORT_ARGS}
    response = client.get(path, query_string=args)
    assert response.status_code < 500, (path, args, response.get_data(as_text=True)[:300])


@FUZZ
@given(data=st.data())
def test_the_figures_and_exports_apis_never_answer_500_whatever_the_address(client, db, data):
    token = user_by_name("supervisor").new_api_token()
    _db.session.commit()
    path = data.draw(
        st.sampled_from(
            ["/api/v1/reports/figures", "/api/v1/exports/ratings", "/api/v1/exports/petitions"]
        )
    )
    names = ("period", "day", "until", "service_id", "reversed_codes", "identity")
    args = {name: data.draw(value, label=name) for name in names}
    response = client.get(path, query_string=args, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (args, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert response.get_json()["message"]


@FUZZ
@given(
    body=st.one_of(
        st.binary(max_size=2000),
        st.sampled_from([b"", b"\x1a\x45\xdf\xa3", b"%PDF-1.7", b"{}", b"[]", b"null"]),
        st.recursive(
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "name",
                            "services",
                            "desks",
                            "users",
                            "triage",
                            "timezone",
                            "opening_hours",
                            "appointments",
                            "prefix",
                            "number",
                            "role",
                        ]
                    ),
                    inner,
                    max_size=4,
                )
            ),
            max_leaves=20,
        ).map(lambda value: __import__("json").dumps(value).encode()),
    ),
    seq=st.integers(min_value=-5, max_value=200_000),
)
def test_uploads_never_answer_500(client, db, body, seq):
    import io

    _as_admin(client)
    world = _world()
    before = _setup_counts()
    answer = client.post("/admin/import", data={"description": (io.BytesIO(body), "h.json")})
    assert answer.status_code < 500, (body[:200], answer.get_data(as_text=True)[:300])
    if answer.status_code >= 400:
        assert _setup_counts() == before
    login(client, "admin")
    piece = client.post(f"/video/{world['session']}/recording/{seq}", data=body)
    assert piece.status_code < 500, (seq, body[:100])


@FUZZ
@given(data=st.data())
def test_the_texts_page_and_the_short_link_never_answer_500(client, db, data):
    """The administration's list of texts (state, page) and a text's short link, whatever
    the address says; a resend of whatever id is refused cleanly."""
    _as_admin(client)
    args = {name: data.draw(value, label=name) for name in ("state", "page")}
    response = client.get("/admin/texts", query_string=args)
    assert response.status_code < 500, (args, response.get_data(as_text=True)[:300])
    link = data.draw(st.text(max_size=12).filter(lambda t: "/" not in t and "?" not in t))
    short = client.get(f"/s/{quote(link, safe='')}")
    assert short.status_code in (303, 404, 422), link  # 422: a NUL, refused by the guard
    number = data.draw(st.integers(1, 2**31))
    assert client.post(f"/admin/texts/{number}/again").status_code in (303, 404)


ONLINE_TABLES = ("online_petitions", "online_files", "material_requests", "reply_ratings", "cases")
ONLINE_FORMS = {
    "/online/": [
        *("name", "id_number", "phone", "code", "request", "facts", "category", "purpose"),
        *("department_id", "accusation", "place", "group_size", "representatives"),
    ],
    "/online/code": ["phone"],
    "/online/lookup": ["query_code", "phone"],
    "/online/matter/rate": ["unit", "office"],
    "/online/matter/ask/review": ["reason"],
    "/online/matter/ask/recheck": ["reason"],
    "/online/matter/material/{request}": ["answer"],
    "/cases/online/{petition}/register": [
        *("category", "purpose", "department_id", "urgent", "accusation", "accused_id"),
    ],
    "/cases/online/{petition}/material": ["text"],
}
# likely values beside the nasty ones, so that examples get past the first check
ONLINE_GOOD = {
    "name": "王小明",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "code": "123456",
    "request": "维修",
    "facts": "漏水",
    "category": "住房",
    "purpose": "求决",
    "group_size": "1",
    "unit": "bad",
    "office": "fair",
    "query_code": "ABCD-EFGH-JKMN",
}


def _png(size: int = 8) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "red").save(buffer, "PNG")
    return buffer.getvalue()


attachment = st.tuples(
    st.one_of(st.text(max_size=30), st.sampled_from(["a.png", "b.pdf", "", "../../x.jpg"])),
    st.one_of(
        st.binary(max_size=3000),
        st.sampled_from([b"", b"%PDF-1.7\n%%EOF", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"]),
        st.just(_png()),
        st.binary(max_size=200).map(lambda tail: _png()[:60] + tail),
    ),
)


def _online_world(client) -> dict[str, object]:
    """A matter sent online and still in the inbox, a phone code `123456` waiting for it, and
    this browser holding its page open (as after the look-up)."""
    from datetime import timedelta

    from reception.models import Case, MaterialRequest, OnlinePetition, PhoneCode
    from reception.models.types import utcnow
    from reception.online import codes
    from tests.test_permissions import online_matter

    petition = _db.session.scalars(select(OnlinePetition)).first()
    if petition is None:
        registrar = client.application.test_client()
        login(registrar, "registrar")
        from tests.test_registration_pages import _form

        registrar.post("/registration/", data=_form())
        petition, _file, _asked = online_matter(
            _db.session.scalars(select(Case)).first(), registered=False
        )
    for code in _db.session.scalars(select(PhoneCode)):
        _db.session.delete(code)
    _db.session.add(
        PhoneCode(
            hall_id=petition.hall_id,
            phone_hash=petition.phone_hash,
            remote_hash="-",
            code_hash=codes._hash("13800138000", "123456"),
            sent_at=utcnow() - timedelta(minutes=5),
            expires_at=utcnow() + timedelta(minutes=5),
        )
    )
    _db.session.commit()
    with client.session_transaction() as session:
        session["online_access"] = {"p": petition.id, "c": None, "until": 2**40}
    asked = _db.session.scalars(select(MaterialRequest.id)).first()
    return {"petition": petition.id, "request": asked}


def _online_counts() -> tuple[int, ...]:
    from sqlalchemy import text

    _db.session.rollback()
    return tuple(
        _db.session.scalar(text(f"SELECT count(*) FROM {table}")) for table in ONLINE_TABLES
    )


@settings(FUZZ, max_examples=200)
@given(
    path=st.sampled_from(sorted(ONLINE_FORMS)),
    data=st.data(),
    files=st.lists(attachment, max_size=7),
)
def test_the_online_door_never_answers_500_and_a_refusal_stores_nothing(
    client, db, path, data, files
):
    """Every form of the online door and of its inbox, with or without attachments, the page's
    script or none: never a 500; refused, nothing of the matter is stored."""
    import io

    _as_admin(client)
    world = _online_world(client)
    fields = ONLINE_FORMS[path]
    # a few fields spoiled, the others as a person fills them in: examples reach the code, the
    # files and the storing, not only the first field's check
    spoiled = data.draw(st.sets(st.sampled_from(fields), max_size=2), label="spoiled")
    form: dict[str, object] = {
        name: (
            ONLINE_GOOD[name]
            if name in ONLINE_GOOD and name not in spoiled
            else data.draw(value, label=name)
        )
        for name in fields
    }
    url = path.format(**world)
    if "files" not in url and url in ("/online/", f"/online/matter/material/{world['request']}"):
        form["files"] = [(io.BytesIO(content), name) for name, content in files]
    headers = {"X-Requested-With": "fetch"} if data.draw(st.booleans(), label="script") else {}
    before = _online_counts()
    response = client.post(url, data=form, headers=headers, content_type="multipart/form-data")
    event(f"{path} {response.status_code}")
    assert response.status_code < 500, (url, form, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert _online_counts() == before, (url, form)


@FUZZ
@given(raw=st.one_of(value, st.text(max_size=80)))
def test_the_online_pages_paths_never_answer_500(client, db, raw):
    _as_admin(client)
    _online_world(client)
    for pattern in (
        "/cases/online/{}",
        "/cases/online/files/{}",
        "/online/matter/notice/{}",
        "/online/matter/ask/{}",
        "/s/{}",
        "/t/{}/matter",
    ):
        url = pattern.format(quote(raw, safe=""))
        response = client.get(url) if "ask" not in url else client.post(url)
        assert response.status_code < 500, (url, response.get_data(as_text=True)[:300])
