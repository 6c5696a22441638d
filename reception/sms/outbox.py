"""A text is recorded in the transaction that decides it (state `queued`), and sent only after
that transaction commits, by the courier (`deliver_due`), through the configured gateway:

- each text is taken by one courier only (an UPDATE from `queued` to `sending`), so two server
  processes never send it twice; one left `sending` by a killed process is taken again after
  `STALE` (at least once: a text is never lost);
- the gateway's answer is kept: `sent` with its reference, `kept` (the outbox gateway: staff
  read it), or a refusal with the gateway's code: tried again after 30 s, 1, 2, 4 … minutes up
  to `MAX_TRIES`, then `failed`; a refusal the gateway calls final fails at once;
- a "turn is near" text whose visitor was called (or left the line) before it went out is
  `dropped`, never sent late.
"""

from __future__ import annotations

import logging
import secrets
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update

from reception.core.errors import IllegalMove, NotFound
from reception.core.identity import mask_phone
from reception.core.messages import N_
from reception.db.extensions import db
from reception.db.transaction import after_commit
from reception.models import AuditEntry, MessageState, OutboxMessage, Ticket, TicketState
from reception.models.case import accuses
from reception.models.types import utcnow
from reception.sms import kinds
from reception.sms.gateways import Gateway, Refused

log = logging.getLogger("reception.sms")

MAX_TRIES = 6
FIRST_RETRY = timedelta(seconds=30)
STALE = timedelta(minutes=5)  # a text `sending` this long: its courier died, take it again
LINK_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LINK_LENGTH = 6

WAKE = threading.Event()  # set after a commit that recorded texts: the courier sends at once
_site = {"url": ""}


def configure(site: str) -> None:
    """The hall's public address, the fixed text of the links the texts carry."""
    _site["url"] = site or ""


def record(
    kind: str,
    phone: str,
    params: dict[str, str],
    *,
    hall_id: int | None,
    now: datetime,
    ticket_id: int | None = None,
    leg: int | None = None,
    case_id: int | None = None,
    appointment_id: int | None = None,
) -> OutboxMessage:
    """Record a text to send once the caller's transaction commits."""
    if kind == "turn_near":
        params = {**params, "link": new_link()}
    kinds.check(kind, params)
    message = OutboxMessage(
        hall_id=hall_id,
        kind=kind,
        params=params,
        phone=phone,
        body=kinds.render(kind, params, _site["url"]),
        created_at=now,
        ticket_id=ticket_id,
        leg=leg,
        case_id=case_id,
        appointment_id=appointment_id,
        state=MessageState.QUEUED.value,
        next_try_at=now,
        sent_via="",
    )
    db.session.add(message)
    after_commit(db.session(), WAKE.set)
    return message


def new_link() -> str:
    return "".join(secrets.choice(LINK_ALPHABET) for _ in range(LINK_LENGTH))


def by_link(link: str) -> OutboxMessage | None:
    """The "turn is near" text a short link was sent in (its ticket's live page)."""
    if len(link) != LINK_LENGTH or any(ch not in LINK_ALPHABET for ch in link):
        return None
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "turn_near",
            OutboxMessage.params["link"].as_string() == link,
        )
    ).first()


