"""The schema: tables and live views created, or migrated, from the dataset declarations.

Names are the domain's French words, as indicator SQL reads them:

- ``historique_<jeu>``: every row ever imported, with ``_import_id`` (the import that
  brought it), ``_ligne`` (its row number in the file) and ``_remplace_par`` (the import
  that replaced it, NULL while live). Rows are never deleted.
- ``<jeu>``: the live view the indicators read: rows of applied imports not replaced.
- ``historique_<jeu>_questions`` / ``<jeu>_questions``: the extra Likert questions of a
  survey dataset, one row per answer, attached to the live parent rows.
- ``imports``: the journal; ``rejets``: the rejected rows and the warnings of each import
  (``nature``: ``rejet`` or ``avertissement``, a cell left empty in a loaded row); ``couvertures``: the
  days each import vouches for (``origine``: the file's rule, corrected by the user, or
  ``reprise``: rebuilt from the rows of an import made before coverage was recorded).
- ``cibles``: target changes with the date from which they apply.
- ``commentaires``, ``correspondances``, ``indicateurs_ajoutes``: written from the app.
- ``evenements``: dated events on an indicator or a dataset (``changement_processus``: restarts
  the control chart's baseline); a withdrawal is a later row of the same ``id`` with ``retire``.
- ``reunions``, ``reunion_participants``, ``reunion_notes``, ``decisions``, ``reunion_clotures``,
  ``reunion_dossiers``: committee meetings (versions kept; a closed meeting refuses writes).
"""

from __future__ import annotations

import duckdb

from pilotage_qualite.common.fingerprints import code_fingerprint
from pilotage_qualite.model.batch import REJECT
from pilotage_qualite.model.coverage import default_span
from pilotage_qualite.model.datasets import Dataset
from pilotage_qualite.store.database import (
    APPLIED,
    QUESTIONS_SUFFIX,
    REBUILT,
    Database,
    SchemaMismatch,
    history_table,
    scalar,
    timestamp,
)

JOURNAL_TABLES = (
    """CREATE TABLE IF NOT EXISTS imports (
        id BIGINT PRIMARY KEY, jeu VARCHAR NOT NULL, fichier VARCHAR NOT NULL,
        empreinte VARCHAR NOT NULL, taille BIGINT NOT NULL, feuille VARCHAR,
        ligne_entete INTEGER, utilisateur VARCHAR NOT NULL, date TIMESTAMP NOT NULL,
        lignes_lues BIGINT NOT NULL, lignes_ajoutees BIGINT NOT NULL,
        lignes_remplacees BIGINT NOT NULL, lignes_rejetees BIGINT NOT NULL,
        colonnes_ignorees VARCHAR, colonnes_personnelles VARCHAR,
        etat VARCHAR NOT NULL, annule_le TIMESTAMP, annule_par VARCHAR)""",
    # Added since (NULL in the entries of older bases): a keyed import's counts in the quality
    # lead's words, and the warnings of every import (datasets.md « Re-imports »).
    "ALTER TABLE imports ADD COLUMN IF NOT EXISTS lignes_nouvelles BIGINT",
    "ALTER TABLE imports ADD COLUMN IF NOT EXISTS lignes_modifiees BIGINT",
    "ALTER TABLE imports ADD COLUMN IF NOT EXISTS lignes_inchangees BIGINT",
    "ALTER TABLE imports ADD COLUMN IF NOT EXISTS avertissements BIGINT DEFAULT 0",  # none before they existed
    """CREATE TABLE IF NOT EXISTS rejets (
        import_id BIGINT NOT NULL, ligne BIGINT, colonne VARCHAR, valeur VARCHAR,
        message VARCHAR NOT NULL)""",
    # Warnings came later: the lines of a base older than them are all rejects.
    f"ALTER TABLE rejets ADD COLUMN IF NOT EXISTS nature VARCHAR DEFAULT '{REJECT}'",
    """CREATE TABLE IF NOT EXISTS couvertures (
        import_id BIGINT NOT NULL, jeu VARCHAR NOT NULL, du DATE NOT NULL, au DATE NOT NULL,
        sites VARCHAR, origine VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS cibles (
        indicateur VARCHAR NOT NULL, date_debut DATE NOT NULL, cible DOUBLE,
        seuil DOUBLE, auteur VARCHAR NOT NULL, saisi_le TIMESTAMP NOT NULL)""",
)

