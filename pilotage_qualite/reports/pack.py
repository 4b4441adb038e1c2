"""The committee pack: a meeting's agenda as a PDF, the evidence archived with it.

Pure (no Streamlit, no browser): Altair charts are rendered to PNG by vl-convert, the pages
are laid out by fpdf2 with DejaVu Sans (French accents and the status symbols). Everything
reads in black and white: a status is always its word and its symbol, tiles of indicators
off target have a thick border, charts shape their points by status and say how to read
their lines.

``render_pack(agenda, structure=…)`` lays out an :class:`agenda.Agenda`;
``committee_pack(store, catalogue, period, site, meeting=…)`` computes the indicators and
builds the agenda first (the command line's path).
"""

from __future__ import annotations

import datetime as dt
import io
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from PIL import Image

from pilotage_qualite.common import formats
from pilotage_qualite.model import spc
from pilotage_qualite.model.catalogue import Catalogue
from pilotage_qualite.model.events import Event
from pilotage_qualite.model.meetings import Meeting
from pilotage_qualite.model.periods import Period, periods_ending
from pilotage_qualite.model.status import NON_ATTEINT, STATUS_COLOUR, status_label
from pilotage_qualite.reports import agenda as agenda_module
from pilotage_qualite.reports.chart_specs import event_marks, trend_chart  # the fiche's chart: one definition
from pilotage_qualite.reports.chart_worker import ChartRenderer
from pilotage_qualite.reports.figures import figures
from pilotage_qualite.reports.selections import Tile
from pilotage_qualite.store import Store

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian package fonts-dejavu-core
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
              "BI": "DejaVuSans-BoldOblique.ttf"}
# Periods computed for a pack: the 12 of each trend, and the 12 before them that give the
# control limits of the earliest ones (the engine's limits use the 12 previous periods).
COMPUTED_PERIODS = 24
CHART_WIDTH_PX, CHART_HEIGHT_PX, CHART_SCALE = 760, 170, 2
CHART_PAGE_SHARE = 0.92  # of the text width: 16 px type stays about 9 pt on paper
PAGE_MARGIN, FOOTER_SPACE = 15, 16
TILES_PER_ROW, TILE_HEIGHT, TILE_GAP = 3, 36, 4
INK, GREY, LIGHT = (17, 17, 17), (90, 90, 90), (235, 235, 235)
CHART_KEY = ("Lecture des courbes : trait plein = valeur de la période ; tirets = cible ; bande claire = zone "
             "« à surveiller » entre la cible et le seuil d'alerte ; pointillés = limites de contrôle (au-delà : "
             "dérive) ; forme du point = statut (● atteint, ▲ à surveiller, ✚ non atteint) ; trait vertical plein "
             "= changement de processus (les limites de contrôle repartent de là) ; trait vertical pointillé = "
             "autre événement.")


class PackError(Exception):
    """The pack cannot be produced on this machine (a missing font): French message."""


def trend_spec(rows: pd.DataFrame, events: tuple[Event, ...] = ()) -> dict:
    """The fiche's trend chart (value, target, alert band, control limits, events), sized for A4.
    The specs are built by chart_specs and validated by its tests: no JSON-schema pass here."""
    chart = trend_chart(rows, "", "", events).properties(width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX)
    return chart.to_dict(validate=False)


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _text(value: object) -> str:
    """A table cell in French: dates « 14/03/2025 », numbers « 1 234,5 », nothing for a gap."""
    if formats.is_missing(value) or value is pd.NA:
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        return formats.datetime_fr(stamp.to_pydatetime()) if (stamp.hour, stamp.minute) != (0, 0) \
            else formats.date_fr(stamp.date())
    if isinstance(value, dt.date):
        return formats.date_fr(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, int):
        return formats.number(value)
    if isinstance(value, float):
        return formats.number(value, 0 if value.is_integer() else 1)
    return str(value)


@dataclass(frozen=True)
class Cover:
    structure: str
    generated_at: dt.datetime


