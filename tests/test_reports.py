"""Every report figure against values computed by hand on a small fixed data set, on SQLite and
on PostgreSQL: a day boundary in Asia/Shanghai (a visit at 00:10 that UTC files under the day
before), a no-show who came back, a transfer, an extension, a review, a bad rating's follow-up.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from reception.db.extensions import db as _db
from reception.models import Case, FollowUp, Hall, Ticket, Visitor
from reception.oversight import ratings, reports
from reception.queue import moves
from tests.helpers import commit, desk_by_number, issue, local, service_by_prefix, user_by_name

TUE, WED = "2026-11-17", "2026-11-18"
TODAY = date(2026, 11, 24)


def _serve(ticket_id, desk, called, started, ended=None, staff=None):
    moves.call_ticket(desk, ticket_id, staff_id=staff, now=called)
    moves.start(ticket_id, desk_id=desk, staff_id=staff, now=started)
    if ended is not None:
        moves.finish(ticket_id, "已答复", desk_id=desk, staff_id=staff, now=ended)
    commit(None)


def build(hall: Hall) -> dict[str, int]:
    """The fixed data set; the comments give each leg's wait and service time."""
    b, lawyer = service_by_prefix("B").id, service_by_prefix("L").id
    d2, d11 = desk_by_number(2).id, desk_by_number(11).id
    clerk, counsel = user_by_name("desk").id, user_by_name("lawyer").id

    # T1 市住建局: wait 600 s, service 1080 s, rated 非常满意
    t1 = issue(hall.id, b, local(TUE, "09:00"), outside_hours=True)
    _serve(t1.id, d2, local(TUE, "09:10"), local(TUE, "09:12"), local(TUE, "09:30"), clerk)
    # T2 市住建局: called 09:30, no-show, came back, called again and served 09:51-10:01, then
    # passed on to the lawyer: leg 1 wait 1500 s (to the first call), service 600 s;
    # leg 2 (律师接访) wait 1140 s, service 1200 s
    t2 = issue(hall.id, b, local(TUE, "09:05"), outside_hours=True)
    moves.call_ticket(d2, t2.id, staff_id=clerk, now=local(TUE, "09:30"))
    moves.no_show(t2.id, desk_id=d2, staff_id=clerk, now=local(TUE, "09:33"))
    moves.return_to_queue(t2.id, now=local(TUE, "09:40"))
    commit(None)
    _serve(t2.id, d2, local(TUE, "09:50"), local(TUE, "09:51"), staff=clerk)
    moves.transfer(t2.id, service_id=lawyer, desk_id=d2, staff_id=clerk, now=local(TUE, "10:01"))
    commit(None)
    _serve(t2.id, d11, local(TUE, "10:20"), local(TUE, "10:21"), local(TUE, "10:41"), counsel)
    # T3 市住建局 late in the evening, finished after midnight: wait 300 s, service 600 s
    t3 = issue(hall.id, b, local(TUE, "23:50"), outside_hours=True)
    _serve(t3.id, d2, local(TUE, "23:55"), local(TUE, "23:56"), local(WED, "00:06"), clerk)
    # T4 at 00:10 on Wednesday (16:10 UTC on Tuesday): wait 600 s, service 600 s
    t4 = issue(hall.id, b, local(WED, "00:10"), outside_hours=True)
    _serve(t4.id, d2, local(WED, "00:20"), local(WED, "00:21"), local(WED, "00:31"), clerk)

    tickets = {t.id: _db.session.get(Ticket, t.id) for t in (t1, t2)}
    commit(ratings.rate(tickets[t1.id], 1, 5, "", local(TUE, "09:31")))
    commit(ratings.rate(tickets[t2.id], 1, 2, "等太久", local(TUE, "10:45")))
    commit(ratings.rate(tickets[t2.id], 2, 4, "", local(TUE, "10:46")))
    follow_up = _db.session.scalars(select(FollowUp)).one()
    commit(ratings.close_follow_up(follow_up, "已回访", clerk, local("2026-11-19", "15:00")))

    def person(name: str) -> Visitor:
        visitor = Visitor(name=name)
        _db.session.add(visitor)
        _db.session.flush()
        return visitor

    one, two = person("甲"), person("乙")

    def matter(visitor, registered, category="住房", **dates) -> Case:
        item = Case(
            hall_id=hall.id,
            visitor_id=visitor.id,
            registered_on=date.fromisoformat(registered),
            account="…",
            category=category,
            department_id=b,
            **{
                k: date.fromisoformat(v) if isinstance(v, str) and k.endswith("_on") else v
                for k, v in dates.items()
            },
        )
        _db.session.add(item)
        _db.session.flush()
        return item

    accepted = "accepted"
    c1 = matter(one, "2026-11-02", status=accepted, decided_on="2026-11-10",
                replied_on="2026-11-20", group_size=3, repeat=True)  # fmt: skip
    c2 = matter(two, "2026-11-03", status=accepted, decided_on="2026-11-20")  # decided late
    matter(two, "2026-11-05", category="征地拆迁")  # undecided after 19 days: overdue
    matter(two, "2026-11-20")  # undecided after 4 days: not yet due
    matter(
        one,
        "2026-06-01",
        status=accepted,
        decided_on="2026-06-05",
        extension_days=30,
        extension_approver="主任",
        replied_on="2026-08-20",
    )  # fmt: skip  76 days: in time
    matter(one, "2026-06-02", status=accepted, decided_on="2026-06-10")  # no reply: overdue
    matter(
        two,
        "2026-06-03",
        status=accepted,
        decided_on="2026-06-10",
        replied_on="2026-08-15",
        review_requested_on="2026-08-20",
    )  # fmt: skip  66 days: late
    matter(two, "2026-06-04", category="征地拆迁", status="not_accepted", decided_on="2026-06-06")
    tickets[t1.id].case_id, tickets[t2.id].case_id = c1.id, c2.id
    commit(None)
    return {"B": b, "L": lawyer, "d2": d2, "d11": d11, "clerk": clerk, "counsel": counsel}


