"""What the process pages share: cached aggregated views, empty states, header and tiles.

The views of `reports.process_queries` run in DuckDB and are cached per base version (as the
indicator results of `context`), so a repeat visit is served from cache and an import or an
undo is visible at the next page run. A page passes the view function itself.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import date
from typing import Callable

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from pilotage_qualite.common import formats
from pilotage_qualite.model import status
from pilotage_qualite.model.periods import Period
from pilotage_qualite.reports import exports, selections
from pilotage_qualite.reports.selections import Tile
from pilotage_qualite.ui import context, downloads, tables, tiles
from pilotage_qualite.ui.filters import Filters, projector_on

IMPORT_PAGE = "app_pages/donnees/importer.py"  # in the router's « Données » section
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ProcessView = Callable[..., pd.DataFrame]  # (conn, period[, site]) -> a small frame


@st.cache_data(show_spinner=False, max_entries=512)
def _view(name: str, _function: ProcessView, database: str, base_version: tuple, grain: str, debut: str,
          site: str | None) -> pd.DataFrame:
    """`name` (the function's qualified name) keys the cache; Streamlit hashes no `_` argument."""
    period = Period(grain, date.fromisoformat(debut))
    with context.store().connect() as conn:
        if "site" in inspect.signature(_function).parameters:
            return _function(conn, period, site)
        return _function(conn, period)


def view(function: ProcessView, period: Period, site: str | None = None, base_version: tuple | None = None) -> pd.DataFrame:
    """One aggregated view of `reports.process_queries` for the period (and site), from cache."""
    if "site" not in inspect.signature(function).parameters:
        site = None  # one cache entry for views that never depend on the site
    return _view(f"{function.__module__}.{function.__qualname__}", function, str(context.store().path),
                 base_version or context.version(), period.grain, period.debut.isoformat(), site)


# --- empty states -----------------------------------------------------------------------

def live_rows(dataset: str, summary: pd.DataFrame | None = None) -> int:
    summary = context.data_summary() if summary is None else summary
    found = summary.loc[summary["jeu"] == dataset, "lignes"]
    return int(found.iloc[0]) if len(found) else 0


@st.cache_data(show_spinner=False, max_entries=16)
def _template(dataset: str) -> bytes:
    from pilotage_qualite.intake.templates import template_bytes  # openpyxl: only for an empty dataset

    return template_bytes(context.store().datasets[dataset])


def import_page_link() -> bool:
    """A link to the import page; False (nothing drawn) if the router does not register it."""
    try:
        st.page_link(IMPORT_PAGE, label="Aller à la page Import", icon=":material/upload_file:")
        return True
    except StreamlitAPIException:
        return False


def empty_state(dataset: str) -> None:
    """A dataset never imported: say so, point to the import page and offer its template."""
    from pilotage_qualite.intake.templates import template_name  # openpyxl: only for an empty dataset

    declared = context.store().datasets[dataset]
    with st.container(border=True):
        st.info(f"Aucune donnée « {declared.label} » n'a encore été importée : les vues de ce jeu apparaîtront "
                "dès son premier import. Déposez le fichier exporté de votre outil sur la page Import, ou "
                "partez du modèle d'import de ce jeu (un classeur Excel avec ses colonnes et ses listes).",
                icon=":material/upload_file:")
        left, right = st.columns(2)
        with left:
            if not import_page_link():
                st.caption("Page Import : menu « Données ».")
        right.download_button(f"Modèle d'import « {declared.label} » (Excel)", data=_template(dataset),
                              file_name=template_name(declared), mime=XLSX, icon=":material/download:",
                              on_click="ignore", key=f"modele_{dataset}")


def missing_datasets(datasets: list[str]) -> list[str]:
    summary = context.data_summary()
    return [d for d in datasets if live_rows(d, summary) == 0]


# --- page frame ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ProcessPage:
    selection: Filters
    period: Period
    site: str | None
    tiles: tuple[Tile, ...]  # selections.tiles of the page's processes
    missing: tuple[str, ...]  # datasets never imported
    base_version: tuple  # read once per page run: the key of every cached view

    @property
    def where(self) -> str:
        return self.site or "Ensemble de la structure"

    @property
    def when(self) -> str:
        return self.period.label_fr

    def has(self, dataset: str) -> bool:
        return dataset not in self.missing

    def indicator(self, indicator_id: str) -> Tile | None:
        return next((tile for tile in self.tiles if tile.indicator == indicator_id), None)

    def target(self, indicator_id: str) -> float | None:
        tile = self.indicator(indicator_id)
        return None if tile is None else tile.target

    def threshold(self, indicator_id: str) -> float | None:
        tile = self.indicator(indicator_id)
        return None if tile is None else tile.threshold

    def targets_on(self, indicator_id: str, days: pd.Series) -> list[tuple[float | None, float | None]]:
        """(cible, seuil) in force on each day: a view over several months judges each month
        against its own target, as the engine does."""
        indicator = context.catalogue()[indicator_id]
        return [context.target_in_force(indicator, pd.Timestamp(day).date()) for day in days]

    def view(self, function: ProcessView) -> pd.DataFrame:
        return view(function, self.period, self.site, self.base_version)

    @property
    def as_of(self) -> str:
        """« au 31/10/2026 »: stocks are stated at the end of the period's last day (the queries'
        `fin`, the first day after it, at midnight), which is what a reader means by that date."""
        return f"au {formats.date_fr(self.period.last_day)}"


def start(title: str, processes: list[str], datasets: list[str], icon: str) -> ProcessPage:
    """Title, period and site, empty states, then the tiles of the page's processes.
    Stops the page when the base holds no dated row."""
    st.title(title, anchor=False)
    selection: Filters = st.session_state["filtres"]
    missing = tuple(missing_datasets(datasets))
    if selection.period is None:
        st.info("La base ne contient encore aucune donnée datée : importez vos tableurs (page Import) "
                "ou partez des modèles d'import ci-dessous.", icon=icon)
        for dataset in datasets:
            empty_state(dataset)
        st.stop()
    period = selection.period
    st.subheader(f"{period.label_fr} · {selection.site or 'Ensemble de la structure'}", anchor=False)
    for dataset in missing:
        empty_state(dataset)
    results = context.results(period)
    rows = [tile for tile in selections.tiles(results, period, selection.site, context.catalogue().ids)
            if tile.process in processes]
    page = ProcessPage(selection, period, selection.site, tuple(rows), missing, context.version())
    if rows:
        # Three per row: a process has few tiles, and four are cramped beside the sidebar at 1280 px.
        tiles.render_grid(rows, selection.query_params(), per_row=3)
    return page


def section(title: str) -> None:
    st.header(title, divider="gray", anchor=False)


def no_rows(page: ProcessPage, what: str) -> None:
    """The dataset has rows, but none for this view: say so (never a zero chart)."""
    st.info(f"Pas de données pour {what} en {page.when} ({page.where}).", icon=":material/info:")


def target_text(value: float | None, unit: str, direction: str = "hausse", decimals: int = 0) -> str | None:
    """A chart's target label (« cible ≥ 90 % »); None without a target."""
    return None if value is None else formats.target_text(value, direction, unit, decimals)


def count(value: int | float, singular: str, plural: str | None = None) -> str:
    """« 1 réclamation », « 12 réclamations », « 1 234 demandes »."""
    word = singular if abs(value) < 2 else (plural or singular + "s")
    return f"{formats.number(value)} {word}"


def share_labels(frame: pd.DataFrame, share: str = "pourcentage", total: str = "n") -> list[str]:
    """« 76,9 % (n = 26) » for each row."""
    return [f"{formats.with_unit(p, '%', 1)} (n = {formats.number(n)})" for p, n in zip(frame[share], frame[total])]


def interval_texts(frame: pd.DataFrame) -> list[str]:
    return [f"{formats.with_unit(lo, '%', 1)} – {formats.with_unit(hi, '%', 1)}" if not formats.is_missing(lo) else "–"
            for lo, hi in zip(frame["ic_bas"], frame["ic_haut"])]


LONG_TEXT = 60  # characters: beyond, a cell would be cut in an interactive table (see `wrap`)


def show_table(frame: pd.DataFrame, columns: dict[str, str], file_name: str = "tableau", *,
               complete: Callable[[], pd.DataFrame] | None = None, total_rows: int | None = None,
               wrap: bool = False) -> None:
    """A read-only table with French headers (`columns`: name → header): whole numbers stay
    numbers (sortable); dates become « 14/03/2025 » and empty cells stay empty (never « None »).
    Below it, the same columns to download (Excel, CSV), dates and numbers kept typed.
    ``frame`` may be the first rows of a longer table: ``complete`` then gives the whole table
    (called only when a download is asked for) and ``total_rows`` its length. ``wrap``: a table of
    texts read whole in a meeting (decisions): wrapped when a cell is longer than :data:`LONG_TEXT`."""
    if total_rows is not None and total_rows > len(frame):
        st.caption(f"Les {formats.number(len(frame))} premières lignes sur {formats.number(total_rows)} : "
                   "le fichier téléchargé les contient toutes.")
    shown = pd.DataFrame(index=frame.index)
    config = {}
    for name, header in columns.items():
        values = frame[name]
        if pd.api.types.is_integer_dtype(values):
            shown[header] = values
            config[header] = st.column_config.NumberColumn(header, format="%d")
        elif pd.api.types.is_datetime64_any_dtype(values) or values.map(lambda v: isinstance(v, date)).any():
            shown[header] = [formats.date_fr(pd.Timestamp(v).date()) if pd.notna(v) else "" for v in values]
        else:
            shown[header] = ["" if formats.is_missing(v) or v is pd.NA else str(v) for v in values]
    # On the projector: an HTML table whose type grows with the page's, and no download buttons.
    projector = projector_on()
    if projector or (wrap and any(shown[header].astype(str).str.len().max() > LONG_TEXT for header in shown.columns)):
        tables.wrapped_table(shown)  # a decision is read whole, not cut at the column's edge
        if projector:
            return
    else:
        tables.table(shown, config)
    named = [file_name] if file_name != "tableau" else []  # two tables with the same headers on one page
    key = "telecharger-" + "-".join(downloads.file_stem(header) for header in [*named, *columns.values()])
    whole = complete or (lambda: frame)
    downloads.table_downloads(lambda: exports.ExportTable(whole()[list(columns)], columns), file_name, key=key)


STATUS_BAND_WORDS = (status.ATTEINT, status.A_SURVEILLER, status.NON_ATTEINT, status.SUIVI)
STATUS_BAND_NAMES = [status.status_label(word) for word in STATUS_BAND_WORDS]
STATUS_BAND_COLOURS = [status.STATUS_COLOUR[word] for word in STATUS_BAND_WORDS]


def _band_range(targets: list[tuple[float | None, float | None]]) -> slice:
    """The status words a chart's legend needs: « suivi » only for cells without a target."""
    with_target = any(cible is not None for cible, _ in targets)
    without = any(cible is None for cible, _ in targets)
    return slice(0 if with_target else 3, None if without else 3)


def band_names(targets: list[tuple[float | None, float | None]]) -> list[str]:
    return STATUS_BAND_NAMES[_band_range(targets)]


def band_colours(targets: list[tuple[float | None, float | None]]) -> list[str]:
    return STATUS_BAND_COLOURS[_band_range(targets)]


def status_bands(values: pd.Series, targets: list[tuple[float | None, float | None]],
                 direction: str = "hausse") -> list[str]:
    """« ✔ atteint », « ▲ à surveiller »… for each value against its own (cible, seuil), by the
    indicator's rule."""
    return [status.status_label(status.status(None if pd.isna(v) else float(v), sens=direction, cible=cible,
                                               seuil=seuil)) for v, (cible, seuil) in zip(values, targets)]


def badge(text: str, status_word: str) -> str:
    """Streamlit markdown: the status' colour AND symbol around a text, « :red[**✖ 2 en retard**] »."""
    colour = tiles.STATUS_MARKDOWN_COLOUR.get(status_word, "gray")
    return f":{colour}[**{status.STATUS_SYMBOL.get(status_word, '')} {text}**]"


COUNT_BANDS = ("0", "1", "2", "3 ou plus")
COUNT_COLOURS = ("#eef2f7", "#f4c27a", "#d55e00", "#a3122a")
COUNT_LIGHT = ("0", "1")  # drawn with dark text


def count_band(value: int) -> str:
    """The colour band of a count in a heatmap: 0, 1, 2, 3 or more."""
    return COUNT_BANDS[min(int(value), 3)]


def with_french_dates(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Add text columns (`columns`: date column → new column) holding « 14/03/2025 » or ""."""
    return frame.assign(**{target: [formats.date_fr(pd.Timestamp(v).date()) if pd.notna(v) else ""
                                    for v in frame[source]] for source, target in columns.items()})
