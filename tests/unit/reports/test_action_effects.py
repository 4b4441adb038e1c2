"""An action's measured effect on the indicator it is linked to: the chart's verdict after the day
it was done, and the means of windows of the same length before and after. Series written by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd

from pilotage_qualite.model.periods import parse_period
from pilotage_qualite.reports.action_effects import (
    TOO_EARLY,
    VISIBLE,
    WORSE,
    effects_by_indicator,
    effects_column,
    measured_effect,
)


def series(values: list[float | None], variations: list[str | None], first: str = "2026-01") -> pd.DataFrame:
    """Monthly points from ``first``: value and the chart's variation on each."""
    start = parse_period(first)
    rows = []
    for k, (value, variation) in enumerate(zip(values, variations)):
        month = date(start.debut.year + (start.debut.month - 1 + k) // 12, (start.debut.month - 1 + k) % 12 + 1, 1)
        period = parse_period(f"{month:%Y-%m}")
        rows.append({"debut": period.debut, "fin": period.fin, "valeur": value, "variation": variation,
                     "unite": "%", "decimales": 1})
    return pd.DataFrame(rows)


def test_a_special_cause_in_the_good_direction_after_the_action_is_a_visible_effect():
    # Done on 01/04/2026: after = April, May (80, 90); before = the 2 months before, Feb and Mar (60, 70).
    # Means: before (60 + 70) / 2 = 65,0 %; after (80 + 90) / 2 = 85,0 %.
    points = series([50, 60, 70, 80, 90], [None, "cause commune", "cause commune", "cause commune", "amélioration"])
    assert measured_effect(points, date(2026, 4, 1)) == (
        f"{VISIBLE} : moyenne 65,0\u00a0% sur les 2 période(s) d'avant, 85,0\u00a0% sur les 2 d'après")


def test_a_bad_special_cause_is_a_degradation_and_no_point_after_is_too_early():
    points = series([80, 80, 80, 60], ["cause commune", "cause commune", "cause commune", "préoccupation"])
    assert measured_effect(points, date(2026, 4, 1)).startswith(f"{WORSE} : moyenne 80,0\u00a0%")
    assert measured_effect(points, date(2026, 5, 2)) == f"{TOO_EARLY} (aucune période complète depuis le 02/05/2026)"


def test_common_cause_only_says_no_measurable_effect_and_without_limits_says_so():
    steady = series([80, 81, 79, 80], ["cause commune"] * 4)
    assert measured_effect(steady, date(2026, 3, 1)).startswith("pas d'effet mesurable à ce jour : moyenne")
    unlimited = series([80, 81, 79, 80], [None] * 4)
    assert measured_effect(unlimited, date(2026, 3, 1)).startswith(
        "pas d'effet mesurable à ce jour (pas de limites de contrôle)")


def test_only_actions_linked_on_purpose_and_done_get_an_effect():
    results = series([50, 60, 70, 80, 90], [None, "cause commune", "cause commune", "cause commune", "amélioration"])
    results = results.assign(indicateur="REC-03", dimension=None, modalite=None,
                             periode=[f"2026-0{k}" for k in range(1, 6)])
    actions = pd.DataFrame({"lien": ["liée à REC-03", "lien déduit : mentionne REC-03", "liée à REC-03"],
                            "date_realisation": [pd.Timestamp("2026-04-01"), pd.Timestamp("2026-04-01"), None]})
    effects = effects_column(actions, results, "REC-03", None, parse_period("2026-05"))
    assert effects[0].startswith(VISIBLE) and effects[1:] == [None, None]


def test_point_7_gives_one_effect_per_indicator_an_action_names_and_skips_codes_without_values():
    # REC-03 has values (the series above); SAT-01 has none in these results: no row for it.
    results = series([50, 60, 70, 80, 90], [None, "cause commune", "cause commune", "cause commune", "amélioration"])
    results = results.assign(indicateur="REC-03", dimension=None, modalite=None,
                             periode=[f"2026-0{k}" for k in range(1, 6)])
    actions = pd.DataFrame({"numero": ["A-7"], "intitule": ["Relances"], "indicateurs": ["REC-03, SAT-01"],
                            "date_realisation": [pd.Timestamp("2026-04-01")], "efficacite": ["efficace"]})
    table = effects_by_indicator(actions, results, None, parse_period("2026-05"))
    assert list(table["indicateur"]) == ["REC-03"]
    assert table["effet"].iloc[0].startswith(VISIBLE) and table["efficacite"].iloc[0] == "efficace"
