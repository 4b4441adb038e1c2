"""Numbers typed in a form the French way: « 80 », « 80,5 », « 1 200 », « 85 % »; shown back the same way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotage_qualite.common.formats import input_text, parse_input_number


@pytest.mark.parametrize(("typed", "value"), [
    ("80", 80.0), ("80,5", 80.5), ("80.5", 80.5), (" 1 200 ", 1200.0), ("1\u202f200,25", 1200.25),
    ("85 %", 85.0), ("-3", -3.0), ("", None), ("   ", None)])
def test_what_a_quality_lead_types_is_read(typed: str, value: float | None):
    assert parse_input_number(typed, "Cible") == value


@pytest.mark.parametrize("typed", ["quatre-vingts", "80,5,1", "nan", "inf", "8O"])
def test_anything_else_is_a_french_message_naming_the_field(typed: str):
    with pytest.raises(ValueError, match=r"^Cible : « .+ » n'est pas un nombre"):
        parse_input_number(typed, "Cible")


def test_a_value_is_shown_as_it_would_be_typed():
    assert (input_text(80.0), input_text(80.5), input_text(1200.25), input_text(None)) == ("80", "80,5", "1200,25", "")


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_shown_then_typed_back_gives_the_value_to_three_decimals(value: float):
    assert parse_input_number(input_text(value), "Cible") == pytest.approx(round(value, 3), abs=1e-9)
