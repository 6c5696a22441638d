"""Every HTML form the hall's pages post, as a Flask-WTF class with its validators.

A refused form is drawn again from the same object, so it comes back with everything the
person typed or ticked (the registrar's desks in the order chosen), each error beside its
field. Lengths are the form's (the page shows them as `maxlength`), never a silent cut at save.
Ids go through `guard.parse_id`: Unicode digits and numbers past 64 bits are a field error.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
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
from wtforms.widgets import HiddenInput

from reception.core.clock import zone
from reception.core.errors import InvalidInput
from reception.models import CaseStatus, Role, ServiceKind
from reception.oversight import reports
from reception.oversight.ratings import REASONS
from reception.queue import hours
from reception.triage.registration import VULNERABLE_REASONS
from reception.web.edge.guard import parse_id

NAME_MAX, PHONE_MAX, ID_MAX, ADDRESS_MAX = 40, 16, 18, 200
ACCOUNT_MAX, TEXT_MAX, OUTCOME_MAX, NOTE_MAX = 5000, 2000, 2000, 1000
VULNERABLE = VULNERABLE_REASONS
_WHOLE = re.compile(r"[0-9]{1,9}")


class IdField(Field):
    """A database id from a select or hidden input; None when empty."""

    widget = HiddenInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = valuelist[0] if valuelist else ""
        self.raw = raw
        if raw in ("", None):
            self.data = None
            return
        self.data = parse_id(raw)
        if self.data is None:
            raise ValueError(_l("Must be a whole number from the list."))

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class IdListField(Field):
    """Several ids in the order they were sent (the registrar's desks in visiting order)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        ids: list[int] = []
        for raw in valuelist:
            number = parse_id(raw)
            if number is None:
                self.data = []
                raise ValueError(_l("Choose from the list."))
            if number not in ids:
                ids.append(number)
        self.data = ids

    def _value(self) -> str:
        return ",".join(str(i) for i in self.data or [])


class TextListField(Field):
    """Several short texts under one name (a group visit's representatives)."""

    def __init__(self, *args: Any, max_length: int = NAME_MAX, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_length = max_length

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [str(v) for v in valuelist]

    def pre_validate(self, form: Any) -> None:
        if any(len(v) > self.max_length for v in self.data or []):
            raise ValidationError(_l("At most %(n)s characters each.", n=self.max_length))

    def filled(self) -> list[str]:
        return [v.strip() for v in self.data or [] if v.strip()]


class WholeNumberField(Field):
    """A whole number typed as ASCII digits (no "²", no "1e3")."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]).strip() if valuelist else ""
        self.raw = raw
        if raw == "":
            self.data = self.default
            return
        if not _WHOLE.fullmatch(raw):
            self.data = None
            raise ValueError(_l("Write a whole number."))
        self.data = int(raw)

    def _value(self) -> str:
        return getattr(self, "raw", None) or ("" if self.data is None else str(self.data))


class IsoDateField(Field):
    """A date as YYYY-MM-DD (what `<input type=date>` sends); None when empty. A hall's dates
    lie between 1900 and 2199: a year 1 or 9999 would run a period's arithmetic off the
    calendar."""

    FIRST, LAST = date(1900, 1, 1), date(2199, 12, 31)

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]).strip() if valuelist else ""
        self.raw = raw
        self.data = None
        if raw:
            try:
                day = date.fromisoformat(raw)
            except ValueError as exc:
                raise ValueError(_l("Give the date as YYYY-MM-DD.")) from exc
            if not self.FIRST <= day <= self.LAST:
                raise ValueError(_l("Give a date between 1900 and 2199."))
            self.data = day

    def _value(self) -> str:
        return getattr(self, "raw", None) or (self.data.isoformat() if self.data else "")


def _or_empty(value: Any) -> Any:
    return "" if value is None else value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=10, max=200, message=_l("10 to 200 characters."))],
    )
    confirm = PasswordField(_l("New password again"), validators=[DataRequired()])

    def validate_confirm(self, field: Field) -> None:
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords differ."))


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PostForm(FlaskForm):
    """A button that changes something and carries nothing but its CSRF token (log out)."""


class KioskIssueForm(FlaskForm):
    service_id = IdField(validators=[InputRequired(_l("Choose a service."))])


class KioskUnitForm(KioskIssueForm):
    """The kiosk's second step for video reception: the department or county to speak to."""

    remote_unit_id = IdField()


class VideoStartForm(FlaskForm):
    """The video desk rings a remote unit about the visitor at the desk."""

    desk_id = IdField(validators=[InputRequired()])
    ticket_id = IdField(validators=[InputRequired()])
    unit_id = IdField(_l("Department or county"), validators=[InputRequired()])


class VideoOutcomeForm(FlaskForm):
    """What the remote unit decided or told the visitor, for the case."""

    outcome = TextAreaField(
        _l("Outcome"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Write the outcome before saving it.")),
            Length(max=OUTCOME_MAX),
        ],
    )


class CheckInForm(FlaskForm):
    code = StringField(
        _l("Booking code"), filters=[_strip], validators=[DataRequired(), Length(max=20)]
    )


class LookupForm(FlaskForm):
    """The registrar's look-up by ID number (POSTed: ID numbers never travel in a URL)."""

    id_number = StringField(_l("ID number"), filters=[_strip], validators=[Length(max=ID_MAX)])
    no_id_card = BooleanField(false_values=("", "0", "false"))


class RegistrationForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=NAME_MAX)]
    )
    id_number = StringField(_l("ID number"), filters=[_strip], validators=[Length(max=ID_MAX)])
    no_id_card = BooleanField(false_values=("", "0", "false"))
    phone = StringField(_l("Mobile phone"), filters=[_strip], validators=[Length(max=PHONE_MAX)])
    address = StringField(_l("Address"), filters=[_strip], validators=[Length(max=ADDRESS_MAX)])
    account = TextAreaField(
        _l("The visitor's account (typed by staff)"),
        validators=[DataRequired(), Length(max=ACCOUNT_MAX)],
    )
    facts = TextAreaField(_l("Facts and reasons"), validators=[Length(max=TEXT_MAX)])
    request = TextAreaField(_l("What the visitor asks for"), validators=[Length(max=TEXT_MAX)])
    category = StringField(_l("Category"), validators=[Length(max=40)])
    department_id = IdField(_l("Department in charge"))
    vulnerable = StringField(
        _l("Vulnerable"),
        filters=[_or_empty],
        validators=[AnyOf(VULNERABLE, message=_l("Choose from the list."))],
    )
    group_size = WholeNumberField(_l("Group size"), default=1, validators=[NumberRange(1, 500)])
    urgent = BooleanField(_l("Urgent (same-day fast track)"), false_values=("", "0", "false"))
    risk = BooleanField(_l("Risk or distress (psychologist)"), false_values=("", "0", "false"))
    accusation = BooleanField(_l("Accusation (检举控告)"), false_values=("", "0", "false"))
    accused_id = IdField(_l("Department accused"))
    representative = TextListField(max_length=NAME_MAX)
    route = IdListField()
    ticket_number = StringField(
        _l("Number already taken"),
        filters=[_strip, lambda value: value.upper() if isinstance(value, str) else value],
        validators=[Length(max=12)],
    )
    remote_unit_id = IdField(_l("Unit for video reception"))
    action = HiddenField(default="suggest")


