"""Altair charts with a title, units, the target and n: what a committee needs to read a trend."""

from __future__ import annotations

import math
import textwrap
from typing import Callable, Sequence

import altair as alt
import pandas as pd
import streamlit as st

from pilotage_qualite.common import formats, months
from pilotage_qualite.model.events import Event
from pilotage_qualite.model.status import ATTEINT, STATUS_COLOUR, STATUS_SYMBOL, STATUSES, status_label
from pilotage_qualite.reports import chart_specs

# The trend chart and its shared styling live in the pure package module (the pack draws it too).
from pilotage_qualite.reports.chart_specs import COUNT_UNIT, FIT_WIDTH, FONT_SIZE, FRENCH_LOCALE, trend_chart
from pilotage_qualite.reports.chart_specs import finish as _finish
from pilotage_qualite.reports.chart_specs import unit_title as _unit_title
from pilotage_qualite.ui.filters import projector_on

TREND_PLOT_HEIGHT = 300  # pixels of plot, readable from the back of a meeting room


TREND_KEY = "tirets verts : cible · bande orange : zone à surveiller · pointillés gris : limites de contrôle"


def screen_trend_chart(rows: pd.DataFrame, title: str, periods_line: str, *,
                       wrap_at: int | None = None, events: Sequence[Event] = ()) -> alt.TopLevelMixin:
    """The trend chart on screen, full width, the plot TREND_PLOT_HEIGHT high; the subtitle is
    the periods shown, then how to read the chart on a line of its own (one line was cut).
    ``wrap_at``: characters per line of the title and the key, for a chart in a narrow column
    (Vega cuts a line wider than the chart). ``events``: those recorded on the series, drawn as
    vertical rules (their key then follows)."""
    title_lines = textwrap.wrap(title, wrap_at) if wrap_at else title
    keys = [TREND_KEY, chart_specs.EVENT_KEY] if len(chart_specs.event_marks(rows, events)) else [TREND_KEY]
    key_lines = [line for key in keys for line in (textwrap.wrap(key, wrap_at) if wrap_at else [key])]
    return trend_chart(rows, title_lines, [periods_line, *key_lines], events).properties(
        autosize=FIT_WIDTH, height=TREND_PLOT_HEIGHT)


def breakdown_chart(rows: pd.DataFrame, dimension_label: str, title: str) -> alt.TopLevelMixin:
    """Horizontal bars, sorted, coloured by status and labelled with the status' symbol, the
    value and n (the word in the legend and the tooltip: never colour alone; a row without a
    value says « pas de données » where an « effectif insuffisant » bar is grey); the target as a
    rule, no label across it."""
    unit = rows["unite"].iloc[0]
    decimals = int(rows["decimales"].iloc[0])
    targets = rows["cible"].dropna()
    target = float(targets.mean()) if len(targets) else None
    counts = [formats.number(n) if not formats.is_missing(n) else "–" for n in rows["effectif"]]
    data = rows.assign(
        statut_texte=[status_label(s) for s in rows["statut"]],
        valeur_texte=[formats.with_unit(v, unit, decimals) for v in rows["valeur"]],
        n_texte=counts,
        etiquette=[status_label(s) if formats.is_missing(v)
                   else f"{STATUS_SYMBOL.get(s, '')} {formats.with_unit(v, unit, decimals)} (n = {n})".strip()
                   for s, v, n in zip(rows["statut"], rows["valeur"], counts)],
        position_etiquette=chart_specs.label_position(rows["valeur"], target),
    )[["modalite", "valeur", "valeur_texte", "n_texte", "etiquette", "position_etiquette", "statut_texte", "cible"]]
    order = list(data["modalite"])
    present = chart_specs.present_statuses(rows.loc[rows["valeur"].notna(), "statut"])
    y = alt.Y("modalite:N", sort=order, title=dimension_label)
    tooltip = [alt.Tooltip("modalite:N", title=dimension_label), alt.Tooltip("valeur_texte:N", title="Valeur"),
               alt.Tooltip("n_texte:N", title="n"), alt.Tooltip("statut_texte:N", title="Statut")]
    bars = alt.Chart(data).mark_bar().encode(
        y=y, x=alt.X("valeur:Q", title=_unit_title(unit), axis=chart_specs.value_axis(unit)),
        color=alt.Color("statut_texte:N",
                        scale=alt.Scale(domain=[status_label(s) for s in present],
                                        range=[STATUS_COLOUR[s] for s in present]),
                        legend=alt.Legend(title="Statut", orient="bottom", columns=3, labelLimit=420)),
        tooltip=tooltip)
    labels = alt.Chart(data).mark_text(align="left", dx=6, fontSize=FONT_SIZE).encode(
        y=y, x="position_etiquette:Q", text="etiquette:N", tooltip=tooltip)
    layers = [bars, labels]
    if target is not None:
        layers.append(alt.Chart(data).mark_rule(strokeDash=[8, 4], strokeWidth=3,
                                                color=STATUS_COLOUR[ATTEINT]).encode(x="mean(cible):Q"))
    chart = alt.layer(*layers).properties(title=title, height=max(120, 48 * len(data)), autosize=FIT_WIDTH)
    return _finish(chart)


