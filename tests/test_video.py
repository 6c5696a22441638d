"""Video reception's rules through its public entry points: ringing, answering (once, in time,
by the unit's own staff), ending, the events on the ticket, the session room closed to all but
the two parties, signalling relayed to the other party only, the unit's outcome on the case,
the recording stored encrypted, played back only to who may see the case, and purged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from reception.cli import main
from reception.core.errors import IllegalMove, InvalidInput, NotFound
from reception.db.extensions import db as _db
from reception.db.extensions import socketio
from reception.hall.description import HallDescriptionError, describe_hall, validate
from reception.jobs import run_duties
from reception.models import (
    AuditEntry,
    CaseNote,
    RecordingChunk,
    RemoteUnit,
    Ticket,
    TicketEvent,
    VideoSession,
)
from reception.models.types import utcnow
from reception.queue import moves
from reception.triage import registration, routing
from reception.triage.registration import MatterInput, VisitorInput
from reception.video import recordings
from reception.video import sessions as video
from tests.helpers import (
    commit,
    desk_by_number,
    issue,
    login,
    refused_at_kiosk,
    service_by_prefix,
    user_by_name,
)

VIDEO_DESK = 14


def _unit(name: str) -> RemoteUnit:
    return _db.session.scalars(select(RemoteUnit).where(RemoteUnit.name == name)).one()


def _called(hall, unit_name: str | None = "市教育局") -> Ticket:
    ticket = issue(hall.id, service_by_prefix("V").id, utcnow(), outside_hours=True)
    if unit_name:
        commit(video.choose_unit(ticket, _unit(unit_name).id))
    return commit(moves.call_ticket(desk_by_number(VIDEO_DESK).id, ticket.id))


def _call_and_ring(ticket: Ticket) -> VideoSession:
    """The video desk calls `ticket` (when not yet called) and rings its unit."""
    desk = desk_by_number(VIDEO_DESK).id
    if ticket.state == "waiting":
        commit(moves.call_ticket(desk, ticket.id))
    operator = user_by_name("video").id
    return commit(video.start(desk, ticket.id, operator, ticket.remote_unit_id, utcnow()))


def _ring(hall, **kwargs) -> VideoSession:
    return _call_and_ring(_called(hall, **kwargs))


def _emit(socket, event: str, data, callback: bool = True):
    """Emit as this socket's user: the tests share one app context, whose `g` caches the user
    Flask-Login found last (in production every event has its own)."""
    for name in list(vars(g)):
        delattr(g, name)
    return socket.emit(event, data, callback=callback)


def _actions(ticket_id: int) -> list[str]:
    events = _db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    )
    return [event.action for event in events]


def test_a_call_rings_is_answered_once_by_its_unit_and_ends_on_the_ticket(db, hall):
    call = _ring(hall)
    assert call.state == "ringing" and call.recording is False
    with pytest.raises(NotFound):  # another unit's staff do not even see it
        video.answer(call.id, user_by_name("qinghe"), utcnow())
    db.session.rollback()
    with pytest.raises(NotFound):  # nor do the hall's own staff answer for the unit
        video.answer(call.id, user_by_name("desk"), utcnow())
    db.session.rollback()
    answered = commit(video.answer(call.id, user_by_name("jiaoyu"), utcnow()))
    assert answered.state == "active" and answered.remote_staff_id == user_by_name("jiaoyu").id
    ticket = db.session.get(Ticket, call.ticket_id)
    assert ticket.state == "serving"  # the unit on the line: service has begun
    with pytest.raises(IllegalMove):  # a second answer finds it taken
        video.answer(call.id, user_by_name("jiaoyu"), utcnow())
    db.session.rollback()
    with pytest.raises(IllegalMove):  # one open session a visitor
        video.start(
            desk_by_number(VIDEO_DESK).id,
            ticket.id,
            user_by_name("video").id,
            ticket.remote_unit_id,
            utcnow(),
        )
    db.session.rollback()
    commit(video.end(call.id, user_by_name("jiaoyu"), utcnow()))
    assert db.session.get(VideoSession, call.id).state == "ended"
    assert _actions(ticket.id)[-3:] == ["start", "video_start", "video_end"]
    starts = db.session.scalars(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.action.like("video_%")
        )
    ).all()
    assert {event.staff_id for event in starts} == {user_by_name("jiaoyu").id}
    assert all(event.desk_id == desk_by_number(VIDEO_DESK).id for event in starts)
    with pytest.raises(IllegalMove):
        video.end(call.id, user_by_name("video"), utcnow())
    db.session.rollback()


def test_an_unanswered_call_runs_out_and_the_desk_rings_another_unit(db, hall):
    call = _ring(hall)
    late = call.answer_by + timedelta(seconds=1)
    with pytest.raises(IllegalMove):
        video.answer(call.id, user_by_name("jiaoyu"), late)
    db.session.rollback()
    assert video.open_session(call.ticket_id, late) is None  # ran out even before the sweep
    assert commit(video.expire(hall.id, late)) == 1
    assert db.session.get(VideoSession, call.id).state == "unanswered"
    commit(video.end(call.id, user_by_name("video"), late))  # the hall closes it: no error
    assert db.session.get(VideoSession, call.id).state == "unanswered"
    assert video.calls_for(call.remote_unit_id, late) == []
    # re-routed: the same visitor, another unit
    again = commit(
        video.start(
            call.desk_id, call.ticket_id, user_by_name("video").id, _unit("清河县").id, late
        )
    )
    assert again.remote_unit_id == _unit("清河县").id
    assert db.session.get(Ticket, call.ticket_id).remote_unit_id == _unit("清河县").id


def test_only_a_video_ticket_at_this_desk_is_received_over_video(db, hall):
    waiting = issue(hall.id, service_by_prefix("V").id, utcnow(), outside_hours=True)
    operator, desk = user_by_name("video").id, desk_by_number(VIDEO_DESK).id
    unit = _unit("市教育局").id
    with pytest.raises(IllegalMove):  # not called to the desk yet
        video.start(desk, waiting.id, operator, unit, utcnow())
    db.session.rollback()
    other = issue(hall.id, service_by_prefix("B").id, utcnow(), outside_hours=True)
    commit(moves.call_ticket(desk_by_number(2).id, other.id))
    with pytest.raises(IllegalMove):
        video.start(desk, other.id, operator, unit, utcnow())
    db.session.rollback()
    called = _called(hall, unit_name=None)
    with pytest.raises(InvalidInput):  # a unit must be chosen
        video.start(desk, called.id, operator, None, utcnow())
    db.session.rollback()
    _unit("东城区").active = False
    commit(None)
    with pytest.raises(InvalidInput):  # an inactive unit cannot be rung
        video.start(desk, called.id, operator, _unit("东城区").id, utcnow())
    db.session.rollback()


def test_the_session_room_is_the_two_parties_and_signals_reach_only_the_other(app, db, hall):
    call = _ring(hall)
    commit(video.answer(call.id, user_by_name("jiaoyu"), utcnow()))
    room = f"video:{call.id}"

    def connected(username: str | None):
        client = app.test_client()
        if username:
            login(client, username)
        return socketio.test_client(app, flask_test_client=client)

    hall_side, remote_side = connected("video"), connected("jiaoyu")
    outsiders = [connected(None), connected("lawyer"), connected("qinghe"), connected("supervisor")]
    for outsider in outsiders:
        assert _emit(outsider, "join", {"room": room}, callback=True)["ok"] is False
        reply = _emit(
            outsider, "signal", {"session": call.id, "data": {"type": "hello"}}, callback=True
        )
        assert reply["ok"] is False
    assert _emit(hall_side, "join", {"room": room}, callback=True)["ok"] is True
    assert _emit(remote_side, "join", {"room": room}, callback=True)["ok"] is True
    peers = [e for e in hall_side.get_received() if e["name"] == "video_peer"]
    assert peers and peers[-1]["args"][0] == {
        "session": call.id,
        "party": "remote",
        "present": True,
    }
    offer = {"type": "offer", "gen": 1, "sdp": "v=0 fake"}
    assert _emit(hall_side, "signal", {"session": call.id, "data": offer}, callback=True)["ok"]
    got = [e["args"][0] for e in remote_side.get_received() if e["name"] == "signal"]
    assert got == [{"session": call.id, "party": "hall", "data": offer}]
    assert not [e for e in hall_side.get_received() if e["name"] == "signal"]  # not echoed
    for outsider in outsiders:
        assert not [e for e in outsider.get_received() if e["name"] == "signal"]
    # malformed and oversized signals are refused, nothing relayed
    for bad in ({"type": "evil"}, "offer", {"type": "offer", "sdp": "x" * 70000}):
        reply = _emit(hall_side, "signal", {"session": call.id, "data": bad}, callback=True)
        assert reply["ok"] is False
    assert not [e for e in remote_side.get_received() if e["name"] == "signal"]
    # the remote's page goes away: the hall is told
    remote_side.disconnect()
    gone = [e["args"][0] for e in hall_side.get_received() if e["name"] == "video_peer"]
    assert gone[-1]["present"] is False
    # once ended, nothing is relayed any more
    commit(video.end(call.id, user_by_name("video"), utcnow()))
    reply = _emit(hall_side, "signal", {"session": call.id, "data": offer}, callback=True)
    assert reply["ok"] is False


def test_the_unit_sees_its_own_line_only(app, db, hall):
    ticket = _called(hall)
    client = app.test_client()
    login(client, "jiaoyu")
    page = client.get("/remote/")
    assert page.status_code == 200 and ticket.number in page.get_data(as_text=True)
    # another unit's visitor is not in its line
    login(other := app.test_client(), "qinghe")
    assert ticket.number not in other.get("/remote/panel").get_data(as_text=True)
    # a remote account sees nothing of the hall beyond its video line
    for path in ("/desk/", "/cases/", "/supervisor/", "/registration/", "/reports/"):
        assert client.get(path).status_code == 403, path
    listener = socketio.test_client(app, flask_test_client=client)
    for room in (f"hall:{hall.id}", f"desk:{desk_by_number(2).id}", f"remote:{_unit('清河县').id}"):
        assert _emit(listener, "join", {"room": room}, callback=True)["ok"] is False, room
    assert _emit(listener, "join", {"room": f"remote:{_unit('市教育局').id}"}, callback=True)["ok"]


def test_the_units_outcome_lands_on_the_case_and_starts_the_desks(app, client, db, hall):
    call = _ring(hall)
    commit(video.answer(call.id, user_by_name("jiaoyu"), utcnow()))
    remote = app.test_client()
    login(remote, "jiaoyu")
    url = f"/video/{call.id}/outcome"
    assert remote.post(url, data={"outcome": "  "}).status_code == 422
    assert remote.post(url, data={"outcome": "x" * 2001}).status_code == 422
    login(client, "video")
    assert client.post(url, data={"outcome": "hall writes"}).status_code == 403
    answer = remote.post(url, data={"outcome": "已责成学校补发工资"})
    assert answer.status_code == 200 and answer.get_json()["ok"] is True
    assert db.session.get(VideoSession, call.id).outcome == "已责成学校补发工资"
    console = client.get(f"/desk/{desk_by_number(VIDEO_DESK).id}").get_data(as_text=True)
    assert "已责成学校补发工资</textarea>" in console


def _registered(hall, number: str | None = None) -> Ticket:
    """A matter registered for the visitor holding `number` (the kiosk's), video unit chosen."""
    case, ticket = registration.register(
        hall,
        VisitorInput(name="王小明", id_number="440301199003070035"),
        MatterInput(
            account="学校拖欠代课教师工资三个月。",
            category=routing.categories(hall)[0],
            route=[service_by_prefix("V").id],
            ticket_number=number or "",
            remote_unit_id=_unit("市教育局").id,
        ),
        staff_id=user_by_name("registrar").id,
        categories=routing.categories(hall),
        elderly_age=70,
    )
    return commit(ticket)


def test_a_kiosk_number_gets_its_matter_and_the_units_outcome_lands_on_it(app, db, hall):
    kiosk = issue(hall.id, service_by_prefix("V").id, utcnow(), outside_hours=True)
    with pytest.raises(InvalidInput):
        _registered(hall, "V999")
    db.session.rollback()
    ticket = _registered(hall, kiosk.number.lower())
    assert ticket.id == kiosk.id and ticket.case_id is not None  # same number, same place
    assert ticket.remote_unit_id == _unit("市教育局").id
    with pytest.raises(InvalidInput):  # one matter a number
        _registered(hall, kiosk.number)
    db.session.rollback()
    call = _call_and_ring(ticket)
    assert video.case_summary(call, user_by_name("jiaoyu")) is None  # not before answering
    commit(video.answer(call.id, user_by_name("jiaoyu"), utcnow()))
    summary = commit(video.case_summary(call, user_by_name("jiaoyu")))
    assert summary.name == "王*明" and "拖欠" in summary.account
    commit(video.write_outcome(call.id, user_by_name("jiaoyu"), "已责成学校补发。", utcnow()))
    notes = db.session.scalars(select(CaseNote).where(CaseNote.case_id == ticket.case_id)).all()
    assert [(n.kind, n.text, n.staff_id) for n in notes] == [
        ("remote_outcome", "已责成学校补发。", user_by_name("jiaoyu").id)
    ]
    audits = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.staff_id == user_by_name("jiaoyu").id)
    ).all()
    assert set(audits) == {"view_case", "video_outcome"}


