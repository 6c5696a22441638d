"""Figures across the city's halls: a report over several halls, or the whole city, grouped by
hall gives each hall exactly its own report's figures (rolled-up days and live ones alike), sums
them in its totals; the Art. 41 sheet for the city sums its halls; only the city's accounts
report beyond their hall."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from reception.db.extensions import db as _db
from reception.models import Desk, Hall
from reception.oversight import reports
from tests.helpers import bring_to, commit, local, login
from tests.test_halls import _matter, _service, city  # noqa: F401 - `city` is a fixture

MON, TUE = "2026-11-16", "2026-11-17"


def _desk(hall: Hall, number: int) -> Desk:
    return _db.session.scalars(
        select(Desk).where(Desk.hall_id == hall.id, Desk.number == number)
    ).one()


def _a_day(city) -> None:  # noqa: F811
    """Monday and Tuesday in the centre and in 清河县, different waits and outcomes."""
    shi, qinghe = city["shi"], city["qinghe"]
    plan = [
        (shi, "A", 1, "finished", "09:00"),
        (shi, "A", 1, "finished", "09:20"),
        (shi, "B", 2, "no_show", "10:00"),
        (qinghe, "A", 1, "finished", "09:05"),
        (qinghe, "B", 2, "finished", "11:00"),
        (qinghe, "C", 3, "waiting", "15:00"),
    ]
    for day in (MON, TUE):
        for hall, prefix, desk, state, clock in plan:
            bring_to(
                state, hall.id, _service(hall, prefix).id, _desk(hall, desk).id, local(day, clock)
            )


def _by_hall(scope) -> dict[int, dict]:
    return {row["key"]: row for row in reports.visits(scope, "hall")}


def test_the_city_grouped_by_hall_is_each_halls_own_report(city):  # noqa: F811
    _a_day(city)
    shi, qinghe = city["shi"], city["qinghe"]
    first, last = date(2026, 11, 16), date(2026, 11, 17)

    def check() -> None:
        both = reports.scope_for(shi, first, last, halls=[shi, qinghe])
        rows = _by_hall(both)
        assert set(rows) == {shi.id, qinghe.id}
        for hall in (shi, qinghe):
            alone = reports.visits(reports.scope_for(hall, first, last), "all")[0]
            assert {k: v for k, v in rows[hall.id].items() if k != "key"} == {
                k: v for k, v in alone.items() if k != "key"
            }
        total = reports.summary(both, last)
        parts = [reports.summary(reports.scope_for(h, first, last), last) for h in (shi, qinghe)]
        for name in ("legs", "served", "no_shows", "tickets", "rated"):
            assert total[name] == sum(p[name] for p in parts), name
        assert total["tickets"] == 12
        # a grouping by service names each hall's line apart
        services = {row["key"] for row in reports.visits(both, "service")}
        assert _service(qinghe, "A").id in services and _service(shi, "A").id in services

    check()  # every day read live from the event log
    # 清河县's Monday rolled up, the centre's not: one report over both still agrees
    assert commit(reports.roll_up(qinghe, local("2026-11-17", "13:00"))) == 1
    assert reports.rolled_until(qinghe.id) == date(2026, 11, 16)
    check()


def test_reports_over_several_halls_on_the_page(app, client, city):  # noqa: F811
    _a_day(city)
    login(client, "supervisor")
    shi, qinghe, dongcheng = city["shi"], city["qinghe"], city["dongcheng"]
    page = client.get(f"/reports/?period=range&day={MON}&until={TUE}&city=1&group=hall")
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text[:300]
    for hall in (shi, qinghe, dongcheng):
        assert hall.name in text
    assert 'data-testid="report-halls"' in text
    two = client.get(
        f"/reports/export.csv?period=range&day={MON}&until={TUE}&hall={qinghe.id}"
        f"&hall={dongcheng.id}&group=service&table=visits"
    )
    assert two.status_code == 200
    body = two.get_data(as_text=True)
    assert "清河县人民来访接待中心 · 县自然资源局" in body and "市规划和自然资源局" not in body
    assert client.get("/reports/?hall=99999").status_code == 422

    # a county's supervisor: their own hall, never the city's
    county = app.test_client()
    login(county, "qh_supervisor")
    refused = county.get(f"/h/qinghe/reports/?day={TUE}&city=1")
    assert refused.status_code == 422
    assert "只有市级账号可以统计其他接待中心" in refused.get_data(as_text=True)
    own = county.get(f"/h/qinghe/reports/?day={TUE}").get_data(as_text=True)
    assert 'data-testid="report-halls"' not in own
    assert county.get("/h/qinghe/reports/annual.xlsx?year=2026&city=1").status_code == 422


def test_the_art_41_sheet_for_the_city_sums_its_halls(app, client, city):  # noqa: F811
    registrar = app.test_client()
    login(registrar, "registrar")
    assert registrar.post("/registration/", data=_matter(city["shi"])).status_code == 302
    county = app.test_client()
    login(county, "qh_registrar")
    assert county.post("/h/qinghe/registration/", data=_matter(city["qinghe"])).status_code == 302
    login(client, "supervisor")
    year = date.today().year

    def matters(query: str) -> int:
        answer = client.get(f"/reports/annual.xlsx?year={year}{query}")
        assert answer.status_code == 200
        sheet = load_workbook(io.BytesIO(answer.data)).active
        housing = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "住房"]
        return sum(int(row[1]) for row in housing)

    assert matters("") == 1  # the centre alone
    assert matters("&city=1") == 2
    assert matters(f"&hall={city['qinghe'].id}") == 1
    assert (date.today() - timedelta(days=1)).year in (year, year - 1)


def test_the_figures_api_over_the_city(app, client, city):  # noqa: F811
    _a_day(city)
    from tests.helpers import user_by_name

    boss = user_by_name("supervisor").new_api_token()
    county = user_by_name("qh_supervisor").new_api_token()
    _db.session.commit()
    query = f"period=range&day={MON}&until={TUE}"

    def figures(root: str, token: str, extra: str = ""):
        return client.get(
            f"{root}/api/v1/reports/figures?{query}{extra}",
            headers={"Authorization": f"Bearer {token}"},
        )

    whole = figures("", boss, "&city=true")
    assert whole.status_code == 200, whole.get_json()
    assert whole.get_json()["hall_ids"] == sorted(h.id for h in city.values())
    assert whole.get_json()["figures"]["tickets"] == 12
    two = figures("", boss, f"&hall_id={city['qinghe'].id}&hall_id={city['dongcheng'].id}")
    assert two.status_code == 200, two.get_json()
    assert two.get_json()["figures"]["tickets"] == 6
    own = figures("/h/qinghe", county)
    assert own.status_code == 200 and own.get_json()["hall_ids"] == [city["qinghe"].id]
    assert own.get_json()["figures"]["tickets"] == 6
    assert figures("/h/qinghe", county, "&city=true").status_code == 422
    assert figures("", boss, "&hall_id=987654").status_code == 422
    # a service in the query string (text there) is read as a number: was always refused
    one_line = figures("", boss, f"&service_id={_service(city['shi'], 'A').id}")
    assert one_line.status_code == 200, one_line.get_json()
    assert one_line.get_json()["figures"]["tickets"] == 4
    assert figures("", boss, "&service_id=1.5").status_code == 422
