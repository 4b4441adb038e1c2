"""Events on an indicator or a dataset: which indicators they concern, and where a process change
restarts a control chart's baseline (the first period starting on or after its day)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pilotage_qualite.model.events import Event, concerning, restart_period, restart_positions, scope
from pilotage_qualite.model.indicator_format import load_catalogue

D = dt.date
CATALOGUE = load_catalogue(Path(__file__).parents[2] / "fixtures" / "catalogue")
MONTH_STARTS = [D(2024, m, 1) for m in range(1, 13)]  # January … December 2024
QUARTER_STARTS = [D(2024, 1, 1), D(2024, 4, 1), D(2024, 7, 1), D(2024, 10, 1)]


def event(event_id: int, day: dt.date, *, indicator: str | None = None, dataset: str | None = None) -> Event:
    return Event(event_id, day, f"événement {event_id}", True, "qualité (local)", dt.datetime(2025, 1, 6, 9, 0),
                 indicator, dataset)


def test_a_change_on_the_first_day_of_a_month_restarts_there():
    # 1 September 2024 is the start of September, the ninth month: position 8.
    assert restart_positions([D(2024, 9, 1)], MONTH_STARTS) == [8]


def test_a_change_in_the_middle_of_a_month_leaves_that_month_out():
    # 15 September: September mixes both processes, the new baseline starts in October (position 9).
    assert restart_positions([D(2024, 9, 15)], MONTH_STARTS) == [9]
    assert restart_period(D(2024, 9, 15), "mois").label == "2024-10"
    assert restart_period(D(2024, 9, 1), "mois").label == "2024-09"
    assert restart_period(D(2024, 9, 1), "trimestre").label == "2024-T4"


def test_at_quarter_grain_the_next_quarter_starting_on_or_after_the_day():
    # 1 September falls inside T3 (July–September): the new baseline starts with T4 (position 3).
    assert restart_positions([D(2024, 9, 1)], QUARTER_STARTS) == [3]
    assert restart_positions([D(2024, 7, 1)], QUARTER_STARTS) == [2]


def test_changes_outside_the_series_or_at_its_start_restart_nothing():
    # Before (or on) the first period: the baseline starts there anyway; after the last: no period left.
    assert restart_positions([D(2023, 6, 1), D(2024, 1, 1), D(2025, 2, 1)], MONTH_STARTS) == []
    # Two changes restarting at the same period count once, positions come out in order.
    assert restart_positions([D(2024, 9, 20), D(2024, 3, 1), D(2024, 9, 5)], MONTH_STARTS) == [2, 9]


def test_the_events_of_a_composite_include_those_of_what_it_is_computed_from():
    # REC-05 = 1000 × [REC-01] / [ACT-01]: REC-01 reads `reclamations`, ACT-01 reads `activite`.
    indicators, datasets = scope(CATALOGUE, "REC-05")
    assert indicators == {"REC-05", "REC-01", "ACT-01"} and datasets == {"reclamations", "activite"}
    events = [event(1, D(2024, 5, 2), dataset="activite"), event(2, D(2024, 3, 1), indicator="REC-05"),
              event(3, D(2024, 4, 1), dataset="satisfaction"), event(4, D(2024, 1, 8), indicator="REC-02")]
    assert [e.id for e in concerning(events, CATALOGUE, "REC-05")] == [2, 1]  # oldest first
    assert [e.id for e in concerning(events, CATALOGUE, "ACT-01")] == [1]  # not those of its composites
    assert event(1, D(2024, 5, 2)).kind == "changement de processus"
