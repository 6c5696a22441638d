"""What visitors fill in: the kiosk, a booking, a rating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
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
    ValidationError,
)

from reception.oversight.ratings import REASONS
from reception.web.forms.fields import (
    ID_MAX,
    NAME_MAX,
    PHONE_MAX,
    IdField,
    IsoDateField,
    TextListField,
    WholeNumberField,
    _or_empty,
    strip_text,
)


class KioskIssueForm(FlaskForm):
    service_id = IdField(validators=[InputRequired(_l("Choose a service."))])


class KioskUnitForm(KioskIssueForm):
    """The kiosk's second step for video reception: the department or county to speak to."""

    remote_unit_id = IdField()


class CheckInForm(FlaskForm):
    code = StringField(
        _l("Booking code"), filters=[strip_text], validators=[DataRequired(), Length(max=20)]
    )


class CardCheckInForm(FlaskForm):
    """The kiosk's check-in by ID card: the number the card reader read (never logged)."""

    id_number = StringField(filters=[strip_text], validators=[DataRequired(), Length(max=ID_MAX)])


class BookingForm(FlaskForm):
    starts_at = StringField(validators=[InputRequired(_l("Choose a time.")), Length(max=40)])
    name = StringField(
        _l("Name"), filters=[strip_text], validators=[DataRequired(), Length(max=NAME_MAX)]
    )
    phone = StringField(
        _l("Mobile phone"), filters=[strip_text], validators=[DataRequired(), Length(max=PHONE_MAX)]
    )
    id_number = StringField(
        _l("ID number (optional)"), filters=[strip_text], validators=[Length(max=ID_MAX)]
    )
    description = TextAreaField(_l("Your matter in a few words"), validators=[Length(max=500)])
    day = StringField(validators=[Optional(), Length(max=10)])
    remote_unit_id = IdField(_l("Department or county to speak to"))
    notify_turn = BooleanField(
        _l("Text me when my turn is near on the day"), false_values=("", "0", "false")
    )


class ManageBookingForm(FlaskForm):
    code = StringField(
        _l("Booking code"), filters=[strip_text], validators=[DataRequired(), Length(max=20)]
    )
    phone = StringField(
        _l("Mobile phone"), filters=[strip_text], validators=[DataRequired(), Length(max=PHONE_MAX)]
    )
    action = StringField(filters=[_or_empty], validators=[AnyOf(("", "cancel", "move"))])
    starts_at = StringField(validators=[Length(max=40)])
    day = IsoDateField()


class RatingForm(FlaskForm):
    level = WholeNumberField(
        _l("Rating"),
        validators=[InputRequired(_l("Choose one of the five levels.")), NumberRange(1, 5)],
    )
    comment = TextAreaField(
        _l("Comment (optional)"), filters=[strip_text], validators=[Length(max=500)]
    )
    # why a rating of 不满意 or worse (codes of `ratings.REASONS`); `asked` says the visitor has
    # seen the question (and may have skipped it)
    reasons = TextListField(max_length=20)
    asked = BooleanField(false_values=("", "0", "false"))
    skip = BooleanField(false_values=("", "0", "false"))  # sent without a reason

    def validate_reasons(self, field: Field) -> None:
        if any(reason not in REASONS for reason in field.data or []):
            raise ValidationError(_l("Choose the reasons from the list."))
