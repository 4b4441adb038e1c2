"""The objects every page needs: built once per server process, results cached per base version.

Cached figures are keyed by the store's version (imports, undos, target changes), so an
import or an undo is visible at the next page run and a repeat visit is served from cache.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager

import pandas as pd
import streamlit as st
from streamlit.runtime.caching.cache_utils import in_cached_function

from pilotage_qualite import engine
from pilotage_qualite.common.private_files import loosened_warning
from pilotage_qualite.common.settings import Settings, load_settings
from pilotage_qualite.engine.schema_checks import check_against_schema
from pilotage_qualite.intake.pseudonyms import installation_secret
from pilotage_qualite.intake.read import Limits
from pilotage_qualite.model.catalogue import Catalogue, Indicator
from pilotage_qualite.model.coverage import Coverage
from pilotage_qualite.model.events import Event
from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.model.periods import Period, parse_period, periods_ending
from pilotage_qualite.reports import catalogue_edits, rows_behind_table, selections
from pilotage_qualite.reports.figures import figures
from pilotage_qualite.reports.process_queries import actions as action_queries
from pilotage_qualite.reports.selections import Tile
from pilotage_qualite.startup import load_demo_if_new, store_of
from pilotage_qualite.store import Store

HISTORY_PERIODS = 36  # the fiche's trend; the dashboard's sparkline uses the last 12


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _unopened_store() -> Store:
    return store_of(settings())


@st.cache_resource(show_spinner="Préparation de la base…")
def store() -> Store:
    """The store, schema created or migrated once, demo loaded into a brand-new base.

    It holds no open connection: DuckDB's file stays free between page runs.
    """
    ready = _unopened_store()
    ready.initialise()
    load_demo_if_new(ready, settings())
    return ready


def pinned_run() -> AbstractContextManager:
    """One connection to the base for this page run, opened at its first operation (on a new
    process the store's set-up: its schema checked, the demo looked for) and released at the end
    of the run: opening and closing the file costs about 50 ms each time on a large base."""
    return _unopened_store().pinned()


@st.cache_resource(show_spinner=False)
def file_catalogue() -> Catalogue:
    """The catalogue files (declarations/indicators/), every definition checked against the schema at start-up."""
    loaded = load_catalogue()
    check_against_schema(loaded, store().datasets, verified_dir=settings().checks_dir)
    return loaded


@st.cache_resource(show_spinner=False, max_entries=4)
def _catalogue(database: str, base_version: tuple) -> tuple[Catalogue, list[str]]:
    return catalogue_edits.with_additions(file_catalogue(), store().added_indicators())


def catalogue() -> Catalogue:
    """The indicator catalogue: the files plus the indicators added in the app (kept in the base)."""
    return _catalogue(str(store().path), version())[0]


def catalogue_problems() -> list[str]:
    """Indicators added in the app that no longer fit the catalogue (left out, French messages)."""
    return _catalogue(str(store().path), version())[1]


@st.cache_resource(show_spinner=False)
def runtime_folder_warning() -> str | None:
    """Checked once, at start-up: someone opened the runtime folder to other accounts."""
    return loosened_warning(settings())


@st.cache_resource(show_spinner=False)
def secret() -> bytes:
    """The installation secret that pseudonymises staff names on import."""
    return installation_secret(settings().secret_file)


def limits() -> Limits:
    return Limits.from_settings(settings())


def version() -> tuple:
    return store().version()


@st.cache_resource(show_spinner=False, max_entries=8)
def _data_summary(database: str, base_version: tuple) -> pd.DataFrame:
    return store().data_summary()


def data_summary() -> pd.DataFrame:
    """Per dataset: live rows, first and last date, last import."""
    return _data_summary(str(store().path), version()).copy(deep=False)


def coverage() -> Coverage:
    """The days each dataset's applied imports cover (what the periods offered and the figures rest on)."""
    return store().coverage()  # read once per version of the base (Store.per_version)


def site_names() -> list[str]:
    return store().site_names()


# The keys of the whole catalogue's results computed by this process (a fiche then slices them).
_WHOLE_COMPUTED: set[tuple] = set()


# What is read per version of the base is kept as shared objects (cache_resource), frames handed
# out as shallow copies: under pandas' copy-on-write a page's change to its copy never reaches the
# shared frame, and a repeat visit unpickles nothing (cache_data's copies cost 20–45 ms per run for
# the figures, about 1 ms per frame for the fiche's small ones).
@st.cache_resource(show_spinner="Calcul des indicateurs…", max_entries=8)  # ~11 MB each on the large structure
def _results(database: str, base_version: tuple, last_period: str, grain: str) -> pd.DataFrame:
    periods = periods_ending(Period(grain, pd.Timestamp(last_period).date()), HISTORY_PERIODS)
    computed = figures(store(), catalogue(), periods)
    _WHOLE_COMPUTED.add((database, base_version, last_period, grain))
    return computed


def results(period: Period) -> pd.DataFrame:
    """Every indicator for the 36 periods ending at `period`, Ensemble and each dimension."""
    return _results(str(store().path), version(), period.debut.isoformat(), period.grain).copy(deep=False)


_AHEAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="figures-ahead")
_COMPUTED_AHEAD: set[tuple] = set()  # what was asked of it (a key and an indicator, or None: all)


