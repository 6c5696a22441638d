"""Registration and triage: identity numbers, masking, encryption at rest, repeat visits,
group representatives, routing, the regulation's clocks, accusations, planned journeys."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from reception.core import identity
from reception.core.errors import IllegalMove, InvalidInput
from reception.models import AuditEntry, Case, CaseStatus, Ticket
from reception.queue import moves
from reception.triage import clocks, registration, routing
from reception.triage.registration import MatterInput, VisitorInput
from tests.helpers import commit, desk_by_number, local, service_by_prefix

TODAY = date(2026, 11, 23)
ELDER_ID = "11010519491231002X"  # born 1949-12-31, female: 76 on TODAY
YOUNG_ID = "440301199003070035"  # born 1990-03-07, male


def _person(id_number=YOUNG_ID, **extra) -> VisitorInput:
    return VisitorInput(
        name="王小明", id_number=id_number, phone="13812345678", address="示范区人民路1号", **extra
    )


def _matter(route: list[str], **extra) -> MatterInput:
    return MatterInput(
        account="小区楼顶漏水三年无人处理。",
        category="住房",
        route=[service_by_prefix(p).id for p in route],
        **extra,
    )


def _register(hall, person=None, matter=None, when=None):
    case, ticket = registration.register(
        hall,
        person or _person(),
        matter or _matter(["B", "L"]),
        staff_id=None,
        categories=routing.categories(hall),
        elderly_age=70,
        now=when or local("2026-11-23", "09:00"),
    )
    commit(None)
    return case, ticket


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105194912310021", "check digit"),
        ("110105194902300020", "birth date"),
        ("11010519491231002", "18 characters"),
        ("A1010519491231002X", "18 characters"),
        ("110105209912310010", "birth date"),  # born in the future
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(number, message):
    with pytest.raises(InvalidInput, match=message):
        identity.parse_id_number(number, today=TODAY)


def test_valid_id_number_gives_birth_date_and_sex():
    card = identity.parse_id_number(ELDER_ID.lower(), today=TODAY)
    assert (card.number, card.birth_date, card.sex) == (ELDER_ID, date(1949, 12, 31), "F")
    assert identity.parse_id_number(YOUNG_ID, today=TODAY).sex == "M"


def test_old_15_digit_form_is_converted():
    card = identity.parse_id_number("110105491231002", today=TODAY)
    assert card.number == ELDER_ID and card.converted_from_15


def test_masking():
    assert identity.mask_id(ELDER_ID) == "110105********002X"
    assert identity.mask_phone("13812345678") == "138****5678"
    assert identity.mask_name("张晓霞") == "张*霞"
    assert identity.mask_name("张三") == "张*"
    assert identity.mask_name("欧阳娜娜") == "欧**娜"


def test_mobile_numbers():
    assert identity.normalise_mobile("+86 138-1234-5678") == "13812345678"
    with pytest.raises(InvalidInput):
        identity.normalise_mobile("12812345678")


def test_id_and_phone_are_encrypted_at_rest(app, db, hall):
    _register(hall)
    db.session.remove()
    db.engine.dispose()
    raw = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).read_bytes()
    for secret in (YOUNG_ID, "13812345678", "王小明"):
        assert secret.encode() not in raw, secret
    case = db.session.scalars(select(Case)).one()
    assert case.visitor.id_number == YOUNG_ID and case.visitor.phone == "13812345678"


def test_repeat_visit_is_detected_by_id_number(db, hall):
    first, _ = _register(hall)
    assert first.repeat is False
    found = registration.find_by_id_number(YOUNG_ID.lower(), staff_id=None, today=TODAY)
    assert found is not None and found.id == first.visitor_id
    assert registration.open_cases(found) == [first]
    second, _ = _register(hall, matter=_matter(["F"]))
    assert second.repeat is True and second.visitor_id == first.visitor_id
    audit = db.session.scalars(select(AuditEntry.action)).all()
    assert "view_visitor" in audit and audit.count("register_case") == 2


def test_elderly_visitor_is_vulnerable_and_called_first(db, hall):
    _, young = _register(hall, matter=_matter(["B"]), when=local("2026-11-23", "09:00"))
    case, elder = _register(
        hall, person=_person(ELDER_ID), matter=_matter(["B"]), when=local("2026-11-23", "09:30")
    )
    assert case.vulnerable == "elderly" and elder.priority > young.priority
    called = commit(moves.call_next(desk_by_number(2).id, now=local("2026-11-23", "10:00")))
    assert called.id == elder.id


def test_a_visitor_without_id_card_is_registered(db, hall):
    case, ticket = _register(hall, person=VisitorInput(name="李四", no_id_card=True))
    assert case.visitor.no_id_card and case.visitor.id_hash is None and ticket.number == "B001"


def test_five_representatives_accepted_the_sixth_refused(db, hall):
    five = ["张一", "张二", "张三", "张四", "张五"]
    case, _ = _register(hall, matter=_matter(["B"], group_size=30, representatives=five))
    assert [r.name for r in case.representatives] == five and case.group_size == 30
    with pytest.raises(InvalidInput, match="Art. 20"):
        _register(hall, matter=_matter(["B"], group_size=30, representatives=[*five, "张六"]))


def test_routing_rules_suggest_desks(db, hall):
    housing = routing.suggest(hall, "住房", None, risk=False, accused_id=None)
    assert [s.prefix for s in housing] == ["F"]
    legal = routing.suggest(hall, "征地拆迁", service_by_prefix("A"), risk=True, accused_id=None)
    assert [s.prefix for s in legal] == ["P", "A", "L"]
    dispute = routing.suggest(hall, "医疗纠纷", None, risk=False, accused_id=None)
    assert [s.kind for s in dispute] == ["mediator", "lawyer"]
    accused = service_by_prefix("F")
    assert accused not in routing.suggest(hall, "住房", accused, risk=False, accused_id=accused.id)


def test_deadlines_across_month_ends_and_the_extension_rule(db, hall):
    case, _ = _register(hall)
    case.registered_on = date(2026, 1, 20)
    assert clocks.notice_due(case) == date(2026, 2, 4)
    registration.decide(case, CaseStatus.ACCEPTED, date(2026, 1, 31), None)
    assert clocks.handle_due(case) == date(2026, 4, 1)  # 60 days across February (28 days)
    with pytest.raises(InvalidInput):
        clocks.extend(case, 31, "王局长", "需要现场勘查")
    with pytest.raises(InvalidInput):
        clocks.extend(case, 20, "", "需要现场勘查")
    clocks.extend(case, 30, "王局长", "需要现场勘查")
    assert clocks.handle_due(case) == date(2026, 5, 1)
    with pytest.raises(IllegalMove, match="only once"):
        clocks.extend(case, 5, "王局长", "再次延期")
    assert clocks.standing(case, date(2026, 4, 25)) == "due_soon"
    assert clocks.standing(case, date(2026, 5, 2)) == "overdue"
    case.replied_on = date(2026, 4, 30)
    assert clocks.review_request_due(case) == date(2026, 5, 30)
    with pytest.raises(IllegalMove, match="30 days"):
        clocks.request_review(case, date(2026, 5, 31))
    clocks.request_review(case, date(2026, 5, 30))
    assert clocks.next_deadline(case).due == date(2026, 6, 29)
    case.review_replied_on = date(2026, 6, 20)
    clocks.request_recheck(case, date(2026, 7, 20))
    assert clocks.next_deadline(case).due == date(2026, 8, 19)


def test_leap_year_month_end():
    case = Case(registered_on=date(2028, 2, 15), status="registered", extension_days=0)
    assert clocks.notice_due(case) == date(2028, 3, 1)  # 2028 has a 29 February


def test_accusation_is_hidden_from_the_accused_department(db, hall):
    accused = service_by_prefix("B")
    matter = _matter(["C"], accusation=True, accused_id=accused.id)
    case, _ = _register(hall, matter=matter)
    assert registration.visible_to(case, {accused.id}) is False
    assert registration.visible_to(case, {service_by_prefix("C").id}) is True
    with pytest.raises(InvalidInput, match="accuses"):
        _register(hall, matter=_matter(["B"], accusation=True, accused_id=accused.id))


def test_the_journey_goes_desk_to_desk_keeping_its_place(db, hall):
    case, ticket = _register(hall, matter=_matter(["B", "L"]), when=local("2026-11-23", "09:00"))
    lawyer_walk_in = registration.issue_ticket(
        hall.id, service_by_prefix("L").id, now=local("2026-11-23", "09:10")
    )
    commit(None)
    commit(moves.call_next(desk_by_number(2).id, now=local("2026-11-23", "09:20")))
    commit(moves.start(ticket.id, now=local("2026-11-23", "09:21")))
    moved = commit(moves.finish(ticket.id, "已登记维修申请", now=local("2026-11-23", "09:40")))
    assert (moved.state, moved.service_id, moved.leg) == ("waiting", service_by_prefix("L").id, 2)
    called = commit(moves.call_next(desk_by_number(11).id, now=local("2026-11-23", "09:45")))
    assert called.id == ticket.id != lawyer_walk_in.id
    commit(moves.start(ticket.id, now=local("2026-11-23", "09:46")))
    done = commit(moves.finish(ticket.id, "告知可向法院起诉", now=local("2026-11-23", "10:00")))
    assert done.state == "finished"
    db.session.expire_all()
    notes = [n.text for n in db.session.get(Case, case.id).notes]
    assert notes == ["已登记维修申请", "告知可向法院起诉"]
    assert db.session.get(Ticket, ticket.id).leg == 2


def test_the_purpose_is_recorded_and_an_accusation_is_always_揭发控告(db, hall):
    case, _ = _register(hall, matter=_matter(["B"], purpose="意见建议"))
    assert case.purpose == "意见建议"
    accused = service_by_prefix("C").id
    other = registration.VisitorInput(name="李四", id_number="110101199003074514")
    case, _ = _register(
        hall, person=other, matter=_matter(["B"], accusation=True, accused_id=accused)
    )
    assert case.purpose == "揭发控告"
    with pytest.raises(InvalidInput, match="purpose"):
        _register(hall, matter=_matter(["B"], purpose="上访"))
