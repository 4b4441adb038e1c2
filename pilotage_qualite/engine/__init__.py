"""The indicator engine's public API: catalogue + connection → typed results.

The engine takes a DuckDB connection (or cursor) and never imports the store.
"""

from pilotage_qualite.engine.computation import compute, indicator_sql
from pilotage_qualite.engine.results import RESULT_COLUMNS, EngineError
from pilotage_qualite.engine.rows_behind import drill_down
from pilotage_qualite.engine.schema_checks import check_indicator, empty_store, probe_compute
from pilotage_qualite.engine.targets import targets_on_day

__all__ = ["RESULT_COLUMNS", "EngineError", "check_indicator", "compute", "drill_down",
           "empty_store", "indicator_sql", "probe_compute", "targets_on_day"]