class PackPDF(FPDF):
    """A4 pages with a running header (structure, period) and « Page 3 / 12 » at the foot."""

    def __init__(self, running_titles: list[str]):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        missing = [name for name in FONT_FILES.values() if not (FONT_DIR / name).is_file()]
        if missing:
            raise PackError(f"police introuvable : {', '.join(missing)} dans {FONT_DIR} "
                            "(paquet Debian fonts-dejavu-core) ; le dossier PDF ne peut pas être produit.")
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style, str(FONT_DIR / name))
        self.running_titles = running_titles  # longest first: the first that fits the width is used
        self.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        self.set_auto_page_break(True, margin=FOOTER_SPACE)
        self.set_font(FONT, size=10)
        self.set_text_color(*INK)

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(*GREY)
        fitting = [t for t in self.running_titles if self.get_string_width(t) <= self.content_width]
        self.cell(0, 5, (fitting or self.running_titles[-1:])[0], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*GREY)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(4)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"Page {self.page_no()} / {{nb}}", align="R")
        self.set_text_color(*INK)

    def space_left(self) -> float:
        return self.page_break_trigger - self.get_y()

    def keep(self, height: float) -> None:
        """Start a new page unless `height` mm still fit on this one."""
        if self.space_left() < height:
            self.add_page()

    def paragraph(self, text: str, size: float = 10, style: str = "", height: float | None = None) -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, height or size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


# --- pieces --------------------------------------------------------------------------------


