"""A committee meeting as the store reads it back: typed values, not a dict of French keys.

The store writes meetings (pilotage_qualite.store.meetings); the Comité page, the agenda, the
committee pack and the command line read this one shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pilotage_qualite.model.periods import Period

OPEN, CLOSED = "ouverte", "close"  # the words of Store.meetings()'s `statut` column


@dataclass(frozen=True)
class Decision:
    id: int
    text: str
    pilot: str | None
    due: dt.date | None
    action_number: str | None  # the action it opened in the improvement plan, if any
    indicators: tuple[str, ...] = ()  # the indicators it concerns (its action's « Indicateurs concernés »)
    corrected: bool = False  # its text is a later version (Store.decision_history keeps them all)


@dataclass(frozen=True)
class Meeting:
    id: int
    day: dt.date
    period: Period  # the period reviewed (its grain is the meeting's grain)
    site: str | None  # None = Ensemble de la structure
    participants: tuple[str, ...]  # the latest version of the list
    notes: dict[int, str]  # agenda point (1–8) -> latest note
    decisions: tuple[Decision, ...]  # in the order they were taken
    closed_on: dt.datetime | None
    fingerprint: str | None = None  # of the record kept at closing (model.meeting_record)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def status(self) -> str:
        """« ouverte » or « close », as in the list of meetings."""
        return OPEN if self.is_open else CLOSED
