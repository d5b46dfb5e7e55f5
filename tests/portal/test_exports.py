"""Every CSV goes through portal.exports: no cell runs as a formula."""

from __future__ import annotations

import pytest

from portal.exports import cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_is_shown_as_text(start):
    assert cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


def test_plain_words_and_numbers_are_written_as_they_are():
    assert cell("Leaving care: housing") == "Leaving care: housing"
    assert cell(-3) == -3
    assert cell("") == ""