class BookingForm(FlaskForm):
    starts_at = StringField(validators=[InputRequired(_l("Choose a time.")), Length(max=40)])
    name = StringField(
        _l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=NAME_MAX)]
    )
    phone = StringField(
        _l("Mobile phone"), filters=[_strip], validators=[DataRequired(), Length(max=PHONE_MAX)]
    )
    id_number = StringField(
        _l("ID number (optional)"), filters=[_strip], validators=[Length(max=ID_MAX)]
    )
    description = TextAreaField(_l("Your matter in a few words"), validators=[Length(max=500)])
    day = StringField(validators=[Optional(), Length(max=10)])
    remote_unit_id = IdField(_l("Department or county to speak to"))


class ManageBookingForm(FlaskForm):
    code = StringField(
        _l("Booking code"), filters=[_strip], validators=[DataRequired(), Length(max=20)]
    )
    phone = StringField(
        _l("Mobile phone"), filters=[_strip], validators=[DataRequired(), Length(max=PHONE_MAX)]
    )
    action = StringField(filters=[_or_empty], validators=[AnyOf(("", "cancel", "move"))])
    starts_at = StringField(validators=[Length(max=40)])
    day = IsoDateField()


class DeskActionForm(FlaskForm):
    """Every move of the desk console; which fields a move needs is the engine's rule."""

    outcome = TextAreaField(_l("Outcome"), validators=[Length(max=OUTCOME_MAX)])
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX)])
    service_id = IdField(_l("Service"))
    to_desk_id = IdField(_l("Desk"))


