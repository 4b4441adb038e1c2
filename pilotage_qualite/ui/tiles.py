"""Indicator tiles: value, status by colour AND symbol and word, target, changes, sparkline, n."""

from __future__ import annotations

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.model import spc
from pilotage_qualite.model.periods import Period
from pilotage_qualite.model.status import (
    A_SURVEILLER,
    ATTEINT,
    EFFECTIF_INSUFFISANT,
    NON_ATTEINT,
    PAS_DE_DONNEES,
    PERIODE_INCOMPLETE,
    SUIVI,
    status_label,
)
from pilotage_qualite.reports import selections
from pilotage_qualite.reports.selections import Tile
from pilotage_qualite.reports.sparkline import sparkline_svg
from pilotage_qualite.ui import context

# Streamlit's own markdown colours: no HTML needed.
STATUS_MARKDOWN_COLOUR = {
    ATTEINT: "green",
    A_SURVEILLER: "orange",
    NON_ATTEINT: "red",
    EFFECTIF_INSUFFISANT: "gray",
    SUIVI: "blue",
    PAS_DE_DONNEES: "gray",
    PERIODE_INCOMPLETE: "gray",
}
FICHE_PAGE = "app_pages/pilotage/fiche.py"


def status_badge(status: str) -> str:
    """« :red[**✖ non atteint**] »: colour, shape and word, so that none is needed alone."""
    return f":{STATUS_MARKDOWN_COLOUR.get(status, 'gray')}[**{status_label(status)}**]"


def value_text(tile: Tile) -> str:
    return formats.with_unit(tile.shown_value, tile.unit, tile.decimals)


def target_text(tile: Tile) -> str:
    return formats.target_text(tile.target, tile.direction, tile.unit, tile.decimals)


def change(tile: Tile, reference: float | None) -> float | None:
    if tile.value is None or reference is None:
        return None
    return tile.value - reference


def delta_style(difference: float | None, direction: object) -> tuple[str, str]:
    """Colour and arrow of a change, given explicitly: Streamlit reads the sign from a leading
    ASCII « - », and the French « −2,0 pt » (U+2212) would show a green up arrow."""
    if difference is None or difference == 0:
        return "gray", "off"
    good = {"hausse": difference > 0, "baisse": difference < 0}.get(direction)
    return ("gray" if good is None else "green" if good else "red"), ("up" if difference > 0 else "down")


def render_tile(tile: Tile, query_params: dict[str, str]) -> None:
    # A period the data stop in is not compared with whole ones.
    previous = None if tile.incomplete else change(tile, tile.previous_value)
    year = None if tile.incomplete else change(tile, tile.year_earlier_value)
    colour, arrow = delta_style(previous, tile.direction)
    with st.container(border=True):
        st.metric(
            label=f"{tile.indicator} · {tile.title}",
            value=value_text(tile),
            delta=formats.signed(previous, tile.unit, tile.decimals),
            delta_color=colour,
            delta_arrow=arrow,
            delta_description="vs période précédente",
        )
        # st.metric's own sparkline drops the gaps, has no target and is coloured by the last change.
        if any(v is not None for v in tile.sparkline):
            st.markdown(sparkline_svg(tile.sparkline, tile.status, tile.target, tile.threshold),
                        unsafe_allow_html=True)
        if tile.incomplete and tile.data_until is not None:
            st.markdown(status_badge(tile.status) + f" · données jusqu'au {tile.data_until:%d/%m/%Y}")
        else:
            st.markdown(status_badge(tile.status) + f" · {target_text(tile)}")
        facts = [f"n = {formats.number(tile.count)}" if tile.count is not None else "n = –"]
        if year is not None:
            facts.append(f"sur un an : {formats.signed(year, tile.unit, tile.decimals)}")
        if tile.ensemble_only:
            facts.append("ensemble de la structure")
        if tile.target_change is not None:
            facts.append(selections.target_change_text(tile))
        if tile.reconstructed:
            facts.append("valeur reconstituée")
        # Body text, not a caption: the room reads n and the year's change from the back (a caption
        # is 15.75 px at 60 % ink, 4.9:1).
        st.markdown(" · ".join(facts))
        verdicts = spc_text(tile)
        if verdicts:
            st.markdown(f":violet[**{verdicts}**]" if tile.out_of_control else verdicts)
        st.page_link(FICHE_PAGE, label="Ouvrir la fiche", icon=":material/query_stats:",
                     query_params={**query_params, "indicateur": tile.indicator})


def spc_text(tile: Tile) -> str:
    """« ⬇ préoccupation · ≋ aléatoire »: variation and assurance, each a symbol and a word."""
    return " · ".join(spc.label(word) for word in (tile.variation, tile.assurance) if word)


def coverage_warning(period: Period, gaps: list[str] | None = None) -> None:
    """The datasets whose imports stop before the end of the period, before any figure."""
    if gaps is None:
        labels = {name: dataset.label for name, dataset in context.store().datasets.items()}
        gaps = selections.coverage_gaps(context.coverage(), period, labels)
    if gaps:
        st.warning(f"**Données incomplètes pour {period.label_fr}** — " + " · ".join(gaps), icon=":material/event_busy:")


def render_grid(tiles: list[Tile], query_params: dict[str, str], *, per_row: int) -> None:
    for start in range(0, len(tiles), per_row):
        columns = st.columns(per_row)
        for column, tile in zip(columns, tiles[start:start + per_row]):
            with column:
                render_tile(tile, query_params)
