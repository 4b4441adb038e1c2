"""Faults: a process killed (SIGKILL) at random points of large imports, during COMMIT's work and
during CHECKPOINT; a backup taken while imports run. After each fault the base opens and every
import is either absent or complete, never half (rows stored = the journal's lignes_ajoutees)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from pilotage_qualite import cli
from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.startup import open_store
from pilotage_qualite.store import Store
from pilotage_qualite.store.backup import DATABASE_NAME, MANIFEST_NAME, backup

REPO = Path(__file__).resolve().parents[2]
ROWS = 300_000  # one import: large enough for DuckDB to write to the file before COMMIT and to checkpoint for a while

# A child process importing large batches in a loop; it says on stdout when each import starts and
# when COMMIT has returned and CHECKPOINT begins, so the parent can kill it at those moments.
IMPORTER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    sys.path.insert(0, {tests!r})
    import duckdb
    import pilotage_qualite.store.database as connections
    from pilotage_qualite.model.datasets import load_datasets
    from pilotage_qualite.store import Store
    from test_reliability import big_batch

    class Marking:
        \"\"\"A DuckDB connection that announces the CHECKPOINT it is about to run.\"\"\"
        def __init__(self, conn):
            self._conn = conn
        def execute(self, sql, *args):
            if sql.strip().upper() == "CHECKPOINT":
                print("checkpoint", flush=True)
            return self._conn.execute(sql, *args)
        def __getattr__(self, name):
            return getattr(self._conn, name)

    class Shim:
        IOException = duckdb.IOException
        Error = duckdb.Error
        DuckDBPyConnection = duckdb.DuckDBPyConnection
        @staticmethod
        def connect(*args, **kwargs):
            return Marking(duckdb.connect(*args, **kwargs))

    connections.duckdb = Shim  # the store opens the file in that module only
    store = Store({db!r}, load_datasets())
    for k in range({first}, {first} + 50):
        print(f"debut {{k}}", flush=True)
        store.apply(big_batch(store, k, {rows}), author="fautes")
        print(f"fait {{k}}", flush=True)
""")


def big_batch(store: Store, k: int, n: int):
    """`n` complaints with keys of their own (import `k`), typed as the import pipeline hands them over."""
    import numpy as np
    import pandas as pd

    from pilotage_qualite.model.batch import ImportBatch

    columns = store.datasets["reclamations"].column_names
    frame = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in columns})
    frame["numero"] = [f"I{k}-{i}" for i in range(n)]
    frame["date_reception"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.arange(n) % 365, unit="D")
    frame["site"] = np.where(np.arange(n) % 2, "Lyon 8e", "Saint-Étienne")
    frame["_ligne"] = np.arange(n) + 2
    return ImportBatch("reclamations", f"gros-{k}.xlsx", f"contenu du fichier {k}".encode(), frame)


def consistent_imports(path: Path) -> dict[int, int]:
    """Open the base as a restarted app would and check it; returns {import id: rows}."""
    store = Store(path, load_datasets(), busy_timeout_s=10)
    store.initialise()  # opening replays DuckDB's write-ahead log
    with store.connect() as conn:
        journal = dict(conn.execute("SELECT id, lignes_ajoutees FROM imports").fetchall())
        stored = dict(conn.execute("SELECT _import_id, count(*) FROM historique_reclamations GROUP BY 1").fetchall())
        hashes = [row[0] for row in conn.execute("SELECT empreinte FROM imports").fetchall()]
        live = conn.execute("SELECT count(*) FROM reclamations").fetchall()[0][0]
    assert stored == {i: n for i, n in journal.items() if n}, "an import is stored half or rows have no journal entry"
    assert live == sum(journal.values())
    assert all((store.kept_files_dir / h).is_file() for h in hashes), "a journal entry without its kept file"
    return journal


def run_until(child: subprocess.Popen, marker: str) -> str:
    while True:
        line = child.stdout.readline()
        if not line:
            raise AssertionError(f"the importer ended before « {marker} »: {child.stderr.read()}")
        if line.strip() == marker or line.strip().startswith(marker):
            return line.strip()


