"""When a window replacement needs a second confirmation (datasets.md « Re-imports »)."""

from __future__ import annotations

from datetime import date

from pilotage_qualite.model.replacement import MonthReplaced, WindowReplacement, main_span


def M(year: int, month: int) -> date:
    return date(year, month, 1)


def test_the_main_span_is_the_shortest_run_holding_90_percent_of_the_rows():
    # 10 of 11 rows in November (90.9 %): November alone.
    assert main_span({M(2024, 11): 1, M(2026, 11): 10}) == (M(2026, 11), M(2026, 11))
    # 6 of 7 in November (85.7 %, short of 90 %): the run must reach back to the stray month.
    assert main_span({M(2024, 11): 1, M(2026, 11): 6}) == (M(2024, 11), M(2026, 11))
    # 9 of 10 exactly is enough (90 %), computed without rounding: 63 of 70 too.
    assert main_span({M(2026, 1): 1, M(2026, 3): 9}) == (M(2026, 3), M(2026, 3))
    assert main_span({M(2026, 1): 7, M(2026, 3): 63}) == (M(2026, 3), M(2026, 3))
    # Jan-Mar and Feb-Apr both hold 94 of 100 rows in 3 months: the later one.
    assert main_span({M(2026, 1): 6, M(2026, 2): 44, M(2026, 3): 44, M(2026, 4): 6}) == (M(2026, 2), M(2026, 4))
    # A month without rows still counts in a run's length: January to March.
    assert main_span({M(2026, 1): 50, M(2026, 3): 50}) == (M(2026, 1), M(2026, 3))
    assert main_span({}) is None


def window(*months: tuple[date, int, int]) -> WindowReplacement:
    return WindowReplacement(tuple(MonthReplaced(m, before, after) for m, before, after in months), ("Lyon 8e",))


def test_a_replacement_of_the_same_months_needs_no_confirmation():
    # October again, corrected: 412 rows replaced by 415.
    replacement = window((M(2026, 10), 412, 415))
    assert (replacement.removed, replacement.brought) == (412, 415)
    assert not replacement.needs_confirmation and replacement.months_to_confirm == []


def test_removing_more_rows_than_the_file_brings_names_the_months_that_lose_rows():
    # 300 rows replaced by 250: September loses 100 → 0, October gains 200 → 250.
    replacement = window((M(2026, 9), 100, 0), (M(2026, 10), 200, 250))
    assert replacement.removes_more_than_brought and replacement.stray_months == []
    assert replacement.needs_confirmation and replacement.months_to_confirm == [M(2026, 9)]


def test_months_replaced_more_than_two_months_before_the_main_span_are_stray():
    # 100 rows in October 2026 and one in June: the main span is October; August is 2 months
    # before it (allowed), June and July are further (stray). 30 rows replaced, 101 brought.
    replacement = window((M(2026, 6), 10, 1), (M(2026, 7), 10, 0), (M(2026, 8), 10, 0), (M(2026, 10), 0, 100))
    assert replacement.main_span == (M(2026, 10), M(2026, 10))
    assert not replacement.removes_more_than_brought
    assert replacement.stray_months == [M(2026, 6), M(2026, 7)]
    assert replacement.needs_confirmation and replacement.months_to_confirm == [M(2026, 6), M(2026, 7)]


def test_a_far_month_with_nothing_to_replace_is_not_stray():
    # The stray row's own month holds no live row: nothing is lost there.
    replacement = window((M(2024, 11), 0, 1), (M(2026, 11), 5, 10))
    assert replacement.stray_months == [] and not replacement.needs_confirmation
