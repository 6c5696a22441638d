"""The 信访件 record of a matter, in the field groups of the petition information system
(信访信息系统): the matter (number, date, form, purpose, category, place), who registered it,
the petitioner and the people involved, where it went, and how it was handled.

The petitioner's name and ID number are masked unless the reader may carry them to the
national system (`identity=True`, the hall's supervisor; audited by the caller).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reception.core.identity import mask_id, mask_name
from reception.db.extensions import db
from reception.models import Case, CaseStatus, Hall
from reception.oversight.exports import Field
from reception.oversight.reports.cases import cases_in
from reception.oversight.reports.scope import Scope
from reception.triage.casework import reason_for
from reception.triage.clocks import handle_due, notice_due

# 信访形式 by how the matter came: at the hall (a video reception included), or online
FORMS = {"visit": "走访", "online": "网上"}
COLLECTIVE = 5  # 集体访: five people or more
HANDLING = {
    CaseStatus.REGISTERED.value: "待受理",
    CaseStatus.ACCEPTED.value: "受理",
    CaseStatus.NOT_ACCEPTED.value: "不予受理",
    CaseStatus.NOT_REACCEPTED.value: "不再受理",
    CaseStatus.TRANSFERRED.value: "转送",
    CaseStatus.CONCLUDED.value: "办结",
}

FIELDS = (
    # the matter
    Field("xfjbh", "信访件编号", "the matter's number (XF2026-000123)"),
    Field("djrq", "登记日期", "the day it was registered (YYYY-MM-DD)"),
    Field("xfxs", "信访形式", "走访 (the hall; a video reception too) or 网上 (online)"),
    Field(
        "xfmd",
        "信访目的",
        "chosen at registration (求决, 申诉, 意见建议, 揭发控告, 咨询, 其他; an accusation is "
        "揭发控告); a matter registered before it was asked: 揭发控告 or 求决",
    ),
    Field("nrfl", "内容分类", "the category chosen at registration"),
    Field("wtsd", "问题属地", "the hall's 行政区划代码"),
    Field("djdw", "登记单位", "the hall's name"),
    # the people
    Field("xfr", "信访人", "the petitioner's name (masked unless carried with identity)"),
    Field("zjhm", "证件号码", "the petitioner's ID number (masked unless carried with identity)"),
    Field("sjrs", "涉及人数", "how many people brought the matter"),
    Field("sfjtf", "是否集体访", "是 for five people or more, else 否"),
    # where it went and how it was handled
    Field("qxdw", "去向单位", "the department it was routed to"),
    Field("clyj", "处理意见", "待受理, 受理, 不予受理, 不再受理, 转送 or 办结, with the reason"),
    Field(
        "blqx",
        "办理期限",
        "the next statutory date: the decision's (15 days) or the "
        "handling's (60 days, with any extension)",
    ),
    Field("bjjl", "办结结论", "the handling opinion given (信访处理意见), empty until then"),
)


def _handling(case: Case) -> str:
    label = HANDLING.get(case.status, case.status)
    reason = ""
    if case.status in (CaseStatus.NOT_ACCEPTED, CaseStatus.NOT_REACCEPTED, CaseStatus.TRANSFERRED):
        reason = reason_for(case, "not_accepted", "not_reaccepted", "transferred")
    return f"{label}：{reason}" if reason else label


def records(hall: Hall, scope: Scope, *, identity: bool = False) -> list[dict[str, Any]]:
    """The matters registered in the scope's days, oldest first, as 信访件 records."""
    cases = db.session.scalars(
        select(Case)
        .options(
            selectinload(Case.visitor), selectinload(Case.notes), selectinload(Case.department)
        )
        .where(cases_in(scope))
        .order_by(Case.registered_on, Case.id)
    ).all()
    halls = {h.id: h for h in db.session.scalars(select(Hall).where(scope.in_halls(Hall.id)))}
    out = []
    for case in cases:
        where = halls.get(case.hall_id, hall)  # the hall that handles it, in a city's export
        visitor = case.visitor
        id_number = visitor.id_number or ""
        due = handle_due(case) if case.decided_on else notice_due(case)
        out.append(
            {
                "xfjbh": case.number,
                "djrq": case.registered_on.isoformat(),
                "xfxs": FORMS.get(case.form, "走访"),
                "xfmd": case.purpose or ("揭发控告" if case.accusation else "求决"),
                "nrfl": case.category,
                "wtsd": where.region_code,
                "djdw": where.name,
                "xfr": visitor.name if identity else mask_name(visitor.name),
                "zjhm": id_number if identity else (mask_id(id_number) if id_number else ""),
                "sjrs": case.group_size,
                "sfjtf": "是" if case.group_size >= COLLECTIVE else "否",
                "qxdw": case.department.name if case.department is not None else "",
                "clyj": _handling(case),
                "blqx": due.isoformat() if due else "",
                "bjjl": reason_for(case, "reply") if case.replied_on else "",
            }
        )
    return out
