"""A matter sent online: checked whole, stored only once the phone's code is confirmed, found
again by its 查询码 and the phone number (or a text's link), and registered by staff."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from reception.core import crypto, identity
from reception.core.clock import hall_day
from reception.core.errors import InvalidInput, bounded
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Hall, OnlinePetition, ServiceKind
from reception.online import codes, files, limits
from reception.sms import outbox
from reception.triage.registration import ART_20, MAX_REPRESENTATIVES, PURPOSES, audit

# 查询码: twelve characters nobody misreads (no 0/O, 1/I/L), shown in groups of four
QUERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_LENGTH = 12


@dataclass
class PetitionInput:
    name: str
    id_number: str
    phone: str
    request: str
    facts: str
    category: str
    purpose: str = "求决"
    department_id: int | None = None
    accusation: bool = False
    place: str = ""
    group_size: int = 1
    representatives: list[str] = field(default_factory=list)


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_ALPHABET) for _ in range(QUERY_LENGTH))


def shown(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normal_query_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def departments(hall: Hall) -> list:
    """The departments a matter may concern: the hall's active stationed departments."""
    return [s for s in hall.services if s.active and s.kind == ServiceKind.DEPARTMENT]


def check(hall: Hall, data: PetitionInput, categories: list[str], today: date) -> PetitionInput:
    """The input as it will be stored, or the first refusal (nothing stored either way)."""
    name = bounded(data.name, 40)
    if not name:
        raise InvalidInput(N_("Write your name (40 characters at most)."))
    card = identity.parse_id_number(data.id_number, today=today)
    phone = identity.normalise_mobile(data.phone)
    if not bounded(data.request, 2000):
        raise InvalidInput(N_("Write what you ask for."))
    if not bounded(data.facts, 5000):
        raise InvalidInput(N_("Write the facts and reasons."))
    if data.category not in categories:
        raise InvalidInput(N_("Choose a category from the list."))
    if data.purpose not in PURPOSES:
        raise InvalidInput(N_("Choose the purpose from the list."))
    if data.department_id is not None and data.department_id not in {
        s.id for s in departments(hall)
    }:
        raise InvalidInput(N_("Choose the department from the list."))
    if data.accusation and data.department_id is None:
        raise InvalidInput(N_("An accusation names the department it is about."))
    if not 1 <= data.group_size <= 500:
        raise InvalidInput(N_("The group size is 1 to 500."))
    names = [bounded(n, 40) for n in data.representatives if n.strip()]
    if len(names) > MAX_REPRESENTATIVES:
        raise InvalidInput(
            N_("Art. 20: “%(rule)s”. A group visit has at most 5 representatives."), rule=ART_20
        )
    if data.group_size > 1 and not names:
        raise InvalidInput(N_("Several people asking together name their representatives."))
    return PetitionInput(
        name=name,
        id_number=card.number,
        phone=phone,
        request=data.request.strip(),
        facts=data.facts.strip(),
        category=data.category,
        purpose="揭发控告" if data.accusation else data.purpose,
        department_id=data.department_id,
        accusation=data.accusation,
        place=bounded(data.place, 200),
        group_size=data.group_size,
        representatives=names,
    )


def submit(
    hall: Hall,
    data: PetitionInput,
    uploads: list[files.Upload],
    code: str,
    *,
    categories: list[str],
    remote: str,
    now: datetime,
) -> tuple[OnlinePetition, str]:
    """Check everything, then the phone's code, then store the matter with its attachments;
    returns it and its 查询码 (shown once; only its hash is kept). A wrong code raises
    `codes.WrongCode` with its try counted and nothing else changed."""
    today = hall_day(hall.timezone, now)
    data = check(hall, data, categories, today)
    checked = files.check(uploads)
    remote_hash = limits.address_hash(remote)
    phone_hash = crypto.lookup_hash("phone", data.phone)
    limits.check_petition(phone_hash, remote_hash, now)
    codes.confirm(data.phone, code, now)
    query = new_query_code()
    petition = OnlinePetition(
        hall_id=hall.id,
        received_at=now,
        received_on=today,
        name=data.name,
        id_number=data.id_number,
        id_hash=crypto.lookup_hash("id", data.id_number),
        phone=data.phone,
        phone_hash=phone_hash,
        remote_hash=remote_hash,
        request=data.request,
        facts=data.facts,
        category=data.category,
        purpose=data.purpose,
        department_id=data.department_id,
        accusation=data.accusation,
        place=data.place,
        group_size=data.group_size,
        representatives="\n".join(data.representatives),
        query_hash=crypto.lookup_hash("query", query),
        link=_fresh_link(),
    )
    db.session.add(petition)
    db.session.flush()
    files.store(petition.id, checked, now, material_id=None)
    outbox.record("online_received", data.phone, {"link": petition.link}, hall_id=hall.id, now=now)
    return petition, query


def _fresh_link() -> str:
    """A text's short link no other matter and no "turn is near" text holds (one in 3·10¹⁰
    would; the unique index would then refuse the whole sending)."""
    while True:
        link = outbox.new_link()
        if by_link(link) is None and outbox.by_link(link) is None:
            return link


def find(raw_code: str, raw_phone: str, remote: str, now: datetime) -> OnlinePetition:
    """The matter with this 查询码 sent from this number; a miss is counted, and too many
    misses from the address or for the number refuse even a right code for a while."""
    remote_hash = limits.address_hash(remote)
    try:
        phone = identity.normalise_mobile(raw_phone)
    except InvalidInput:
        phone = ""
    phone_hash = crypto.lookup_hash("phone", phone) if phone else ""
    limits.check_lookup(remote_hash, phone_hash, now)
    code = normal_query_code(raw_code)
    petition = (
        db.session.scalars(
            select(OnlinePetition).where(
                OnlinePetition.query_hash == crypto.lookup_hash("query", code)
            )
        ).first()
        if len(code) == QUERY_LENGTH
        else None
    )
    if petition is None or not phone or petition.phone_hash != phone_hash:
        limits.failed_lookup(remote_hash, phone_hash, now)
        raise InvalidInput(N_("No matter with this query code was sent from this number."))
    return petition


def by_link(link: str) -> OnlinePetition | None:
    if len(link) != outbox.LINK_LENGTH or any(ch not in outbox.LINK_ALPHABET for ch in link):
        return None
    return db.session.scalars(select(OnlinePetition).where(OnlinePetition.link == link)).first()


def of_case(case_id: int) -> OnlinePetition | None:
    return db.session.scalars(
        select(OnlinePetition).where(OnlinePetition.case_id == case_id)
    ).first()


def viewed(petition: OnlinePetition, staff_id: int, what: str) -> None:
    """Every staff view of an online matter or one of its files is in the audit trail."""
    audit(
        staff_id,
        "view_online",
        case_id=petition.case_id,
        detail=f"online matter {petition.id}: {what}"[:200],
    )
