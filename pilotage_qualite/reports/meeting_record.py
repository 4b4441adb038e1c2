"""What a meeting showed, as the parts of its record (model.meeting_record), built at closing from
the agenda the Comité page showed: the same figures, statuses, targets in force and tables."""

from __future__ import annotations

from pilotage_qualite.model.catalogue import Catalogue
from pilotage_qualite.model.meeting_record import PARTS, canonical, definition_digest
from pilotage_qualite.reports.agenda import Agenda


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
