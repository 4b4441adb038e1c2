"""The one way the product computes its figures: the engine over the store, with the targets in
force, the coverage of the applied imports (a value the imports do not vouch for is none) and the
recorded events (a process change restarts a control chart's baseline)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pilotage_qualite import engine
from pilotage_qualite.model.catalogue import Catalogue
from pilotage_qualite.model.periods import Period
from pilotage_qualite.store import Store


def figures(store: Store, catalogue: Catalogue, periods: Sequence[Period | str], *,
            indicator_ids: Sequence[str] | None = None, workers: int = 3) -> pd.DataFrame:
    """:func:`engine.compute` as every screen, command and pack reads it."""
    targets, coverage, events = store.target_changes(), store.coverage(), store.events()
    with store.connect() as conn:
        return engine.compute(conn, catalogue, periods, indicator_ids=indicator_ids, targets=targets,
                              coverage=coverage, events=events, workers=workers)
