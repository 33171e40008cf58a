import datetime

import pytest
from django.core.exceptions import ValidationError

from clients.identity_code import birth_date, make_identity_code, mask, validate_identity_code


@pytest.mark.parametrize(
    ("code", "born"),
    [
        ("131052-308T", datetime.date(1952, 10, 13)),  # the Digital and Population Data Services Agency's example
        ("131052Y308T", datetime.date(1952, 10, 13)),  # the 1900s signs in force since 2023
        ("131052X308T", datetime.date(1952, 10, 13)),
        ("131052U308T", datetime.date(1952, 10, 13)),
        ("010594Y9021", datetime.date(1994, 5, 1)),
        ("020502E902X", datetime.date(2002, 5, 2)),
        ("010101A900R", datetime.date(2001, 1, 1)),
        ("010199+9034", datetime.date(1899, 1, 1)),
    ],
)
def test_valid_codes_and_their_birth_dates(code: str, born: datetime.date) -> None:
    validate_identity_code(code)
    assert birth_date(code) == born


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("131052-308U", "check"),
        ("131052Z308T", "format"),  # not a century sign
        ("131052-308", "format"),
        ("131052 308T", "format"),
        ("310252-308T", "date"),  # 31 February
        ("131052-001T", "individual"),
        ("", "format"),
    ],
)
def test_invalid_codes_are_refused_with_the_reason(code: str, error: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_identity_code(code)
    assert caught.value.code == error


def test_made_codes_are_valid_in_every_century() -> None:
    for born in (datetime.date(1890, 7, 1), datetime.date(1975, 12, 31), datetime.date(2024, 2, 29)):
        code = make_identity_code(born, 950)
        validate_identity_code(code)
        assert birth_date(code) == born


def test_mask_hides_the_individual_part() -> None:
    assert mask("131052-308T") == "131052-****"
    assert mask("") == ""
