"""Committee meetings: participants, notes, decisions, closing, archived packs.

A meeting reviews one period (grain + label, site None = Ensemble). Its participants and the note
of each agenda point are versions (the latest is shown, earlier ones are kept); decisions are
added, never edited. Once closed, the meeting refuses every write. A decision may open an action
of the improvement plan: it is written through the import path, so it is journaled and can be
undone like any import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

from pilotage_qualite.model.batch import ImportBatch
from pilotage_qualite.model.datasets import Dataset
from pilotage_qualite.model.meeting_record import PARTS, WHOLE, fingerprint, whole_fingerprint
from pilotage_qualite.model.meetings import CLOSED, OPEN, Decision, Meeting
from pilotage_qualite.model.periods import parse_period
from pilotage_qualite.store.database import StoreError, first_row, history_table, scalar, timestamp
from pilotage_qualite.store.imports import Imports

MEETING_POINTS = range(1, 9)  # the eight points of the agenda (pilotage_qualite.reports.agenda)
MEETING_ACTION_ORIGIN = "revue de direction"


class Meetings(Imports):
    def create_meeting(self, date_reunion: dt.date, grain: str, periode: str, site: str | None, *, author: str) -> int:
        """A new meeting reviewing `periode` (a Period label such as « 2026-T3 »); returns its id."""
        if not isinstance(date_reunion, dt.date):
            raise StoreError("La date de la réunion est manquante : rien n'a été enregistré.")
        if not periode or not grain:
            raise StoreError("La période revue par la réunion est manquante : rien n'a été enregistré.")
        with self.transaction() as conn:
            meeting_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM reunions")
            conn.execute("INSERT INTO reunions VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [meeting_id, date_reunion, grain, periode, site or None, timestamp(), author])
        return meeting_id

    def correct_meeting(self, meeting_id: int, date_reunion: dt.date, grain: str, periode: str, *,
                        author: str) -> None:
        """A new version of an open meeting's date and reviewed period (a typo, a meeting moved);
        the earlier ones are kept in ``reunion_corrections``."""
        if not isinstance(date_reunion, dt.date) or not periode or not grain:
            raise StoreError("La date et la période revue sont nécessaires : rien n'a été enregistré.")
        try:
            parse_period(periode)
        except ValueError as exc:
            raise StoreError(f"{exc} Rien n'a été enregistré.") from None
        with self.transaction() as conn:
            _open_meeting(conn, meeting_id)
            version = scalar(conn, "SELECT coalesce(max(version), 1) + 1 FROM reunion_corrections WHERE reunion_id = ?",
                             [int(meeting_id)])
            conn.execute("INSERT INTO reunion_corrections VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [int(meeting_id), version, date_reunion, grain, periode, author, timestamp()])

    def meetings(self) -> pd.DataFrame:
        """Every meeting, newest first: id, date_reunion, grain, periode, site, statut, decisions, close_le,
        empreinte (the record's fingerprint, once closed)."""
        with self.connect() as conn:
            return conn.execute("""
                SELECT r.id, r.date_reunion, r.grain, r.periode, r.site,
                       CASE WHEN c.close_le IS NULL THEN ? ELSE ? END AS statut,
                       (SELECT count(*) FROM decisions d WHERE d.reunion_id = r.id) AS decisions,
                       r.cree_le, r.cree_par, c.close_le, c.empreinte
                FROM reunions_en_vigueur r LEFT JOIN (SELECT reunion_id, min(close_le) AS close_le, min(empreinte) AS empreinte
                                           FROM reunion_clotures GROUP BY reunion_id) c ON c.reunion_id = r.id
                ORDER BY r.date_reunion DESC, r.id DESC""", [OPEN, CLOSED]).df()

    def meeting(self, meeting_id: int) -> Meeting:
        """One meeting with its latest participants and notes, its decisions and its closing."""
        with self.connect() as conn:
            found = _meeting_row(conn, meeting_id, "id, date_reunion, periode, site")
            participants = _latest_participants(conn, meeting_id)
            notes = _latest_notes(conn, meeting_id)
            decisions = _decisions(conn, meeting_id)
            closed = _closed_on(conn, meeting_id)
            fingerprint = scalar(conn, "SELECT min(empreinte) FROM reunion_clotures WHERE reunion_id = ?",
                                 [int(meeting_id)])
        return Meeting(id=int(found[0]), day=found[1], period=parse_period(found[2]), site=found[3],
                       participants=tuple(participants), notes=notes, decisions=decisions, closed_on=closed,
                       fingerprint=fingerprint)

    def previous_meeting(self, meeting_id: int) -> Meeting | None:
        """The meeting held before this one for the same scope (site or Ensemble), or None."""
        with self.connect() as conn:
            date_reunion, site = _meeting_row(conn, meeting_id, "date_reunion, site")
            earlier = scalar(conn, """SELECT id FROM reunions_en_vigueur WHERE site IS NOT DISTINCT FROM ?
                                      AND (date_reunion < ? OR (date_reunion = ? AND id < ?))
                                      ORDER BY date_reunion DESC, id DESC LIMIT 1""",
                             [site, date_reunion, date_reunion, int(meeting_id)])
        return None if earlier is None else self.meeting(earlier)

    def set_participants(self, meeting_id: int, participants: list[str], *, author: str) -> None:
        """A new version of the attendees list (blank names dropped, order kept, duplicates once)."""
        names = list(dict.fromkeys(n.strip() for n in participants if n and n.strip()))
        with self.transaction() as conn:
            _open_meeting(conn, meeting_id)
            row_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM reunion_participants")
            conn.execute("INSERT INTO reunion_participants VALUES (?, ?, ?, ?, ?)",
                         [row_id, int(meeting_id), json.dumps(names, ensure_ascii=False), author, timestamp()])

    def add_note(self, meeting_id: int, point: int, texte: str, *, author: str) -> None:
        """A new version of the note of one agenda point (1–8); the previous one stays in the history."""
        if point not in MEETING_POINTS:
            raise StoreError(f"Point d'ordre du jour « {point} » inconnu (points 1 à 8).")
        texte = (texte or "").strip()
        if not texte:
            raise StoreError("La note est vide : rien n'a été enregistré.")
        with self.transaction() as conn:
            _open_meeting(conn, meeting_id)
            row_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM reunion_notes")
            conn.execute("INSERT INTO reunion_notes VALUES (?, ?, ?, ?, ?, ?)",
                         [row_id, int(meeting_id), int(point), texte, author, timestamp()])

    def add_decision(self, meeting_id: int, texte: str, *, author: str, pilote: str | None = None,
                     echeance: dt.date | None = None, create_action: bool = False,
                     indicateurs: Sequence[str] = ()) -> dict:
        """Record a decision, with the indicators it concerns (codes of the catalogue, chosen from
        it); with `create_action`, also open an action of the improvement plan (origine « revue de
        direction », opened on the meeting's date, « à faire », linked to those indicators),
        written through the import path in the same transaction so it is journaled and can be
        undone. Returns {"id", "action_numero", "import_id"}."""
        texte = (texte or "").strip()
        pilote = (pilote or "").strip() or None
        codes = ", ".join(dict.fromkeys(indicateurs)) or None  # as an action's « Indicateurs concernés »
        if not texte:
            raise StoreError("La décision est vide : rien n'a été enregistré.")
        if create_action and (pilote is None or not isinstance(echeance, dt.date)):
            raise StoreError("Pour créer une action du plan d'amélioration, indiquez son pilote et son échéance : "
                             "rien n'a été enregistré.")
        with self.transaction() as conn:
            date_reunion, site = _open_meeting(conn, meeting_id)
            if create_action and echeance < date_reunion:
                raise StoreError(f"L'échéance ({echeance:%d/%m/%Y}) précède la date de la réunion "
                                 f"({date_reunion:%d/%m/%Y}) : rien n'a été enregistré.")
            decision_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM decisions")
            numero = import_id = None
            if create_action:
                numero = _next_action_number(conn, date_reunion)
                batch = _decision_batch(self.datasets["actions"], decision_id, numero, texte, pilote, echeance,
                                        date_reunion, site, codes)
                import_id, _ = self._apply_in(conn, batch, author)
            conn.execute("INSERT INTO decisions (id, reunion_id, texte, pilote, echeance, action_numero, import_id, "
                         "auteur, ecrit_le, indicateurs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [decision_id, int(meeting_id), texte, pilote, echeance, numero, import_id, author,
                          timestamp(), codes])
        return {"id": decision_id, "action_numero": numero, "import_id": import_id}

    def correct_decision(self, decision_id: int, texte: str | None, *, author: str) -> None:
        """A new version of a decision of an open meeting: its corrected text, or (None) its
        withdrawal. Earlier versions are kept (:meth:`decision_history`). An action the decision
        opened stays in the improvement plan: it is undone, if need be, from the Données page."""
        texte = None if texte is None else texte.strip()
        if texte == "":
            raise StoreError("La décision corrigée est vide : pour la retirer, utilisez « Retirer ». "
                             "Rien n'a été enregistré.")
        with self.transaction() as conn:
            found = first_row(conn, "SELECT reunion_id FROM decisions WHERE id = ?", [int(decision_id)])
            if found is None:
                raise StoreError(f"La décision n° {decision_id} n'existe pas : rien n'a été enregistré.")
            _open_meeting(conn, found[0])
            if _latest_decision_version(conn, decision_id)[1]:
                raise StoreError("Cette décision est déjà retirée : rien n'a été enregistré.")
            version = scalar(conn, "SELECT coalesce(max(version), 1) + 1 FROM decision_versions WHERE decision_id = ?",
                             [int(decision_id)])
            conn.execute("INSERT INTO decision_versions VALUES (?, ?, ?, ?, ?, ?)",
                         [int(decision_id), version, texte, texte is None, author, timestamp()])

    def decision_history(self, meeting_id: int) -> pd.DataFrame:
        """Every version of every decision of a meeting, each as taken first: decision, version,
        texte, etat (« prise », « corrigée », « retirée »), auteur, ecrit_le."""
        with self.connect() as conn:
            return conn.execute("""
                SELECT id AS decision, 1 AS version, texte, 'prise' AS etat, auteur, ecrit_le
                FROM decisions WHERE reunion_id = $id
                UNION ALL
                SELECT v.decision_id, v.version, v.texte, CASE WHEN v.retiree THEN 'retirée' ELSE 'corrigée' END,
                       v.auteur, v.ecrit_le
                FROM decision_versions v JOIN decisions d ON d.id = v.decision_id WHERE d.reunion_id = $id
                ORDER BY decision, version""", {"id": int(meeting_id)}).df()

    def archive_pack(self, meeting_id: int, pdf: bytes, *, author: str) -> int:
        """Keep a committee pack with its meeting (open or closed: the pack of a closed meeting
        is its evidence). Every version is kept; returns the pack's number."""
        with self.transaction() as conn:
            _meeting_row(conn, meeting_id, "id")
            pack_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM reunion_dossiers")
            conn.execute("INSERT INTO reunion_dossiers VALUES (?, ?, ?, ?, ?, ?)",
                         [pack_id, int(meeting_id), pdf, hashlib.sha256(pdf).hexdigest(), author, timestamp()])
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

    def close_meeting(self, meeting_id: int, *, author: str, record: Mapping[str, str]) -> str:
        """Close the meeting with its record (part → canonical JSON text, model.meeting_record):
        from now on it is read-only, and shown as the record says. Each part is kept with its
        fingerprint, the whole record's fingerprint with the closing; returns that fingerprint."""
        if tuple(record) != PARTS:
            raise StoreError("Le relevé de la réunion est incomplet : elle n'a pas été close.")
        fingerprints = {name: fingerprint(text) for name, text in record.items()}
        whole = whole_fingerprint(fingerprints)
        with self.transaction() as conn:
            _open_meeting(conn, meeting_id)
            conn.executemany("INSERT INTO reunion_instantanes VALUES (?, ?, ?, ?)",
                             [[int(meeting_id), name, text, fingerprints[name]] for name, text in record.items()])
            conn.execute("INSERT INTO reunion_clotures (reunion_id, close_le, close_par, empreinte) VALUES (?, ?, ?, ?)",
                         [int(meeting_id), timestamp(), author, whole])
        return whole

    def closed_meetings_reviewing(self, first_day: dt.date, last_day: dt.date | None = None) -> list[Meeting]:
        """The closed meetings whose reviewed period meets the days ``first_day`` … ``last_day``
        (None: every later day), oldest first: a change there changes figures they saw."""
        closed = self.meetings()
        closed = closed[closed["statut"] == CLOSED]
        found = []
        for meeting_id, label in zip(closed["id"], closed["periode"]):
            period = parse_period(label)
            if period.fin > first_day and (last_day is None or period.debut <= last_day):
                found.append(self.meeting(int(meeting_id)))
        return sorted(found, key=lambda m: (m.day, m.id))

    def meeting_record(self, meeting_id: int) -> dict[str, str]:
        """The parts of a closed meeting's record as kept (part → text); empty for an open one."""
        with self.connect() as conn:
            rows = conn.execute("SELECT partie, contenu FROM reunion_instantanes WHERE reunion_id = ?",
                                [int(meeting_id)]).fetchall()
        found = dict(rows)
        return {name: found[name] for name in PARTS if name in found}

    def verify_meeting(self, meeting_id: int) -> list[str]:
        """The parts of a closed meeting's record whose text no longer gives the fingerprint kept
        at closing (and :data:`WHOLE` when the parts' fingerprints no longer give the record's):
        empty when the record is intact. A French refusal for a meeting never closed."""
        with self.connect() as conn:
            _meeting_row(conn, meeting_id, "id")
            closing = first_row(conn, "SELECT empreinte FROM reunion_clotures WHERE reunion_id = ?", [int(meeting_id)])
            rows = conn.execute("SELECT partie, contenu, empreinte FROM reunion_instantanes WHERE reunion_id = ?",
                                [int(meeting_id)]).fetchall()
        if closing is None or closing[0] is None:
            raise StoreError(f"La réunion n° {meeting_id} n'a pas été close avec un relevé : rien à vérifier.")
        kept = {name: (text, print_) for name, text, print_ in rows}
        differing = [name for name in PARTS if name not in kept or fingerprint(kept[name][0]) != kept[name][1]]
        if whole_fingerprint({name: print_ for name, (_, print_) in kept.items()}) != closing[0]:
            differing.append(WHOLE)
        return differing