# --- Process pages ------------------------------------------------------------------------
# Small aggregated frames in, one chart out; every chart carries a title, a subtitle with the
# period and n, axis titles with units, and the target as a dashed green rule where there is one.

CATEGORY_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#555555"]  # Okabe-Ito
TARGET_COLOUR = STATUS_COLOUR[ATTEINT]
BAR_COLOUR = "#1d4e89"
INK = chart_specs.INK
MONTH_NAMES = {"months": list(months.MONTHS), "shortMonths": list(months.MONTH_ABBREVIATIONS)}
FRENCH_TIME_LOCALE = {
    "dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
    "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."], **MONTH_NAMES,
}
LABEL_HEADROOM = 1.4  # room right of the longest bar for its label


def _finish_process(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """As `_finish`, with French month names and dark ink (a washed-out projector), sized by FIT_WIDTH."""
    chart = chart.properties(autosize=FIT_WIDTH)
    # A heatmap cell's symbol above its value: side by side they are wider than a month's cell.
    cell_labels = {"lineBreak": chart_specs.SYMBOL_GAP, "lineHeight": FONT_SIZE, "dy": -FONT_SIZE // 2}
    return (chart.configure(locale={**FRENCH_LOCALE, "time": FRENCH_TIME_LOCALE},
                            style={chart_specs.CELL_LABEL_STYLE: cell_labels})
            .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=420, labelColor=INK,
                            titleColor=INK)
            .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=420, titleLimit=600,
                              labelColor=INK, titleColor=INK)
            .configure_title(fontSize=FONT_SIZE + 4, subtitleFontSize=FONT_SIZE, anchor="start", color=INK,
                             subtitleColor=chart_specs.SUBTITLE_INK)
            .configure_view(stroke=None))


def _title(title: str, subtitle: str | list[str]) -> alt.TitleParams:
    return alt.TitleParams(title, subtitle=subtitle, anchor="start")


def _present_scale(field: str, domain: list[str], colours: list[str], data: pd.DataFrame) -> alt.Scale:
    """The categories of ``domain`` found in the data, each keeping its colour: a legend lists
    only what the chart shows."""
    found = set(data[field])
    kept = [(name, colour) for name, colour in zip(domain, colours) if name in found]
    return alt.Scale(domain=[name for name, _ in kept], range=[colour for _, colour in kept])


def _colour(field: str | None, domain: list[str] | None, colours: list[str] | None, title: str | None,
            data: pd.DataFrame, legend: bool = True):
    if not field:
        return alt.value(BAR_COLOUR)
    return alt.Color(f"{field}:N", title=title,
                     scale=_present_scale(field, domain or list(dict.fromkeys(data[field])),
                                          colours or CATEGORY_COLOURS, data),
                     legend=alt.Legend(orient="bottom", columns=3) if legend else None)