def check(hall: Hall) -> None:
    """The same figures read from the event log, from rolled-up legs, and from both."""
    ids = build(hall)
    assert_figures(hall, ids)
    assert commit(reports.roll_up(hall, local(WED, "13:00"))) == 1  # Tuesday, not Wednesday
    assert reports.rolled_until(hall.id) == date(2026, 11, 17)
    assert commit(reports.roll_up(hall, local(WED, "13:00"))) == 0
    assert_figures(hall, ids)
    while commit(reports.roll_up(hall, local(TODAY.isoformat(), "13:00"))):
        pass
    assert reports.rolled_until(hall.id) == date(2026, 11, 23)
    assert_figures(hall, ids)
    # a rating given days later reaches the rolled-up leg
    late = _db.session.scalars(select(Ticket).where(Ticket.issued_at == local(TUE, "23:50"))).one()
    commit(ratings.rate(late, 1, 5, "", local(TODAY.isoformat(), "09:00")))
    tuesday = reports.scope_for(hall, date(2026, 11, 17), date(2026, 11, 17))
    after = reports.summary(tuesday, TODAY)
    assert (after["rated"], after["satisfied"], after["satisfaction"]) == (4, 3, 75.0)


def assert_figures(hall: Hall, ids: dict[str, int]) -> None:
    tuesday = reports.scope_for(hall, date(2026, 11, 17), date(2026, 11, 17))

    by_service = {row["key"]: row for row in reports.visits(tuesday, "service")}
    assert by_service[ids["B"]] == {
        "key": ids["B"],
        "legs": 3,
        "served": 3,
        "wait_p50": 600,  # of 300, 600, 1500
        "wait_p90": 1500,
        "service_p50": 600,  # of 600, 600, 1080
        "service_p90": 1080,
        "no_shows": 1,
        "returned": 1,
        "transfers": 1,
        "rated": 2,
        "satisfied": 1,
        "bad": 1,
        "satisfaction": 50.0,
        "rating_rate": 66.7,
        "satisfaction_broad": 50.0,  # of 非常满意 and 不满意: no 基本满意 among them
    }
    lawyer = by_service[ids["L"]]
    assert (lawyer["legs"], lawyer["wait_p50"], lawyer["service_p50"]) == (1, 1140, 1200)
    assert (lawyer["satisfaction"], lawyer["rating_rate"]) == (100.0, 100.0)

    # hours of the hall's day, not UTC's (which would say 1, 2 and 15)
    by_hour = {row["key"]: row["legs"] for row in reports.visits(tuesday, "hour")}
    assert by_hour == {9: 2, 10: 1, 23: 1}
    assert {row["key"]: row["legs"] for row in reports.visits(tuesday, "weekday")} == {1: 4}
    by_desk = {row["key"]: row["legs"] for row in reports.visits(tuesday, "desk")}
    assert by_desk == {ids["d2"]: 3, ids["d11"]: 1}
    by_staff = {row["key"]: row["served"] for row in reports.visits(tuesday, "staff")}
    assert by_staff == {ids["clerk"]: 3, ids["counsel"]: 1}

    two_days = reports.scope_for(hall, date(2026, 11, 17), date(2026, 11, 18))
    by_day = {
        row["key"]: (row["legs"], row["wait_p50"], row["wait_p90"], row["service_p90"])
        for row in reports.visits(two_days, "day")
    }
    assert by_day == {
        date(2026, 11, 17): (4, 600, 1500, 1200),
        date(2026, 11, 18): (1, 600, 600, 600),
    }
    b_two_days = reports.scope_for(hall, date(2026, 11, 17), date(2026, 11, 18), ids["B"])
    b_by_day = {r["key"]: (r["wait_p50"], r["wait_p90"]) for r in reports.visits(b_two_days, "day")}
    assert b_by_day == {date(2026, 11, 17): (600, 1500), date(2026, 11, 18): (600, 600)}

    overall = reports.summary(tuesday, TODAY)
    assert {k: overall[k] for k in ("legs", "served", "wait_p50", "wait_p90")} == {
        "legs": 4,
        "served": 4,
        "wait_p50": 600,  # of 300, 600, 1140, 1500
        "wait_p90": 1500,
    }
    assert (overall["service_p50"], overall["service_p90"]) == (600, 1200)
    assert (overall["satisfaction"], overall["rating_rate"], overall["bad"]) == (66.7, 75.0, 1)
    assert overall["satisfaction_broad"] == 66.7
    assert {
        k: overall[k]
        for k in ("tickets", "visitors", "journeys", "group_visits", "headcount", "repeat_visits")
    } == {
        "tickets": 3,
        "visitors": 2,
        "journeys": 1,
        "group_visits": 1,
        "headcount": 5,  # a group of 3, one person, one kiosk visitor
        "repeat_visits": 1,
    }
    assert (overall["follow_ups"], overall["follow_ups_on_time"]) == (1, 1)
    assert (overall["follow_ups_late"], overall["follow_ups_overdue"]) == (0, 0)

    wednesday = reports.summary(
        reports.scope_for(hall, date(2026, 11, 18), date(2026, 11, 18)), TODAY
    )
    assert (wednesday["tickets"], wednesday["legs"], wednesday["wait_p50"]) == (1, 1, 600)

    only_b = reports.scope_for(hall, date(2026, 11, 17), date(2026, 11, 17), ids["B"])
    assert reports.summary(only_b, TODAY)["legs"] == 3

    year = reports.scope_for(hall, date(2026, 1, 1), date(2026, 12, 31))
    figures = reports.cases(year, TODAY)
    assert {
        k: figures[k]
        for k in (
            "registered",
            "undecided",
            "accepted",
            "not_accepted",
            "notice_due",
            "noticed_in_time",
            "handle_due",
            "replied_in_time",
            "overdue_notice",
            "overdue_reply",
            "overdue",
            "extensions",
            "reviews",
            "rechecks",
        )
    } == {
        "registered": 8,
        "undecided": 2,
        "accepted": 5,
        "not_accepted": 1,
        "notice_due": 7,
        "noticed_in_time": 5,
        "handle_due": 4,
        "replied_in_time": 2,
        "overdue_notice": 1,
        "overdue_reply": 1,
        "overdue": 2,
        "extensions": 1,
        "reviews": 1,
        "rechecks": 0,
    }
    assert (figures["timely_notice_rate"], figures["timely_reply_rate"]) == (71.4, 50.0)
    assert [c.registered_on for c in reports.late_cases(year, TODAY)] == [
        date(2026, 6, 2),
        date(2026, 11, 5),
    ]
    outcomes = {
        (r["category"], r["status"]): r["count"] for r in reports.outcomes_by_category(year)
    }
    assert outcomes[("征地拆迁", "not_accepted")] == 1 and outcomes[("住房", "accepted")] == 5

    annual = reports.annual(hall, 2026)
    assert dict((c, n) for c, n, _people in annual["category"]) == {"住房": 6, "征地拆迁": 2}
    assert dict(annual["visits"]) == {
        "visits": 4,
        "headcount": 6,
        "group_visits": 1,
        "group_people": 3,
    }