def test_a_recording_is_kept_encrypted_played_to_the_case_and_purged(app, client, db, hall):
    hall.video_recording, hall.recording_retention_days = True, 30
    commit(None)
    ticket = _registered(hall)
    call = _call_and_ring(ticket)
    assert call.recording is True
    commit(video.answer(call.id, user_by_name("jiaoyu"), utcnow()))
    login(client, "video")
    url = f"/video/{call.id}/recording/"
    pieces = [b"\x1a\x45\xdf\xa3 first piece", b"second piece", b"third"]
    for seq, data in enumerate(pieces, start=1):
        answer = client.post(url + str(seq), data=data)
        assert answer.status_code == 201, answer.get_data(as_text=True)
    assert client.post(url + "2", data=pieces[1]).status_code == 200  # a retry: kept once
    assert client.post(url + "4", data=b"").status_code == 422
    assert client.post(url + "0", data=b"x").status_code == 404
    remote = app.test_client()
    login(remote, "jiaoyu")
    assert remote.post(url + "4", data=b"x").status_code == 403  # only the hall records
    stored = db.session.scalars(
        select(RecordingChunk).where(RecordingChunk.session_id == call.id)
    ).all()
    assert len(stored) == 3 and all(b"piece" not in bytes(c.data) for c in stored)

    # played back whole, to those who may see the case, each time audited
    login(client, "supervisor")
    playback = f"/cases/{ticket.case_id}/recordings/{call.id}.webm"
    answer = client.get(playback)
    assert answer.status_code == 200 and answer.mimetype == "video/webm"
    assert answer.get_data() == b"".join(pieces)
    assert f"recording-{call.id}" in client.get(f"/cases/{ticket.case_id}").get_data(True)
    login(outsider := app.test_client(), "zhujian")
    assert outsider.get(playback).status_code == 404
    assert remote.get(playback).status_code == 403
    plays = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "play_recording")
    ).all()
    assert [(p.staff_id, p.case_id) for p in plays] == [
        (user_by_name("supervisor").id, ticket.case_id)
    ]

    # once the session is long over, nothing more is accepted
    commit(video.end(call.id, user_by_name("video"), utcnow()))
    db.session.get(VideoSession, call.id).ended_at = utcnow() - timedelta(hours=1)
    commit(None)
    assert client.post(url + "4", data=b"late").status_code == 404  # not a party
    login(client, "video")
    assert client.post(url + "4", data=b"late").status_code == 409
    # the retention period ends: the scheduled round deletes it
    assert commit(recordings.purge(hall, utcnow() + timedelta(days=29))) == 0
    run_duties(app, now=utcnow() + timedelta(days=31))
    assert recordings.stored(call.id) == (0, 0)
    assert db.session.get(VideoSession, call.id).recording_purged_at is not None
    assert client.get(playback).status_code in (403, 404)