class CaseActionForm(FlaskForm):
    """A decision or step on a case; which fields a step needs is the case rules'."""

    note = TextAreaField(_l("Reason or reply"), filters=[_strip], validators=[Length(max=NOTE_MAX)])
    days = WholeNumberField(
        _l("Days"),
        validators=[
            Optional(),
            NumberRange(1, 30, message=_l("An extension is 1 to 30 days (Art. 34).")),
        ],
    )
    approver = StringField(_l("Approved by"), filters=[_strip], validators=[Length(max=64)])
    reason = StringField(_l("Reason"), filters=[_strip], validators=[Length(max=1000)])
    leader_id = IdField(_l("Leader"))
    # a decision taken on an earlier day, recorded now with its real date and why late
    decided_on = IsoDateField(_l("Decided on"))
    late_reason = StringField(
        _l("Why it is recorded late"), filters=[_strip], validators=[Length(max=200)]
    )


class ClosureForm(FlaskForm):
    day = IsoDateField(_l("Date"), validators=[DataRequired(_l("Give the date as YYYY-MM-DD."))])
    reason = StringField(_l("Reason"), filters=[_strip], validators=[Length(max=100)])
    action = StringField(
        default="add", filters=[lambda v: v or "add"], validators=[AnyOf(("add", "remove"))]
    )
    # closing a day with bookings is confirmed by echoing how many bookings it cancels
    confirm = WholeNumberField(_l("Confirm"), validators=[Optional()])
    viewing = IsoDateField(_l("Date"))


CASE_STATES = tuple(state.value for state in CaseStatus)


class CaseFilterForm(FlaskForm):
    """The case list's filters (a GET form: nothing personal is filtered by here)."""

    class Meta:
        csrf = False

    state = StringField(_l("State"), filters=[_strip], validators=[Optional(), AnyOf(CASE_STATES)])
    department = IdField(_l("Department in charge"))
    category = StringField(_l("Category"), filters=[_strip], validators=[Length(max=40)])
    since = IsoDateField(_l("Registered from"))
    until = IsoDateField(_l("Registered until"))
    number = StringField(
        _l("Case number"),
        filters=[_strip],
        validators=[
            Optional(),
            Regexp(
                r"^(XF[0-9]{4}-)?[0-9]{1,9}$",
                message=_l("A case number looks like XF2026-000012."),
            ),
        ],
    )
    page = WholeNumberField(_l("Page"), validators=[Optional(), NumberRange(1, 100000)])

    def validate_until(self, field: Field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end of the range is before its start."))

    @property
    def case_id(self) -> int | None:
        """The id inside a case number (XF2026-000012 or 12)."""
        return int(self.number.data.rpartition("-")[2]) if self.number.data else None


def username_field() -> StringField:
    return StringField(
        _l("Username"),
        filters=[_strip],
        validators=[
            DataRequired(),
            Regexp(r"^[A-Za-z0-9_.-]{2,64}$", message=_l("2–64 letters, digits, _ . -")),
        ],
    )


def known_zone(field: Field) -> None:
    try:
        zone(field.data or "")
    except InvalidInput as exc:
        raise ValidationError(_l("Unknown time zone (e.g. Asia/Shanghai).")) from exc


class HallForm(FlaskForm):
    name = StringField(
        _l("Name of the hall"), filters=[_strip], validators=[DataRequired(), Length(max=120)]
    )
    address = StringField(_l("Address of the hall"), filters=[_strip], validators=[Length(max=200)])
    timezone = StringField(
        _l("Time zone"), filters=[_strip], validators=[DataRequired(), Length(max=64)]
    )
    notice = TextAreaField(_l("Notice line"), filters=[_strip], validators=[Length(max=500)])
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
    # opening hours per weekday, e.g. "08:30-12:00 13:30-17:30" (empty: closed that day)
    hours_0 = StringField(_l("Monday"), filters=[_strip], validators=[Length(max=100)])
    hours_1 = StringField(_l("Tuesday"), filters=[_strip], validators=[Length(max=100)])
    hours_2 = StringField(_l("Wednesday"), filters=[_strip], validators=[Length(max=100)])
    hours_3 = StringField(_l("Thursday"), filters=[_strip], validators=[Length(max=100)])
    hours_4 = StringField(_l("Friday"), filters=[_strip], validators=[Length(max=100)])
    hours_5 = StringField(_l("Saturday"), filters=[_strip], validators=[Length(max=100)])
    hours_6 = StringField(_l("Sunday"), filters=[_strip], validators=[Length(max=100)])

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
        _l("Service name"), filters=[_strip], validators=[DataRequired(), Length(max=120)]
    )
    name_en = StringField(_l("English name"), filters=[_strip], validators=[Length(max=120)])
    prefix = StringField(
        _l("Ticket prefix"),
        filters=[_strip, lambda v: v.upper() if isinstance(v, str) else v],
        validators=[
            DataRequired(),
            Regexp(r"^[A-Z]{1,2}$", message=_l("One or two letters A–Z.")),
        ],
    )
    kind = StringField(_l("Kind"), validators=[AnyOf(SERVICE_KINDS)])
    waiting_area = StringField(_l("Waiting area"), filters=[_strip], validators=[Length(max=120)])
    wait_target_minutes = WholeNumberField(
        _l("Wait target (minutes, 0 for none)"), default=0, validators=[NumberRange(0, 600)]
    )
    active = BooleanField(_l("In use"), default=True, false_values=("", "0", "false"))


