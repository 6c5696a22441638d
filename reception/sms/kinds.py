"""What each kind of text says, written as the gateways' templates are: fixed text with
variables of at most six characters each (Tencent Cloud allows no more for most variables),
so names, addresses and links live in the template's fixed text and only a ticket number, a
count, a date, a time or a short code is sent as a variable. A gateway's template (approved
by the provider) must read exactly like `text` with `{name}` as its variables, in this order
(Tencent's are numbered: `{1}` is the first name below)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_VARIABLE = 6


@dataclass(frozen=True)
class Kind:
    code: str
    text: str  # the body, `{site}` standing for the hall's public address (fixed text)
    variables: tuple[str, ...]


KINDS = {
    kind.code: kind
    for kind in (
        Kind(
            "turn_near",
            "请{ticket}号准备，前面还有{ahead}人。排队进度：{site}/s/{link}",
            ("ticket", "ahead", "link"),
        ),
        Kind(
            "booked",
            "您已预约{day}{time}的接待，预约码{code1}{code2}。当天请到大厅自助机签到。",
            ("day", "time", "code1", "code2"),
        ),
        Kind(
            "reminder",
            "提醒：您预约了{day}{time}的接待，预约码{code1}{code2}，请提前到大厅自助机签到。",
            ("day", "time", "code1", "code2"),
        ),
        Kind(
            "closure",
            "很抱歉，本中心{day}闭馆，您预约的{time}接待已取消（预约码{code1}{code2}），"
            "请重新预约。",
            ("day", "time", "code1", "code2"),
        ),
        Kind(
            "case_accepted",
            "您{day}登记的信访事项（编号尾号{serial}）已受理，书面告知书请到大厅领取或查收。",
            ("day", "serial"),
        ),
        Kind(
            "case_not_accepted",
            "您{day}登记的信访事项（编号尾号{serial}）不予受理，书面告知书载明理由，"
            "请到大厅领取或查收。",
            ("day", "serial"),
        ),
        Kind(
            "case_opinion",
            "您{day}登记的信访事项（编号尾号{serial}）已出具处理意见，请到大厅领取或查收。"
            "不服的可在30日内申请复查。",
            ("day", "serial"),
        ),
        # the online door: the code that confirms a phone, and each step with the matter's link
        Kind(
            "online_code",
            "验证码{code}，用于网上信访确认手机号，10分钟内有效，请勿告诉他人。",
            ("code",),
        ),
        Kind(
            "online_received",
            "您的网上信访事项已收到，可凭查询码和本手机号查询办理情况，或打开：{site}/s/{link}",
            ("link",),
        ),
        Kind(
            "online_accepted",
            "您的信访事项（编号尾号{serial}）已受理，受理告知书可在此查看：{site}/s/{link}",
            ("serial", "link"),
        ),
        Kind(
            "online_not_accepted",
            "您的信访事项（编号尾号{serial}）不予受理，告知书载明理由，可在此查看：{site}/s/{link}",
            ("serial", "link"),
        ),
        Kind(
            "online_transferred",
            "您的信访事项（编号尾号{serial}）已转送有权处理的机关，详情：{site}/s/{link}",
            ("serial", "link"),
        ),
        Kind(
            "online_opinion",
            "您的信访事项（编号尾号{serial}）已出具处理意见，可在此查看和评价，"
            "不服的可在30日内申请复查：{site}/s/{link}",
            ("serial", "link"),
        ),
        Kind(
            "online_review",
            "您申请复查的信访事项（编号尾号{serial}）已出具复查意见，可在此查看：{site}/s/{link}",
            ("serial", "link"),
        ),
        Kind(
            "online_material",
            "您的信访事项需要补充材料，请打开查看并提交：{site}/s/{link}",
            ("link",),
        ),
    )
}


def check(kind: str, params: dict[str, str]) -> Kind:
    """The kind, with its variables all given and each at most six characters."""
    known = KINDS[kind]
    if set(params) != set(known.variables):
        raise ValueError(f"text {kind}: variables {sorted(params)} are not {known.variables}")
    for name, value in params.items():
        if not isinstance(value, str) or not 0 < len(value) <= MAX_VARIABLE:
            raise ValueError(f"text {kind}: {name}={value!r} is not 1 to 6 characters")
    return known


def render(kind: str, params: dict[str, str], site: str) -> str:
    return KINDS[kind].text.format(site=site.rstrip("/"), **params)


def split_code(code: str) -> dict[str, str]:
    """A booking code (8 characters) as two variables of at most six."""
    half = (len(code) + 1) // 2
    return {"code1": code[:half], "code2": code[half:] or "-"}
