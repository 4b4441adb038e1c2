"""The error boundary: a page that raises shows a French message and a reference found in the
server log with the traceback, never Streamlit's English error page; st.stop still stops."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pilotage_qualite.model.access import hash_password
from pilotage_qualite.reports import data_admin

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def test_an_unexpected_exception_in_a_page_is_told_in_french_with_a_reference_in_the_log(
        app_env, demo_data_dir, monkeypatch, caplog):
    app_env(demo_data_dir)

    def broken(*_args, **_kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(data_admin, "journal_table", broken)  # the Données page shows the journal with it
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()
    app.switch_page("app_pages/donnees/consulter.py")
    with caplog.at_level(logging.ERROR, logger="pilotage_qualite"):
        app.run()
    assert not app.exception
    [shown] = [e.value for e in app.error]
    assert shown.startswith("**Une erreur inattendue a interrompu cette page.** Rien n'a été écrit à moitié")
    reference = re.search(r"la référence \*\*([0-9A-F]{8})\*\*", shown).group(1)
    [logged] = [r for r in caplog.records if r.name == "pilotage_qualite.erreurs"]
    assert logged.getMessage() == f"Unexpected error, reference {reference}"
    assert "RuntimeError: panne simulée" in caplog.text  # the traceback, for whoever reads the log
    # The page's banner came before the failure and stays: the run ended with the message, not a blank page.
    assert "Données de démonstration" in app.info[0].value


def test_streamlit_control_flow_passes_through_the_boundary(app_env, demo_data_dir):
    """A reader on the Import page is stopped by st.stop(): no error message, nothing after it."""
    app_env(demo_data_dir)
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    app.secrets["acces"] = {"mot_de_passe_qualite": hash_password("qualite-Lyon-2026", n=2 ** 10, r=8, p=1)}
    app.run()
    app.switch_page("app_pages/donnees/importer.py")
    app.run()
    assert not app.exception and not app.error
    assert [i.value for i in app.info][-1].startswith("L'import est réservé au rôle qualité.")
    assert not app.get("file_uploader")  # the page stopped before it
