"""Imports: preview, apply and undo a batch, the journal, the rejected rows, the kept files.

An import never deletes: the rows it replaces are marked with its id (``_remplace_par``) and come
back if it is undone. A keyed dataset replaces rows with the same key; a keyless one replaces the
rows of the batch's date window (and sites).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

import duckdb
import pandas as pd

from pilotage_qualite.common.private_files import make_private_folder, write_private_file
from pilotage_qualite.model.batch import ImportBatch, ImportCounts
from pilotage_qualite.model.datasets import Dataset
from pilotage_qualite.model.replacement import MonthReplaced, WindowReplacement
from pilotage_qualite.store.database import (
    APPLIED,
    BY_RULE,
    CORRECTED,
    QUESTIONS_SUFFIX,
    UNDONE,
    Database,
    StoreError,
    first_row,
    history_table,
    scalar,
    timestamp,
)

# The live rows of a history table (its live view says the same).
LIVE_ROWS = f"_remplace_par IS NULL AND _import_id IN (SELECT id FROM imports WHERE etat = '{APPLIED}')"


@dataclass(frozen=True)
class BlockingImport:
    """An applied import that replaced rows of imports one wants undone: it must be undone first."""
    import_id: int
    file_name: str
    dataset_label: str

    def __str__(self) -> str:
        return f"l'import n° {self.import_id} ({self.file_name}, {self.dataset_label.lower()})"


class UndoBlocked(StoreError):
    """:meth:`Imports.undo_together` refused: nothing was undone; ``blocking`` says why."""

    def __init__(self, blocking: list[BlockingImport]):
        self.blocking = blocking
        super().__init__("Annulation refusée, rien n'a été modifié : "
                         + ", ".join(map(str, blocking)) + (" a" if len(blocking) == 1 else " ont")
                         + " depuis remplacé certaines de leurs lignes.")


class Imports(Database):
    def preview(self, batch: ImportBatch) -> ImportCounts:
        """Counts of what :meth:`apply` would do, without writing anything."""
        dataset = self.datasets[batch.dataset]
        rows = _typed_rows(dataset, batch.rows)
        read = _rows_read(batch, rows)
        with self.connect() as conn:
            identical = _find_identical(conn, batch)
            if identical is not None:
                return ImportCounts(read, 0, 0, batch.rejected_row_count, identical)
            replaced, changes, window = 0, {}, None
            if len(rows):
                _stage_rows(conn, dataset, rows)
                replaced = scalar(conn, f"SELECT count(*) FROM {history_table(dataset.name)} "
                                        f"WHERE {LIVE_ROWS} AND {_replaced_condition(dataset)}")
                changes = _keyed_changes(conn, dataset, len(rows))
                window = None if dataset.key else _window_replacement(conn, dataset)
                _unstage(conn)
        return ImportCounts(read, len(rows), replaced, batch.rejected_row_count, warnings=len(batch.warnings),
                            window=window, **changes)

    def apply(self, batch: ImportBatch, *, author: str) -> tuple[int | None, ImportCounts]:
        """Write one import atomically; returns (import id, counts).

        An identical file already applied to the same dataset is not loaded again: the id
        returned is None and the counts say which import it duplicates.
        """
        with self.transaction() as conn:
            return self._apply_in(conn, batch, author)

    def _apply_in(self, conn: duckdb.DuckDBPyConnection, batch: ImportBatch, author: str
                  ) -> tuple[int | None, ImportCounts]:
        """`apply` inside an open transaction (a committee decision writes its action with it)."""
        dataset = self.datasets[batch.dataset]
        rows = _typed_rows(dataset, batch.rows)
        read = _rows_read(batch, rows)
        identical = _find_identical(conn, batch)
        if identical is not None:
            return None, ImportCounts(read, 0, 0, batch.rejected_row_count, identical)
        import_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM imports")
        replaced, changes = _replace_and_insert(conn, dataset, batch, rows, import_id) if len(rows) else (0, {})
        counts = ImportCounts(read, len(rows), replaced, batch.rejected_row_count, warnings=len(batch.warnings),
                              **changes)
        _write_journal_entry(conn, import_id, batch, author, counts)
        _write_coverage(conn, import_id, batch)
        _write_rejected(conn, import_id, batch)
        self._keep_file(batch)
        return import_id, counts

    def _keep_file(self, batch: ImportBatch) -> None:
        """Keep the uploaded file as it was, named by its content hash (never by its name), readable
        by the service's account only: it may hold the personal columns dropped on import."""
        make_private_folder(self.kept_files_dir)
        target = self.kept_files_dir / batch.content_hash
        if not target.exists():
            partial = target.with_suffix(".partiel")
            write_private_file(partial, batch.content)
            partial.replace(target)

    def kept_file(self, import_id: int) -> tuple[str, bytes]:
        """The original file of an import: (its name, its bytes)."""
        with self.connect() as conn:
            file_name, content_hash = _journal_entry(conn, import_id, "fichier, empreinte")
        path = self.kept_files_dir / content_hash
        if not path.exists():
            raise StoreError(f"Le fichier de l'import n° {import_id} n'est plus conservé (durée de conservation dépassée).")
        return file_name, path.read_bytes()

    def undo(self, import_id: int, *, author: str) -> int:
        """Undo an import: its rows leave the live views, the rows it replaced come back.

        Returns the number of rows revived. Refused when a later applied import replaced
        rows of this one (undo that one first), so the live data stay consistent.
        """
        with self.transaction() as conn:
            return _undo_in(conn, import_id, author)

    def undo_together(self, import_ids: Collection[int], *, author: str) -> None:
        """Undo these imports in one transaction, latest first: all of them, or none.

        Refused with :class:`UndoBlocked` when applied imports outside them replaced some of their
        rows (a later file of the same register, the same months): those would have to be undone
        too, and are named — with the imports that block them in turn.
        """
        chosen = sorted({int(i) for i in import_ids}, reverse=True)
        if not chosen:
            return
        with self.transaction() as conn:
            blocking = self._blocking_outside(conn, chosen)
            if blocking:
                raise UndoBlocked(blocking)
            for import_id in chosen:  # a blocking import is always later: undone before the one it blocks
                _undo_in(conn, import_id, author)

    def blocking_imports(self, import_ids: Collection[int]) -> list[BlockingImport]:
        """What :meth:`undo_together` would name in its refusal, without writing."""
        with self.connect() as conn:
            return self._blocking_outside(conn, sorted({int(i) for i in import_ids}))

    def _blocking_outside(self, conn: duckdb.DuckDBPyConnection, chosen: list[int]) -> list[BlockingImport]:
        """The applied imports outside ``chosen`` that replaced rows of it, then those that replaced
        rows of these, and so on: everything that would have to be undone with ``chosen``."""
        found: list[int] = []
        while True:
            ids = chosen + found
            datasets = conn.execute("SELECT DISTINCT jeu FROM imports WHERE list_contains(?, id)", [ids]).fetchall()
            more = {replacing for (name,) in datasets for (replacing,) in conn.execute(
                f"""SELECT DISTINCT _remplace_par FROM {history_table(name)}
                    WHERE list_contains(?, _import_id) AND NOT list_contains(?, _remplace_par)
                    AND _remplace_par IN (SELECT id FROM imports WHERE etat = '{APPLIED}')""", [ids, ids]).fetchall()}
            if not more:
                break
            found += sorted(more)
        rows = conn.execute("SELECT id, fichier, jeu FROM imports WHERE list_contains(?, id) ORDER BY id",
                            [found]).fetchall()
        return [BlockingImport(i, f, self.datasets[j].label) for i, f, j in rows]

    def undo_preview(self, import_id: int) -> dict:
        """What undoing an import would change, without writing: its live rows that would
        leave the data, the rows it replaced that would come back, and the later import
        that blocks the undo (if any)."""
        with self.connect() as conn:
            dataset_name, file_name, state, date = _journal_entry(conn, import_id, "jeu, fichier, etat, date")
            table = history_table(dataset_name)
            removed = scalar(conn, f"SELECT count(*) FROM {table} WHERE _import_id = ? AND _remplace_par IS NULL",
                             [import_id])
            revived = scalar(conn, f"SELECT count(*) FROM {table} WHERE _remplace_par = ?", [import_id])
            blocked_by = _blocking_import(conn, table, import_id)
        return {"id": import_id, "jeu": dataset_name, "fichier": file_name, "etat": state, "date": date,
                "lignes_retirees": int(removed if state == APPLIED else 0),
                "lignes_retablies": int(revived if state == APPLIED else 0), "bloque_par": blocked_by}

    def journal(self) -> pd.DataFrame:
        with self.connect() as conn:
            return conn.execute("SELECT * FROM imports ORDER BY id").df()

    def has_history(self) -> bool:
        """True once anything was ever imported (even if undone since)."""
        with self.connect() as conn:
            return scalar(conn, "SELECT count(*) FROM imports") > 0

    def rejected_rows(self, import_id: int) -> pd.DataFrame:
        """The rejects and warnings of an import, by row, each marked by its `nature`."""
        with self.connect() as conn:
            return conn.execute(
                "SELECT nature, ligne, colonne, valeur, message FROM rejets WHERE import_id = ? "
                "ORDER BY ligne, colonne, nature DESC", [import_id]).df()


