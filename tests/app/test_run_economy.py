"""What a page run spends on a new server process: the base opened once for the run's own
operations, the figures computed ahead of the page (context.compute_ahead) and equal to what the
page computes itself, a repeat visit that reads no frame again."""

from __future__ import annotations

import threading
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]


def new_session(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app


def forget_figures() -> None:
    """Streamlit's caches and the computations asked ahead emptied, as in a new server process."""
    import streamlit as st

    from pilotage_qualite.ui import context

    st.cache_data.clear()
    st.cache_resource.clear()
    context._COMPUTED_AHEAD.clear()
    context._WHOLE_COMPUTED.clear()


def count_openings(monkeypatch) -> list[str]:
    """The name of the thread behind each opening of the base file (opening and closing it costs
    about 50 ms on a large base; connections opened while one is open are cheap)."""
    from pilotage_qualite.store import database

    openings: list[str] = []
    real = database.Database._connect_waiting

    def counted(self):
        openings.append(threading.current_thread().name)
        return real(self)

    monkeypatch.setattr(database.Database, "_connect_waiting", counted)
    return openings


def test_a_first_visit_opens_the_base_once_for_its_own_operations(app_env, demo_data_dir, monkeypatch):
    app_env(demo_data_dir)
    forget_figures()
    openings = count_openings(monkeypatch)
    app = new_session({"vue": "Tuiles"}).run()
    assert not app.exception, [e.message for e in app.exception]
    assert len(app.metric) == 29
    # The store's set-up (schema checked, demo looked for), the version, the coverage and the
    # page's reads share the run's connection; only the background computation opens its own.
    assert len([name for name in openings if not name.startswith("figures-ahead")]) == 1, openings


def test_the_figures_computed_ahead_are_those_the_page_shows(app_env, demo_data_dir):
    from pilotage_qualite.ui import context

    app_env(demo_data_dir)
    forget_figures()
    app = new_session({"vue": "Tuiles", "site": "Saint-Étienne", "periode": "septembre 2026"}).run()
    assert not app.exception, [e.message for e in app.exception]
    asked = {(key[2], key[3], indicator) for key, indicator in context._COMPUTED_AHEAD}
    assert asked == {("2026-09-01", "mois", None)}  # the link's period, the whole catalogue
    # The demo's value for Saint-Étienne in September 2026 (tests/app/test_pages.py, from the URL too).
    assert {m.label: m.value for m in app.metric}["ACT-01 · Interventions réalisées"] == "171"


def test_a_fiche_opened_from_a_link_computes_its_indicator_ahead(app_env, demo_data_dir):
    from pilotage_qualite.ui import context

    app_env(demo_data_dir)
    forget_figures()
    fiche = new_session({"indicateur": "REC-03"})
    fiche.switch_page("app_pages/pilotage/fiche.py")
    fiche.run()
    assert not fiche.exception, [e.message for e in fiche.exception]
    assert {indicator for _, indicator in context._COMPUTED_AHEAD} == {"REC-03"}
    assert fiche.title[0].value.startswith("REC-03 · ")
