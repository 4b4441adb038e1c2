"""Periods: months, quarters, years; bounds, labels, navigation, parsing."""

from __future__ import annotations

from datetime import date

import pytest

from pilotage_qualite.model.periods import (
    Period,
    PeriodError,
    parse_period,
    period_containing,
    periods_between,
    periods_ending,
)


def test_month_bounds_and_labels():
    p = parse_period("2025-06")
    assert (p.grain, p.debut, p.fin) == ("mois", date(2025, 6, 1), date(2025, 7, 1))
    assert p.label == "2025-06" and p.label_fr == "juin 2025" and p.short_label_fr == "juin 2025"
    assert p.debut_fenetre == date(2024, 7, 1)  # W = [fin − 12 months, fin)
    assert str(p) == "2025-06"


def test_december_and_quarter_and_year():
    dec = parse_period("2024-12")
    assert dec.fin == date(2025, 1, 1) and dec.label_fr == "décembre 2024"
    q = parse_period("2025-T2")
    assert (q.grain, q.debut, q.fin) == ("trimestre", date(2025, 4, 1), date(2025, 7, 1))
    assert q.label == "2025-T2" and q.label_fr == "2e trimestre 2025" and q.short_label_fr == "T2 2025"
    assert parse_period("2025-t1").label_fr == "1er trimestre 2025"
    assert parse_period("2025-T4").fin == date(2026, 1, 1)
    y = parse_period("2025")
    assert (y.grain, y.debut, y.fin, y.label, y.label_fr) == ("annee", date(2025, 1, 1), date(2026, 1, 1), "2025", "2025")
    assert y.debut_fenetre == date(2025, 1, 1)


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "2025-T5", "25-06", "juin 2025", "", "2025/06", "2025-Q2"])
def test_bad_labels_give_a_french_error(text):
    with pytest.raises(PeriodError, match="Période « .* » non reconnue : formats attendus 2025-06"):
        parse_period(text)


def test_parse_is_lenient_on_spaces_and_accepts_periods():
    p = parse_period(" 2025-06 ")
    assert p == parse_period("2025-6") == Period("mois", date(2025, 6, 1))
    assert parse_period(p) is p


def test_invalid_construction():
    with pytest.raises(PeriodError):
        Period("semaine", date(2025, 6, 1))
    with pytest.raises(PeriodError):
        Period("trimestre", date(2025, 5, 1))
    with pytest.raises(PeriodError):
        Period("mois", date(2025, 5, 2))


def test_previous_and_year_before():
    assert parse_period("2025-01").previous().label == "2024-12"
    assert parse_period("2025-T1").previous().label == "2024-T4"
    assert parse_period("2025").previous().label == "2024"
    assert parse_period("2025-06").year_before().label == "2024-06"
    assert parse_period("2025-T2").year_before().label == "2024-T2"
    assert parse_period("2025").year_before().label == "2024"
    assert parse_period("2025-11").next().label == "2025-12"
    assert parse_period("2025-11").shift(3).label == "2026-02"


def test_periods_ending_and_between():
    labels = [p.label for p in periods_ending("2025-02", 4)]
    assert labels == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert [p.label for p in periods_ending(parse_period("2025-T1"), 3)] == ["2024-T3", "2024-T4", "2025-T1"]
    assert len(periods_ending("2025-06", 36)) == 36 and periods_ending("2025-06", 36)[0].label == "2022-07"
    assert [p.label for p in periods_between("2024-11", "2025-01")] == ["2024-11", "2024-12", "2025-01"]
    with pytest.raises(PeriodError):
        periods_ending("2025-06", 0)
    with pytest.raises(PeriodError):
        periods_between("2025-06", "2025")


def test_period_containing_a_date():
    d = date(2025, 6, 30)
    assert period_containing(d).label == "2025-06"
    assert period_containing(d, "trimestre").label == "2025-T2"
    assert period_containing(d, "annee").label == "2025"
    assert period_containing(date(2025, 7, 1), "trimestre").label == "2025-T3"
    assert parse_period("2025-06").contains(date(2025, 6, 1))
    assert not parse_period("2025-06").contains(date(2025, 7, 1))
    with pytest.raises(PeriodError):
        period_containing(d, "semaine")


def test_ordering_and_hashing():
    a, b = parse_period("2025-05"), parse_period("2025-06")
    assert a < b and sorted([b, a]) == [a, b]
    assert len({a, parse_period("2025-05")}) == 1
    assert parse_period("2025-T2").index == parse_period("2025-T1").index + 1