def test_the_commands_make_a_remote_account_and_purge_recordings(runner, db):
    args = ["create-user", "rx", "--role", "remote", "--password", "s3cret-pass"]
    refused = runner.invoke(main, args=args)
    assert refused.exit_code != 0 and "needs its unit" in refused.output
    unknown = runner.invoke(main, args=[*args, "--unit", "火星县"])
    assert unknown.exit_code != 0 and "no video unit" in unknown.output
    made = runner.invoke(main, args=[*args, "--unit", "东城区"])
    assert made.exit_code == 0, made.output
    assert user_by_name("rx").remote_unit_id == _unit("东城区").id
    assert "0 recording(s) deleted" in runner.invoke(main, args=["purge-recordings"]).output


def test_the_hall_description_carries_units_and_remote_staff(db, hall):
    description = describe_hall(hall)
    assert {"name": "清河县", "name_en": "Qinghe County", "active": True} in description[
        "remote_units"
    ]
    jiaoyu = next(u for u in description["users"] if u["username"] == "jiaoyu")
    assert jiaoyu["remote_unit"] == "市教育局" and jiaoyu["role"] == "remote"
    assert description["video_answer_seconds"] == 60
    for bad in (
        {"remote_units": [{"name": "A"}, {"name": "A"}]},
        {"users": [{"username": "x", "role": "remote", "remote_unit": "nowhere"}]},
        {"video_answer_seconds": 5},
        {"video_recording": "yes"},
    ):
        with pytest.raises(HallDescriptionError):
            validate({**description, **bad})


