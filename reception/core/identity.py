"""Resident identity card numbers (GB 11643-1999), mobile numbers, and masking for display."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from reception.core.errors import InvalidInput
from reception.core.messages import N_

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CODES = "10X98765432"
ID_18 = re.compile(r"^[1-9]\d{16}[\dX]$")
ID_15 = re.compile(r"^[1-9]\d{14}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class IdentityCard:
    number: str
    birth_date: date
    sex: str  # "M" or "F"
    converted_from_15: bool = False


def check_digit(first17: str) -> str:
    return CHECK_CODES[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _birth_date(text: str) -> date:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise InvalidInput(N_("The birth date in this ID number does not exist.")) from exc


def parse_id_number(raw: str, *, today: date) -> IdentityCard:
    """Validate an ID number; a 15-digit old-form number is converted to its 18-digit form."""
    number = (raw or "").strip().upper().replace(" ", "")
    converted = False
    if ID_15.match(number):
        # old form (before 1999): 6-digit region, YYMMDD born 19YY, 3-digit sequence, no check
        first17 = number[:6] + "19" + number[6:]
        number = first17 + check_digit(first17)
        converted = True
    elif not ID_18.match(number):
        raise InvalidInput(N_("An ID number has 18 characters: 17 digits and a digit or X."))
    elif check_digit(number[:17]) != number[17]:
        raise InvalidInput(N_("The ID number's check digit is wrong: please check the number."))
    born = _birth_date(number[6:14])
    if born > today or born.year < 1900:
        raise InvalidInput(N_("The birth date in this ID number does not exist."))
    sex = "M" if int(number[16]) % 2 else "F"
    return IdentityCard(number=number, birth_date=born, sex=sex, converted_from_15=converted)


def normalise_mobile(raw: str) -> str:
    number = re.sub(r"[\s-]", "", raw or "")
    if number.startswith("+86"):
        number = number[3:]
    if not MOBILE.match(number):
        raise InvalidInput(N_("A mobile number has 11 digits and starts with 13–19."))
    return number


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def mask_id(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "****"


def mask_phone(number: str) -> str:
    return number[:3] + "****" + number[-4:] if len(number) >= 8 else "****"


def mask_name(name: str) -> str:
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
