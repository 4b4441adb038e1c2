"""Charts read from the back of a meeting room, and honestly: whole numbers on a count's axis, a
share's axis fitted to its values and target, legends of the statuses shown only, at most about
12 labels on an axis, no label across the target, and tile sparklines that keep their gaps
(AppTest draws no chart: the Vega-Lite spec, and the sparkline's SVG, are what is checked)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd

from pilotage_qualite.model.periods import periods_ending
from pilotage_qualite.model.status import STATUS_COLOUR
from pilotage_qualite.reports.chart_specs import MAX_LABELS, share_domain, thinned, trend_chart
from pilotage_qualite.reports.sparkline import sparkline_svg
from pilotage_qualite.ui import charts

SVG = "{http://www.w3.org/2000/svg}"


def series(values: list[float | None], statuses: list[str], *, unit: str = "%", target: float | None = None,
           decimals: int = 1) -> pd.DataFrame:
    """A trend's rows: one month per value, ending June 2026."""
    months = periods_ending("2026-06", len(values))
    return pd.DataFrame({
        "periode_fr": [f"{p.debut:%m/%Y}" for p in months], "debut": [p.debut for p in months],
        "fin": [p.fin for p in months], "valeur": values, "effectif": [40] * len(values), "statut": statuses,
        "cible": [target] * len(values), "seuil": [None] * len(values), "limite_basse": [None] * len(values),
        "limite_haute": [None] * len(values), "unite": unit, "decimales": decimals})


def sites(values: list[float | None], statuses: list[str], *, unit: str = "%", target: float | None = None,
          names: list[str] | None = None) -> pd.DataFrame:
    """A breakdown's rows, one per site."""
    return pd.DataFrame({
        "modalite": names or [f"Site {k + 1}" for k in range(len(values))], "valeur": values,
        "effectif": [3 if v is not None else None for v in values], "statut": statuses,
        "cible": [target] * len(values), "unite": unit, "decimales": 0 if unit == "nombre" else 1})


def value_layers(spec: dict) -> list[dict]:
    """The layers drawing `valeur` on y."""
    return [layer for layer in spec["layer"] if layer["encoding"].get("y", {}).get("field") == "valeur"]


def point_encoding(spec: dict) -> dict:
    return next(layer["encoding"] for layer in spec["layer"] if layer["mark"]["type"] == "point")


def test_a_count_axis_has_whole_numbers_only():
    # 0 to 3 events a month: Vega would label 0,0 · 0,5 · … · 3,0; a count's ticks are 1 apart at least.
    spec = trend_chart(series([0, 1, 3, 2], ["suivi"] * 4, unit="nombre", decimals=0), "SEC-01", "").to_dict()
    axis = value_layers(spec)[0]["encoding"]["y"]["axis"]
    assert axis["tickMinStep"] == 1 and axis["format"] == ",d"
    bars = charts.breakdown_chart(sites([3, 2, 1], ["suivi"] * 3, unit="nombre"), "Site", "Par site").to_dict()
    assert bars["layer"][0]["encoding"]["x"]["axis"]["tickMinStep"] == 1


def test_a_share_trend_is_fitted_to_its_values_and_target():
    # 100 → 92 % against a target of 95 %: drawn values and target span 92–100, padded by a tenth
    # of 8 points (under a point: 1 point) → 91–101, kept within 0–100 → 91–100 (not 0–100).
    values = [100.0, 98.0, 96.0, 94.0, 92.0]
    statuses = ["atteint", "atteint", "atteint", "non atteint", "non atteint"]
    spec = trend_chart(series(values, statuses, target=95.0), "REC-03", "").to_dict()
    y = value_layers(spec)[0]["encoding"]["y"]
    assert y["scale"]["domain"] == [91, 100] and y["scale"]["zero"] is False
    low, high = y["scale"]["domain"]
    assert 0 <= low <= 92 and high == 100 and low <= 95 <= high  # every value and the target in view
    assert "%" in y["axis"]["labelExpr"]  # « 95 % » on each tick
    # 40–60 % with nothing else drawn: padded by 2 points each side.
    assert share_domain([40.0, 60.0, None]) == [38, 62]


