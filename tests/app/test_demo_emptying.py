"""Emptying the demonstration from the pages: the Import page's warning, the confirmed action,
the French refusal when one's own import replaced demo rows, and the second confirmation."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model.access import hash_password
from pilotage_qualite.model.batch import ImportBatch
from pilotage_qualite.startup import demo_is_loaded, open_store
from pilotage_qualite.store import Store
from pilotage_qualite.store.database import APPLIED, UNDONE

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120
IMPORT_PAGE = "app_pages/donnees/importer.py"
MIXED_WARNING = "La base contient encore la démonstration"


def store_of(data_dir: Path) -> Store:
    return open_store(load_settings(environ={"PILOTAGE_DONNEES": str(data_dir)}))


def run(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def open_import_page() -> AppTest:
    app = run(AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT))
    app.switch_page(IMPORT_PAGE)
    return run(app)


def plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def shown(app: AppTest, kind: str) -> str:
    return "\n".join(plain(e.value) for e in getattr(app, kind))


def import_one_demo_complaint_as_mine(store: Store) -> None:
    """Import n° 12, by the quality lead: the first demo complaint again, so it replaces a demo row."""
    dataset = store.datasets["reclamations"]
    row = store.live_rows("reclamations").head(1)[[*dataset.column_names, "_ligne"]]
    import_id, _ = store.apply(ImportBatch("reclamations", "registre_reclamations.xlsx", b"mine", row), author="qualité")
    assert import_id == 12  # after the demo's 11


def test_a_demo_mixed_with_my_import_is_refused_in_french_then_emptied_with_it_once_confirmed(app_env, demo_data_dir):
    app_env(demo_data_dir)
    store = store_of(demo_data_dir)
    import_one_demo_complaint_as_mine(store)
    app = open_import_page()
    assert MIXED_WARNING in shown(app, "warning")
    app.button(key="vider_demo_import").click()
    run(app)
    app.button(key="vider_demo_").click()  # « Oui, vider la base »
    run(app)
    assert ("l'import n° 12 (registre_reclamations.xlsx, réclamations) remplace des lignes de la démonstration"
            in shown(app, "error"))
    assert set(store.journal()["etat"]) == {APPLIED}  # nothing changed
    second = app.button(key="vider_demo_12")
    assert plain(second.label) == "Vider aussi mon import n° 12"
    second.click()
    run(app)
    assert "12 imports annulés, dont votre import n° 12 : la démonstration est vidée." in shown(app, "success")
    assert set(store.journal()["etat"]) == {UNDONE} and not demo_is_loaded(store)
    assert MIXED_WARNING not in shown(app, "warning")


def test_the_banner_empties_a_demo_alone_in_one_confirmed_step(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_import_page()
    app.button(key="vider_demo_bandeau").click()
    run(app)
    app.button(key="vider_demo_").click()
    run(app)
    assert "11 imports annulés : la démonstration est vidée." in shown(app, "success")
    assert not demo_is_loaded(store_of(demo_data_dir))
    assert MIXED_WARNING not in shown(app, "warning") and not app.error


def test_a_reader_forcing_the_dialog_open_empties_nothing(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    app.secrets["acces"] = {"mot_de_passe_qualite": hash_password("qualite-Lyon-2026", n=2 ** 10, r=8, p=1)}
    run(app)  # reading open, writing needs the qualité password: no button to empty
    assert not [b for b in app.button if (b.key or "").startswith("vider_demo")]
    app.session_state["vidage_demo"] = {}  # the dialog, forced open
    run(app)
    app.button(key="vider_demo_").click()
    run(app)
    assert "réservée au rôle qualité" in shown(app, "error")
    assert demo_is_loaded(store_of(demo_data_dir))
