"""The sentence dating whole-period program figures, and reading it back."""

from __future__ import annotations

from datetime import date

import pytest

from etl.release_note import note, period_text, through


@pytest.mark.parametrize(
    ("day", "quarter_end", "words"),
    [
        (date(2016, 12, 31), date(2016, 12, 31), "end of 2016-Q4 (December 2016)"),
        (date(2014, 7, 31), date(2014, 9, 30), "end of 2014-Q3 (September 2014)"),
        (date(2012, 1, 1), date(2012, 3, 31), "end of 2012-Q1 (March 2012)"),
    ],
)
def test_the_note_names_a_quarter_and_reads_back_as_its_last_day(
    day: date, quarter_end: date, words: str
) -> None:
    text = note(day, 11)
    assert words in text
    assert "fewer than 11 people" in text
    assert day.isoformat() not in text  # never an exact day: it could be someone's date
    assert through(f"Some caveat. {text} Another.") == quarter_end


def test_footers_say_to_when_the_caveats_date_the_release() -> None:
    dated = note(date(2016, 6, 30), 11)
    assert period_text("all referrals to date", dated) == "all referrals to the end of June 2016"
    assert period_text("all quarters to date", dated) == "all quarters to the end of June 2016"
    assert period_text("2012-Q1 to 2016-Q2", dated) == "2012-Q1 to 2016-Q2"
    assert period_text("all referrals to date", "No dated note.") == "all referrals to date"
    assert through(None) is None
