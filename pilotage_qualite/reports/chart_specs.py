"""The trend chart of an indicator (pure Altair, no Streamlit): the app's fiche and the
committee pack (rendered to PNG by vl-convert) draw the same chart, with the events recorded on
the series as vertical rules. Also the axes, status scales and tile sparklines every chart shares."""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Sequence

import altair as alt
import pandas as pd

from pilotage_qualite.common import formats
from pilotage_qualite.model.events import Event
from pilotage_qualite.model.status import (
    A_SURVEILLER,
    ATTEINT,
    EFFECTIF_INSUFFISANT,
    NON_ATTEINT,
    PERIODE_INCOMPLETE,
    STATUS_COLOUR,
)

FRENCH_LOCALE = {
    "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]},
}
# A shape per status besides its colour (a status without one of its own is a circle); the greys
# differ by shape: an « effectif insuffisant » point is a square (« pas de données » draws none).
STATUS_SHAPE = {ATTEINT: "circle", A_SURVEILLER: "triangle-up", NON_ATTEINT: "cross", PERIODE_INCOMPLETE: "diamond",
                EFFECTIF_INSUFFISANT: "square"}
FONT_SIZE = 16
COUNT_UNIT = "nombre"
# Labelled ticks an axis keeps: Vega's default (one per 40 px) gave 31–46 on a wide screen.
MAX_LABELS = 12
VALUE_TICKS = 8  # the hint given to a value axis: d3 then draws at most about 12 ticks
# On screen a chart's width fits its container and its `height` is the plotting area's:
# Streamlit's default « fit » squeezes the plot of a chart under its title, axis labels and
# legend, until a short chart's bars vanish (the pack sets its own sizes).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
# Events on the trend: a vertical rule at the period holding the event's day, solid for a process
# change (the control limits restart there), dotted for any other event; black, readable in black
# and white. Short labels at the top of the plot, on staggered lines (two events close together).
# The text of every chart: near-black (Streamlit's theme would draw axes and legends grey, 3.7:1
# on white, too pale for a projector); subtitles a dark grey (12:1).
INK = "#111111"
SUBTITLE_INK = "#333333"
EVENT_INK = INK
EVENT_LABEL_CHARS = 26
EVENT_LABEL_SIZE = FONT_SIZE - 2
# A heatmap cell's label: its status symbol, then its value, joined by a four-per-em space (as wide
# as a space); on the projector the two go on two lines (a cell of a 12-month row is narrow).
SYMBOL_GAP = "\u2005"
CELL_LABEL_STYLE = "etiquette-case"
EVENT_KEY = "trait noir plein : changement de processus (limites recalculées) · pointillés noirs : événement"


def finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """French numbers, type large enough for a projector, in dark ink."""
    return (chart.configure(locale=FRENCH_LOCALE)
            .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelColor=INK, titleColor=INK)
            .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelColor=INK, titleColor=INK)
            .configure_title(fontSize=FONT_SIZE + 4, subtitleFontSize=FONT_SIZE, color=INK,
                             subtitleColor=SUBTITLE_INK))


def unit_title(unit: str) -> str:
    return {"%": "%", "jours": "jours", "heures": "heures", "nombre": "nombre", "ratio": "ratio"}.get(unit, unit)


def thinned(labels: Sequence[str], most: int = MAX_LABELS) -> list[str]:
    """Every k-th label, at most ``most`` of them, counted back from the last: the latest period
    is always named."""
    step = max(1, math.ceil(len(labels) / most))
    return list(labels)[(len(labels) - 1) % step::step]


def category_axis(labels: Sequence[str], **options) -> alt.Axis:
    """An axis of periods or bands naming at most MAX_LABELS of them (:func:`thinned`)."""
    return alt.Axis(values=thinned(labels), **options)


def value_axis(unit: str, **options) -> alt.Axis:
    """A value axis of about VALUE_TICKS ticks: whole numbers for a count (no « 0,5 » event),
    « 95 % » for a share."""
    if unit == COUNT_UNIT:
        options.update(tickMinStep=1, format=",d")
    elif unit == "%":
        options.update(labelExpr="format(datum.value, ',~f') + '\u00a0%'")
    return alt.Axis(tickCount=VALUE_TICKS, **options)


def share_domain(values: Iterable[object]) -> list[float]:
    """A share's axis fitted to what is drawn (values, target, threshold, limits), padded by a
    tenth of their spread (at least a point) and kept within 0–100 %: on a 0–100 axis a fall
    from 100 to 92 % reads as a flat line."""
    drawn = [float(v) for v in values if not formats.is_missing(v)]
    if not drawn:
        return [0.0, 100.0]
    low, high = min(drawn), max(drawn)
    pad = max(1.0, (high - low) / 10)
    return [max(0.0, math.floor(low - pad)), min(100.0, math.ceil(high + pad))]


