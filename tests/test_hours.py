"""Opening hours: the kiosk and the API give numbers only while the centre is open (lunch break
included); the registrar may still issue, and it is recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from reception.core.errors import IllegalMove, InvalidInput
from reception.db.extensions import db as _db
from reception.models import AuditEntry, Closure, Hall, Ticket
from reception.queue import hours
from reception.queue.issuing import issue_ticket
from tests.helpers import local, login, refused_at_kiosk, service_by_prefix

WEEK = {str(d): [["08:30", "12:00"], ["13:30", "17:30"]] for d in range(5)}


def _hall_with_hours(hall: Hall) -> Hall:
    hall.opening_hours = WEEK
    _db.session.commit()
    return hall


def test_open_lunch_closed_evening_weekend_and_holiday(db, hall):
    _hall_with_hours(hall)
    monday = "2026-11-23"
    assert hours.is_open(hall, local(monday, "08:30"))
    assert not hours.is_open(hall, local(monday, "08:29"))
    assert not hours.is_open(hall, local(monday, "12:30"))  # lunch
    assert hours.next_opening(hall, local(monday, "12:30")).strftime("%H:%M") == "13:30"
    with pytest.raises(IllegalMove) as lunch:
        issue_ticket(hall.id, service_by_prefix("A").id, now=local(monday, "12:30"))
    assert lunch.value.params == {"time": "13:30"}
    friday_evening = local("2026-11-27", "18:00")
    opening = hours.next_opening(hall, friday_evening)
    assert (opening.weekday(), opening.strftime("%H:%M")) == (0, "08:30")  # Monday morning
    _db.session.rollback()
    _db.session.add(Closure(hall_id=hall.id, day=datetime(2026, 11, 30).date(), reason="调休"))
    _db.session.commit()
    opening = hours.next_opening(hall, friday_evening)
    assert opening.date().isoformat() == "2026-12-01"  # the holiday Monday is skipped
    assert issue_ticket(hall.id, service_by_prefix("A").id, now=local(monday, "09:00"))


def test_hours_are_written_as_text_and_bad_text_refused():
    assert hours.parse_day("08:30-12:00 13:30-17:30") == [["08:30", "12:00"], ["13:30", "17:30"]]
    assert hours.parse_day("") == []
    for bad in ("8:30-12", "12:00-08:00", "08:00-12:00 11:00-13:00", "25:00-26:00"):
        with pytest.raises(InvalidInput):
            hours.parse_day(bad)


def test_the_kiosk_and_the_api_are_closed_the_registrar_is_not(client, db, hall, api_token):
    always_closed = {str(d): [["00:00", "00:01"]] for d in range(7)}
    hall.opening_hours = always_closed
    _db.session.commit()
    kiosk = client.get("/kiosk/").get_data(as_text=True)
    assert 'data-testid="kiosk-closed"' in kiosk and "00:00" in kiosk
    assert 'name="service_id"' not in kiosk
    refused = refused_at_kiosk(client, {"service_id": service_by_prefix("A").id})
    assert "开放" in refused
    api = client.post(
        "/api/v1/tickets",
        json={"service_id": service_by_prefix("A").id},
        headers={"Authorization": f"Bearer {api_token}"},
    )
    assert api.status_code == 409 and api.get_json()["error"] == "illegal_move"
    assert _db.session.scalars(select(Ticket)).first() is None
    from tests.test_registration_pages import _form

    login(client, "registrar")
    assert client.post("/registration/", data=_form()).status_code == 302
    assert _db.session.scalars(select(Ticket)).first() is not None
    assert _db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "issue_outside_hours")
    ).first()


def test_the_admin_sets_the_hours(client, db, hall):
    login(client, "admin")
    page = client.get("/admin/hall").get_data(as_text=True)
    assert 'data-testid="opening-hours"' in page
    base = {"name": hall.name, "timezone": "Asia/Shanghai", "lobby_floor": "1"}
    bad = client.post("/admin/hall", data={**base, "hours_0": "8-12"})
    assert bad.status_code == 422 and "08:30-12:00" in bad.get_data(as_text=True)
    week = {f"hours_{d}": "08:30-12:00 13:30-17:30" for d in range(5)}
    assert client.post("/admin/hall", data={**base, **week}).status_code == 303
    _db.session.expire_all()
    assert _db.session.get(Hall, hall.id).opening_hours == WEEK
    assert "13:30-17:30" in client.get("/admin/hall").get_data(as_text=True)
    _ = timedelta


def test_the_kiosk_knows_when_it_next_closes_and_opens(client, db, hall):
    _hall_with_hours(hall)
    monday = "2026-11-23"
    assert hours.next_change(hall, local(monday, "11:59")) == local(monday, "12:00")
    assert hours.next_change(hall, local(monday, "12:00")) == local(monday, "13:30")
    assert hours.next_change(hall, local(monday, "17:00")) == local(monday, "17:30")
    assert hours.next_closing(hall, local(monday, "18:00")) is None
    hall.opening_hours = {str(d): [["00:00", "24:00"]] for d in range(7)}
    _db.session.commit()
    assert hours.next_change(hall, local(monday, "23:00")) == local("2026-11-24", "00:00")
    hall.opening_hours = {}
    _db.session.commit()
    assert hours.next_change(hall, local(monday, "23:00")) is None  # always open
    page = client.get("/kiosk/").get_data(as_text=True)
    assert 'data-change-in="0"' in page
