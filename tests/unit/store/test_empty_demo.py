"""Emptying the demo is one transaction: the demo goes whole, or nothing changes and the own
imports in the way are named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from pilotage_qualite import startup
from pilotage_qualite.model.batch import ImportBatch
from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.store import Store, imports
from pilotage_qualite.store.database import APPLIED, UNDONE
from pilotage_qualite.store.imports import UndoBlocked


def complaints(store: Store, numbers: list[str], content: bytes) -> ImportBatch:
    """A register of complaints, each received on 2 January 2025, every declared column present."""
    frame = pd.DataFrame({"numero": numbers, "date_reception": dt.date(2025, 1, 2), "site": "Lyon 8e",
                          "_ligne": range(2, 2 + len(numbers))})
    for column in store.datasets["reclamations"].column_names:
        if column not in frame:
            frame[column] = None
    return ImportBatch("reclamations", "registre_reclamations.xlsx", content, frame)


@pytest.fixture
def mixed(tmp_path: Path) -> Store:
    """Demo imports n° 1 (R1, R2) and n° 2 (R2, R3: replaces R2 of n° 1); the user's n° 3 (R3, R9)
    replaces R3 of demo n° 2; the user's n° 4 (R50) replaces nothing."""
    store = Store(tmp_path / "base.duckdb", load_datasets(), busy_timeout_s=5)
    store.initialise()
    store.apply(complaints(store, ["R1", "R2"], b"demo 1"), author=startup.DEMO_USER)
    store.apply(complaints(store, ["R2", "R3"], b"demo 2"), author=startup.DEMO_USER)
    store.apply(complaints(store, ["R3", "R9"], b"own 3"), author="qualité")
    store.apply(complaints(store, ["R50"], b"own 4"), author="qualité")
    return store


def states(store: Store) -> list[str]:
    return list(store.journal()["etat"])


def live_numbers(store: Store) -> list[str]:
    return sorted(store.live_rows("reclamations")["numero"])


def test_an_own_import_replacing_demo_rows_stops_the_emptying_before_anything_changes(mixed: Store):
    with pytest.raises(startup.DemoMixed) as refused:
        startup.empty_demo(mixed, author="qualité")
    message = str(refused.value)
    assert ("l'import n° 3 (registre_reclamations.xlsx, réclamations) remplace des lignes de la démonstration"
            in message)
    assert "rien n'a été modifié" in message and "Annulez d'abord vos imports" in message
    assert [b.import_id for b in refused.value.blocking] == [3]
    assert states(mixed) == [APPLIED] * 4
    # Live before and after: R1 (n° 1), R2 and R3 replaced by n° 2 then n° 3, R9 (n° 3), R50 (n° 4).
    assert live_numbers(mixed) == ["R1", "R2", "R3", "R50", "R9"]
    assert startup.demo_is_loaded(mixed)


def test_confirmed_the_own_import_in_the_way_goes_with_the_demo_and_the_others_stay(mixed: Store):
    assert startup.empty_demo(mixed, author="qualité", with_own_imports=[3]) == 3
    assert states(mixed) == [UNDONE, UNDONE, UNDONE, APPLIED]
    assert live_numbers(mixed) == ["R50"]  # R3 of demo n° 2, revived by undoing n° 3, is undone with it
    assert not startup.demo_is_loaded(mixed)


def test_once_the_own_import_is_undone_the_demo_empties_alone(mixed: Store):
    mixed.undo(3, author="qualité")
    assert startup.empty_demo(mixed, author="qualité") == 2
    assert states(mixed) == [UNDONE, UNDONE, UNDONE, APPLIED]
    assert live_numbers(mixed) == ["R50"]


def test_an_import_blocking_the_one_in_the_way_is_named_too_and_must_be_confirmed_too(mixed: Store):
    mixed.apply(complaints(mixed, ["R9"], b"own 5"), author="qualité")  # n° 5 replaces R9 of n° 3
    with pytest.raises(UndoBlocked) as blocked:
        mixed.undo_together([1, 2], author="qualité")
    assert [b.import_id for b in blocked.value.blocking] == [3, 5]
    # Confirming n° 3 alone is not enough: the refusal names both again, nothing changes.
    with pytest.raises(startup.DemoMixed) as refused:
        startup.empty_demo(mixed, author="qualité", with_own_imports=[3])
    assert [b.import_id for b in refused.value.blocking] == [3, 5]
    assert states(mixed) == [APPLIED] * 5
    assert startup.empty_demo(mixed, author="qualité", with_own_imports=[3, 5]) == 4
    assert states(mixed) == [UNDONE, UNDONE, UNDONE, APPLIED, UNDONE]
    assert live_numbers(mixed) == ["R50"]


def test_a_failure_half_way_undoes_nothing(mixed: Store, monkeypatch):
    mixed.undo(3, author="qualité")
    real_undo, calls = imports._undo_in, []

    def failing_second(conn, import_id, author):
        calls.append(import_id)
        if len(calls) == 2:
            raise RuntimeError("disque plein")
        return real_undo(conn, import_id, author)

    monkeypatch.setattr(imports, "_undo_in", failing_second)
    with pytest.raises(RuntimeError):
        startup.empty_demo(mixed, author="qualité")
    assert calls == [2, 1]  # n° 2 was undone first, then n° 1 failed: n° 2's undo is rolled back
    assert states(mixed) == [APPLIED, APPLIED, UNDONE, APPLIED]
    assert startup.demo_is_loaded(mixed)