def compute_ahead(period: Period | None, *, fiche: bool = False) -> None:
    """Start computing in the background the figures this run's page will ask for (the whole
    catalogue's; for a fiche its indicator's, as the link names it), while the run draws the
    filters and banners: DuckDB's queries release the GIL, so on a new process the two overlap.
    The page's own call then finds them, or waits for them (one caller computes a key of
    Streamlit's cache, the others wait). Nothing is drawn from the background; a failure there
    is left for the page's own call to meet and say."""
    if period is None:
        return
    key = (str(store().path), version(), period.debut.isoformat(), period.grain)
    indicator_id = None
    if fiche:
        indicator_id = st.query_params.get("indicateur")
        indicator_id = indicator_id if indicator_id in catalogue() else catalogue().ids[0]  # as the fiche picks
    if key in _WHOLE_COMPUTED or (key, indicator_id) in _COMPUTED_AHEAD:
        return
    _COMPUTED_AHEAD.add((key, indicator_id))
    _AHEAD.submit(_in_background, key, indicator_id)


def _in_background(key: tuple, indicator_id: str | None) -> None:
    in_cached_function.set(True)  # as inside a cached function: Streamlit shows no spinner from here
    try:
        with pinned_run():  # one connection, not one per read: runs wait for these figures holding the file
            _results(*key) if indicator_id is None else _indicator_results(*key, indicator_id)
    except Exception:  # noqa: BLE001 - the page's own call computes again and says what failed
        _COMPUTED_AHEAD.discard((key, indicator_id))


@st.cache_resource(show_spinner=False, max_entries=32)
def _tiles(database: str, base_version: tuple, last_period: str, grain: str, site: str | None) -> tuple[Tile, ...]:
    period = Period(grain, pd.Timestamp(last_period).date())
    return tuple(selections.tiles(_results(database, base_version, last_period, grain), period, site, catalogue().ids))


def tiles(period: Period, site: str | None) -> list[Tile]:
    """One tile per indicator for the period and site (:func:`selections.tiles`), built once per
    version of the base: a repeat visit does not slice the figures again (frozen tiles, shared)."""
    return list(_tiles(str(store().path), version(), period.debut.isoformat(), period.grain, site))


@st.cache_resource(show_spinner="Calcul de l'indicateur…", max_entries=64)
def _indicator_results(database: str, base_version: tuple, last_period: str, grain: str,
                       indicator_id: str) -> pd.DataFrame:
    periods = periods_ending(Period(grain, pd.Timestamp(last_period).date()), HISTORY_PERIODS)
    return figures(store(), catalogue(), periods, indicator_ids=[indicator_id])


