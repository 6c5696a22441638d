"""Hypothesis against the HTML forms and the path ids: whatever a careless or hostile client
sends, the answer is never a 500, and a refused request changes nothing in the database."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from reception.extensions import db as _db
from reception.models import Appointment, Case, Ticket, TicketEvent, Visitor
from tests.conftest import login

TABLES = (Ticket, TicketEvent, Case, Visitor, Appointment)
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
    "/registration/lookup": ["id_number", "no_id_card"],
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
    ],
    "/book/1": ["starts_at", "name", "phone", "id_number", "description", "day"],
    "/book/manage": ["code", "phone", "action", "starts_at", "day"],
    "/desk/1/tickets/1/transfer": ["service_id", "to_desk_id", "note"],
    "/desk/1/tickets/1/finish": ["outcome"],
    "/desk/1/tickets/1/cancel": ["note"],
    "/appointments/closures": ["day", "reason", "action"],
    "/cases/1/extend": ["days", "approver", "reason"],
    "/cases/1/leader": ["leader_id"],
    "/login": ["username", "password"],
}
PATHS = [
    "/book/{}",
    "/desk/{}",
    "/cases/{}",
    "/display/desk/{}",
    "/t/{}",
    "/kiosk/ticket/{}",
    "/book/done/{}",
    "/api/v1/tickets/{}",
    "/api/v1/services/{}/slots?day=2026-12-01",
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