def _counts(data: pd.DataFrame, value: str) -> bool:
    """Whole numbers in an integer column: a count, whose axis says « 1, 2, 3 », never « 0,5 »."""
    return pd.api.types.is_integer_dtype(data[value])


def _target_rule(value: float, label: str, *, horizontal: bool, label_row: int = 0) -> list[alt.Chart]:
    """A dashed green rule at the target and its label (``label_row``: the line it is written on,
    when several targets are drawn)."""
    frame = pd.DataFrame({"cible": [value], "texte": [label]})
    if horizontal:
        rule = alt.Chart(frame).mark_rule(strokeDash=[8, 4], strokeWidth=3, color=TARGET_COLOUR).encode(x="cible:Q")
        text = alt.Chart(frame).mark_text(align="left", baseline="bottom", dx=4, dy=-2, fontSize=FONT_SIZE - 2,
                                          fontWeight="bold", color=TARGET_COLOUR).encode(
            x="cible:Q", y=alt.value(label_row * (FONT_SIZE + 2)), text="texte:N")
    else:
        rule = alt.Chart(frame).mark_rule(strokeDash=[8, 4], strokeWidth=3, color=TARGET_COLOUR).encode(y="cible:Q")
        # Right of the plot, at the rule's height: clear of the columns and their labels.
        text = alt.Chart(frame).mark_text(align="left", baseline="middle", dx=6, fontSize=FONT_SIZE - 2,
                                          fontWeight="bold", color=TARGET_COLOUR).encode(
            y="cible:Q", x=alt.value("width"), text="texte:N")
    return [rule, text]


def _has_target(target: float | None) -> bool:
    return target is not None and not formats.is_missing(target)


def category_bars(data: pd.DataFrame, category: str, value: str, label: str, *, title: str,
                  subtitle: str | list[str], value_title: str, category_title: str | None = None,
                  colour: str | None = None, colour_domain: list[str] | None = None,
                  colour_range: list[str] | None = None, colour_title: str | None = None, legend: bool = True,
                  target: float | None = None, target_label: str | None = None) -> alt.TopLevelMixin:
    """Horizontal bars in the frame's order, each labelled (`label`: ready French text), with
    room on the right for the labels, which start past the target rule (never across it)."""
    order = list(dict.fromkeys(data[category]))
    y = alt.Y(f"{category}:N", sort=order, title=category_title, axis=alt.Axis(labelLimit=420))
    values = [float(v) for v in data[value] if not formats.is_missing(v)]
    top = max(values + ([float(target)] if _has_target(target) else []) + [0.0])
    x = alt.X(f"{value}:Q", title=value_title, scale=alt.Scale(domain=[0, top * LABEL_HEADROOM or 1], nice=False),
              axis=chart_specs.value_axis(COUNT_UNIT if _counts(data, value) else ""))
    bars = alt.Chart(data).mark_bar().encode(
        y=y, x=x, color=_colour(colour, colour_domain, colour_range, colour_title, data, legend),
        tooltip=[alt.Tooltip(f"{category}:N", title=category_title or "Catégorie"),
                 alt.Tooltip(f"{label}:N", title=value_title)])
    placed = data.assign(position_etiquette=chart_specs.label_position(
        data[value], float(target) if _has_target(target) else None))
    text = alt.Chart(placed).mark_text(align="left", dx=6, fontSize=FONT_SIZE - 1, color=INK).encode(
        y=y, x="position_etiquette:Q", text=f"{label}:N")
    layers = [bars, text]
    if _has_target(target):
        layers = _target_rule(float(target), target_label or "cible", horizontal=True) + layers
    chart = alt.layer(*layers).properties(title=_title(title, subtitle), height=max(60, 36 * len(order)))
    return _finish_process(chart)


