"""The extraction day a register's title rows announce (« Exporté le 05/01/2026 »)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotage_qualite.intake.extraction_date import extraction_date


@pytest.mark.parametrize(("title", "expected"), [
    ("Exporté le 05/01/2026", date(2026, 1, 5)),
    ("Registre des réclamations — export du 03/11/2026", date(2026, 11, 3)),
    ("Extraction du 5 janvier 2026 à 10h12", date(2026, 1, 5)),
    ("Édité le 2026-01-05", date(2026, 1, 5)),
    ("Mis à jour le 03/11/2026", date(2026, 11, 3)),
    ("Données au 31/10/2026", date(2026, 10, 31)),
    ("ETAT AU 1er mars 2026", date(2026, 3, 1)),
])
def test_announced_days_are_read(title, expected):
    assert extraction_date(["Association Médiation", title]) == expected


@pytest.mark.parametrize("title", [
    "Registre des réclamations 2026",  # no announcing word
    "Suivi du 12/03/2025",  # a date, but not said to be an extraction
    "Exporté le 31/02/2026",  # announced, but not a day
])
def test_titles_that_do_not_announce_a_day(title):
    assert extraction_date([title]) is None


def test_cells_that_are_not_text_are_skipped():
    assert extraction_date([None, 12, date(2026, 1, 1), "Exporté le 02/01/2026"]) == date(2026, 1, 2)


@given(st.lists(st.one_of(st.none(), st.text(max_size=60), st.integers())))
def test_any_title_cells_give_a_day_or_none(cells):
    found = extraction_date(cells)
    assert found is None or isinstance(found, date)