def _meeting_row(conn: duckdb.DuckDBPyConnection, meeting_id: int, columns: str) -> tuple:
    """These columns of a meeting; a French refusal when there is none."""
    found = first_row(conn, f"SELECT {columns} FROM reunions_en_vigueur WHERE id = ?", [int(meeting_id)])
    if found is None:
        raise StoreError(f"La réunion n° {meeting_id} n'existe pas.")
    return found


def _open_meeting(conn: duckdb.DuckDBPyConnection, meeting_id: int) -> tuple:
    """(date_reunion, site) of a meeting that may still be written; French refusal otherwise."""
    found = first_row(conn, "SELECT date_reunion, site FROM reunions_en_vigueur WHERE id = ?", [int(meeting_id)])
    if found is None:
        raise StoreError(f"La réunion n° {meeting_id} n'existe pas : rien n'a été enregistré.")
    if _closed_on(conn, meeting_id) is not None:
        raise StoreError(f"La réunion du {found[0]:%d/%m/%Y} est close : elle se consulte en lecture seule, "
                         "rien n'a été modifié.")
    return found


def _closed_on(conn: duckdb.DuckDBPyConnection, meeting_id: int) -> dt.datetime | None:
    return scalar(conn, "SELECT min(close_le) FROM reunion_clotures WHERE reunion_id = ?", [int(meeting_id)])