def column_bars(data: pd.DataFrame, x: str, value: str, label: str, *, title: str, subtitle: str | list[str],
                value_title: str, x_title: str | None = None, colour: str | None = None,
                colour_domain: list[str] | None = None, colour_range: list[str] | None = None,
                colour_title: str | None = None, stacked: bool = False, counts: bool = False,
                target: float | None = None, target_label: str | None = None,
                height: int = 300) -> alt.TopLevelMixin:
    """Vertical bars in the frame's order along x (months, bands), coloured by `colour`;
    `stacked`: several rows per x piled up (then without labels); otherwise each column
    carries its `label`, above the target rule when the column stops just short of it. `counts`
    (or an integer column): whole numbers on the axis."""
    order = list(dict.fromkeys(data[x]))
    x_enc = alt.X(f"{x}:N", sort=order, title=x_title,
                  axis=chart_specs.category_axis(order, labelAngle=0 if len(order) <= 6 else -40, labelOverlap=False))
    axis = chart_specs.value_axis(COUNT_UNIT if counts or _counts(data, value) else "")
    y_enc = alt.Y(f"{value}:Q", title=value_title, stack=True if stacked else None, axis=axis)
    tooltip = [alt.Tooltip(f"{x}:N", title=x_title or "Période"), alt.Tooltip(f"{label}:N", title=value_title)]
    if colour:
        tooltip.insert(1, alt.Tooltip(f"{colour}:N", title=colour_title or colour))
    bars = alt.Chart(data).mark_bar().encode(
        x=x_enc, y=y_enc, color=_colour(colour, colour_domain, colour_range, colour_title, data), tooltip=tooltip)
    layers = [bars]
    if not stacked:
        # A label is about FONT_SIZE high: one over a column just short of the target goes above the rule.
        top = max([float(v) for v in data[value] if not formats.is_missing(v)]
                  + ([float(target)] if _has_target(target) else []) + [1.0])
        placed = data.assign(position_etiquette=chart_specs.label_position(
            data[value], float(target) if _has_target(target) else None, clearance=2 * FONT_SIZE * top / height))
        layers.append(alt.Chart(placed).mark_text(baseline="bottom", dy=-4, fontSize=FONT_SIZE - 1, color=INK).encode(
            x=x_enc, y="position_etiquette:Q", text=f"{label}:N"))
    if _has_target(target):
        layers += _target_rule(float(target), target_label or "cible", horizontal=False)
    chart = alt.layer(*layers).properties(title=_title(title, subtitle), height=height)
    return _finish_process(chart)


def interval_chart(data: pd.DataFrame, category: str, *, title: str, subtitle: str | list[str], value_title: str,
                   group: str | None = None, group_domain: list[str] | None = None, group_title: str | None = None,
                   targets: Sequence[tuple[float, str]] = ()) -> alt.TopLevelMixin:
    """Shares (`pourcentage`) with their 95 % interval (`ic_bas`–`ic_haut`) as a horizontal
    error bar, labelled by `etiquette` (« 76,9 % (n = 26) »); one row per category, one
    offset line per group (e.g. the public). The axis stops at 100 %, the labels go beyond.
    ``targets``: (value, label) of each target in force (one per public when they differ)."""
    order = list(dict.fromkeys(data[category]))
    y = alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=560))
    x_scale = alt.Scale(domain=[0, 135], nice=False)
    # The title on lines of at most 40 characters: a narrow chart cut it (« … intervalle de confian »).
    x_axis = alt.Axis(values=list(range(0, 101, 10)), title=textwrap.wrap(value_title, 40), titleX=0,
                      titleAnchor="start")
    encodings: dict = {"y": y}
    colour = alt.value(BAR_COLOUR)
    if group:
        domain = group_domain or list(dict.fromkeys(data[group]))
        encodings["yOffset"] = alt.YOffset(f"{group}:N", sort=domain)
        colour = alt.Color(f"{group}:N", title=group_title,
                           scale=alt.Scale(domain=domain, range=["#0072B2", "#D55E00", "#009E73", "#CC79A7"]),
                           legend=alt.Legend(orient="bottom"))
    tooltip = [alt.Tooltip(f"{category}:N", title="Libellé"), alt.Tooltip("etiquette:N", title="Résultat"),
               alt.Tooltip("intervalle:N", title="Intervalle à 95 %")]
    if group:
        tooltip.insert(1, alt.Tooltip(f"{group}:N", title=group_title or group))
    base = alt.Chart(data).encode(**encodings)
    rule = base.mark_rule(strokeWidth=4, opacity=0.75).encode(
        x=alt.X("ic_bas:Q", scale=x_scale, axis=x_axis), x2="ic_haut:Q", color=colour)
    point = base.mark_point(filled=True, size=170, opacity=1).encode(
        x=alt.X("pourcentage:Q", scale=x_scale), color=colour, shape=alt.value("circle"), tooltip=tooltip)
    # The labels in a column right of 100 %: beside each interval they were written across the target line.
    text = base.mark_text(align="left", dx=14, fontSize=FONT_SIZE - 2, color=INK).encode(
        x=alt.datum(100), text="etiquette:N")
    layers = [rule, point, text]
    for row, (target, target_label) in enumerate(targets):
        layers += _target_rule(float(target), target_label, horizontal=True, label_row=row)
    rows = len(order) * (len(data[group].unique()) if group else 1)
    chart = alt.layer(*layers).properties(title=_title(title, subtitle), height=max(60, 30 * rows + 16 * len(order)))
    return _finish_process(chart)


