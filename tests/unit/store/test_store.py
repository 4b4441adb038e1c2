"""The store: append-only history with provenance, replacement rules, undo, crashes, concurrency."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from holder import hold_database

from pilotage_qualite.model.batch import ImportBatch
from pilotage_qualite.model.coverage import Coverage, CoveredSpan, RegisterHistory
from pilotage_qualite.model.datasets import load_datasets, parse_dataset
from pilotage_qualite.store import Store
from pilotage_qualite.store.database import DatabaseBusy, SchemaMismatch, StoreError

REPO = Path(__file__).resolve().parents[3]
D = dt.date


def make_batch(store: Store, dataset: str, rows: list[dict], content: bytes, **extra) -> ImportBatch:
    """A validated batch as the import pipeline hands it over: every declared column present."""
    frame = pd.DataFrame(rows)
    for i, _ in enumerate(rows):
        frame.loc[i, "_ligne"] = rows[i].get("_ligne", i + 2)
    for column in store.datasets[dataset].column_names:
        if column not in frame:
            frame[column] = None
    return ImportBatch(dataset, f"{dataset}.xlsx", content, frame, **extra)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    created = Store(tmp_path / "base.duckdb", load_datasets(), busy_timeout_s=5)
    created.initialise()
    return created


def live(store: Store, dataset: str, columns: list[str]) -> list[tuple]:
    frame = store.live_rows(dataset)
    return sorted(tuple(None if pd.isna(v) else v for v in row) for row in frame[columns].itertuples(index=False))


def complaint(numero: str, received: dt.date, site: str = "Lyon 8e", **more) -> dict:
    return {"numero": numero, "date_reception": received, "site": site, **more}


def test_round_trip_keeps_provenance_and_the_file(store: Store):
    batch = make_batch(store, "reclamations", [
        complaint("R1", D(2025, 1, 2), fondee=True, _ligne=5),
        complaint("R2", D(2025, 1, 3), _ligne=6),
    ], b"first file", sheet="Registre", header_row=4,
        rejected=pd.DataFrame([{"ligne": 7, "colonne": "Date de réception", "valeur": "31/02/2025",
                                "message": "« 31/02/2025 » n'est pas une date valide"}]))
    import_id, counts = store.apply(batch, author="qualite")
    assert (import_id, counts.added, counts.replaced, counts.rejected, counts.read) == (1, 2, 0, 1, 3)
    rows = store.live_rows("reclamations")
    assert list(rows["_import_id"]) == [1, 1]
    assert list(rows["_ligne"]) == [5, 6]
    assert rows.loc[rows["numero"] == "R1", "fondee"].item() is True or rows.loc[0, "fondee"]
    entry = store.journal().iloc[0]
    assert (entry["fichier"], entry["feuille"], entry["ligne_entete"], entry["utilisateur"]) == (
        "reclamations.xlsx", "Registre", 4, "qualite")
    assert entry["etat"] == "appliqué" and entry["taille"] == len(b"first file")
    rejected = store.rejected_rows(1)
    assert list(rejected["ligne"]) == [7] and rejected.loc[0, "valeur"] == "31/02/2025"
    assert store.kept_file(1) == ("reclamations.xlsx", b"first file")
    # Kept under its content hash, never under the name the user gave it.
    assert (store.kept_files_dir / batch.content_hash).exists()


def test_same_file_twice_is_not_loaded_again(store: Store):
    batch = make_batch(store, "reclamations", [complaint("R1", D(2025, 1, 2))], b"same bytes")
    store.apply(batch, author="q")
    assert store.preview(batch).already_imported_as == 1
    import_id, counts = store.apply(batch, author="q")
    assert import_id is None and counts.already_imported_as == 1 and counts.added == 0
    assert len(store.journal()) == 1 and len(store.live_rows("reclamations")) == 1


def test_keyed_dataset_is_upserted_and_history_kept(store: Store):
    store.apply(make_batch(store, "reclamations", [
        complaint("R1", D(2025, 1, 2)), complaint("R2", D(2025, 1, 3))], b"a"), author="q")
    newer = make_batch(store, "reclamations", [
        complaint("R2", D(2025, 1, 3), date_reponse=D(2025, 1, 10)), complaint("R3", D(2025, 2, 1))], b"b")
    preview = store.preview(newer)
    assert (preview.added, preview.replaced) == (2, 1)
    assert store.apply(newer, author="q")[1].replaced == 1
    assert live(store, "reclamations", ["numero", "date_reponse", "_import_id"]) == [
        ("R1", None, 1), ("R2", pd.Timestamp("2025-01-10"), 2), ("R3", None, 2)]
    with store.connect() as conn:  # nothing deleted: the old R2 is kept, marked replaced by import 2
        assert conn.execute("SELECT _import_id, _remplace_par FROM historique_reclamations "
                            "WHERE numero = 'R2' ORDER BY _import_id").fetchall() == [(1, 2), (2, None)]


def incident(day: dt.date, site: str, kind: str = "menace") -> dict:
    return {"date": day, "site": site, "type": kind}


def test_keyless_dataset_is_replaced_by_window_and_site(store: Store):
    store.apply(make_batch(store, "incidents", [
        incident(D(2025, 1, 10), "Lyon 8e"), incident(D(2025, 2, 10), "Lyon 8e"),
        incident(D(2025, 3, 10), "Lyon 8e"), incident(D(2025, 2, 12), "Saint-Étienne"),
    ], b"q1"), author="q")
    # A February file for Lyon 8e only: replaces Lyon's rows dated 2025-02-01..2025-02-20,
    # not Saint-Étienne's, not January or March.
    february = make_batch(store, "incidents", [
        incident(D(2025, 2, 1), "Lyon 8e", "agression verbale"),
        incident(D(2025, 2, 20), "Lyon 8e", "agression verbale")], b"feb")
    assert store.preview(february).replaced == 1
    store.apply(february, author="q")
    assert live(store, "incidents", ["date", "site", "type"]) == [
        (pd.Timestamp("2025-01-10"), "Lyon 8e", "menace"),
        (pd.Timestamp("2025-02-01"), "Lyon 8e", "agression verbale"),
        (pd.Timestamp("2025-02-12"), "Saint-Étienne", "menace"),
        (pd.Timestamp("2025-02-20"), "Lyon 8e", "agression verbale"),
        (pd.Timestamp("2025-03-10"), "Lyon 8e", "menace"),
    ]


def test_undo_removes_rows_and_revives_what_was_replaced(store: Store):
    store.apply(make_batch(store, "reclamations", [complaint("R1", D(2025, 1, 2), site="A")], b"a"), author="q")
    store.apply(make_batch(store, "reclamations", [complaint("R1", D(2025, 1, 2), site="B"),
                                                   complaint("R2", D(2025, 1, 5))], b"b"), author="q")
    assert store.undo(2, author="q") == 1
    assert live(store, "reclamations", ["numero", "site"]) == [("R1", "A")]
    entry = store.journal().set_index("id").loc[2]
    assert entry["etat"] == "annulé" and entry["annule_par"] == "q"
    with pytest.raises(StoreError, match="déjà annulé"):
        store.undo(2, author="q")
    with pytest.raises(StoreError, match="n'existe pas"):
        store.undo(99, author="q")
    # The same file can be imported again once its import was undone.
    assert store.apply(make_batch(store, "reclamations", [complaint("R1", D(2025, 1, 2), site="B"),
                                                          complaint("R2", D(2025, 1, 5))], b"b"),
                       author="q")[0] == 3


def test_undo_refused_while_a_later_import_replaced_its_rows(store: Store):
    store.apply(make_batch(store, "reclamations", [complaint("R1", D(2025, 1, 2), site="A")], b"a"), author="q")
    store.apply(make_batch(store, "reclamations", [complaint("R1", D(2025, 1, 2), site="B")], b"b"), author="q")
    with pytest.raises(StoreError, match="Annulez d'abord l'import n° 2"):
        store.undo(1, author="q")
    store.undo(2, author="q")
    store.undo(1, author="q")
    assert store.live_rows("reclamations").empty


def test_version_changes_with_every_write(store: Store):
    before = store.version()
    store.apply(make_batch(store, "reclamations", [complaint("R1", D(2025, 1, 2))], b"a"), author="q")
    after_import = store.version()
    store.undo(1, author="q")
    assert len({before, after_import, store.version()}) == 3


def test_schema_migrates_from_the_declarations(tmp_path: Path):
    def declared(extra_columns: list[dict]):
        return {"essai": parse_dataset({
            "nom": "essai", "libelle": "Essai", "date_reference": "date", "couverture": "export",
            "colonnes": [{"nom": "date", "type": "date", "requis": True}, *extra_columns]}, "essai.yaml")}

    Store(tmp_path / "b.duckdb", declared([])).initialise()
    grown = Store(tmp_path / "b.duckdb", declared([{"nom": "quantite", "type": "entier"}]))
    grown.initialise()
    assert list(grown.live_rows("essai").columns) == ["date", "quantite", "_import_id", "_ligne"]
    changed = Store(tmp_path / "b.duckdb", declared([{"nom": "quantite", "type": "texte"}]))
    with pytest.raises(SchemaMismatch, match="colonne « quantite »"):
        changed.initialise()


CRASHING_IMPORT = textwrap.dedent("""
    import datetime as dt, os, signal, sys
    sys.path.insert(0, {repo!r})
    sys.path.insert(0, {tests!r})
    sys.path.insert(0, {fixtures!r})  # test_store imports a shared helper from tests/fixtures
    import duckdb
    import pilotage_qualite.store.database as connections
    from pilotage_qualite.model.datasets import load_datasets
    from pilotage_qualite.store import Store
    from test_store import make_batch, complaint

    class DyingAtCommit:
        \"\"\"A connection whose process dies when asked to COMMIT: the rows are written and the older
        rows marked replaced, nothing is committed.\"\"\"
        def __init__(self, conn):
            self._conn = conn
        def execute(self, sql, *args):
            if sql.strip().upper() == "COMMIT":
                os.kill(os.getpid(), signal.SIGKILL)
            return self._conn.execute(sql, *args)
        def __getattr__(self, name):
            return getattr(self._conn, name)

    class Shim:
        IOException = duckdb.IOException
        @staticmethod
        def connect(*args, **kwargs):
            return DyingAtCommit(duckdb.connect(*args, **kwargs))

    connections.duckdb = Shim  # the store opens the file in that module only
    store = Store({db!r}, load_datasets())
    store.apply(make_batch(store, "reclamations",
        [complaint("R1", dt.date(2025, 1, 2), site="CRASH"), complaint("R9", dt.date(2025, 1, 9))],
        b"crash"), author="q")