def _latest_participants(conn: duckdb.DuckDBPyConnection, meeting_id: int) -> list[str]:
    found = scalar(conn, "SELECT participants FROM reunion_participants WHERE reunion_id = ? "
                         "ORDER BY id DESC LIMIT 1", [int(meeting_id)])
    return json.loads(found) if found else []


def _latest_notes(conn: duckdb.DuckDBPyConnection, meeting_id: int) -> dict[int, str]:
    """The latest version of each agenda point's note: {point: text}."""
    rows = conn.execute("""SELECT point, texte FROM reunion_notes WHERE reunion_id = ?
                           QUALIFY row_number() OVER (PARTITION BY point ORDER BY id DESC) = 1
                           ORDER BY point""", [int(meeting_id)]).fetchall()
    return {int(point): text for point, text in rows}


def _decisions(conn: duckdb.DuckDBPyConnection, meeting_id: int) -> tuple[Decision, ...]:
    rows = conn.execute("SELECT id, texte, pilote, echeance, action_numero, indicateurs FROM decisions "
                        "WHERE reunion_id = ? ORDER BY id", [int(meeting_id)]).fetchall()
    out = []
    for i, text, pilot, due, action, codes in rows:
        corrected, withdrawn = _latest_decision_version(conn, i)
        if not withdrawn:  # a withdrawn decision is in its history only
            out.append(Decision(int(i), corrected or text, pilot, due, action,
                                tuple(codes.split(", ")) if codes else (), corrected is not None))
    return tuple(out)


