"""Stocks of registers as the register was known at the end of the period (indicators.md
« Coverage »): a document revised in 2026 must not rewrite the 2024 stock. Tiny stores imported
through the real store (history, replacement, undo), expected values worked out in the comments.

DOC-01: among the documents not archived, revised before ``fin``, the share whose next revision
(planned, or 24 months after the last one) is not before ``fin``.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from indicator_fixtures import compute, row

from pilotage_qualite.model.batch import ImportBatch
from pilotage_qualite.model.coverage import PARTIAL, CoveredSpan
from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.store import Store

D = date.fromisoformat

# The register extracted on 31/12/2024: three documents.
#   DOC-A revised 01/03/2023 → next revision 01/03/2025
#   DOC-B revised 01/06/2022 → next revision 01/06/2024 (overdue from June 2024)
#   DOC-C revised 01/02/2024 → next revision 01/02/2026
SNAPSHOT_2024 = [("DOC-A", "2023-03-01"), ("DOC-B", "2022-06-01"), ("DOC-C", "2024-02-01")]
# The register extracted on 15/03/2026: DOC-B was revised on 10/02/2026 (its row is replaced, the
# 2022 revision date is gone from today's rows), DOC-D was created on 05/01/2026.
SNAPSHOT_2026 = [("DOC-A", "2023-03-01"), ("DOC-B", "2026-02-10"), ("DOC-C", "2024-02-01"), ("DOC-D", "2026-01-05")]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    created = Store(tmp_path / "base.duckdb", load_datasets(), busy_timeout_s=5)
    created.initialise()
    return created


def apply(store: Store, dataset: str, rows: list[dict], extracted: str, first: str = "2022-01-01") -> int:
    """One import of a register extracted on ``extracted`` (it covers up to that day)."""
    frame = pd.DataFrame(rows)
    frame["_ligne"] = range(2, len(rows) + 2)
    for column in store.datasets[dataset].column_names:
        if column not in frame:
            frame[column] = None
    batch = ImportBatch(dataset, f"{dataset}-{extracted}.xlsx", f"{dataset} {rows} {extracted}".encode(), frame,
                        coverage=CoveredSpan(D(first), D(extracted)))
    import_id, _ = store.apply(batch, author="qualite")
    return import_id


def documents(store: Store, snapshot: list[tuple[str, str]], extracted: str) -> int:
    return apply(store, "documents", [{"code": code, "titre": code, "date_revision": D(revised)}
                                      for code, revised in snapshot], extracted)


def figures(store: Store, ids, periods, *, with_coverage: bool = True) -> pd.DataFrame:
    """The engine as the product runs it (coverage read from the store), or on the definitions alone."""
    coverage = store.coverage() if with_coverage else None
    with store.connect() as conn:
        return compute(conn, ids, periods, coverage=coverage)


def test_a_stock_is_read_from_the_snapshot_extracted_at_the_end_of_its_period(store: Store):
    documents(store, SNAPSHOT_2024, "2024-12-31")
    documents(store, SNAPSHOT_2026, "2026-03-15")
    result = figures(store, "DOC-01", ["2024-12", "2025-06", "2026-02"])
    # December 2024 (fin 01/01/2025): the register as extracted on 31/12/2024 — DOC-A (next
    # 01/03/2025) and DOC-C (next 01/02/2026) up to date, DOC-B overdue: 2 of 3 (not 2 of 2, as
    # today's rows would say: DOC-B's 2026 revision would take it out of the denominator).
    december = row(result, "DOC-01", "2024-12")
    assert (december["numerateur"], december["denominateur"]) == (2, 3)
    assert december["valeur"] == pytest.approx(200 / 3)
    assert not december["reconstitue"]  # extracted on the period's last day
    # June 2025 (fin 01/07/2025): the first import extracted on or after 30/06/2025 is the 2026
    # one, extracted more than a month after the period → « reconstitué ». DOC-A (next
    # 01/03/2025) overdue, DOC-C up to date; DOC-B (revised 2026) and DOC-D (created 2026) not
    # yet revised: 1 of 2.
    june = row(result, "DOC-01", "2025-06")
    assert (june["numerateur"], june["denominateur"], june["valeur"]) == (1, 2, 50)
    assert june["reconstitue"]


def test_a_snapshot_taken_within_the_month_after_the_period_is_not_reconstructed(store: Store):
    documents(store, SNAPSHOT_2024, "2024-12-31")
    documents(store, SNAPSHOT_2026, "2026-03-15")
    # February 2026 (fin 01/03/2026): extracted 15/03/2026, before 01/04/2026 → as the committee
    # saw it. DOC-A (next 01/03/2025) and DOC-C (next 01/02/2026) overdue, DOC-B (next 10/02/2028)
    # and DOC-D (next 05/01/2028) up to date: 2 of 4.
    february = row(figures(store, "DOC-01", ["2026-02"]), "DOC-01", "2026-02")
    assert (february["numerateur"], february["denominateur"]) == (2, 4)
    assert not february["reconstitue"]


def test_without_the_old_snapshot_the_stock_is_reconstructed_from_todays_rows(store: Store):
    documents(store, SNAPSHOT_2026, "2026-03-15")
    # December 2024 from today's rows: DOC-A and DOC-C revised before 01/01/2025, both up to date:
    # 2 of 2; DOC-B's 2024 state is lost → « reconstitué » (the only import was extracted in 2026).
    december = row(figures(store, "DOC-01", ["2024-12"]), "DOC-01", "2024-12")
    assert (december["numerateur"], december["denominateur"], december["valeur"]) == (2, 2, 100)
    assert december["reconstitue"]


def test_an_undone_import_is_no_snapshot_and_brings_no_row(store: Store):
    documents(store, SNAPSHOT_2024, "2024-12-31")
    documents(store, SNAPSHOT_2026, "2026-03-15")
    # A third file (extracted 31/05/2026, a new DOC-E revised 20/03/2026) imported by mistake, undone.
    undone = documents(store, [("DOC-E", "2026-03-20")], "2026-05-31")
    store.undo(undone, author="qualite")
    result = figures(store, "DOC-01", ["2024-12", "2026-02", "2026-03"])
    # As without it: 2 of 3 in December 2024 (first snapshot), 2 of 4 in February 2026.
    december = row(result, "DOC-01", "2024-12")
    assert (december["denominateur"], december["reconstitue"]) == (3, False)
    assert row(result, "DOC-01", "2026-02")["denominateur"] == 4
    # March 2026 (fin 01/04/2026): no applied import extracted on or after 31/03/2026 → today's
    # rows, the 2026 file's four documents: DOC-B and DOC-D up to date, 2 of 4 (DOC-E would make
    # it 3 of 5).
    march = row(result, "DOC-01", "2026-03")
    assert (march["numerateur"], march["denominateur"]) == (2, 4)


def test_after_the_last_extraction_a_stock_is_todays_rows_and_incomplete_not_reconstructed(store: Store):
    """No import extracted on or after the period's last day: today's rows, the latest known, on a
    period the data stop in: « période incomplète », not « reconstitué »."""
    documents(store, SNAPSHOT_2024, "2024-12-31")
    documents(store, SNAPSHOT_2026, "2026-03-15")
    march = row(figures(store, "DOC-01", ["2026-03"]), "DOC-01", "2026-03")
    assert march["couverture"] == PARTIAL and not march["reconstitue"]


def test_a_period_not_covered_has_no_value_and_no_flag(store: Store):
    documents(store, SNAPSHOT_2026, "2026-03-15")
    # Before the register's first covered month (January 2022): no value, nothing to flag.
    before = row(figures(store, "DOC-01", ["2021-12"]), "DOC-01", "2021-12")
    assert math.isnan(before["valeur"]) and not before["reconstitue"]


def test_a_flow_is_never_reconstructed(store: Store):
    # Complaint R1 received 10/12/2024 in the 2024 file; the 2026 file corrects it to 28/11/2024.
    apply(store, "reclamations", [{"numero": "R1", "date_reception": D("2024-12-10"), "site": "Lyon 8e"}],
          "2024-12-31")
    apply(store, "reclamations", [{"numero": "R1", "date_reception": D("2024-11-28"), "site": "Lyon 8e"}],
          "2026-03-15")
    result = figures(store, "REC-01", ["2024-11", "2024-12"])
    # A flow reads today's rows (the corrected date): 1 in November, 0 in December; never flagged.
    assert row(result, "REC-01", "2024-11")["valeur"] == 1 and row(result, "REC-01", "2024-12")["valeur"] == 0
    assert not result["reconstitue"].any()


def test_a_composite_is_reconstructed_when_one_of_its_inputs_is_on_every_row(store: Store):
    # FOR-01 = training hours over 12 months (a window) / FTE present at the end (a stock of the
    # staff register, here known only from a file extracted on 15/03/2026).
    apply(store, "effectifs", [{"salarie": "S1", "fonction": "médiateur", "site": "Lyon 8e",
                                "date_entree": D("2020-01-06"), "etp": 1.0}], "2026-03-15", first="2020-01-01")
    apply(store, "formations", [{"salarie": "S1", "date": D("2024-10-01"), "intitule": "Gestion des conflits",
                                 "heures": 14.0, "statut": "réalisée"}], "2024-12-31", first="2024-01-01")
    result = figures(store, ["FOR-01", "FOR-02"], ["2024-12"])
    # 14 hours / 1 FTE present at 01/01/2025
    assert row(result, "FOR-01", "2024-12")["valeur"] == 14 and row(result, "FOR-01", "2024-12")["reconstitue"]
    # FOR-02 (a stock broken down by site): flagged on the Ensemble and on the site row alike
    assert row(result, "FOR-02", "2024-12")["reconstitue"]
    assert row(result, "FOR-02", "2024-12", "site", "Lyon 8e")["reconstitue"]


def test_without_coverage_stocks_read_todays_rows_and_are_never_flagged(store: Store):
    """The definitions alone (hand computations): today's behaviour."""
    documents(store, SNAPSHOT_2024, "2024-12-31")
    documents(store, SNAPSHOT_2026, "2026-03-15")
    december = row(figures(store, "DOC-01", ["2024-12"], with_coverage=False), "DOC-01", "2024-12")
    # today's rows: DOC-A and DOC-C, both up to date at 01/01/2025 (DOC-B revised 2026)
    assert (december["numerateur"], december["denominateur"]) == (2, 2)
    assert not december["reconstitue"]