def heatmap(data: pd.DataFrame, x: str, y: str, colour: str, text: str, *, title: str, subtitle: str | list[str],
            colour_title: str, colour_domain: list[str], colour_range: list[str], x_title: str | None = None,
            y_title: str | None = None, tooltip: list[tuple[str, str]] | None = None,
            light: tuple[str, ...] = ()) -> alt.TopLevelMixin:
    """Cells coloured by a category (a status, a count band) and labelled with their value in
    white, or in black on the cells of the `light` categories; a status cell's label starts
    with the status' symbol, its word in the legend and the tooltip (never colour alone)."""
    x_order = list(dict.fromkeys(data[x]))
    y_order = list(dict.fromkeys(data[y]))
    symbols = {status_label(word): STATUS_SYMBOL[word] for word in STATUSES}
    data = data.assign(**{text: [f"{symbols[band]}{chart_specs.SYMBOL_GAP}{shown}" if band in symbols else shown
                                 for band, shown in zip(data[colour], data[text])]})
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:N", sort=x_order, title=x_title,
                axis=chart_specs.category_axis(x_order, labelAngle=0 if len(x_order) <= 6 else -40, orient="top",
                                               labelOverlap=False)),
        y=alt.Y(f"{y}:N", sort=y_order, title=y_title))
    shown = [(field, name) for field, name in (tooltip or []) if field != colour] + [(colour, colour_title)]
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=2).encode(
        color=alt.Color(f"{colour}:N", title=colour_title,
                        scale=_present_scale(colour, colour_domain, colour_range, data),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip(f"{field}:N", title=name) for field, name in shown])
    labels = base.mark_text(fontSize=FONT_SIZE - 2, fontWeight="bold", style=chart_specs.CELL_LABEL_STYLE).encode(
        text=f"{text}:N",
        color=alt.condition(alt.FieldOneOfPredicate(field=colour, oneOf=list(light)),
                            alt.value(INK), alt.value("#ffffff")))
    chart = alt.layer(cells, labels).properties(title=_title(title, subtitle), height=max(60, 46 * len(y_order)))
    return _finish_process(chart)


