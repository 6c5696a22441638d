"""The online door (网上信访): a matter sent from a phone, its attachments, the one-time codes
that confirm the phone, the petitioner's requests for material and ratings of a reply."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from reception.db.extensions import Model
from reception.models.types import Encrypted, UTCDateTime, utcnow


class PhoneCode(Model):
    """A one-time code texted to confirm a mobile number: only its keyed hash is kept, with
    the number's and the asking address's hashes (the limits count these rows)."""

    __tablename__ = "phone_codes"
    __table_args__ = (Index("ix_phone_codes_phone", "phone_hash", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    phone_hash: Mapped[str] = mapped_column(String(64))
    remote_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class OnlinePetition(Model):
    """A matter sent online, as the petitioner wrote it. Stored once the phone's code was
    confirmed; registered into a `Case` by a registrar (the case's clocks start on the day it
    was received). Personal data encrypted; found by the 查询码's keyed hash."""

    __tablename__ = "online_petitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)  # the hall's day it arrived: the 15 days' start
    name: Mapped[str] = mapped_column(Encrypted())
    id_number: Mapped[str] = mapped_column(Encrypted())
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone: Mapped[str] = mapped_column(Encrypted())
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    remote_hash: Mapped[str] = mapped_column(String(64), default="")
    request: Mapped[str] = mapped_column(Text)
    facts: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(10))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), default=None)
    accusation: Mapped[bool] = mapped_column(default=False)  # against `department_id`
    place: Mapped[str] = mapped_column(Encrypted(), default="")
    group_size: Mapped[int] = mapped_column(Integer, default=1)
    representatives: Mapped[str] = mapped_column(Encrypted(), default="")  # one name a line
    query_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # the short link every text about the matter carries (`/s/<link>`): opens its page
    link: Mapped[str] = mapped_column(String(8), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True, default=None)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class OnlineFile(Model):
    """An attachment (a photo or a PDF), encrypted; sent with the matter or with the answer to
    a request for material. Served to staff who may see the matter, as a download only."""

    __tablename__ = "online_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("online_petitions.id"), index=True)
    material_id: Mapped[int | None] = mapped_column(
        ForeignKey("material_requests.id"), default=None
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    name: Mapped[str] = mapped_column(Encrypted())  # as the phone named it: may name a person
    mimetype: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)  # bytes before encryption
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class MaterialRequest(Model):
    """Staff ask the petitioner for missing material (补充材料): it pauses no clock. The answer
    (words and files) comes from the petitioner's own page."""

    __tablename__ = "material_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("online_petitions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    answer: Mapped[str] = mapped_column(Encrypted(), default="")


class ReplyRating(Model):
    """The petitioner's rating of a reply (满意 / 基本满意 / 不满意), for the handling unit and
    for the petition office, once a stage: the opinion, the review's answer."""

    __tablename__ = "reply_ratings"
    __table_args__ = (UniqueConstraint("case_id", "stage", name="uq_reply_rating_stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(10))  # opinion / review
    unit_level: Mapped[str] = mapped_column(String(10))
    office_level: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OnlineAttempt(Model):
    """A look-up of a matter by 查询码 (or a text's link) that found nothing: counted per
    address and per phone to stop guessing."""

    __tablename__ = "online_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    remote_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone_hash: Mapped[str] = mapped_column(String(64), default="")
