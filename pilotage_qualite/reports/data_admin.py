"""What the Import and Données pages show about the data (pure pandas / Altair, no Streamlit):
the journal as a French table, the messages that say what a write did, data freshness with
its gaps, and Excel downloads whose cells can never run as formulas.
"""

from __future__ import annotations

import datetime as dt
import json

import altair as alt
import pandas as pd

from pilotage_qualite.common import formats
from pilotage_qualite.common.months import month_fr, short_month_fr
from pilotage_qualite.model.batch import ImportCounts
from pilotage_qualite.model.datasets import Dataset
from pilotage_qualite.model.periods import add_months
from pilotage_qualite.reports.chart_specs import FIT_WIDTH
from pilotage_qualite.reports.import_report import changes_text, journal_counts
from pilotage_qualite.store.database import APPLIED

FRESHNESS_MONTHS = 12
NO_SITE = "(sans site)"


# --- messages ------------------------------------------------------------------------------


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{formats.number(count)} {word if count in (0, 1) else (plural_word or word + 's')}"


def import_done_message(import_id: int, file_name: str, counts: ImportCounts) -> str:
    text = f"« {file_name} » importé (import n° {import_id}) : {changes_text(counts)}"
    if counts.rejected:
        text += " — voir les rejets dans la page Données"
    return text + "."


def already_imported_message(file_name: str, counts: ImportCounts) -> str:
    return (f"« {file_name} » a déjà été importé à l'identique (import n° {counts.already_imported_as}) : "
            "rien n'est ajouté.")


def undo_question(preview: dict, file_name: str) -> str:
    """``file_name`` as it should appear (escaped by the caller for Markdown)."""
    removed, revived = preview["lignes_retirees"], preview["lignes_retablies"]
    back = ("aucune ligne n'est à rétablir" if not revived else
            plural(revived, "ligne qu'il avait remplacée sera rétablie", "lignes qu'il avait remplacées seront rétablies"))
    return (f"L'import n° {preview['id']} (« {file_name} », jeu {preview['jeu']}) sera annulé : "
            f"{plural(removed, 'ligne quittera', 'lignes quitteront')} les données et {back}. "
            "Les indicateurs seront recalculés. Le journal garde la trace de l'import et de son annulation.")


def undo_done_message(import_id: int, preview: dict) -> str:
    return (f"Import n° {import_id} annulé : {plural(preview['lignes_retirees'], 'ligne retirée', 'lignes retirées')} "
            f"des données, {plural(preview['lignes_retablies'], 'ligne rétablie', 'lignes rétablies')}.")


# --- journal ----------------------------------------------------------------------------------


def _columns_list(text: object) -> str:
    if not isinstance(text, str) or not text:
        return ""
    try:
        return ", ".join(json.loads(text))
    except ValueError:
        return text


def journal_table(journal: pd.DataFrame, datasets: dict[str, Dataset]) -> pd.DataFrame:
    """The import journal, newest first, with French headings."""
    if journal.empty:
        return pd.DataFrame()
    rows = journal.sort_values("id", ascending=False)
    return pd.DataFrame({  # what a reader looks for first (which import, did it hold) on the left
        "N°": rows["id"].astype(int),
        "Jeu": [datasets[j].label if j in datasets else j for j in rows["jeu"]],
        "État": [state if state == APPLIED else
                 f"{state} le {formats.datetime_fr(pd.Timestamp(when).to_pydatetime())} par {who}"
                 for state, when, who in zip(rows["etat"], rows["annule_le"], rows["annule_par"])],
        "Résultat": [changes_text(journal_counts(entry)) for _, entry in rows.iterrows()],
        "Date": [formats.datetime_fr(pd.Timestamp(d).to_pydatetime()) for d in rows["date"]],
        "Fichier": rows["fichier"],
        "Lues": rows["lignes_lues"].astype(int),
        "Par": rows["utilisateur"],
    }).reset_index(drop=True)


def import_facts(row: pd.Series) -> list[str]:
    """Details of one journal row: sheet, header row, ignored and personal columns."""
    facts = []
    if isinstance(row.get("feuille"), str):
        facts.append(f"feuille « {row['feuille']} », ligne d'en-tête {int(row['ligne_entete'])}")
    if ignored := _columns_list(row.get("colonnes_ignorees")):
        facts.append(f"colonnes ignorées : {ignored}")
    if personal := _columns_list(row.get("colonnes_personnelles")):
        facts.append(f"colonnes écartées (données personnelles) : {personal}")
    return facts


# --- freshness -----------------------------------------------------------------------------------


def _month_start(day) -> dt.date:
    day = pd.Timestamp(day).date()
    return day.replace(day=1)