def _cover(pdf: PackPDF, agenda: agenda_module.Agenda, cover: Cover) -> None:
    pdf.add_page()
    meeting = agenda.meeting
    pdf.ln(8)
    if cover.structure:
        pdf.paragraph(cover.structure, 20, "B", 9)
        pdf.ln(2)
    pdf.paragraph("Dossier du comité qualité", 16, "B", 8)
    pdf.paragraph("Revue de direction (ISO 9001 § 9.3)", 11, "", 6)
    pdf.ln(6)
    facts = [("Période revue", agenda.period.label_fr), ("Périmètre", agenda.where)]
    if meeting:
        state = (f"close le {formats.datetime_fr(pd.Timestamp(meeting.closed_on).to_pydatetime())}"
                 if meeting.closed_on is not None else "ouverte")
        facts += [("Réunion", f"n° {meeting.id} du {formats.date_fr(meeting.day)} ({state})"),
                  ("Participants", ", ".join(meeting.participants) or "non renseignés")]
        if meeting.fingerprint:  # a paper copy checked against the base: « verifier » recomputes it
            facts.append(("Empreinte du relevé", f"{meeting.fingerprint[:32]}\n{meeting.fingerprint[32:]}\n"
                                                 f"(SHA-256 ; « verifier {meeting.id} » la recalcule)"))
    else:
        facts.append(("Réunion", "dossier préparatoire : aucune réunion enregistrée pour ce dossier"))
    if agenda.previous:
        facts.append(("Réunion précédente", f"n° {agenda.previous.id} du "
                                             f"{formats.date_fr(agenda.previous.day)} "
                                             f"({agenda.previous.period.label_fr})"))
    facts.append(("Dossier produit le", formats.datetime_fr(cover.generated_at)))
    if agenda.coverage_gaps:  # before any figure: what the imports do not cover yet
        facts.append(("Données incomplètes", "\n".join(agenda.coverage_gaps)))
    for label, value in facts:
        pdf.set_font(FONT, "B", 11)
        pdf.cell(48, 7, label)
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(0, 7, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.paragraph("Ordre du jour", 14, "B", 8)
    pdf.ln(1)
    pdf.insert_toc_placeholder(_render_toc)


def _render_toc(pdf: FPDF, outline: list) -> None:
    pdf.set_x(pdf.l_margin)
    for section in outline:
        if section.level != 0:
            continue
        pdf.set_font(FONT, "", 11)
        label = section.name
        page = str(section.page_number)
        dots_width = pdf.w - pdf.l_margin - pdf.r_margin - 14
        pdf.cell(dots_width, 8, label, link=pdf.add_link(page=section.page_number))
        pdf.cell(14, 8, page, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _status_boxes(pdf: PackPDF, counts: dict[str, int]) -> None:
    shown = [(status, count) for status, count in counts.items() if count]
    if not shown:
        return
    width = min(45.0, (pdf.content_width - 3 * (len(shown) - 1)) / len(shown))
    top = pdf.get_y()
    for index, (status, count) in enumerate(shown):
        x = pdf.l_margin + index * (width + 3)
        pdf.set_draw_color(*_hex(STATUS_COLOUR.get(status, "#6e6e6e")))
        pdf.set_line_width(0.8 if status == NON_ATTEINT else 0.3)
        pdf.rect(x, top, width, 18)
        pdf.set_xy(x, top + 2)
        pdf.set_font(FONT, "B", 16)
        pdf.cell(width, 8, formats.number(count), align="C")
        pdf.set_xy(x, top + 10)
        pdf.set_font(FONT, "", 8.5)
        pdf.cell(width, 6, status_label(status), align="C")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*INK)
    pdf.set_xy(pdf.l_margin, top + 22)


def _tile(pdf: PackPDF, tile: Tile, x: float, y: float, width: float) -> None:
    status = tile.status
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.8 if status == NON_ATTEINT else 0.25)
    pdf.rect(x, y, width, TILE_HEIGHT)
    pdf.set_fill_color(*_hex(STATUS_COLOUR.get(status, "#6e6e6e")))
    pdf.rect(x, y, 2.2, TILE_HEIGHT, style="F")
    inner_x, inner_w = x + 4, width - 6
    pdf.set_xy(inner_x, y + 1.5)
    pdf.set_font(FONT, "B", 7.5)
    title = f"{tile.indicator} · {tile.title}"
    lines = pdf.multi_cell(inner_w, 3.4, title, align="L", dry_run=True, output="LINES")
    if len(lines) > 2:
        lines = [lines[0], lines[1].rstrip()[:-1].rstrip() + "…"]
    pdf.multi_cell(inner_w, 3.4, "\n".join(lines[:2]), align="L")
    decimals = tile.decimals
    pdf.set_xy(inner_x, y + 9)
    pdf.set_font(FONT, "B", 15)
    pdf.cell(inner_w, 8, formats.with_unit(tile.shown_value, tile.unit, decimals))
    pdf.set_xy(inner_x, y + 17.5)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(inner_w, 5, status_label(status))
    pdf.set_xy(inner_x, y + 22.5)
    pdf.set_font(FONT, "", 7.5)
    n_text = "n = –" if tile.count is None else f"n = {formats.number(tile.count)}"
    pdf.cell(inner_w, 4, f"{formats.target_text(tile.target, tile.direction, tile.unit, decimals)} · {n_text}")
    extra = []
    if tile.value is not None and tile.previous_value is not None:
        change = formats.signed(tile.value - tile.previous_value, tile.unit, decimals)
        extra.append(f"vs période précédente : {change or '='}")
    extra += [spc.label(word) for word in (tile.variation, tile.assurance) if word]
    if tile.ensemble_only:
        extra.append("ensemble de la structure")
    if tile.reconstructed:
        extra.append("valeur reconstituée")
    pdf.set_xy(inner_x, y + 26.5)
    pdf.multi_cell(inner_w, 3.4, " · ".join(extra), align="L")
    pdf.set_line_width(0.2)


def _tiles(pdf: PackPDF, tiles: list[Tile]) -> None:
    width = (pdf.content_width - TILE_GAP * (TILES_PER_ROW - 1)) / TILES_PER_ROW
    for start in range(0, len(tiles), TILES_PER_ROW):
        pdf.keep(TILE_HEIGHT + 2)
        top = pdf.get_y()
        for offset, tile in enumerate(tiles[start:start + TILES_PER_ROW]):
            _tile(pdf, tile, pdf.l_margin + offset * (width + TILE_GAP), top, width)
        pdf.set_xy(pdf.l_margin, top + TILE_HEIGHT + TILE_GAP)
    pdf.set_fill_color(255, 255, 255)


TABLE_FONT_SIZE, CELL_PADDING, MAX_UNBROKEN_WIDTH = 8, 1.0, 40.0


