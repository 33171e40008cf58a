"""The Finnish personal identity code (henkilötunnus): DDMMYY, a century sign, a three-digit
individual number and a check character.

Since 2023 (Valtioneuvoston asetus 128/2010 as amended, in force 1.1.2023) the century signs
are ``+`` for the 1800s; ``-``, ``Y``, ``X``, ``W``, ``V``, ``U`` for the 1900s; and ``A``,
``B``, ``C``, ``D``, ``E``, ``F`` for the 2000s. The check character is the remainder of the
nine digits (DDMMYY + individual number) divided by 31, looked up in ``CHECK_CHARACTERS``.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_BY_SIGN = {
    "+": 1800,
    **dict.fromkeys("-YXWVU", 1900),
    **dict.fromkeys("ABCDEF", 2000),
}
_PATTERN = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$")


def check_character(digits: str) -> str:
    return CHECK_CHARACTERS[int(digits) % 31]


def birth_date(code: str) -> date:
    """The date of birth a valid code stands for."""
    day, month, year, sign = int(code[0:2]), int(code[2:4]), int(code[4:6]), code[6]
    return date(CENTURY_BY_SIGN[sign] + year, month, day)


def validate_identity_code(value: str) -> None:
    match = _PATTERN.match(value)
    if not match:
        raise ValidationError(_("Enter an identity code of the form DDMMYYCZZZQ, e.g. 131052-308T."), code="format")
    dd, mm, yy, _sign, individual, check = match.groups()
    try:
        birth_date(value)
    except ValueError:
        raise ValidationError(_("The identity code does not contain a valid date."), code="date") from None
    if int(individual) < 2:
        raise ValidationError(_("The individual number of the identity code is not valid."), code="individual")
    if check_character(dd + mm + yy + individual) != check:
        raise ValidationError(_("The check character of the identity code is wrong."), code="check")


def make_identity_code(born: date, individual: int, sign: str | None = None) -> str:
    """Builds a valid code; used by the seed and the tests."""
    if sign is None:
        sign = {1800: "+", 1900: "-", 2000: "A"}[born.year // 100 * 100]
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    return f"{digits[:6]}{sign}{digits[6:]}{check_character(digits)}"


def mask(code: str) -> str:
    """Hides the individual part in lists: the date part alone does not identify anyone."""
    return f"{code[:7]}****" if code else ""
