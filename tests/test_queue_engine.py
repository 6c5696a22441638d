"""The queue engine's rules, through its public functions on a real SQLite file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reception.core.errors import IllegalMove, InvalidInput, NotFound
from reception.models import Hall, Priority, Ticket, TicketEvent
from reception.queue import estimate, moves
from reception.queue.actions import ALLOWED_FROM
from reception.queue.timeline import leg_times
from tests.helpers import bring_to, commit, desk_by_number, issue, local, service_by_prefix

DAY = "2026-11-23"
STATES = ("waiting", "called", "serving", "held", "no_show", "finished", "cancelled")


def _run(action: str, ticket: Ticket, desk_id: int, when):
    if action == "call":
        return moves.call_ticket(desk_id, ticket.id, now=when)
    if action == "finish":
        return moves.finish(ticket.id, "done", now=when)
    if action == "transfer":
        return moves.transfer(ticket.id, service_id=service_by_prefix("L").id, now=when)
    if action == "return":
        return moves.return_to_queue(ticket.id, now=when)
    if action == "no_show":
        return moves.no_show(ticket.id, now=when)
    return getattr(moves, action)(ticket.id, now=when)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(ALLOWED_FROM))
def test_state_machine_allows_exactly_the_legal_moves(db, hall, state, action):
    service, desk = service_by_prefix("A"), desk_by_number(1)
    when = local(DAY, "09:00")
    ticket = bring_to(state, hall.id, service.id, desk.id, when)
    events_before = db.session.scalar(select(func.count(TicketEvent.id)))
    version_before = db.session.get(Hall, hall.id).version
    later = when + timedelta(minutes=5)
    if state in ALLOWED_FROM[action]:
        moved = commit(_run(action, ticket, desk.id, later))
        assert moved.state != state or action == "recall"
        assert db.session.scalar(select(func.count(TicketEvent.id))) == events_before + 1
        return
    with pytest.raises(IllegalMove):
        _run(action, ticket, desk.id, later)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == state
    assert db.session.scalar(select(func.count(TicketEvent.id))) == events_before
    assert db.session.get(Hall, hall.id).version == version_before


def test_call_next_orders_by_priority_then_time_in_line(db, hall):
    service, desk = service_by_prefix("A"), desk_by_number(1)
    walk_in = issue(hall.id, service.id, local(DAY, "08:30"))
    appointment = issue(hall.id, service.id, local(DAY, "08:40"), priority=Priority.APPOINTMENT)
    later_urgent = issue(hall.id, service.id, local(DAY, "09:10"), priority=Priority.URGENT)
    vulnerable = issue(hall.id, service.id, local(DAY, "08:50"), priority=Priority.VULNERABLE)
    urgent = issue(hall.id, service.id, local(DAY, "09:00"), priority=Priority.URGENT)
    second_walk_in = issue(hall.id, service.id, local(DAY, "08:31"))
    order = []
    for minute in range(6):
        when = local(DAY, f"10:{minute:02d}")
        ticket = commit(moves.call_next(desk.id, now=when))
        order.append(ticket.number)
        commit(moves.start(ticket.id, now=when))
        commit(moves.finish(ticket.id, "ok", now=when))
    assert order == [
        urgent.number,
        later_urgent.number,
        vulnerable.number,
        appointment.number,
        walk_in.number,
        second_walk_in.number,
    ]
    assert moves.call_next(desk.id, now=local(DAY, "10:30")) is None


def test_a_ticket_the_request_already_holds_is_the_one_called(db, hall):
    """Call-next writes in one Core statement; the session's own copy of the ticket (a console
    listed the line first) is brought up to date, not shadowed, and nothing is written twice."""
    service, desk = service_by_prefix("A"), desk_by_number(1)
    ticket = issue(hall.id, service.id, local(DAY, "08:30"))
    listed = db.session.get(Ticket, ticket.id)
    assert listed is not None and listed.state == "waiting"
    called = moves.call_next(desk.id, now=local(DAY, "09:00"))
    assert called is listed
    assert (listed.state, listed.desk_id, listed.recall_count) == ("called", desk.id, 0)
    assert listed.called_at == local(DAY, "09:00")
    assert not db.session.dirty  # the row is already written: no UPDATE left for the flush
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Ticket, ticket.id)
    assert stored is not None and (stored.state, stored.desk_id) == ("called", desk.id)
    events = db.session.scalars(
        select(TicketEvent.action)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id)
    ).all()
    assert events == ["issue", "call"]


def test_call_next_serves_every_service_of_the_desk(db, hall):
    desk = desk_by_number(5)  # serves E and J
    first = issue(hall.id, service_by_prefix("J").id, local(DAY, "09:00"))
    issue(hall.id, service_by_prefix("E").id, local(DAY, "09:05"))
    issue(hall.id, service_by_prefix("A").id, local(DAY, "08:00"))  # not this desk's
    assert commit(moves.call_next(desk.id, now=local(DAY, "09:10"))).id == first.id


def test_numbers_restart_at_local_midnight_in_shanghai(db, hall):
    service = service_by_prefix("B")
    before = issue(hall.id, service.id, local("2026-11-22", "23:59"))
    same_day = issue(hall.id, service.id, local("2026-11-22", "23:59:30"))
    after = issue(hall.id, service.id, local("2026-11-23", "00:01"))
    assert (before.number, same_day.number, after.number) == ("B001", "B002", "B001")
    assert str(before.service_day) == "2026-11-22"
    assert str(after.service_day) == "2026-11-23"
    # 23:59 in Shanghai is 15:59 UTC: the UTC date alone would have got this wrong
    assert before.issued_at.hour == 15 and before.issued_at.date().isoformat() == "2026-11-22"


def test_prefixes_count_separately_and_numbers_are_never_reused(db, hall):
    a, b = service_by_prefix("A"), service_by_prefix("B")
    first = issue(hall.id, a.id, local(DAY, "09:00"))
    commit(moves.cancel(first.id, now=local(DAY, "09:01")))
    assert issue(hall.id, a.id, local(DAY, "09:02")).number == "A002"
    assert issue(hall.id, b.id, local(DAY, "09:03")).number == "B001"


def test_yesterdays_waiting_tickets_are_not_called_today(db, hall):
    desk = desk_by_number(2)
    issue(hall.id, service_by_prefix("B").id, local("2026-11-22", "16:00"))
    assert moves.call_next(desk.id, now=local("2026-11-23", "09:00")) is None


def test_transfer_keeps_the_place_in_line(db, hall):
    lawyer_desk = desk_by_number(11)
    visitor = issue(hall.id, service_by_prefix("A").id, local(DAY, "09:00"))
    walk_in = issue(hall.id, service_by_prefix("L").id, local(DAY, "09:10"))
    commit(moves.call_ticket(desk_by_number(1).id, visitor.id, now=local(DAY, "09:20")))
    commit(moves.start(visitor.id, now=local(DAY, "09:21")))
    moved = commit(
        moves.transfer(
            visitor.id,
            service_id=service_by_prefix("L").id,
            note="needs legal advice",
            desk_id=desk_by_number(1).id,
            now=local(DAY, "09:40"),
        )
    )
    assert (moved.state, moved.leg, moved.number) == ("waiting", 2, visitor.number)
    assert estimate.people_ahead(moved) == 0
    assert estimate.people_ahead(walk_in) == 1
    assert commit(moves.call_next(lawyer_desk.id, now=local(DAY, "09:45"))).id == visitor.id


def test_transfer_to_a_named_desk_is_called_only_there(db, hall):
    visitor = bring_to(
        "serving", hall.id, service_by_prefix("K").id, desk_by_number(9).id, local(DAY, "09:00")
    )
    commit(moves.transfer(visitor.id, to_desk_id=desk_by_number(10).id, now=local(DAY, "09:10")))
    issue(hall.id, service_by_prefix("K").id, local(DAY, "09:20"))
    first_at_9 = commit(moves.call_next(desk_by_number(9).id, now=local(DAY, "09:30")))
    assert first_at_9.id != visitor.id
    assert commit(moves.call_next(desk_by_number(10).id, now=local(DAY, "09:31"))).id == visitor.id


def test_transfer_needs_a_real_target(db, hall):
    visitor = bring_to(
        "serving", hall.id, service_by_prefix("A").id, desk_by_number(1).id, local(DAY, "09:00")
    )
    with pytest.raises(InvalidInput):
        moves.transfer(visitor.id)
    with pytest.raises(NotFound):
        moves.transfer(visitor.id, service_id=99999)
    with pytest.raises(InvalidInput):
        moves.transfer(visitor.id, service_id=service_by_prefix("A").id)
    with pytest.raises(InvalidInput):  # desk 1 does not serve the lawyer queue
        moves.transfer(
            visitor.id, service_id=service_by_prefix("L").id, to_desk_id=desk_by_number(2).id
        )


def test_event_log_reconstructs_wait_and_service_times(db, hall):
    desk_a, desk_l = desk_by_number(1), desk_by_number(11)
    ticket = issue(hall.id, service_by_prefix("A").id, local(DAY, "09:00"))
    commit(moves.call_next(desk_a.id, now=local(DAY, "09:12")))
    commit(moves.recall(ticket.id, now=local(DAY, "09:13")))
    commit(moves.start(ticket.id, now=local(DAY, "09:14")))
    commit(moves.transfer(ticket.id, service_id=service_by_prefix("L").id, now=local(DAY, "09:24")))
    commit(moves.call_next(desk_l.id, now=local(DAY, "09:30")))
    commit(moves.start(ticket.id, now=local(DAY, "09:31")))
    commit(moves.finish(ticket.id, "advised to apply for arbitration", now=local(DAY, "09:51")))
    db.session.expire_all()
    legs = leg_times(db.session.get(Ticket, ticket.id).events)
    assert [(leg.leg, leg.wait_seconds, leg.service_seconds) for leg in legs] == [
        (1, 12 * 60, 10 * 60),
        (2, 6 * 60, 20 * 60),
    ]
    assert [leg.end_action for leg in legs] == ["transfer", "finish"]
    assert legs[0].desk_ids == [desk_a.id] and legs[1].desk_ids == [desk_l.id]
    events = db.session.get(Ticket, ticket.id).events
    assert [e.action for e in events] == [
        "issue",
        "call",
        "recall",
        "start",
        "transfer",
        "call",
        "start",
        "finish",
    ]
    versions = [e.hall_version for e in events]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


def test_recalls_are_counted_and_limited(db, hall):
    ticket = bring_to(
        "called", hall.id, service_by_prefix("A").id, desk_by_number(1).id, local(DAY, "09:00")
    )
    for count in (1, 2):
        assert commit(moves.recall(ticket.id, max_recalls=2)).recall_count == count
    with pytest.raises(IllegalMove):
        moves.recall(ticket.id, max_recalls=2)


def test_a_desk_calls_one_visitor_at_a_time(db, hall):
    service, desk = service_by_prefix("A"), desk_by_number(1)
    issue(hall.id, service.id, local(DAY, "09:00"))
    issue(hall.id, service.id, local(DAY, "09:01"))
    commit(moves.call_next(desk.id, now=local(DAY, "09:05")))
    with pytest.raises(IllegalMove):
        moves.call_next(desk.id, now=local(DAY, "09:06"))


def test_only_the_desk_with_the_ticket_may_move_it(db, hall):
    ticket = bring_to(
        "called", hall.id, service_by_prefix("B").id, desk_by_number(2).id, local(DAY, "09:00")
    )
    with pytest.raises(IllegalMove):
        moves.start(ticket.id, desk_id=desk_by_number(6).id)
    with pytest.raises(IllegalMove):  # desk 1 does not serve B
        moves.call_ticket(
            desk_by_number(1).id,
            bring_to("waiting", hall.id, service_by_prefix("B").id, 0, local(DAY, "09:01")).id,
        )


def test_closed_desk_cannot_call(db, hall):
    desk = desk_by_number(3)
    desk.open = False
    db.session.commit()
    issue(hall.id, service_by_prefix("C").id, local(DAY, "09:00"))
    with pytest.raises(IllegalMove):
        moves.call_next(desk.id, now=local(DAY, "09:01"))


def test_hold_parks_the_visitor_for_the_same_desk(db, hall):
    desk = desk_by_number(7)
    service = service_by_prefix("G")
    held = bring_to("serving", hall.id, service.id, desk.id, local(DAY, "09:00"))
    commit(moves.hold(held.id, "fetching a paper", desk_id=desk.id, now=local(DAY, "09:05")))
    other = issue(hall.id, service.id, local(DAY, "09:06"))
    commit(moves.call_next(desk.id, now=local(DAY, "09:07")))
    commit(moves.no_show(other.id, now=local(DAY, "09:10")))
    commit(moves.resume(held.id, now=local(DAY, "09:20")))
    assert commit(moves.call_next(desk.id, now=local(DAY, "09:21"))).id == held.id


def test_returned_no_show_goes_to_the_back(db, hall):
    desk, service = desk_by_number(8), service_by_prefix("H")
    missed = bring_to("no_show", hall.id, service.id, desk.id, local(DAY, "09:00"))
    waiting = issue(hall.id, service.id, local(DAY, "09:10"))
    commit(moves.return_to_queue(missed.id, now=local(DAY, "09:20")))
    assert commit(moves.call_next(desk.id, now=local(DAY, "09:21"))).id == waiting.id


def test_finish_needs_an_outcome(db, hall):
    ticket = bring_to(
        "serving", hall.id, service_by_prefix("A").id, desk_by_number(1).id, local(DAY, "09:00")
    )
    with pytest.raises(InvalidInput):
        moves.finish(ticket.id, "   ")
    assert db.session.get(Ticket, ticket.id).state == "serving"


def test_unknown_things_are_not_found(db, hall):
    with pytest.raises(NotFound):
        moves.call_next(99999)
    with pytest.raises(NotFound):
        moves.start(99999)
    with pytest.raises(NotFound):
        issue(hall.id, 99999, local(DAY, "09:00"))


def test_wait_estimate_uses_people_ahead_desks_and_recent_service_times(db, hall):
    service, desk = service_by_prefix("K"), desk_by_number(9)  # K has two desks
    served = issue(hall.id, service.id, local(DAY, "08:00"))
    commit(moves.call_next(desk.id, now=local(DAY, "08:01")))
    commit(moves.start(served.id, now=local(DAY, "08:02")))
    commit(moves.finish(served.id, "ok", now=local(DAY, "08:14")))  # 12 minutes
    tickets = [issue(hall.id, service.id, local(DAY, f"09:0{i}")) for i in range(5)]
    standing = estimate.standing(tickets[4], default_minutes=10, now=local(DAY, "09:10"))
    assert standing.people_ahead == 4
    assert standing.desks_open == 2
    assert standing.service_minutes == 12
    assert standing.wait_minutes == 24  # 4 ahead × 12 min / 2 desks
    first = estimate.standing(tickets[0], default_minutes=10, now=local(DAY, "09:10"))
    assert (first.people_ahead, first.wait_minutes) == (0, 0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_call_next_takes_the_first_the_desk_may_serve_in_the_whole_line(db, hall, seed):
    """Call-next looks at each of the desk's services and at tickets sent to it by name
    separately (one index step each); what it calls is always the head of the desk's whole
    line as `waiting_in_order` lists it: priorities and places mixed across services, tickets
    sent to this desk and to others, tickets of services it does not serve."""
    import random

    from reception.core.clock import hall_day
    from reception.queue.calling import waiting_in_order

    rng = random.Random(seed)
    desk, other = desk_by_number(5), desk_by_number(6)  # desk 5 serves E and J
    prefixes = ["E", "J", "A", "K"]
    for n in range(40):
        ticket = issue(
            hall.id,
            service_by_prefix(rng.choice(prefixes)).id,
            local(DAY, f"08:{n:02d}"),
            priority=rng.choice(list(Priority)),
        )
        if rng.random() < 0.2:  # sent by name, as a transfer to a chosen desk does
            db.session.get(Ticket, ticket.id).target_desk_id = rng.choice([desk.id, other.id])
            db.session.commit()
    day = hall_day(hall.timezone, local(DAY, "10:00"))
    called = 0
    for minute in range(40):
        expected = db.session.scalars(waiting_in_order(desk, day)).first()
        when = local(DAY, f"10:{minute:02d}")
        ticket = commit(moves.call_next(desk.id, now=when))
        if expected is None:
            assert ticket is None
            break
        assert ticket is not None and ticket.id == expected.id
        called += 1
        commit(moves.start(ticket.id, now=when))
        commit(moves.finish(ticket.id, "ok", now=when))
    assert called > 5