def present_statuses(statuses: Iterable[str]) -> list[str]:
    """The statuses found, in the order of every status scale: a legend lists these only."""
    found = set(statuses)
    return [status for status in STATUS_COLOUR if status in found]


def label_position(values: Iterable[object], target: float | None, clearance: float = math.inf) -> list[float]:
    """Where a bar's label starts: the bar's end (0 without a value), or the target when the bar
    stops short of it by less than ``clearance`` (in value units: any shortfall for a label
    written along the bar), so that no label is written across the target line."""
    ends = [0.0 if formats.is_missing(v) else float(v) for v in values]
    if target is None or formats.is_missing(target):
        return ends
    return [float(target) if target - clearance < end < target else end for end in ends]


def event_marks(rows: pd.DataFrame, events: Sequence[Event]) -> pd.DataFrame:
    """One mark per period of ``rows`` (from ``debut`` to ``fin`` excluded) holding events, process changes apart
    from the others: ``periode_fr``, ``changement`` (bool), ``texte`` (the short label),
    ``detail`` (every event in full, for the tooltip), ``ligne`` (the label's line) and
    ``droite`` (label left of the rule, in the last third of the axis). Events outside the
    periods shown are left out."""
    columns = ["periode_fr", "changement", "texte", "detail", "ligne", "droite"]
    if not len(events) or not {"debut", "fin"} <= set(rows.columns):
        return pd.DataFrame(columns=columns)
    spans = [(pd.Timestamp(a).date(), pd.Timestamp(b).date()) for a, b in zip(rows["debut"], rows["fin"])]
    grouped: dict[tuple[int, bool], list[Event]] = {}
    for event in sorted(events, key=lambda e: (e.day, e.id)):
        at = next((k for k, (first, after) in enumerate(spans) if first <= event.day < after), None)  # `fin` excluded
        if at is not None:
            grouped.setdefault((at, event.process_change), []).append(event)
    marks = []
    for line, ((at, change), found) in enumerate(sorted(grouped.items())):
        label = found[0].label if len(found) == 1 else f"{found[0].label} (+{len(found) - 1})"
        if len(label) > EVENT_LABEL_CHARS:
            label = label[:EVENT_LABEL_CHARS - 1].rstrip() + "…"
        detail = " ; ".join(f"{formats.date_fr(e.day)} : {e.label} ({e.kind})" for e in found)
        marks.append([rows["periode_fr"].iloc[at], change, label, detail, line % 3, at >= 2 * len(spans) / 3])
    return pd.DataFrame(marks, columns=columns)


def _event_layers(marks: pd.DataFrame, x: alt.X) -> list[alt.Chart]:
    """The rules and their labels: solid for process changes, dotted for the other events."""
    layers = []
    tooltip = [alt.Tooltip("periode_fr:N", title="Période"), alt.Tooltip("detail:N", title="Événement")]
    for change in (True, False):
        mine = marks[marks["changement"] == change]
        if mine.empty:
            continue
        style = {"strokeWidth": 3} if change else {"strokeWidth": 2.5, "strokeDash": [2, 4]}
        layers.append(alt.Chart(mine).mark_rule(color=EVENT_INK, **style).encode(x=x, tooltip=tooltip))
        for (right, line), side in mine.groupby(["droite", "ligne"]):  # mark properties, not channels
            text = {"align": "right" if right else "left", "baseline": "top", "dx": -5 if right else 5,
                    "dy": 2 + int(line) * (EVENT_LABEL_SIZE + 4), "fontSize": EVENT_LABEL_SIZE,
                    "fontWeight": "bold" if change else "normal", "fontStyle": "normal" if change else "italic"}
            for ink in ({"color": "white", "stroke": "white", "strokeWidth": 4}, {"color": EVENT_INK}):  # halo, then ink
                layers.append(alt.Chart(side).mark_text(**text, **ink).encode(
                    x=x, y=alt.value(0), text="texte:N", tooltip=tooltip))
    return layers


