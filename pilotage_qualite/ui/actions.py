"""Every write the app makes, one function per flow.

Each function checks the qualité role on the server (:func:`access.require_quality_role`, whatever
the page showed) and hands the name it returns to the store as the author. Pages and the other ui
modules never call a store write themselves, so a write without the check cannot be written
(tests/test_architecture.py checks it). The command line writes through the same store methods
with the author from its own context (``--utilisateur``).

Refusals come as :data:`WRITE_ERRORS` with a French message, for the caller to show.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from pilotage_qualite import startup
from pilotage_qualite.model.batch import ImportBatch, ImportCounts
from pilotage_qualite.model.periods import Period
from pilotage_qualite.store.database import DatabaseBusy, StoreError
from pilotage_qualite.ui import access, context

WRITE_ERRORS = (access.AccessDenied, StoreError, DatabaseBusy)


# --- imports ----------------------------------------------------------------------------------


def apply_import(batch: ImportBatch, remember_mapping: tuple[str, dict] | None = None
                 ) -> tuple[int | None, ImportCounts, bool]:
    """Write a confirmed file (never twice the same content); with ``remember_mapping``
    (header signature, mapping made by hand), keep the mapping for the next files of that shape.
    Returns (import id or None when already imported, counts, whether the mapping was kept)."""
    author = access.require_quality_role()
    store = context.store()
    import_id, counts = store.apply(batch, author=author)
    if import_id is None or remember_mapping is None:
        return import_id, counts, False
    signature, mapping = remember_mapping
    store.save_mapping(batch.dataset, signature, mapping, author=author)
    return import_id, counts, True


def undo_import(import_id: int) -> int:
    """Undo an import; returns the number of rows it had replaced that come back."""
    return context.store().undo(import_id, author=access.require_quality_role())


def kept_file(import_id: int) -> bytes:
    """The original file as uploaded: it may hold the personal columns dropped on import, so
    only the qualité role reads it."""
    access.require_quality_role()
    return context.store().kept_file(import_id)[1]


def empty_demo(with_own_imports: list[int]) -> int:
    """Undo every demo import, and these imports of one's own the user confirmed, in one
    transaction; returns how many were undone (refused: :class:`startup.DemoMixed`)."""
    return startup.empty_demo(context.store(), author=access.require_quality_role(), with_own_imports=with_own_imports)


# --- catalogue and analyses ----------------------------------------------------------------------


def set_target(indicator_id: str, start: dt.date, cible: float | None, seuil: float | None) -> None:
    context.store().set_target(indicator_id, start, cible, seuil, author=access.require_quality_role())


def add_indicators(definitions: dict[str, str]) -> None:
    """Keep indicators added in the app (their YAML text by id), already checked by the caller."""
    context.store().add_indicator_definitions(definitions, author=access.require_quality_role())


def add_comment(indicator_id: str, period_label: str, site: str | None, text: str) -> str:
    """Record an analysis; returns the author's name (the confirmation says who wrote it)."""
    author = access.require_quality_role()
    context.store().add_comment(indicator_id, period_label, site, text, author=author)
    return author


def record_event(day: dt.date, label: str, *, indicator: str | None, dataset: str | None,
                 process_change: bool) -> str:
    """Record an event on an indicator or a dataset; returns the author's name."""
    author = access.require_quality_role()
    context.store().record_event(day, label, indicator=indicator, dataset=dataset, process_change=process_change,
                                 author=author)
    return author


def withdraw_event(event_id: int) -> None:
    context.store().withdraw_event(event_id, author=access.require_quality_role())


# --- committee meetings --------------------------------------------------------------------------


def create_meeting(day: dt.date, grain: str, period_label: str, site: str | None) -> int:
    return context.store().create_meeting(day, grain, period_label, site, author=access.require_quality_role())


def set_participants(meeting_id: int, names: list[str]) -> None:
    context.store().set_participants(meeting_id, names, author=access.require_quality_role())


def add_note(meeting_id: int, point: int, text: str) -> None:
    context.store().add_note(meeting_id, point, text, author=access.require_quality_role())


def add_decision(meeting_id: int, text: str, *, pilote: str | None, echeance: dt.date | None,
                 create_action: bool, indicateurs: list[str]) -> dict:
    return context.store().add_decision(meeting_id, text, author=access.require_quality_role(), pilote=pilote,
                                        echeance=echeance, create_action=create_action, indicateurs=indicateurs)


def correct_meeting(meeting_id: int, day: dt.date, period: Period) -> None:
    context.store().correct_meeting(meeting_id, day, period.grain, period.label, author=access.require_quality_role())


def correct_decision(decision_id: int, text: str | None) -> None:
    """A corrected text, or (None) the withdrawal, of a decision of an open meeting."""
    context.store().correct_decision(decision_id, text, author=access.require_quality_role())


def close_meeting(meeting_id: int, record: Callable[[], dict[str, str]]) -> str:
    """Close with the record of what the meeting showed (built once the role is checked)."""
    author = access.require_quality_role()
    return context.store().close_meeting(meeting_id, author=author, record=record())


def archive_pack(meeting_id: int, make_pdf: Callable[[], bytes]) -> int:
    """Produce the pack (a few seconds) once the role is checked, and archive it with the meeting."""
    author = access.require_quality_role()
    return context.store().archive_pack(meeting_id, make_pdf(), author=author)
