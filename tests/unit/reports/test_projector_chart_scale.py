"""Charts on the projector: the same specs with every text at least 24 px (the issue: « text never
below 24 px outside the overview »), rows grown with their labels, at most about 12 labelled ticks,
and the screen's and the pack's specs untouched (AppTest draws no chart: the spec is what is checked)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pilotage_qualite.model.events import Event
from pilotage_qualite.model.periods import periods_ending
from pilotage_qualite.model.status import status_label
from pilotage_qualite.reports import data_admin
from pilotage_qualite.reports.chart_specs import (
    CELL_LABEL_STYLE,
    FONT_SIZE,
    MAX_LABELS,
    PROJECTOR_MIN_FONT,
    PROJECTOR_SCALE,
    SYMBOL_GAP,
    projector_font,
    projector_spec,
    trend_chart,
)
from pilotage_qualite.ui import charts

MONTHS = periods_ending("2026-06", 40)
TREND = pd.DataFrame({
    "periode_fr": [f"{p.debut:%m/%Y}" for p in MONTHS], "debut": [p.debut for p in MONTHS],
    "fin": [p.fin for p in MONTHS], "valeur": [80.0 + k % 7 for k in range(40)], "effectif": [40] * 40,
    "statut": ["atteint", "non atteint"] * 20, "cible": [85.0] * 40, "seuil": [75.0] * 40,
    "limite_basse": [70.0] * 40, "limite_haute": [95.0] * 40, "unite": "%", "decimales": 1})
WRITTEN = dt.datetime(2026, 7, 1, 9, 0)
EVENTS = [Event(1, dt.date(2026, 3, 16), "Changement de logiciel", True, "qualité (local)", WRITTEN, dataset="reclamations"),
          Event(2, dt.date(2026, 4, 2), "Nouvelle procédure d'accueil", False, "A. Martin", WRITTEN, indicator="REC-03"),
          Event(3, dt.date(2026, 5, 2), "Audit", False, "A. Martin", WRITTEN, indicator="REC-03")]
SITES = pd.DataFrame({"modalite": ["Nord", "Sud", "Est"], "valeur": [96.0, 50.0, None], "effectif": [30, 3, None],
                      "statut": ["atteint", "effectif insuffisant", "pas de données"], "cible": [95.0] * 3,
                      "unite": "%", "decimales": 1})
BARS = pd.DataFrame({"site": ["Nord", "Sud"], "heures": [12, 30], "etiquette": ["12 h", "30 h"],
                     "groupe": ["site choisi", "autre site"]})
COLUMNS = pd.DataFrame({"mois": [f"m{k}" for k in range(1, 41)], "nombre": list(range(40)),
                        "etiquette": [str(k) for k in range(40)]})
SHARES = pd.DataFrame({"site": ["Nord", "Nord", "Sud", "Sud"], "public": ["bénéficiaires", "partenaires"] * 2,
                       "pourcentage": [76.9, 80.0, 90.0, 60.0], "ic_bas": [60.0, 55.0, 75.0, 40.0],
                       "ic_haut": [88.0, 93.0, 97.0, 78.0], "etiquette": ["76,9 % (n = 26)"] * 4,
                       "intervalle": ["60–88 %"] * 4})
CELLS = pd.DataFrame({"mois": ["janv.", "févr.", "janv.", "févr."], "site": ["Nord", "Nord", "Sud", "Sud"],
                      "statut": [status_label(s) for s in ("atteint", "non atteint", "atteint", "pas de données")],
                      "texte": ["96 %", "80 %", "97 %", "–"]})
ACTIONS = pd.DataFrame({"action": ["Former l'accueil", "Revoir la procédure"], "origine": ["audit", "réclamation"],
                        "date_ouverture": ["2026-01-05", "2026-03-01"], "fin_barre": ["2026-04-01", "2026-06-30"],
                        "echeance": ["2026-03-31", "2026-05-31"], "ouverture_fr": ["05/01/2026", "01/03/2026"],
                        "echeance_fr": ["31/03/2026", "31/05/2026"], "realisation_fr": ["01/04/2026", ""],
                        "situation": ["réalisée en retard", "en retard"]})
GRID = data_admin.freshness_grid(pd.DataFrame({"site": ["Nord", "Sud"], "mois": [dt.date(2026, 1, 1), dt.date(2026, 5, 1)],
                                               "lignes": [4, 7]}), dt.date(2026, 6, 30))

# Every kind of chart the screen shows, as charts.show builds it.
CHARTS = {
    "tendance": lambda: trend_chart(TREND, "REC-03", "40 périodes", EVENTS),
    "tendance à l'écran": lambda: charts.screen_trend_chart(TREND, "REC-03 — Ensemble", "40 mois", events=EVENTS),
    "répartition": lambda: charts.breakdown_chart(SITES, "Site", "Par site"),
    "barres": lambda: charts.category_bars(BARS, "site", "heures", "etiquette", title="Heures", subtitle="2026",
                                           value_title="heures", colour="groupe", target=20.0, target_label="cible"),
    "colonnes": lambda: charts.column_bars(COLUMNS, "mois", "nombre", "etiquette", title="Par mois", subtitle="40 mois",
                                           value_title="nombre", target=20.0),
    "intervalles": lambda: charts.interval_chart(SHARES, "site", title="Satisfaction", subtitle="2026",
                                                 value_title="% satisfaits", group="public",
                                                 targets=[(80.0, "cible 80 %"), (70.0, "cible 70 %")]),
    "carte": lambda: charts.heatmap(CELLS, "mois", "site", "statut", "texte", title="Par site", subtitle="2026",
                                    colour_title="Statut",
                                    colour_domain=[status_label(s) for s in ("atteint", "non atteint", "pas de données")],
                                    colour_range=["#1b7837", "#b2182b", "#999999"],
                                    light=(status_label("pas de données"),)),
    "chronologie": lambda: charts.timeline_chart(ACTIONS, title="Actions", subtitle="2026",
                                                 reference_day=dt.date(2026, 6, 30),
                                                 colour_domain=["réalisée en retard", "en retard"],
                                                 colour_range=["#E69F00", "#D55E00"]),
    "fraîcheur": lambda: data_admin.freshness_chart(GRID, "Activité : lignes par mois et par site"),
}
FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize")


def font_sizes(part: object, where: str = "") -> list[tuple[str, float]]:
    """(where, size) of every font size set anywhere in a spec but its data."""
    found = []
    if isinstance(part, dict):
        for key, value in part.items():
            if key == "datasets":
                continue
            if key in FONT_KEYS and isinstance(value, (int, float)):
                found.append((f"{where}.{key}", value))
            else:
                found += font_sizes(value, f"{where}.{key}")
    elif isinstance(part, list):
        for k, item in enumerate(part):
            found += font_sizes(item, f"{where}[{k}]")
    return found


def units(spec: dict) -> list[dict]:
    return [spec, *(unit for layer in spec.get("layer", ()) for unit in units(layer))]


@pytest.mark.parametrize("kind", CHARTS)
def test_every_text_of_a_projected_chart_is_at_least_24_px(kind):
    spec = projector_spec(CHARTS[kind]().to_dict())
    small = [(where, size) for where, size in font_sizes(spec) if size < PROJECTOR_MIN_FONT]
    assert not small, small
    # Text Vega-Lite sizes itself (an axis, a legend, a title, a mark without a size) is set by the config.
    config = spec["config"]
    for part, keys in {"axis": ("labelFontSize", "titleFontSize"), "legend": ("labelFontSize", "titleFontSize"),
                       "title": ("fontSize", "subtitleFontSize"), "text": ("fontSize",)}.items():
        assert all(config[part][key] >= PROJECTOR_MIN_FONT for key in keys), (part, config[part])
    # The chart's title stays above its subtitle and the axes' labels (as on the screen).
    assert config["title"]["fontSize"] >= config["title"]["subtitleFontSize"]


@pytest.mark.parametrize("kind", CHARTS)
def test_the_screen_spec_is_untouched(kind):
    normal = CHARTS[kind]().to_dict()
    before = CHARTS[kind]().to_dict()
    projected = projector_spec(normal)
    assert normal == before  # a new dict: the screen's (cached) spec and the pack's keep their sizes
    assert projected["datasets"] == normal["datasets"]  # the data as it was, not copied out of shape
    if kind != "fraîcheur":  # the pack's and the screen's type, as before the projector
        assert normal["config"]["axis"]["labelFontSize"] == FONT_SIZE


@pytest.mark.parametrize("kind", CHARTS)
def test_rows_grow_with_their_labels_and_axes_keep_at_most_twelve_labels(kind):
    normal = CHARTS[kind]().to_dict()
    projected = projector_spec(normal)
    rows = any(unit.get("encoding", {}).get("y", {}).get("type") == "nominal" for unit in units(normal))
    if "height" in normal:
        assert projected["height"] == (round(normal["height"] * PROJECTOR_SCALE) if rows else normal["height"])
    for unit in units(projected):
        for channel in unit.get("encoding", {}).values():
            values = channel.get("axis", {}).get("values") if isinstance(channel, dict) and channel.get("axis") else None
            assert values is None or len(values) <= MAX_LABELS
            tick_count = channel.get("axis", {}).get("tickCount") if isinstance(channel, dict) and channel.get("axis") else None
            assert not isinstance(tick_count, int) or tick_count <= MAX_LABELS


def test_event_labels_and_target_labels_keep_their_lines_apart():
    # Staggered event labels: each line as far below the last as its grown type is high.
    spec = projector_spec(CHARTS["tendance"]().to_dict())
    inks = [unit["mark"] for unit in units(spec) if isinstance(unit.get("mark"), dict)
            and unit["mark"].get("type") == "text" and unit["mark"].get("color") == "#111111"]
    offsets = sorted({mark["dy"] for mark in inks})
    assert len(offsets) == 3 and all(b - a >= inks[0]["fontSize"] for a, b in zip(offsets, offsets[1:]))
    # Two targets on an interval chart: their labels one line of grown type apart.
    spec = projector_spec(CHARTS["intervalles"]().to_dict())
    rows = sorted(unit["encoding"]["y"]["value"] for unit in units(spec)
                  if unit.get("encoding", {}).get("y", {}).get("value") is not None)
    size = next(unit["mark"]["fontSize"] for unit in units(spec) if isinstance(unit.get("mark"), dict)
                and unit["mark"].get("fontWeight") == "bold" and unit["mark"].get("type") == "text")
    assert rows[1] - rows[0] >= size


def test_projector_type_sizes():
    assert projector_font(FONT_SIZE) == 24 and projector_font(FONT_SIZE + 4) == 30 and projector_font(13) == 24


def test_a_heatmap_cell_puts_its_symbol_over_its_value():
    # A 12-month row at 1280 px leaves about 90 px a cell on the projector and about 50 px beside the
    # sidebar: « ✔ 96,3 % » at 24 px, or at 14 px, does not fit on one line.
    normal = CHARTS["carte"]().to_dict()
    labels = next(unit for unit in units(normal) if isinstance(unit.get("mark"), dict)
                  and unit["mark"].get("style") == CELL_LABEL_STYLE)
    shown = [row["texte"] for row in normal["datasets"][normal["data"]["name"]]]
    assert status_label("atteint").split()[0] + SYMBOL_GAP + "96 %" in shown and labels["mark"]["type"] == "text"
    on_screen = normal["config"]["style"][CELL_LABEL_STYLE]
    assert on_screen["lineBreak"] == SYMBOL_GAP and on_screen["lineHeight"] == FONT_SIZE and on_screen["dy"] < 0
    style = projector_spec(normal)["config"]["style"][CELL_LABEL_STYLE]
    assert style["lineBreak"] == SYMBOL_GAP and style["lineHeight"] >= PROJECTOR_MIN_FONT and style["dy"] < 0