def freshness(counts: dict[str, pd.DataFrame], datasets: dict[str, Dataset], reference: dt.date | None,
              months: int = FRESHNESS_MONTHS) -> pd.DataFrame:
    """Per dataset and site: first and last month with data and the months without any row among
    the last ``months`` months (up to the reference month, or the dataset's last month if later)."""
    rows = []
    for name, frame in counts.items():
        label = datasets[name].label
        if frame.empty:
            rows.append({"Jeu": label, "Site": "—", "Lignes": 0, "Première donnée": "—", "Dernière donnée": "—",
                         "Mois sans données": "aucune donnée"})
            continue
        end = max(_month_start(frame["mois"].max()), _month_start(reference) if reference else dt.date.min)
        window = [add_months(end, -k) for k in range(months - 1, -1, -1)]
        for site, part in frame.groupby(frame["site"].fillna(NO_SITE), sort=True):
            present = {_month_start(m) for m in part["mois"]}
            first = min(present)
            gaps = [month_fr(m) for m in window if m >= first and m not in present]
            rows.append({"Jeu": label, "Site": site, "Lignes": int(part["lignes"].sum()),
                         "Première donnée": month_fr(first),
                         "Dernière donnée": month_fr(max(present)),
                         "Mois sans données": ", ".join(gaps) if gaps else "aucun"})
    return pd.DataFrame(rows)


def freshness_grid(frame: pd.DataFrame, reference: dt.date | None, months: int = 36) -> pd.DataFrame:
    """One cell per site and month over the last ``months`` months: its rows (0 = none) and its state:
    « données », « aucune donnée » (a gap after the site's first month) or « avant » (not started)."""
    if frame.empty:
        return pd.DataFrame(columns=["site", "mois", "mois_fr", "lignes", "etat"])
    end = max(_month_start(frame["mois"].max()), _month_start(reference) if reference else dt.date.min)
    window = [add_months(end, -k) for k in range(months - 1, -1, -1)]
    sites = sorted(frame["site"].fillna(NO_SITE).unique())
    found = {(s if isinstance(s, str) else NO_SITE, _month_start(m)): int(n)
             for s, m, n in zip(frame["site"], frame["mois"], frame["lignes"])}
    first = {site: min(m for (s, m) in found if s == site) for site in sites}
    cells = []
    for site in sites:
        for month in window:
            n = found.get((site, month), 0)
            state = "données" if n else ("avant" if month < first[site] else "aucune donnée")
            cells.append({"site": site, "mois": month.isoformat(),
                          "mois_fr": short_month_fr(month),
                          "lignes": n, "etat": state})
    return pd.DataFrame(cells)


def freshness_chart(grid: pd.DataFrame, title: str) -> alt.TopLevelMixin:
    """Months × sites, coloured by rows; a month without rows after the site's first one is a
    pink cell marked « ∅ » (a gap, not a zero); months before it stay blank."""
    data = grid.assign(marque=["∅" if state == "aucune donnée" else "" for state in grid["etat"]],
                       lignes_texte=[formats.number(n) if n else "aucune donnée" for n in grid["lignes"]])
    months = list(dict.fromkeys(data["mois_fr"]))
    sites = list(dict.fromkeys(data["site"]))
    base = alt.Chart(data).encode(
        x=alt.X("mois_fr:N", sort=months, title=None, axis=alt.Axis(labelAngle=-45, labelFontSize=13)),
        y=alt.Y("site:N", sort=sites, title=None, axis=alt.Axis(labelFontSize=14, labelLimit=220)))
    cells = base.transform_filter("datum.etat != 'avant'").mark_rect(stroke="#ffffff", strokeWidth=2).encode(
        color=alt.condition("datum.lignes > 0",
                            alt.Color("lignes:Q", title="Lignes", scale=alt.Scale(scheme="blues"),
                                      legend=alt.Legend(orient="right")),
                            alt.value("#f4d6db")),
        tooltip=[alt.Tooltip("site:N", title="Site"), alt.Tooltip("mois_fr:N", title="Mois"),
                 alt.Tooltip("lignes_texte:N", title="Lignes")])
    marks = base.mark_text(fontSize=15, fontWeight="bold", color="#c0152f").encode(text="marque:N")
    return (alt.layer(cells, marks)
            .properties(title=alt.TitleParams(title, subtitle="case rose marquée ∅ : mois sans aucune ligne "
                                                              "(un trou, pas un zéro)", anchor="start"),
                        height=max(60, 46 * len(sites)), autosize=FIT_WIDTH)
            .configure_title(fontSize=18, subtitleFontSize=14)
            .configure_view(stroke=None))
