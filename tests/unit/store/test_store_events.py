"""Events recorded on an indicator or a dataset: append-only, a withdrawal is a later row of the
same id, and the latest row of an id is the one in force."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.model.events import Event
from pilotage_qualite.store import Store
from pilotage_qualite.store.database import StoreError

D = dt.date
LEAD = "qualité (local)"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    created = Store(tmp_path / "base.duckdb", load_datasets(), busy_timeout_s=5)
    created.initialise()
    return created


def test_record_withdraw_and_the_latest_row_wins(store: Store):
    software = store.record_event(D(2026, 3, 16), "  Changement de logiciel  de suivi ", dataset="reclamations",
                                  process_change=True, author=LEAD)
    desk = store.record_event(D(2026, 2, 2), "Nouvelle procédure d'accueil", indicator="REC-03", author="A. Martin")
    assert (software, desk) == (1, 2)
    shown = store.events()
    assert all(isinstance(e, Event) for e in shown)
    # Oldest first; the label's spaces tidied; each attached to exactly one indicator or dataset.
    assert [(e.id, e.day, e.label, e.process_change, e.author, e.indicator, e.dataset) for e in shown] == [
        (2, D(2026, 2, 2), "Nouvelle procédure d'accueil", False, "A. Martin", "REC-03", None),
        (1, D(2026, 3, 16), "Changement de logiciel de suivi", True, LEAD, None, "reclamations")]
    versions = [store.version()]
    store.withdraw_event(software, author="A. Martin")
    versions.append(store.version())
    assert versions[0] != versions[1]  # a withdrawal moves the version: cached limits are recomputed
    assert [e.id for e in store.events()] == [desk]
    with store.connect() as conn:  # nothing deleted: the withdrawal is a third row, the recorded one stays
        rows = conn.execute("SELECT id, ecriture, retire, auteur FROM evenements ORDER BY ecriture").fetchall()
    assert rows == [(1, 1, False, LEAD), (2, 2, False, "A. Martin"), (1, 3, True, "A. Martin")]


def test_withdrawing_twice_or_an_unknown_event_is_refused(store: Store):
    event_id = store.record_event(D(2026, 3, 16), "Déménagement du site", dataset="activite", author=LEAD)
    store.withdraw_event(event_id, author=LEAD)
    with pytest.raises(StoreError, match="déjà retiré"):
        store.withdraw_event(event_id, author=LEAD)
    with pytest.raises(StoreError, match="introuvable"):
        store.withdraw_event(99, author=LEAD)


@pytest.mark.parametrize("label, options, message", [
    ("   ", {"indicator": "REC-03"}, "libellé de l'événement est obligatoire"),
    ("Nouvelle grille", {}, "exactement l'un des deux"),
    ("Nouvelle grille", {"indicator": "REC-03", "dataset": "reclamations"}, "exactement l'un des deux"),
    ("Nouvelle grille", {"dataset": "inconnu"}, "Jeu de données inconnu"),
    ("x" * 121, {"indicator": "REC-03"}, "dépasse 120 caractères"),
])
def test_a_bad_event_is_refused_and_nothing_is_written(store: Store, label, options, message):
    with pytest.raises(StoreError, match=message):
        store.record_event(D(2026, 3, 16), label, author=LEAD, **options)
    assert store.events() == ()
