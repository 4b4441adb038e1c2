"""What a meeting showed, as the parts of its record (model.meeting_record), built at closing from
the agenda the Comité page showed: the same figures, statuses, targets in force and tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from pilotage_qualite.common import formats
from pilotage_qualite.model.catalogue import Catalogue
from pilotage_qualite.model.meeting_record import PARTS, canonical, definition_digest
from pilotage_qualite.model.meetings import Meeting
from pilotage_qualite.model.status import status_label
from pilotage_qualite.reports.agenda import Agenda, value_text
from pilotage_qualite.reports.selections import TargetChange, Tile


def record_parts(agenda: Agenda, catalogue: Catalogue) -> dict[str, str]:
    """Part name → canonical JSON text, for the agenda of a meeting (``agenda.meeting`` set)."""
    meeting = agenda.meeting
    if meeting is None:
        raise ValueError("only a meeting's agenda has a record")
    parts = {
        "reunion": {"id": meeting.id, "date": meeting.day, "periode": meeting.period, "site": meeting.site,
                    "reunion_precedente": agenda.previous.id if agenda.previous else None,
                    "periode_de_reference": agenda.reference},
        "participants": list(meeting.participants),
        "notes": {str(point): text for point, text in sorted(meeting.notes.items())},
        "decisions": [{"id": d.id, "texte": d.text, "indicateurs": list(d.indicators), "pilote": d.pilot,
                       "echeance": d.due, "action": d.action_number} for d in meeting.decisions],
        "indicateurs": {"statuts": agenda.status_counts, "donnees_incompletes": agenda.coverage_gaps,
                        "tuiles": agenda.tiles,
                        "definitions": {tile.indicator: definition_digest(catalogue[tile.indicator])
                                        for tile in agenda.tiles if tile.indicator in catalogue}},
        "ordre_du_jour": [{"numero": item.number, "titre": item.title, "constats": item.facts,
                           "manquant": item.missing, "tuiles": [tile.indicator for tile in item.tiles],
                           "tableaux": [{"titre": t.title, "colonnes": t.columns,
                                         "lignes": t.data[[c for c in t.columns if c in t.data.columns]]}
                                        for t in item.tables],
                           "tendances": [{"indicateur": t.indicator, "commentaire": t.comment,
                                          "points": t.rows} for t in item.trends]}
                          for item in agenda.items],
    }
    assert tuple(parts) == PARTS
    return {name: canonical(value) for name, value in parts.items()}


def recorded_tiles(record: dict[str, str]) -> list[Tile]:
    """The tiles a closed meeting showed, read back from its record."""
    fields = {f.name for f in dataclasses.fields(Tile)}
    out = []
    for kept in json.loads(record["indicateurs"])["tuiles"]:
        values = {name: value for name, value in kept.items() if name in fields}
        values["sparkline"] = tuple(values.get("sparkline") or ())
        values["signals"] = tuple(values.get("signals") or ())
        if values.get("data_until"):
            values["data_until"] = dt.date.fromisoformat(values["data_until"])
        if values.get("target_change"):
            values["target_change"] = TargetChange(**values["target_change"])
        out.append(Tile(**values))
    return out


def changes_since(recorded: list[Tile], today: list[Tile]) -> list[str]:
    """What differs between the tiles a closed meeting showed and today's for its period and scope,
    one French line per indicator whose value, n, status or target changed (« REC-03 · … : 82,0 %
    (n = 50), atteint, à la réunion ; 79,5 % (n = 52), à surveiller, aujourd'hui »)."""
    now = {tile.indicator: tile for tile in today}
    lines = []
    for old in recorded:
        new = now.get(old.indicator)
        if new is None:
            lines.append(f"{old.indicator} · {old.title} : n'est plus au catalogue")
            continue
        if (value_text(old), old.status, old.target, old.threshold) == (
                value_text(new), new.status, new.target, new.threshold):
            continue
        target = ""
        if (old.target, old.threshold) != (new.target, new.threshold):
            target = f" (cible {_target(old)} à la réunion, {_target(new)} aujourd'hui)"
        lines.append(f"{old.indicator} · {old.title} : {value_text(old)}, {status_label(old.status)}, à la réunion ; "
                     f"{value_text(new)}, {status_label(new.status)}, aujourd'hui{target}")
    return lines


def _target(tile: Tile) -> str:
    return "aucune" if tile.target is None else formats.with_unit(tile.target, tile.unit, tile.decimals)


def as_recorded(agenda: Agenda, recorded: list[Tile]) -> Agenda:
    """The agenda with the tiles the closed meeting showed in place of today's (each point keeps
    its tiles, as they were); its tables and trends are today's."""
    kept = {tile.indicator: tile for tile in recorded}
    agenda.tiles = [kept.get(tile.indicator, tile) for tile in agenda.tiles]
    for item in agenda.items:
        item.tiles = [kept.get(tile.indicator, tile) for tile in item.tiles]
    return agenda


def reviewed_warning(meetings: list[Meeting], what: str) -> str:
    """« Ce changement de cible touche une période déjà revue en comité : la réunion du 23/11/2026
    (3e trimestre 2026, Ensemble) … » — said before a change that alters figures a closed meeting saw."""
    listed = "; ".join(f"la réunion n° {m.id} du {formats.date_fr(m.day)} ({m.period.label_fr}, "
                       f"{m.site or 'Ensemble de la structure'})" for m in meetings)
    return (f"{what} touche une période déjà revue en comité et close : {listed}. Son relevé ne change pas "
            "(elle restera montrée avec les chiffres qu'elle a vus) ; elle signalera les indicateurs qui ont changé.")