def indicator_results(period: Period, indicator_id: str) -> pd.DataFrame:
    """One indicator's rows of :func:`results`: read from the whole catalogue's when this process
    has computed them, else computed alone, so a fiche opened from a link does not pay for every
    other indicator (the engine gives the same rows either way: tests/unit/reports/test_one_indicator_alone.py)."""
    key = (str(store().path), version(), period.debut.isoformat(), period.grain)
    if key in _WHOLE_COMPUTED:
        whole = _results(*key)
        return whole[whole["indicateur"] == indicator_id]
    return _indicator_results(*key, indicator_id).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=64)
def _trend(database: str, base_version: tuple, last_period: str, grain: str, indicator_id: str,
           site: str | None) -> pd.DataFrame:
    period = Period(grain, pd.Timestamp(last_period).date())
    return selections.trend(indicator_results(period, indicator_id), indicator_id, site, period)


def trend(indicator_id: str, period: Period, site: str | None) -> pd.DataFrame:
    """The indicator's periods up to ``period`` for the site (:func:`selections.trend`), sliced
    once per version of the base: a repeat visit of a fiche does not slice again."""
    return _trend(str(store().path), version(), period.debut.isoformat(), period.grain, indicator_id,
                  site).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=64)
def _breakdown(database: str, base_version: tuple, last_period: str, grain: str, indicator_id: str,
               dimension: str) -> pd.DataFrame:
    period = Period(grain, pd.Timestamp(last_period).date())
    return selections.breakdown(indicator_results(period, indicator_id), indicator_id, period, dimension)


def breakdown(indicator_id: str, period: Period, dimension: str) -> pd.DataFrame:
    """The values of one dimension for the period (:func:`selections.breakdown`), once per version."""
    return _breakdown(str(store().path), version(), period.debut.isoformat(), period.grain, indicator_id,
                      dimension).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=32)
def _drill_down(database: str, base_version: tuple, indicator_id: str, period: str, dimension: str | None,
                value: str | None) -> pd.DataFrame:
    with store().connect() as conn:
        return engine.drill_down(conn, catalogue(), indicator_id, period, dimension, value,
                                 histories=coverage().registers)


def drill_down(indicator_id: str, period: Period, dimension: str | None, value: str | None) -> pd.DataFrame:
    """The rows behind one value, with their file and row (cached per base version)."""
    return _drill_down(str(store().path), version(), indicator_id, period.label, dimension, value).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=32)
def _drill_down_shown(database: str, base_version: tuple, indicator_id: str, period: str, dimension: str | None,
                      value: str | None) -> pd.DataFrame:
    rows = _drill_down(database, base_version, indicator_id, period, dimension, value).copy(deep=False)
    return rows_behind_table.rows_behind_table(rows, store().datasets)


def drill_down_shown(indicator_id: str, period: Period, dimension: str | None, value: str | None) -> pd.DataFrame:
    """The same rows as the fiche shows them, in French (formatted once per base version)."""
    return _drill_down_shown(str(store().path), version(), indicator_id, period.label, dimension,
                             value).copy(deep=False)


def citing_datasets(indicator_id: str) -> dict[str, str]:
    """The indicator's datasets whose rows cite an action (an `action` column): name → label."""
    datasets = store().datasets
    return {name: datasets[name].label for name in catalogue()[indicator_id].sources
            if name in datasets and "action" in datasets[name].column_names}


def _action_links(indicator_id: str) -> dict:
    indicator = catalogue()[indicator_id]
    return {"code": indicator.id, "cited_by": citing_datasets(indicator_id), "origins": indicator.origines_actions}


def all_linked_actions(indicator_id: str, period: Period, site: str | None) -> pd.DataFrame:
    """Every action of the improvement plan linked to the indicator (action_queries.linked_actions),
    late ones first; not cached: the fiche asks for it only when the list is downloaded."""
    with store().connect() as conn:
        return action_queries.linked_actions(conn, period, site, **_action_links(indicator_id))


