"""The DuckDB store: append-only history with provenance, live views, import journal.

Layout (names are the domain's French words, as indicator SQL reads them):

- ``historique_<jeu>``: every row ever imported, with ``_import_id`` (the import that
  brought it), ``_ligne`` (its row number in the file) and ``_remplace_par`` (the import
  that replaced it, NULL while live). Rows are never deleted.
- ``<jeu>``: the live view the indicators read: rows of applied imports not replaced.
- ``historique_<jeu>_questions`` / ``<jeu>_questions``: the extra Likert questions of a
  survey dataset, one row per answer, attached to the live parent rows.
- ``imports``: the journal; ``rejets``: the rejected rows of each import.
- ``cibles``: target changes with the date from which they apply.
- ``reunions``, ``reunion_participants``, ``reunion_notes``, ``decisions``, ``reunion_clotures``:
  committee meetings (versions kept; a closed meeting refuses writes).

DuckDB lets one process hold the file at a time, so the store opens a connection per
operation and closes it at once; a process finding the file busy retries for a bounded
time and then raises :class:`DatabaseBusy` with a French message. A page run may pin one
connection for its duration (:meth:`Store.pinned`): its operations then share it, and the
file is released when the run ends.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from pilotage_qualite.declarations import Dataset

APPLIED = "appliqué"
UNDONE = "annulé"
PROVENANCE_COLUMNS = ("_import_id", "_ligne")
QUESTIONS_SUFFIX = "_questions"

# A process kept waiting for the file leaves `<base>.attente.<pid>` beside it; the others then hold
# back new connections (at most MAX_YIELD_S) so that theirs end and the file is released.
WAITING_SUFFIX = ".attente."
MAX_YIELD_S = 10.0
# A base file changed less than this many seconds ago is not trusted to tell its version by
# its size and times alone (file systems with coarse timestamps): the version is read.
FILE_STATE_SETTLE_S = 2.0

# One writer at a time inside this process (DuckDB would report a conflict otherwise).
_WRITE_LOCK = threading.Lock()
# Opening and closing connections to one file from several threads races inside DuckDB's
# instance cache (« Unique file handle conflict … already attached »): one at a time.
_CONNECT_LOCK = threading.Lock()


class DatabaseBusy(RuntimeError):
    """Another program holds the database file longer than we are willing to wait."""


class StoreError(RuntimeError):
    """A store operation the user asked for cannot be done; the message is French."""


class SchemaMismatch(RuntimeError):
    """The database stores a column with another type than its declaration now says."""


@dataclass
class ImportBatch:
    """Everything one import writes, already validated and typed by the import pipeline."""

    dataset: str
    file_name: str
    content: bytes
    rows: pd.DataFrame  # declared columns, typed, plus `_ligne`
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["ligne", "colonne", "valeur", "message"]))
    questions: pd.DataFrame | None = None  # `_ligne`, `question`, `reponse` (1-4)
    sheet: str | None = None
    header_row: int | None = None
    rows_read: int | None = None
    ignored_columns: list[str] = field(default_factory=list)
    personal_columns: list[str] = field(default_factory=list)

    @functools.cached_property
    def content_hash(self) -> str:
        """Computed once (the journal, the duplicate check and the kept file's name all use it)."""
        return hashlib.sha256(self.content).hexdigest()

    @property
    def rejected_row_count(self) -> int:
        """Rows rejected: one row with several errors has several lines in `rejected`."""
        return int(self.rejected["ligne"].nunique()) if len(self.rejected) else 0


@dataclass(frozen=True)
class ImportCounts:
    read: int
    added: int
    replaced: int
    rejected: int
    already_imported_as: int | None = None  # id of the identical applied import, if any


def scalar(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """First value of a one-row query, with the result fully consumed.

    DuckDB 2.0 keeps a result open after ``fetchone()`` and refuses further work on the
    connection until it is drained, so single values are always read with ``fetchall()``.
    """
    found = first_row(conn, sql, params)
    return None if found is None else found[0]


def first_row(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    rows = conn.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def history_table(dataset: str) -> str:
    return f"historique_{dataset}"


class Store:
    def __init__(self, path: Path, datasets: dict[str, Dataset], *, kept_files_dir: Path | None = None,
                 busy_timeout_s: float = 30.0):
        self.path = Path(path)
        self.datasets = datasets
        self.kept_files_dir = Path(kept_files_dir) if kept_files_dir else self.path.parent / "fichiers"
        self.busy_timeout_s = busy_timeout_s
        self._pin = threading.local()  # this thread's pinned connection and its memoised version
        self._version_by_state: tuple | None = None  # (file state, version) last read

    # --- connections -------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the file for one operation, waiting a bounded time if another process holds it.

        Inside :meth:`pinned` (same thread) the run's connection is opened at the first
        operation and reused by the next ones: opening the file costs ~10 ms, a dozen times
        per page run otherwise.
        Always read-write: in one process DuckDB shares a single instance per file and
        refuses connections with a different configuration (read_only) to it.
        """
        pin = getattr(self._pin, "stack", None)
        if pin is not None:
            if self._pin.conn is None:
                self._pin.conn = pin.enter_context(self._open())
            yield self._pin.conn
            return
        with self._open() as conn:
            yield conn

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """One connection for a page run, opened only if the run needs the base (a run served
        from cache never opens it); :meth:`version` is read once (until a write). The file is
        released when the block ends, so another process only waits for the end of the run."""
        if getattr(self._pin, "stack", None) is not None:
            yield
            return
        with ExitStack() as stack:
            self._pin.stack, self._pin.conn, self._pin.version = stack, None, None
            try:
                yield
            finally:
                self._pin.stack = self._pin.conn = self._pin.version = None

    @contextmanager
    def _open(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Connect, waiting a bounded time for another process; a process kept waiting says so
        (a marker file) and the others hold back new connections until it got its turn."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        now = time.monotonic()
        deadline, yield_until = now + self.busy_timeout_s, now + min(self.busy_timeout_s, MAX_YIELD_S)
        delay = 0.05
        waiting: Path | None = None
        try:
            while True:
                if waiting is None and time.monotonic() < yield_until and self._another_process_waits():
                    time.sleep(0.05)  # let this process's open connections end so the file is released
                    continue
                try:
                    with _CONNECT_LOCK:
                        conn = duckdb.connect(str(self.path))
                    break
                except duckdb.IOException as exc:
                    if "lock" not in str(exc).lower():
                        raise
                    if waiting is None:
                        waiting = self.path.with_name(f"{self.path.name}{WAITING_SUFFIX}{os.getpid()}")
                    waiting.touch()  # refreshed at each try: a marker older than a wait is stale
                    if time.monotonic() >= deadline:
                        raise DatabaseBusy(
                            f"La base de données « {self.path.name} » est utilisée par un autre programme "
                            f"(un import en ligne de commande ou l'application). Nouvel essai pendant "
                            f"{self.busy_timeout_s:g} s sans succès : réessayez dans un instant."
                        ) from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.25)
        finally:
            if waiting is not None:
                waiting.unlink(missing_ok=True)
        try:
            yield conn
        finally:
            with _CONNECT_LOCK:
                conn.close()

    def _another_process_waits(self) -> bool:
        """A live process other than this one announced that it waits for the file."""
        for marker in self.path.parent.glob(f"{self.path.name}{WAITING_SUFFIX}*"):
            try:
                pid = int(marker.name.rsplit(".", 1)[1])
                if pid == os.getpid() or time.time() - marker.stat().st_mtime > self.busy_timeout_s + 5:
                    continue
                os.kill(pid, 0)  # raises if that process is gone (killed while waiting)
            except (ValueError, IndexError, OSError):
                continue
            return True
        return False

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One atomic write: BEGIN … COMMIT, then CHECKPOINT so the file is self-contained."""
        with _WRITE_LOCK, self.connect() as conn:
            self._pin.version = self._version_by_state = None  # the write changes what runs must see
            conn.execute("BEGIN TRANSACTION")
            try:
                yield conn
                conn.execute("COMMIT")
                self._pin.version = self._version_by_state = None
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("CHECKPOINT")

    # --- schema ----------------------------------------------------------------------

    def initialise(self) -> None:
        """Create or migrate the schema from the declarations (idempotent).

        Skipped when the base records the fingerprint of the same declarations and store code
        (every start-up of the app and of each command would otherwise rewrite the views and
        checkpoint the file); any change to either migrates again.
        """
        fingerprint = self._schema_fingerprint()
        with self.connect() as conn:
            recorded = scalar(conn, "SELECT empreinte FROM schema_empreinte ORDER BY rowid DESC LIMIT 1") if scalar(
                conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_empreinte'") else None
        if recorded == fingerprint:
            return
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_empreinte (empreinte VARCHAR NOT NULL, "
                         "date TIMESTAMP NOT NULL)")
            conn.execute("INSERT INTO schema_empreinte VALUES (?, ?)", [fingerprint, self._now()])
            conn.execute("""
                CREATE TABLE IF NOT EXISTS imports (
                    id BIGINT PRIMARY KEY, jeu VARCHAR NOT NULL, fichier VARCHAR NOT NULL,
                    empreinte VARCHAR NOT NULL, taille BIGINT NOT NULL, feuille VARCHAR,
                    ligne_entete INTEGER, utilisateur VARCHAR NOT NULL, date TIMESTAMP NOT NULL,
                    lignes_lues BIGINT NOT NULL, lignes_ajoutees BIGINT NOT NULL,
                    lignes_remplacees BIGINT NOT NULL, lignes_rejetees BIGINT NOT NULL,
                    colonnes_ignorees VARCHAR, colonnes_personnelles VARCHAR,
                    etat VARCHAR NOT NULL, annule_le TIMESTAMP, annule_par VARCHAR)""")
            conn.execute("""
                CREATE TABLE IF NOT EXISTS rejets (
                    import_id BIGINT NOT NULL, ligne BIGINT, colonne VARCHAR, valeur VARCHAR,
                    message VARCHAR NOT NULL)""")
            conn.execute("""
                CREATE TABLE IF NOT EXISTS cibles (
                    indicateur VARCHAR NOT NULL, date_debut DATE NOT NULL, cible DOUBLE,
                    seuil DOUBLE, auteur VARCHAR NOT NULL, saisi_le TIMESTAMP NOT NULL)""")
            self._create_additions(conn)
            for dataset in self.datasets.values():
                self._migrate_dataset(conn, dataset)

    def _schema_fingerprint(self) -> str:
        """The declarations and this module's code: what the schema is made from."""
        digest = hashlib.sha256(Path(__file__).read_bytes())
        digest.update(repr(sorted(self.datasets.items())).encode())
        return digest.hexdigest()[:24]

    def _migrate_dataset(self, conn: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
        table = history_table(dataset.name)
        existing = dict(conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
            [table]).fetchall())
        if not existing:
            columns = ", ".join(f'"{c.name}" {c.sql_type}' for c in dataset.columns)
            conn.execute(f"CREATE TABLE {table} ({columns}, _import_id BIGINT NOT NULL, "
                         f"_ligne BIGINT, _remplace_par BIGINT)")
        else:
            for col in dataset.columns:
                if col.name not in existing:
                    conn.execute(f'ALTER TABLE {table} ADD COLUMN "{col.name}" {col.sql_type}')
                elif existing[col.name] != col.sql_type:
                    raise SchemaMismatch(
                        f"Jeu « {dataset.name} », colonne « {col.name} » : la base la stocke en "
                        f"{existing[col.name]}, la déclaration demande {col.sql_type}. "
                        "Changer le type d'une colonne existante n'est pas pris en charge.")
        visible = ", ".join(f'"{c.name}"' for c in dataset.columns)
        conn.execute(f"""
            CREATE OR REPLACE VIEW {dataset.name} AS
            SELECT {visible}, _import_id, _ligne FROM {table}
            WHERE _remplace_par IS NULL
              AND _import_id IN (SELECT id FROM imports WHERE etat = '{APPLIED}')""")
        if dataset.extra_likert_questions:
            conn.execute(f"""
                CREATE TABLE IF NOT EXISTS {table}{QUESTIONS_SUFFIX} (
                    _import_id BIGINT NOT NULL, _ligne BIGINT NOT NULL,
                    question VARCHAR NOT NULL, reponse TINYINT)""")
            conn.execute(f"""
                CREATE OR REPLACE VIEW {dataset.name}{QUESTIONS_SUFFIX} AS
                SELECT p.*, q.question, q.reponse
                FROM {dataset.name} p JOIN {table}{QUESTIONS_SUFFIX} q USING (_import_id, _ligne)""")

    # --- imports -----------------------------------------------------------------------

    def _live_filter(self) -> str:
        return f"_remplace_par IS NULL AND _import_id IN (SELECT id FROM imports WHERE etat = '{APPLIED}')"

    def _replaced_condition(self, dataset: Dataset) -> str:
        """SQL condition (over the history table, with `nouvelles` staged) selecting the
        live rows the batch replaces: same key, or same date window and sites."""
        if dataset.key:
            keys = ", ".join(f'"{k}"' for k in dataset.key)
            return f"({keys}) IN (SELECT ({keys}) FROM nouvelles)"
        ref = f'"{dataset.reference_date}"'
        condition = f"{ref} BETWEEN (SELECT min({ref}) FROM nouvelles) AND (SELECT max({ref}) FROM nouvelles)"
        if dataset.has_site:
            condition += ' AND site IN (SELECT DISTINCT site FROM nouvelles)'
        return condition

    def _find_identical(self, conn: duckdb.DuckDBPyConnection, batch: ImportBatch) -> int | None:
        return scalar(conn, "SELECT min(id) FROM imports WHERE jeu = ? AND empreinte = ? AND etat = ?",
                      [batch.dataset, batch.content_hash, APPLIED])

    def _typed_rows(self, dataset: Dataset, rows: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in dataset.column_names + ["_ligne"] if c not in rows.columns]
        if missing:
            raise StoreError(f"Jeu « {dataset.name} » : colonnes absentes du lot à écrire : {', '.join(missing)}")
        return rows[dataset.column_names + ["_ligne"]]

    def preview(self, batch: ImportBatch) -> ImportCounts:
        """Counts of what :meth:`apply` would do, without writing anything."""
        dataset = self.datasets[batch.dataset]
        rows = self._typed_rows(dataset, batch.rows)
        read = batch.rows_read if batch.rows_read is not None else len(rows) + batch.rejected_row_count
        with self.connect() as conn:
            identical = self._find_identical(conn, batch)
            if identical is not None:
                return ImportCounts(read, 0, 0, batch.rejected_row_count, identical)
            replaced = 0
            if len(rows):
                self._stage_rows(conn, dataset, rows)
                replaced = scalar(
                conn,                     f"SELECT count(*) FROM {history_table(dataset.name)} "
                    f"WHERE {self._live_filter()} AND {self._replaced_condition(dataset)}")
                self._unstage(conn)
        return ImportCounts(read, len(rows), replaced, batch.rejected_row_count)

    def _stage_rows(self, conn: duckdb.DuckDBPyConnection, dataset: Dataset, rows: pd.DataFrame) -> None:
        """The batch as temporary view `nouvelles`, with the declared SQL types.

        A view over the registered frame, not a table: the rows are copied once, into the
        history table (a temporary table cost a second copy, ~40 ms per 100,000 rows).
        :meth:`_unstage` removes it; a rolled-back transaction leaves nothing either.
        """
        conn.register("lot_brut", rows)
        casts = ", ".join(f'CAST("{c.name}" AS {c.sql_type}) AS "{c.name}"' for c in dataset.columns)
        conn.execute(f"CREATE OR REPLACE TEMP VIEW nouvelles AS "
                     f"SELECT {casts}, CAST(_ligne AS BIGINT) AS _ligne FROM lot_brut")

    @staticmethod
    def _unstage(conn: duckdb.DuckDBPyConnection) -> None:
        conn.execute("DROP VIEW nouvelles")
        conn.unregister("lot_brut")

    def apply(self, batch: ImportBatch, *, user: str) -> tuple[int | None, ImportCounts]:
        """Write one import atomically; returns (import id, counts).

        An identical file already applied to the same dataset is not loaded again: the id
        returned is None and the counts say which import it duplicates.
        """
        with self.transaction() as conn:
            return self._apply_in(conn, batch, user)

    def _apply_in(self, conn: duckdb.DuckDBPyConnection, batch: ImportBatch, user: str
                  ) -> tuple[int | None, ImportCounts]:
        """`apply` inside an open transaction (a committee decision writes its action with it)."""
        dataset = self.datasets[batch.dataset]
        rows = self._typed_rows(dataset, batch.rows)
        read = batch.rows_read if batch.rows_read is not None else len(rows) + batch.rejected_row_count
        identical = self._find_identical(conn, batch)
        if identical is not None:
            return None, ImportCounts(read, 0, 0, batch.rejected_row_count, identical)
        import_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM imports")
        table = history_table(dataset.name)
        replaced = 0
        if len(rows):
            self._stage_rows(conn, dataset, rows)
            replaced = scalar(
            conn,                     f"UPDATE {table} SET _remplace_par = ? "
                f"WHERE {self._live_filter()} AND {self._replaced_condition(dataset)}",
                [import_id])
            self._write_rows(conn, dataset, import_id)
            self._unstage(conn)
            if batch.questions is not None and len(batch.questions):
                conn.register("questions_lot", batch.questions[["_ligne", "question", "reponse"]])
                conn.execute(f"""INSERT INTO {table}{QUESTIONS_SUFFIX}
                    SELECT ?, CAST(_ligne AS BIGINT), question, CAST(reponse AS TINYINT)
                    FROM questions_lot""", [import_id])
        conn.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
            [import_id, batch.dataset, batch.file_name, batch.content_hash, len(batch.content),
             batch.sheet, batch.header_row, user, dt.datetime.now().replace(microsecond=0),
             read, len(rows), replaced, batch.rejected_row_count,
             json.dumps(batch.ignored_columns, ensure_ascii=False),
             json.dumps(batch.personal_columns, ensure_ascii=False), APPLIED])
        if len(batch.rejected):
            rejected = batch.rejected[["ligne", "colonne", "valeur", "message"]].astype(
                {"valeur": "str"}, errors="ignore")
            conn.register("rejets_lot", rejected)
            conn.execute("""INSERT INTO rejets SELECT ?, CAST(ligne AS BIGINT), CAST(colonne AS VARCHAR),
                            CAST(valeur AS VARCHAR), CAST(message AS VARCHAR) FROM rejets_lot""", [import_id])
        self._keep_file(batch)
        return import_id, ImportCounts(read, len(rows), replaced, batch.rejected_row_count)

    def _write_rows(self, conn: duckdb.DuckDBPyConnection, dataset: Dataset, import_id: int) -> None:
        columns = ", ".join(f'"{c}"' for c in dataset.column_names)
        conn.execute(f"INSERT INTO {history_table(dataset.name)} ({columns}, _import_id, _ligne, _remplace_par) "
                     f"SELECT {columns}, ?, _ligne, NULL FROM nouvelles", [import_id])

    def _keep_file(self, batch: ImportBatch) -> None:
        """Keep the uploaded file as it was, named by its content hash (never by its name)."""
        self.kept_files_dir.mkdir(parents=True, exist_ok=True)
        target = self.kept_files_dir / batch.content_hash
        if not target.exists():
            partial = target.with_suffix(".partiel")
            partial.write_bytes(batch.content)
            partial.replace(target)

    def copy_database_to(self, target: Path) -> list[str]:
        """Copy the database file as it stands between two writes; returns the journal's file hashes.

        The copy is taken under the write lock (no write of this process in flight) with the
        file open (no other process can write it: DuckDB locks the file), right after a
        CHECKPOINT (everything committed is in the file, the write-ahead log is empty): a byte
        copy is then a consistent database, faster and more faithful than re-creating it.
        """
        with _WRITE_LOCK, self.connect() as conn:
            conn.execute("CHECKPOINT")
            hashes = [row[0] for row in conn.execute("SELECT DISTINCT empreinte FROM imports ORDER BY 1").fetchall()]
            wal = self.path.with_name(self.path.name + ".wal")
            if wal.exists() and wal.stat().st_size:
                raise StoreError("Sauvegarde impossible : le journal d'écriture de la base n'a pas pu être vidé.")
            with self.path.open("rb") as source, Path(target).open("wb") as copy:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
        return hashes

    def kept_file(self, import_id: int) -> tuple[str, bytes]:
        """The original file of an import: (its name, its bytes)."""
        with self.connect() as conn:
            found = first_row(conn, "SELECT fichier, empreinte FROM imports WHERE id = ?", [import_id])
        if found is None:
            raise StoreError(f"L'import n° {import_id} n'existe pas.")
        path = self.kept_files_dir / found[1]
        if not path.exists():
            raise StoreError(f"Le fichier de l'import n° {import_id} n'est plus conservé (durée de conservation dépassée).")
        return found[0], path.read_bytes()

    def undo(self, import_id: int, *, user: str) -> int:
        """Undo an import: its rows leave the live views, the rows it replaced come back.

        Returns the number of rows revived. Refused when a later applied import replaced
        rows of this one (undo that one first), so the live data stay consistent.
        """
        with self.transaction() as conn:
            found = first_row(conn, "SELECT jeu, etat FROM imports WHERE id = ?", [import_id])
            if found is None:
                raise StoreError(f"L'import n° {import_id} n'existe pas.")
            dataset_name, state = found
            if state != APPLIED:
                raise StoreError(f"L'import n° {import_id} est déjà annulé.")
            table = history_table(dataset_name)
            later = scalar(
                conn,                 f"""SELECT min(_remplace_par) FROM {table} WHERE _import_id = ? AND _remplace_par IN
                    (SELECT id FROM imports WHERE etat = '{APPLIED}')""", [import_id])
            if later is not None:
                raise StoreError(
                    f"L'import n° {import_id} ne peut pas être annulé : l'import n° {later} a depuis "
                    f"remplacé certaines de ses lignes. Annulez d'abord l'import n° {later}.")
            revived = scalar(conn, f"UPDATE {table} SET _remplace_par = NULL WHERE _remplace_par = ?",
                                   [import_id])
            conn.execute("UPDATE imports SET etat = ?, annule_le = ?, annule_par = ? WHERE id = ?",
                         [UNDONE, dt.datetime.now().replace(microsecond=0), user, import_id])
        return revived

    # --- reading -------------------------------------------------------------------------

    def journal(self) -> pd.DataFrame:
        with self.connect() as conn:
            return conn.execute("SELECT * FROM imports ORDER BY id").df()

    def rejected_rows(self, import_id: int) -> pd.DataFrame:
        with self.connect() as conn:
            return conn.execute(
                "SELECT ligne, colonne, valeur, message FROM rejets WHERE import_id = ? ORDER BY ligne, colonne",
                [import_id]).df()

    def live_rows(self, dataset: str) -> pd.DataFrame:
        if dataset not in self.datasets:
            raise StoreError(f"Jeu de données inconnu : « {dataset} ».")
        with self.connect() as conn:
            return conn.execute(f"SELECT * FROM {dataset} ORDER BY _import_id, _ligne").df()

    def version(self) -> tuple:
        """The key of page caches, read once per pinned run (until a write in the run).

        Without opening the base when its file is untouched since the last reading: any
        committed write, from this process or another, changes the file or its WAL (size,
        time), and a file changed in the last seconds is always read again (coarse clocks).
        """
        pinned = getattr(self._pin, "stack", None) is not None
        memo = getattr(self._pin, "version", None)
        if pinned and memo is not None:
            return memo
        state = self._file_state()
        known = self._version_by_state
        if state is not None and known is not None and known[0] == state:
            current = known[1]
        else:
            current = self._read_version()
            self._version_by_state = (state, current) if state is not None else None
        if pinned:
            self._pin.version = current
        return current

    def _file_state(self) -> tuple | None:
        """What a write changes in the base's files; None while they changed too recently to tell."""
        states = []
        for path in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                found = path.stat()
            except FileNotFoundError:
                states.append(None)
                continue
            if time.time() - found.st_mtime < FILE_STATE_SETTLE_S:
                return None
            states.append((found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns))
        return tuple(states) if states[0] is not None else None

    def _read_version(self) -> tuple:
        """Changes whenever an import is applied or undone, a target changes, a comment is written,
        an indicator is added or a meeting is written: the key of page caches."""
        with self.connect() as conn:
            return first_row(conn, "SELECT (SELECT count(*) FROM imports), (SELECT count(annule_le) FROM imports), "
                                   "(SELECT count(*) FROM cibles), (SELECT count(*) FROM commentaires), "
                                   "(SELECT count(*) FROM indicateurs_ajoutes), "
                                   "(SELECT count(*) FROM reunions), (SELECT count(*) FROM reunion_participants), "
                                   "(SELECT count(*) FROM reunion_notes), (SELECT count(*) FROM decisions), "
                                   "(SELECT count(*) FROM reunion_clotures), (SELECT count(*) FROM reunion_dossiers)")

    def target_changes(self) -> pd.DataFrame:
        """Targets set in the app, each applying from its date (the engine's `targets`)."""
        with self.connect() as conn:
            return conn.execute("SELECT indicateur, date_debut, cible, seuil, auteur, saisi_le FROM cibles "
                                "ORDER BY indicateur, date_debut, saisi_le").df()

    def has_history(self) -> bool:
        """True once anything was ever imported (even if undone since)."""
        with self.connect() as conn:
            return scalar(conn, "SELECT count(*) FROM imports") > 0

    def data_summary(self) -> pd.DataFrame:
        """Per dataset: live rows, first and last reference date, last import (freshness)."""
        parts = []
        for dataset in self.datasets.values():
            ref = f'"{dataset.reference_date}"' if dataset.reference_date else "NULL"
            parts.append(f"""SELECT '{dataset.name}' AS jeu, count(*) AS lignes, min({ref}) AS premiere_date,
                                    max({ref}) AS derniere_date,
                                    (SELECT max(date) FROM imports WHERE jeu = '{dataset.name}'
                                       AND etat = '{APPLIED}') AS dernier_import
                             FROM {dataset.name}""")
        with self.connect() as conn:
            return conn.execute(" UNION ALL ".join(parts)).df()

    def site_names(self) -> list[str]:
        """Every site found in the live rows of any dataset, sorted."""
        union = " UNION ".join(f"SELECT DISTINCT site FROM {d.name}" for d in self.datasets.values() if d.has_site)
        with self.connect() as conn:
            return [row[0] for row in conn.execute(
                f"SELECT site FROM ({union}) WHERE site IS NOT NULL ORDER BY site").fetchall()]

    def is_empty(self) -> bool:
        with self.connect() as conn:
            return scalar(conn, f"SELECT count(*) FROM imports WHERE etat = '{APPLIED}'") == 0

    # --- additions: comments, remembered column mappings, targets, added indicators -------

    def _create_additions(self, conn: duckdb.DuckDBPyConnection) -> None:
        """Tables written from the app (append-only: the latest row of a key is the one shown)."""
        conn.execute("""
            CREATE TABLE IF NOT EXISTS commentaires (
                id BIGINT NOT NULL, indicateur VARCHAR NOT NULL, periode VARCHAR NOT NULL,
                site VARCHAR, texte VARCHAR NOT NULL, auteur VARCHAR NOT NULL, date TIMESTAMP NOT NULL)""")
        conn.execute("""
            CREATE TABLE IF NOT EXISTS correspondances (
                id BIGINT NOT NULL, jeu VARCHAR NOT NULL, signature VARCHAR NOT NULL,
                entete VARCHAR NOT NULL, colonne VARCHAR, auteur VARCHAR NOT NULL, date TIMESTAMP NOT NULL)""")
        conn.execute("""
            CREATE TABLE IF NOT EXISTS indicateurs_ajoutes (
                indicateur VARCHAR NOT NULL, definition VARCHAR NOT NULL, auteur VARCHAR NOT NULL,
                date TIMESTAMP NOT NULL)""")
        # Committee meetings (append-only: participants and notes are versions, the latest wins).
        conn.execute("""
            CREATE TABLE IF NOT EXISTS reunions (
                id BIGINT NOT NULL, date_reunion DATE NOT NULL, grain VARCHAR NOT NULL, periode VARCHAR NOT NULL,
                site VARCHAR, cree_le TIMESTAMP NOT NULL, cree_par VARCHAR NOT NULL)""")
        conn.execute("""
            CREATE TABLE IF NOT EXISTS reunion_participants (
                id BIGINT NOT NULL, reunion_id BIGINT NOT NULL, participants VARCHAR NOT NULL,
                auteur VARCHAR NOT NULL, ecrit_le TIMESTAMP NOT NULL)""")
        conn.execute("""
            CREATE TABLE IF NOT EXISTS reunion_notes (
                id BIGINT NOT NULL, reunion_id BIGINT NOT NULL, point INTEGER NOT NULL, texte VARCHAR NOT NULL,
                auteur VARCHAR NOT NULL, ecrit_le TIMESTAMP NOT NULL)""")
        conn.execute("""
            CREATE TABLE IF NOT EXISTS decisions (
                id BIGINT NOT NULL, reunion_id BIGINT NOT NULL, texte VARCHAR NOT NULL, pilote VARCHAR,
                echeance DATE, action_numero VARCHAR, import_id BIGINT, auteur VARCHAR NOT NULL,
                ecrit_le TIMESTAMP NOT NULL)""")
        conn.execute("""
            CREATE TABLE IF NOT EXISTS reunion_clotures (
                reunion_id BIGINT NOT NULL, close_le TIMESTAMP NOT NULL, close_par VARCHAR NOT NULL)""")
        # Committee packs (PDF) archived with their meeting: the evidence, never replaced.
        conn.execute("""
            CREATE TABLE IF NOT EXISTS reunion_dossiers (
                id BIGINT NOT NULL, reunion_id BIGINT NOT NULL, contenu BLOB NOT NULL, sha256 VARCHAR NOT NULL,
                produit_par VARCHAR NOT NULL, produit_le TIMESTAMP NOT NULL)""")

    @staticmethod
    def _now() -> dt.datetime:
        return dt.datetime.now().replace(microsecond=0)

    # comments ------------------------------------------------------------------------

    def add_comment(self, indicateur: str, periode: str, site: str | None, texte: str, auteur: str) -> int:
        """Record the analysis of an indicator for a period (site None = Ensemble); returns its id.

        Append-only: a new comment for the same key is shown instead of the previous one,
        which stays in the history.
        """
        texte = (texte or "").strip()
        if not texte:
            raise StoreError("Le commentaire est vide : rien n'a été enregistré.")
        with self.transaction() as conn:
            comment_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM commentaires")
            conn.execute("INSERT INTO commentaires VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [comment_id, indicateur, periode, site or None, texte, auteur, self._now()])
        return comment_id

    def latest_comments(self, periode: str | None = None, indicateur: str | None = None) -> pd.DataFrame:
        """The comment in force for each (indicateur, periode, site), optionally for one period
        or one indicator (the committee view and pack read one period)."""
        where, params = [], []
        if periode is not None:
            where.append("periode = ?")
            params.append(periode)
        if indicateur is not None:
            where.append("indicateur = ?")
            params.append(indicateur)
        condition = f"WHERE {' AND '.join(where)}" if where else ""
        with self.connect() as conn:
            return conn.execute(f"""
                SELECT id, indicateur, periode, site, texte, auteur, date FROM commentaires {condition}
                QUALIFY row_number() OVER (PARTITION BY indicateur, periode, site ORDER BY id DESC) = 1
                ORDER BY indicateur, periode, site NULLS FIRST""", params).df()

    def comment_history(self, indicateur: str, periode: str, site: str | None) -> pd.DataFrame:
        """Every comment written for one key, newest first."""
        with self.connect() as conn:
            return conn.execute(
                "SELECT id, indicateur, periode, site, texte, auteur, date FROM commentaires "
                "WHERE indicateur = ? AND periode = ? AND site IS NOT DISTINCT FROM ? ORDER BY id DESC",
                [indicateur, periode, site or None]).df()

    # remembered column mappings ---------------------------------------------------------

    def save_mapping(self, jeu: str, signature: str, mapping: dict[str, str | None], auteur: str) -> int:
        """Remember hand-made column mappings (normalised header -> column, None = ignore) for
        files whose header row has this signature; returns the id of the saved set."""
        if jeu not in self.datasets:
            raise StoreError(f"Jeu de données inconnu : « {jeu} ».")
        known = set(self.datasets[jeu].column_names)
        wrong = [c for c in mapping.values() if c is not None and c not in known]
        if wrong:
            raise StoreError(f"Jeu « {jeu} » : colonne(s) inconnue(s) : {', '.join(wrong)}.")
        if not mapping:
            raise StoreError("Aucune correspondance à mémoriser.")
        with self.transaction() as conn:
            set_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM correspondances")
            now = self._now()
            for header, column in mapping.items():
                conn.execute("INSERT INTO correspondances VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [set_id, jeu, signature, header, column, auteur, now])
        return set_id

    def remembered_mappings(self) -> dict[str, dict]:
        """The latest saved set per header signature:
        {signature: {"jeu", "correspondance": {header: column}, "auteur", "date"}}."""
        with self.connect() as conn:
            rows = conn.execute("""
                SELECT signature, jeu, entete, colonne, auteur, date FROM correspondances
                WHERE id IN (SELECT max(id) FROM correspondances GROUP BY signature)
                ORDER BY signature, entete""").fetchall()
        out: dict[str, dict] = {}
        for signature, jeu, header, column, auteur, date in rows:
            entry = out.setdefault(signature, {"jeu": jeu, "correspondance": {}, "auteur": auteur, "date": date})
            entry["correspondance"][header] = column  # None: the header is to be ignored
        return out

    # targets -----------------------------------------------------------------------------

    def set_target(self, indicateur: str, date_debut: dt.date, cible: float | None, seuil: float | None,
                   auteur: str) -> None:
        """A new target (and alert threshold) applying from `date_debut`; earlier ones are kept."""
        if not isinstance(date_debut, dt.date):
            raise StoreError("La date d'application de la cible est manquante.")
        with self.transaction() as conn:
            conn.execute("INSERT INTO cibles VALUES (?, ?, ?, ?, ?, ?)",
                         [indicateur, date_debut, None if cible is None else float(cible),
                          None if seuil is None else float(seuil), auteur, dt.datetime.now()])

    # indicators added in the app ------------------------------------------------------------

    def add_indicator_definitions(self, definitions: dict[str, str], auteur: str) -> None:
        """Keep new indicators' definitions (id -> YAML text, the catalogue files' format)."""
        with self.transaction() as conn:
            taken = {row[0] for row in conn.execute("SELECT indicateur FROM indicateurs_ajoutes").fetchall()}
            clash = sorted(set(definitions) & taken)
            if clash:
                raise StoreError(f"Indicateur(s) déjà ajouté(s) : {', '.join(clash)}.")
            now = self._now()
            for indicator_id, text in definitions.items():
                conn.execute("INSERT INTO indicateurs_ajoutes VALUES (?, ?, ?, ?)", [indicator_id, text, auteur, now])

    def added_indicators(self) -> pd.DataFrame:
        with self.connect() as conn:
            return conn.execute("SELECT indicateur, definition, auteur, date FROM indicateurs_ajoutes "
                                "ORDER BY date, indicateur").df()

    # import details for the Données page ------------------------------------------------

    def undo_preview(self, import_id: int) -> dict:
        """What undoing an import would change, without writing: its live rows that would
        leave the data, the rows it replaced that would come back, and the later import
        that blocks the undo (if any)."""
        with self.connect() as conn:
            found = first_row(conn, "SELECT jeu, fichier, etat, date FROM imports WHERE id = ?", [import_id])
            if found is None:
                raise StoreError(f"L'import n° {import_id} n'existe pas.")
            dataset_name, file_name, state, date = found
            table = history_table(dataset_name)
            removed = scalar(conn, f"SELECT count(*) FROM {table} WHERE _import_id = ? AND _remplace_par IS NULL",
                             [import_id])
            revived = scalar(conn, f"SELECT count(*) FROM {table} WHERE _remplace_par = ?", [import_id])
            blocked_by = scalar(conn, f"""SELECT min(_remplace_par) FROM {table} WHERE _import_id = ?
                                AND _remplace_par IN (SELECT id FROM imports WHERE etat = '{APPLIED}')""",
                                [import_id])
        return {"id": import_id, "jeu": dataset_name, "fichier": file_name, "etat": state, "date": date,
                "lignes_retirees": int(removed if state == APPLIED else 0),
                "lignes_retablies": int(revived if state == APPLIED else 0), "bloque_par": blocked_by}

    def browse(self, dataset: str, *, site: str | None = None, date_from: dt.date | None = None,
               date_to: dt.date | None = None, limit: int = 1000) -> tuple[pd.DataFrame, int]:
        """Live rows of a dataset, newest first, with the file each came from; and how many match."""
        if dataset not in self.datasets:
            raise StoreError(f"Jeu de données inconnu : « {dataset} ».")
        declared = self.datasets[dataset]
        where, params = [], []
        if site is not None and declared.has_site:
            where.append("d.site = ?")
            params.append(site)
        ref = f'd."{declared.reference_date}"' if declared.reference_date else None
        if ref and date_from is not None:
            where.append(f"{ref} >= ?")
            params.append(date_from)
        if ref and date_to is not None:
            where.append(f"{ref} <= ?")
            params.append(date_to)
        condition = f"WHERE {' AND '.join(where)}" if where else ""
        order = f"{ref} DESC NULLS LAST, " if ref else ""
        columns = ", ".join(f'd."{c}"' for c in declared.column_names)
        with self.connect() as conn:
            total = scalar(conn, f"SELECT count(*) FROM {dataset} d {condition}", params)
            rows = conn.execute(
                f"""SELECT {columns}, i.fichier AS fichier, d._ligne AS ligne, d._import_id AS import
                    FROM {dataset} d JOIN imports i ON i.id = d._import_id {condition}
                    ORDER BY {order}d._import_id DESC, d._ligne LIMIT {int(limit)}""", params).df()
        return rows, int(total)

    def monthly_counts(self, dataset: str) -> pd.DataFrame:
        """Live rows per site and month of the reference date (site NULL when the dataset has none)."""
        declared = self.datasets[dataset]
        if not declared.reference_date:
            return pd.DataFrame(columns=["site", "mois", "lignes"])
        site = "site" if declared.has_site else "NULL::VARCHAR"
        ref = f'"{declared.reference_date}"'
        with self.connect() as conn:
            return conn.execute(
                f"""SELECT {site} AS site, CAST(date_trunc('month', {ref}) AS DATE) AS mois, count(*) AS lignes
                    FROM {dataset} WHERE {ref} IS NOT NULL GROUP BY ALL ORDER BY site, mois""").df()

    # committee meetings -------------------------------------------------------------------
    # A meeting reviews one period (grain + label, site None = Ensemble). Its participants and
    # the note of each agenda point are versions (the latest is shown, earlier ones are kept);
    # decisions are added, never edited. Once closed, the meeting refuses every write.

    MEETING_POINTS = range(1, 9)  # the eight points of the agenda (pilotage_qualite.agenda)
    MEETING_ACTION_ORIGIN = "revue de direction"

    def create_meeting(self, date_reunion: dt.date, grain: str, periode: str, site: str | None, auteur: str) -> int:
        """A new meeting reviewing `periode` (a Period label such as « 2026-T3 »); returns its id."""
        if not isinstance(date_reunion, dt.date):
            raise StoreError("La date de la réunion est manquante : rien n'a été enregistré.")
        if not periode or not grain:
            raise StoreError("La période revue par la réunion est manquante : rien n'a été enregistré.")
        with self.transaction() as conn:
            meeting_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM reunions")
            conn.execute("INSERT INTO reunions VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [meeting_id, date_reunion, grain, periode, site or None, self._now(), auteur])
        return meeting_id

    def meetings(self) -> pd.DataFrame:
        """Every meeting, newest first: id, date_reunion, grain, periode, site, statut, decisions, close_le."""
        with self.connect() as conn:
            return conn.execute("""
                SELECT r.id, r.date_reunion, r.grain, r.periode, r.site,
                       CASE WHEN c.close_le IS NULL THEN 'ouverte' ELSE 'close' END AS statut,
                       (SELECT count(*) FROM decisions d WHERE d.reunion_id = r.id) AS decisions,
                       r.cree_le, r.cree_par, c.close_le
                FROM reunions r LEFT JOIN (SELECT reunion_id, min(close_le) AS close_le FROM reunion_clotures
                                           GROUP BY reunion_id) c ON c.reunion_id = r.id
                ORDER BY r.date_reunion DESC, r.id DESC""").df()

    def meeting(self, meeting_id: int) -> dict:
        """One meeting as plain data (the page and the committee pack read this):
        id, date_reunion, grain, periode, site, participants, notes {point: text}, decisions
        [{id, texte, pilote, echeance, action_numero}], statut ('ouverte' | 'close'), close_le."""
        with self.connect() as conn:
            found = first_row(conn, "SELECT id, date_reunion, grain, periode, site FROM reunions WHERE id = ?",
                              [int(meeting_id)])
            if found is None:
                raise StoreError(f"La réunion n° {meeting_id} n'existe pas.")
            participants = scalar(conn, "SELECT participants FROM reunion_participants WHERE reunion_id = ? "
                                        "ORDER BY id DESC LIMIT 1", [int(meeting_id)])
            notes = conn.execute("""SELECT point, texte FROM reunion_notes WHERE reunion_id = ?
                                    QUALIFY row_number() OVER (PARTITION BY point ORDER BY id DESC) = 1
                                    ORDER BY point""", [int(meeting_id)]).fetchall()
            decisions = conn.execute("SELECT id, texte, pilote, echeance, action_numero FROM decisions "
                                     "WHERE reunion_id = ? ORDER BY id", [int(meeting_id)]).fetchall()
            closed = scalar(conn, "SELECT min(close_le) FROM reunion_clotures WHERE reunion_id = ?", [int(meeting_id)])
        return {
            "id": int(found[0]), "date_reunion": found[1], "grain": found[2], "periode": found[3], "site": found[4],
            "participants": json.loads(participants) if participants else [],
            "notes": {int(point): text for point, text in notes},
            "decisions": [{"id": int(i), "texte": t, "pilote": p, "echeance": e, "action_numero": a}
                          for i, t, p, e, a in decisions],
            "statut": "ouverte" if closed is None else "close",
            "close_le": closed,
        }

    def previous_meeting(self, meeting_id: int) -> dict | None:
        """The meeting held before this one for the same scope (site or Ensemble), or None."""
        with self.connect() as conn:
            found = first_row(conn, "SELECT date_reunion, site FROM reunions WHERE id = ?", [int(meeting_id)])
            if found is None:
                raise StoreError(f"La réunion n° {meeting_id} n'existe pas.")
            earlier = scalar(conn, """SELECT id FROM reunions WHERE site IS NOT DISTINCT FROM ?
                                      AND (date_reunion < ? OR (date_reunion = ? AND id < ?))
                                      ORDER BY date_reunion DESC, id DESC LIMIT 1""",
                             [found[1], found[0], found[0], int(meeting_id)])
        return None if earlier is None else self.meeting(earlier)

    def meeting_history(self, meeting_id: int) -> pd.DataFrame:
        """Every version written for a meeting (participants, notes, decisions, closing), oldest first."""
        with self.connect() as conn:
            return conn.execute("""
                SELECT 'participants' AS element, NULL::INTEGER AS point, participants AS texte, auteur, ecrit_le
                FROM reunion_participants WHERE reunion_id = $id
                UNION ALL SELECT 'note', point, texte, auteur, ecrit_le FROM reunion_notes WHERE reunion_id = $id
                UNION ALL SELECT 'décision', 8, texte, auteur, ecrit_le FROM decisions WHERE reunion_id = $id
                UNION ALL SELECT 'clôture', NULL, NULL, close_par, close_le FROM reunion_clotures WHERE reunion_id = $id
                ORDER BY ecrit_le, element""", {"id": int(meeting_id)}).df()

    def _open_meeting(self, conn: duckdb.DuckDBPyConnection, meeting_id: int) -> tuple:
        """(date_reunion, site) of a meeting that may still be written; French refusal otherwise."""
        found = first_row(conn, "SELECT date_reunion, site FROM reunions WHERE id = ?", [int(meeting_id)])
        if found is None:
            raise StoreError(f"La réunion n° {meeting_id} n'existe pas : rien n'a été enregistré.")
        if scalar(conn, "SELECT count(*) FROM reunion_clotures WHERE reunion_id = ?", [int(meeting_id)]):
            raise StoreError(f"La réunion du {found[0]:%d/%m/%Y} est close : elle se consulte en lecture seule, "
                             "rien n'a été modifié.")
        return found

    def set_participants(self, meeting_id: int, participants: list[str], auteur: str) -> None:
        """A new version of the attendees list (blank names dropped, order kept, duplicates once)."""
        names = list(dict.fromkeys(n.strip() for n in participants if n and n.strip()))
        with self.transaction() as conn:
            self._open_meeting(conn, meeting_id)
            row_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM reunion_participants")
            conn.execute("INSERT INTO reunion_participants VALUES (?, ?, ?, ?, ?)",
                         [row_id, int(meeting_id), json.dumps(names, ensure_ascii=False), auteur, self._now()])

    def add_note(self, meeting_id: int, point: int, texte: str, auteur: str) -> None:
        """A new version of the note of one agenda point (1–8); the previous one stays in the history."""
        if point not in self.MEETING_POINTS:
            raise StoreError(f"Point d'ordre du jour « {point} » inconnu (points 1 à 8).")
        texte = (texte or "").strip()
        if not texte:
            raise StoreError("La note est vide : rien n'a été enregistré.")
        with self.transaction() as conn:
            self._open_meeting(conn, meeting_id)
            row_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM reunion_notes")
            conn.execute("INSERT INTO reunion_notes VALUES (?, ?, ?, ?, ?, ?)",
                         [row_id, int(meeting_id), int(point), texte, auteur, self._now()])

    def add_decision(self, meeting_id: int, texte: str, auteur: str, *, pilote: str | None = None,
                     echeance: dt.date | None = None, create_action: bool = False) -> dict:
        """Record a decision; with `create_action`, also open an action of the improvement plan
        (origine « revue de direction », opened on the meeting's date, « à faire »), written
        through the import path in the same transaction so it is journaled and can be undone.
        Returns {"id", "action_numero", "import_id"}."""
        texte = (texte or "").strip()
        pilote = (pilote or "").strip() or None
        if not texte:
            raise StoreError("La décision est vide : rien n'a été enregistré.")
        if create_action and (pilote is None or not isinstance(echeance, dt.date)):
            raise StoreError("Pour créer une action du plan d'amélioration, indiquez son pilote et son échéance : "
                             "rien n'a été enregistré.")
        with self.transaction() as conn:
            date_reunion, site = self._open_meeting(conn, meeting_id)
            if create_action and echeance < date_reunion:
                raise StoreError(f"L'échéance ({echeance:%d/%m/%Y}) précède la date de la réunion "
                                 f"({date_reunion:%d/%m/%Y}) : rien n'a été enregistré.")
            decision_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM decisions")
            numero = import_id = None
            if create_action:
                numero = self._next_action_number(conn, date_reunion)
                batch = self._decision_batch(decision_id, numero, texte, pilote, echeance, date_reunion, site)
                import_id, _ = self._apply_in(conn, batch, auteur)
            conn.execute("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [decision_id, int(meeting_id), texte, pilote, echeance, numero, import_id, auteur,
                          self._now()])
        return {"id": decision_id, "action_numero": numero, "import_id": import_id}

    def _next_action_number(self, conn: duckdb.DuckDBPyConnection, day: dt.date) -> str:
        """« RD-2026-11-23-1 », the first number of that day never used in the actions' history."""
        prefix = f"RD-{day:%Y-%m-%d}-"
        taken = {row[0] for row in conn.execute(
            f"SELECT numero FROM {history_table('actions')} WHERE starts_with(numero, ?)", [prefix]).fetchall()}
        rank = 1
        while f"{prefix}{rank}" in taken:
            rank += 1
        return f"{prefix}{rank}"

    def _decision_batch(self, decision_id: int, numero: str, texte: str, pilote: str, echeance: dt.date,
                        date_reunion: dt.date, site: str | None) -> ImportBatch:
        """One action row, as an import whose « file » is a small JSON record of the decision."""
        dataset = self.datasets["actions"]
        values = {"numero": numero, "intitule": texte, "origine": self.MEETING_ACTION_ORIGIN, "site": site,
                  "pilote": pilote, "date_ouverture": date_reunion, "echeance": echeance, "statut": "à faire"}
        for name, value in values.items():
            declared = dataset.column(name)
            if declared.type == "choix" and value not in {c.value for c in declared.choices}:
                raise StoreError(f"Jeu « actions » : la valeur « {value} » n'est plus permise dans la colonne "
                                 f"« {name} » ; l'action n'a pas été créée.")
        row = {name: values.get(name) for name in dataset.column_names}
        rows = pd.DataFrame([row]).assign(_ligne=1)
        for name in ("date_ouverture", "echeance", "date_realisation"):
            rows[name] = pd.to_datetime(rows[name])
        record = {"decision": decision_id, **values, "date_ouverture": date_reunion.isoformat(),
                  "echeance": echeance.isoformat(), "enregistre_le": self._now().isoformat()}
        return ImportBatch(dataset="actions", file_name=f"Revue de direction du {date_reunion:%d/%m/%Y}",
                           content=json.dumps(record, ensure_ascii=False, indent=1).encode(), rows=rows,
                           rows_read=1)

    def archive_pack(self, meeting_id: int, pdf: bytes, auteur: str) -> int:
        """Keep a committee pack with its meeting (open or closed: the pack of a closed meeting
        is its evidence). Every version is kept; returns the pack's number."""
        with self.transaction() as conn:
            if first_row(conn, "SELECT id FROM reunions WHERE id = ?", [int(meeting_id)]) is None:
                raise StoreError(f"La réunion n° {meeting_id} n'existe pas.")
            pack_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM reunion_dossiers")
            conn.execute("INSERT INTO reunion_dossiers VALUES (?, ?, ?, ?, ?, ?)",
                         [pack_id, int(meeting_id), pdf, hashlib.sha256(pdf).hexdigest(), auteur, self._now()])
        return int(pack_id)

    def meeting_packs(self, meeting_id: int) -> pd.DataFrame:
        """The packs archived with a meeting, newest first: id, produit_le, produit_par, octets, sha256."""
        with self.connect() as conn:
            return conn.execute("""SELECT id, produit_le, produit_par, octet_length(contenu) AS octets, sha256
                                   FROM reunion_dossiers WHERE reunion_id = ? ORDER BY id DESC""",
                                [int(meeting_id)]).df()

    def meeting_pack(self, pack_id: int) -> bytes:
        """The PDF bytes of one archived pack."""
        with self.connect() as conn:
            found = first_row(conn, "SELECT contenu FROM reunion_dossiers WHERE id = ?", [int(pack_id)])
        if found is None:
            raise StoreError(f"Le dossier archivé n° {pack_id} n'existe pas.")
        return bytes(found[0])

    def close_meeting(self, meeting_id: int, auteur: str) -> None:
        """Close the meeting: from now on it is read-only."""
        with self.transaction() as conn:
            self._open_meeting(conn, meeting_id)
            conn.execute("INSERT INTO reunion_clotures VALUES (?, ?, ?)", [int(meeting_id), self._now(), auteur])
