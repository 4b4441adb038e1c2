"""What the app adds beside the imported data: comments, remembered column mappings, target changes,
events, indicators added in the app. Append-only: the latest row of a key is the one shown, earlier ones stay."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pilotage_qualite.model.events import LABEL_MAX_CHARS, Event
from pilotage_qualite.store.database import Database, StoreError, scalar, timestamp


class Annotations(Database):
    # comments ------------------------------------------------------------------------

    def add_comment(self, indicateur: str, periode: str, site: str | None, texte: str, *, author: str) -> int:
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
                         [comment_id, indicateur, periode, site or None, texte, author, timestamp()])
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

    def save_mapping(self, jeu: str, signature: str, mapping: dict[str, str | None], *, author: str) -> int:
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
            written = timestamp()
            for header, column in mapping.items():
                conn.execute("INSERT INTO correspondances VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [set_id, jeu, signature, header, column, author, written])
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
                   *, author: str) -> None:
        """A new target (and alert threshold) applying from `date_debut`; earlier ones are kept."""
        if not isinstance(date_debut, dt.date):
            raise StoreError("La date d'application de la cible est manquante.")
        with self.transaction() as conn:
            conn.execute("INSERT INTO cibles VALUES (?, ?, ?, ?, ?, ?)",
                         [indicateur, date_debut, None if cible is None else float(cible),
                          None if seuil is None else float(seuil), author, dt.datetime.now()])

    def target_changes(self) -> pd.DataFrame:
        """Targets set in the app, each applying from its date (the engine's `targets`)."""
        with self.connect() as conn:
            return conn.execute("SELECT indicateur, date_debut, cible, seuil, auteur, saisi_le FROM cibles "
                                "ORDER BY indicateur, date_debut, saisi_le").df()

    # events on an indicator or a dataset ---------------------------------------------------------

    def record_event(self, day: dt.date, label: str, *, indicator: str | None = None, dataset: str | None = None,
                     process_change: bool = False, author: str) -> int:
        """Record a dated event on exactly one indicator or one dataset; returns its id. A process
        change restarts the control chart's baseline of the indicators it concerns."""
        label = " ".join((label or "").split())
        if not label:
            raise StoreError("Le libellé de l'événement est obligatoire : rien n'a été enregistré.")
        if len(label) > LABEL_MAX_CHARS:
            raise StoreError(f"Le libellé de l'événement dépasse {LABEL_MAX_CHARS} caractères : raccourcissez-le.")
        if not isinstance(day, dt.date):
            raise StoreError("La date de l'événement est manquante.")
        if bool(indicator) == bool(dataset):
            raise StoreError("Un événement porte sur un indicateur ou sur un jeu de données, exactement l'un des deux.")
        if dataset and dataset not in self.datasets:
            raise StoreError(f"Jeu de données inconnu : « {dataset} ».")
        day = day.date() if isinstance(day, dt.datetime) else day
        with self.transaction() as conn:
            event_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM evenements")
            self._write_event(conn, [event_id, indicator or None, dataset or None, day, label, bool(process_change),
                                     False, author])
        return event_id

    def withdraw_event(self, event_id: int, *, author: str) -> None:
        """Withdraw an event: a new row of its id marked withdrawn (the recorded one stays)."""
        with self.transaction() as conn:
            found = conn.execute(
                "SELECT indicateur, jeu, date, libelle, changement_processus, retire FROM evenements WHERE id = ? "
                "ORDER BY ecriture DESC LIMIT 1", [int(event_id)]).fetchall()
            if not found or found[0][-1]:
                raise StoreError(f"Événement n° {event_id} introuvable ou déjà retiré.")
            self._write_event(conn, [int(event_id), *found[0][:-1], True, author])

    @staticmethod
    def _write_event(conn, values: list) -> None:
        """id, indicateur, jeu, date, libelle, changement_processus, retire, auteur: one more row."""
        row = scalar(conn, "SELECT coalesce(max(ecriture), 0) + 1 FROM evenements")
        conn.execute("INSERT INTO evenements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [values[0], row, *values[1:], timestamp()])

    def events(self) -> tuple[Event, ...]:
        """The events in force (the latest row of each id, withdrawn ones left out), oldest first."""
        with self.connect() as conn:
            rows = conn.execute("""
                SELECT id, date, libelle, changement_processus, auteur, saisi_le, indicateur, jeu, retire
                FROM evenements
                QUALIFY row_number() OVER (PARTITION BY id ORDER BY ecriture DESC) = 1
                ORDER BY date, id""").fetchall()
        return tuple(Event(int(i), day, label, bool(change), author, written, indicator, dataset)
                     for i, day, label, change, author, written, indicator, dataset, withdrawn in rows
                     if not withdrawn)

    # indicators added in the app ------------------------------------------------------------

    def add_indicator_definitions(self, definitions: dict[str, str], *, author: str) -> None:
        """Keep new indicators' definitions (id -> YAML text, the catalogue files' format)."""
        with self.transaction() as conn:
            taken = {row[0] for row in conn.execute("SELECT indicateur FROM indicateurs_ajoutes").fetchall()}
            clash = sorted(set(definitions) & taken)
            if clash:
                raise StoreError(f"Indicateur(s) déjà ajouté(s) : {', '.join(clash)}.")
            written = timestamp()
            for indicator_id, text in definitions.items():
                conn.execute("INSERT INTO indicateurs_ajoutes VALUES (?, ?, ?, ?)", [indicator_id, text, author, written])

    def added_indicators(self) -> pd.DataFrame:
        with self.connect() as conn:
            return conn.execute("SELECT indicateur, definition, auteur, date FROM indicateurs_ajoutes "
                                "ORDER BY date, indicateur").df()