def test_the_administrator_keeps_the_units_and_their_staff(client, db, hall):
    login(client, "admin")
    assert "清河县" in client.get("/admin/remote-units/").get_data(as_text=True)
    made = client.post("/admin/remote-units/new", data={"name": "西城区", "active": "1"})
    assert made.status_code == 303
    unit = _unit("西城区")
    assert unit.active and unit.hall_id == hall.id
    again = client.post("/admin/remote-units/new", data={"name": "西城区"})
    assert again.status_code == 422 and "已是一个接访单位" in again.get_data(as_text=True)
    assert client.post("/admin/remote-units/new", data={"name": ""}).status_code == 422
    edited = client.post(
        f"/admin/remote-units/{unit.id}", data={"name": "西城区", "name_en": "Xicheng"}
    )
    assert edited.status_code == 303 and _unit("西城区").active is False  # unticked: out of use
    assert _db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "setup_remote_unit")
    ).all()
    person = {"username": "xc1", "display_name": "西城区干部", "role": "remote", "active": "1"}
    assert client.post("/admin/staff/new", data=person).status_code == 422  # no unit
    person["remote_unit_id"] = str(_unit("清河县").id)
    assert client.post("/admin/staff/new", data=person).status_code == 200  # password shown once
    assert user_by_name("xc1").remote_unit_id == _unit("清河县").id
    # an inactive unit is neither offered at the kiosk nor rung
    asked = client.post("/kiosk/issue", data={"service_id": service_by_prefix("V").id})
    assert asked.status_code == 303  # the question is a page of its own, reached by GET
    kiosk = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "清河县" in kiosk and "西城区" not in kiosk