def trend_chart(rows: pd.DataFrame, title: str | list[str], subtitle: str | list[str],
                events: Sequence[Event] = ()) -> alt.TopLevelMixin:
    """Value per period with the target line, the alert band (target ↔ threshold) and the
    control limits; points coloured AND shaped by status; ``events`` recorded on the series as
    vertical rules at the period holding their day (:func:`event_marks`)."""
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
    # A step of room each side: the first slanted label is not cut at the chart's left edge.
    x = alt.X("periode_fr:N", sort=order, title=None, scale=alt.Scale(padding=1),
              axis=category_axis(order, labelAngle=-45))
    scale = alt.Scale(domain=share_domain(pd.concat([data[c] for c in ("valeur", "cible", "seuil", "limite_basse",
                                                                     "limite_haute")])),
                      nice=False, zero=False) if unit == "%" else alt.Undefined
    y = alt.Y("valeur:Q", title=unit_title(unit), scale=scale, axis=value_axis(unit))
    base = alt.Chart(data).encode(x=x)
    layers = []
    if data["seuil"].notna().any() and data["cible"].notna().any():
        layers.append(base.mark_area(opacity=0.18, color=STATUS_COLOUR[A_SURVEILLER], interpolate="step").encode(
            y="seuil:Q", y2="cible:Q"))
    if data["cible"].notna().any():  # a target changes on a date: a step, never a slope
        layers.append(base.mark_line(strokeDash=[8, 4], strokeWidth=3, color=STATUS_COLOUR[ATTEINT],
                                     interpolate="step").encode(y="cible:Q"))
    for limit in ("limite_basse", "limite_haute"):
        if data[limit].notna().any():
            layers.append(base.mark_line(strokeDash=[2, 3], strokeWidth=2, color="#555555").encode(
                y=alt.Y(f"{limit}:Q")))
    tooltip = [alt.Tooltip("periode_fr:N", title="Période"), alt.Tooltip("valeur_texte:N", title="Valeur"),
               alt.Tooltip("effectif_texte:N", title="n"), alt.Tooltip("statut:N", title="Statut")]
    layers.append(base.mark_line(strokeWidth=3, color="#1d4e89").encode(y=y))
    present = present_statuses(data.loc[data["valeur"].notna(), "statut"])  # « pas de données » draws no point
    legend = alt.Legend(title="Statut", orient="bottom")  # one legend: each status' shape, colour and word
    layers.append(base.mark_point(size=160, filled=True, opacity=1).encode(
        y=y,
        color=alt.Color("statut:N", scale=alt.Scale(domain=present, range=[STATUS_COLOUR[s] for s in present]),
                        legend=legend),
        shape=alt.Shape("statut:N", scale=alt.Scale(domain=present, range=[STATUS_SHAPE.get(s, "circle")
                                                                           for s in present]), legend=legend),
        tooltip=tooltip))
    marks = event_marks(rows, events)
    if len(marks):
        layers += _event_layers(marks, x)
    chart = alt.layer(*layers).properties(title=alt.TitleParams(title, subtitle=subtitle, anchor="start"),
                                          height=380)
    return finish(chart)


# --- On the projector ---------------------------------------------------------------------------
# The screen's specs with the type grown for the back of a meeting room: every size × 1.5 and never
# under 24 px (the issue: no text under 24 px outside the overview), the rows of a chart with
# categories down its side as much taller, so that a row still holds its label. One home for every
# chart, applied to the Vega-Lite spec the screen shows (the pack keeps its own sizes).
PROJECTOR_SCALE = 1.5
PROJECTOR_MIN_FONT = 24
_FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize")
# Vega-Lite's own sizes where a spec sets none: what the projector's config grows.
_DEFAULT_FONTS = {"axis": {"labelFontSize": 10, "titleFontSize": 11},
                  "legend": {"labelFontSize": 10, "titleFontSize": 11},
                  "header": {"labelFontSize": 10, "titleFontSize": 11},
                  "title": {"fontSize": 13, "subtitleFontSize": 10},
                  "text": {"fontSize": 11}}
# Room for the grown labels where a chart sets none (Streamlit's theme cuts an axis label at 100 px,
# Vega a legend's at 160 px: « janv. 20… », « effectif insuffi… »), and legend symbols to match.
_PROJECTOR_ROOM = {"axis": {"labelLimit": 270}, "legend": {"labelLimit": 240, "titleLimit": 270, "symbolSize": 225}}
_ROWS = ("nominal", "ordinal")  # a y axis of these types has a row per category
# A row's label (a question, an action's title) on as many lines of at most PROJECTOR_LABEL_CHARS
# characters as it takes, cut at spaces (a longer word stays whole), never cut with « … »: the
# axis has no width limit and the chart grows until each row holds its label's lines. A Vega
# expression (no data in it) turns the label into an array, one item a line; `label_lines` is the
# same pattern in Python, to size the rows.
PROJECTOR_LABEL_CHARS = 30
_ROW_PADDING = 8  # px between the labels of two rows
_LINE = f"(.{{1,{PROJECTOR_LABEL_CHARS}}})( +|$)"
WRAPPED_LABEL = f"split(trim(replace(datum.label, regexp('{_LINE}', 'g'), '$1\\n')), '\\n')"