""")


def test_a_killed_import_leaves_previous_data_intact(store: Store):
    store.apply(make_batch(store, "reclamations", [complaint("R1", D(2025, 1, 2), site="A")], b"a"), author="q")
    script = CRASHING_IMPORT.format(repo=str(REPO), tests=str(Path(__file__).parent),
                                   fixtures=str(REPO / "tests" / "fixtures"), db=str(store.path))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert live(store, "reclamations", ["numero", "site"]) == [("R1", "A")]
    assert list(store.journal()["id"]) == [1]
    assert store.apply(make_batch(store, "reclamations", [complaint("R2", D(2025, 1, 3))], b"b"),
                       author="q")[0] == 2


def test_a_write_waits_for_another_process_then_succeeds(store: Store):
    holder = hold_database(store.path, 1.5)
    started = time.monotonic()
    import_id, _ = store.apply(make_batch(store, "reclamations", [complaint("R1", D(2025, 1, 2))], b"a"), author="q")
    assert import_id == 1 and time.monotonic() - started >= 0.5
    holder.wait(timeout=30)
    assert len(store.live_rows("reclamations")) == 1


def test_a_busy_database_gives_a_french_message_after_a_bounded_wait(store: Store):
    holder = hold_database(store.path, 5)
    impatient = Store(store.path, store.datasets, busy_timeout_s=0.5)
    with pytest.raises(DatabaseBusy, match="utilisée par un autre programme"):
        impatient.journal()
    holder.kill()
    holder.wait()


def test_threads_read_while_one_writes(store: Store):
    errors: list[BaseException] = []
    seen: list[int] = []

    def read_repeatedly():
        try:
            for _ in range(20):
                seen.append(len(store.live_rows("reclamations")))
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    readers = [threading.Thread(target=read_repeatedly) for _ in range(4)]
    for reader in readers:
        reader.start()
    for i in range(10):
        store.apply(make_batch(store, "reclamations", [complaint(f"R{i}", D(2025, 1, 2))], f"f{i}".encode()),
                    author="q")
    for reader in readers:
        reader.join()
    assert not errors
    assert set(seen) <= set(range(11))
    assert len(store.live_rows("reclamations")) == 10 and len(store.journal()) == 10


def test_rows_keep_their_types(store: Store):
    store.apply(make_batch(store, "reclamations", [complaint("R1", D(2025, 1, 2), fondee=False)], b"a"),
                author="q")
    with store.connect() as conn:
        types = dict(conn.execute("SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_name = 'reclamations'").fetchall())
    assert types["date_reception"] == "DATE" and types["fondee"] == "BOOLEAN"
    assert os.path.exists(store.path)


def test_a_current_schema_is_not_rewritten_at_each_start(tmp_path: Path):
    """Start-up cost: the second initialise of an unchanged base writes nothing."""
    store = Store(tmp_path / "b.duckdb", load_datasets())
    store.initialise()
    with store.connect() as conn:
        recorded = conn.execute("SELECT count(*) FROM schema_empreinte").fetchall()[0][0]
    store.initialise()
    Store(tmp_path / "b.duckdb", load_datasets()).initialise()
    with store.connect() as conn:
        assert conn.execute("SELECT count(*) FROM schema_empreinte").fetchall()[0][0] == recorded == 1


def test_version_follows_writes_of_another_process_without_reopening_an_untouched_base(tmp_path: Path,
                                                                                      monkeypatch):
    """Page caches key on version(): an untouched file is trusted (no connection opened),
    a write elsewhere (another Store stands for another process) is seen at once."""
    import pilotage_qualite.store.database as store_module

    monkeypatch.setattr(store_module, "FILE_STATE_SETTLE_S", 0.0)
    path = tmp_path / "b.duckdb"
    app = Store(path, load_datasets())
    app.initialise()
    before = app.version()
    monkeypatch.setattr(app, "connect", lambda: pytest.fail("an untouched base was opened"))
    with app.pinned():
        assert app.version() == before  # served from the file's state: nothing opened
    monkeypatch.undo()
    monkeypatch.setattr(store_module, "FILE_STATE_SETTLE_S", 0.0)
    command_line = Store(path, load_datasets())
    command_line.add_comment("REC-03", "2026-10", None, "Analyse écrite ailleurs.", author="qualité")
    assert app.version() != before


def test_a_file_changed_just_now_is_always_read(tmp_path: Path):
    app = Store(tmp_path / "b.duckdb", load_datasets())
    app.initialise()
    app.version()
    openings = []
    real = app.connect
    app.connect = lambda: openings.append(1) or real()
    app.version()  # the file was written less than FILE_STATE_SETTLE_S ago
    assert openings == [1]


# --- coverage kept in the journal with each import, gone with an undo, rebuilt for older bases ---


def test_an_import_keeps_what_it_covers_and_an_undo_takes_it_away(store: Store):
    batch = make_batch(store, "incidents", [incident(D(2026, 7, 3), "Lyon 8e")], b"july",
                       coverage=CoveredSpan(D(2026, 1, 1), D(2026, 8, 10)))
    store.apply(batch, author="q")
    corrected = make_batch(store, "incidents", [incident(D(2026, 9, 3), "Lyon 9e")], b"sept",
                           coverage=CoveredSpan(D(2026, 9, 1), D(2026, 9, 30), ("Lyon 9e",)),
                           coverage_corrected=True)
    store.apply(corrected, author="q")
    coverage = store.coverage()
    assert coverage.spans["incidents"] == [CoveredSpan(D(2026, 1, 1), D(2026, 8, 10)),
                                           CoveredSpan(D(2026, 9, 1), D(2026, 9, 30), ("Lyon 9e",))]
    assert list(coverage.sites) == ["Lyon 8e", "Lyon 9e"]
    assert list(store.coverage_journal()["origine"]) == ["fichier", "corrigée"]
    store.undo(2, author="q")
    assert store.coverage().spans["incidents"] == [CoveredSpan(D(2026, 1, 1), D(2026, 8, 10))]


def test_a_base_from_before_coverage_gets_it_rebuilt_from_the_rows_of_each_import(tmp_path: Path):
    path = tmp_path / "ancienne.duckdb"
    old = Store(path, load_datasets(), busy_timeout_s=5)
    old.initialise()
    old.apply(make_batch(old, "incidents", [incident(D(2026, 2, 14), "Lyon 8e"), incident(D(2026, 8, 10), "Lyon 8e")],
                         b"old"), author="q")
    old.apply(make_batch(old, "activite", [{"date": D(2026, 3, 5), "site": "Lyon 8e", "registre": "accompagnement",
                                            "nb_personnes": 1, "orientation": False}], b"act"), author="q")
    # The base as an earlier version left it: no coverage table, an older schema fingerprint.
    with duckdb.connect(str(path)) as conn:
        conn.execute("DROP TABLE couvertures")
        conn.execute("DELETE FROM schema_empreinte")
    reopened = Store(path, load_datasets(), busy_timeout_s=5)
    reopened.initialise()
    # a register: from its first date's month to its last date; an export: whole months
    assert reopened.coverage().spans == {"incidents": [CoveredSpan(D(2026, 2, 1), D(2026, 8, 10))],
                                         "activite": [CoveredSpan(D(2026, 3, 1), D(2026, 3, 31))]}
    assert set(reopened.coverage_journal()["origine"]) == {"reprise"}


def test_coverage_gives_each_register_its_applied_imports_and_their_extraction_day(store: Store):
    """What the engine needs to read a register as known at a period's end (model.coverage.RegisterHistory)."""
    store.apply(make_batch(store, "incidents", [incident(D(2026, 7, 3), "Lyon 8e")], b"july",
                           coverage=CoveredSpan(D(2026, 1, 1), D(2026, 8, 10))), author="q")
    store.apply(make_batch(store, "incidents", [incident(D(2026, 9, 3), "Lyon 8e")], b"no coverage"), author="q")
    store.apply(make_batch(store, "incidents", [incident(D(2026, 10, 3), "Lyon 8e")], b"undone",
                           coverage=CoveredSpan(D(2026, 10, 1), D(2026, 10, 31))), author="q")
    store.undo(3, author="q")
    store.apply(make_batch(store, "activite", [{"date": D(2026, 3, 5), "site": "Lyon 8e", "registre": "accompagnement",
                                                "nb_personnes": 1, "orientation": False}], b"act",
                           coverage=CoveredSpan(D(2026, 3, 1), D(2026, 3, 31))), author="q")
    # import 2 recorded no coverage (no extraction day), import 3 is undone; activite is no register
    assert store.coverage().registers == {
        "incidents": RegisterHistory("historique_incidents", ((1, D(2026, 8, 10)), (2, None)))}


def test_a_batch_without_coverage_covers_nothing(store: Store):
    """An action opened by a committee decision says nothing of what the plan covers."""
    store.apply(make_batch(store, "incidents", [incident(D(2026, 7, 3), "Lyon 8e")], b"x"), author="q")
    assert store.coverage() == Coverage({}, ["Lyon 8e"])
