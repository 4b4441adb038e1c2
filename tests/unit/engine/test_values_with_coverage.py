"""Values with their coverage (indicators.md « Coverage »): a forgotten file is not a perfect
month. Tiny stores, coverage given by hand, expected values worked out in the comments."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
from indicator_fixtures import compute, make_store, row

from pilotage_qualite.model.coverage import ABSENT, COMPLETE, PARTIAL, Coverage, CoveredSpan
from pilotage_qualite.model.status import PAS_DE_DONNEES, PERIODE_INCOMPLETE

D = date.fromisoformat


def incidents(*days: str, site: str = "Lyon 8e", kind: str = "agression verbale") -> list[dict]:
    return [{"date": d, "site": site, "type": kind} for d in days]


# Incidents imported up to 10/08/2026 (the file was cut there), starting in January 2026.
STALE = Coverage({"incidents": [CoveredSpan(D("2026-01-01"), D("2026-08-10"))]}, sites=["Lyon 8e"])


def test_a_stale_dataset_gives_no_value_after_its_last_day_and_an_incomplete_period_in_between():
    conn = make_store({"incidents": incidents("2026-07-03", "2026-07-20", "2026-08-05")})
    result = compute(conn, ["SEC-01", "SEC-02"], ["2026-06", "2026-07", "2026-08", "2026-10"], coverage=STALE)
    # June: covered, no row → a real 0 (nothing happened), judged against its target
    june = row(result, "SEC-02", "2026-06")
    assert june["valeur"] == 0 and june["couverture"] == COMPLETE and june["statut"] == "atteint"
    # July: 2 incidents, covered
    assert row(result, "SEC-01", "2026-07")["valeur"] == 2
    # August: 1 incident up to the 10th, the rest of the month unknown → partial, not judged
    august = row(result, "SEC-02", "2026-08")
    assert august["couverture"] == PARTIAL and august["statut"] == PERIODE_INCOMPLETE
    assert august["couvert_au"] == D("2026-08-10") and august["valeur"] == 0
    assert pd.isna(august["hors_controle"])
    # October: not covered → no value (never 0), no status, no effectif, no drift
    october = row(result, "SEC-02", "2026-10")
    assert october["couverture"] == ABSENT and math.isnan(october["valeur"])
    assert october["statut"] == PAS_DE_DONNEES and pd.isna(october["effectif"])
    assert pd.isna(october["hors_controle"])
    assert math.isnan(row(result, "SEC-01", "2026-10", "site", "Lyon 8e")["valeur"])


def test_before_the_data_there_is_no_value():
    conn = make_store({"incidents": incidents("2026-01-15")})
    result = compute(conn, "SEC-02", ["2025-12", "2026-01"], coverage=STALE)
    assert math.isnan(row(result, "SEC-02", "2025-12")["valeur"])
    assert row(result, "SEC-02", "2025-12")["statut"] == PAS_DE_DONNEES
    assert row(result, "SEC-02", "2026-01")["valeur"] == 0  # one verbal aggression, no physical one


def test_a_comparison_with_a_period_not_covered_has_no_value():
    conn = make_store({"incidents": incidents("2026-01-15", "2026-02-03")})
    result = compute(conn, "SEC-01", ["2026-01", "2026-02"], coverage=STALE)
    # January's previous month (December 2025) is not covered: nothing to compare with
    assert math.isnan(row(result, "SEC-01", "2026-01")["valeur_precedente"])
    assert row(result, "SEC-01", "2026-02")["valeur_precedente"] == 1


def test_quarters_and_years_follow_the_days_they_span():
    conn = make_store({"incidents": incidents("2026-07-03")})
    result = compute(conn, "SEC-01", ["2026-T2", "2026-T3", "2026-T4", "2026"], coverage=STALE)
    assert row(result, "SEC-01", "2026-T2")["couverture"] == COMPLETE  # April–June covered
    assert row(result, "SEC-01", "2026-T3")["couverture"] == PARTIAL  # up to 10/08 of July–September
    assert row(result, "SEC-01", "2026-T4")["couverture"] == ABSENT
    assert row(result, "SEC-01", "2026")["couverture"] == PARTIAL
    assert row(result, "SEC-01", "2026")["couvert_au"] == D("2026-08-10")


def test_an_indicator_reading_two_datasets_is_covered_where_both_are():
    # REC-05 = 1000 × REC-01 / ACT-01: complaints covered to 31/10, activity to 30/09
    coverage = Coverage({"reclamations": [CoveredSpan(D("2026-01-01"), D("2026-10-31"))],
                         "activite": [CoveredSpan(D("2026-01-01"), D("2026-09-30"))]})
    conn = make_store({
        "reclamations": [{"numero": "R1", "date_reception": "2026-09-10", "site": "Lyon 8e"},
                         {"numero": "R2", "date_reception": "2026-10-10", "site": "Lyon 8e"}],
        "activite": [{"date": "2026-09-01", "site": "Lyon 8e", "registre": "accompagnement"},
                     {"date": "2026-09-02", "site": "Lyon 8e", "registre": "accompagnement"}],
    })
    result = compute(conn, ["REC-05", "REC-01"], ["2026-09", "2026-10"], coverage=coverage)
    assert row(result, "REC-05", "2026-09")["valeur"] == 500  # 1000 × 1 / 2
    assert row(result, "REC-01", "2026-10")["valeur"] == 1
    assert row(result, "REC-05", "2026-10")["couverture"] == ABSENT  # no activity known in October
    assert math.isnan(row(result, "REC-05", "2026-10")["valeur"])


def test_a_stock_needs_the_last_day_of_its_period():
    # DEM-04: requests received more than 30 days before the end and still open
    coverage = Coverage({"demandes": [CoveredSpan(D("2026-01-01"), D("2026-11-03"))]})
    conn = make_store({"demandes": [{"numero": "D1", "date_reception": "2026-08-01", "site": "Lyon 8e",
                                     "canal": "téléphone"}]})
    result = compute(conn, "DEM-04", ["2026-10", "2026-11", "2026-12"], coverage=coverage)
    assert row(result, "DEM-04", "2026-10")["couverture"] == COMPLETE  # 31/10 covered
    november = row(result, "DEM-04", "2026-11")  # known on 03/11 only, not on 30/11
    assert november["couverture"] == PARTIAL and november["statut"] == PERIODE_INCOMPLETE
    assert row(result, "DEM-04", "2026-12")["couverture"] == ABSENT


def test_a_12_month_window_needs_its_twelve_months():
    # PA-03 over [fin − 12 months, fin): actions covered from January 2026 only
    coverage = Coverage({"actions": [CoveredSpan(D("2026-01-01"), D("2026-11-03"))]})
    conn = make_store({"actions": [{"numero": "A1", "date_ouverture": "2026-02-01", "echeance": "2026-03-01",
                                    "date_realisation": "2026-02-20", "efficacite": "efficace"}]})
    result = compute(conn, "PA-03", ["2026-06", "2026-12"], coverage=coverage)
    june = row(result, "PA-03", "2026-06")  # window July 2025 – June 2026: half of it covered
    assert june["couverture"] == PARTIAL and june["couvert_au"] == D("2026-06-30")
    assert row(result, "PA-03", "2026-12")["couverture"] == PARTIAL


def test_site_rows_follow_the_sites_a_file_covers():
    coverage = Coverage({"incidents": [CoveredSpan(D("2026-01-01"), D("2026-06-30")),
                                       CoveredSpan(D("2026-07-01"), D("2026-07-31"), ("Lyon 8e",))]},
                        sites=["Lyon 8e", "Lyon 9e"])
    conn = make_store({"incidents": incidents("2026-06-03") + incidents("2026-06-04", site="Lyon 9e")
                       + incidents("2026-07-03")})
    result = compute(conn, "SEC-01", ["2026-07"], coverage=coverage)
    assert row(result, "SEC-01", "2026-07", "site", "Lyon 8e")["valeur"] == 1
    assert row(result, "SEC-01", "2026-07", "site", "Lyon 9e")["couverture"] == ABSENT
    assert row(result, "SEC-01", "2026-07")["couverture"] == ABSENT  # the structure: Lyon 9e unknown


def test_without_coverage_every_period_is_taken_as_covered():
    """The definitions alone (as a hand computation reads them): the old behaviour, explicit."""
    conn = make_store({"incidents": incidents("2026-07-03")})
    result = compute(conn, "SEC-01", ["2026-10"])
    assert row(result, "SEC-01", "2026-10")["valeur"] == 0
    assert row(result, "SEC-01", "2026-10")["couverture"] == COMPLETE
