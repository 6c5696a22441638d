"""The hot path at the floor of the stack: what issue and call-next ask the database, and how."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, inspect, select

from reception.db import rows
from reception.db.extensions import db as _db
from reception.models import Desk, Ticket
from reception.queue import rules
from tests.helpers import desk_by_number, service_by_prefix, user_by_name


def _statements_of(action) -> list[tuple[str, tuple]]:
    """Every SELECT or UPDATE the requests in `action` sent, with their parameters."""
    seen: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE")):
            seen.append((statement, tuple(parameters or ())))

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return seen


def test_issue_and_call_next_read_tickets_through_their_indexes(client, api_token):
    """No statement of issue or call-next scans the tickets table (a desk's busy check once
    did: every call-next read every ticket ever issued), and the line is searched by its day
    (yesterday's leftovers are not read for today's counts and calls)."""
    headers = {"Authorization": f"Bearer {api_token}"}
    service, desk = service_by_prefix("A"), desk_by_number(1)

    def issue_and_call() -> None:
        for _ in range(3):
            reply = client.post("/api/v1/tickets", json={"service_id": service.id}, headers=headers)
            assert reply.status_code == 201
        assert client.post(f"/api/v1/desks/{desk.id}/call-next", headers=headers).json["ticket"]

    statements = _statements_of(issue_and_call)
    assert any("FROM tickets" in sql for sql, _ in statements)
    raw = _db.engine.raw_connection()
    try:
        for sql, parameters in statements:
            if "tickets" not in sql:
                continue
            steps = list(raw.execute("EXPLAIN QUERY PLAN " + sql, parameters))
            plan = [row[3] for row in steps]
            on_tickets = [step for step in plan if " tickets" in step or " busy" in step]
            assert not [step for step in on_tickets if step.startswith("SCAN")], (sql, plan)
            for step in on_tickets:
                if "ix_ticket_queue" in step:
                    assert "service_day=?" in step, (sql, plan)
            # the line is read in its index's order: no sort of the waiting tickets (the next
            # to call was once found by sorting every waiting ticket of the hall)
            sorted_under = {row[1] for row in steps if "TEMP B-TREE" in row[3]}
            line_reads = {row[1] for row in steps if "USING INDEX ix_ticket_queue" in row[3]}
            assert not sorted_under & line_reads, (sql, plan)
    finally:
        raw.close()


def test_a_busy_server_keeps_its_connections(app, db, api_token):
    """Sixteen desks at once are served from connections kept open: a second wave opens no
    new connection (a pool smaller than the server's threads opened and closed one per request
    past it, SQLite's pragmas or a PostgreSQL backend each time)."""
    headers = {"Authorization": f"Bearer {api_token}"}
    service_id = service_by_prefix("A").id
    opened: list[object] = []

    def connected(dbapi_connection, record) -> None:
        opened.append(dbapi_connection)

    event.listen(_db.engine, "connect", connected)
    failures: list[int] = []

    def wave() -> None:
        start = threading.Barrier(16)

        def desk() -> None:
            client = app.test_client()
            start.wait()
            for _ in range(3):
                reply = client.post(
                    "/api/v1/tickets", json={"service_id": service_id}, headers=headers
                )
                if reply.status_code != 201:
                    failures.append(reply.status_code)

        threads = [threading.Thread(target=desk) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    try:
        wave()
        opened.clear()
        wave()
    finally:
        event.remove(_db.engine, "connect", connected)
    assert not failures
    assert opened == []
    issued = db.session.scalars(select(Ticket.number).where(Ticket.service_id == service_id))
    assert len(set(issued)) == 96  # and every request got its own number


def test_a_row_taken_in_as_loaded_is_stored_state(db):
    """`rows.get` and `rows.attach` give the session's object for a row without the ORM's
    loader: persistent, clean (the commit writes nothing for it), its relationships loading on
    demand, and the session's own copy when it already has one."""
    desk_id = desk_by_number(1).id
    db.session.remove()
    desk = rows.get(Desk, desk_id)
    assert desk is not None and desk.number == 1
    assert desk in db.session and not db.session.dirty and not db.session.new
    assert {service.prefix for service in desk.services}  # lazy load of a relationship
    assert rows.get(Desk, desk_id) is desk
    assert db.session.get(Desk, desk_id) is desk

    writes: list[str] = []

    def sent(conn, cursor, statement, *rest) -> None:
        writes.append(statement)

    event.listen(_db.engine, "before_cursor_execute", sent)
    try:
        db.session.commit()
    finally:
        event.remove(_db.engine, "before_cursor_execute", sent)
    assert not [sql for sql in writes if sql.lstrip().upper().startswith(("UPDATE", "INSERT"))]

    desk.name = "改过的名字"  # a change not yet flushed is kept, as a query would keep it
    row = db.session.connection().execute(select(*Desk.__table__.c).where(Desk.id == desk_id))
    assert rows.adopt(Desk, row.one()).name == "改过的名字"
    db.session.rollback()
    assert rows.get(Desk, 10**9) is None


def test_a_move_reads_its_desk_with_the_set_up_it_needs(app, client, api_token, db):
    """Call-next reads the desk, the services it serves and whether the caller is assigned to
    it in one statement (they were three), and that is the statement that reads the caller and
    the hall (they were two); what it learnt lasts only for that transaction."""
    headers = {"Authorization": f"Bearer {api_token}"}
    service, desk = service_by_prefix("A"), desk_by_number(1)
    desk_id = desk.id  # read here: the test's own copy is expired by the requests' commits
    assert client.post("/api/v1/tickets", json={"service_id": service.id}, headers=headers)

    def call() -> None:
        reply = client.post(f"/api/v1/desks/{desk_id}/call-next", headers=headers)
        assert reply.status_code == 200 and reply.json["ticket"]["desk_id"] == desk_id

    statements = [sql for sql, _ in _statements_of(call)]
    set_up = [sql for sql in statements if "desk_services" in sql or "staff_desks" in sql]
    assert len(set_up) == 1 and "JOIN desks" in set_up[0], statements
    assert "api_token_hash" in set_up[0] and "halls" in set_up[0], set_up

    # a desk the caller is not assigned to is still refused, from the same statement
    other = desk_by_number(11)
    assert client.post(f"/api/v1/desks/{other.id}/call-next", headers=headers).status_code == 403

    # what a transaction learnt is gone when it ends: the next one reads afresh
    with app.app_context():
        assert rules.read_desk(desk.id, user_by_name("desk").id) is not None
        assert rows.memo(rules.SERVICES_MEMO) == {desk.id: (service.id,)}
        assert rows.memo(rules.ASSIGNED_MEMO) == {(user_by_name("desk").id, desk.id): True}
        _db.session.commit()
        _db.session.connection()
        assert rows.memo(rules.SERVICES_MEMO) == {} and rows.memo(rules.ASSIGNED_MEMO) == {}
        rules.read_desk(desk.id)
        assert rows.memo(rules.SERVICES_MEMO)
        _db.session.rollback()
        assert rows.memo(rules.SERVICES_MEMO) == {}


def test_an_api_request_reads_its_caller_and_hall_in_one_statement(app, client, api_token, db):
    """The token's staff member and the hall come back together (the configured hall, else the
    first); a hall that does not exist is still a 503, and a bad token still a 401."""
    headers = {"Authorization": f"Bearer {api_token}"}
    service_id = service_by_prefix("A").id

    def issue() -> None:
        reply = client.post("/api/v1/tickets", json={"service_id": service_id}, headers=headers)
        assert reply.status_code == 201, reply.json

    statements = [sql for sql, _ in _statements_of(issue)]
    assert not [sql for sql in statements if "FROM halls" in sql and "users" not in sql]
    hall_id = db.session.scalar(select(Desk.hall_id).limit(1))
    for configured, status in ((hall_id, 201), (hall_id + 1000, 503)):
        app.config["HALL_ID"] = configured
        try:
            reply = client.post("/api/v1/tickets", json={"service_id": service_id}, headers=headers)
        finally:
            app.config.pop("HALL_ID")
        assert reply.status_code == status, reply.json
    bad = client.post(
        "/api/v1/tickets", json={"service_id": service_id}, headers={"Authorization": "Bearer x"}
    )
    assert bad.status_code == 401


def test_issue_and_call_next_on_postgresql_write_their_events_in_the_same_statement(
    postgres_app,
):
    """On PostgreSQL the issue and the call are each one statement with their event rows (a
    data-modifying CTE): the events carry the facts the separate INSERT wrote, and no separate
    INSERT is sent."""
    from reception.models import TicketEvent
    from reception.queue import moves
    from reception.queue.issuing import issue_ticket

    app, _ = postgres_app
    with app.app_context():
        service, desk = service_by_prefix("A"), desk_by_number(1)
        staff = user_by_name("desk")
        sent: list[str] = []

        def capture(conn, cursor, statement, *rest) -> None:
            sent.append(statement)

        event.listen(_db.engine, "before_cursor_execute", capture)
        try:
            issued = issue_ticket(desk.hall_id, service.id, outside_hours=True, staff_id=staff.id)
            _db.session.commit()
            called = moves.call_next(desk.id, staff_id=staff.id)
            _db.session.commit()
        finally:
            event.remove(_db.engine, "before_cursor_execute", capture)
        assert called is not None and called.id == issued.id
        assert not [sql for sql in sent if sql.startswith("INSERT INTO ticket_events")]
        events = _db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == issued.id).order_by(TicketEvent.id)
        ).all()
        assert [e.action for e in events] == ["issue", "call"]
        issue = events[0]
        assert (issue.from_state, issue.to_state, issue.desk_id, issue.staff_id) == (
            None,
            "waiting",
            None,
            staff.id,
        )
        assert (issue.service_id, issue.leg, issue.at) == (service.id, 1, called.issued_at)
        call = events[1]
        assert issue.hall_version == call.hall_version - 1
        assert (call.from_state, call.to_state, call.desk_id, call.staff_id) == (
            "waiting",
            "called",
            desk.id,
            staff.id,
        )
        assert (call.service_id, call.leg, call.hall_id) == (service.id, 1, desk.hall_id)
        assert call.hall_version == _db.session.get(Desk, desk.id).hall.version
        assert call.at == called.called_at and call.note == ""


