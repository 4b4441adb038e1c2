"""No statistic where it does not hold, on the demo (indicators.md « Variation and assurance »):
Wilson intervals on true proportions only, no control limits at year grain, none for stocks and
rolling windows, none for a p-chart with too few cases."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model import spc
from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.reports.figures import figures
from pilotage_qualite.startup import open_store


@pytest.fixture(scope="module")
def demo_figures(demo_base_template: Path):
    store = open_store(load_settings(environ={"PILOTAGE_DONNEES": str(demo_base_template)}))
    rows = figures(store, load_catalogue(), ["2026-10", "2025"],
                   indicator_ids=["ACT-04", "RH-01", "SAT-01", "DOC-01", "REC-02", "DEM-02"])
    return rows[rows["dimension"].isna()].set_index(["indicateur", "periode"])


def test_wilson_intervals_only_on_proportions_of_rows(demo_figures):
    # ACT-04 is hours worked / hours planned, RH-01 a turnover rate: not binomial proportions.
    for indicator in ("ACT-04", "RH-01"):
        assert math.isnan(demo_figures.loc[(indicator, "2026-10"), "ic_bas"])
    # SAT-01 (20 satisfied of 26 answers) is one.
    assert demo_figures.loc[("SAT-01", "2026-10"), "ic_bas"] < 76.93 < demo_figures.loc[("SAT-01", "2026-10"), "ic_haut"]


def test_no_control_limits_at_year_grain(demo_figures):
    for indicator in ("ACT-04", "SAT-01", "DEM-02"):
        row = demo_figures.loc[(indicator, "2025")]
        assert row["sans_limites"] == spc.NOT_AT_YEAR_GRAIN and math.isnan(row["limite_haute"])
        assert row["variation"] is None or (isinstance(row["variation"], float) and math.isnan(row["variation"]))


def test_no_limits_for_stocks_rolling_windows_and_too_few_cases(demo_figures):
    assert demo_figures.loc[("DOC-01", "2026-10"), "sans_limites"] == spc.NOT_INDEPENDENT  # a stock
    assert demo_figures.loc[("RH-01", "2026-10"), "sans_limites"] == spc.NOT_INDEPENDENT  # 12-month window
    # REC-02 (acknowledged within 48 h) is nearly always met: n̄·(1 − p̄) < 5 on its baseline.
    assert demo_figures.loc[("REC-02", "2026-10"), "sans_limites"] == spc.TOO_FEW_CASES
    assert math.isnan(demo_figures.loc[("REC-02", "2026-10"), "limite_basse"])