def _typed_rows(dataset: Dataset, rows: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in dataset.column_names + ["_ligne"] if c not in rows.columns]
    if missing:
        raise StoreError(f"Jeu « {dataset.name} » : colonnes absentes du lot à écrire : {', '.join(missing)}")
    return rows[dataset.column_names + ["_ligne"]]


def _rows_read(batch: ImportBatch, rows: pd.DataFrame) -> int:
    return batch.rows_read if batch.rows_read is not None else len(rows) + batch.rejected_row_count


def _find_identical(conn: duckdb.DuckDBPyConnection, batch: ImportBatch) -> int | None:
    return scalar(conn, "SELECT min(id) FROM imports WHERE jeu = ? AND empreinte = ? AND etat = ?",
                  [batch.dataset, batch.content_hash, APPLIED])


def _journal_entry(conn: duckdb.DuckDBPyConnection, import_id: int, columns: str) -> tuple:
    """These columns of one import's journal entry; a French refusal when there is none."""
    found = first_row(conn, f"SELECT {columns} FROM imports WHERE id = ?", [import_id])
    if found is None:
        raise StoreError(f"L'import n° {import_id} n'existe pas.")
    return found


def _undo_in(conn: duckdb.DuckDBPyConnection, import_id: int, author: str) -> int:
    """`undo` inside an open transaction; returns the number of rows revived."""
    dataset_name, state = _journal_entry(conn, import_id, "jeu, etat")
    if state != APPLIED:
        raise StoreError(f"L'import n° {import_id} est déjà annulé.")
    table = history_table(dataset_name)
    later = _blocking_import(conn, table, import_id)
    if later is not None:
        raise StoreError(
            f"L'import n° {import_id} ne peut pas être annulé : l'import n° {later} a depuis "
            f"remplacé certaines de ses lignes. Annulez d'abord l'import n° {later}.")
    revived = scalar(conn, f"UPDATE {table} SET _remplace_par = NULL WHERE _remplace_par = ?", [import_id])
    conn.execute("UPDATE imports SET etat = ?, annule_le = ?, annule_par = ? WHERE id = ?",
                 [UNDONE, timestamp(), author, import_id])
    return revived