# The staff register extracted on 31/12/2024: S1 (not certified) and S2 (certified), mediators.
STAFF_2024 = [{"salarie": "S1", "date_entree": D("2020-01-06"), "certifie": False},
              {"salarie": "S2", "date_entree": D("2024-03-01"), "certifie": True}]
# Extracted on 15/03/2026: S1 got certified then left on 30/06/2025; S3 arrived on 01/09/2025.
STAFF_2026 = [{"salarie": "S1", "date_entree": D("2020-01-06"), "certifie": True, "date_sortie": D("2025-06-30")},
              {"salarie": "S2", "date_entree": D("2024-03-01"), "certifie": True},
              {"salarie": "S3", "date_entree": D("2025-09-01"), "certifie": True}]


def staff(store: Store, rows: list[dict], extracted: str) -> int:
    return apply(store, "effectifs", [{"fonction": "médiateur", "site": "Lyon 8e", "etp": 1.0, **r} for r in rows],
                 extracted, first="2020-01-01")


def test_a_stock_aggregated_by_period_end_reads_its_snapshot_too(store: Store):
    staff(store, STAFF_2024, "2024-12-31")
    staff(store, STAFF_2026, "2026-03-15")
    result = figures(store, "FOR-02", ["2024-12", "2025-06"])
    # FOR-02, certified mediators present at fin. December 2024, as extracted on 31/12/2024: S2
    # of S1 and S2, 50 % (today's rows would say 100 %: S1 was certified in 2025).
    december = row(result, "FOR-02", "2024-12")
    assert (december["valeur"], december["reconstitue"]) == (50, False)
    # June 2025 (fin 01/07/2025), from the 2026 file: S1 left on 30/06, S2 certified: 100 %.
    june = row(result, "FOR-02", "2025-06")
    assert (june["valeur"], june["reconstitue"]) == (100, True)


