"""Coverage (indicators.md « Coverage »): what an import vouches for, how much of a period is
covered, which periods are offered and which one a view opens on. Expected values by hand."""

from __future__ import annotations

from datetime import date

from pilotage_qualite.model.coverage import (
    ABSENT,
    COMPLETE,
    PARTIAL,
    PERIOD_EXPORT,
    REGISTER,
    Coverage,
    CoverageState,
    CoveredSpan,
    RegisterHistory,
    behind,
    default_span,
    period_offer,
    weakest,
)
from pilotage_qualite.model.periods import parse_period

D = date.fromisoformat


# --- what one file covers ---------------------------------------------------------------------


def test_a_period_export_covers_whole_months_from_its_first_to_its_last_date():
    # 14/06 … 03/08 → 01/06 … 31/08 (imported later, in September)
    span = default_span(PERIOD_EXPORT, [D("2026-07-20"), D("2026-06-14"), D("2026-08-03")],
                        extraction=None, imported_on=D("2026-09-02"))
    assert span == CoveredSpan(D("2026-06-01"), D("2026-08-31"))


def test_a_register_covers_up_to_its_extraction_day_else_its_last_date():
    dates = [D("2025-03-12"), D("2026-08-10")]
    assert default_span(REGISTER, dates, extraction=None, imported_on=D("2026-09-02")) == \
        CoveredSpan(D("2025-03-01"), D("2026-08-10"))
    # « Exporté le 05/09/2026 »: the days after its last row are covered too (nothing happened)
    assert default_span(REGISTER, dates, extraction=D("2026-09-05"), imported_on=D("2026-09-06")) == \
        CoveredSpan(D("2025-03-01"), D("2026-09-05"))


def test_a_file_never_covers_past_the_day_it_is_imported():
    # an export with rows dated in the month in progress: covered up to today only
    assert default_span(PERIOD_EXPORT, [D("2026-11-02"), D("2026-12-03")], extraction=None,
                        imported_on=D("2026-12-05")).last_day == D("2026-12-05")
    # a register whose title claims a day to come
    assert default_span(REGISTER, [D("2026-11-02")], extraction=D("2027-01-01"),
                        imported_on=D("2026-12-05")).last_day == D("2026-12-05")


def test_a_file_without_any_date_covers_nothing():
    assert default_span(REGISTER, [None], extraction=None, imported_on=D("2026-12-05")) is None


# --- how much of a range is covered --------------------------------------------------------------


def test_state_of_a_range_complete_partial_absent():
    coverage = Coverage({"incidents": [CoveredSpan(D("2025-01-01"), D("2026-08-10"))]})
    # August 2026: 10 days out of 31 → partial, data up to 10/08
    assert coverage.state("incidents", D("2026-08-01"), D("2026-08-31")) == \
        CoverageState(PARTIAL, D("2026-08-01"), D("2026-08-10"))
    assert coverage.state("incidents", D("2026-07-01"), D("2026-07-31")).level == COMPLETE
    assert coverage.state("incidents", D("2026-09-01"), D("2026-09-30")).level == ABSENT
    assert coverage.state("actions", D("2026-07-01"), D("2026-07-31")).level == ABSENT  # never imported


def test_spans_of_several_imports_add_up_and_a_gap_stays_a_gap():
    coverage = Coverage({"activite": [CoveredSpan(D("2026-01-01"), D("2026-03-31")),
                                      CoveredSpan(D("2026-04-01"), D("2026-04-30")),
                                      CoveredSpan(D("2026-06-01"), D("2026-06-30"))]})
    assert coverage.days("activite") == [(D("2026-01-01").toordinal(), D("2026-04-30").toordinal()),
                                         (D("2026-06-01").toordinal(), D("2026-06-30").toordinal())]
    # the second quarter: April and June covered, May not → partial, 61 days of 91
    assert coverage.state("activite", D("2026-04-01"), D("2026-06-30")).level == PARTIAL
    assert coverage.state("activite", D("2026-05-01"), D("2026-05-31")).level == ABSENT


def test_a_file_restricted_to_sites_covers_those_sites_only():
    coverage = Coverage({"incidents": [CoveredSpan(D("2026-01-01"), D("2026-06-30")),
                                       CoveredSpan(D("2026-07-01"), D("2026-07-31"), ("Lyon 8e",))]},
                        sites=["Lyon 8e", "Lyon 9e"])
    july = (D("2026-07-01"), D("2026-07-31"))
    assert coverage.state("incidents", *july, site="Lyon 8e").level == COMPLETE
    assert coverage.state("incidents", *july, site="Lyon 9e").level == ABSENT
    assert coverage.state("incidents", *july).level == ABSENT  # the whole structure: Lyon 9e missing


