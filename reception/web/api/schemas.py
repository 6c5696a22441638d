"""The JSON API's contract: every request and response body, declared once.

flask-smorest validates requests against these schemas (422 with the fields at fault) and
publishes them as OpenAPI 3 at `/api/v1/openapi.json`. Text fields refuse NUL and lone
surrogates (also refused for every request by `web.guard`).
"""

from __future__ import annotations

from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import marshmallow as ma
from marshmallow import fields, validate
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from reception.live.events import TicketView
from reception.models import Priority, ServiceKind
from reception.oversight import reports
from reception.oversight.exports import good_bad, petitions
from reception.queue.actions import MOVES
from reception.web.actions import TICKET_ACTIONS
from reception.web.edge.guard import MAX_ID
from reception.web.forms import IsoDateField

ACTIONS = TICKET_ACTIONS  # one operation each
PRIORITY_NAMES = tuple(p.name.lower() for p in Priority)


def Id(**kwargs: object) -> fields.Integer:  # noqa: N802 - a field factory reads like a field
    """A database id: a JSON integer from 1 to 2**63-1 (strings and booleans refused)."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)  # type: ignore[arg-type]


def QueryId(**kwargs: object) -> fields.Integer:  # noqa: N802
    """A database id in a query string (text there, so read as a number: `12`, not `1.5`)."""
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)  # type: ignore[arg-type]


NO_NUL = r"^[^\x00]*$"  # a NUL cannot be stored (lone surrogates are refused by the guard)
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"  # some text besides spaces, and no NUL
MOBILE = r"^(\+86)?1[3-9][0-9]{9}$"


def Text(max_length: int, *, required_text: bool = False, **kwargs: object) -> fields.String:  # noqa: N802
    """Text up to `max_length` characters; `required_text`: not empty nor only spaces."""
    return fields.String(
        validate=[
            validate.Length(min=1 if required_text else 0, max=max_length),
            validate.Regexp(NOT_BLANK if required_text else NO_NUL),
        ],
        **kwargs,  # type: ignore[arg-type]
    )


class Strict(ma.Schema):
    """Unknown fields are an error: a misspelt field is never silently ignored."""

    class Meta:
        unknown = ma.RAISE


class ErrorSchema(Strict):
    error = fields.String(
        required=True, metadata={"description": "Stable snake_case code, e.g. illegal_move."}
    )
    message = fields.String(
        required=True, metadata={"description": "A sentence in the request's language."}
    )
    field_errors = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        metadata={"description": "For invalid_input: the fields at fault and why."},
    )


class ServiceSchema(Strict):
    id = Id(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True, required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ServiceKind]))
    prefix = fields.String(required=True)
    waiting = fields.Integer(required=True, validate=validate.Range(min=0))
    desks = fields.List(fields.Integer(), required=True)


class ServicesSchema(Strict):
    services = fields.List(fields.Nested(ServiceSchema), required=True)


def _payload_field(info: FieldInfo) -> fields.Field:
    """A marshmallow field for one field of a live payload (pydantic), with its bounds."""
    annotation, nullable = info.annotation, False
    if get_origin(annotation) in (Union, UnionType) and type(None) in get_args(annotation):
        (annotation,) = (a for a in get_args(annotation) if a is not type(None))
        nullable = True
    bounds = {type(m).__name__: m for m in info.metadata}
    options: dict[str, Any] = {"required": True, "allow_none": nullable}
    if get_origin(annotation) is Literal:
        return fields.String(validate=validate.OneOf(get_args(annotation)), **options)
    if annotation is int:
        low = getattr(bounds.get("Ge"), "ge", None)
        high = getattr(bounds.get("Le"), "le", None)
        within = validate.Range(low, high) if low is not None or high is not None else None
        return fields.Integer(validate=within, **options)
    if annotation is str:
        longest = getattr(bounds.get("MaxLen"), "max_length", None)
        return fields.String(validate=validate.Length(max=longest) if longest else None, **options)
    raise TypeError(f"no API field for {info.annotation!r}")


def from_payload(payload: type[BaseModel], name: str, **extra: fields.Field) -> type[Strict]:
    """The API's schema of a shape the live events declare (one declaration: the payload's
    fields and bounds), with the fields only the API adds."""
    declared = {key: _payload_field(info) for key, info in payload.model_fields.items()}
    return Strict.from_dict({**declared, **extra}, name=name)  # type: ignore[return-value]


TicketSchema = from_payload(
    TicketView,
    "TicketSchema",
    issued_at=fields.DateTime(required=True),
    service_day=fields.Date(required=True),
    token=fields.String(metadata={"description": "Only when the ticket is issued."}),
    url=fields.String(metadata={"description": "The ticket's live page (its QR code)."}),
    people_ahead=fields.Integer(validate=validate.Range(min=0)),
    wait_minutes=fields.Integer(validate=validate.Range(min=0)),
)


class TicketEnvelope(Strict):
    ticket = fields.Nested(TicketSchema, required=True)


class MaybeTicketEnvelope(Strict):
    ticket = fields.Nested(TicketSchema, required=True, allow_none=True)
    message = fields.String()


class CheckInEnvelope(TicketEnvelope):
    late = fields.Boolean(required=True)


class DeskQueueSchema(Strict):
    desk = fields.Integer(required=True)
    waiting = fields.List(fields.Nested(TicketSchema), required=True)


class IssueRequest(Strict):
    service_id = Id(required=True)
    priority = fields.String(validate=validate.OneOf(PRIORITY_NAMES), load_default="walk_in")


class DeskMove(Strict):
    desk_id = Id(
        required=True,
        metadata={"description": "The desk making the move: it must be the ticket's desk."},
    )


class FinishRequest(DeskMove):
    outcome = Text(
        2000, required_text=True, required=True, metadata={"description": "What was done."}
    )


class NoteMove(DeskMove):
    note = Text(1000, load_default="")


class TransferRequest(NoteMove):
    service_id = Id(required=True, metadata={"description": "The service to send the visitor to."})
    to_desk_id = Id(metadata={"description": "A desk of that service to send the visitor to."})


# each move's request body, by what the move takes besides the desk (`TicketAction.takes`)
TAKES: dict[str, type[DeskMove]] = {
    "": DeskMove,
    "outcome": FinishRequest,
    "note": NoteMove,
    "target": TransferRequest,
}
MOVE_REQUESTS: dict[str, type[DeskMove]] = {move.path: TAKES[move.takes] for move in MOVES}


class SlotsQuery(Strict):
    day = fields.Date(required=True)


class SlotSchema(Strict):
    starts_at = fields.DateTime(required=True)
    time = fields.String(required=True)
    capacity = fields.Integer(required=True)
    free = fields.Integer(required=True)


class SlotsSchema(Strict):
    day = fields.Date(required=True)
    bookable = fields.Boolean(required=True)
    slots = fields.List(fields.Nested(SlotSchema), required=True)


class BookRequest(Strict):
    service_id = Id(required=True)
    starts_at = fields.AwareDateTime(
        required=True, metadata={"description": "A slot's start, as the slots list gives it."}
    )
    name = Text(40, required_text=True, required=True)
    phone = fields.String(required=True, validate=validate.Regexp(MOBILE))
    id_number = Text(20, load_default="")
    description = Text(500, load_default="")


class BookingKey(Strict):
    code = Text(20, required_text=True, required=True)
    phone = Text(20, required_text=True, required=True)


class MoveRequest(BookingKey):
    starts_at = fields.AwareDateTime(required=True)


class CheckInRequest(Strict):
    code = Text(20, required_text=True, required=True)


class AppointmentSchema(Strict):
    code = fields.String(required=True)
    service_id = Id(required=True)
    day = fields.Date(required=True)
    starts_at = fields.DateTime(required=True)
    local_time = fields.String(required=True)
    state = fields.String(required=True)


class AppointmentEnvelope(Strict):
    appointment = fields.Nested(AppointmentSchema, required=True)


def HallDate(**kwargs: object) -> fields.Date:  # noqa: N802 - a field factory reads like a field
    """A day of a hall's calendar (1900 to 2199, as the pages' date fields)."""
    within = validate.Range(IsoDateField.FIRST, IsoDateField.LAST)
    return fields.Date(validate=within, **kwargs)  # type: ignore[arg-type]


class ReportQuery(Strict):
    period = fields.String(load_default="day", validate=validate.OneOf(reports.PERIODS))
    day = HallDate(
        required=True, metadata={"description": "The day, or the first day of the period."}
    )
    until = HallDate(metadata={"description": "The last day of a `range`."})
    service_id = QueryId(
        metadata={"description": "Only the visits that joined this service first."}
    )
    hall_id = fields.List(
        QueryId(),
        validate=validate.Length(max=100),
        metadata={"description": "The city's accounts: these halls together (repeat the name)."},
    )
    city = fields.Boolean(
        load_default=False, metadata={"description": "The city's accounts: every hall."}
    )


def _count() -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(0))


def _rate() -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={"description": "Percent."})


def _seconds() -> fields.Integer:
    return fields.Integer(required=True, allow_none=True, metadata={"description": "Seconds."})


class FiguresSchema(Strict):
    """The period's headline figures, as the report page, its exports and the supervisor's
    board show them (one definition each, in `reception.oversight.reports`)."""

    tickets = _count()
    visitors = _count()
    journeys = _count()
    group_visits = _count()
    group_people = _count()
    headcount = _count()
    repeat_visits = _count()
    legs = _count()
    served = _count()
    wait_p50 = _seconds()
    wait_p90 = _seconds()
    service_p50 = _seconds()
    service_p90 = _seconds()
    no_shows = _count()
    returned = _count()
    transfers = _count()
    rated = _count()
    satisfied = _count()
    bad = _count()
    satisfaction = _rate()
    satisfaction_broad = _rate()
    rating_rate = _rate()
    case_rated = _count()
    case_satisfaction = _rate()
    follow_ups = _count()
    follow_ups_on_time = _count()
    follow_ups_late = _count()
    follow_ups_overdue = _count()


class ReportSchema(Strict):
    first = fields.Date(required=True)
    last = fields.Date(required=True)
    service_id = fields.Integer(required=True, allow_none=True)
    hall_ids = fields.List(fields.Integer(), required=True)
    figures = fields.Nested(FiguresSchema, required=True)


class ExportQuery(ReportQuery):
    reversed_codes = fields.Boolean(
        load_default=False,
        metadata={"description": "满意度代码 the provincial way: 5 = 非常满意 … 1 = 非常不满意."},
    )
    identity = fields.Boolean(
        load_default=False,
        metadata={"description": "The petitioners' names and ID numbers unmasked (supervisor)."},
    )


class ExportFieldSchema(Strict):
    key = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "The standard's field name."})


def _records_schema(name: str, mapping: Any, numbers: tuple[str, ...]) -> type[ma.Schema]:
    """A record's schema from an export's mapping (`FIELDS`): each field described by the
    standard's name and where its value comes from."""
    declared: dict[str, Any] = {
        field.key: (fields.Integer if field.key in numbers else fields.String)(
            required=True, metadata={"description": f"{field.name}: {field.source}"}
        )
        for field in mapping
    }
    return type(name, (Strict,), declared)


RatingRecordSchema = _records_schema("RatingRecordSchema", good_bad.FIELDS, ("pjcs", "mydm"))
PetitionRecordSchema = _records_schema("PetitionRecordSchema", petitions.FIELDS, ("sjrs",))


class _ExportSchema(Strict):
    standard = fields.String(required=True)
    first = fields.Date(required=True)
    last = fields.Date(required=True)
    fields_ = fields.List(
        fields.Nested(ExportFieldSchema), required=True, data_key="fields", attribute="fields"
    )


class RatingsExportSchema(_ExportSchema):
    """好差评 records in the fields and codes of GB/T 39046-2020 table 9."""

    records = fields.List(fields.Nested(RatingRecordSchema), required=True)


class PetitionsExportSchema(_ExportSchema):
    """信访件 records in the petition information system's field groups."""

    records = fields.List(fields.Nested(PetitionRecordSchema), required=True)
