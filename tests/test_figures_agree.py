"""One definition per figure: a fixed day played through the engine, with every awkward path a
hall meets, read back from every surface that shows its figures (the supervisor's board, as its
page embeds it and as its socket sends it; the day's report page; its CSV and Excel exports; the
JSON API; the year's Art. 41 sheet) and checked against values computed by hand.

The day (2026-11-24, Asia/Shanghai), desk by desk:

- T1 (B, desk 2): issued 09:00, called 09:05, served 09:06-09:20. Rated 不满意 at 09:21 and,
  within the ten minutes, changed to 非常满意 at 09:25 (one rating; its call-back withdrawn).
- T2 (B, desk 2): issued 09:02, called 09:20, started 09:21, held 09:25 (the visitor went to
  fetch a paper), resumed 09:40, called again 09:41, started again 09:42, finished 09:50. One
  leg served once, though its service started twice. Rated 基本满意.
- T3 (B, desk 2): issued 09:03, called 09:51, recalled 09:53, a no-show 09:55, came back 10:10,
  called 10:11, a no-show again 10:14, came back 10:30, called 10:31, served 10:32-10:40. One
  leg, one no-show however many calls it missed.
- T4 (B, desk 2, then the lawyer): issued 09:10, called 10:40, started 10:41, transferred to
  律师接访 10:50; called at desk 11 11:00, served 11:01-11:30. Leg 2 rated 非常满意.
- T5 (F): issued 09:30, cancelled 10:00.
- T6 (B, desk 6, then 人民调解 and 心理疏导 as the registrar planned): a matter brought by 3;
  issued 10:00, served at desk 6 10:06-10:20 (called 10:05), at desk 13 10:26-10:40 (called
  10:25), at desk 12 10:46-11:00 (called 10:45). Its last leg rated 非常不满意 (a call-back).
- T7 (视频接访, desk 14): issued 11:00, called 11:05, served 11:06-11:30. Rated 满意.
- T8 (B): issued 11:40, still waiting at noon.
- T9 (B, desk 2): issued 11:00, called 11:45, a no-show 11:50; never came back.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reception.db.extensions import db as _db
from reception.db.extensions import socketio
from reception.live import hall_board
from reception.models import Case, Hall, JourneyStop, Ticket, Visitor
from reception.oversight import ratings, reports
from reception.queue import moves
from reception.web.reports import SUMMARY_ROWS, _cell
from tests.helpers import (
    commit,
    desk_by_number,
    issue,
    local,
    login,
    service_by_prefix,
    user_by_name,
)

DAY = "2026-11-24"
NOON = local(DAY, "12:00")

# computed by hand from the day above
HAND = {
    "tickets": 9,
    "visitors": 1,  # only T6's matter is registered
    "journeys": 2,  # T4 and T6 went through more than one desk
    "group_visits": 1,
    "group_people": 3,
    "headcount": 11,  # eight people alone and a group of three
    "repeat_visits": 0,
    "legs": 12,  # T4 two, T6 three, the other seven one each
    "served": 9,  # T1, T2, T3, T4 twice, T6 three times, T7
    # waits, to the first call: 300 (T1, T6 x3, T7), 600 (T4 leg 2), 1080 (T2), 2700 (T9),
    # 2880 (T3), 5400 (T4 leg 1); nearest rank 5 and 9 of 10
    "wait_p50": 300,
    "wait_p90": 2880,
    # services, first start to the end: 480 (T3), 540 (T4 leg 1), 840 (T1, T6 x3),
    # 1440 (T7), 1740 (T2, T4 leg 2); nearest rank 5 and 9 of 9
    "service_p50": 840,
    "service_p90": 1740,
    "no_shows": 2,  # T3 and T9
    "returned": 1,  # T3
    "transfers": 3,  # T4's transfer and T6's two planned next desks
    "rated": 5,
    "satisfied": 3,  # 非常满意 twice (T1 as changed, T4) and 满意 (T7)
    "bad": 1,  # T6's last leg
    "satisfaction": 60.0,
    "satisfaction_broad": 80.0,  # with T2's 基本满意
    "rating_rate": 55.6,  # 5 of the 9 legs served
    "case_rated": 0,
    "case_satisfaction": None,
    "follow_ups": 1,  # T1's was withdrawn when its rating was changed to a good one
    "follow_ups_on_time": 0,
    "follow_ups_late": 0,
    "follow_ups_overdue": 1,  # due five working days after the 24th, not done
}
BOARD = {
    "issued": HAND["tickets"],
    **{k: HAND[k] for k in ("served", "no_shows", "transfers", "rated", "satisfied")},
    **{k: HAND[k] for k in ("satisfaction", "rating_rate")},
}

# the report's summary shows all but the count of satisfied ratings (the board's "60.0 (3/5)")
# and the people of group visits (the Art. 41 sheet's)
ON_THE_REPORT = [c.key for c in SUMMARY_ROWS if c.key in HAND]
assert set(HAND) - set(ON_THE_REPORT) == {"satisfied", "group_people"}


def play_the_day(hall: Hall) -> None:
    b, f, lawyer = (service_by_prefix(p).id for p in "BFL")
    mediator, counsel, video = (service_by_prefix(p).id for p in "MPV")
    d2, d6, d11, d12, d13, d14 = (desk_by_number(n).id for n in (2, 6, 11, 12, 13, 14))
    clerk = user_by_name("desk").id

    def at(clock: str):
        return local(DAY, clock)

    def serve(ticket_id: int, desk: int, called: str, started: str, ended: str) -> None:
        moves.call_ticket(desk, ticket_id, staff_id=clerk, now=at(called))
        moves.start(ticket_id, desk_id=desk, staff_id=clerk, now=at(started))
        moves.finish(ticket_id, "已答复", desk_id=desk, staff_id=clerk, now=at(ended))
        commit(None)

    def ticket(service_id: int, clock: str) -> int:
        return issue(hall.id, service_id, at(clock), outside_hours=True).id

    def rate(ticket_id: int, leg: int, level: int, clock: str) -> None:
        commit(ratings.rate(_db.session.get(Ticket, ticket_id), leg, level, "", at(clock)))

    t1, t2, t3, t4 = ticket(b, "09:00"), ticket(b, "09:02"), ticket(b, "09:03"), ticket(b, "09:10")
    t5, t6, t9, t7 = (
        ticket(f, "09:30"),
        ticket(b, "10:00"),
        ticket(b, "11:00"),
        ticket(video, "11:00"),
    )
    ticket(b, "11:40")  # T8, waiting at noon

    serve(t1, d2, "09:05", "09:06", "09:20")
    rate(t1, 1, 2, "09:21")
    rate(t1, 1, 5, "09:25")

    moves.call_ticket(d2, t2, staff_id=clerk, now=at("09:20"))
    moves.start(t2, desk_id=d2, staff_id=clerk, now=at("09:21"))
    moves.hold(t2, "去取材料", desk_id=d2, staff_id=clerk, now=at("09:25"))
    moves.resume(t2, desk_id=d2, staff_id=clerk, now=at("09:40"))
    commit(None)
    serve(t2, d2, "09:41", "09:42", "09:50")
    rate(t2, 1, 3, "09:51")

    moves.call_ticket(d2, t3, staff_id=clerk, now=at("09:51"))
    moves.recall(t3, desk_id=d2, staff_id=clerk, now=at("09:53"))
    moves.no_show(t3, desk_id=d2, staff_id=clerk, now=at("09:55"))
    moves.return_to_queue(t3, now=at("10:10"))
    moves.call_ticket(d2, t3, staff_id=clerk, now=at("10:11"))
    moves.no_show(t3, desk_id=d2, staff_id=clerk, now=at("10:14"))
    moves.return_to_queue(t3, now=at("10:30"))
    commit(None)
    serve(t3, d2, "10:31", "10:32", "10:40")

    moves.cancel(t5, "离开", now=at("10:00"))
    commit(None)

    visitor = Visitor(name="丙")
    _db.session.add(visitor)
    _db.session.flush()
    matter = Case(
        hall_id=hall.id,
        visitor_id=visitor.id,
        registered_on=date.fromisoformat(DAY),
        account="…",
        category="住房",
        department_id=b,
        group_size=3,
    )
    _db.session.add(matter)
    _db.session.flush()
    _db.session.get(Ticket, t6).case_id = matter.id
    _db.session.add_all(
        [
            JourneyStop(ticket_id=t6, position=1, service_id=mediator),
            JourneyStop(ticket_id=t6, position=2, service_id=counsel),
        ]
    )
    commit(None)
    serve(t6, d6, "10:05", "10:06", "10:20")
    serve(t6, d13, "10:25", "10:26", "10:40")
    serve(t6, d12, "10:45", "10:46", "11:00")
    rate(t6, 3, 1, "11:01")

    moves.call_ticket(d2, t4, staff_id=clerk, now=at("10:40"))
    moves.start(t4, desk_id=d2, staff_id=clerk, now=at("10:41"))
    moves.transfer(t4, service_id=lawyer, desk_id=d2, staff_id=clerk, now=at("10:50"))
    commit(None)
    serve(t4, d11, "11:00", "11:01", "11:30")
    rate(t4, 2, 5, "11:31")

    serve(t7, d14, "11:05", "11:06", "11:30")
    rate(t7, 1, 4, "11:31")

    moves.call_ticket(d2, t9, staff_id=clerk, now=at("11:45"))
    moves.no_show(t9, desk_id=d2, staff_id=clerk, now=at("11:50"))
    commit(None)


def _shown(key: str):
    """The summary's value for `key` as the report shows it (seconds as minutes)."""
    return _cell(next(c for c in SUMMARY_ROWS if c.key == key), HAND[key])


