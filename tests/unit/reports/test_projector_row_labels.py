"""Long row labels on the projector (issue 19): a satisfaction question, an action's title, a site's
long name are wrapped onto several lines, never cut with « … », in rows tall enough to hold their
lines; the screen's and the pack's specs keep their one-line labels.

The projected spec is drawn to SVG by vl-convert (the pack's renderer) at the width a chart has at
1280×720, and its text read: what Vega cuts ends in « … » there, whatever the font.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from pilotage_qualite.model.status import status_label
from pilotage_qualite.reports.chart_specs import PROJECTOR_LABEL_CHARS, label_lines, projector_spec
from pilotage_qualite.ui import charts

vl_convert = pytest.importorskip("vl_convert")

SVG = "{http://www.w3.org/2000/svg}"
SCREEN_WIDTH = 1240  # a chart's width at 1280×720 on the projector (the page's margins taken off)
QUESTIONS = ["Satisfaction globale",
             "Êtes-vous satisfait de la présence des médiateurs dans votre quartier ?",
             "Êtes-vous satisfait de l'orientation vers le bon interlocuteur dans les délais annoncés lors du "
             "premier contact avec le service ?"]
SHARES = pd.DataFrame({"question": [q for q in QUESTIONS for _ in range(2)], "public": ["Habitants", "Partenaires"] * 3,
                       "pourcentage": [76.9, 80.0, 90.0, 60.0, 50.0, 70.0], "ic_bas": [60.0, 55.0, 75.0, 40.0, 30.0, 50.0],
                       "ic_haut": [88.0, 93.0, 97.0, 78.0, 70.0, 85.0], "etiquette": ["76,9 % (n = 26)"] * 6,
                       "intervalle": ["60,0 % – 88,0 %"] * 6})
SITES = ["Maison de la médiation sociale du quartier des Minguettes", "Nord"]
TITLES = ["PA-2026-015 · Mettre en place un suivi hebdomadaire des réclamations ouvertes",
          "PA-2026-027 · Revue mensuelle du plan d'amélioration avec les coordinateurs de site"]

# Every chart with a row per category, as its page draws it, with labels too long for one line.
ROW_CHARTS = {
    "intervalles": lambda: charts.interval_chart(
        SHARES, "question", title="Satisfaction par question", subtitle="octobre 2026", value_title="% satisfaits",
        group="public", group_domain=["Habitants", "Partenaires"], targets=[(85.0, "cible ≥ 85 %")]),
    "intervalles sans groupe": lambda: charts.interval_chart(
        SHARES[SHARES["public"] == "Habitants"], "question", title="Satisfaction", subtitle="octobre 2026",
        value_title="% satisfaits"),
    "répartition": lambda: charts.breakdown_chart(pd.DataFrame({
        "modalite": SITES, "valeur": [96.0, 80.0], "effectif": [30, 12], "statut": ["atteint", "non atteint"],
        "cible": [95.0, 95.0], "unite": "%", "decimales": 1}), "Site", "Par site"),
    "barres": lambda: charts.category_bars(pd.DataFrame({"site": SITES, "heures": [12, 30],
                                                         "etiquette": ["12 h", "30 h"]}),
                                           "site", "heures", "etiquette", title="Heures", subtitle="2026",
                                           value_title="heures"),
    "carte": lambda: charts.heatmap(pd.DataFrame({
        "mois": ["janv.", "févr."] * 2, "site": [SITES[0]] * 2 + [SITES[1]] * 2,
        "statut": [status_label(s) for s in ("atteint", "non atteint", "atteint", "atteint")],
        "texte": ["96 %", "80 %", "97 %", "95 %"]}), "mois", "site", "statut", "texte", title="Par site",
        subtitle="2026", colour_title="Statut", colour_domain=[status_label(s) for s in ("atteint", "non atteint")],
        colour_range=["#1b7837", "#b2182b"]),
    "chronologie": lambda: charts.timeline_chart(pd.DataFrame({
        "action": TITLES, "origine": ["réclamation", "revue de direction"],
        "date_ouverture": ["2026-01-05", "2026-03-01"], "fin_barre": ["2026-04-01", "2026-06-30"],
        "echeance": ["2026-03-31", "2026-05-31"], "ouverture_fr": ["05/01/2026", "01/03/2026"],
        "echeance_fr": ["31/03/2026", "31/05/2026"], "realisation_fr": ["01/04/2026", ""],
        "situation": ["réalisée en retard", "en retard"]}), title="Actions", subtitle="2026",
        reference_day=dt.date(2026, 6, 30), colour_domain=["réalisée en retard", "en retard"],
        colour_range=["#E69F00", "#D55E00"]),
}
LABELS = {"intervalles": QUESTIONS, "intervalles sans groupe": QUESTIONS, "répartition": SITES, "barres": SITES,
          "carte": SITES, "chronologie": TITLES}


def drawn(spec: dict) -> ET.Element:
    """The chart as Vega draws it at the projector's width (its `fit-x` autosize kept)."""
    return ET.fromstring(vl_convert.vegalite_to_svg({**spec, "width": SCREEN_WIDTH}))


