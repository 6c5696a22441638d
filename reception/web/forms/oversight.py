"""The supervisor's and the leader's forms: a follow-up call, the reports."""

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
    Length,
    NumberRange,
    ValidationError,
)

from reception.oversight import reports
from reception.web.forms.fields import (
    IdField,
    IdListField,
    IsoDateField,
    WholeNumberField,
    strip_text,
)


class FollowUpForm(FlaskForm):
    outcome = TextAreaField(
        _l("What the call-back found and did"),
        filters=[strip_text],
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
    # the city's accounts: a report over several halls (`hall`, repeated) or the whole city
    hall = IdListField(_l("Halls"))
    city = BooleanField(_l("The whole city"), false_values=("", "0", "false"))

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
    hall = IdListField(_l("Halls"))
    city = BooleanField(_l("The whole city"), false_values=("", "0", "false"))


class ExportForm(ReportForm):
    """A report's period and service, and what the national systems' records carry."""

    fmt = StringField(
        _l("Format"),
        default="xlsx",
        filters=[lambda v: v or "xlsx"],
        validators=[AnyOf(("json", "csv", "xlsx"), message=_l("Choose from the list."))],
    )
    reversed_codes = BooleanField(
        _l("满意度代码 the provincial way (5 = 非常满意)"), false_values=("", "0", "false")
    )
    identity = BooleanField(
        _l("With the petitioners' names and ID numbers"), false_values=("", "0", "false")
    )