# Written from the app (append-only: the latest row of a key is the one shown).
ADDITION_TABLES = (
    """CREATE TABLE IF NOT EXISTS commentaires (
        id BIGINT NOT NULL, indicateur VARCHAR NOT NULL, periode VARCHAR NOT NULL,
        site VARCHAR, texte VARCHAR NOT NULL, auteur VARCHAR NOT NULL, date TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS correspondances (
        id BIGINT NOT NULL, jeu VARCHAR NOT NULL, signature VARCHAR NOT NULL,
        entete VARCHAR NOT NULL, colonne VARCHAR, auteur VARCHAR NOT NULL, date TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS indicateurs_ajoutes (
        indicateur VARCHAR NOT NULL, definition VARCHAR NOT NULL, auteur VARCHAR NOT NULL,
        date TIMESTAMP NOT NULL)""",
    # `ecriture` numbers the rows in the order written: the latest row of an event's id wins.
    """CREATE TABLE IF NOT EXISTS evenements (
        id BIGINT NOT NULL, ecriture BIGINT NOT NULL, indicateur VARCHAR, jeu VARCHAR, date DATE NOT NULL,
        libelle VARCHAR NOT NULL, changement_processus BOOLEAN NOT NULL, retire BOOLEAN NOT NULL,
        auteur VARCHAR NOT NULL, saisi_le TIMESTAMP NOT NULL)""",
)

# Committee meetings (append-only: participants and notes are versions, the latest wins), and
# the packs (PDF) archived with their meeting: the evidence, never replaced.
MEETING_TABLES = (
    """CREATE TABLE IF NOT EXISTS reunions (
        id BIGINT NOT NULL, date_reunion DATE NOT NULL, grain VARCHAR NOT NULL, periode VARCHAR NOT NULL,
        site VARCHAR, cree_le TIMESTAMP NOT NULL, cree_par VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS reunion_participants (
        id BIGINT NOT NULL, reunion_id BIGINT NOT NULL, participants VARCHAR NOT NULL,
        auteur VARCHAR NOT NULL, ecrit_le TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS reunion_notes (
        id BIGINT NOT NULL, reunion_id BIGINT NOT NULL, point INTEGER NOT NULL, texte VARCHAR NOT NULL,
        auteur VARCHAR NOT NULL, ecrit_le TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS decisions (
        id BIGINT NOT NULL, reunion_id BIGINT NOT NULL, texte VARCHAR NOT NULL, pilote VARCHAR,
        echeance DATE, action_numero VARCHAR, import_id BIGINT, auteur VARCHAR NOT NULL,
        ecrit_le TIMESTAMP NOT NULL)""",
    # Added since (NULL in older decisions): the indicators a decision concerns, as « REC-03, SAT-01 ».
    "ALTER TABLE decisions ADD COLUMN IF NOT EXISTS indicateurs VARCHAR",
    """CREATE TABLE IF NOT EXISTS reunion_clotures (
        reunion_id BIGINT NOT NULL, close_le TIMESTAMP NOT NULL, close_par VARCHAR NOT NULL)""",
    # A meeting's date or reviewed period corrected before closing (its versions; the first is in
    # `reunions`), and the meetings as they now stand: what every read of a meeting uses.
    """CREATE TABLE IF NOT EXISTS reunion_corrections (
        reunion_id BIGINT NOT NULL, version INTEGER NOT NULL, date_reunion DATE NOT NULL, grain VARCHAR NOT NULL,
        periode VARCHAR NOT NULL, auteur VARCHAR NOT NULL, ecrit_le TIMESTAMP NOT NULL)""",
    """CREATE OR REPLACE VIEW reunions_en_vigueur AS
        SELECT r.id, coalesce(c.date_reunion, r.date_reunion) AS date_reunion, coalesce(c.grain, r.grain) AS grain,
               coalesce(c.periode, r.periode) AS periode, r.site, r.cree_le, r.cree_par
        FROM reunions r LEFT JOIN (SELECT * FROM reunion_corrections
                                   QUALIFY row_number() OVER (PARTITION BY reunion_id ORDER BY version DESC) = 1) c
             ON c.reunion_id = r.id""",
    # A decision corrected or withdrawn before closing: its later versions (the first is in `decisions`).
    """CREATE TABLE IF NOT EXISTS decision_versions (
        decision_id BIGINT NOT NULL, version INTEGER NOT NULL, texte VARCHAR, retiree BOOLEAN NOT NULL,
        auteur VARCHAR NOT NULL, ecrit_le TIMESTAMP NOT NULL)""",
    # The record of a closed meeting (model.meeting_record): its fingerprint, its parts' texts and fingerprints.
    "ALTER TABLE reunion_clotures ADD COLUMN IF NOT EXISTS empreinte VARCHAR",
    """CREATE TABLE IF NOT EXISTS reunion_instantanes (
        reunion_id BIGINT NOT NULL, partie VARCHAR NOT NULL, contenu VARCHAR NOT NULL, empreinte VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS reunion_dossiers (
        id BIGINT NOT NULL, reunion_id BIGINT NOT NULL, contenu BLOB NOT NULL, sha256 VARCHAR NOT NULL,
        produit_par VARCHAR NOT NULL, produit_le TIMESTAMP NOT NULL)""",
)


