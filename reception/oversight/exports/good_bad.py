"""The 好差评 record of a rating, in the fields and codes of GB/T 39046-2020 table 9.

满意度代码 runs 1 = 非常满意 … 5 = 非常不满意 (the standard); some provincial interfaces number
the levels the other way round (`reversed_codes`: 5 = 非常满意 … 1 = 非常不满意). The rater is
the visitor of a registered matter, masked (评价人信息保密); a ticket without a matter is 匿名.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, selectinload

from reception.core.clock import local_time
from reception.core.identity import mask_name
from reception.db.extensions import db
from reception.models import Case, Hall, Rating, Ticket
from reception.models.case import accuses
from reception.oversight.exports import Field
from reception.oversight.reports.scope import Scope

STANDARD = "GB/T 39046-2020"
# 评价渠道 of the standard, by its code
CHANNELS = {
    1: "PC端",
    2: "移动服务端",
    3: "二维码",
    4: "政务大厅平板电脑",
    5: "政务大厅其他终端",
    6: "电话",
    7: "短信",
}
# our ratings' channels: the visitor's phone reached through the ticket's QR code; the desk's
# rating device (a tablet on the counter)
CHANNEL_OF = {"phone": 3, "device": 4}
LEVEL_NAMES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
ANONYMOUS = "匿名"

FIELDS = (
    Field(
        "bjbh",
        "办件编号",
        "the matter's number (XF2026-000123) for the rating of its reply; else the visit's: "
        "JD, the hall's id (3 digits), the ticket's day (YYYYMMDD) and number",
    ),
    Field(
        "pjqd",
        "评价渠道",
        "二维码 (the visitor's phone, from the ticket) or 政务大厅平板电脑 "
        "(the desk's rating device)",
    ),
    Field("pjr", "评价人", "the registered visitor's name, masked; 匿名 without a matter"),
    Field(
        "pjsj",
        "评价时间",
        "when the rating was given (its last change), hall time, YYYY-MM-DD HH:MM:SS",
    ),
    Field(
        "pjcs",
        "评价次数",
        "the how-manyth rating of the same 办件 this is (a visit rated at three desks: 1, 2, 3)",
    ),
    Field("myd", "满意度", "非常满意, 满意, 基本满意, 不满意 or 非常不满意"),
    Field("mydm", "满意度代码", "1 = 非常满意 … 5 = 非常不满意 (reversed: 5 … 1)"),
    Field("wzpj", "文字评价", "the visitor's comment"),
    Field("xzqh", "行政区划", "the hall's 行政区划代码 (set on the hall's page)"),
)


def level_code(level: int, reversed_codes: bool = False) -> int:
    """满意度代码 of one of our five levels (5 = 非常满意 … 1 = 非常不满意)."""
    return level if reversed_codes else 6 - level


def project_number(hall_id: int, ticket: Ticket, rating: Rating, case: Case | None) -> str:
    if rating.leg == 0 and case is not None:
        return case.number
    return f"JD{hall_id:03d}{ticket.service_day:%Y%m%d}{ticket.number}"


def _stamp(zone: str, at: datetime) -> str:
    return f"{local_time(zone, at):%Y-%m-%d %H:%M:%S}"


def records(hall: Hall, scope: Scope, *, reversed_codes: bool = False) -> list[dict[str, Any]]:
    """The ratings given in the scope's days, oldest first, as 好差评 records."""
    given = Rating.rated_at
    matter = aliased(Case)
    query = (
        select(Rating, Ticket, matter)
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .outerjoin(matter, matter.id == func.coalesce(Rating.case_id, Ticket.case_id))
        .where(scope.in_halls(Rating.hall_id), given >= scope.start, given < scope.end)
        .options(selectinload(matter.visitor))  # the raters' names: one query, not one a row
        .order_by(Rating.ticket_id, Rating.leg, Rating.id)
    )
    if scope.service_id is not None:
        query = query.where(Rating.service_id == scope.service_id)
    if scope.hidden_from:
        query = query.where(
            ~or_(
                accuses(Rating.case_id, scope.hidden_from),
                accuses(Ticket.case_id, scope.hidden_from),
            )
        )
    counted: dict[str, int] = {}
    out: list[tuple[datetime, dict[str, Any]]] = []
    for rating, ticket, case in db.session.execute(query).all():
        number = project_number(hall.id, ticket, rating, case)
        counted[number] = counted.get(number, 0) + 1
        at = rating.changed_at or rating.rated_at
        out.append(
            (
                at,
                {
                    "bjbh": number,
                    "pjqd": CHANNELS[CHANNEL_OF.get(rating.channel, 3)],
                    "pjr": mask_name(case.visitor.name) if case is not None else ANONYMOUS,
                    "pjsj": _stamp(hall.timezone, at),
                    "pjcs": counted[number],
                    "myd": LEVEL_NAMES[rating.level],
                    "mydm": level_code(rating.level, reversed_codes),
                    "wzpj": rating.comment,
                    "xzqh": hall.region_code,
                },
            )
        )
    out.sort(key=lambda pair: pair[0])
    return [record for _, record in out]
