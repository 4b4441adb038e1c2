"""The load client (tools.bench.load) against a tiny real server: it speaks Streamlit's websocket
protocol well enough that every page run finishes, is timed, and shows what the page sent."""

from __future__ import annotations

import asyncio
import json

import pytest

from tools.bench import load
from tools.bench.run import free_port

pytestmark = pytest.mark.slow

# Two pages behind st.navigation, as app.py: the client must find the fiche by its URL path,
# then by the page hash the server listed.
SCRIPT = """import streamlit as st


def tableau():
    if st.query_params.get("panne"):
        raise ValueError("panne voulue")
    st.write("Bonjour")
    st.metric("REC-01 · Réclamations reçues", "1 234")


def fiche():
    st.metric("Valeur de la fiche", st.query_params.get("indicateur", "aucun"))


st.navigation([st.Page(tableau, title="Tableau de bord", url_path="tableau-de-bord", default=True),
               st.Page(fiche, title="Fiche", url_path="fiche")]).run()
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    script = tmp_path_factory.mktemp("hello") / "hello.py"
    script.write_text(SCRIPT, encoding="utf-8")
    with load.serving(script, free_port(), timeout=60) as running:
        yield running


def test_every_session_runs_every_page_and_reads_the_metric(server, capsys):
    assert load.main(["--url", server.url, "--sessions", "3", "--rounds", "2", "--timeout", "60", "--all-runs"]) == 0
    result = json.loads(capsys.readouterr().out)

    assert result["page_runs"] == result["expected_page_runs"] == 3 * 2 * 2
    assert all(run["finished"] and run["seconds"] > 0 for run in result["runs"])
    assert result["errors"] == 0, result["error_samples"]
    assert 0 < result["p50_s"] <= result["p95_s"] <= result["max_s"]
    assert result["values"] == {str(k): ["1234"] * 2 for k in range(3)}  # the dashboard's, once a round
    assert load.peak_rss_mib(server.pid) > 0 and load.cpu_seconds(server.pid) > 0


def test_the_fiche_page_is_served_with_its_query_string(server):
    result = asyncio.run(load.run_load(server.url, sessions=2, rounds=2, pages=("fiche?indicateur=REC-03",),
                                       label="Valeur", timeout=60))

    assert result["errors"] == 0, result["error_samples"]
    assert result["values"] == {"0": ["REC-03", "REC-03"], "1": ["REC-03", "REC-03"]}


def test_an_exception_shown_by_the_page_counts_as_an_error(server):
    result = asyncio.run(load.run_load(server.url, sessions=2, pages=("", "?panne=1"), timeout=60))

    assert result["errors"] == 2 and result["page_runs"] == 4
    assert all(sample.startswith("exception") for sample in result["error_samples"])
    assert result["by_page"]["?panne=1"]["n"] == 2  # the run still finished, and was timed


def test_percentile_is_nearest_rank():
    assert load.percentile([0.3, 0.1, 0.2], 0.5) == 0.2
    assert load.percentile(list(range(1, 21)), 0.95) == 19
    assert load.percentile([], 0.95) is None