def test_the_kiosk_asks_which_unit_and_refuses_one_it_does_not_offer(client, db, hall):
    video_service = service_by_prefix("V").id
    for bad in ("99999", "abc", str(_unit("东城区").id)):
        if bad == str(_unit("东城区").id):
            _unit("东城区").active = False
            commit(None)
        refused_at_kiosk(client, {"service_id": video_service, "remote_unit_id": bad})
    assert _db.session.scalars(select(Ticket)).all() == []
    # nobody of 清河县 has the unit's page open: the kiosk does not give a number for it
    page = refused_at_kiosk(
        client, {"service_id": video_service, "remote_unit_id": _unit("清河县").id}
    )
    assert "登记台" in page
    commit(video.mark_present(user_by_name("qinghe"), utcnow()))
    chosen = client.post(
        "/kiosk/issue",
        data={"service_id": video_service, "remote_unit_id": _unit("清河县").id},
    )
    assert chosen.status_code == 302
    assert _db.session.scalars(select(Ticket)).one().remote_unit_id == _unit("清河县").id


def test_only_the_desks_own_operator_starts_its_video_session(app, client, db, hall):
    """`POST /video/start` obeys the desk binding of every desk move: staff not assigned to the
    video desk (a department's clerk, the lawyer, a bureau's staff) cannot ring from it."""
    ticket = _called(hall)
    desk = desk_by_number(VIDEO_DESK)
    data = {"desk_id": desk.id, "ticket_id": ticket.id, "unit_id": ticket.remote_unit_id}
    for outsider in ("desk", "lawyer", "zhujian"):
        login(other := app.test_client(), outsider)
        answer = other.post("/video/start", data=data)
        assert answer.status_code in (303, 403, 404), outsider
        assert db.session.scalars(select(VideoSession)).all() == [], outsider
    login(client, "video")
    answer = client.post("/video/start", data=data)
    call = db.session.scalars(select(VideoSession)).one()
    assert answer.headers["Location"].endswith(f"/video/{call.id}")
    assert call.operator_id == user_by_name("video").id
    assert client.get(f"/video/{call.id}").status_code == 200