def _blocking_import(conn: duckdb.DuckDBPyConnection, table: str, import_id: int) -> int | None:
    """The first applied import that replaced rows of this one (it must be undone first)."""
    return scalar(conn, f"""SELECT min(_remplace_par) FROM {table} WHERE _import_id = ?
                            AND _remplace_par IN (SELECT id FROM imports WHERE etat = '{APPLIED}')""",
                  [import_id])


def _replaced_condition(dataset: Dataset) -> str:
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


def _stage_rows(conn: duckdb.DuckDBPyConnection, dataset: Dataset, rows: pd.DataFrame) -> None:
    """The batch as temporary view `nouvelles`, with the declared SQL types.

    A view over the registered frame, not a table: the rows are copied once, into the
    history table (a temporary table cost a second copy, ~40 ms per 100,000 rows).
    :func:`_unstage` removes it; a rolled-back transaction leaves nothing either.
    """
    conn.register("lot_brut", rows)
    casts = ", ".join(f'CAST("{c.name}" AS {c.sql_type}) AS "{c.name}"' for c in dataset.columns)
    conn.execute(f"CREATE OR REPLACE TEMP VIEW nouvelles AS "
                 f"SELECT {casts}, CAST(_ligne AS BIGINT) AS _ligne FROM lot_brut")