def test_sites_restricted_files_that_together_cover_every_site_cover_the_structure():
    coverage = Coverage({"incidents": [CoveredSpan(D("2026-07-01"), D("2026-07-31"), ("Lyon 8e",)),
                                       CoveredSpan(D("2026-07-01"), D("2026-07-15"), ("Lyon 9e",))]},
                        sites=["Lyon 8e", "Lyon 9e"])
    # Lyon 8e all of July, Lyon 9e up to the 15th → the structure up to the 15th
    assert coverage.state("incidents", D("2026-07-01"), D("2026-07-31")) == \
        CoverageState(PARTIAL, D("2026-07-01"), D("2026-07-15"))


def test_weakest_of_several_ranges():
    complete = CoverageState(COMPLETE, D("2026-01-01"), D("2026-01-31"))
    partial = CoverageState(PARTIAL, D("2026-01-01"), D("2026-01-20"))
    assert weakest([complete, partial]) == CoverageState(PARTIAL, D("2026-01-01"), D("2026-01-20"))
    assert weakest([complete, CoverageState(ABSENT)]).level == ABSENT
    assert weakest([]).level == COMPLETE


# --- periods offered ----------------------------------------------------------------------------


def _demo_like() -> Coverage:
    """Activité exported to 31/10, incidents extracted on 03/11, audits stale since 10/08."""
    return Coverage({"activite": [CoveredSpan(D("2025-11-01"), D("2026-10-31"))],
                     "incidents": [CoveredSpan(D("2025-11-01"), D("2026-11-03"))],
                     "audits": [CoveredSpan(D("2025-11-01"), D("2026-08-10"))]})


def test_periods_go_up_to_the_latest_month_any_dataset_covers_and_open_on_one_all_cover():
    offer = period_offer(_demo_like(), "mois", today=D("2026-12-05"))
    assert offer.periods[0] == parse_period("2026-11")  # incidents reach November
    assert offer.periods[-1] == parse_period("2025-11")
    # the latest month all three cover to its last day: July (audits stop on 10/08)
    assert offer.default == parse_period("2026-07")
    assert offer.incomplete[parse_period("2026-11")] == "incomplet : 3 jeux sur 3"
    assert offer.incomplete[parse_period("2026-10")] == "incomplet : 1 jeu sur 3"
    assert parse_period("2026-07") not in offer.incomplete
    assert offer.label_fr(parse_period("2026-10")) == "octobre 2026 (incomplet : 1 jeu sur 3)"


def test_the_period_in_progress_is_said_so_and_never_a_month_to_come():
    coverage = Coverage({"activite": [CoveredSpan(D("2026-01-01"), D("2026-12-05"))]})
    offer = period_offer(coverage, "trimestre", today=D("2026-12-05"))
    assert offer.periods[0] == parse_period("2026-T4")
    assert offer.incomplete[parse_period("2026-T4")] == "en cours"
    assert offer.default == parse_period("2026-T3")


def test_nothing_imported_offers_nothing():
    offer = period_offer(Coverage({}), "mois", today=D("2026-12-05"))
    assert offer.periods == [] and offer.default is None


def test_datasets_behind_a_period():
    assert behind(_demo_like(), parse_period("2026-10")) == {"audits": D("2026-08-10")}
    assert behind(_demo_like(), parse_period("2026-07")) == {}


def test_a_register_as_known_at_the_end_of_a_period():
    # Import 1 extracted 30/06/2025; import 2, an older file (31/03/2025) imported later; import 3
    # recorded no coverage; import 4 extracted 15/01/2026.
    history = RegisterHistory("historique_documents", ((1, D("2025-06-30")), (2, D("2025-03-31")), (3, None),
                                                       (4, D("2026-01-15"))))
    # March 2025 (last day 31/03): the first import by id extracted on or after it is import 1,
    # extracted 30/06/2025, on or after 01/05/2025 (fin + 1 month) → reconstructed
    assert history.snapshot(D("2025-04-01")) == (1, D("2025-06-30"))
    assert history.reconstructed(D("2025-04-01"))
    # June 2025: import 1, extracted on its last day → as known then
    assert not history.reconstructed(D("2025-07-01"))
    # December 2025 (last day 31/12): import 4, extracted 15/01/2026, before 01/02/2026 → as known then
    assert history.snapshot(D("2026-01-01")) == (4, D("2026-01-15")) and not history.reconstructed(D("2026-01-01"))
    # January 2026: no import extracted on or after 31/01/2026 → today's rows, the latest known
    # (the period is « incomplète », its last day not covered), not flagged
    assert history.snapshot(D("2026-02-01")) is None and not history.reconstructed(D("2026-02-01"))
    # Rows of import 1 are in every state; those of imports 2 and 3 from the first period end whose
    # last day is after 30/06/2025 (fin 01/08/2025, July 2025: month index 2025 × 12 + 7); those of
    # import 4 likewise (import 3 has no extraction day, import 2's is earlier)
    assert history.first_end_seen(1) == 0
    assert history.first_end_seen(2) == history.first_end_seen(3) == history.first_end_seen(4) == 2025 * 12 + 7
    # a later import: from the first period whose last day is after 15/01/2026, January 2026 (fin 01/02/2026)
    assert history.first_end_seen(5) == 2026 * 12 + 1