def _column_widths(pdf: PackPDF, frame: pd.DataFrame, headers: list[str]) -> list[float]:
    """Widths in mm: each column gets at least its longest word (header in bold included) and
    the room left is shared in proportion to what the longer texts would need on one line."""
    slack = 2 * CELL_PADDING + 1.2
    natural, minimum = [], []
    for column, header in zip(frame.columns, headers):
        values = list(frame[column].head(60))
        pdf.set_font(FONT, "", TABLE_FONT_SIZE)
        longest = max([pdf.get_string_width(v) for v in values] or [0])
        words = [w for v in values for w in v.split()]
        widest_word = max([pdf.get_string_width(w) for w in words] or [0])
        pdf.set_font(FONT, "B", TABLE_FONT_SIZE)
        header_word = max([pdf.get_string_width(w) for w in header.split()] or [0])
        natural.append(max(longest, pdf.get_string_width(header) * 0.6, header_word) + slack)
        minimum.append(min(max(widest_word, header_word), MAX_UNBROKEN_WIDTH) + slack)
    available = pdf.content_width
    if sum(natural) <= available:
        return [w * available / sum(natural) for w in natural]
    extra = [n - m for n, m in zip(natural, minimum)]
    room = max(available - sum(minimum), 0)
    if sum(extra) <= 0 or room == 0:
        return [m * available / sum(minimum) for m in minimum]
    return [m + e * room / sum(extra) for m, e in zip(minimum, extra)]


def draw_table(pdf: PackPDF, table: agenda_module.AgendaTable) -> None:
    """A titled table in French cells, its columns sized to their words (or its empty sentence)."""
    pdf.keep(20)
    pdf.paragraph(table.title, 10, "B", 5)
    pdf.ln(1)
    if table.data.empty:
        pdf.paragraph(table.empty, 9, "I", 4.5)
        pdf.ln(3)
        return
    columns = [c for c in table.columns if c in table.data.columns]
    headers = [table.columns[c] for c in columns]
    cells = pd.DataFrame({c: [_text(v) for v in table.data[c]] for c in columns})
    widths = _column_widths(pdf, cells, headers)
    pdf.set_font(FONT, "", TABLE_FONT_SIZE)
    pdf.set_draw_color(*GREY)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=3.8, headings_style=FontFace(
            emphasis="BOLD", fill_color=LIGHT), padding=CELL_PADDING, width=pdf.content_width) as grid:
        heading = grid.row()
        for header in headers:
            heading.cell(header)
        aligns = ["RIGHT" if pd.api.types.is_numeric_dtype(table.data[c]) and not pd.api.types.is_bool_dtype(
            table.data[c]) else "LEFT" for c in columns]  # figures line up on their units
        for record in cells.itertuples(index=False):
            row = grid.row()
            for value, align in zip(record, aligns):
                row.cell(value, align=align)
    pdf.set_draw_color(*INK)
    pdf.ln(4)


def _trend(pdf: PackPDF, trend: agenda_module.Trend, image: bytes) -> None:
    with Image.open(io.BytesIO(image)) as png:
        width_px, height_px = png.size
    width = pdf.content_width * CHART_PAGE_SHARE
    height = width * height_px / width_px
    pdf.keep(height + 18)
    pdf.paragraph(trend.title, 10.5, "B", 5)
    pdf.image(io.BytesIO(image), x=pdf.l_margin, w=width, h=height)
    pdf.ln(1)
    marks = event_marks(trend.rows, trend.events)
    if len(marks):  # the chart's labels are cut short: each event in full
        pdf.paragraph("Événements sur la courbe : " + " ; ".join(marks["detail"]) + ".", 8.5, "I")
    if trend.comment:
        written = trend.comment["date"]
        pdf.paragraph(f"Analyse ({trend.comment['auteur']}, {formats.date_fr(written)}) : {trend.comment['texte']}", 9)
    else:
        pdf.paragraph("Pas d'analyse écrite pour la période (à rédiger sur la fiche indicateur).", 9, "I")
    pdf.ln(4)


