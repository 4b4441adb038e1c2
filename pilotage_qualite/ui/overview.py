"""The « Vue d'ensemble » on screen: the rows of :mod:`reports.overview` as two HTML tables side
by side, 20 px type (read from the back of the room), the status as its shape in colour and its
word in ink, off-target rows marked by a thick left rule (never by colour alone)."""

from __future__ import annotations

from html import escape

import streamlit as st

from pilotage_qualite.model.status import STATUS_COLOUR, STATUS_SYMBOL
from pilotage_qualite.reports.overview import COLUMNS, LEGEND, OverviewRow
from pilotage_qualite.ui.tiles import STATUS_MARKDOWN_COLOUR

# Constant CSS (no data goes in here). Pixels, not rem: the projector enlarges the page's rem.
OVERVIEW_CSS = """
<style>
.vue-ensemble { display: flex; flex-wrap: wrap; gap: 4px; align-items: flex-start; }
.vue-ensemble table { border-collapse: collapse; font-size: 20px; line-height: 1.2; color: #000000; flex: 0 1 auto;
  letter-spacing: -0.2px; }
.vue-ensemble th { font-size: 20px; font-weight: 600; text-align: left; border-bottom: 2px solid #444444;
  padding: 2px 2px; white-space: nowrap; }
.vue-ensemble td { padding: 1px 2px; border-bottom: 1px solid #d0d0d0; white-space: nowrap; }
.vue-ensemble td.nombre, .vue-ensemble th.nombre { text-align: right; }
@media (max-width: 1500px) { .vue-ensemble .large { display: none; } }
.vue-ensemble tr.hors-cible td:first-child { border-left: 6px solid #000000; padding-left: 4px; }
.vue-ensemble .symbole { font-weight: 700; }
.vue-ensemble-legende { font-size: 20px; color: #1a1a1a; margin-top: 6px; }
</style>
"""
NUMERIC = {"Valeur", "n", "Évol."}
WIDE_ONLY = {"n", "Évol."}  # shown from 1500 px: at 1280 px the rows keep value, status, variation and target


def _classes(column: str) -> list[str]:
    return [name for name, applies in (("nombre", column in NUMERIC), ("large", column in WIDE_ONLY)) if applies]


def symbol_badge(status: str) -> str:
    """« :red[**✖**] »: a status count's shape in its colour (the rows below say the words)."""
    return f":{STATUS_MARKDOWN_COLOUR.get(status, 'gray')}[**{STATUS_SYMBOL.get(status, status)}**]"


def _row(row: OverviewRow) -> str:
    colour = STATUS_COLOUR.get(row.status, "#444444")
    code, title, value, _, signals, target, count, change = (escape(cell) for cell in row.cells)
    status = (f'<span class="symbole" style="color:{colour}">{escape(row.symbol)}</span> {escape(row.status)}'
              if row.symbol else escape(row.status))
    cells = [f"<td>{code}</td>", f"<td>{title}</td>", f'<td class="nombre">{value}</td>',
             f"<td>{status}</td>", f"<td>{signals}</td>", f"<td>{target}</td>", f'<td class="nombre large">{count}</td>',
             f'<td class="nombre large">{change}</td>']
    return f'<tr class="{"hors-cible" if row.off_target else ""}">{"".join(cells)}</tr>'


def _table(rows: list[OverviewRow]) -> str:
    head = "".join(f'<th class="{" ".join(_classes(name))}">{escape(name)}</th>' for name in COLUMNS)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(_row(r) for r in rows)}</tbody></table>"


def render_overview(rows: list[OverviewRow], *, columns: int = 2) -> None:
    """Every row at once, in ``columns`` tables of equal length (reading down, then across); the
    second goes under the first where the page is too narrow for both (the sidebar open at 1280 px)."""
    size = -(-len(rows) // columns) if rows else 0
    parts = [rows[start:start + size] for start in range(0, len(rows), size)] if size else []
    st.html(OVERVIEW_CSS + '<div class="vue-ensemble">' + "".join(_table(part) for part in parts) + "</div>"
            + f'<div class="vue-ensemble-legende">{escape(LEGEND)}</div>')