@pytest.mark.slow
def test_imports_killed_at_random_points_are_absent_or_complete(tmp_path: Path):
    db = tmp_path / "base.duckdb"
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    outcomes = []
    committed: set[int] = set()
    first = 1
    for trial in range(12):
        during_checkpoint = trial % 2 == 1
        child = subprocess.Popen(
            [sys.executable, "-c", IMPORTER.format(repo=str(REPO), tests=str(Path(__file__).parent), db=str(db),
                                                   first=first, rows=ROWS)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            if during_checkpoint:
                run_until(child, "checkpoint")  # COMMIT has returned: this import must survive
                committed.add(first)
                delay = rng.uniform(0, 0.15)
            else:
                run_until(child, f"debut {first}")
                delay = rng.uniform(0, 0.9)
            time.sleep(delay)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            child.stdout.close()
            child.stderr.close()
        journal = consistent_imports(db)
        assert committed <= set(journal), f"a committed import was lost (seed {seed})"
        outcomes.append(("checkpoint" if during_checkpoint else "import", round(delay, 3),
                         "complet" if first in journal else "absent"))
        first = max(journal, default=0) + 1  # import ids follow the journal: the next one is this
    print(f"\nseed {seed}: " + "; ".join(f"{kind} +{delay}s → {state}" for kind, delay, state in outcomes))
    # The base still takes imports after all these faults.
    store = Store(db, load_datasets())
    import_id, counts = store.apply(big_batch(store, 999, 10), author="après")
    assert counts.added == 10 and consistent_imports(db)[import_id] == 10


# --- backup ------------------------------------------------------------------------------------------


def check_archive(archive: Path, tmp_path: Path, name: str) -> dict[int, int]:
    """Unpack an archive as the README's restore does, open the base and check it."""
    folder = tmp_path / name
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(folder)
        manifest = json.loads(opened.read(MANIFEST_NAME))
    journal = consistent_imports(folder / DATABASE_NAME)
    assert manifest["imports"] == len(journal) and not manifest["fichiers_absents"]
    return journal


def test_a_backup_taken_while_a_thread_imports_is_consistent(tmp_path: Path):
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(tmp_path / "donnees")})
    store = open_store(settings)
    stop = threading.Event()
    errors: list[BaseException] = []

    done: list[int] = []

    def import_repeatedly():
        k = 0
        try:
            while not stop.is_set():
                k += 1
                store.apply(big_batch(store, k, 20_000), author="planifié")
                done.append(k)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def wait_for_imports(count: int) -> None:
        deadline = time.monotonic() + 60
        while len(done) < count and not errors and time.monotonic() < deadline:
            time.sleep(0.02)

    writer = threading.Thread(target=import_repeatedly)
    writer.start()
    seen = []
    try:
        for i in range(4):
            wait_for_imports((seen[-1] if seen else 0) + 1)  # at least one import more than the last copy
            report = backup(store, settings, tmp_path / f"sauvegarde-{i}.zip")
            seen.append(len(check_archive(report.target, tmp_path, f"restauree-{i}")))
            assert report.kept_files == seen[-1] and not report.with_secret
    finally:
        stop.set()
        writer.join()
    assert not errors
    assert seen == sorted(seen) and seen[-1] > seen[0] > 0  # each copy caught the imports done so far


BURST_OF_IMPORTS = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    sys.path.insert(0, {tests!r})
    from pilotage_qualite.common.settings import load_settings
    from pilotage_qualite.startup import open_store
    from test_reliability import big_batch
    store = open_store(load_settings(environ={{"PILOTAGE_DONNEES": {data!r}}}))
    print("pret", flush=True)
    for k in range(1, 13):
        store.apply(big_batch(store, k, 50_000), author="planifié")
        time.sleep(0.05)
