"""Status rules, Wilson interval and control limits (pure functions)."""

from __future__ import annotations

import math

import pytest

from pilotage_qualite.model.status import (
    PERIODE_INCOMPLETE,
    STATUSES,
    status,
    status_array,
    wilson_interval,
)


@pytest.mark.parametrize("value, sens, cible, seuil, expected", [
    # hausse: value ≥ cible → atteint; seuil ≤ value < cible → à surveiller; value < seuil → non atteint
    (95, "hausse", 95, 85, "atteint"),
    (99.5, "hausse", 95, 85, "atteint"),
    (94.99999, "hausse", 95, 85, "à surveiller"),  # unrounded: 95,0 on screen but below target
    (85, "hausse", 95, 85, "à surveiller"),
    (84.99999, "hausse", 95, 85, "non atteint"),
    # baisse: value ≤ cible → atteint; cible < value ≤ seuil → à surveiller; value > seuil → non atteint
    (10, "baisse", 10, 15, "atteint"),
    (10.00001, "baisse", 10, 15, "à surveiller"),
    (15, "baisse", 10, 15, "à surveiller"),
    (15.00001, "baisse", 10, 15, "non atteint"),
    (0, "baisse", 0, 0, "atteint"),
    (1, "baisse", 0, 0, "non atteint"),
    # no target, no direction → suivi
    (12, None, None, None, "suivi"),
    (12, "baisse", None, None, "suivi"),
    # a target without an alert threshold: no « à surveiller » band
    (90, "hausse", 95, None, "non atteint"),
])
def test_status_against_target(value, sens, cible, seuil, expected):
    assert status(value, 100, sens=sens, cible=cible, seuil=seuil) == expected


def test_no_value_and_small_n():
    assert status(None, 0, sens="hausse", cible=95, seuil=85) == "pas de données"
    assert status(float("nan"), 3, sens="hausse", cible=95, seuil=85, n_min=5) == "pas de données"
    # n below n min: « effectif insuffisant » whatever the value (it is still shown with n)
    assert status(100.0, 4, sens="hausse", cible=95, seuil=85, n_min=5) == "effectif insuffisant"
    assert status(100.0, 5, sens="hausse", cible=95, seuil=85, n_min=5) == "atteint"
    assert status(40.0, 9, sens="hausse", cible=85, seuil=75, n_min=10) == "effectif insuffisant"
    assert status(40.0, 0, n_min=1) == "effectif insuffisant"
    # no n min (counts): n does not matter
    assert status(0, 0, sens="baisse", cible=0, seuil=5) == "atteint"


def test_wilson_interval_known_values():
    low, high = wilson_interval(0.5, 10)
    assert low == pytest.approx(0.23659, abs=1e-5) and high == pytest.approx(0.76341, abs=1e-5)
    low, high = wilson_interval(0.0, 10)  # never below 0, not degenerate at p = 0
    assert low == 0 and high == pytest.approx(0.27753, abs=1e-5)
    low, high = wilson_interval(1.0, 20)
    assert high == 1 and low == pytest.approx(0.83887, abs=1e-5)  # (1 + z²/40 − z √(z²/1600)) / (1 + z²/20)
    assert all(math.isnan(x) for x in wilson_interval(0.5, 0))
    assert all(math.isnan(x) for x in wilson_interval(1.2, 10))


def test_status_array_agrees_with_status():
    # Every combination of values around the targets, missing numbers (None and NaN), counts
    # around n min, directions and thresholds below, at and above the target.
    values = [None, float("nan"), -1.0, 0.0, 4.999, 5.0, 10.0, 15.0, 20.0, float("inf")]
    ns = [None, float("nan"), 0, 4, 5, 100]
    directions = [None, "hausse", "baisse", "autre"]
    cibles = [None, float("nan"), 0.0, 10.0]
    seuils = [None, float("nan"), 5.0, 10.0, 15.0]
    n_mins = [None, float("nan"), 1, 5]
    combos = [(v, n, s, c, t, m) for v in values for n in ns for s in directions for c in cibles
              for t in seuils for m in n_mins]
    expected = [status(v, n, sens=s, cible=c, seuil=t, n_min=m) for v, n, s, c, t, m in combos]
    columns = list(zip(*combos))
    got = status_array(columns[0], columns[1], sens=columns[2], cible=columns[3], seuil=columns[4],
                       n_min=columns[5])
    assert got.dtype == object and list(got) == expected
    # the grid reaches every rule; « période incomplète » comes from coverage, not from the value
    assert set(expected) == set(STATUSES) - {PERIODE_INCOMPLETE}


@pytest.mark.parametrize(("value", "sens", "cible", "seuil", "expected"), [
    (94.991, "hausse", 95, 85, 94.9),  # « 95,0 % » would read as met: rounded down
    (95.04, "hausse", 95, 85, 95.0),  # met: the usual rounding
    (84.96, "hausse", 95, 85, 84.9),  # below the threshold, not « 85,0 »
    (10.04, "baisse", 10, 15, 10.1),  # above a « lower is better » target: rounded up
    (9.96, "baisse", 10, 15, 10.0),  # at most 10: met, « 10,0 » reads right
    (94.991, None, None, None, 95.0),  # no target: nothing to cross
])
def test_the_shown_value_never_reads_as_the_other_side(value, sens, cible, seuil, expected):
    from pilotage_qualite.model.status import shown_value

    assert shown_value(value, 1, sens=sens, cible=cible, seuil=seuil) == expected
    assert status(shown_value(value, 1, sens=sens, cible=cible, seuil=seuil), sens=sens, cible=cible,
                  seuil=seuil) == status(value, sens=sens, cible=cible, seuil=seuil)