def test_figures_match_hand_computed_values_on_sqlite(db, hall):
    check(hall)


def test_figures_match_hand_computed_values_on_postgresql(postgres_app):
    app, _uri = postgres_app
    with app.app_context():
        check(_db.session.scalars(select(Hall)).one())


def test_periods_are_the_halls_calendar():
    wednesday = date(2026, 11, 18)
    assert reports.period("week", wednesday) == (date(2026, 11, 16), date(2026, 11, 22))
    assert reports.period("month", date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert reports.period("year", wednesday) == (date(2026, 1, 1), date(2026, 12, 31))
    assert reports.period("range", wednesday, wednesday + timedelta(days=2))[1] == date(
        2026, 11, 20
    )


def test_hour_of_day_follows_daylight_saving(db, hall):
    """New York changes its clocks on 2026-11-01: 13:30 UTC is 09:30 before, 08:30 after."""
    from reception.queue.issuing import issue_ticket

    hall.timezone = "America/New_York"
    commit(None)
    b = service_by_prefix("B").id
    from datetime import UTC, datetime

    for day in (31, 2):
        month = 10 if day == 31 else 11
        issue_ticket(
            hall.id, b, now=datetime(2026, month, day, 13, 30, tzinfo=UTC), outside_hours=True
        )
    commit(None)
    scope = reports.scope_for(hall, date(2026, 10, 31), date(2026, 11, 2))
    assert {row["key"]: row["legs"] for row in reports.visits(scope, "hour")} == {8: 1, 9: 1}
    assert {row["key"]: row["legs"] for row in reports.visits(scope, "weekday")} == {0: 1, 5: 1}
