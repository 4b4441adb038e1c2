"""Dates typed in a form the French way: « 05/12/2026 », « 5/12/2026 », « 05-12-2026 »; shown back as
« jj/mm/aaaa »; anything else a French message saying what is expected."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotage_qualite.common.formats import DATE_HINT, input_date_text, parse_input_date


@pytest.mark.parametrize(("typed", "day"), [
    ("05/12/2026", dt.date(2026, 12, 5)), ("5/12/2026", dt.date(2026, 12, 5)), ("05-12-2026", dt.date(2026, 12, 5)),
    ("5.1.2026", dt.date(2026, 1, 5)), (" 29/02/2028 ", dt.date(2028, 2, 29)), ("31 / 10 / 2026", dt.date(2026, 10, 31)),
    ("", None), ("   ", None), (None, None)])
def test_what_a_quality_lead_types_is_read(typed: str | None, day: dt.date | None):
    assert parse_input_date(typed) == day


@pytest.mark.parametrize("typed", [
    "31/02/2026",  # no such day
    "12/31/2026",  # month first, the English way
    "2026-12-05",  # year first
    "5/12/26",  # a two-digit year
    "05/12",  # no year
    "05/12-2026",  # two separators
    "5 décembre 2026", "demain", "0/12/2026", "05/00/2026", "١٢/١٢/٢٠٢٦"])
def test_anything_else_is_a_french_message_saying_what_is_expected(typed: str):
    with pytest.raises(ValueError) as raised:
        parse_input_date(typed)
    assert str(raised.value) == f"Date non reconnue : « {typed.strip()} » (attendu jj/mm/aaaa)."
    assert DATE_HINT == "jj/mm/aaaa"


def test_a_date_is_shown_as_it_would_be_typed():
    assert (input_date_text(dt.date(2026, 12, 5)), input_date_text(dt.date(5, 1, 2)), input_date_text(None)) == \
        ("05/12/2026", "02/01/0005", "")


@given(st.dates())
def test_shown_then_typed_back_gives_the_same_day(day: dt.date):
    assert parse_input_date(input_date_text(day)) == day


@given(st.dates(), st.sampled_from(["/", "-", "."]), st.booleans())
def test_any_separator_and_unpadded_day_and_month_give_the_same_day(day: dt.date, separator: str, padded: bool):
    text = (f"{day.day:02d}{separator}{day.month:02d}" if padded else f"{day.day}{separator}{day.month}") + \
        f"{separator}{day.year:04d}"
    assert parse_input_date(text) == day
