"""One-time codes that confirm a mobile number: six digits texted through the notifier, valid
ten minutes, five tries, used once. Only the code's keyed hash is stored."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from reception.core import crypto, identity
from reception.core.errors import InvalidInput
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import PhoneCode
from reception.online import limits
from reception.sms import outbox

VALID = timedelta(minutes=10)
MAX_TRIES = 5


class WrongCode(InvalidInput):
    """The code did not match: the try is counted (the caller keeps that, and nothing else)."""


def _hash(phone: str, code: str) -> str:
    return crypto.lookup_hash("code", f"{phone}:{code}")


def send(hall_id: int, raw_phone: str, remote: str, now: datetime) -> str:
    """Text a new code to the number (within the limits); returns the normalised number."""
    phone = identity.normalise_mobile(raw_phone)
    phone_hash = crypto.lookup_hash("phone", phone)
    remote_hash = limits.address_hash(remote)
    limits.check_code_request(phone_hash, remote_hash, now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.session.add(
        PhoneCode(
            hall_id=hall_id,
            phone_hash=phone_hash,
            remote_hash=remote_hash,
            code_hash=_hash(phone, code),
            sent_at=now,
            expires_at=now + VALID,
        )
    )
    outbox.record("online_code", phone, {"code": code}, hall_id=hall_id, now=now)
    return phone


def confirm(phone: str, code: str, now: datetime) -> None:
    """Use the number's latest code: refused (and the try counted) unless it matches, is
    unexpired, unused and within its tries."""
    code = "".join((code or "").split())
    latest = db.session.scalars(
        select(PhoneCode)
        .where(PhoneCode.phone_hash == crypto.lookup_hash("phone", phone))
        .order_by(PhoneCode.sent_at.desc(), PhoneCode.id.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if latest is None or latest.used_at is not None:
        raise InvalidInput(N_("Ask for a code first: press “Send code”."))
    if latest.expires_at <= now or latest.tries >= MAX_TRIES:
        raise InvalidInput(N_("This code has expired: ask for a new one."))
    if not hmac.compare_digest(latest.code_hash, _hash(phone, code)):
        latest.tries += 1
        raise WrongCode(N_("The code is not right: check the text and type it again."))
    latest.used_at = now