def _latest_decision_version(conn: duckdb.DuckDBPyConnection, decision_id: int) -> tuple[str | None, bool]:
    """(latest corrected text or None, withdrawn) of a decision."""
    found = first_row(conn, "SELECT texte, retiree FROM decision_versions WHERE decision_id = ? "
                            "ORDER BY version DESC LIMIT 1", [int(decision_id)])
    return (None, False) if found is None else (found[0], bool(found[1]))


def _next_action_number(conn: duckdb.DuckDBPyConnection, day: dt.date) -> str:
    """« RD-2026-11-23-1 », the first number of that day never used in the actions' history."""
    prefix = f"RD-{day:%Y-%m-%d}-"
    taken = {row[0] for row in conn.execute(
        f"SELECT numero FROM {history_table('actions')} WHERE starts_with(numero, ?)", [prefix]).fetchall()}
    rank = 1
    while f"{prefix}{rank}" in taken:
        rank += 1
    return f"{prefix}{rank}"


def _decision_batch(dataset: Dataset, decision_id: int, numero: str, texte: str, pilote: str, echeance: dt.date,
                    date_reunion: dt.date, site: str | None, indicateurs: str | None) -> ImportBatch:
    """One action row, as an import whose « file » is a small JSON record of the decision."""
    values = {"numero": numero, "intitule": texte, "origine": MEETING_ACTION_ORIGIN, "site": site,
              "pilote": pilote, "date_ouverture": date_reunion, "echeance": echeance, "statut": "à faire",
              "indicateurs": indicateurs}
    _check_choices(dataset, values)
    row = {name: values.get(name) for name in dataset.column_names}
    rows = pd.DataFrame([row]).assign(_ligne=1)
    for name in ("date_ouverture", "echeance", "date_realisation"):
        rows[name] = pd.to_datetime(rows[name])
    record = {"decision": decision_id, **values, "date_ouverture": date_reunion.isoformat(),
              "echeance": echeance.isoformat(), "enregistre_le": timestamp().isoformat()}
    return ImportBatch(dataset="actions", file_name=f"Revue de direction du {date_reunion:%d/%m/%Y}",
                       content=json.dumps(record, ensure_ascii=False, indent=1).encode(), rows=rows,
                       rows_read=1)


def _check_choices(dataset: Dataset, values: dict) -> None:
    """The action's values are still allowed by its declaration (listed values may have changed)."""
    for name, value in values.items():
        declared = dataset.column(name)
        if declared.type == "choix" and value not in {c.value for c in declared.choices}:
            raise StoreError(f"Jeu « actions » : la valeur « {value} » n'est plus permise dans la colonne "
                             f"« {name} » ; l'action n'a pas été créée.")