def test_a_legend_lists_only_the_statuses_shown_with_their_colours_and_shapes():
    # A missing value draws no point: « pas de données » is not in the legend.
    spec = trend_chart(series([96.0, 90.0, None], ["atteint", "non atteint", "pas de données"], target=95.0),
                       "REC-03", "").to_dict()
    encoding = point_encoding(spec)
    assert encoding["color"]["scale"] == {"domain": ["atteint", "non atteint"],
                                          "range": [STATUS_COLOUR["atteint"], STATUS_COLOUR["non atteint"]]}
    assert encoding["shape"]["scale"] == {"domain": ["atteint", "non atteint"], "range": ["circle", "cross"]}


def test_breakdown_bars_say_their_status_by_symbol_and_word():
    # Two greys told apart: a bar with « ◌ » for too few answers, no bar and « – pas de données ».
    rows = sites([96.0, 50.0, None], ["atteint", "effectif insuffisant", "pas de données"], target=95.0)
    spec = charts.breakdown_chart(rows, "Site", "Par site").to_dict()
    bars, labels = spec["layer"][:2]
    assert bars["encoding"]["color"]["scale"]["domain"] == ["✔ atteint", "◌ effectif insuffisant"]
    assert "Statut" in [tip["title"] for tip in bars["encoding"]["tooltip"]]
    shown = {row["modalite"]: row for row in spec["datasets"][spec["data"]["name"]]}
    assert shown["Site 1"]["etiquette"] == "✔ 96,0\u00a0% (n = 3)"
    assert shown["Site 2"]["etiquette"].startswith("◌ 50,0")
    assert shown["Site 3"]["etiquette"] == "– pas de données"
    # No label across the target rule at 95: Site 2 (50 %) is labelled from 95, Site 1 from its end (96).
    assert labels["encoding"]["x"]["field"] == "position_etiquette"
    assert [shown[name]["position_etiquette"] for name in ("Site 1", "Site 2", "Site 3")] == [96.0, 95.0, 95.0]


def test_a_column_just_short_of_the_target_is_labelled_above_the_rule():
    # Target 4 on a 300 px plot whose highest column is 5: a label (2 × 16 px with its margin) needs
    # 32 / 300 × 5 ≈ 0,53 of a unit; the column at 3,9 would write across the rule, its label goes at 4;
    # the column at 1 keeps its label on its top, the one at 5 (past the target) too.
    columns = pd.DataFrame({"mois": ["m1", "m2", "m3"], "nombre": [1.0, 3.9, 5.0], "etiquette": ["1", "3,9", "5"]})
    spec = charts.column_bars(columns, "mois", "nombre", "etiquette", title="t", subtitle="s", value_title="nombre",
                              target=4.0).to_dict()
    text = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "text"
                and layer["encoding"]["y"]["field"] == "position_etiquette")
    assert [row["position_etiquette"] for row in spec["datasets"][text["data"]["name"]]] == [1.0, 4.0, 5.0]


def test_interval_labels_stand_in_a_column_past_100_percent_never_across_the_target():
    # A share of 66,7 % whose interval reaches 80 %, target 85 %: written after its interval the label
    # « 66,7 % (n = 27) » would cross the rule at 85. In a column starting at 100 % it cannot; the long
    # axis title goes on lines of at most 40 characters (a narrow chart cut it).
    rows = pd.DataFrame({"question": ["Suivi"], "pourcentage": [66.7], "ic_bas": [48.0], "ic_haut": [80.0],
                         "etiquette": ["66,7 % (n = 27)"], "intervalle": ["48–80 %"]})
    title = "% de satisfaits (point) et intervalle de confiance à 95 % (trait)"
    spec = charts.interval_chart(rows, "question", title="t", subtitle="s", value_title=title,
                                 targets=[(85.0, "cible ≥ 85 %")]).to_dict()
    labels = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "text"
                  and layer["encoding"].get("text", {}).get("field") == "etiquette")
    assert labels["encoding"]["x"] == {"datum": 100} and labels["mark"]["align"] == "left"
    axis_title = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"
                      and layer["encoding"]["x"].get("field") == "ic_bas")["encoding"]["x"]["axis"]["title"]
    assert axis_title == ["% de satisfaits (point) et intervalle de", "confiance à 95 % (trait)"]