def timeline_chart(data: pd.DataFrame, *, title: str, subtitle: str | list[str], reference_day,
                   colour_domain: list[str], colour_range: list[str]) -> alt.TopLevelMixin:
    """Gantt-like chart of actions: a bar from opening to completion (or to the end of the
    period while open), a black tick at the due date, a rule at the end of the period."""
    order = list(dict.fromkeys(data["action"]))
    y = alt.Y("action:N", sort=order, title=None, axis=alt.Axis(labelLimit=560, labelFontSize=FONT_SIZE - 3))
    days = pd.concat([pd.to_datetime(data[c]) for c in ("date_ouverture", "fin_barre", "echeance")]
                     + [pd.Series([pd.Timestamp(reference_day)])]).dropna()
    first, last = days.min(), days.max()
    months_shown = (last.year - first.year) * 12 + last.month - first.month + 1
    step = max(1, math.ceil(months_shown / chart_specs.MAX_LABELS))  # at most MAX_LABELS months named
    time_axis = alt.Axis(format="%b %Y", labelAngle=0, orient="top", grid=True,
                         tickCount=alt.TimeIntervalStep(interval="month", step=step))
    tooltip = [alt.Tooltip("action:N", title="Action"), alt.Tooltip("origine:N", title="Origine"),
               alt.Tooltip("ouverture_fr:N", title="Ouverture"), alt.Tooltip("echeance_fr:N", title="Échéance"),
               alt.Tooltip("realisation_fr:N", title="Réalisation"), alt.Tooltip("situation:N", title="Situation")]
    bars = alt.Chart(data).mark_bar(height=14, cornerRadius=2).encode(
        y=y, x=alt.X("date_ouverture:T", title=None, axis=time_axis), x2="fin_barre:T",
        color=alt.Color("situation:N", title="Situation à la fin de la période",
                        scale=_present_scale("situation", colour_domain, colour_range, data),
                        legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=tooltip)
    ticks = alt.Chart(data).mark_tick(thickness=3, size=22, color=INK).encode(y=y, x="echeance:T", tooltip=tooltip)
    end = pd.DataFrame({"jour": [pd.Timestamp(reference_day)]})
    rule = alt.Chart(end).mark_rule(strokeDash=[6, 3], strokeWidth=2, color=INK).encode(x="jour:T")
    chart = alt.layer(bars, ticks, rule).properties(title=_title(title, subtitle), height=max(80, 24 * len(order)))
    return _finish_process(chart)


# --- Showing a chart --------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=512)  # shared: Streamlit copies the dict it changes
def _vega_lite_spec(_builder: Callable[..., alt.TopLevelMixin], name: str, args: tuple, options: tuple,
                    projector: bool = False, data_key: tuple | None = None, _args: tuple = ()) -> dict:
    """The spec ``st.altair_chart`` would send (data as Arrow bytes), built once per distinct
    data and labels: building and serialising an Altair chart costs 50–150 ms, which a repeat
    visit must not pay. Keyed by the builder's qualified ``name`` and the chart's own inputs (the
    function itself is passed unhashed), so new figures make a new spec; with a ``data_key`` the
    frames among the arguments are keyed by it instead of being hashed (``args`` then holds None
    in their place, ``_args`` the arguments themselves). ``projector``: its type grown for the
    projector (chart_specs.projector_spec).

    Streamlit's own conversion is used (a private function, the one ``st.altair_chart`` runs):
    Altair's public ``to_dict()`` would send the data as JSON records, dates as text, and cost more.
    """
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    spec = _convert_altair_to_vega_lite_spec(_builder(*(_args or args), **dict(options)))
    return chart_specs.projector_spec(spec) if projector else spec


def show(builder: Callable[..., alt.TopLevelMixin], *args, container=None, data_key: tuple | None = None,
         **options) -> None:
    """Draw ``builder(*args, **options)`` (a chart function of a module) at full width, in
    ``container`` (a column, say) or the page, its type grown in projector mode; the spec is
    cached (see _vega_lite_spec). ``data_key``: what identifies the frames among ``args`` (the
    base's version and what selected them), so that a repeat visit does not hash them again
    (hashing a fiche's 36-period history costs about 15 ms)."""
    projector = projector_on()
    hashed = args if data_key is None else tuple(None if isinstance(a, pd.DataFrame) else a for a in args)
    spec = _vega_lite_spec(builder, f"{builder.__module__}.{builder.__qualname__}", hashed,
                           tuple(sorted(options.items())), projector, data_key, args if data_key is not None else ())
    (container or st).vega_lite_chart(spec, width="stretch")
