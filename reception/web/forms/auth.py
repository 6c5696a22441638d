"""Staff logging in and changing their password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    PasswordField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    ValidationError,
)


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
