"""How often one phone number or one address may ask for a code, send a matter or guess at a
查询码. Every try is a row in the database, so the limits hold across processes and restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from reception.core import crypto
from reception.core.errors import Limited
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import OnlineAttempt, OnlinePetition, PhoneCode

CODE_GAP = timedelta(seconds=60)  # one code a minute to a number
CODES_PER_PHONE_DAY = 5
CODES_PER_ADDRESS_DAY = 20
PETITIONS_PER_PHONE_DAY = 3
PETITIONS_PER_ADDRESS_DAY = 10
LOOKUP_WINDOW = timedelta(minutes=15)
LOOKUP_FAILURES_PER_ADDRESS = 10
LOOKUP_FAILURES_PER_PHONE = 5
DAY = timedelta(days=1)


def address_hash(remote: str) -> str:
    return crypto.lookup_hash("addr", remote or "-")


def _count(model, column, value: str, time_column, since: datetime) -> int:
    return (
        db.session.scalar(select(func.count(model.id)).where(column == value, time_column > since))
        or 0
    )


def check_code_request(phone_hash: str, remote_hash: str, now: datetime) -> None:
    """Refuse another code too soon, or past the day's number for the phone or the address."""
    if _count(PhoneCode, PhoneCode.phone_hash, phone_hash, PhoneCode.sent_at, now - CODE_GAP):
        raise Limited(N_("A code was just sent to this number: wait a minute before asking again."))
    if (
        _count(PhoneCode, PhoneCode.phone_hash, phone_hash, PhoneCode.sent_at, now - DAY)
        >= CODES_PER_PHONE_DAY
    ):
        raise Limited(N_("Too many codes for this number today: please try again tomorrow."))
    if (
        _count(PhoneCode, PhoneCode.remote_hash, remote_hash, PhoneCode.sent_at, now - DAY)
        >= CODES_PER_ADDRESS_DAY
    ):
        raise Limited(N_("Too many codes asked from this network today: try again tomorrow."))


def check_petition(phone_hash: str, remote_hash: str, now: datetime) -> None:
    """Refuse more matters a day from one number or one address than a person sends."""
    per_phone = _count(
        OnlinePetition, OnlinePetition.phone_hash, phone_hash, OnlinePetition.received_at, now - DAY
    )
    per_address = _count(
        OnlinePetition,
        OnlinePetition.remote_hash,
        remote_hash,
        OnlinePetition.received_at,
        now - DAY,
    )
    if per_phone >= PETITIONS_PER_PHONE_DAY:
        raise Limited(
            N_("This number has sent 3 matters today: please send more tomorrow, or call us.")
        )
    if per_address >= PETITIONS_PER_ADDRESS_DAY:
        raise Limited(N_("Too many matters sent from this network today: try again tomorrow."))


def check_lookup(remote_hash: str, phone_hash: str, now: datetime) -> None:
    """Refuse look-ups after too many that found nothing, from the address or for the number."""
    since = now - LOOKUP_WINDOW
    failures = OnlineAttempt.remote_hash
    if _count(OnlineAttempt, failures, remote_hash, OnlineAttempt.at, since) >= (
        LOOKUP_FAILURES_PER_ADDRESS
    ) or (
        phone_hash
        and _count(OnlineAttempt, OnlineAttempt.phone_hash, phone_hash, OnlineAttempt.at, since)
        >= LOOKUP_FAILURES_PER_PHONE
    ):
        raise Limited(N_("Too many look-ups that found nothing: please wait 15 minutes."))


def failed_lookup(remote_hash: str, phone_hash: str, now: datetime) -> None:
    db.session.add(OnlineAttempt(at=now, remote_hash=remote_hash, phone_hash=phone_hash))


KEEP = timedelta(days=2)  # the longest any limit looks back, and a day more


def forget(now: datetime) -> int:
    """Delete the codes and failed look-ups no limit looks at any more: a number's and an
    address's hashes are kept only as long as they stop abuse. Returns how many went."""
    gone = 0
    for model, column in ((PhoneCode, PhoneCode.sent_at), (OnlineAttempt, OnlineAttempt.at)):
        result = db.session.execute(delete(model).where(column < now - KEEP))
        gone += int(getattr(result, "rowcount", 0) or 0)
    return gone
