"""Registration and the matters: the registrar's form, the look-up, the case's steps and list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from reception.models import CaseStatus, HandoverKind
from reception.triage.registration import PURPOSES, VULNERABLE_REASONS
from reception.web.forms.fields import (
    ACCOUNT_MAX,
    ADDRESS_MAX,
    ID_MAX,
    NAME_MAX,
    NOTE_MAX,
    PHONE_MAX,
    TEXT_MAX,
    IdField,
    IdListField,
    IsoDateField,
    TextListField,
    WholeNumberField,
    _or_empty,
    strip_text,
)

VULNERABLE = VULNERABLE_REASONS


class LookupForm(FlaskForm):
    """The registrar's look-up by ID number (POSTed: ID numbers never travel in a URL)."""

    id_number = StringField(_l("ID number"), filters=[strip_text], validators=[Length(max=ID_MAX)])
    no_id_card = BooleanField(false_values=("", "0", "false"))
    # read from the card by the counter's reader (the form is filled with them; never logged)
    card_name = StringField(filters=[strip_text], validators=[Length(max=NAME_MAX)])
    card_address = StringField(filters=[strip_text], validators=[Length(max=ADDRESS_MAX)])


def purpose_field() -> StringField:
    """信访目的, one of the petition system's (求决 when left empty)."""
    return StringField(
        _l("Purpose (信访目的)"),
        default="求决",
        filters=[lambda v: v or "求决"],
        validators=[AnyOf(PURPOSES, message=_l("Choose from the list."))],
    )


class RegistrationForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[strip_text], validators=[DataRequired(), Length(max=NAME_MAX)]
    )
    id_number = StringField(_l("ID number"), filters=[strip_text], validators=[Length(max=ID_MAX)])
    no_id_card = BooleanField(false_values=("", "0", "false"))
    phone = StringField(
        _l("Mobile phone"), filters=[strip_text], validators=[Length(max=PHONE_MAX)]
    )
    address = StringField(_l("Address"), filters=[strip_text], validators=[Length(max=ADDRESS_MAX)])
    sms_consent = BooleanField(
        _l("The visitor agrees to texts on this number (turn near, accepted, opinion given)"),
        false_values=("", "0", "false"),
    )
    account = TextAreaField(
        _l("The visitor's account (typed by staff)"),
        validators=[DataRequired(), Length(max=ACCOUNT_MAX)],
    )
    facts = TextAreaField(_l("Facts and reasons"), validators=[Length(max=TEXT_MAX)])
    request = TextAreaField(_l("What the visitor asks for"), validators=[Length(max=TEXT_MAX)])
    category = StringField(_l("Category"), validators=[Length(max=40)])
    department_id = IdField(_l("Department in charge"))
    purpose = purpose_field()
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
        filters=[strip_text, lambda value: value.upper() if isinstance(value, str) else value],
        validators=[Length(max=12)],
    )
    remote_unit_id = IdField(_l("Unit for video reception"))
    action = HiddenField(default="suggest")


HANDOVER_KINDS = tuple(kind.value for kind in HandoverKind)


class CaseActionForm(FlaskForm):
    """A decision or step on a case; which fields a step needs is the case rules'."""

    note = TextAreaField(
        _l("Reason or reply"), filters=[strip_text], validators=[Length(max=NOTE_MAX)]
    )
    days = WholeNumberField(
        _l("Days"),
        validators=[
            Optional(),
            NumberRange(1, 30, message=_l("An extension is 1 to 30 days (Art. 34).")),
        ],
    )
    approver = StringField(_l("Approved by"), filters=[strip_text], validators=[Length(max=64)])
    reason = StringField(_l("Reason"), filters=[strip_text], validators=[Length(max=1000)])
    leader_id = IdField(_l("Leader"))
    # a decision taken on an earlier day, recorded now with its real date and why late
    decided_on = IsoDateField(_l("Decided on"))
    late_reason = StringField(
        _l("Why it is recorded late"), filters=[strip_text], validators=[Length(max=200)]
    )
    # handing the matter down to another hall's department (交办/转送), and the city's
    # supervision (督办): the reason or note is `note`
    to_department_id = IdField(_l("Department to handle it"))
    handover_kind = StringField(
        _l("Assigned or forwarded"),
        filters=[strip_text],
        validators=[Optional(), AnyOf(HANDOVER_KINDS)],
    )
    due_on = IsoDateField(_l("Report by"))


CASE_STATES = tuple(state.value for state in CaseStatus)


class CaseFilterForm(FlaskForm):
    """The case list's filters (a GET form: nothing personal is filtered by here)."""

    class Meta:
        csrf = False

    state = StringField(
        _l("State"), filters=[strip_text], validators=[Optional(), AnyOf(CASE_STATES)]
    )
    department = IdField(_l("Department in charge"))
    category = StringField(_l("Category"), filters=[strip_text], validators=[Length(max=40)])
    since = IsoDateField(_l("Registered from"))
    until = IsoDateField(_l("Registered until"))
    number = StringField(
        _l("Case number"),
        filters=[strip_text],
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
