"""Appointments: slots, the horizon, one booking per person, capacity under concurrency,
check-in windows, no-shows, moves, reminders, and the pages and API."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from reception.appointments import booking
from reception.appointments.checkin import check_in, sweep_no_shows
from reception.appointments.notify import send_reminders
from reception.appointments.slots import Policy, bookable_days, slots_for
from reception.core.clock import hall_day
from reception.core.errors import IllegalMove, InvalidInput, NotFound
from reception.db.extensions import db as _db
from reception.models import (
    Appointment,
    Closure,
    Hall,
    LeaderDay,
    OutboxMessage,
    Priority,
    SlotCount,
)
from reception.queue import moves
from reception.sms.gateways import NotifierGateway
from tests.helpers import commit, desk_by_number, issue, local, login, service_by_prefix

POLICY = Policy()
NOW = local("2026-11-26", "10:00")  # a Thursday


def _book(hall, prefix="A", when=("2026-11-27", "09:00"), phone="13812345678", **extra):
    result = booking.book(
        hall,
        service_by_prefix(prefix).id,
        local(*when),
        booking.Booker(name="赵六", phone=phone, **extra),
        policy=POLICY,
        now=NOW,
    )
    commit(None)
    return result


def test_slots_follow_templates_weekdays_closures_and_month_end(db, hall):
    service = service_by_prefix("A")
    friday = slots_for(hall, service, date(2026, 11, 27))
    assert [s.local_start.strftime("%H:%M") for s in friday][:3] == ["09:00", "09:30", "10:00"]
    assert len(friday) == 10 and all(s.capacity == 2 for s in friday)
    assert slots_for(hall, service, date(2026, 11, 28)) == []  # Saturday
    assert len(slots_for(hall, service, date(2026, 11, 30))) == 10  # month end, a Monday
    db.session.add(Closure(hall_id=hall.id, day=date(2026, 12, 1), reason="临时闭馆"))
    db.session.commit()
    assert slots_for(hall, service, date(2026, 12, 1)) == []
    assert slots_for(hall, service, date(2027, 1, 1)) == []  # 元旦, from the demo hall
    assert slots_for(hall, service, date(2026, 12, 2)) != []
    assert friday[0].starts_at.isoformat() == "2026-11-27T01:00:00+00:00"  # 09:00 Shanghai


def test_booking_horizon_and_cutoff(db, hall):
    days = bookable_days(hall, local("2026-11-26", "16:59"), POLICY)
    assert days[0] == date(2026, 11, 27) and days[-1] == date(2026, 12, 10)
    assert bookable_days(hall, local("2026-11-26", "17:00"), POLICY)[0] == date(2026, 11, 28)
    with pytest.raises(InvalidInput, match="tomorrow"):
        _book(hall, when=("2026-11-26", "14:00"))  # today
    with pytest.raises(InvalidInput):
        _book(hall, when=("2026-12-11", "09:00"))  # past the horizon
    with pytest.raises(NotFound):
        _book(hall, when=("2026-11-27", "09:10"))  # not a slot


def test_one_booking_per_person_per_service_per_day(db, hall):
    first = _book(hall)
    assert len(first.code) == 8 and first.state == "booked"
    with pytest.raises(IllegalMove):
        _book(hall, when=("2026-11-27", "10:00"))
    db.session.rollback()
    _book(hall, prefix="B")  # another service the same day is fine
    _book(hall, when=("2026-11-30", "09:00"))  # and the same service another day
    booking.cancel(first)
    commit(None)
    _book(hall, when=("2026-11-27", "10:00"))  # after cancelling, a new one is allowed


def test_capacity_is_enforced_and_a_move_frees_the_old_place(db, hall):
    _book(hall, phone="13800000001")
    second = _book(hall, phone="13800000002")
    with pytest.raises(IllegalMove, match="fully booked"):
        _book(hall, phone="13800000003")
    db.session.rollback()
    booking.move(hall, second, local("2026-11-27", "10:00"), policy=POLICY, now=NOW)
    commit(None)
    third = _book(hall, phone="13800000003")
    assert third.starts_at == local("2026-11-27", "09:00")
    taken = db.session.scalars(select(SlotCount.taken).order_by(SlotCount.starts_at)).all()
    assert taken == [2, 1]


def _race_for_last_place(app, hall_id: int, service_id: int, starts_at, threads: int = 8):
    results: list[str] = []

    def attempt(n: int) -> None:
        with app.app_context():
            hall = _db.session.get(Hall, hall_id)
            try:
                booking.book(
                    hall,
                    service_id,
                    starts_at,
                    booking.Booker(name="并发", phone=f"1390000{n:04d}"),
                    policy=POLICY,
                    now=NOW,
                )
                _db.session.commit()
                results.append("ok")
            except (IllegalMove, InvalidInput) as refused:
                _db.session.rollback()
                results.append(type(refused).__name__)
            finally:
                _db.session.remove()

    workers = [threading.Thread(target=attempt, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return results


def test_two_people_never_get_the_last_place_sqlite(app, db, hall):
    lawyer = service_by_prefix("L")  # capacity 1 per slot
    results = _race_for_last_place(app, hall.id, lawyer.id, local("2026-11-27", "09:00"))
    assert sorted(results) == ["IllegalMove"] * 7 + ["ok"]
    assert db.session.scalar(select(func.count(Appointment.id))) == 1


@pytest.mark.services
def test_two_people_never_get_the_last_place_postgresql(postgres_app):
    app, _ = postgres_app
    with app.app_context():
        hall = _db.session.scalars(select(Hall)).one()
        lawyer = service_by_prefix("L")
        hall_id, lawyer_id = hall.id, lawyer.id
        _db.session.remove()
    results = _race_for_last_place(app, hall_id, lawyer_id, local("2026-11-27", "09:00"))
    assert sorted(results) == ["IllegalMove"] * 7 + ["ok"]
    with app.app_context():
        assert _db.session.scalar(select(func.count(Appointment.id))) == 1
        _db.session.remove()


def test_check_in_early_on_time_late_and_no_show(db, hall):
    on_time = _book(hall, phone="13800000001", when=("2026-11-27", "10:00"))
    late = _book(hall, phone="13800000002", when=("2026-11-27", "10:00"))
    missed = _book(hall, phone="13800000003", when=("2026-11-27", "09:00"))
    with pytest.raises(IllegalMove) as early:
        check_in(hall, on_time.code, policy=POLICY, now=local("2026-11-27", "09:20"))
    assert early.value.params == {"time": "09:30"}
    with pytest.raises(IllegalMove) as wrong_day:
        check_in(hall, on_time.code, policy=POLICY, now=local("2026-11-26", "10:00"))
    assert wrong_day.value.params == {  # the day, and when to come that day
        "month": 11,
        "day": 27,
        "time": "10:00",
        "opens": "09:30",
        "closes": "10:15",
    }
    result = check_in(hall, on_time.code.lower(), policy=POLICY, now=local("2026-11-27", "09:30"))
    commit(None)
    assert not result.late and result.ticket.priority == Priority.APPOINTMENT
    with pytest.raises(IllegalMove, match="already used"):
        check_in(hall, on_time.code, policy=POLICY, now=local("2026-11-27", "09:40"))
    assert sweep_no_shows(hall, policy=POLICY, now=local("2026-11-27", "09:16")) == 1
    commit(None)
    assert db.session.get(Appointment, missed.id).state == "no_show"
    walk_in = check_in(hall, late.code, policy=POLICY, now=local("2026-11-27", "10:16"))
    commit(None)
    assert walk_in.late and walk_in.ticket.priority == Priority.WALK_IN
    with pytest.raises(NotFound):
        check_in(hall, "NOSUCH99", policy=POLICY, now=local("2026-11-27", "10:00"))


def test_appointment_ticket_is_called_before_an_earlier_walk_in(db, hall):
    appointment = _book(hall, when=("2026-11-27", "10:00"))
    walk_in = issue(hall.id, service_by_prefix("A").id, local("2026-11-27", "08:30"))
    ticket = check_in(hall, appointment.code, policy=POLICY, now=local("2026-11-27", "09:50"))
    commit(None)
    called = commit(moves.call_next(desk_by_number(1).id, now=local("2026-11-27", "09:55")))
    assert called.id == ticket.ticket.id != walk_in.id


def test_reminders_go_out_the_day_before_once(db, hall):
    _book(hall, when=("2026-11-27", "09:00"))
    _book(hall, phone="13800000009", when=("2026-11-30", "09:00"))
    assert send_reminders(hall, now=NOW) == 1
    assert send_reminders(hall, now=NOW) == 0
    commit(None)
    [message] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "reminder")
    ).all()
    assert "11月27日09:00" in message.body and message.phone == "13812345678"
    assert "赵六" not in message.body


def test_leader_days_are_bookable_and_published(client, db, hall):
    leader = service_by_prefix("Z")
    page = client.get("/book/leaders").get_data(as_text=True)
    assert "副市长 李明" in page and "三楼领导接待室" in page
    day = db.session.scalars(select(LeaderDay).order_by(LeaderDay.day)).first()
    slots = slots_for(hall, leader, day.day)
    assert slots and slots[0].leader_day_id == day.id and slots[0].capacity == 2


def test_booking_pages_and_bad_input(client, db, hall, monkeypatch):
    service = service_by_prefix("D")
    assert "市民政局" in client.get("/book/").get_data(as_text=True)
    page = client.get(f"/book/{service.id}").get_data(as_text=True)
    assert 'name="starts_at"' in page
    first = page[page.index('name="starts_at" value="') + 24 :].split('"', 1)[0]
    form = {"starts_at": first, "name": "钱七", "phone": "13812345678", "description": "低保"}
    bad = client.post(f"/book/{service.id}", data={**form, "phone": "123"})
    assert bad.status_code == 422 and "手机号码" in bad.get_data(as_text=True)
    done = client.post(f"/book/{service.id}", data=form)
    assert done.status_code == 302
    confirmation = client.get(done.headers["Location"]).get_data(as_text=True)
    code = done.headers["Location"].rsplit("/", 1)[1]
    assert code in confirmation and "<svg" in confirmation and "钱七" not in confirmation
    again = client.post(f"/book/{service.id}", data=form)
    assert again.status_code == 409 and "已有该窗口的预约" in again.get_data(as_text=True)
    wrong = client.post("/book/manage", data={"code": code, "phone": "13900000000"})
    assert wrong.status_code == 404
    found = client.post("/book/manage", data={"code": code, "phone": "13812345678"})
    assert found.status_code == 200 and "取消预约" in found.get_data(as_text=True)
    client.post("/book/manage", data={"code": code, "phone": "13812345678", "action": "cancel"})
    assert db.session.scalars(select(Appointment.state)).one() == "cancelled"


def test_appointment_api(client, db, hall, api_token):
    service = service_by_prefix("G")
    day = bookable_days(
        hall, __import__("reception.models.types", fromlist=["utcnow"]).utcnow(), POLICY
    )
    open_day = next(d for d in day if slots_for(hall, service, d))
    slots = client.get(f"/api/v1/services/{service.id}/slots?day={open_day}").get_json()
    assert slots["bookable"] and slots["slots"][0]["free"] == 2
    starts_at = slots["slots"][0]["starts_at"]
    body = {
        "service_id": service.id,
        "starts_at": starts_at,
        "name": "孙八",
        "phone": "13812345678",
    }
    assert client.post("/api/v1/appointments", json={**body, "starts_at": "9am"}).status_code == 422
    made = client.post("/api/v1/appointments", json=body)
    assert made.status_code == 201
    code = made.get_json()["appointment"]["code"]
    assert client.post("/api/v1/appointments", json=body).status_code == 409
    looked = client.post("/api/v1/appointments/lookup", json={"code": code, "phone": "13812345678"})
    assert looked.get_json()["appointment"]["state"] == "booked"
    assert (
        client.post("/api/v1/appointments/lookup", json={"code": code, "phone": "1"}).status_code
        == 404
    )
    second = slots["slots"][1]["starts_at"]
    moved = client.post(
        "/api/v1/appointments/move",
        json={"code": code, "phone": "13812345678", "starts_at": second},
    )
    assert moved.get_json()["appointment"]["starts_at"] == second
    assert client.post("/api/v1/appointments/checkin", json={"code": code}).status_code == 401
    early = client.post(
        "/api/v1/appointments/checkin",
        json={"code": code},
        headers={"Authorization": f"Bearer {api_token}"},
    )
    assert early.status_code == 409 and early.get_json()["message"]
    cancelled = client.post(
        "/api/v1/appointments/cancel", json={"code": code, "phone": "13812345678"}
    )
    assert cancelled.get_json()["appointment"]["state"] == "cancelled"


def test_the_id_card_checks_in_todays_booking_of_its_holder(db, hall):
    from reception.appointments.checkin import check_in_by_card

    booked = _book(
        hall, when=("2026-11-27", "10:00"), id_number="110101199003074514", notify_turn=True
    )
    _book(hall, phone="13800000002", when=("2026-11-27", "10:00"))  # someone else, no card
    with pytest.raises(NotFound, match="No booking today"):
        check_in_by_card(
            hall, "110101199003074514", policy=POLICY, now=local("2026-11-26", "10:00")
        )
    with pytest.raises(InvalidInput):
        check_in_by_card(
            hall, "110101199003074515", policy=POLICY, now=local("2026-11-27", "10:00")
        )
    result = check_in_by_card(
        hall, "110101199003074514", policy=POLICY, now=local("2026-11-27", "09:45")
    )
    commit(None)
    assert result.appointment.id == booked.id and result.ticket.priority == Priority.APPOINTMENT
    assert result.ticket.notify  # they asked for a text when their turn is near
    with pytest.raises(NotFound):  # used: nothing more to check in today
        check_in_by_card(
            hall, "110101199003074514", policy=POLICY, now=local("2026-11-27", "09:50")
        )


def test_kiosk_checkin_page_reports_errors(client, db):
    page = client.get("/kiosk/checkin")
    assert page.status_code == 200 and 'data-testid="scan-field"' in page.get_data(as_text=True)
    wrong = client.post("/kiosk/checkin", data={"code": "NOSUCH99"})
    assert wrong.status_code == 404 and "没有这个预约码" in wrong.get_data(as_text=True)


def test_booking_without_a_time_is_a_form_error(client, db):
    service = service_by_prefix("D")
    response = client.post(f"/book/{service.id}", data={"name": "钱七", "phone": "13812345678"})
    assert response.status_code == 422 and "请选择时段" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Appointment.id))) == 0


def test_staff_day_view_shows_each_state(client, db, hall):
    served = _book(hall, phone="13800000001", when=("2026-11-27", "09:00"))
    _book(hall, phone="13800000002", when=("2026-11-27", "09:30"))
    cancelled = _book(hall, phone="13800000003", when=("2026-11-27", "10:00"))
    booking.cancel(cancelled)
    result = check_in(hall, served.code, policy=POLICY, now=local("2026-11-27", "08:40"))
    commit(None)
    ticket = result.ticket
    commit(moves.call_ticket(desk_by_number(1).id, ticket.id, now=local("2026-11-27", "08:45")))
    commit(moves.start(ticket.id, now=local("2026-11-27", "08:46")))
    commit(moves.finish(ticket.id, "已答复", now=local("2026-11-27", "09:00")))
    login(client, "registrar")
    page = client.get("/appointments/?day=2026-11-27").get_data(as_text=True)
    assert "已办结" in page and "已预约" in page and "已取消" in page
    assert "赵*" in page and "138****0001" in page and "13800000001" not in page


def test_admin_edits_the_closure_list(client, db, hall):
    login(client, "admin")
    # a coming day that has bookable times (closing a past day is refused)
    today = datetime.now(ZoneInfo(hall.timezone)).date()
    coming = (today + timedelta(days=n) for n in range(1, 15))
    day = next(d for d in coming if slots_for(hall, service_by_prefix("A"), d))
    client.post("/appointments/closures", data={"day": day.isoformat(), "reason": "停电检修"})
    assert slots_for(hall, service_by_prefix("A"), day) == []
    bad = client.post("/appointments/closures", data={"day": "12/02"}, follow_redirects=True)
    assert "YYYY-MM-DD" in bad.get_data(as_text=True)
    client.post("/appointments/closures", data={"day": day.isoformat(), "action": "remove"})
    assert slots_for(hall, service_by_prefix("A"), day) != []
    client.post("/logout")
    login(client, "registrar")
    assert client.post("/appointments/closures", data={"day": "2026-12-03"}).status_code == 403


class RecordingNotifier:
    channel = "test"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, body: str) -> str:
        self.sent.append((phone, body))
        return self.channel

    def reminded(self) -> list[str]:
        return [phone for phone, body in self.sent if body.startswith("提醒")]


def test_a_reminder_is_sent_only_after_its_record_is_committed(app, db, hall, monkeypatch):
    from reception import jobs

    _book(hall, when=("2026-11-27", "09:00"))
    notifier = RecordingNotifier()
    monkeypatch.setattr(jobs, "load_gateway", lambda config: NotifierGateway(notifier))
    assert send_reminders(hall, now=NOW) == 1
    db.session.rollback()  # the transaction failed: nothing was recorded, nothing goes out
    jobs.deliver_texts(app, NOW)
    assert notifier.reminded() == []
    assert send_reminders(hall, now=NOW) == 1  # and the reminder is still due
    db.session.commit()
    jobs.deliver_texts(app, NOW)
    assert notifier.reminded() == ["13812345678"]


def test_the_schedule_sweeps_and_reminds_and_a_get_never_does(app, client, db, hall, monkeypatch):
    from reception import jobs as schedule

    missed = _book(hall, when=("2026-11-27", "09:00"))
    _book(hall, prefix="B", phone="13800000009", when=("2026-11-30", "09:00"))
    login(client, "registrar")
    assert client.get("/appointments/?day=2026-11-27").status_code == 200
    db.session.refresh(missed)
    assert missed.state == "booked"  # reading the day's list changed nothing
    notifier = RecordingNotifier()
    monkeypatch.setattr(schedule, "load_gateway", lambda config: NotifierGateway(notifier))
    assert schedule.run_duties(app, now=local("2026-11-29", "09:00")) == (1, 0)  # too early
    assert schedule.run_duties(app, now=local("2026-11-29", "16:00")) == (0, 1)
    db.session.refresh(missed)
    assert missed.state == "no_show" and notifier.reminded() == ["13800000009"]
    assert schedule.run_duties(app, now=local("2026-11-29", "16:05")) == (0, 0)


def test_a_failing_duty_leaves_the_others_done(app, db, hall, monkeypatch, caplog):
    """The timed duties are transactions of their own: a recordings purge that fails no longer
    rolls back the no-show sweep and the reminders of the same round."""
    from reception import jobs

    missed = _book(hall, when=("2026-11-27", "09:00"))
    _book(hall, prefix="B", phone="13800000009", when=("2026-11-30", "09:00"))
    notifier = RecordingNotifier()
    monkeypatch.setattr(jobs, "load_gateway", lambda config: NotifierGateway(notifier))

    def broken(hall, now):
        raise OSError("the recordings disk is gone")

    monkeypatch.setattr(jobs.recordings, "purge", broken)
    assert jobs.run_duties(app, now=local("2026-11-29", "16:00")) == (1, 1)
    db.session.expire_all()
    assert db.session.get(type(missed), missed.id).state == "no_show"
    assert notifier.reminded() == ["13800000009"]
    assert (
        "recordings past retention" in caplog.text and "the recordings disk is gone" in caplog.text
    )


def test_the_scheduler_thread_runs_the_duties_until_stopped(tmp_path, monkeypatch):
    import threading

    from reception import create_app
    from reception import jobs as schedule
    from tests.helpers import base_config

    rounds = threading.Event()
    monkeypatch.setattr(schedule, "run_duties", lambda app: rounds.set())
    app = create_app({**base_config(f"sqlite:///{tmp_path}/s.sqlite3"), "SCHEDULE_SECONDS": 0})
    scheduler = schedule.Scheduler(app)
    scheduler.start()
    assert rounds.wait(5)
    scheduler.stop()


def _next_weekday(after: int) -> date:
    from datetime import timedelta

    from reception.core.clock import hall_day
    from reception.models.types import utcnow

    day = hall_day("Asia/Shanghai", utcnow()) + timedelta(days=after)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def test_closing_a_day_with_bookings_confirms_cancels_tells_and_unpublishes(client, db, hall):
    from datetime import datetime, time, timedelta

    from reception.models.types import utcnow

    day = _next_weekday(3)
    start = datetime.combine(day, time(9, 0), tzinfo=local("2026-11-26", "09:00").tzinfo)
    kept = booking.book(
        hall,
        service_by_prefix("A").id,
        start,
        booking.Booker(name="赵六", phone="13812345678"),
        policy=Policy(horizon_days=30),
        now=utcnow(),
    )
    leader = service_by_prefix("Z")
    _db.session.add(
        LeaderDay(
            hall_id=hall.id,
            service_id=leader.id,
            day=day,
            leader="副市长 王五",
            place="三楼",
            matters="城建",
            start=time(9, 0),
            end=time(11, 0),
        )
    )
    commit(None)
    assert "副市长 王五" in client.get("/book/").get_data(as_text=True)
    login(client, "admin")
    viewing = (day - timedelta(days=1)).isoformat()
    asked = client.post(
        "/appointments/closures",
        data={"day": day.isoformat(), "reason": "停电检修", "viewing": viewing},
    )
    page = asked.get_data(as_text=True)
    assert asked.status_code == 409 and 'data-testid="confirm-closure"' in page
    assert "1" in page and "取消" in page
    _db.session.expire_all()
    assert _db.session.scalars(select(Closure).where(Closure.day == day)).first() is None
    assert _db.session.get(Appointment, kept.id).state == "booked"
    done = client.post(
        "/appointments/closures",
        data={"day": day.isoformat(), "reason": "停电检修", "confirm": "1", "viewing": viewing},
    )
    assert done.status_code == 303 and done.headers["Location"].endswith(f"day={viewing}")
    _db.session.expire_all()
    assert _db.session.get(Appointment, kept.id).state == "cancelled"
    [message] = _db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.appointment_id == kept.id, OutboxMessage.kind == "closure"
        )
    ).all()
    # the reason is the booking page's to say: a text's variables hold six characters at most
    assert "闭馆" in message.body and "已取消" in message.body and kept.code in message.body
    assert "副市长 王五" not in client.get("/book/").get_data(as_text=True)
    assert "副市长 王五" not in client.get("/book/leaders").get_data(as_text=True)
    # a kept link to that leader day says the day is closed, never shows another day's times
    link = client.get(f"/book/{leader.id}?day={day.isoformat()}")
    text = link.get_data(as_text=True)
    assert link.status_code == 409 and "停电检修" in text and "starts_at" not in text


def test_a_past_day_cannot_be_closed_or_reopened(client, db, hall):
    login(client, "admin")
    response = client.post(
        "/appointments/closures",
        data={"day": "2020-01-06", "reason": "x", "viewing": "2026-11-30"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("day=2026-11-30")
    assert (
        _db.session.scalars(select(Closure).where(Closure.day == date(2020, 1, 6))).first() is None
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "过去" in page


def test_booking_pages_show_the_weekday_address_and_id_card(client, db, hall):
    page = client.get(f"/book/{service_by_prefix('A').id}").get_data(as_text=True)
    assert "周" in page  # each bookable day with its weekday
    day = _next_weekday(2)
    from datetime import datetime, time

    from reception.models.types import utcnow

    start = datetime.combine(day, time(9, 0), tzinfo=local("2026-11-26", "09:00").tzinfo)
    made = booking.book(
        hall,
        service_by_prefix("A").id,
        start,
        booking.Booker(name="赵六", phone="13812345679"),
        policy=Policy(horizon_days=30),
        now=utcnow(),
    )
    commit(None)
    done = client.get(f"/book/done/{made.code}").get_data(as_text=True)
    assert "请携带身份证" in done and "人民路 1 号" in done and "星期" in done


def test_slots_outside_the_opening_hours_are_never_offered(client, db, hall):
    from reception.models import SlotTemplate

    hall.opening_hours = {str(d): [["08:30", "12:00"], ["13:30", "17:30"]] for d in range(5)}
    lawyer = service_by_prefix("L")
    _db.session.add(
        SlotTemplate(
            service_id=lawyer.id,
            weekdays="2,5",
            start=datetime(1, 1, 1, 9).time(),
            end=datetime(1, 1, 1, 17).time(),
            slot_minutes=30,
            capacity=1,
        )
    )
    _db.session.commit()
    wednesday, saturday = date(2026, 12, 2), date(2026, 12, 5)
    offered = [s.local_start.strftime("%H:%M") for s in slots_for(hall, lawyer, wednesday)]
    assert "11:30" in offered and "13:30" in offered and "16:30" in offered
    assert not {"12:00", "12:30", "13:00"} & set(offered)  # the lunch break
    assert [s for s in slots_for(hall, lawyer, saturday) if s.leader_day_id is None] == []
    with pytest.raises((InvalidInput, IllegalMove, NotFound)):  # nor is the lunch break booked
        booking.book(
            hall,
            lawyer.id,
            local("2026-12-02", "12:00"),
            booking.Booker(name="王", phone="13812345678"),
            policy=POLICY,
            now=local("2026-11-30", "09:00"),
        )
    _db.session.rollback()

    login(client, "admin")
    template = {"service_id": lawyer.id, "slot_minutes": "30", "capacity": "1"}
    lunch = client.post(
        "/admin/appointments/templates",
        data={**template, "weekdays": ["3"], "start": "12:00", "end": "13:30"},
    )
    assert lunch.status_code == 422 and "开放时间" in lunch.get_data(as_text=True)
    weekend = client.post(
        "/admin/appointments/templates",
        data={**template, "weekdays": ["6"], "start": "09:00", "end": "11:00"},
    )
    assert weekend.status_code == 422
    partly = client.post(
        "/admin/appointments/templates",
        data={**template, "weekdays": ["3"], "start": "11:00", "end": "14:30"},
        follow_redirects=True,
    )
    assert partly.status_code == 200
    assert "3 个时段在开放时间以外" in partly.get_data(as_text=True)  # 12:00, 12:30, 13:00


def test_a_refused_staff_check_in_stays_on_the_day_being_viewed(client, db, hall):
    from reception.models.types import utcnow

    day = hall_day(hall.timezone, utcnow()) + timedelta(days=6)
    appointment = Appointment(
        hall_id=hall.id, service_id=service_by_prefix("A").id, day=day,
        starts_at=datetime.combine(day, datetime.min.time(), ZoneInfo("Asia/Shanghai"))
        + timedelta(hours=9),
        code="ABCDEFGH", name="赵六", phone="13812345678", phone_hash="x" * 64,
    )  # fmt: skip
    _db.session.add(appointment)
    _db.session.commit()
    login(client, "registrar")
    page = client.get(f"/appointments/?day={day.isoformat()}").get_data(as_text=True)
    assert f'name="viewing" value="{day.isoformat()}"' in page
    # six days early: refused, and the page stays on the day being viewed
    refused = client.post(
        f"/appointments/{appointment.id}/checkin", data={"viewing": day.isoformat()}
    )
    assert refused.status_code == 303
    assert refused.headers["Location"].endswith(f"/appointments/?day={day.isoformat()}")
