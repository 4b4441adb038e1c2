"""The trend chart of an indicator (pure Altair, no Streamlit): the app's fiche and the
committee pack (rendered to PNG by vl-convert) draw the same chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pilotage_qualite.common import formats
from pilotage_qualite.model.status import A_SURVEILLER, ATTEINT, NON_ATTEINT, PERIODE_INCOMPLETE, STATUS_COLOUR

FRENCH_LOCALE = {
    "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]},
}
STATUS_SCALE = alt.Scale(domain=list(STATUS_COLOUR), range=list(STATUS_COLOUR.values()))
# A shape per status besides its colour (a status without one of its own is a circle).
STATUS_SHAPE = {ATTEINT: "circle", A_SURVEILLER: "triangle-up", NON_ATTEINT: "cross", PERIODE_INCOMPLETE: "diamond"}
SHAPE_SCALE = alt.Scale(domain=list(STATUS_COLOUR), range=[STATUS_SHAPE.get(s, "circle") for s in STATUS_COLOUR])
FONT_SIZE = 16
# On screen a chart's width fits its container and its `height` is the plotting area's:
# Streamlit's default « fit » squeezes the plot of a chart under its title, axis labels and
# legend, until a short chart's bars vanish (the pack sets its own sizes).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """French numbers and type large enough for a projector."""
    return (chart.configure(locale=FRENCH_LOCALE)
            .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
            .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
            .configure_title(fontSize=FONT_SIZE + 4, subtitleFontSize=FONT_SIZE))


def unit_title(unit: str) -> str:
    return {"%": "%", "jours": "jours", "heures": "heures", "nombre": "nombre", "ratio": "ratio"}.get(unit, unit)


def trend_chart(rows: pd.DataFrame, title: str | list[str], subtitle: str | list[str]) -> alt.TopLevelMixin:
    """Value per period with the target line, the alert band (target ↔ threshold) and the
    control limits; points coloured AND shaped by status."""
    unit = rows["unite"].iloc[0]
    decimals = int(rows["decimales"].iloc[0])
    data = rows.assign(
        periode_fr=rows["periode_fr"],
        valeur_texte=[formats.with_unit(v, unit, decimals) for v in rows["valeur"]],
        effectif_texte=[formats.number(n) if not formats.is_missing(n) else "–" for n in rows["effectif"]],
    )[["periode_fr", "valeur", "valeur_texte", "effectif_texte", "statut", "cible", "seuil",
       "limite_basse", "limite_haute"]]
    if unit == "%":  # a share cannot leave 0–100 %: clip the p-chart limits for drawing
        data = data.assign(limite_basse=data["limite_basse"].clip(lower=0),
                           limite_haute=data["limite_haute"].clip(upper=100))
    order = list(data["periode_fr"])
    x = alt.X("periode_fr:N", sort=order, title=None, axis=alt.Axis(labelAngle=-45))
    base = alt.Chart(data).encode(x=x)
    layers = []
    if data["seuil"].notna().any() and data["cible"].notna().any():
        layers.append(base.mark_area(opacity=0.18, color=STATUS_COLOUR[A_SURVEILLER]).encode(
            y="seuil:Q", y2="cible:Q"))
    if data["cible"].notna().any():
        layers.append(base.mark_line(strokeDash=[8, 4], strokeWidth=3, color=STATUS_COLOUR[ATTEINT])
                      .encode(y="cible:Q"))
    for limit in ("limite_basse", "limite_haute"):
        if data[limit].notna().any():
            layers.append(base.mark_line(strokeDash=[2, 3], strokeWidth=2, color="#555555").encode(
                y=alt.Y(f"{limit}:Q")))
    tooltip = [alt.Tooltip("periode_fr:N", title="Période"), alt.Tooltip("valeur_texte:N", title="Valeur"),
               alt.Tooltip("effectif_texte:N", title="n"), alt.Tooltip("statut:N", title="Statut")]
    layers.append(base.mark_line(strokeWidth=3, color="#1d4e89").encode(
        y=alt.Y("valeur:Q", title=unit_title(unit))))
    layers.append(base.mark_point(size=160, filled=True, opacity=1).encode(
        y="valeur:Q",
        color=alt.Color("statut:N", scale=STATUS_SCALE, legend=alt.Legend(title="Statut", orient="bottom")),
        shape=alt.Shape("statut:N", scale=SHAPE_SCALE, legend=None),
        tooltip=tooltip))
    chart = alt.layer(*layers).properties(title=alt.TitleParams(title, subtitle=subtitle, anchor="start"),
                                          height=380)
    return finish(chart)