class Schema(Database):
    def initialise(self) -> None:
        """Create or migrate the schema from the declarations (idempotent).

        Skipped when the base records the fingerprint of the same declarations and store code
        (every start-up of the app and of each command would otherwise rewrite the views and
        checkpoint the file); any change to either migrates again.
        """
        fingerprint = self._schema_fingerprint()
        if self._recorded_fingerprint() == fingerprint:
            return
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_empreinte (empreinte VARCHAR NOT NULL, "
                         "date TIMESTAMP NOT NULL)")
            conn.execute("INSERT INTO schema_empreinte VALUES (?, ?)", [fingerprint, timestamp()])
            coverage_is_new = not scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'couvertures'")
            for statement in JOURNAL_TABLES + ADDITION_TABLES + MEETING_TABLES:
                conn.execute(statement)
            for dataset in self.datasets.values():
                _migrate_history(conn, dataset)
                _create_live_views(conn, dataset)
                if coverage_is_new:
                    _rebuild_coverage(conn, dataset)

    def _schema_fingerprint(self) -> str:
        """The declarations and the code of the store and of the model: what the schema is made from."""
        digest = code_fingerprint("model", "store")
        digest.update(repr(sorted(self.datasets.items())).encode())
        return digest.hexdigest()[:24]

    def _recorded_fingerprint(self) -> str | None:
        """The fingerprint of the last migration, None in a base that has none."""
        with self.connect() as conn:
            if not scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_empreinte'"):
                return None
            return scalar(conn, "SELECT empreinte FROM schema_empreinte ORDER BY rowid DESC LIMIT 1")


def _rebuild_coverage(conn: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    """The coverage of imports made before it was recorded, by the rule, from the rows they brought
    (their title rows are not read again: a register's coverage ends at its last date)."""
    dates = dataset.event_dates
    if not dates:
        return
    bounds = ", ".join(f'min(h."{d}"), max(h."{d}")' for d in dates)
    found = conn.execute(f"""SELECT h._import_id, CAST(i.date AS DATE), {bounds}
                             FROM {history_table(dataset.name)} h JOIN imports i ON i.id = h._import_id
                             GROUP BY ALL""").fetchall()
    for import_id, imported_on, *days in found:
        span = default_span(dataset.coverage_mode, days, extraction=None, imported_on=imported_on)
        if span is not None:
            conn.execute("INSERT INTO couvertures VALUES (?, ?, ?, ?, NULL, ?)",
                         [import_id, dataset.name, span.first_day, span.last_day, REBUILT])


def _migrate_history(conn: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    """Create the history table of a dataset, or add the columns declared since; a column whose
    declared type changed is refused (its stored values would not convert)."""
    table = history_table(dataset.name)
    existing = dict(conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
        [table]).fetchall())
    if not existing:
        columns = ", ".join(f'"{c.name}" {c.sql_type}' for c in dataset.columns)
        conn.execute(f"CREATE TABLE {table} ({columns}, _import_id BIGINT NOT NULL, "
                     f"_ligne BIGINT, _remplace_par BIGINT)")
        return
    for col in dataset.columns:
        if col.name not in existing:
            conn.execute(f'ALTER TABLE {table} ADD COLUMN "{col.name}" {col.sql_type}')
        elif existing[col.name] != col.sql_type:
            raise SchemaMismatch(
                f"Jeu « {dataset.name} », colonne « {col.name} » : la base la stocke en "
                f"{existing[col.name]}, la déclaration demande {col.sql_type}. "
                "Changer le type d'une colonne existante n'est pas pris en charge.")


def _create_live_views(conn: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    """The view the indicators read (and, for a survey, its extra questions' table and view)."""
    table = history_table(dataset.name)
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
