"""The database file: connections, the version that keys page caches, the store's errors.

DuckDB lets one process hold the file at a time, so the store opens a connection per
operation and closes it at once; a process finding the file busy retries for a bounded
time and then raises :class:`DatabaseBusy` with a French message. A page run may pin one
connection for its duration (:meth:`Database.pinned`): its operations then share it, and the
file is released when the run ends.

Every concern of the store (:mod:`pilotage_qualite.store`) builds on :class:`Database`; this
module is the only one that opens the file, so a test replacing ``duckdb`` here sees every
connection.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import duckdb

from pilotage_qualite.common.private_files import PRIVATE_FILE, make_private_folder, private_umask
from pilotage_qualite.model.datasets import Dataset

T = TypeVar("T")

# The journal's states (imports.etat); the live views keep the rows of applied imports only.
APPLIED = "appliqué"
UNDONE = "annulé"
# Where an import's recorded coverage comes from (``couvertures.origine``).
BY_RULE, CORRECTED, REBUILT = "fichier", "corrigée", "reprise"
QUESTIONS_SUFFIX = "_questions"

# A process kept waiting for the file leaves `<base>.attente.<pid>` beside it; the others then hold
# back new connections (at most MAX_YIELD_S) so that theirs end and the file is released. While
# another thread of the process still holds the file, only HELD_YIELD_S: that thread may be waiting
# for this one (a page run waiting for the figures another thread computes), and holding back
# would then keep the file held, not release it (seen under load: a command-line import refused).
WAITING_SUFFIX = ".attente."
MAX_YIELD_S = 10.0
HELD_YIELD_S = 1.0
# A base file changed less than this many seconds ago is not trusted to tell its version by
# its size and times alone (file systems with coarse timestamps): the version is read.
FILE_STATE_SETTLE_S = 2.0

# One writer at a time inside this process (DuckDB would report a conflict otherwise).
_WRITE_LOCK = threading.Lock()
# Opening and closing connections to one file from several threads races inside DuckDB's
# instance cache (« Unique file handle conflict … already attached »): one at a time.
_CONNECT_LOCK = threading.Lock()
# Open connections of this process, by file (changed under _CONNECT_LOCK): the file is held while
# one is open.
_OPEN_HERE: dict[str, int] = {}


class DatabaseBusy(RuntimeError):
    """Another program holds the database file longer than we are willing to wait."""


class StoreError(RuntimeError):
    """A store operation the user asked for cannot be done; the message is French."""


class SchemaMismatch(RuntimeError):
    """The database stores a column with another type than its declaration now says."""


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


def timestamp() -> dt.datetime:
    """When a row is written, to the second (the journal and the app's additions show it)."""
    return dt.datetime.now().replace(microsecond=0)


class Database:
    """The file of one installation, with the datasets it stores and the folder of kept files."""

    def __init__(self, path: Path, datasets: dict[str, Dataset], *, kept_files_dir: Path | None = None,
                 busy_timeout_s: float = 30.0):
        self.path = Path(path)
        self.datasets = datasets
        self.kept_files_dir = Path(kept_files_dir) if kept_files_dir else self.path.parent / "fichiers"
        self.busy_timeout_s = busy_timeout_s
        self._pin = threading.local()  # this thread's pinned connection and its memoised version
        self._version_by_state: tuple | None = None  # (file state, version) last read
        self._read_at_version: dict[str, tuple[tuple, Any]] = {}  # what :meth:`per_version` read

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
        with private_umask:  # DuckDB creates the base, and its write-ahead log at each write: 0600
            conn = self._connect_waiting()
            try:
                yield conn
            finally:
                with _CONNECT_LOCK:
                    try:
                        conn.close()
                    finally:
                        _OPEN_HERE[str(self.path)] -= 1

    def _connect_waiting(self) -> duckdb.DuckDBPyConnection:
        """Connect, waiting a bounded time for another process; a process kept waiting says so
        (a marker file) and the others hold back new connections until it got its turn."""
        make_private_folder(self.path.parent)
        started = time.monotonic()
        deadline = started + self.busy_timeout_s
        delay = 0.05
        waiting: Path | None = None
        try:
            while True:
                if waiting is None and self._holds_back(started):
                    time.sleep(0.05)  # let this process's open connections end so the file is released
                    continue
                conn = self._try_connect()
                if conn is not None:
                    return conn
                if waiting is None:
                    waiting = self.path.with_name(f"{self.path.name}{WAITING_SUFFIX}{os.getpid()}")
                waiting.touch(mode=PRIVATE_FILE)  # refreshed at each try: a marker older than a wait is stale
                if time.monotonic() >= deadline:
                    raise self._busy()
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
        finally:
            if waiting is not None:
                waiting.unlink(missing_ok=True)

    def _try_connect(self) -> duckdb.DuckDBPyConnection | None:
        """A connection, or None while another process holds the file's lock."""
        try:
            with _CONNECT_LOCK:
                conn = duckdb.connect(str(self.path))
                _OPEN_HERE[str(self.path)] = _OPEN_HERE.get(str(self.path), 0) + 1
                return conn
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            return None

    def _busy(self) -> DatabaseBusy:
        return DatabaseBusy(
            f"La base de données « {self.path.name} » est utilisée par un autre programme "
            f"(un import en ligne de commande ou l'application). Nouvel essai pendant "
            f"{self.busy_timeout_s:g} s sans succès : réessayez dans un instant.")

    def _holds_back(self, started: float) -> bool:
        """A new connection waits while another process waits for the file: MAX_YIELD_S at most,
        HELD_YIELD_S while this process holds the file through another connection."""
        limit = HELD_YIELD_S if _OPEN_HERE.get(str(self.path), 0) else MAX_YIELD_S
        return time.monotonic() < started + min(self.busy_timeout_s, limit) and self._another_process_waits()

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

    # --- the version: the key of page caches ------------------------------------------

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

    def per_version(self, key: str, read: Callable[[], T]) -> T:
        """``read()`` once per version of the base, for what only a counted write can change (the
        coverage, the sites): every page run, command and pack asks for it, each would scan again."""
        version = self.version()
        found = self._read_at_version.get(key)
        if found is not None and found[0] == version:
            return found[1]
        value = read()
        self._read_at_version[key] = (version, value)
        return value

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
        an indicator is added, a meeting is written or an event is recorded or withdrawn: the key of page caches."""
        with self.connect() as conn:
            return first_row(conn, "SELECT (SELECT count(*) FROM imports), (SELECT count(annule_le) FROM imports), "
                                   "(SELECT count(*) FROM cibles), (SELECT count(*) FROM commentaires), "
                                   "(SELECT count(*) FROM indicateurs_ajoutes), "
                                   "(SELECT count(*) FROM reunions), (SELECT count(*) FROM reunion_participants), "
                                   "(SELECT count(*) FROM reunion_notes), (SELECT count(*) FROM decisions), "
                                   "(SELECT count(*) FROM reunion_clotures), (SELECT count(*) FROM reunion_dossiers), "
                                   "(SELECT count(*) FROM evenements), (SELECT count(*) FROM decision_versions), "
                                   "(SELECT count(*) FROM reunion_corrections)")
