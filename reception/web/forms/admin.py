"""The hall's set-up: the hall, services, desks, staff, units, displays, bookable times,
routing, import, the first administrator, the audit filter."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from reception.core.errors import InvalidInput
from reception.hall.description import (
    CARD_READER,
    CARD_READER_KINDS,
    CARD_READER_URL,
    NOTIFY_AHEAD_MAX,
    REGION_CODE,
)
from reception.models import Role, ServiceKind
from reception.queue import hours
from reception.web.forms.fields import (
    IdField,
    IdListField,
    IsoDateField,
    TimeField,
    WholeNumberField,
    known_zone,
    strip_text,
    username_field,
)


class ClosureForm(FlaskForm):
    day = IsoDateField(_l("Date"), validators=[DataRequired(_l("Give the date as YYYY-MM-DD."))])
    reason = StringField(_l("Reason"), filters=[strip_text], validators=[Length(max=100)])
    action = StringField(
        default="add", filters=[lambda v: v or "add"], validators=[AnyOf(("add", "remove"))]
    )
    # closing a day with bookings is confirmed by echoing how many bookings it cancels
    confirm = WholeNumberField(_l("Confirm"), validators=[Optional()])
    viewing = IsoDateField(_l("Date"))


class NewHallForm(FlaskForm):
    """A new hall of the city: its name, its code in the addresses, its time zone."""

    name = StringField(
        _l("Name of the hall"), filters=[strip_text], validators=[DataRequired(), Length(max=120)]
    )
    code = StringField(
        _l("Code in the addresses (/h/code/)"),
        filters=[strip_text],
        validators=[DataRequired(), Length(max=32)],
    )
    timezone = StringField(
        _l("Time zone"),
        default="Asia/Shanghai",
        filters=[strip_text],
        validators=[DataRequired(), Length(max=64)],
    )


class HallForm(FlaskForm):
    name = StringField(
        _l("Name of the hall"), filters=[strip_text], validators=[DataRequired(), Length(max=120)]
    )
    address = StringField(
        _l("Address of the hall"), filters=[strip_text], validators=[Length(max=200)]
    )
    timezone = StringField(
        _l("Time zone"), filters=[strip_text], validators=[DataRequired(), Length(max=64)]
    )
    notice = TextAreaField(_l("Notice line"), filters=[strip_text], validators=[Length(max=500)])
    lobby_floor = WholeNumberField(
        _l("Floor of the lobby"), default=1, validators=[NumberRange(1, 199)]
    )
    follow_up_days = WholeNumberField(
        _l("Call back a bad rating within (working days)"),
        default=5,
        validators=[NumberRange(1, 30)],
    )
    pause_alert_minutes = WholeNumberField(
        _l("Alert when a desk is paused longer than (minutes)"),
        default=15,
        validators=[NumberRange(1, 480)],
    )
    video_answer_seconds = WholeNumberField(
        _l("A remote unit must answer a video call within (seconds)"),
        default=60,
        validators=[NumberRange(10, 600)],
    )
    video_recording = BooleanField(
        _l("Record video sessions (sound and picture)"), false_values=("", "0", "false")
    )
    recording_retention_days = WholeNumberField(
        _l("Keep recordings for (days)"), default=180, validators=[NumberRange(1, 3650)]
    )
    region_code = StringField(
        _l("行政区划代码 (six digits, for the national exports)"),
        filters=[strip_text],
        validators=[Regexp(REGION_CODE, message=_l("Six (or twelve) digits of GB/T 2260."))],
    )
    card_reader_url = StringField(
        _l("ID-card reader's local service"),
        default=CARD_READER_URL,
        filters=[strip_text],
        validators=[
            DataRequired(),
            Length(max=200),
            Regexp(
                CARD_READER,
                message=_l(
                    "An address on the counter's own computer, e.g. http://127.0.0.1:19196/readcard"
                ),
            ),
        ],
    )
    card_reader_kind = StringField(
        _l("ID-card reader's make"),
        default="cvr100",
        validators=[AnyOf(CARD_READER_KINDS, message=_l("Choose from the list."))],
    )
    # opening hours per weekday, e.g. "08:30-12:00 13:30-17:30" (empty: closed that day)
    hours_0 = StringField(_l("Monday"), filters=[strip_text], validators=[Length(max=100)])
    hours_1 = StringField(_l("Tuesday"), filters=[strip_text], validators=[Length(max=100)])
    hours_2 = StringField(_l("Wednesday"), filters=[strip_text], validators=[Length(max=100)])
    hours_3 = StringField(_l("Thursday"), filters=[strip_text], validators=[Length(max=100)])
    hours_4 = StringField(_l("Friday"), filters=[strip_text], validators=[Length(max=100)])
    hours_5 = StringField(_l("Saturday"), filters=[strip_text], validators=[Length(max=100)])
    hours_6 = StringField(_l("Sunday"), filters=[strip_text], validators=[Length(max=100)])

    def opening_hours(self) -> dict[str, list[list[str]]]:
        """The week's hours as stored ({} when no day has any: always open)."""
        week = {str(d): hours.parse_day(self[f"hours_{d}"].data or "") for d in range(7)}
        return {day: spans for day, spans in week.items() if spans}

    def fill_hours(self, opening_hours: dict[str, list[list[str]]]) -> None:
        for day in range(7):
            self[f"hours_{day}"].data = hours.format_day(opening_hours.get(str(day), []))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for day in range(7):
            field = self[f"hours_{day}"]
            try:
                hours.parse_day(field.data or "")
            except InvalidInput as error:
                field.errors = [*field.errors, _l(error.message)]
                valid = False
        return valid

    def validate_timezone(self, field: Field) -> None:
        known_zone(field)