def _unstage(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("DROP VIEW nouvelles")
    conn.unregister("lot_brut")


def _keyed_changes(conn: duckdb.DuckDBPyConnection, dataset: Dataset, staged: int) -> dict[str, int]:
    """A keyed batch staged as `nouvelles`, in the quality lead's words: keys not live before
    (new), live keys whose content changes (modified) or not (unchanged); empty when keyless."""
    if not dataset.key:
        return {}
    same_key = " AND ".join(f'n."{k}" = h."{k}"' for k in dataset.key)
    same_content = " AND ".join(f'n."{c}" IS NOT DISTINCT FROM h."{c}"' for c in dataset.column_names)
    updated, unchanged = first_row(conn, f"""
        SELECT count(DISTINCT n._ligne), count(DISTINCT n._ligne) FILTER (WHERE {same_content})
        FROM nouvelles n JOIN (SELECT * FROM {history_table(dataset.name)} WHERE {LIVE_ROWS}) h ON {same_key}""")
    return {"new": staged - updated, "modified": updated - unchanged, "unchanged": unchanged}


def _window_replacement(conn: duckdb.DuckDBPyConnection, dataset: Dataset) -> WindowReplacement:
    """A keyless batch staged as `nouvelles`: the live rows it replaces and the rows it brings, by month."""
    month = f'CAST(date_trunc(\'month\', "{dataset.reference_date}") AS DATE)'
    before = dict(conn.execute(f"SELECT {month}, count(*) FROM {history_table(dataset.name)} "
                               f"WHERE {LIVE_ROWS} AND {_replaced_condition(dataset)} GROUP BY 1").fetchall())
    after = dict(conn.execute(f"SELECT {month}, count(*) FROM nouvelles GROUP BY 1").fetchall())
    sites = conn.execute("SELECT DISTINCT site FROM nouvelles WHERE site IS NOT NULL ORDER BY 1").fetchall() \
        if dataset.has_site else []
    return WindowReplacement(tuple(MonthReplaced(m, before.get(m, 0), after.get(m, 0))
                                   for m in sorted(before.keys() | after.keys())), tuple(s for (s,) in sites))


def _replace_and_insert(conn: duckdb.DuckDBPyConnection, dataset: Dataset, batch: ImportBatch, rows: pd.DataFrame,
                        import_id: int) -> tuple[int, dict[str, int]]:
    """Mark the live rows the batch replaces, insert its rows (and survey answers); returns how
    many rows it replaced and, for a keyed dataset, its new, modified and unchanged rows."""
    table = history_table(dataset.name)
    _stage_rows(conn, dataset, rows)
    changes = _keyed_changes(conn, dataset, len(rows))
    replaced = scalar(conn, f"UPDATE {table} SET _remplace_par = ? WHERE {LIVE_ROWS} AND {_replaced_condition(dataset)}",
                      [import_id])
    columns = ", ".join(f'"{c}"' for c in dataset.column_names)
    conn.execute(f"INSERT INTO {table} ({columns}, _import_id, _ligne, _remplace_par) "
                 f"SELECT {columns}, ?, _ligne, NULL FROM nouvelles", [import_id])
    _unstage(conn)
    if batch.questions is not None and len(batch.questions):
        conn.register("questions_lot", batch.questions[["_ligne", "question", "reponse"]])
        conn.execute(f"""INSERT INTO {table}{QUESTIONS_SUFFIX}
            SELECT ?, CAST(_ligne AS BIGINT), question, CAST(reponse AS TINYINT)
            FROM questions_lot""", [import_id])
    return replaced, changes


def _write_journal_entry(conn: duckdb.DuckDBPyConnection, import_id: int, batch: ImportBatch, author: str,
                         counts: ImportCounts) -> None:
    entry = {
        "id": import_id, "jeu": batch.dataset, "fichier": batch.file_name, "empreinte": batch.content_hash,
        "taille": len(batch.content), "feuille": batch.sheet, "ligne_entete": batch.header_row,
        "utilisateur": author, "date": timestamp(), "lignes_lues": counts.read, "lignes_ajoutees": counts.added,
        "lignes_remplacees": counts.replaced, "lignes_rejetees": counts.rejected,
        "colonnes_ignorees": json.dumps(batch.ignored_columns, ensure_ascii=False),
        "colonnes_personnelles": json.dumps(batch.personal_columns, ensure_ascii=False), "etat": APPLIED,
        "lignes_nouvelles": counts.new, "lignes_modifiees": counts.modified, "lignes_inchangees": counts.unchanged,
        "avertissements": counts.warnings}
    conn.execute(f"INSERT INTO imports ({', '.join(entry)}) VALUES ({', '.join('?' * len(entry))})",
                 list(entry.values()))


def _write_coverage(conn: duckdb.DuckDBPyConnection, import_id: int, batch: ImportBatch) -> None:
    span = batch.coverage
    if span is not None:
        conn.execute("INSERT INTO couvertures VALUES (?, ?, ?, ?, ?, ?)",
                     [import_id, batch.dataset, span.first_day, span.last_day,
                      json.dumps(list(span.sites), ensure_ascii=False) if span.sites else None,
                      CORRECTED if batch.coverage_corrected else BY_RULE])


def _write_rejected(conn: duckdb.DuckDBPyConnection, import_id: int, batch: ImportBatch) -> None:
    problems = batch.problems()
    if len(problems):
        conn.register("rejets_lot", problems.astype({"valeur": "str"}, errors="ignore"))
        conn.execute("""INSERT INTO rejets (import_id, ligne, colonne, valeur, message, nature)
                        SELECT ?, CAST(ligne AS BIGINT), CAST(colonne AS VARCHAR), CAST(valeur AS VARCHAR),
                        CAST(message AS VARCHAR), nature FROM rejets_lot""", [import_id])
        conn.unregister("rejets_lot")
