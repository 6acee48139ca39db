"""Text that a spreadsheet would run as a formula is made inert in every CSV and workbook."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from etl.spreadsheet import neutralized, safe_for_spreadsheets


def test_formulas_get_an_apostrophe_and_numbers_and_plain_text_do_not() -> None:
    assert neutralized('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert neutralized("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0"
    assert neutralized("@SUM(A1)") == "'@SUM(A1)"
    assert neutralized("-2+3") == "'-2+3"
    assert neutralized("\tx") == "'\tx"
    assert neutralized("-122.33") == "-122.33"
    assert neutralized("+1e5") == "+1e5"
    assert neutralized("Belltown") == "Belltown"
    assert neutralized(-3) == -3


def test_a_frame_keeps_its_numbers_and_neutralizes_its_text() -> None:
    frame = pd.DataFrame({"value": ["=1+1", "ok"], "n": [-1, 2]})
    safe = safe_for_spreadsheets(frame)
    assert safe["value"].tolist() == ["'=1+1", "ok"]
    assert safe["n"].tolist() == [-1, 2]


@given(st.text())
def test_no_text_comes_out_starting_like_a_formula_unless_it_is_a_number(text: str) -> None:
    out = neutralized(text)
    assert isinstance(out, str)
    assert out.endswith(text)
    if out[:1] in ("=", "+", "-", "@", "\t", "\r"):
        float(out)  # only a plain number may still start so