class DeskForm(FlaskForm):
    number = WholeNumberField(_l("Desk number"), validators=[InputRequired(), NumberRange(1, 9999)])
    name = StringField(_l("Desk name"), filters=[_strip], validators=[Length(max=120)])
    name_en = StringField(_l("English name"), filters=[_strip], validators=[Length(max=120)])
    floor = WholeNumberField(_l("Floor"), default=1, validators=[NumberRange(1, 199)])
    location = StringField(_l("Room"), filters=[_strip], validators=[Length(max=120)])
    location_en = StringField(_l("Room (English)"), filters=[_strip], validators=[Length(max=120)])
    services = IdListField(_l("Services"))
    active = BooleanField(_l("In use"), default=True, false_values=("", "0", "false"))


STAFF_ROLES = tuple(role.value for role in Role)


class StaffForm(FlaskForm):
    username = username_field()
    display_name = StringField(_l("Display name"), filters=[_strip], validators=[Length(max=64)])
    # a new account is desk staff unless chosen otherwise (never an administrator by default)
    role = StringField(_l("Role"), default=Role.DESK.value, validators=[AnyOf(STAFF_ROLES)])
    department_id = IdField(_l("Department (for the accusation rule)"))
    remote_unit_id = IdField(_l("Unit received over video (remote accounts)"))
    desks = IdListField(_l("Desks this person may work"))
    active = BooleanField(_l("Active"), default=True, false_values=("", "0", "false"))


class RemoteUnitForm(FlaskForm):
    """A department or county whose staff receive the hall's visitors over video."""

    name = StringField(
        _l("Name of the unit"), filters=[_strip], validators=[DataRequired(), Length(max=120)]
    )
    name_en = StringField(_l("Name in English"), filters=[_strip], validators=[Length(max=120)])
    sort_order = WholeNumberField(
        _l("Order on the kiosk"), default=0, validators=[NumberRange(0, 999)]
    )
    active = BooleanField(_l("Active"), default=True, false_values=("", "0", "false"))


