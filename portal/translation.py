"""Reference data stored in English, shown in the reader's language."""

from django.utils.translation import gettext


def stored_text(text: str) -> str:
    """A name kept in English in the database (a seed's topic, service or theme, whose
    words feedback/seed.py marks for the catalogues) in the reader's language: the
    catalogue's translation where there is one, else the text exactly as stored. Not plain
    gettext: it turns a carriage return into a newline, and a name typed in by hand is data
    (an exported name led by one must keep it, to stay quoted against spreadsheet formulas).
    """
    translated = gettext(text)
    if translated == text.replace("\r\n", "\n").replace("\r", "\n"):
        return text
    return translated
