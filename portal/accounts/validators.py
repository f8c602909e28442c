"""Validators for Vietnamese identity numbers and passwords."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

#: Django 5.2 reworded this message of MinimumLengthValidator and its own Vietnamese catalogue
#: still has the old wording; naming it here puts the translation in our catalogue.
DJANGO_MIN_LENGTH_MESSAGE = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    8,
)

#: Province codes used in the first three digits of a 12-digit citizen ID (Circular 59/2021/TT-BCA).
CCCD_PROVINCE_CODES = frozenset(
    {
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    }
)

PHONE_RE = re.compile(r"^(?:\+84|84|0)(3|5|7|8|9)\d{8}$")


def validate_citizen_id(value: str) -> None:
    """A CCCD: 12 digits = province of birth (3) + century/sex (1) + year of birth (2) + 6 digits."""
    if not re.fullmatch(r"\d{12}", value or ""):
        raise ValidationError(_("The citizen ID (CCCD) must be exactly 12 digits."), code="format")
    if value[:3] not in CCCD_PROVINCE_CODES:
        raise ValidationError(
            _("The first three digits of the citizen ID are not a valid province code."),
            code="province",
        )


def tax_code_checksum_ok(first10: str) -> bool:
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    total = sum(int(d) * w for d, w in zip(first10[:9], weights, strict=True))
    check = 10 - (total % 11)
    return check != 10 and check == int(first10[9])


def validate_tax_code(value: str) -> None:
    """An enterprise tax code (mã số thuế): 10 digits with a check digit, or 10-3 for a branch."""
    m = re.fullmatch(r"(\d{10})(?:-(\d{3}))?", value or "")
    if not m:
        raise ValidationError(
            _("The tax code must be 10 digits, or 10 digits, a dash and 3 digits for a branch."),
            code="format",
        )
    if not tax_code_checksum_ok(m.group(1)):
        raise ValidationError(
            _("The tax code's check digit is wrong: please check the number."), code="checksum"
        )


def normalize_phone(value: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if not PHONE_RE.fullmatch(digits):
        raise ValidationError(
            _("Enter a valid Vietnamese mobile number, e.g. 0912345678."), code="phone"
        )
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84"):
        digits = "0" + digits[2:]
    return digits


class LetterAndDigitValidator:
    """Passwords need at least one letter and one digit."""

    def validate(self, password: str, user=None) -> None:
        if not (re.search(r"[^\W\d_]", password) and re.search(r"\d", password)):
            raise ValidationError(
                _("The password must contain both letters and digits."),
                code="password_letters_digits",
            )

    def get_help_text(self) -> str:
        return _("Your password must contain both letters and digits.")
