"""Indicator tiles: value, status by colour AND symbol and word, target, changes, sparkline, n."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pilotage_qualite import formats


def is_missing(value: object) -> bool:
    """formats.is_missing, and pandas' NA too (the engine's nullable counts of an empty dataset)."""
    return formats.is_missing(value) or value is pd.NA


# Streamlit's own markdown colours: no HTML needed.
STATUS_MARKDOWN_COLOUR = {
    "atteint": "green",
    "à surveiller": "orange",
    "non atteint": "red",
    "effectif insuffisant": "gray",
    "suivi": "blue",
    "pas de données": "gray",
}
FICHE_PAGE = "app_pages/fiche.py"


def status_badge(status: str) -> str:
    """« :red[**✖ non atteint**] »: colour, shape and word, so that none is needed alone."""
    return f":{STATUS_MARKDOWN_COLOUR.get(status, 'gray')}[**{formats.status_label(status)}**]"


def value_text(row: pd.Series) -> str:
    return formats.with_unit(row["valeur"], row["unite"], int(row["decimales"]))


def target_text(row: pd.Series) -> str:
    return formats.target_text(row["cible"], row["sens"], row["unite"], int(row["decimales"]))


def change(row: pd.Series, reference_column: str) -> float | None:
    if is_missing(row["valeur"]) or is_missing(row[reference_column]):
        return None
    return float(row["valeur"]) - float(row[reference_column])


def delta_colour(direction: object) -> str:
    """Green when the change is good news: up for `hausse`, down for `baisse`, grey otherwise."""
    return {"hausse": "normal", "baisse": "inverse"}.get(direction, "off")


def delta_style(difference: float | None, direction: object) -> tuple[str, str]:
    """Colour and arrow of a change, given explicitly: Streamlit reads the sign from a leading
    ASCII « - », and the French « −2,0 pt » (U+2212) would show a green up arrow."""
    if difference is None or difference == 0:
        return "gray", "off"
    good = {"hausse": difference > 0, "baisse": difference < 0}.get(direction)
    return ("gray" if good is None else "green" if good else "red"), ("up" if difference > 0 else "down")


def render_tile(row: pd.Series, query_params: dict[str, str], *, period_label: str) -> None:
    decimals = int(row["decimales"])
    previous = change(row, "valeur_precedente")
    year = change(row, "valeur_annee_precedente")
    colour, arrow = delta_style(previous, row["sens"])
    with st.container(border=True):
        st.metric(
            label=f"{row['indicateur']} · {row['titre']}",
            value=value_text(row),
            delta=formats.signed(previous, row["unite"], decimals),
            delta_color=colour,
            delta_arrow=arrow,
            delta_description="vs période précédente",
            chart_data=[v for v in (row["sparkline"] or []) if v is not None] or None,
            help=f"{period_label} — 12 dernières périodes en courbe.",
        )
        st.markdown(status_badge(row["statut"]) + f" · {target_text(row)}")
        facts = [f"n = {formats.number(row['effectif'])}" if not is_missing(row["effectif"]) else "n = –"]
        if year is not None:
            facts.append(f"sur un an : {formats.signed(year, row['unite'], decimals)}")
        if bool(row.get("ensemble_seulement")):
            facts.append("ensemble de la structure")
        st.caption(" · ".join(facts))
        if row["hors_controle"] is True:
            st.markdown(":violet[**⚠ dérive : hors des limites de contrôle**]")
        st.page_link(FICHE_PAGE, label="Ouvrir la fiche", icon=":material/query_stats:",
                     query_params={**query_params, "indicateur": row["indicateur"]})


def render_grid(rows: pd.DataFrame, query_params: dict[str, str], *, per_row: int, period_label: str) -> None:
    for start in range(0, len(rows), per_row):
        columns = st.columns(per_row)
        for column, (_, row) in zip(columns, rows.iloc[start:start + per_row].iterrows()):
            with column:
                render_tile(row, query_params, period_label=period_label)
