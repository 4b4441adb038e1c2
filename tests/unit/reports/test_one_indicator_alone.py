"""A fiche computes its indicator alone when the whole catalogue is not in cache
(ui.context.indicator_results): the rows must be exactly those of the whole computation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.model.periods import periods_ending
from pilotage_qualite.reports.figures import figures
from pilotage_qualite.startup import open_store


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable rows: categories as text, a fresh index."""
    return frame.assign(indicateur=frame["indicateur"].astype(str)).reset_index(drop=True)


@pytest.mark.parametrize("last", ["2026-10", "2026-T3"])
def test_each_indicator_alone_gives_the_rows_of_the_whole_catalogue(demo_data_dir: Path, last: str):
    store = open_store(load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)}))
    # A target change and a process change, so that targets in force and baseline restarts are compared too.
    store.set_target("REC-03", dt.date(2026, 3, 1), 90.0, 80.0, author="test")
    store.record_event(dt.date(2025, 6, 15), "Nouveau circuit des réclamations", indicator="REC-01",
                       process_change=True, author="test")
    catalogue = load_catalogue()
    periods = periods_ending(last, 36)
    whole = _plain(figures(store, catalogue, periods))
    assert set(whole["indicateur"]) == set(catalogue.ids)
    for indicator_id in catalogue.ids:
        alone = _plain(figures(store, catalogue, periods, indicator_ids=[indicator_id]))
        expected = whole[whole["indicateur"] == indicator_id].reset_index(drop=True)
        assert len(alone) > 0, indicator_id
        pd.testing.assert_frame_equal(alone, expected, check_exact=True, obj=indicator_id)
