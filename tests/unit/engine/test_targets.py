"""The target in force on a date (engine/targets.py): one rule for the engine's statuses and the
catalogue page — the latest change dated on or before the day; several from the same date: the
last entered wins; before any change: the indicator file's cible and seuil."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from indicator_fixtures import make_store, row

from pilotage_qualite import engine
from pilotage_qualite.engine.targets import target_changes, targets_in_force, targets_on_day
from pilotage_qualite.model.catalogue import build_catalogue
from pilotage_qualite.model.indicator_format import parse_indicator_text

CATALOGUE = build_catalogue(parse_indicator_text("""
processus: Réclamations
pilote: Responsable qualité
indicateurs:
  - id: TST-01
    titre: Accusé de réception sous 48 h
    pourquoi: Un habitant qui se plaint doit savoir vite que sa réclamation est prise en compte.
    definition: Part des réclamations reçues dans la période accusées au plus 2 jours après la réception.
    source: reclamations
    periode: {flux: date_reception}
    condition_numerateur: date_accuse_reception IS NOT NULL AND date_accuse_reception - date_reception <= 2
    unite: "%"
    format: "0,0"
    sens: hausse
    cible: 95
    seuil: 85
    dimensions: [site]
  - id: TST-02
    titre: Réclamations reçues
    pourquoi: Chaque réclamation est un signal sur la qualité du service rendu.
    definition: Nombre de réclamations reçues dans la période.
    source: reclamations
    periode: {flux: date_reception}
    valeur: count(*)
    unite: nombre
    format: "0"
    sens: baisse
    dimensions: [site]
""", "test_targets.yaml"))
TST_01, TST_02 = CATALOGUE["TST-01"], CATALOGUE["TST-02"]


def change(indicateur: str, date_debut: str, cible, seuil, saisi_le: str | None = None) -> dict:
    out = {"indicateur": indicateur, "date_debut": date_debut, "cible": cible, "seuil": seuil}
    if saisi_le is not None:
        out["saisi_le"] = datetime.fromisoformat(saisi_le)
    return out


def in_force(targets, day: str, indicator=TST_01):
    return targets_on_day([indicator], targets, date.fromisoformat(day))[0]


def test_without_changes_the_files_target_holds():
    # TST-01's file says cible 95, seuil 85; TST-02 has no target at all.
    for targets in (None, [], pd.DataFrame(columns=["indicateur", "date_debut", "cible", "seuil"])):
        assert in_force(targets, "2025-06-01") == (95, 85)
        assert in_force(targets, "2025-06-01", TST_02) == (None, None)


def test_the_latest_change_dated_on_or_before_the_day_is_in_force():
    targets = [change("TST-01", "2025-06-01", 50, 40), change("TST-01", "2025-07-15", 70, 65)]
    assert in_force(targets, "2025-05-31") == (95, 85)  # before any change: the file's
    assert in_force(targets, "2025-06-01") == (50, 40)  # from its first day on
    assert in_force(targets, "2025-07-14") == (50, 40)
    assert in_force(targets, "2025-07-15") == (70, 65)
    assert in_force(targets, "2030-01-01") == (70, 65)
    # Another indicator's changes do not apply.
    assert in_force(targets, "2025-08-01", TST_02) == (None, None)


@pytest.mark.parametrize("rows_reversed", [False, True])
def test_of_two_changes_from_the_same_date_the_last_entered_wins_whatever_the_row_order(rows_reversed):
    # Both apply from 2025-06-01: 60/50 entered at 09:00, then 80/70 at 10:00 → 80/70 is in force.
    targets = [change("TST-01", "2025-06-01", 60, 50, "2025-05-20 09:00"),
               change("TST-01", "2025-06-01", 80, 70, "2025-05-20 10:00")]
    if rows_reversed:
        targets.reverse()
    assert in_force(targets, "2025-06-10") == (80, 70)
    assert in_force(pd.DataFrame(targets), "2025-06-01") == (80, 70)
    assert in_force(targets, "2025-05-31") == (95, 85)


def test_a_change_can_remove_the_target():
    # From 2025-01-01 on: no cible, no seuil (the indicator is then only followed).
    targets = [change("TST-01", "2025-01-01", None, None)]
    assert in_force(targets, "2024-12-31") == (95, 85)
    assert in_force(targets, "2025-01-01") == (None, None)


def test_arrays_and_single_days_agree():
    # Rows: (TST-01, 2025-05-01), (TST-02, 2025-06-01), (TST-01, 2025-06-01), (TST-01, 2025-08-01).
    targets = [change("TST-01", "2025-06-01", 50, 40), change("TST-01", "2025-07-15", 70, 65),
               change("TST-02", "2025-06-01", 10, 12)]
    indicator = np.array([0, 1, 0, 0])
    days = np.array(["2025-05-01", "2025-06-01", "2025-06-01", "2025-08-01"], dtype="datetime64[D]")
    cible, seuil = targets_in_force(targets, ["TST-01", "TST-02"], indicator, days,
                                    np.array([95, np.nan, 95, 95.0]), np.array([85, np.nan, 85, 85.0]))
    np.testing.assert_array_equal(cible, [95, 10, 50, 70])
    np.testing.assert_array_equal(seuil, [85, 12, 40, 65])


def test_changes_are_checked_and_put_in_the_rules_order():
    with pytest.raises(engine.EngineError, match="colonne\\(s\\) manquante\\(s\\) : cible"):
        target_changes([{"indicateur": "TST-01", "date_debut": "2025-06-01"}])
    ordered = target_changes([change("TST-02", "2025-01-01", 1, 2), change("TST-01", "2025-06-01", 3, None)])
    assert list(ordered["indicateur"]) == ["TST-01", "TST-02"]
    assert ordered["date_debut"].tolist() == [date(2025, 6, 1), date(2025, 1, 1)]
    assert np.isnan(ordered["seuil"].iloc[0])  # no seuil: NaN, as when the column is missing


@pytest.mark.parametrize("rows_reversed", [False, True])
def test_the_engine_judges_each_period_on_the_same_rule(rows_reversed):
    # June 2025: 3 of 5 complaints acknowledged within 2 days → 60 %.
    conn = make_store({"reclamations": [
        {"numero": f"R{i}", "date_reception": "2025-06-10",
         "date_accuse_reception": "2025-06-11" if i < 3 else "2025-06-20", "site": "Lyon"} for i in range(5)]})
    # From June on, 70/50 entered first, then 55/45: 60 % ≥ 55 → « atteint » (with 70 it would not be).
    targets = [change("TST-01", "2025-06-01", 70, 50, "2025-05-20 09:00"),
               change("TST-01", "2025-06-01", 55, 45, "2025-05-20 10:00")]
    if rows_reversed:
        targets.reverse()
    res = engine.compute(conn, CATALOGUE, ["2025-05", "2025-06"], targets=targets, workers=1)
    june = row(res, "TST-01", "2025-06")
    assert (june.valeur, june.cible, june.seuil, june.statut) == (60, 55, 45, "atteint")
    assert (june.cible, june.seuil) == in_force(targets, "2025-06-01")
    may = row(res, "TST-01", "2025-05")
    assert (may.cible, may.seuil) == (95, 85) == in_force(targets, "2025-05-01")