SERVICE_KINDS = tuple(kind.value for kind in ServiceKind)


class ServiceForm(FlaskForm):
    name = StringField(
        _l("Service name"), filters=[strip_text], validators=[DataRequired(), Length(max=120)]
    )
    name_en = StringField(_l("English name"), filters=[strip_text], validators=[Length(max=120)])
    prefix = StringField(
        _l("Ticket prefix"),
        filters=[strip_text, lambda v: v.upper() if isinstance(v, str) else v],
        validators=[
            DataRequired(),
            Regexp(r"^[A-Z]{1,2}$", message=_l("One or two letters A–Z.")),
        ],
    )
    kind = StringField(_l("Kind"), validators=[AnyOf(SERVICE_KINDS)])
    waiting_area = StringField(
        _l("Waiting area"), filters=[strip_text], validators=[Length(max=120)]
    )
    wait_target_minutes = WholeNumberField(
        _l("Wait target (minutes, 0 for none)"), default=0, validators=[NumberRange(0, 600)]
    )
    notify_ahead = WholeNumberField(
        _l('Text "your turn is near" at this many places ahead (0: never)'),
        default=0,
        validators=[NumberRange(0, NOTIFY_AHEAD_MAX)],
    )
    active = BooleanField(_l("In use"), default=True, false_values=("", "0", "false"))


class DeskForm(FlaskForm):
    number = WholeNumberField(_l("Desk number"), validators=[InputRequired(), NumberRange(1, 9999)])
    name = StringField(_l("Desk name"), filters=[strip_text], validators=[Length(max=120)])
    name_en = StringField(_l("English name"), filters=[strip_text], validators=[Length(max=120)])
    floor = WholeNumberField(_l("Floor"), default=1, validators=[NumberRange(1, 199)])
    location = StringField(_l("Room"), filters=[strip_text], validators=[Length(max=120)])
    location_en = StringField(
        _l("Room (English)"), filters=[strip_text], validators=[Length(max=120)]
    )
    services = IdListField(_l("Services"))
    active = BooleanField(_l("In use"), default=True, false_values=("", "0", "false"))


STAFF_ROLES = tuple(role.value for role in Role)


class StaffForm(FlaskForm):
    username = username_field()
    display_name = StringField(
        _l("Display name"), filters=[strip_text], validators=[Length(max=64)]
    )
    # a new account is desk staff unless chosen otherwise (never an administrator by default)
    role = StringField(_l("Role"), default=Role.DESK.value, validators=[AnyOf(STAFF_ROLES)])
    department_id = IdField(_l("Department (for the accusation rule)"))
    remote_unit_id = IdField(_l("Unit received over video (remote accounts)"))
    desks = IdListField(_l("Desks this person may work"))
    active = BooleanField(_l("Active"), default=True, false_values=("", "0", "false"))


