"""The desk console's forms: a move on a ticket, the desk's state, video reception."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
)

from reception.web.forms.fields import NOTE_MAX, OUTCOME_MAX, IdField, strip_text


class VideoStartForm(FlaskForm):
    """The video desk rings a remote unit about the visitor at the desk."""

    desk_id = IdField(validators=[InputRequired()])
    ticket_id = IdField(validators=[InputRequired()])
    unit_id = IdField(_l("Department or county"), validators=[InputRequired()])


class VideoOutcomeForm(FlaskForm):
    """What the remote unit decided or told the visitor, for the case."""

    outcome = TextAreaField(
        _l("Outcome"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Write the outcome before saving it.")),
            Length(max=OUTCOME_MAX),
        ],
    )


class DeskActionForm(FlaskForm):
    """Every move of the desk console; which fields a move needs is the engine's rule."""

    outcome = TextAreaField(_l("Outcome"), validators=[Length(max=OUTCOME_MAX)])
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX)])
    service_id = IdField(_l("Service"))
    to_desk_id = IdField(_l("Desk"))


class DeskStateForm(FlaskForm):
    """Pause (with a reason), resume, close (releasing visitors sent by name) or reopen."""

    reason = StringField(_l("Reason"), filters=[strip_text], validators=[Length(max=40)])
    other = StringField(_l("Other reason"), filters=[strip_text], validators=[Length(max=40)])
    release = BooleanField(false_values=("", "0", "false"))

    def pause_reason(self) -> str:
        return (self.other.data if self.reason.data == "other" else self.reason.data) or ""
