"""UK phone numbers: the one rule for checking a number and the form it is stored in,
from phonenumbers' metadata (Google's libphonenumber, kept up to date with Ofcom's
allocations). Pure.

A number to text must be a UK mobile; a number to ring, a UK mobile or landline. Both are
stored in the form a text needs ("+447123456789"). The API's schema describes them with
the patterns below, a little narrower than what a person may type (no spaces, no
brackets), so anything the schema allows the rule takes.
"""

from __future__ import annotations

import phonenumbers

MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
CALL_TYPES = MOBILE_TYPES | {phonenumbers.PhoneNumberType.FIXED_LINE}


def _national(kind: str) -> str:
    """The pattern of GB national numbers of one kind ("mobile", "fixed_line")."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("GB")
    description = getattr(metadata, kind, None)
    pattern = getattr(description, "national_number_pattern", None)
    if not pattern:
        raise RuntimeError(f"phonenumbers has no GB {kind} pattern")
    return str(pattern)


def _written(*national: str) -> str:
    return rf"^(?:\+44|0)(?:{'|'.join(national)})$"


# As the API's schema gives them: +44 or 0, then a GB number of the kind, digits only.
MOBILE_PATTERN = _written(_national("mobile"))
PHONE_PATTERN = _written(_national("mobile"), _national("fixed_line"))


def _uk_number(raw: str, types: set[int]) -> str:
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    # +44 also serves the Channel Islands and the Isle of Man, whose mobiles take texts
    # from UK services as any other (phonenumbers gives them regions of their own).
    if number.country_code != 44 or not phonenumbers.is_valid_number(number):
        raise ValueError("not a UK phone number")
    if phonenumbers.number_type(number) not in types:
        raise ValueError("not a number of that kind")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_uk_phone(raw: str) -> str:
    """A UK mobile or landline number, to ring, as normalise_uk_mobile stores it."""
    return _uk_number(raw, CALL_TYPES)


def normalise_uk_mobile(raw: str) -> str:
    """A UK mobile number as people type it ("07400 123456", "+44 7400-123456") in the
    form a text needs ("+447400123456"); ValueError if it is not a UK mobile number.

    A landline or an unknown number is refused rather than stored: a text to it is
    an alert nobody reads.
    """
    return _uk_number(raw, MOBILE_TYPES)
