"""Dated events the quality lead records on an indicator or on a dataset (« changement de
logiciel », « nouvelle procédure d'accueil »…), as the store reads them back: typed values.

An event marked as a process change restarts the control chart's baseline (indicators.md
« Variation and assurance »): from the first period starting on or after its date, so that a
month the change falls in the middle of stays out of the new baseline. The store writes them
(pilotage_qualite.store.annotations); the engine, the fiche, the trend charts and the committee
pack read this one shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pilotage_qualite.model.catalogue import Catalogue
from pilotage_qualite.model.periods import Period, period_containing

PROCESS_CHANGE = "changement de processus"  # how a process change is named on screen and in the pack
LABEL_MAX_CHARS = 120


@dataclass(frozen=True)
class Event:
    """One event in force (not withdrawn), attached to exactly one indicator or one dataset."""

    id: int
    day: dt.date
    label: str
    process_change: bool
    author: str
    recorded_on: dt.datetime
    indicator: str | None = None  # the indicator it is attached to…
    dataset: str | None = None  # … or the dataset

    @property
    def kind(self) -> str:
        """« changement de processus » or « événement »."""
        return PROCESS_CHANGE if self.process_change else "événement"


def scope(catalogue: Catalogue, indicator_id: str) -> tuple[frozenset[str], frozenset[str]]:
    """The indicators and datasets whose events concern an indicator: itself and the indicators it
    references (a composite), and every dataset they read."""
    indicators = catalogue.with_dependencies([indicator_id])
    return (frozenset(i.id for i in indicators),
            frozenset(source for i in indicators for source in i.sources))


def concerning(events: Iterable[Event], catalogue: Catalogue, indicator_id: str) -> list[Event]:
    """The events recorded on the indicator (or those it references) or on the datasets it reads,
    oldest first."""
    indicators, datasets = scope(catalogue, indicator_id)
    return sorted((e for e in events if e.indicator in indicators or e.dataset in datasets),
                  key=lambda e: (e.day, e.id))


def restart_period(day: dt.date, grain: str) -> Period:
    """The first period of ``grain`` starting on or after ``day``: where a process change of that
    day restarts the baseline (a change in the middle of a month: the next month)."""
    containing = period_containing(day, grain)
    return containing if containing.debut == day else containing.next()


def restart_positions(change_days: Sequence[dt.date], period_starts: Sequence[dt.date]) -> list[int]:
    """Where process changes restart a baseline, for a series whose periods start on
    ``period_starts`` (ascending): for each change, the first period starting on or after its
    day. A change before the first period or after the last one restarts nothing; two changes
    restarting at the same period count once."""
    positions = set()
    for day in change_days:
        position = next((k for k, start in enumerate(period_starts) if start >= day), None)
        if position:  # neither None (after the last period) nor 0 (the series starts there anyway)
            positions.add(position)
    return sorted(positions)
