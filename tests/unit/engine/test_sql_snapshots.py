"""The SQL the engine runs for every shipped indicator, kept as one readable file each.

``tests/unit/engine/sql/<ID>.sql`` holds what ``engine.indicator_sql`` returns for the example
period, laid out one clause per line, each statement under a comment naming it. A change to
the engine or to a declaration that changes any indicator's SQL shows up here as a diff to
review; when it is meant, rewrite the files with the command in ``UPDATE``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.model.periods import parse_period
from pilotage_qualite.reports.catalogue_reference import EXAMPLE_PERIOD, indicator_sql_text

SNAPSHOTS = Path(__file__).parent / "sql"
UPDATE = "UPDATE_SQL_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/engine/test_sql_snapshots.py"
UPDATING = os.environ.get("UPDATE_SQL_SNAPSHOTS") == "1"
CATALOGUE = load_catalogue()


def snapshot(indicator_id: str) -> str:
    indicator = CATALOGUE[indicator_id]
    period = parse_period(EXAMPLE_PERIOD)
    return (f"-- {indicator.id} · {indicator.titre}\n"
            f"-- What pilotage_qualite.engine.indicator_sql returns for {period.label} ({period.label_fr}), "
            "one clause per line.\n"
            f"-- Update: {UPDATE}\n\n"
            f"{indicator_sql_text(CATALOGUE, indicator_id, EXAMPLE_PERIOD)}\n")


@pytest.mark.parametrize("indicator_id", CATALOGUE.ids)
def test_the_sql_of_each_indicator_is_its_snapshot(indicator_id):
    path = SNAPSHOTS / f"{indicator_id}.sql"
    expected = snapshot(indicator_id)
    if UPDATING:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(expected, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path.name}: no SQL snapshot; write it with\n    {UPDATE}")
    kept = path.read_text(encoding="utf-8")
    if kept != expected:
        diff = difflib.unified_diff(kept.splitlines(keepends=True), expected.splitlines(keepends=True),
                                    f"sql/{path.name} (kept)", "engine.indicator_sql (now)")
        pytest.fail(f"The SQL of {indicator_id} changed. If that is meant, update the snapshots with\n"
                    f"    {UPDATE}\n{''.join(diff)}")


def test_every_snapshot_is_of_a_shipped_indicator():
    stale = sorted(path for path in SNAPSHOTS.glob("*.sql") if path.stem not in CATALOGUE)
    if UPDATING:
        for path in stale:
            path.unlink()
        stale = []
    assert not stale, f"snapshots of indicators no longer in the catalogue: {[p.name for p in stale]}; run {UPDATE}"