def _due(now: datetime, limit: int) -> list[int]:
    queued = (OutboxMessage.state == MessageState.QUEUED.value) & (OutboxMessage.next_try_at <= now)
    stale = (OutboxMessage.state == MessageState.SENDING.value) & (
        OutboxMessage.next_try_at <= now - STALE
    )
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(or_(queued, stale))
            .order_by(OutboxMessage.next_try_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def _claim(message_id: int, now: datetime) -> bool:
    """Take the text for this courier: only one courier's UPDATE finds it still due."""
    taken = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            or_(
                OutboxMessage.state == MessageState.QUEUED.value,
                (OutboxMessage.state == MessageState.SENDING.value)
                & (OutboxMessage.next_try_at <= now - STALE),
            ),
        )
        .values(state=MessageState.SENDING.value, next_try_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(getattr(taken, "rowcount", 0))


def _still_true(message: OutboxMessage) -> bool:
    """A "turn is near" text is true while its visitor waits in the same leg of the line."""
    if message.kind != "turn_near" or message.ticket_id is None:
        return True
    ticket = db.session.get(Ticket, message.ticket_id)
    return ticket is not None and ticket.state == TicketState.WAITING and ticket.leg == message.leg


def deliver_due(gateway: Gateway, now: datetime | None = None, limit: int = 50) -> int:
    """Send the texts that are due, each in transactions of its own; returns how many were
    sent or kept. Run by the courier thread and by the timed duties (retries)."""
    now = now or utcnow()
    done = 0
    for message_id in _due(now, limit):
        if not _claim(message_id, now):
            continue
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        assert message is not None
        message.attempts += 1
        if not _still_true(message):
            message.state = MessageState.DROPPED.value
            message.error = "called before the text went out"
            db.session.commit()
            continue
        done += _send(gateway, message, now)
    return done


def _send(gateway: Gateway, message: OutboxMessage, now: datetime) -> int:
    message.sent_via = gateway.channel[:40]
    try:
        reference = gateway.send(message.phone, message.kind, dict(message.params), message.body)
    except Refused as refusal:
        message.error = f"{refusal.code}: {refusal.message}"[:200]
        if refusal.final or message.attempts >= MAX_TRIES:
            message.state = MessageState.FAILED.value
        else:
            message.state = MessageState.QUEUED.value
            message.next_try_at = now + FIRST_RETRY * 2 ** (message.attempts - 1)
        log.warning(
            "text %s to %s refused (%s), try %s",
            message.id,
            mask_phone(message.phone),
            refusal.code,
            message.attempts,
        )
        db.session.commit()
        return 0
    except Exception as error:  # noqa: BLE001 - a gateway's own failure: try again later
        message.error = f"error: {type(error).__name__}"[:200]
        message.state = (
            MessageState.FAILED.value
            if message.attempts >= MAX_TRIES
            else MessageState.QUEUED.value
        )
        message.next_try_at = now + FIRST_RETRY * 2 ** (message.attempts - 1)
        log.exception("text %s: the gateway failed", message.id)
        db.session.commit()
        return 0
    message.state = (MessageState.KEPT if reference is None else MessageState.SENT).value
    message.gateway_ref = (reference or "")[:80]
    message.error = ""
    message.sent_at = now
    db.session.commit()
    return 1


def send_again(
    message_id: int, hall_id: int, *, staff_id: int, departments: frozenset[int], now: datetime
) -> OutboxMessage:
    """Staff send a failed (or dropped) text of their hall again: queued for the courier now,
    audited. A text of another hall, or about an accusation against one of the staff's
    departments (Art. 30), is not theirs to see: the same 404 as a missing one."""
    query = select(OutboxMessage).where(
        OutboxMessage.id == message_id,
        or_(OutboxMessage.hall_id == hall_id, OutboxMessage.hall_id.is_(None)),
    )
    if departments:
        query = query.where(~hidden_from(departments))
    message = db.session.scalars(query).first()
    if message is None:
        raise NotFound(N_("No such text."))
    if message.state not in (MessageState.FAILED, MessageState.DROPPED):
        raise IllegalMove(N_("Only a failed or dropped text is sent again."))
    message.state = MessageState.QUEUED.value
    message.next_try_at = now
    message.attempts = 0
    db.session.add(
        AuditEntry(
            staff_id=staff_id,
            action="resend_message",
            detail=f"text {message.id} ({message.kind})",
        )
    )
    after_commit(db.session(), WAKE.set)
    return message


def hidden_from(departments: frozenset[int]) -> ColumnElement[bool]:
    """SQL: the text is about an accusation against one of these departments (its matter's, or
    its ticket's): Art. 30 keeps it from their staff, as every list of the matter's traces."""
    ticket_accused = (
        select(Ticket.id)
        .where(Ticket.id == OutboxMessage.ticket_id, accuses(Ticket.case_id, departments))
        .exists()
    )
    return or_(accuses(OutboxMessage.case_id, departments), ticket_accused)


def shown(message: OutboxMessage) -> dict[str, Any]:
    """What the administration lists of a text: the phone masked."""
    return {
        "id": message.id,
        "kind": message.kind,
        "phone": mask_phone(message.phone),
        "body": message.body,
        "state": message.state,
        "attempts": message.attempts,
        "error": message.error,
        "via": message.sent_via,
        "reference": message.gateway_ref,
        "created_at": message.created_at,
        "sent_at": message.sent_at,
    }