def test_the_interval_reading_agrees_with_the_plain_period_join(store: Store, monkeypatch):
    """Snapshots read as one more interval of period ends give what joining every row to every
    period end and testing its import gives."""
    from pilotage_qualite.engine import query_sql

    documents(store, SNAPSHOT_2024, "2024-12-31")
    staff(store, STAFF_2024, "2024-12-31")
    documents(store, SNAPSHOT_2026, "2026-03-15")
    staff(store, STAFF_2026, "2026-03-15")
    ids = ["DOC-01", "FOR-01", "FOR-02", "RH-01"]
    periods = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)][10:27] + ["2025-T1", "2025"]
    fast = figures(store, ids, periods)
    monkeypatch.setattr(query_sql, "key_kind", lambda attribution, texts: "periode")
    monkeypatch.setattr(query_sql, "stock_plan", lambda condition: None)
    plain = figures(store, ids, periods)
    pd.testing.assert_frame_equal(fast, plain)
    assert fast["reconstitue"].any() and not fast["reconstitue"].all()


def test_the_rows_behind_a_past_stock_are_the_rows_as_known_then(store: Store):
    """The fiche's rows behind December 2024's DOC-01 are the three documents of the 31/12/2024
    extraction (DOC-B with its 2022 revision, the row the 2026 import replaced), not today's four
    rows: the rows behind a value are the rows it was computed from."""
    from pilotage_qualite.engine import drill_down
    from pilotage_qualite.model.indicator_format import load_catalogue

    first = documents(store, SNAPSHOT_2024, "2024-12-31")
    documents(store, SNAPSHOT_2026, "2026-03-15")
    with store.connect() as conn:
        as_known = drill_down(conn, load_catalogue(), "DOC-01", "2024-12", histories=store.coverage().registers)
        today = drill_down(conn, load_catalogue(), "DOC-01", "2024-12")
    # As known: DOC-A, DOC-B (revised 01/06/2022, the only one not up to date), DOC-C, all from the first import.
    assert sorted(zip(as_known["code"], as_known["au_numerateur"])) == [
        ("DOC-A", True), ("DOC-B", False), ("DOC-C", True)]
    assert set(as_known["_import_id"]) == {first}
    # Today's rows would say DOC-B revised in 2026 (so not yet revised at the end of 2024: left out).
    assert sorted(today["code"]) == ["DOC-A", "DOC-C"]