def _compiled_of(action, contexts: list | None = None) -> list[str]:
    """The compiled SQL (before any rendering at execution) of every statement `action` sent
    (and their execution contexts into `contexts`)."""
    seen: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if context is not None and context.compiled is not None:
            seen.append(context.compiled.string)
            if contexts is not None:
                contexts.append(context)

    event.listen(_db.engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        event.remove(_db.engine, "before_cursor_execute", capture)
    return seen


def _issue_and_call_at_a_shared_desk(client, api_token) -> None:
    """Issue, and call-next by staff of a department at a desk of two services: the statement
    with the accusation rule, and the desk's busy check."""
    headers = {"Authorization": f"Bearer {api_token}"}
    zhujian = user_by_name("zhujian")  # 市住建局's staff, working desk 6 (F and B)
    token = zhujian.new_api_token()
    _db.session.commit()
    reply = client.post(
        "/api/v1/tickets", json={"service_id": service_by_prefix("F").id}, headers=headers
    )
    assert reply.status_code == 201
    desk = desk_by_number(6)
    called = client.post(
        f"/api/v1/desks/{desk.id}/call-next", headers={"Authorization": f"Bearer {token}"}
    )
    assert called.status_code == 200, called.json
    assert called.json["ticket"]["number"] == "F001"


def test_issue_and_call_next_send_statements_compiled_once(client, api_token):
    """No statement of issue or call-next has a parameter that SQLAlchemy renders into its text
    at every execution (a list bound to IN: the desk's busy states, the acting departments):
    that rendering was a fifth of call-next's statement cost."""
    compiled = _compiled_of(lambda: _issue_and_call_at_a_shared_desk(client, api_token))
    assert len(compiled) >= 4
    assert not [sql for sql in compiled if "POSTCOMPILE" in sql]
    # the requests' own statements, the test's look-ups made before
    service_id, desk_id = service_by_prefix("A").id, desk_by_number(1).id
    headers = {"Authorization": f"Bearer {api_token}"}

    def requests() -> None:
        issued = client.post("/api/v1/tickets", json={"service_id": service_id}, headers=headers)
        assert issued.status_code == 201
        called = client.post(f"/api/v1/desks/{desk_id}/call-next", headers=headers)
        assert called.status_code == 200, called.json

    contexts: list = []
    _compiled_of(requests, contexts)
    assert len(contexts) >= 4
    for context in contexts:
        sql = context.compiled.string
        # its constants (states, actions, steps, LIMIT 1) are in its text, not bound: each
        # bound one was extracted, processed and sent again at every execution
        binds = context.compiled.binds.values()
        constants = [b.key for b in binds if b.value is not None and not b.required]
        assert not constants, (constants, sql)
        # and it was found in its own compiled cache, by identity, not by hashing its whole
        # structure (tens of µs a statement)
        cache = context.execution_options.get("compiled_cache")
        assert isinstance(cache, rows._OneStatement), sql


def test_statements_compiled_once_on_postgresql_too(postgres_app):
    app, _ = postgres_app
    with app.app_context():
        user = user_by_name("desk")
        token = user.new_api_token()
        _db.session.commit()
        test_issue_and_call_next_send_statements_compiled_once(app.test_client(), token)


def test_the_lock_reads_the_line_counts_the_events_carry(db, monkeypatch):
    """SQLite: the statement that takes the hall lock reads the line's counts (the lock is the
    one writer from then on), so issue and call-next send no count query of their own; the
    events still carry the counts the tickets give."""
    from reception.live import publish as realtime
    from reception.queue import calling
    from reception.queue.issuing import issue_ticket

    sent: list[dict] = []
    monkeypatch.setattr(
        realtime.socketio,
        "emit",
        lambda name, payload, to=None: sent.append(payload) if name == "queue" else None,
    )
    service, desk = service_by_prefix("K"), desk_by_number(9)  # desks 9 and 10 serve K

    def issue_and_call() -> None:
        for _ in range(3):
            issue_ticket(desk.hall_id, service.id, outside_hours=True)
            _db.session.commit()
        for number in (9, 10):
            assert calling.call_next(desk_by_number(number).id) is not None
            _db.session.commit()

    statements = _statements_of(issue_and_call)
    assert not [sql for sql, _ in statements if sql.startswith("SELECT queue_counts")]
    waiting = [payload["waiting"][str(service.id)] for payload in sent]
    assert waiting == [1, 2, 3, 2, 1]
    assert [payload["action"] for payload in sent] == ["issue"] * 3 + ["call"] * 2


def test_an_api_write_commits_and_publishes_before_its_answer_is_serialised(
    client, api_token, monkeypatch
):
    """The hall lock is not held while an answer is dumped: by the time the schema serialises
    an issue's or a call's answer, the transaction has committed, this process's writer line
    is free and the change's event has gone to the screens; that commit expired nothing, and
    the session expires on commit again afterwards."""
    from reception.live import publish as realtime
    from reception.queue import locking
    from reception.web.api import schemas

    headers = {"Authorization": f"Bearer {api_token}"}
    service, desk = service_by_prefix("A"), desk_by_number(1)
    sent: list[str] = []
    seen: list[tuple[str, bool, bool, list[str]]] = []
    emit = realtime.socketio.emit

    def emitted(name, payload, *args, **kwargs):
        if name == realtime.EVENT_NAME:
            sent.append(payload["action"])
        return emit(name, payload, *args, **kwargs)

    def dump(schema, data, *args, **kwargs):
        held = any(lock.held for lock in locking._WRITERS.values())
        seen.append((type(schema).__name__, _db.session().in_transaction(), held, list(sent)))
        # that commit expired nothing (the request reads none of its objects again)
        states = [inspect(obj) for obj in _db.session().identity_map.values()]
        assert states and not [state for state in states if state.expired_attributes]
        assert _db.session().expire_on_commit  # as it was, for any later commit
        return original(schema, data, *args, **kwargs)

    original = schemas.TicketEnvelope.dump
    monkeypatch.setattr(realtime.socketio, "emit", emitted)
    monkeypatch.setattr(schemas.TicketEnvelope, "dump", dump)
    monkeypatch.setattr(schemas.MaybeTicketEnvelope, "dump", dump)
    reply = client.post("/api/v1/tickets", json={"service_id": service.id}, headers=headers)
    assert reply.status_code == 201 and reply.json["ticket"]["number"] == "A001"
    reply = client.post(f"/api/v1/desks/{desk.id}/call-next", headers=headers)
    assert reply.json["ticket"]["number"] == "A001"
    assert seen == [
        ("TicketEnvelope", False, False, ["issue"]),
        ("MaybeTicketEnvelope", False, False, ["issue", "call"]),
    ]
    assert _db.session.scalar(select(Ticket.state)) == "called"


def _desk_client(app):
    """A test client with desk 1's API token: (client, headers, service A, desk 1, engine)."""
    with app.app_context():
        token = user_by_name("desk").new_api_token()
        service_id, desk_id = service_by_prefix("A").id, desk_by_number(1).id
        _db.session.commit()
        engine = _db.engine
    headers = {"Authorization": f"Bearer {token}"}
    return app.test_client(), headers, service_id, desk_id, engine


def test_call_next_on_postgresql_sends_two_statements(postgres_app):
    """Through the API on PostgreSQL, call-next sends two statements: the caller's, which reads
    the hall and the desk the path names (with its set-up) too, and the call with its event
    row. The desk read with the caller is kept for the request (the session holds its objects
    only weakly: a desk nobody kept was gone by the time the view asked, and read again)."""
    app, _ = postgres_app
    client, headers, service_id, desk_id, engine = _desk_client(app)
    issued = client.post("/api/v1/tickets", json={"service_id": service_id}, headers=headers)
    assert issued.status_code == 201, issued.json
    sent: list[str] = []

    def capture(conn, cursor, statement, *rest) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        called = client.post(f"/api/v1/desks/{desk_id}/call-next", headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert called.status_code == 200 and called.json["ticket"]["id"] == issued.json["ticket"]["id"]
    assert len(sent) == 2, sent
    assert "api_token_hash" in sent[0] and "JOIN desks" in sent[0] and "halls" in sent[0]
    assert sent[1].lstrip().startswith("WITH locked"), sent[1]


def test_call_next_on_postgresql_reads_the_line_in_order_before_any_statistics(postgres_app):
    """A new hall's database has no statistics yet. The service line's branch of call-next (no
    named desk) is read through the line's index in calling order, never through the index of
    tickets sent to a desk by name (which holds only those: a plan reading every waiting
    ticket of the hall through it and sorting them, inside the lock, is not possible)."""
    app, _ = postgres_app
    client, headers, service_id, desk_id, engine = _desk_client(app)
    for _ in range(60):
        issued = client.post("/api/v1/tickets", json={"service_id": service_id}, headers=headers)
        assert issued.status_code == 201
    sent: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, *rest) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert client.post(f"/api/v1/desks/{desk_id}/call-next", headers=headers).json["ticket"]
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = next((s, p) for s, p in sent if s.lstrip().startswith("WITH locked"))
    with app.app_context():
        raw = _db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'tickets'")
            assert cursor.fetchone()[0] == 0  # no statistics yet, as in a new hall
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_ticket_target'")
            # the index holds the tickets sent to a desk by name, and no others
            assert cursor.fetchone()[0].endswith("WHERE (target_desk_id IS NOT NULL)")
            cursor.execute("EXPLAIN " + statement, parameters)
            plan = [row[0] for row in cursor.fetchall()]
        finally:
            raw.rollback()
            raw.close()
    text = "\n".join(plan)
    assert "ix_ticket_queue" in text, text
    on_named = [i for i, line in enumerate(plan) if "using ix_ticket_target" in line]
    for at in on_named:  # only for tickets sent to this desk by name
        assert "target_desk_id = " in plan[at + 1] and "IS NULL" not in plan[at + 1], text


def test_a_statements_own_compiled_cache_is_never_wrong():
    """The cache `rows.execute` gives a statement finds its entries by the identity of the
    statement's structure; an equal structure that is another object, or a key of another
    shape, is still found by equality, and entries of other engines do not pile up."""
    cache = rows._OneStatement()
    structure = (("select", ("tickets", "id")), ("where", "state"))
    cache[("sqlite", structure, ("a",), False, False)] = "compiled A"
    assert cache.get(("sqlite", structure, ("a",), False, False)) == "compiled A"
    assert cache.get(("sqlite", structure, ("b",), False, False)) is None  # other parameters
    assert cache.get(("postgresql", structure, ("a",), False, False)) is None
    equal = tuple(list(structure))  # equal, not identical
    assert equal == structure and equal is not structure
    assert cache.get(("sqlite", equal, ("a",), False, False)) is None  # not by identity…
    cache[("sqlite", equal, ("a",), False, False)] = "compiled A again"
    assert cache.get(("sqlite", tuple(list(structure)), ("a",), False, False)) == "compiled A again"
    assert cache.get("another shape") is None
    for n in range(40):  # an engine each (tests make many): bounded
        cache[(f"dialect {n}", structure, ("a",), False, False)] = n
    assert len(cache) <= 16 and cache.get(("dialect 39", structure, ("a",), False, False)) == 39


def test_issue_and_call_next_on_postgresql_build_no_cursor_description(postgres_app, monkeypatch):
    """psycopg builds a `Column` per column of a result whenever `cursor.description` is read,
    and SQLAlchemy reads it after every statement but needs the columns only the first time a
    statement runs (then its result metadata is cached). The hall's cursor builds them only when
    they are looked at: issue and call-next, once warm, build none; a result's description is
    still psycopg's own when it is read, and None when no rows come back."""
    import psycopg

    from reception.db.pgcursor import LazyDescriptionCursor

    app, _ = postgres_app
    client, headers, service_id, desk_id, engine = _desk_client(app)

    def issue_and_call() -> None:
        issued = client.post("/api/v1/tickets", json={"service_id": service_id}, headers=headers)
        assert issued.status_code == 201, issued.json
        called = client.post(f"/api/v1/desks/{desk_id}/call-next", headers=headers)
        assert called.json["ticket"]["id"] == issued.json["ticket"]["id"]
        done = client.post(
            f"/api/v1/tickets/{issued.json['ticket']['id']}/cancel",
            json={"desk_id": desk_id},
            headers=headers,
        )
        assert done.status_code == 200, done.json

    issue_and_call()  # every statement's first run: its result metadata is built and cached
    built = []
    original = psycopg.Column.__init__

    def counting(self, *args) -> None:
        built.append(args[1])
        original(self, *args)

    monkeypatch.setattr(psycopg.Column, "__init__", counting)
    issue_and_call()
    assert built == []

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        assert isinstance(cursor, LazyDescriptionCursor)
        cursor.execute("select 1 as one, 'x'::text as two")
        description = cursor.description
        assert built == []  # asked for, not yet built
        assert [column.name for column in description] == ["one", "two"]
        assert len(description) == 2 and description[1].type_code == 25  # text
        psycopgs = psycopg.Cursor.description.fget(cursor)
        assert [tuple(column) for column in description] == [tuple(c) for c in psycopgs]
        later = cursor.description
        cursor.execute("create temporary table lazy_description (x int)")
        assert cursor.description is None
        with pytest.raises(psycopg.InterfaceError):
            len(later)  # its result is gone: refused rather than answered with another's
    finally:
        raw.close()


def test_an_issue_on_postgresql_binds_only_what_differs_between_tickets(postgres_app):
    """The one-statement issue writes what every new ticket starts with (waiting, first leg, no
    desk, no recall…) as constants and binds one time for its issue, line and update times:
    each bound value is processed, dumped and sent on every issue. The stored ticket is the
    same as before: those columns hold what a new ticket holds."""
    app, _ = postgres_app
    client, headers, service_id, desk_id, engine = _desk_client(app)
    sent: list[tuple[str, dict]] = []

    def capture(conn, cursor, statement, parameters, *rest) -> None:
        sent.append((statement, dict(parameters)))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        issued = client.post("/api/v1/tickets", json={"service_id": service_id}, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert issued.status_code == 201, issued.json
    (parameters,) = [p for statement, p in sent if statement.lstrip().startswith("WITH locked")]
    assert set(parameters) == {
        "hall_id",
        "day",
        "token",
        "service_id",
        "priority",
        "channel",
        "issued_at",
        "staff_id",
    }
    with app.app_context():
        ticket = _db.session.get(Ticket, issued.json["ticket"]["id"])
        assert ticket.line_at == ticket.updated_at == ticket.issued_at is not None
        assert (ticket.state, ticket.leg, ticket.recall_count, ticket.outcome) == (
            "waiting",
            1,
            0,
            "",
        )
        assert ticket.desk_id is ticket.target_desk_id is ticket.case_id is ticket.called_at is None
        assert ticket.remote_unit_id is None and ticket.channel == "api"
        assert ticket.number == issued.json["ticket"]["number"]


def test_the_writer_lock_is_found_without_rendering_the_databases_url(
    client, api_token, monkeypatch
):
    """A write takes this process's writer lock for its database; the lock is found by the
    engine, not by rendering the engine's URL on every request (engines of one database still
    share one lock)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import URL

    from reception.queue import locking

    headers = {"Authorization": f"Bearer {api_token}"}
    service_id = client.get("/api/v1/services").json["services"][0]["id"]
    assert (
        client.post("/api/v1/tickets", json={"service_id": service_id}, headers=headers).status_code
        == 201
    )
    rendered = []
    original = URL.render_as_string

    def counting(self, *args, **kwargs):
        rendered.append(self.drivername)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(URL, "render_as_string", counting)
    issued = client.post("/api/v1/tickets", json={"service_id": service_id}, headers=headers)
    assert issued.status_code == 201 and rendered == []
    monkeypatch.undo()
    with client.application.app_context():
        engine = _db.engine
        other = create_engine(engine.url)
        try:
            assert locking._writer_lock(other) is locking._writer_lock(engine)
        finally:
            other.dispose()