def lines_drawn(svg: ET.Element) -> list[list[str]]:
    """Each text of the drawing as its lines (a multi-line text is one ``tspan`` a line)."""
    texts = []
    for text in svg.iter(f"{SVG}text"):
        spans = text.findall(f"{SVG}tspan")
        texts.append([span.text or "" for span in spans] if spans else [text.text or ""])
    return texts


def y_offset(text: ET.Element) -> float:
    return float(re.search(r"translate\(([-\d.]+),\s*([-\d.]+)\)", text.get("transform", "")).group(2))


@pytest.mark.parametrize("kind", ROW_CHARTS)
def test_long_row_labels_are_wrapped_whole_on_the_projector(kind):
    projected = projector_spec(ROW_CHARTS[kind]().to_dict())
    svg = drawn(projected)
    texts = lines_drawn(svg)
    cut = [lines for lines in texts if any("…" in line for line in lines)]
    assert not cut, f"libellés coupés au projecteur : {cut}"
    for label in LABELS[kind]:
        expected = label_lines(label)
        assert expected in texts, (label, texts)  # whole, on the lines WRAPPED_LABEL gives
        assert " ".join(expected) == label and all(len(line) <= PROJECTOR_LABEL_CHARS for line in expected[:-1])
    assert any(len(lines) > 1 for lines in texts)  # the long ones on several lines
    # The drawing stays as wide as the screen: the plot gave the labels their room.
    assert float(svg.get("width")) <= SCREEN_WIDTH + 1


def test_the_rows_hold_their_wrapped_labels_without_overlap():
    projected = projector_spec(ROW_CHARTS["intervalles"]().to_dict())
    line = next(unit["encoding"]["y"]["axis"]["labelLineHeight"] for unit in projected["layer"]
                if "axis" in unit.get("encoding", {}).get("y", {}))
    labels = sorted((y_offset(text), len(lines)) for text, lines in
                    ((text, lines_drawn(text)[0]) for text in drawn(projected).iter(f"{SVG}text"))
                    if " ".join(lines) in QUESTIONS)
    assert [count for _, count in labels] == [len(label_lines(q)) for q in QUESTIONS]
    # Each label's block ends a line's height at least before the next one starts.
    for (top, count), (next_top, _) in zip(labels, labels[1:]):
        assert top + count * line <= next_top, (labels, line)


@pytest.mark.parametrize("kind", ROW_CHARTS)
def test_the_screen_and_the_pack_keep_their_one_line_labels(kind):
    normal = ROW_CHARTS[kind]().to_dict()
    before = ROW_CHARTS[kind]().to_dict()
    projector_spec(normal)
    assert normal == before
    axes = [unit.get("encoding", {}).get("y", {}).get("axis") or {} for unit in [normal, *normal.get("layer", [])]]
    assert not any("labelExpr" in axis or axis.get("labelLimit") == 0 for axis in axes)
