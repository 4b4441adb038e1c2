"""The trend chart's Vega-Lite spec with events: a vertical rule at the period holding each event's
day, solid for a process change and dotted for any other, with a short label (AppTest draws no
chart: the spec is what is checked)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pilotage_qualite.model.events import Event
from pilotage_qualite.model.periods import periods_ending
from pilotage_qualite.reports.chart_specs import EVENT_LABEL_CHARS, event_marks, trend_chart

MONTHS = periods_ending("2026-06", 12)  # July 2025 … June 2026
ROWS = pd.DataFrame({
    "periode_fr": [f"{p.debut:%m/%Y}" for p in MONTHS], "debut": [p.debut for p in MONTHS],
    "fin": [p.fin for p in MONTHS], "valeur": [80.0 + k for k in range(12)], "effectif": [40] * 12,
    "statut": ["atteint"] * 12, "cible": [85.0] * 12, "seuil": [75.0] * 12,
    "limite_basse": [70.0] * 12, "limite_haute": [95.0] * 12, "unite": "%", "decimales": 1})
WRITTEN = dt.datetime(2026, 7, 1, 9, 0)
SOFTWARE = Event(1, dt.date(2026, 3, 16), "Changement de logiciel de suivi des réclamations", True, "qualité (local)",
                 WRITTEN, dataset="reclamations")
DESK = Event(2, dt.date(2025, 9, 1), "Nouvelle procédure d'accueil", False, "A. Martin", WRITTEN, indicator="REC-03")
TOO_OLD = Event(3, dt.date(2025, 6, 30), "Avant la courbe", True, "A. Martin", WRITTEN, indicator="REC-03")


def layers_of(spec: dict) -> list[tuple[dict, list[dict]]]:
    """(mark, data rows) of each layer of a spec."""
    return [(layer["mark"], spec["datasets"][layer.get("data", spec.get("data"))["name"]]) for layer in spec["layer"]]


def test_without_events_the_chart_is_unchanged():
    marks = [mark["type"] for mark, _ in layers_of(trend_chart(ROWS, "REC-03", "12 périodes").to_dict())]
    assert marks == ["area", "line", "line", "line", "line", "point"]  # band, target, two limits, value, points


def test_a_rule_and_a_label_at_the_period_holding_each_event():
    # 16 March 2026 is in the period 03/2026 (9th of 12: last third, label left of the rule);
    # 1 September 2025 in 09/2025 (3rd). 30 June 2025 is before the chart's first period: left out.
    spec = trend_chart(ROWS, "REC-03", "12 périodes", events=[SOFTWARE, DESK, TOO_OLD]).to_dict()
    layers = layers_of(spec)
    rules = [(mark, data) for mark, data in layers if mark["type"] == "rule"]
    solid, dotted = rules
    assert [row["periode_fr"] for row in solid[1]] == ["03/2026"] and "strokeDash" not in solid[0]
    assert [row["periode_fr"] for row in dotted[1]] == ["09/2025"] and dotted[0]["strokeDash"] == [2, 4]
    assert solid[0]["color"] == dotted[0]["color"] == "#111111"  # black: readable in black and white
    texts = [(mark, data) for mark, data in layers if mark["type"] == "text" and mark["color"] == "#111111"]
    by_text = {data[0]["texte"]: mark for mark, data in texts}
    # The long label is cut to 26 characters (25 and « … »); a process change's label is bold.
    assert by_text == {"Changement de logiciel de…": by_text["Changement de logiciel de…"],
                       "Nouvelle procédure d'accueil"[:EVENT_LABEL_CHARS - 1] + "…": by_text[
                           "Nouvelle procédure d'accueil"[:EVENT_LABEL_CHARS - 1] + "…"]}
    software = by_text["Changement de logiciel de…"]
    assert software["fontWeight"] == "bold" and software["align"] == "right"
    # Labels sit inside the plot, from its top edge down (the title stays above it, untouched).
    assert all(mark["baseline"] == "top" and mark["dy"] > 0 for mark, _ in texts)
    assert spec["title"]["text"] == "REC-03"


def test_events_in_one_period_share_a_mark_and_keep_their_details():
    second = Event(4, dt.date(2026, 3, 2), "Formation des agents", True, "A. Martin", WRITTEN, indicator="REC-03")
    marks = event_marks(ROWS, [SOFTWARE, second])
    assert list(marks["periode_fr"]) == ["03/2026"] and bool(marks["changement"].iloc[0])
    assert marks["texte"].iloc[0] == "Formation des agents (+1)"  # the first of the month, and how many more
    assert marks["detail"].iloc[0] == ("02/03/2026 : Formation des agents (changement de processus) ; "
                                       "16/03/2026 : Changement de logiciel de suivi des réclamations "
                                       "(changement de processus)")