@st.cache_resource(show_spinner=False, max_entries=32)
def _linked_actions(database: str, base_version: tuple, indicator_id: str, period: str, site: str | None,
                    rows: int) -> tuple[pd.DataFrame, int, int]:
    with store().connect() as conn:
        return action_queries.linked_actions_head(conn, parse_period(period), site, rows,
                                                  **_action_links(indicator_id))


def linked_actions(indicator_id: str, period: Period, site: str | None, rows: int) -> tuple[pd.DataFrame, int, int]:
    """The first ``rows`` linked actions, how many there are and how many are late (cached: a
    large plan links thousands, which a repeat visit must not reload)."""
    head, total, late = _linked_actions(str(store().path), version(), indicator_id, period.label, site, rows)
    return head.copy(deep=False), total, late


@st.cache_resource(show_spinner=False, max_entries=64)
def _comment_history(database: str, base_version: tuple, indicator_id: str, period: str,
                     site: str | None) -> pd.DataFrame:
    return store().comment_history(indicator_id, period, site)


def comment_history(indicator_id: str, period: Period, site: str | None) -> pd.DataFrame:
    """Every comment written for one key, newest first (a comment changes the version: a new
    one is read at once; a repeat visit does not open the base for them)."""
    return _comment_history(str(store().path), version(), indicator_id, period.label, site).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=64)
def _indicator_sql(database: str, base_version: tuple, indicator_id: str, period: str) -> list[str]:
    return engine.indicator_sql(catalogue(), indicator_id, [period])


def indicator_sql(indicator_id: str, period: Period) -> list[str]:
    """The SQL the engine runs for one indicator, shown to auditors on the fiche (written once
    per version of the base: the catalogue may change with it)."""
    return list(_indicator_sql(str(store().path), version(), indicator_id, period.label))


@st.cache_resource(show_spinner=False, max_entries=64)
def _monthly_counts(database: str, base_version: tuple, dataset: str) -> pd.DataFrame:
    return store().monthly_counts(dataset)


def monthly_counts(dataset: str) -> pd.DataFrame:
    """Live rows per site and month of one dataset (data freshness)."""
    return _monthly_counts(str(store().path), version(), dataset).copy(deep=False)


def trial_compute(candidate: Catalogue, indicator_ids: list[str], last: Period) -> pd.DataFrame:
    """New indicators computed on the current data (12 periods ending at `last`), nothing saved."""
    return catalogue_edits.trial_compute(store(), candidate, indicator_ids, last)


@st.cache_resource(show_spinner=False, max_entries=8)
def _target_changes(database: str, base_version: tuple) -> pd.DataFrame:
    return store().target_changes()


def target_changes() -> pd.DataFrame:
    return _target_changes(str(store().path), version()).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=8)
def _events(database: str, base_version: tuple) -> tuple[Event, ...]:
    return store().events()


def events() -> tuple[Event, ...]:
    """The events in force, oldest first (recording or withdrawing one moves the base version, so
    the cached results, whose control limits they restart, are recomputed at the next run)."""
    return _events(str(store().path), version())


@st.cache_resource(show_spinner=False, max_entries=64)
def _target_history(database: str, base_version: tuple, indicator_id: str) -> pd.DataFrame:
    return catalogue_edits.target_history(catalogue()[indicator_id], target_changes())


def target_history(indicator_id: str) -> pd.DataFrame:
    """The indicator's target from its file, then each change made in the app (once per version)."""
    return _target_history(str(store().path), version(), indicator_id).copy(deep=False)


def target_in_force(indicator: Indicator, day: dt.date) -> tuple[float | None, float | None]:
    """(cible, seuil) of ``indicator`` in force on ``day``, with the targets set in the app."""
    return engine.targets_on_day([indicator], target_changes(), day)[0]