class _SummaryTable(HTMLParser):
    """The cells of the report page's summary table, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("data-testid", "table-summary") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def check_every_surface(app, monkeypatch) -> None:
    with app.app_context():
        hall = _db.session.scalars(select(Hall)).one()
        play_the_day(hall)
        hall_id = hall.id
        # the domain: the board's snapshot and the day's summary
        snapshot = hall_board.snapshot(hall, NOON, 10)
        assert snapshot["totals"] == BOARD
        day = reports.scope_for(hall, date(2026, 11, 24), date(2026, 11, 24))
        summary = reports.summary(day, date(2026, 12, 6))
        assert {k: summary[k] for k in HAND} == HAND
        # read by staff of 市住建局 (Art. 30 filters every figure): no accusation that day
        housing = frozenset({service_by_prefix("B").id})
        hidden = reports.scope_for(hall, day.first, day.last, hidden_from=housing)
        assert {
            k: v for k, v in reports.summary(hidden, date(2026, 12, 6)).items() if k in HAND
        } == HAND
        assert reports.visits(hidden, "day")[0]["wait_p90"] == HAND["wait_p90"]
        token = user_by_name("supervisor").new_api_token()
        commit(None)

    # the board at noon, as its page embeds it and as its socket sends it
    monkeypatch.setattr("reception.web.supervisor.utcnow", lambda: NOON)
    monkeypatch.setattr("reception.web.sockets.utcnow", lambda: NOON)
    client = app.test_client()
    login(client, "supervisor")
    page = client.get("/supervisor/").get_data(as_text=True)
    embedded = page.split('<script type="application/json" id="board-snapshot">')[1]
    assert app.json.loads(embedded.split("</script>")[0])["totals"] == BOARD
    board = socketio.test_client(app, flask_test_client=client)
    joined = board.emit("join", {"room": f"board:{hall_id}"}, callback=True)
    assert joined["snapshot"]["totals"] == BOARD
    board.disconnect()

    # the day's report page: the summary table, row by row
    query = f"period=day&day={DAY}&group=service"
    answer = client.get(f"/reports/?{query}")
    assert answer.status_code == 200
    table = _SummaryTable()
    table.feed(answer.get_data(as_text=True))
    page_figures = dict(
        zip((c.key for c in SUMMARY_ROWS), (row[1] for row in table.rows if row), strict=True)
    )
    for key in ON_THE_REPORT:
        shown = _shown(key)
        assert page_figures[key] == ("—" if shown is None else str(shown)), key

    # its CSV and Excel exports
    exported = client.get(f"/reports/export.csv?{query}&table=summary").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))[1:]
    csv_figures = dict(zip((c.key for c in SUMMARY_ROWS), (row[1] for row in rows), strict=True))
    book = load_workbook(io.BytesIO(client.get(f"/reports/export.xlsx?{query}").data))
    sheet = book.worksheets[0]  # the period at a glance
    xlsx_rows = list(sheet.iter_rows(min_row=2, values_only=True))
    xlsx_figures = dict(
        zip((c.key for c in SUMMARY_ROWS), (row[1] for row in xlsx_rows), strict=True)
    )
    for key in ON_THE_REPORT:
        shown = _shown(key)
        assert csv_figures[key] == ("" if shown is None else str(shown)), key
        assert xlsx_figures[key] == shown, key

    # the JSON API
    answer = client.get(
        f"/api/v1/reports/figures?period=day&day={DAY}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["first"], body["last"], body["service_id"]) == (DAY, DAY, None)
    assert {k: body["figures"][k] for k in HAND} == HAND

    # the year's Art. 41 sheet: the visits are the tickets, the people the headcount
    annual = load_workbook(io.BytesIO(client.get("/reports/annual.xlsx?year=2026").data))
    cells = [row for row in annual.worksheets[0].iter_rows(values_only=True) if any(row)]
    visits = next(i for i, row in enumerate(cells) if row[1] == "批次")
    assert cells[visits + 1][1:3] == (HAND["tickets"], HAND["headcount"])
    assert cells[visits + 2][1:3] == (HAND["group_visits"], HAND["group_people"])


def test_every_surface_shows_the_hand_computed_day_on_sqlite(app, db, monkeypatch):
    check_every_surface(app, monkeypatch)


def test_every_surface_shows_the_hand_computed_day_on_postgresql(postgres_app, monkeypatch):
    app, _uri = postgres_app
    check_every_surface(app, monkeypatch)


@pytest.mark.parametrize(
    "query",
    [
        "period=range&day=2026-11-24",  # a range without its end
        "period=range&day=2026-11-24&until=2026-11-01",
        "period=day&day=2026-11-24&service_id=99999",  # no such service here
        "period=year&day=0001-01-01",  # off the hall's calendar
        "period=fortnight&day=2026-11-24",
        "day=24.11.2026",
    ],
)
def test_the_figures_api_refuses_an_unclear_period(app, db, query):
    token = user_by_name("supervisor").new_api_token()
    commit(None)
    answer = app.test_client().get(
        f"/api/v1/reports/figures?{query}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 422
    assert answer.get_json()["message"]
