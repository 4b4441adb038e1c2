"""The shared filters in the URL: what the projector's links rely on, driven server-side with AppTest.

Issue 19. Entered by a link (``?projecteur=true``), the first « Suivant » once lost the projector:
the filters' widgets were bound to the URL (``bind="query-params"``), in the bar's popover, which
the browser never drew; on a page change it reported no value for them and Streamlit removed
their parameters from the new page's URL. AppTest reports every widget on every run, so that
loss is seen in the browser (tests/browser/test_projector_links.py); here: no filter is bound any
more, the links carry every filter once whichever way the projector was entered, and the router
and the toggle read the projector from the same URL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120
FILTERS = ("grain", "periode", "site", "projecteur")


@pytest.fixture
def demo(app_env, demo_data_dir):
    app_env(demo_data_dir)


def open_app(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return checked(app.run())


def checked(app: AppTest) -> AppTest:
    assert not app.exception, [e.message for e in app.exception]
    return app


def url(app: AppTest) -> dict[str, list[str]]:
    return {name: values if isinstance(values, list) else [values] for name, values in app.query_params.items()}


def bar_links(app: AppTest) -> dict[str, str]:
    return {link.proto.label: link.proto.query_string for link in app.get("page_link")
            if link.proto.label in ("Précédent", "Suivant", "Retour")}


def on_the_projector(app: AppTest) -> bool:
    return any(b.label == "Quitter le mode projecteur" for b in app.button)


def test_no_shared_filter_is_bound_to_the_url(demo):
    app = open_app({"projecteur": "true", "site": "Lyon 9e"})
    widgets = [app.get("button_group")[0], app.selectbox(key="periode"), app.selectbox(key="site"),
               app.toggle(key="projecteur")]
    assert [w.proto.query_param_key for w in widgets] == ["", "", "", ""]


@pytest.mark.parametrize("entry", ["lien", "bascule"])
def test_the_bars_links_carry_every_filter_once(demo, entry):
    if entry == "lien":
        app = open_app({"projecteur": "true", "site": "Lyon 9e"})
    else:
        app = open_app()
        app.selectbox(key="site").set_value("Lyon 9e")
        checked(app.toggle(key="projecteur").set_value(True).run())
    assert on_the_projector(app)
    assert url(app)["projecteur"] == ["true"] and url(app)["site"] == ["Lyon 9e"]
    links = bar_links(app)
    assert set(links) == {"Précédent", "Suivant"}
    for query in links.values():
        assert sorted(name for name, _ in (pair.split("=") for pair in query.split("&"))) == sorted(FILTERS), query


def test_the_url_says_whether_the_projector_is_on(demo):
    """A link with ``projecteur=true`` turns the toggle on, a URL without it off: the router, which
    reads the URL before anything is drawn, and the toggle never disagree (a projector's CSS without
    its bar once left the room with no navigation)."""
    app = open_app()
    assert not on_the_projector(app) and app.toggle(key="projecteur").value is False
    app.query_params["projecteur"] = "true"
    checked(app.run())
    assert on_the_projector(app) and app.toggle(key="projecteur").value is True
    del app.query_params["projecteur"]
    checked(app.run())
    assert not on_the_projector(app) and app.toggle(key="projecteur").value is False


def test_leaving_the_projector_takes_it_out_of_the_url(demo):
    app = open_app({"projecteur": "true"})
    checked(app.button(key="projecteur_quitter").click().run())
    assert "projecteur" not in url(app) and app.toggle(key="projecteur").value is False
    assert not on_the_projector(app)


def test_a_site_chosen_in_the_sidebar_goes_into_the_url_and_stays_when_a_link_leaves_it_out(demo):
    app = open_app()
    checked(app.selectbox(key="site").set_value("Saint-Étienne").run())
    assert url(app)["site"] == ["Saint-Étienne"]
    del app.query_params["site"]  # the sidebar's page links carry no parameter
    checked(app.run())
    assert app.selectbox(key="site").value == "Saint-Étienne" and url(app)["site"] == ["Saint-Étienne"]