def projector_font(size: float) -> int:
    """A font size on the projector: 16 → 24, 20 → 30, anything smaller → 24."""
    return max(PROJECTOR_MIN_FONT, round(size * PROJECTOR_SCALE))


def _units(spec: dict) -> Iterable[dict]:
    """The spec and each of its layers, at any depth."""
    yield spec
    for layer in spec.get("layer", ()):
        yield from _units(layer)


def _grow_fonts(part: object) -> None:
    """Every font size of ``part`` (a title, a mark, an encoding, an axis, a legend), in place."""
    if isinstance(part, dict):
        for key, value in part.items():
            if key in _FONT_KEYS and isinstance(value, (int, float)):
                part[key] = projector_font(value)
            else:
                _grow_fonts(value)
    elif isinstance(part, list):
        for item in part:
            _grow_fonts(item)


def _grow_text_offsets(unit: dict) -> None:
    """A text mark's offsets grow with its font: staggered event labels, stacked target labels."""
    mark = unit.get("mark")
    if not isinstance(mark, dict) or mark.get("type") != "text" or "fontSize" not in mark:
        return
    ratio = projector_font(mark["fontSize"]) / mark["fontSize"]
    if isinstance(mark.get("dy"), (int, float)):
        mark["dy"] = round(mark["dy"] * ratio)
    for channel in ("x", "y"):
        place = unit.get("encoding", {}).get(channel, {})
        if isinstance(place.get("value"), (int, float)):
            place["value"] = round(place["value"] * ratio)


def label_lines(label: str) -> list[str]:
    """The lines :data:`WRAPPED_LABEL` writes ``label`` on."""
    return re.sub(_LINE, "\\1\n", label).strip().split("\n")


def _wrap_row_labels(unit: dict, font: float) -> int:
    """The labels of a y axis of rows named in its ``sort`` list wrapped (:data:`WRAPPED_LABEL`),
    in place; returns the plot height its rows need to hold them (0 for another axis)."""
    y = unit.get("encoding", {}).get("y", {})
    rows = y.get("sort")
    if y.get("type") not in _ROWS or not isinstance(rows, list) or not rows or y.get("axis", {}) is None:
        return 0  # not rows named in a list, or no axis drawn
    axis = y.setdefault("axis", {})
    if "labelExpr" in axis:
        return 0
    line = axis.get("labelFontSize", font) + 4
    # Vega writes a label's first line at its row's middle: the lines go up by half their extra height.
    lines = f"length({WRAPPED_LABEL})"
    centred = {"condition": {"test": f"{lines} > 1", "expr": f"-({lines} - 1) * {line / 2:g}"}, "value": 0}
    axis.update(labelExpr=WRAPPED_LABEL, labelLimit=0, labelLineHeight=line, labelOffset=centred)
    return len(rows) * (max(len(label_lines(str(label))) for label in rows) * line + _ROW_PADDING)


def projector_spec(spec: dict) -> dict:
    """``spec`` (a Vega-Lite dict, as ``to_dict()`` or Streamlit gives it) for the projector: a new
    dict, the data untouched; the config sets every kind of text, the spec's own sizes grow too."""
    shown = {key: value for key, value in spec.items() if key not in ("datasets", "data")}
    shown = copy.deepcopy(shown)
    for unit in _units(shown):
        _grow_text_offsets(unit)
    rows = any(unit.get("encoding", {}).get("y", {}).get("type") in _ROWS for unit in _units(shown))
    _grow_fonts({key: value for key, value in shown.items() if key != "config"})
    config = shown.setdefault("config", {})
    for part, defaults in _DEFAULT_FONTS.items():
        section = config.setdefault(part, {})
        for key, default in defaults.items():
            section[key] = projector_font(section.get(key, default))
    for part, room in _PROJECTOR_ROOM.items():
        config[part] = {**room, **config.get(part, {})}
    # Two lines centred on the cell (Vega sets the first line's middle at the cell's).
    config["style"] = {**config.get("style", {}), CELL_LABEL_STYLE: {
        "lineBreak": SYMBOL_GAP, "lineHeight": PROJECTOR_MIN_FONT + 2, "dy": -(PROJECTOR_MIN_FONT + 2) // 2}}
    needed = max(_wrap_row_labels(unit, config["axis"]["labelFontSize"]) for unit in _units(shown))
    if rows and isinstance(shown.get("height"), (int, float)):
        shown["height"] = max(round(shown["height"] * PROJECTOR_SCALE), needed)
    return {**shown, **{key: spec[key] for key in ("datasets", "data") if key in spec}}