def test_a_recording_piece_that_is_not_webm_is_refused(app, client, db, hall):
    hall.video_recording = True
    commit(None)
    call = _call_and_ring(_registered(hall))
    commit(video.answer(call.id, user_by_name("jiaoyu"), utcnow()))
    login(client, "video")
    url = f"/video/{call.id}/recording/"
    assert client.post(url + "1", data=b"%PDF-1.7 not a video").status_code == 422
    assert client.post(url + "1", data=b"\x1a\x45\xdf\xa3 header").status_code == 201
    assert client.post(url + "2", data=b"\x1a\x45\xdf\xa3 another file").status_code == 422
    assert client.post(url + "2", data=b"\x1f\x43\xb6\x75 cluster").status_code == 201
    assert recordings.stored(call.id)[0] == 2


def test_a_video_legs_rating_is_the_units_and_the_kiosk_visit_is_told_so(app, client, db, hall):
    from reception.models import Rating
    from reception.oversight import ratings

    ticket = _called(hall, "市教育局")
    desk = desk_by_number(VIDEO_DESK).id
    moves.start(ticket.id, desk_id=desk)
    commit(moves.finish(ticket.id, "已答复", desk_id=desk))
    commit(ratings.rate(db.session.get(Ticket, ticket.id), 1, 5, "", utcnow()))
    rating = db.session.scalars(select(Rating)).one()
    assert rating.remote_unit_id == _unit("市教育局").id
    page = client.get(f"/t/{ticket.token}").get_data(as_text=True)
    assert "市教育局" in page[page.index('data-testid="unit-name"') :].split("</span>")[0]
    # the unit's page, for a kiosk visitor without a matter, says where its outcome goes
    call = _ring(hall)
    commit(video.answer(call.id, user_by_name("jiaoyu"), utcnow()))
    login(client, "jiaoyu")
    remote = client.get(f"/video/{call.id}").get_data(as_text=True)
    assert "随本次接访保存" in remote and "办理结果已保存到信访事项" not in remote