""")


def test_the_backup_command_copies_while_another_process_imports(tmp_path: Path, capsys):
    data = tmp_path / "donnees"
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(data)})
    open_store(settings)
    settings.secret_file.write_bytes(b"0" * 32)
    writer = subprocess.Popen(
        [sys.executable, "-c", BURST_OF_IMPORTS.format(repo=str(REPO), tests=str(Path(__file__).parent), data=str(data))],
        stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "pret"
    time.sleep(0.5)
    archive = tmp_path / "sortie" / "sauvegarde.zip"
    code = cli.main(["--base", str(settings.database), "sauvegarder", "--sortie", str(archive), "--avec-secret"])
    writer.wait(timeout=120)
    assert code == cli.EXIT_OK and writer.returncode == 0
    out = capsys.readouterr().out
    assert "Sauvegarde écrite" in out and "secret d'installation est dans l'archive" in out
    journal = check_archive(archive, tmp_path, "restauree")
    assert 0 < len(journal) <= 12
    with zipfile.ZipFile(archive) as opened:
        assert opened.read("secret.key") == b"0" * 32
    # Without --avec-secret the secret stays out, and the command says where it is.
    assert cli.main(["--base", str(settings.database), "sauvegarder", "--sortie", str(tmp_path / "b.zip")]) == 0
    assert "n'est pas inclus" in capsys.readouterr().out
    with zipfile.ZipFile(tmp_path / "b.zip") as opened:
        assert "secret.key" not in opened.namelist() and len(check_archive(tmp_path / "b.zip", tmp_path, "b")) == 12


def test_a_backup_never_leaves_a_half_archive(tmp_path: Path, capsys):
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(tmp_path)})
    open_store(settings)
    assert cli.main(["--base", str(settings.database), "sauvegarder", "--sortie", str(tmp_path)]) == cli.EXIT_BAD_INPUT
    assert "est un dossier" in capsys.readouterr().err
    assert cli.main(["--base", str(settings.database), "sauvegarder", "--sortie", str(tmp_path / "a.zip"),
                     "--avec-secret"]) == cli.EXIT_BAD_INPUT  # no secret yet: said, nothing written
    assert not (tmp_path / "a.zip").exists() and not list(tmp_path.glob("sauvegarde-*"))


def test_a_copy_opens_with_duckdb_alone(tmp_path: Path):
    """The archive's base is an ordinary DuckDB file: an auditor can open it without the app."""
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(tmp_path / "d")})
    store = open_store(settings)
    store.apply(big_batch(store, 1, 5), author="q")
    report = backup(store, settings, tmp_path / "s.zip")
    with zipfile.ZipFile(report.target) as opened:
        opened.extract(DATABASE_NAME, tmp_path / "x")
    conn = duckdb.connect(str(tmp_path / "x" / DATABASE_NAME), read_only=True)
    try:
        assert conn.execute("SELECT count(*) FROM reclamations").fetchall() == [(5,)]
    finally:
        conn.close()


# --- the app while another program holds the base ---------------------------------------------------

def hold(database: Path, seconds: float) -> subprocess.Popen:
    """Another process (a scheduled command-line import) holding the file for a while."""
    from holder import hold_database  # here: the child scripts import this module without tests/fixtures

    return hold_database(database, seconds)


def dashboard(timeout: float = 120):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
    app.query_params["vue"] = "Tuiles"  # the tiles (the « Vue d'ensemble » is the default): 29 st.metric
    return app


