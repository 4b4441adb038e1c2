"""Imports: preview, apply and undo a batch, the journal, the rejected rows, the kept files.

An import never deletes: the rows it replaces are marked with its id (``_remplace_par``) and come
back if it is undone. A keyed dataset replaces rows with the same key; a keyless one replaces the
rows of the batch's date window (and sites).
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from pilotage_qualite.model.batch import ImportBatch, ImportCounts
from pilotage_qualite.model.datasets import Dataset
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
            replaced = 0
            if len(rows):
                _stage_rows(conn, dataset, rows)
                replaced = scalar(conn, f"SELECT count(*) FROM {history_table(dataset.name)} "
                                        f"WHERE {LIVE_ROWS} AND {_replaced_condition(dataset)}")
                _unstage(conn)
        return ImportCounts(read, len(rows), replaced, batch.rejected_row_count)

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
        replaced = _replace_and_insert(conn, dataset, batch, rows, import_id) if len(rows) else 0
        counts = ImportCounts(read, len(rows), replaced, batch.rejected_row_count)
        _write_journal_entry(conn, import_id, batch, author, counts)
        _write_coverage(conn, import_id, batch)
        _write_rejected(conn, import_id, batch)
        self._keep_file(batch)
        return import_id, counts

    def _keep_file(self, batch: ImportBatch) -> None:
        """Keep the uploaded file as it was, named by its content hash (never by its name)."""
        self.kept_files_dir.mkdir(parents=True, exist_ok=True)
        target = self.kept_files_dir / batch.content_hash
        if not target.exists():
            partial = target.with_suffix(".partiel")
            partial.write_bytes(batch.content)
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
        with self.connect() as conn:
            return conn.execute(
                "SELECT ligne, colonne, valeur, message FROM rejets WHERE import_id = ? ORDER BY ligne, colonne",
                [import_id]).df()


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


def _replace_and_insert(conn: duckdb.DuckDBPyConnection, dataset: Dataset, batch: ImportBatch, rows: pd.DataFrame,
                        import_id: int) -> int:
    """Mark the live rows the batch replaces, insert its rows (and survey answers); returns how
    many rows it replaced."""
    table = history_table(dataset.name)
    _stage_rows(conn, dataset, rows)
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
    return replaced


def _write_journal_entry(conn: duckdb.DuckDBPyConnection, import_id: int, batch: ImportBatch, author: str,
                         counts: ImportCounts) -> None:
    conn.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
        [import_id, batch.dataset, batch.file_name, batch.content_hash, len(batch.content),
         batch.sheet, batch.header_row, author, timestamp(),
         counts.read, counts.added, counts.replaced, counts.rejected,
         json.dumps(batch.ignored_columns, ensure_ascii=False),
         json.dumps(batch.personal_columns, ensure_ascii=False), APPLIED])


def _write_coverage(conn: duckdb.DuckDBPyConnection, import_id: int, batch: ImportBatch) -> None:
    span = batch.coverage
    if span is not None:
        conn.execute("INSERT INTO couvertures VALUES (?, ?, ?, ?, ?, ?)",
                     [import_id, batch.dataset, span.first_day, span.last_day,
                      json.dumps(list(span.sites), ensure_ascii=False) if span.sites else None,
                      CORRECTED if batch.coverage_corrected else BY_RULE])


def _write_rejected(conn: duckdb.DuckDBPyConnection, import_id: int, batch: ImportBatch) -> None:
    if len(batch.rejected):
        rejected = batch.rejected[["ligne", "colonne", "valeur", "message"]].astype({"valeur": "str"}, errors="ignore")
        conn.register("rejets_lot", rejected)
        conn.execute("""INSERT INTO rejets SELECT ?, CAST(ligne AS BIGINT), CAST(colonne AS VARCHAR),
                        CAST(valeur AS VARCHAR), CAST(message AS VARCHAR) FROM rejets_lot""", [import_id])
