"""The online door's forms: the matter sent from a phone, the look-up by 查询码, the
petitioner's answers on their page, and the registrar's routing of what came online."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, Field, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Regexp, ValidationError

from reception.core import identity
from reception.core.errors import InvalidInput
from reception.online.follow import LEVELS
from reception.web.forms.cases import purpose_field
from reception.web.forms.fields import (
    ADDRESS_MAX,
    ID_MAX,
    NAME_MAX,
    NOTE_MAX,
    PHONE_MAX,
    IdField,
    WholeNumberField,
    strip_text,
)


def _checked_by(parse):
    """A validator from a domain check: its refusal, in the reader's language, by the field."""

    def check(form: FlaskForm, field: Field) -> None:
        if not field.data:
            return
        try:
            parse(field.data)
        except InvalidInput as refusal:
            raise ValidationError(gettext(refusal.message, **refusal.params)) from refusal

    return check


def _id_number(value: str) -> object:
    return identity.parse_id_number(value, today=date.today())


REQUEST_MAX = 2000
FACTS_MAX = 5000
TICK = ("", "0", "false")


class PhoneCodeForm(FlaskForm):
    """Ask for the code that confirms the mobile number."""

    phone = StringField(
        _l("Mobile phone"),
        filters=[strip_text],
        validators=[
            DataRequired(),
            Length(max=PHONE_MAX),
            _checked_by(identity.normalise_mobile),
        ],
    )


class OnlinePetitionForm(PhoneCodeForm):
    name = StringField(
        _l("Name"), filters=[strip_text], validators=[DataRequired(), Length(max=NAME_MAX)]
    )
    id_number = StringField(
        _l("ID number"),
        filters=[strip_text],
        validators=[DataRequired(), Length(max=ID_MAX), _checked_by(_id_number)],
    )
    code = StringField(
        _l("Code from the text"),
        filters=[strip_text],
        validators=[
            DataRequired(),
            Regexp(r"^[0-9]{6}$", message=_l("The code has six digits.")),
        ],
    )
    request = TextAreaField(
        _l("What you ask for"),
        filters=[strip_text],
        validators=[DataRequired(), Length(max=REQUEST_MAX)],
    )
    facts = TextAreaField(
        _l("Facts and reasons"),
        filters=[strip_text],
        validators=[DataRequired(), Length(max=FACTS_MAX)],
    )
    category = StringField(_l("Category"), validators=[DataRequired(), Length(max=40)])
    purpose = purpose_field()
    department_id = IdField(_l("Department it concerns"))
    accusation = BooleanField(
        _l("It accuses this department or its staff (检举控告)"), false_values=TICK
    )
    place = StringField(
        _l("Where it happened"), filters=[strip_text], validators=[Length(max=ADDRESS_MAX)]
    )
    group_size = WholeNumberField(
        _l("How many people ask together"), default=1, validators=[NumberRange(1, 500)]
    )
    representatives = TextAreaField(
        _l("Representatives (one name a line, at most 5)"),
        filters=[strip_text],
        validators=[Length(max=5 * (NAME_MAX + 1))],
    )
    files = MultipleFileField(_l("Photos or PDF (at most 5, 10 MB each)"))


class QueryForm(FlaskForm):
    """The petitioner's look-up: the 查询码 and the phone number (POSTed, never in a URL)."""

    query_code = StringField(
        _l("Query code"), filters=[strip_text], validators=[DataRequired(), Length(max=40)]
    )
    phone = StringField(
        _l("Mobile phone"),
        filters=[strip_text],
        validators=[DataRequired(), Length(max=PHONE_MAX)],
    )


def _level(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(message=_l("Choose 满意, 基本满意 or 不满意.")),
            AnyOf(tuple(LEVELS), message=_l("Choose 满意, 基本满意 or 不满意.")),
        ],
    )


class ReplyRatingForm(FlaskForm):
    """满意 / 基本满意 / 不满意, for the unit that handled the matter and the petition office."""

    unit = _level(_l("The unit that handled it"))
    office = _level(_l("The petition office"))


class PetitionerRequestForm(FlaskForm):
    """Ask for review (复查) or re-examination (复核), with the reasons."""

    reason = TextAreaField(
        _l("Why you disagree"), filters=[strip_text], validators=[Length(max=NOTE_MAX)]
    )


class MaterialAnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Your answer"), filters=[strip_text], validators=[Length(max=REQUEST_MAX)]
    )
    files = MultipleFileField(_l("Photos or PDF (at most 5, 10 MB each)"))


class OnlineRoutingForm(FlaskForm):
    """The registrar registers a matter that came online: category, purpose, the department in
    charge, the accusation rule, the urgent flag."""

    category = StringField(_l("Category"), validators=[DataRequired(), Length(max=40)])
    purpose = purpose_field()
    department_id = IdField(_l("Department in charge"))
    urgent = BooleanField(_l("Urgent (same-day fast track)"), false_values=TICK)
    accusation = BooleanField(_l("Accusation (检举控告)"), false_values=TICK)
    accused_id = IdField(_l("Department accused"))


class MaterialRequestForm(FlaskForm):
    text = TextAreaField(
        _l("What material is missing"),
        filters=[strip_text],
        validators=[DataRequired(), Length(max=1000)],
    )