class RemoteUnitForm(FlaskForm):
    """A department or county whose staff receive the hall's visitors over video."""

    name = StringField(
        _l("Name of the unit"), filters=[strip_text], validators=[DataRequired(), Length(max=120)]
    )
    name_en = StringField(_l("Name in English"), filters=[strip_text], validators=[Length(max=120)])
    sort_order = WholeNumberField(
        _l("Order on the kiosk"), default=0, validators=[NumberRange(0, 999)]
    )
    active = BooleanField(_l("Active"), default=True, false_values=("", "0", "false"))


class DisplayForm(FlaskForm):
    name = StringField(
        _l("Screen name"), filters=[strip_text], validators=[DataRequired(), Length(max=80)]
    )
    desk_id = IdField(_l("Desk (empty: a lobby screen)"))
    autoplay = BooleanField(
        _l("Plays sound without a click (kiosk Chromium)"), false_values=("", "0", "false")
    )
    rater = BooleanField(
        _l("A rating device beside its desk (评价器)"), false_values=("", "0", "false")
    )

    def validate_rater(self, field: Field) -> None:
        if field.data and self.desk_id.data is None:
            raise ValidationError(_l("A rating device belongs to a desk."))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    staff_id = IdField(_l("Staff"))
    action = StringField(_l("Action"), filters=[strip_text], validators=[Length(max=40)])
    since = IsoDateField(_l("From"))
    until = IsoDateField(_l("Until"))
    page = WholeNumberField(_l("Page"), validators=[Optional(), NumberRange(1, 100000)])


class FirstRunForm(FlaskForm):
    hall_name = StringField(
        _l("Name of the hall"), filters=[strip_text], validators=[DataRequired(), Length(max=120)]
    )
    timezone = StringField(
        _l("Time zone"), default="Asia/Shanghai", filters=[strip_text], validators=[DataRequired()]
    )
    username = username_field()
    display_name = StringField(
        _l("Display name"), filters=[strip_text], validators=[Length(max=64)]
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=10, max=200, message=_l("10 to 200 characters."))],
    )
    confirm = PasswordField(_l("Password again"), validators=[DataRequired()])

    def validate_confirm(self, field: Field) -> None:
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords differ."))

    def validate_timezone(self, field: Field) -> None:
        known_zone(field)


class ImportForm(FlaskForm):
    description = FileField(
        _l("Hall description (JSON)"), validators=[FileRequired(_l("Choose the JSON file."))]
    )


class RoutingForm(FlaskForm):
    rules = TextAreaField(
        _l("Categories and the desks suggested for each"),
        validators=[DataRequired(), Length(max=5000)],
    )


class SlotTemplateForm(FlaskForm):
    service_id = IdField(_l("Service"), validators=[InputRequired(_l("Choose a service."))])
    weekdays = IdListField(_l("Weekdays"))
    start = TimeField(_l("From"), validators=[InputRequired(_l("Give the time as HH:MM."))])
    end = TimeField(_l("Until"), validators=[InputRequired(_l("Give the time as HH:MM."))])
    slot_minutes = WholeNumberField(
        _l("Minutes a slot"), default=30, validators=[NumberRange(5, 240)]
    )
    capacity = WholeNumberField(_l("Places a slot"), default=2, validators=[NumberRange(1, 50)])

    def validate_weekdays(self, field: Field) -> None:
        if any(day not in range(1, 8) for day in field.data or []):
            raise ValidationError(_l("Choose from the list."))


class LeaderDayForm(FlaskForm):
    service_id = IdField(_l("Service"), validators=[InputRequired(_l("Choose a service."))])
    day = IsoDateField(_l("Date"), validators=[DataRequired(_l("Give the date as YYYY-MM-DD."))])
    leader = StringField(
        _l("Leader"), filters=[strip_text], validators=[DataRequired(), Length(max=60)]
    )
    place = StringField(_l("Place"), filters=[strip_text], validators=[Length(max=120)])
    matters = StringField(
        _l("Matters received"), filters=[strip_text], validators=[Length(max=300)]
    )
    start = TimeField(_l("From"), validators=[InputRequired(_l("Give the time as HH:MM."))])
    end = TimeField(_l("Until"), validators=[InputRequired(_l("Give the time as HH:MM."))])
    slot_minutes = WholeNumberField(
        _l("Minutes a slot"), default=30, validators=[NumberRange(5, 240)]
    )
    capacity = WholeNumberField(_l("Places a slot"), default=3, validators=[NumberRange(1, 50)])
    weeks = WholeNumberField(
        _l("Weeks (the same weekday, week after week)"),
        default=1,
        validators=[NumberRange(1, 12)],
    )
