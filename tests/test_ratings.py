"""Rating a visit on the phone (five levels, one a leg, changeable for ten minutes) and the
follow-up a bad rating opens for the supervisor."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from reception.core.errors import IllegalMove, InvalidInput
from reception.db.extensions import db as _db
from reception.models import FollowUp, Rating, Ticket
from reception.models.types import utcnow
from reception.oversight import ratings
from reception.queue import moves
from tests.helpers import commit, desk_by_number, issue, login, service_by_prefix, user_by_name


def _served(hall, prefix="B", desk=2) -> Ticket:
    ticket = issue(hall.id, service_by_prefix(prefix).id, utcnow())
    at = desk_by_number(desk).id
    moves.call_next(at, staff_id=user_by_name("desk").id)
    moves.start(ticket.id, desk_id=at, staff_id=user_by_name("desk").id)
    commit(None)
    return ticket


def test_five_levels_one_a_leg_changeable_for_ten_minutes(db, hall):
    ticket = _served(hall)
    now = utcnow()
    with pytest.raises(IllegalMove):  # still being served
        ratings.rate(ticket, 1, 5, "", now)
    _db.session.rollback()
    moves.finish(ticket.id, "已答复", desk_id=desk_by_number(2).id)
    commit(None)
    with pytest.raises(InvalidInput):
        ratings.rate(ticket, 1, 6, "", now)
    rating = commit(ratings.rate(ticket, 1, 1, "态度不好", now))
    assert (rating.service_id, rating.desk_id, rating.staff_id) == (
        service_by_prefix("B").id,
        desk_by_number(2).id,
        user_by_name("desk").id,
    )
    follow_up = _db.session.scalars(select(FollowUp)).one()
    assert follow_up.due.weekday() < 5 and follow_up.due > date.today() - timedelta(days=1)
    commit(ratings.rate(ticket, 1, 4, "", now + timedelta(minutes=9)))  # changed its mind
    assert _db.session.scalars(select(FollowUp)).first() is None
    assert _db.session.scalar(select(Rating.level)) == 4
    with pytest.raises(IllegalMove):
        ratings.rate(ticket, 1, 2, "", now + timedelta(minutes=11))


def test_five_working_days_skip_weekends_and_closures(db, hall):
    from reception.models import Closure

    friday = date(2026, 11, 27)
    assert ratings.working_days_after(hall.id, friday, 5) == date(2026, 12, 4)
    _db.session.add(Closure(hall_id=hall.id, day=date(2026, 12, 1), reason="x"))
    _db.session.commit()
    assert ratings.working_days_after(hall.id, friday, 5) == date(2026, 12, 7)


def test_the_phone_rates_and_the_supervisor_follows_up(client, db, hall):
    ticket = _served(hall)
    moves.finish(ticket.id, "已答复", desk_id=desk_by_number(2).id)
    commit(None)
    page = client.get(f"/t/{ticket.token}").get_data(as_text=True)
    assert 'data-testid="rate-1-5"' in page and "非常不满意" in page
    bad = client.post(f"/t/{ticket.token}/rate/1", data={"level": "9"})
    assert bad.status_code == 303
    assert _db.session.scalars(select(Rating)).first() is None
    asked = client.post(f"/t/{ticket.token}/rate/1", data={"level": "2", "comment": "等太久"})
    # 不满意: first the question why, with the words kept; nothing stored yet
    assert asked.status_code == 200 and 'data-testid="rate-why-1"' in asked.get_data(True)
    assert "等太久</textarea>" in asked.get_data(as_text=True)
    assert _db.session.scalars(select(Rating)).first() is None
    client.post(
        f"/t/{ticket.token}/rate/1",
        data={"level": "2", "comment": "等太久", "asked": "1", "reasons": ["wait"]},
    )
    assert "不满意" in client.get(f"/t/{ticket.token}").get_data(as_text=True)
    assert _db.session.scalars(select(Rating)).one().reasons == "wait"
    assert client.post(f"/t/{ticket.token}/rate/7", data={"level": "5"}).status_code == 303
    login(client, "supervisor")
    board = client.get("/supervisor/follow-ups").get_data(as_text=True)
    assert ticket.number in board and "等太久" in board and "窗口工作人员" in board
    follow_up = _db.session.scalars(select(FollowUp)).one()
    empty = client.post(f"/supervisor/follow-ups/{follow_up.id}", data={"outcome": " "})
    assert empty.status_code == 422
    client.post(
        f"/supervisor/follow-ups/{follow_up.id}", data={"outcome": "已电话致歉并说明高峰时段"}
    )
    _db.session.expire_all()
    done = _db.session.get(FollowUp, follow_up.id)
    assert done.done_at is not None and done.done_by == user_by_name("supervisor").id


def test_a_rating_device_rates_only_what_its_desk_served(app, client, db, hall):
    from reception.models import DisplayDevice

    ticket = _served(hall)  # served at desk 2
    moves.finish(ticket.id, "已答复", desk_id=desk_by_number(2).id)
    commit(None)
    device = DisplayDevice(
        hall_id=hall.id, name="rater 8", desk_id=desk_by_number(8).id, rater=True
    )
    token = device.new_token(short=True)
    _db.session.add(device)
    _db.session.commit()
    assert client.get(f"/e/{token}").headers["Location"].endswith("/display/rate")
    assert client.get("/display/rate/pending").get_json() == {"pending": None}
    refused = client.post(f"/display/rate/{ticket.id}/1", data={"level": "1"})
    assert refused.status_code == 404
    assert _db.session.scalars(select(Rating)).first() is None
    lobby = app.test_client()  # an ordinary display is no rating device
    assert lobby.get("/display/rate").status_code == 403


def test_the_matter_is_rated_once_its_reply_is_given(client, db, hall):
    """Art. 21: from the same phone page, once the reply is given; one rating a matter."""
    from reception.models import Case, Visitor

    ticket = _served(hall)
    moves.finish(ticket.id, "已答复", desk_id=desk_by_number(2).id)
    visitor = Visitor(name="甲")
    _db.session.add(visitor)
    _db.session.flush()
    case = Case(
        hall_id=hall.id,
        visitor_id=visitor.id,
        registered_on=date(2026, 11, 2),
        account="…",
        category="住房",
        department_id=service_by_prefix("B").id,
        status="accepted",
        decided_on=date(2026, 11, 3),
    )
    _db.session.add(case)
    _db.session.flush()
    ticket = _db.session.get(Ticket, ticket.id)
    ticket.case_id = case.id
    commit(None)
    page = client.get(f"/t/{ticket.token}").get_data(as_text=True)
    assert 'data-testid="rate-case"' not in page  # no reply yet
    client.post(f"/t/{ticket.token}/rate-case", data={"level": "5"})
    assert _db.session.scalars(select(Rating).where(Rating.leg == 0)).first() is None

    case.replied_on = date(2026, 11, 20)
    commit(None)
    page = client.get(f"/t/{ticket.token}").get_data(as_text=True)
    assert 'data-testid="rate-case"' in page and case.number in page
    client.post(
        f"/t/{ticket.token}/rate-case",
        data={"level": "1", "comment": "答复太笼统", "asked": "1", "skip": "1"},
    )
    rating = _db.session.scalars(select(Rating).where(Rating.leg == 0)).one()
    assert (rating.case_id, rating.level, rating.service_id) == (
        case.id,
        1,
        service_by_prefix("B").id,
    )
    assert (rating.desk_id, rating.staff_id) == (None, None)  # the matter, not one desk
    assert _db.session.scalars(select(FollowUp)).one().rating_id == rating.id  # a call-back
    # a second ticket of the same matter cannot rate it again
    again = issue(hall.id, service_by_prefix("B").id, utcnow(), outside_hours=True)
    again.case_id = case.id
    commit(None)
    client.post(f"/t/{again.token}/rate-case", data={"level": "5"})
    assert len(_db.session.scalars(select(Rating).where(Rating.leg == 0)).all()) == 1


def test_the_rating_device_asks_about_a_leg_passed_on_to_another_desk(db, hall):
    """A leg can end with a transfer (to the lawyer, say): the desk that served it still asks."""
    ticket = _served(hall)  # served at desk 2
    now = utcnow()
    moves.transfer(ticket.id, service_id=service_by_prefix("L").id, desk_id=desk_by_number(2).id)
    commit(None)
    assert ratings.pending_at_desk(desk_by_number(2).id, now) is not None
    pending_ticket, leg = ratings.pending_at_desk(desk_by_number(2).id, utcnow())
    assert (pending_ticket.id, leg) == (ticket.id, 1)
    assert ratings.pending_at_desk(desk_by_number(11).id, utcnow()) is None  # not served there
    commit(ratings.rate(pending_ticket, 1, 4, "", utcnow(), channel="device"))
    assert ratings.pending_at_desk(desk_by_number(2).id, utcnow()) is None  # rated: dark again


def _rating_device(hall, desk: int):
    from reception.models import DisplayDevice

    device = DisplayDevice(
        hall_id=hall.id, name=f"rater {desk}", desk_id=desk_by_number(desk).id, rater=True
    )
    token = device.new_token(short=True)
    _db.session.add(device)
    _db.session.commit()
    return device, token


def test_a_rating_device_rates_only_the_visit_it_shows_once_and_never_over_the_phone(
    client, db, hall
):
    from reception.models import Alert

    earlier = _served(hall)  # desk 2 served it; the visitor rated it on the phone
    moves.finish(earlier.id, "已答复", desk_id=desk_by_number(2).id)
    commit(None)
    commit(ratings.rate(_db.session.get(Ticket, earlier.id), 1, 2, "等了两个小时", utcnow()))
    shown = _served(hall)
    moves.finish(shown.id, "已答复", desk_id=desk_by_number(2).id)
    commit(None)
    device, token = _rating_device(hall, 2)
    client.get(f"/e/{token}")
    assert client.get("/display/rate/pending").get_json()["pending"]["ticket_id"] == shown.id
    # a visit the desk served before, and rated by its visitor: not the device's to rate
    assert client.post(f"/display/rate/{earlier.id}/1", data={"level": "5"}).status_code == 404
    _db.session.expire_all()
    kept = _db.session.scalars(select(Rating).where(Rating.ticket_id == earlier.id)).one()
    assert (kept.level, kept.comment, kept.channel) == (2, "等了两个小时", "phone")
    assert _db.session.scalars(select(FollowUp)).one().rating_id == kept.id
    # the visit it shows: once
    assert client.post(f"/display/rate/{shown.id}/1", data={"level": "4"}).status_code == 200
    again = client.post(f"/display/rate/{shown.id}/1", data={"level": "1"})
    assert again.status_code == 404
    _db.session.expire_all()
    rated = _db.session.scalars(select(Rating).where(Rating.ticket_id == shown.id)).one()
    assert (rated.level, rated.channel, rated.device_id) == (4, "device", device.id)
    assert rated.rated_at is not None
    # nor does the phone replace what the device recorded
    answer = client.post(f"/t/{shown.token}/rate/1", data={"level": "1", "asked": "1"})
    assert answer.status_code in (303, 409)
    _db.session.expire_all()
    assert _db.session.get(Rating, rated.id).level == 4
    assert _db.session.scalars(select(Alert).where(Alert.kind == "rating")).all() != []


def test_a_bad_rating_changed_to_a_good_one_withdraws_its_alert(db, hall):
    from reception.models import Alert

    ticket = _served(hall)
    moves.finish(ticket.id, "已答复", desk_id=desk_by_number(2).id)
    commit(None)
    now = utcnow()
    rating = commit(ratings.rate(ticket, 1, 1, "", now, reasons=["wait", "attitude"]))
    assert rating.reasons == "wait,attitude"
    [alert] = _db.session.scalars(select(Alert).where(Alert.kind == "rating")).all()
    assert alert.rating_id == rating.id
    commit(ratings.rate(ticket, 1, 5, "", now + timedelta(minutes=3)))
    assert _db.session.scalars(select(Alert).where(Alert.kind == "rating")).all() == []
    assert _db.session.get(Rating, rating.id).reasons == ""
    with pytest.raises(InvalidInput):
        ratings.rate(ticket, 1, 1, "", now, reasons=["<script>"])


def test_a_call_back_shows_the_number_masked_until_a_recorded_look(client, db, hall):
    from reception.models import AuditEntry
    from reception.triage import registration, routing
    from reception.triage.registration import MatterInput, VisitorInput

    case, ticket = registration.register(
        hall,
        VisitorInput(name="王小明", id_number="440301199003070035", phone="13812345678"),
        MatterInput(
            account="漏水", category=routing.categories(hall)[0], route=[service_by_prefix("B").id]
        ),
        staff_id=user_by_name("registrar").id,
        categories=routing.categories(hall),
        elderly_age=70,
    )
    commit(None)
    desk = desk_by_number(2).id
    moves.call_ticket(desk, ticket.id)
    moves.start(ticket.id, desk_id=desk)
    commit(moves.finish(ticket.id, "已答复", desk_id=desk))
    commit(
        ratings.rate(_db.session.get(Ticket, ticket.id), 1, 1, "", utcnow(), reasons=["unsolved"])
    )
    follow_up = _db.session.scalars(select(FollowUp)).one()
    login(client, "supervisor")
    page = client.get("/supervisor/follow-ups").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page
    assert "问题没有解决" in page  # the reason the visitor chose
    shown = client.post(f"/supervisor/follow-ups/{follow_up.id}/phone")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert 'href="tel:13812345678"' in shown.get_data(as_text=True)
    [look] = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reveal_phone"))
    assert (look.staff_id, look.case_id) == (user_by_name("supervisor").id, case.id)
    assert "13812345678" not in client.get("/supervisor/follow-ups").get_data(as_text=True)
    login(client, "desk")
    assert client.post(f"/supervisor/follow-ups/{follow_up.id}/phone").status_code == 403