def forget_figures() -> None:
    """Streamlit's caches emptied, as in a new server process."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_app_waits_for_a_briefly_held_base_then_renders(app_env, demo_data_dir, monkeypatch):
    monkeypatch.setenv("PILOTAGE_ATTENTE_BASE", "15")
    app_env(demo_data_dir)
    warm = dashboard().run()
    assert not warm.exception
    database = load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)}).database
    forget_figures()  # a first visit (or a new version of the base) needs the file
    holder = hold(database, 1.5)
    started = time.monotonic()
    app = dashboard().run()
    waited = time.monotonic() - started
    holder.wait(timeout=30)
    assert not app.exception, [e.message for e in app.exception]
    assert len(app.metric) >= 29 and not any("occupée" in e.value for e in app.error)
    assert waited >= 0.8, waited  # it did wait for the other process


def test_a_base_held_too_long_gives_the_french_busy_message(app_env, demo_data_dir, monkeypatch):
    monkeypatch.setenv("PILOTAGE_ATTENTE_BASE", "1")
    app_env(demo_data_dir)
    assert not dashboard().run().exception
    forget_figures()  # a first visit: it needs the file
    database = load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)}).database
    holder = hold(database, 30)
    try:
        app = dashboard().run()
    finally:
        holder.kill()
        holder.wait()
    assert not app.exception, [e.message for e in app.exception]
    busy = [e.value for e in app.error if "Base de données occupée" in e.value]
    assert busy and "utilisée par un autre programme" in busy[0] and "1 s" in busy[0]
    assert any(b.label == "Réessayer" for b in app.button)
    app.button(key="reessayer_base_occupee").click().run()  # the other program is gone: the page comes back
    assert not app.exception and len(app.metric) >= 29


WAITING_READER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from pilotage_qualite.model.datasets import load_datasets
    from pilotage_qualite.store import Store
    started = time.monotonic()
    Store({db!r}, load_datasets(), busy_timeout_s=15).journal()
    print(f"{{time.monotonic() - started:.2f}}", flush=True)
""")


def test_a_waiting_process_gets_its_turn_while_the_app_keeps_opening_the_file(tmp_path: Path):
    """Page runs overlapping in the app never release the file by themselves: the command line,
    announcing that it waits, makes them hold back until it got the file."""
    store = Store(tmp_path / "base.duckdb", load_datasets(), busy_timeout_s=20)
    store.initialise()
    stop = threading.Event()

    def page_runs(offset: float) -> None:
        time.sleep(offset)
        while not stop.is_set():
            with store.connect() as conn:
                conn.execute("SELECT count(*) FROM imports").fetchall()
                time.sleep(0.3)

    runs = [threading.Thread(target=page_runs, args=(i * 0.1,)) for i in range(4)]
    for run in runs:
        run.start()
    try:
        time.sleep(0.6)
        done = subprocess.run([sys.executable, "-c", WAITING_READER.format(repo=str(REPO), db=str(store.path))],
                              capture_output=True, text=True, timeout=60)
    finally:
        stop.set()
        for run in runs:
            run.join()
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 5
    assert not list(tmp_path.glob("base.duckdb.attente.*"))  # no marker left behind


def test_a_waiting_process_is_not_kept_out_by_a_run_waiting_for_another_thread(tmp_path: Path):
    """A page run holding the file while it waits for figures another thread computes (seen
    under load: the command line refused after 30 s). The computing thread, finding the command
    line waiting, held back its connection for up to 10 s, while the run it served kept the file
    held all along. With the file already held by this process it holds back a second at most."""
    store = Store(tmp_path / "base.duckdb", load_datasets(), busy_timeout_s=20)
    store.initialise()
    computed = threading.Event()
    compute_waited: list[float] = []

    def computing_thread() -> None:  # the figures computed ahead, asked for by the run below
        started = time.monotonic()
        with store.connect() as conn:
            compute_waited.append(time.monotonic() - started)
            conn.execute("SELECT count(*) FROM imports").fetchall()
        computed.set()

    with store.connect():  # the run: it holds the file until its figures are there
        reader = subprocess.Popen([sys.executable, "-c", WAITING_READER.format(repo=str(REPO), db=str(store.path))],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob("base.duckdb.attente.*")):  # the command line says it waits
            assert reader.poll() is None and time.monotonic() < deadline, reader.communicate()
            time.sleep(0.02)
        thread = threading.Thread(target=computing_thread)
        thread.start()
        assert computed.wait(timeout=30)
    thread.join()
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    # Held back 10 s before the change (MAX_YIELD_S), then the reader waited as long.
    assert compute_waited[0] < 3, compute_waited
    assert float(out) < 5, out