class DisplayForm(FlaskForm):
    name = StringField(
        _l("Screen name"), filters=[_strip], validators=[DataRequired(), Length(max=80)]
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
    action = StringField(_l("Action"), filters=[_strip], validators=[Length(max=40)])
    since = IsoDateField(_l("From"))
    until = IsoDateField(_l("Until"))
    page = WholeNumberField(_l("Page"), validators=[Optional(), NumberRange(1, 100000)])


class FirstRunForm(FlaskForm):
    hall_name = StringField(
        _l("Name of the hall"), filters=[_strip], validators=[DataRequired(), Length(max=120)]
    )
    timezone = StringField(
        _l("Time zone"), default="Asia/Shanghai", filters=[_strip], validators=[DataRequired()]
    )
    username = username_field()
    display_name = StringField(_l("Display name"), filters=[_strip], validators=[Length(max=64)])
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


class DeskStateForm(FlaskForm):
    """Pause (with a reason), resume, close (releasing visitors sent by name) or reopen."""

    reason = StringField(_l("Reason"), filters=[_strip], validators=[Length(max=40)])
    other = StringField(_l("Other reason"), filters=[_strip], validators=[Length(max=40)])
    release = BooleanField(false_values=("", "0", "false"))

    def pause_reason(self) -> str:
        return (self.other.data if self.reason.data == "other" else self.reason.data) or ""


class ImportForm(FlaskForm):
    description = FileField(
        _l("Hall description (JSON)"), validators=[FileRequired(_l("Choose the JSON file."))]
    )


class RoutingForm(FlaskForm):
    rules = TextAreaField(
        _l("Categories and the desks suggested for each"),
        validators=[DataRequired(), Length(max=5000)],
    )


class TimeField(Field):
    """A time of day as HH:MM (what `<input type=time>` sends)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]).strip() if valuelist else ""
        self.raw = raw
        self.data = None
        if not raw:
            self.raw_data = []  # a blank (" ") is no time given: InputRequired says so
        else:
            if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", raw):
                raise ValueError(_l("Give the time as HH:MM."))
            self.data = time.fromisoformat(raw)

    def _value(self) -> str:
        return getattr(self, "raw", None) or (self.data.strftime("%H:%M") if self.data else "")


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
        _l("Leader"), filters=[_strip], validators=[DataRequired(), Length(max=60)]
    )
    place = StringField(_l("Place"), filters=[_strip], validators=[Length(max=120)])
    matters = StringField(_l("Matters received"), filters=[_strip], validators=[Length(max=300)])
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


class RatingForm(FlaskForm):
    level = WholeNumberField(
        _l("Rating"),
        validators=[InputRequired(_l("Choose one of the five levels.")), NumberRange(1, 5)],
    )
    comment = TextAreaField(
        _l("Comment (optional)"), filters=[_strip], validators=[Length(max=500)]
    )
    # why a rating of 不满意 or worse (codes of `ratings.REASONS`); `asked` says the visitor has
    # seen the question (and may have skipped it)
    reasons = TextListField(max_length=20)
    asked = BooleanField(false_values=("", "0", "false"))
    skip = BooleanField(false_values=("", "0", "false"))  # sent without a reason

    def validate_reasons(self, field: Field) -> None:
        if any(reason not in REASONS for reason in field.data or []):
            raise ValidationError(_l("Choose the reasons from the list."))


class FollowUpForm(FlaskForm):
    outcome = TextAreaField(
        _l("What the call-back found and did"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=2000)],
    )


REPORT_PERIODS = reports.PERIODS
REPORT_GROUPS = reports.DIMENSIONS


class ReportForm(FlaskForm):
    """What a report covers (a GET form: the address can be bookmarked and shared)."""

    class Meta:
        csrf = False

    period = StringField(
        _l("Period"),
        default="day",
        filters=[lambda v: v or "day"],
        validators=[AnyOf(REPORT_PERIODS, message=_l("Choose from the list."))],
    )
    day = IsoDateField(_l("Day (or first day)"))
    until = IsoDateField(_l("Last day of the range"))
    group = StringField(
        _l("Group by"),
        default="service",
        filters=[lambda v: v or "service"],
        validators=[AnyOf(REPORT_GROUPS, message=_l("Choose from the list."))],
    )
    service = IdField(_l("Service"))

    def validate_until(self, field: Field) -> None:
        if self.period.data != "range":
            return
        if field.data is None:
            raise ValidationError(_l("Give the last day of the range."))
        if self.day.data and field.data < self.day.data:
            raise ValidationError(_l("The end of the range is before its start."))
        if self.day.data and (field.data - self.day.data).days >= 3 * 366:
            raise ValidationError(_l("A range spans three years at most."))


class AnnualForm(FlaskForm):
    """The year of the Art. 41 statistics."""

    class Meta:
        csrf = False

    year = WholeNumberField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
