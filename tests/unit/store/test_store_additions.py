"""Store additions written from the app: comments, remembered column mappings, target changes,
added indicators, and the reads of the Données page (undo preview, browser, monthly counts)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pilotage_qualite.model.batch import ImportBatch
from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.store import Store
from pilotage_qualite.store.database import StoreError

D = dt.date


@pytest.fixture
def store(tmp_path: Path) -> Store:
    created = Store(tmp_path / "base.duckdb", load_datasets(), busy_timeout_s=5)
    created.initialise()
    return created


def complaints(store: Store, rows: list[tuple], content: bytes) -> ImportBatch:
    frame = pd.DataFrame([{"numero": n, "date_reception": d, "site": s} for n, d, s in rows])
    frame["_ligne"] = range(2, 2 + len(frame))
    for column in store.datasets["reclamations"].column_names:
        if column not in frame:
            frame[column] = None
    return ImportBatch("reclamations", "registre.xlsx", content, frame)


def test_comments_are_append_only_and_the_latest_is_shown(store: Store):
    first = store.add_comment("REC-03", "2026-10", None, "Deux réponses tardives.", author="qualité (local)")
    store.add_comment("REC-03", "2026-10", "Lyon 8e", "Lyon 8e : une réponse tardive.", author="qualité (local)")
    second = store.add_comment("REC-03", "2026-10", None, "Deux réponses tardives, relance faite.", author="A. Martin")
    assert second > first
    latest = store.latest_comments(periode="2026-10")
    assert len(latest) == 2
    ensemble = latest[latest["site"].isna()].iloc[0]
    assert (ensemble["texte"], ensemble["auteur"]) == ("Deux réponses tardives, relance faite.", "A. Martin")
    history = store.comment_history("REC-03", "2026-10", None)
    assert list(history["texte"]) == ["Deux réponses tardives, relance faite.", "Deux réponses tardives."]
    assert list(store.comment_history("REC-03", "2026-10", "Lyon 8e")["texte"]) == ["Lyon 8e : une réponse tardive."]
    assert store.latest_comments(periode="2026-09").empty
    assert len(store.latest_comments(indicateur="REC-03")) == 2


def test_an_empty_comment_is_refused(store: Store):
    with pytest.raises(StoreError, match="vide"):
        store.add_comment("REC-03", "2026-10", None, "   ", author="qualité (local)")
    assert store.latest_comments().empty


def test_every_app_write_bumps_the_version(store: Store):
    versions = [store.version()]
    store.add_comment("REC-03", "2026-10", None, "Analyse.", author="qualité (local)")
    versions.append(store.version())
    store.set_target("REC-03", D(2026, 10, 1), 85, 70, author="qualité (local)")
    versions.append(store.version())
    store.add_indicator_definitions({"REC-09": "- id: REC-09\n"}, author="qualité (local)")
    versions.append(store.version())
    assert len(set(versions)) == 4


def test_target_changes_are_kept_with_their_start_date(store: Store):
    store.set_target("REC-03", D(2026, 10, 1), 85, 70, author="qualité (local)")
    store.set_target("REC-03", D(2027, 1, 1), None, None, author="qualité (local)")
    changes = store.target_changes()
    assert list(changes["date_debut"].dt.date) == [D(2026, 10, 1), D(2027, 1, 1)]
    assert changes["cible"].iloc[0] == 85 and pd.isna(changes["cible"].iloc[1])
    with pytest.raises(StoreError):
        store.set_target("REC-03", None, 85, 70, author="qualité (local)")


def test_remembered_mappings_latest_set_per_signature(store: Store):
    store.save_mapping("reclamations", "abc", {"dossier": "numero", "arrivee": "date_reception"}, author="qualité (local)")
    store.save_mapping("reclamations", "abc", {"dossier": "numero", "arrivee": "date_reception", "lieu": "site",
                                               "note": None}, author="qualité (local)")
    store.save_mapping("activite", "def", {"jour j": "date"}, author="qualité (local)")
    remembered = store.remembered_mappings()
    assert set(remembered) == {"abc", "def"}
    assert remembered["abc"]["jeu"] == "reclamations"
    assert remembered["abc"]["correspondance"] == {"arrivee": "date_reception", "dossier": "numero", "lieu": "site",
                                                   "note": None}
    assert remembered["def"]["auteur"] == "qualité (local)"


def test_a_mapping_to_an_unknown_column_is_refused(store: Store):
    with pytest.raises(StoreError, match="inconnue"):
        store.save_mapping("reclamations", "abc", {"dossier": "numero_dossier"}, author="qualité (local)")
    with pytest.raises(StoreError, match="inconnu"):
        store.save_mapping("plannings", "abc", {"dossier": "numero"}, author="qualité (local)")
    assert store.remembered_mappings() == {}


def test_added_indicators_are_kept_once(store: Store):
    store.add_indicator_definitions({"REC-09": "- id: REC-09\n  titre: Essai\n"}, author="qualité (local)")
    with pytest.raises(StoreError, match="déjà"):
        store.add_indicator_definitions({"REC-09": "- id: REC-09\n"}, author="qualité (local)")
    added = store.added_indicators()
    assert list(added["indicateur"]) == ["REC-09"] and added["auteur"].iloc[0] == "qualité (local)"


def test_undo_preview_says_what_would_change_without_writing(store: Store):
    first, _ = store.apply(complaints(store, [("R1", D(2026, 10, 1), "Lyon 8e"), ("R2", D(2026, 10, 2), "Lyon 9e")],
                                      b"one"), author="t")
    second, _ = store.apply(complaints(store, [("R2", D(2026, 10, 3), "Lyon 9e"), ("R3", D(2026, 10, 4), "Lyon 9e")],
                                       b"two"), author="t")
    preview = store.undo_preview(second)
    assert (preview["lignes_retirees"], preview["lignes_retablies"], preview["bloque_par"]) == (2, 1, None)
    assert store.undo_preview(first)["bloque_par"] == second
    assert store.journal()["etat"].tolist() == ["appliqué", "appliqué"]
    store.undo(second, author="t")
    assert store.undo_preview(second)["lignes_retirees"] == 0
    with pytest.raises(StoreError):
        store.undo_preview(99)


def test_browse_filters_live_rows_and_names_their_file(store: Store):
    store.apply(complaints(store, [("R1", D(2026, 9, 30), "Lyon 8e"), ("R2", D(2026, 10, 2), "Lyon 9e"),
                                   ("R3", D(2026, 10, 20), "Lyon 9e")], b"one"), author="t")
    rows, total = store.browse("reclamations", site="Lyon 9e", date_from=D(2026, 10, 1), date_to=D(2026, 10, 31))
    assert total == 2 and list(rows["numero"]) == ["R3", "R2"]
    assert {"fichier", "ligne", "import"} <= set(rows.columns) and rows["fichier"].iloc[0] == "registre.xlsx"
    rows, total = store.browse("reclamations", limit=1)
    assert total == 3 and len(rows) == 1
    with pytest.raises(StoreError):
        store.browse("inconnu")


def test_monthly_counts_per_site(store: Store):
    store.apply(complaints(store, [("R1", D(2026, 8, 30), "Lyon 8e"), ("R2", D(2026, 10, 2), "Lyon 8e"),
                                   ("R3", D(2026, 10, 20), "Lyon 9e")], b"one"), author="t")
    counts = store.monthly_counts("reclamations")
    assert [(s, m.date() if hasattr(m, "date") else m, n) for s, m, n in counts.itertuples(index=False)] == [
        ("Lyon 8e", D(2026, 8, 1), 1), ("Lyon 8e", D(2026, 10, 1), 1), ("Lyon 9e", D(2026, 10, 1), 1)]
    assert store.monthly_counts("documents").empty


def test_initialise_adds_the_new_tables_to_an_existing_base(tmp_path: Path):
    path = tmp_path / "ancienne.duckdb"
    store = Store(path, load_datasets(), busy_timeout_s=5)
    store.initialise()
    with duckdb.connect(str(path)) as conn:  # a base made by older code, before these tables existed
        for table in ("commentaires", "correspondances", "indicateurs_ajoutes"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("UPDATE schema_empreinte SET empreinte = 'code plus ancien'")
    store.initialise()
    store.add_comment("REC-03", "2026-10", None, "Analyse.", author="qualité (local)")
    store.initialise()  # idempotent: nothing lost
    assert len(store.latest_comments()) == 1