def _indicator_overview(pdf: PackPDF, tiles: list[Tile]) -> None:
    """Every indicator of the period, one line each: the complete picture behind the counts."""
    if not tiles:
        return
    data = pd.DataFrame({
        "processus": [t.process for t in tiles],
        "indicateur": [f"{t.indicator} · {t.title}" for t in tiles],
        "valeur": [formats.with_unit(t.value, t.unit, t.decimals) for t in tiles],
        "cible": [formats.target_bound(t.target, t.direction, t.unit, t.decimals) or "sans cible" for t in tiles],
        "n": [t.count for t in tiles],
        "statut": [status_label(t.status) for t in tiles],
    })
    draw_table(pdf, agenda_module.AgendaTable("Tous les indicateurs de la période", data,
                                    {"processus": "Processus", "indicateur": "Indicateur", "valeur": "Valeur",
                                     "cible": "Cible", "n": "n", "statut": "Statut"}, ""))


def _item(pdf: PackPDF, item: agenda_module.AgendaItem, agenda: agenda_module.Agenda, renderer: ChartRenderer, *,
          new_page: bool) -> None:
    if new_page:
        pdf.add_page()
    heading = f"{item.number}. {item.title}"
    pdf.start_section(heading)
    pdf.paragraph(heading, 15, "B", 8)
    pdf.ln(2)
    if item.missing:
        pdf.paragraph("Données absentes : aucun import pour " + ", ".join(f"« {m} »" for m in item.missing)
                      + ". Ce point ne peut pas être examiné sur pièces.", 10, "B")
        pdf.ln(2)
    if item.key == "synthese":
        _status_boxes(pdf, agenda.status_counts)
    for fact in item.facts:
        pdf.paragraph(f"• {fact}", 10)
    if item.facts:
        pdf.ln(3)
    if item.note:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(0, 6, "Compte rendu du comité", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5, item.note, border=1, align="L", padding=2, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    if item.tiles:
        _tiles(pdf, item.tiles)
    if item.trends:
        pdf.paragraph(CHART_KEY, 8, "I", 4)
        pdf.ln(2)
        for trend in item.trends:
            _trend(pdf, trend, renderer.next_png())
    if item.key == "synthese":
        _indicator_overview(pdf, agenda.tiles)
    for table in item.tables:
        draw_table(pdf, table)


def render_pack(agenda: agenda_module.Agenda, *, structure: str = "",
                generated_at: dt.datetime | None = None, renderer: ChartRenderer | None = None) -> bytes:
    """The PDF of an agenda: cover with the agenda and its pages, then one section per point."""
    cover = Cover(structure, generated_at or dt.datetime.now().replace(second=0, microsecond=0))
    where = agenda.where
    meeting = agenda.meeting
    when = f" · réunion du {formats.date_fr(meeting.day)}" if meeting else ""
    short = f"Comité qualité — {agenda.period.label_fr} · {where}{when}"
    pdf = PackPDF([f"{structure} · {short}", short] if structure else [short])
    pdf.set_title(f"Dossier du comité qualité — {agenda.period.label_fr} — {where}")
    pdf.set_author(structure or "Pilotage qualité")
    pdf.set_creator("Pilotage qualité")
    pdf.set_lang("fr")
    _cover(pdf, agenda, cover)
    with nullcontext(renderer) if renderer else ChartRenderer(CHART_SCALE) as charts:
        for trend in (trend for item in agenda.items for trend in item.trends):
            charts.submit(trend_spec(trend.rows, trend.events))  # rendered by the child while pages are laid out
        for index, item in enumerate(agenda.items):
            _item(pdf, item, agenda, charts, new_page=index > 0)  # the contents placeholder opened the first page
    return bytes(pdf.output())


def pack_results(store: Store, catalogue: Catalogue, period: Period) -> pd.DataFrame:
    """The engine results a pack reads: the period and the 23 before it."""
    return figures(store, catalogue, periods_ending(period, COMPUTED_PERIODS))


def committee_pack(store: Store, catalogue: Catalogue, period: Period, site: str | None, *,
                   meeting: Meeting | None = None, structure: str = "", today: dt.date | None = None,
                   generated_at: dt.datetime | None = None) -> bytes:
    """Compute, build the agenda (of `meeting` when given) and lay out its PDF."""
    with ChartRenderer(CHART_SCALE) as renderer:  # its engine starts while the figures are computed
        results = pack_results(store, catalogue, period)
        built = agenda_module.build_agenda(store, catalogue, results, period, site, meeting=meeting, today=today)
        return render_pack(built, structure=structure, generated_at=generated_at, renderer=renderer)

