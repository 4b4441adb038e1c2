"""The pre-read (« prélecture »): what changed since the last committee, sent before the meeting.

For a meeting, against the previous meeting of the same scope (the figures it recorded at closing
when it was closed, else today's figures for the period it reviewed; with no previous meeting, the
period before): indicators whose status changed, new special causes, targets changed since, the
datasets whose imports stop before the end of the period, late and due actions, and the decisions
of the last meeting with the state of their actions. The tables come from the same builders as the
agenda (:mod:`reports.agenda`), so the pre-read and the meeting never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from fpdf.enums import XPos, YPos

from pilotage_qualite.common import formats
from pilotage_qualite.model import spc
from pilotage_qualite.model.catalogue import Catalogue
from pilotage_qualite.model.meetings import Meeting
from pilotage_qualite.model.status import status_label
from pilotage_qualite.reports import agenda as agenda_module
from pilotage_qualite.reports import pack, selections
from pilotage_qualite.reports.agenda import AgendaTable, value_text
from pilotage_qualite.reports.meeting_record import recorded_tiles
from pilotage_qualite.reports.selections import Tile
from pilotage_qualite.store import Store

SPECIAL_CAUSES = (spc.IMPROVEMENT, spc.CONCERN, spc.UNUSUAL)
STATUS_COLUMNS = {"indicateur": "Indicateur", "avant": "Avant", "maintenant": "Maintenant"}
CAUSE_COLUMNS = {"indicateur": "Indicateur", "variation": "Variation", "regles": "Règles", "avant": "Avant",
                 "valeur": "Valeur"}
TARGET_COLUMNS = {"indicateur": "Indicateur", "date_debut": "Applicable dès le", "cible": "Cible",
                  "seuil": "Seuil d'alerte", "auteur": "Par", "saisi_le": "Saisie le"}


@dataclass
class PreRead:
    meeting: Meeting
    previous: Meeting | None
    compared_with: str  # « la réunion n° 1 du 23/11/2026 (octobre 2026), chiffres de son relevé de clôture »
    coverage_gaps: list[str]
    tables: list[AgendaTable]


def _changed_statuses(before: dict[str, Tile], now: list[Tile]) -> pd.DataFrame:
    rows = [{"indicateur": f"{t.indicator} · {t.title}",
             "avant": f"{status_label(before[t.indicator].status)}, {value_text(before[t.indicator])}",
             "maintenant": f"{status_label(t.status)}, {value_text(t)}"}
            for t in now if t.indicator in before and before[t.indicator].status != t.status]
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def _new_special_causes(before: dict[str, Tile], now: list[Tile]) -> pd.DataFrame:
    """Points on which the control chart now reads a special cause it did not read before."""
    rows = []
    for tile in now:
        old = before.get(tile.indicator)
        old_variation = old.variation if old else None
        if tile.variation in SPECIAL_CAUSES and tile.variation != old_variation:
            rows.append({"indicateur": f"{tile.indicator} · {tile.title}", "variation": spc.label(tile.variation),
                         "regles": ", ".join(tile.signals), "avant": spc.label(old_variation) or "pas de limites",
                         "valeur": value_text(tile)})
    return pd.DataFrame(rows, columns=list(CAUSE_COLUMNS))


def _targets_changed(store: Store, catalogue: Catalogue, since: dt.datetime | None, meeting: Meeting) -> pd.DataFrame:
    """Targets entered after ``since`` (the previous meeting's day); with no previous meeting,
    those applicable within the period reviewed."""
    changes = store.target_changes()
    if since is not None:
        changes = changes[pd.to_datetime(changes["saisi_le"]) >= pd.Timestamp(since)]
    else:
        starts = pd.to_datetime(changes["date_debut"]).dt.date
        changes = changes[(starts >= meeting.period.debut) & (starts < meeting.period.fin)]
    units = {i.id: (i.unite, i.decimales, i.titre) for i in catalogue}

    def target(value: float, indicator: str) -> str:
        unit, decimals, _ = units.get(indicator, ("", 1, ""))
        return "aucune" if formats.is_missing(value) else formats.with_unit(float(value), unit, decimals)

    return pd.DataFrame({
        "indicateur": [f"{i} · {units[i][2]}" if i in units else i for i in changes["indicateur"]],
        "date_debut": list(changes["date_debut"]),
        "cible": [target(v, i) for v, i in zip(changes["cible"], changes["indicateur"])],
        "seuil": [target(v, i) for v, i in zip(changes["seuil"], changes["indicateur"])],
        "auteur": list(changes["auteur"]), "saisi_le": list(changes["saisi_le"])}, columns=list(TARGET_COLUMNS))


def _before(store: Store, catalogue: Catalogue, previous: Meeting | None, meeting: Meeting,
            results: pd.DataFrame) -> tuple[dict[str, Tile], str]:
    """The tiles to compare with, and the French words saying which they are."""
    if previous is None:
        earlier = meeting.period.previous()
        tiles = selections.tiles(results, earlier, meeting.site, catalogue.ids)
        return {t.indicator: t for t in tiles}, f"la période précédente ({earlier.label_fr}) : pas de comité précédent"
    where = f"la réunion n° {previous.id} du {formats.date_fr(previous.day)} ({previous.period.label_fr})"
    record = store.meeting_record(previous.id)
    if record:
        return {t.indicator: t for t in recorded_tiles(record)}, f"{where}, chiffres de son relevé de clôture"
    if previous.period.label not in set(results["periode"]):
        results = pack.pack_results(store, catalogue, previous.period)
    tiles = selections.tiles(results, previous.period, meeting.site, catalogue.ids)
    return {t.indicator: t for t in tiles}, f"{where}, non close : ses chiffres recalculés aujourd'hui"


def build_preread(store: Store, catalogue: Catalogue, meeting_id: int, *, today: dt.date | None = None) -> PreRead:
    meeting = store.meeting(meeting_id)
    previous = store.previous_meeting(meeting_id)
    results = pack.pack_results(store, catalogue, meeting.period)
    agenda = agenda_module.build_agenda(store, catalogue, results, meeting.period, meeting.site, meeting=meeting,
                                        today=today)
    before, compared_with = _before(store, catalogue, previous, meeting, results)
    since = dt.datetime.combine(previous.day, dt.time()) if previous else None
    plan = agenda.item("plan_amelioration").tables
    tables = [
        AgendaTable("Indicateurs dont le statut a changé", _changed_statuses(before, agenda.tiles), STATUS_COLUMNS,
                    "Aucun indicateur n'a changé de statut."),
        AgendaTable("Nouvelles causes spéciales (carte de contrôle)", _new_special_causes(before, agenda.tiles),
                    CAUSE_COLUMNS, "Aucune nouvelle cause spéciale."),
        AgendaTable("Cibles modifiées" + (f" depuis le {formats.date_fr(previous.day)}" if previous
                                          else " pour la période revue"),
                    _targets_changed(store, catalogue, since, meeting), TARGET_COLUMNS, "Aucune cible modifiée."),
        plan[0], plan[1],
        *agenda.item("decisions_precedentes").tables,
    ]
    return PreRead(meeting, previous, compared_with, agenda.coverage_gaps, tables)


def render_preread(preread: PreRead, *, structure: str = "", generated_at: dt.datetime | None = None) -> bytes:
    """The pre-read's PDF: a cover block of facts, then each table (the pack's layout)."""
    meeting = preread.meeting
    where = meeting.site or "Ensemble de la structure"
    title = f"Prélecture du comité du {formats.date_fr(meeting.day)} — {meeting.period.label_fr} · {where}"
    pdf = pack.PackPDF([f"{structure} · {title}", title] if structure else [title])
    pdf.set_title(title)
    pdf.set_author(structure or "Pilotage qualité")
    pdf.set_creator("Pilotage qualité")
    pdf.set_lang("fr")
    pdf.add_page()
    if structure:
        pdf.paragraph(structure, 16, "B", 8)
    pdf.paragraph("Prélecture du comité qualité : ce qui a changé depuis le dernier comité", 14, "B", 7)
    pdf.ln(3)
    facts = [("Réunion", f"n° {meeting.id} du {formats.date_fr(meeting.day)}"),
             ("Période revue", meeting.period.label_fr), ("Périmètre", where),
             ("Comparée avec", preread.compared_with),
             ("Produite le", formats.datetime_fr(generated_at or dt.datetime.now().replace(second=0, microsecond=0))),
             ("Données incomplètes", "\n".join(preread.coverage_gaps) or "aucune : chaque jeu couvre la période")]
    for label, value in facts:
        pdf.set_font(pack.FONT, "B", 10)
        pdf.cell(48, 6, label)
        pdf.set_font(pack.FONT, "", 10)
        pdf.multi_cell(0, 6, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for table in preread.tables:
        pack.draw_table(pdf, table)
    return bytes(pdf.output())


def preread_pdf(store: Store, catalogue: Catalogue, meeting_id: int, *, structure: str = "",
                today: dt.date | None = None, generated_at: dt.datetime | None = None) -> bytes:
    return render_preread(build_preread(store, catalogue, meeting_id, today=today), structure=structure,
                          generated_at=generated_at)
