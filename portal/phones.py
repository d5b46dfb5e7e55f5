"""UK mobile numbers: the one rule for checking a number and the form it is stored in. Pure."""

from __future__ import annotations

import phonenumbers

MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalise_uk_mobile(raw: str) -> str:
    """A UK mobile number as people type it ("07700 900123", "+44 7700-900123") in the
    form a text needs ("+447700900123"); ValueError if it is not a UK mobile number.

    A landline or an unknown number is refused rather than stored: a text to it is
    an alert nobody reads.
    """
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    # +44 also serves the Channel Islands and the Isle of Man, whose mobiles take texts
    # from UK services as any other (phonenumbers gives them regions of their own).
    if number.country_code != 44 or not phonenumbers.is_valid_number(number):
        raise ValueError("not a UK phone number")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValueError("not a mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