def test_an_axis_names_at_most_twelve_periods_or_ticks():
    # 40 months: every 4th (40 / 12 rounded up) counted back from the last: months 4, 8, … 40 → 10 labels.
    labels = [f"m{k}" for k in range(1, 41)]
    assert thinned(labels) == [f"m{k}" for k in range(4, 41, 4)]
    assert thinned(labels[:12]) == labels[:12]  # 12 fit: all named
    trend = trend_chart(series([90.0] * 40, ["suivi"] * 40), "REC-03", "").to_dict()
    x_axis = value_layers(trend)[0]["encoding"]["x"]["axis"]
    assert len(x_axis["values"]) <= MAX_LABELS and x_axis["values"][-1] == "06/2026"
    # A breakdown of 40 sites: its value axis asks for 8 ticks (Vega's default, one per 40 px, drew 31–46).
    rows = sites([float(k) for k in range(40)], ["suivi"] * 40, unit="nombre")
    bars = charts.breakdown_chart(rows, "Site", "Par site").to_dict()["layer"][0]
    assert bars["encoding"]["x"]["axis"]["tickCount"] <= MAX_LABELS
    months = pd.DataFrame({"mois": labels, "nombre": list(range(40)), "etiquette": [str(k) for k in range(40)]})
    columns = charts.column_bars(months, "mois", "nombre", "etiquette", title="t", subtitle="s",
                                 value_title="nombre").to_dict()["layer"][0]
    assert len(columns["encoding"]["x"]["axis"]["values"]) <= MAX_LABELS
    assert columns["encoding"]["y"]["axis"]["tickMinStep"] == 1  # an integer column is a count


def shapes(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg))


def test_a_sparkline_keeps_its_gaps_its_target_and_its_last_point():
    # (1, None, 3) with target 2, on 180 × 44 px with 5 px of padding: x = 5, 90, 175; y runs from
    # 39 (the lowest, 1) up to 5 (the highest, 3), so the target 2 is at y = 22.
    drawn = shapes(sparkline_svg((1.0, None, 3.0), "non atteint", target=2.0))
    assert not [e for e in drawn if e.tag == SVG + "polyline"]  # nothing joins 1 and 3 across the gap
    target = next(e for e in drawn if e.tag == SVG + "line")
    assert target.get("stroke-dasharray") and target.get("y1") == target.get("y2") == "22.0"
    dots = [(e.get("cx"), e.get("cy"), e.get("r")) for e in drawn if e.tag == SVG + "circle"]
    assert dots == [("5.0", "39.0", "2"), ("175.0", "5.0", "2"), ("175.0", "5.0", "3.5")]  # the last one larger
    assert {e.get("fill") for e in drawn if e.tag == SVG + "circle"} == {STATUS_COLOUR["non atteint"]}
    # (1, 2, None, 3): one segment, then the lone 3 as a dot.
    segments = [e for e in shapes(sparkline_svg((1.0, 2.0, None, 3.0), "suivi")) if e.tag == SVG + "polyline"]
    assert len(segments) == 1 and len(segments[0].get("points").split()) == 2


def test_a_sparkline_shades_the_alert_band_and_marks_no_missing_last_value():
    # Target 95, threshold 90 over values 88–96: the band is the rectangle between their heights.
    drawn = shapes(sparkline_svg((88.0, 96.0, None), "à surveiller", target=95.0, threshold=90.0))
    band = next(e for e in drawn if e.tag == SVG + "rect")
    assert float(band.get("height")) > 0
    assert not [e for e in drawn if e.tag == SVG + "circle" and e.get("r") == "3.5"]  # the latest value is a gap