def test_the_kiosk_offers_the_units_someone_answers_for_now(app, client, db, hall):
    video_service = service_by_prefix("V").id
    remote = app.test_client()
    login(remote, "jiaoyu")
    assert remote.post("/remote/present").status_code == 200
    page = client.get(f"/kiosk/units/{video_service}").get_data(as_text=True)
    jiaoyu, qinghe = _unit("市教育局").id, _unit("清河县").id

    def button(unit_id: int) -> str:
        at = page.index(f'data-testid="unit-{unit_id}"')
        start = page.rindex("<button", 0, at)
        return page[start : page.index("</button>", start)]

    on_duty, off_duty = button(jiaoyu), button(qinghe)
    assert "disabled" not in on_duty and 'name="remote_unit_id"' in on_duty
    assert "disabled" in off_duty and "登记台" in off_duty
    login(client, "registrar")
    form = client.post("/registration/lookup", data={"id_number": "440301199003070035"})
    assert "清河县（现在无人在岗）" in form.get_data(as_text=True)
    remote.post("/logout")
    assert _unit("市教育局").id not in video.available_unit_ids(hall.id, utcnow())
    moment = utcnow() + timedelta(seconds=video.PRESENCE_SECONDS + 1)
    commit(video.mark_present(user_by_name("jiaoyu"), utcnow()))
    assert jiaoyu not in video.available_unit_ids(hall.id, moment)  # a page gone quiet


def test_the_registrar_books_a_video_time_with_a_unit_nobody_answers_for_now(client, db, hall):
    from reception.appointments import booking
    from reception.appointments.checkin import check_in
    from reception.appointments.slots import Policy, bookable_days, slots_for
    from reception.models import Appointment

    login(client, "registrar")
    form = client.post("/registration/lookup", data={"id_number": "440301199003070035"})
    page = form.get_data(as_text=True)
    links = page[page.index('data-testid="book-video-time"') :].split("</p>")[0]
    qinghe = _unit("清河县").id
    video_service = service_by_prefix("V")
    assert f"/book/{video_service.id}?unit={qinghe}" in links.replace("&amp;", "&")
    booking_page = client.get(f"/book/{video_service.id}?unit={qinghe}").get_data(as_text=True)
    chosen = booking_page[booking_page.index('data-testid="booking-unit"') :].split("</select>")[0]
    assert f'value="{qinghe}" selected' in chosen
    # booked with the unit; at check-in the ticket carries it
    day = next(
        d for d in bookable_days(hall, utcnow(), Policy()) if slots_for(hall, video_service, d)
    )
    slot = slots_for(hall, video_service, day)[0]
    answer = client.post(
        f"/book/{video_service.id}",
        data={"starts_at": slot.starts_at.isoformat(), "name": "王小明", "phone": "13812345678",
              "remote_unit_id": str(qinghe), "day": day.isoformat()},
    )  # fmt: skip
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    appointment = db.session.scalars(select(Appointment)).one()
    assert appointment.remote_unit_id == qinghe
    result = commit(check_in(hall, appointment.code, policy=Policy(), now=slot.starts_at))
    assert result.ticket.remote_unit_id == qinghe
    # a unit is for video reception only
    with pytest.raises(InvalidInput):
        booking.book(hall, service_by_prefix("A").id, slot.starts_at,
                     booking.Booker(name="x", phone="13812345679", remote_unit_id=qinghe),
                     policy=Policy(), now=utcnow())  # fmt: skip
