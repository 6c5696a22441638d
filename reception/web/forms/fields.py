"""The field types, limits and helpers the hall's forms share."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from reception.core.clock import zone
from reception.core.errors import InvalidInput
from reception.web.edge.guard import parse_id

NAME_MAX, PHONE_MAX, ID_MAX, ADDRESS_MAX = 40, 16, 18, 200
ACCOUNT_MAX, TEXT_MAX, OUTCOME_MAX, NOTE_MAX = 5000, 2000, 2000, 1000
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


def strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class PostForm(FlaskForm):
    """A button that changes something and carries nothing but its CSRF token (log out)."""


def username_field() -> StringField:
    return StringField(
        _l("Username"),
        filters=[strip_text],
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
