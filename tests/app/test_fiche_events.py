"""Events on the fiche (AppTest, on a copy of the demo base): listed below the trend, recorded from
a form by the qualité role (the control limits then restart), withdrawn, refused without a label,
and only listed for the lecture role.

ACT-01 (interventions per month, an XmR chart) has limits in the demo (36 months): a process change
recorded on its dataset on 1 June 2026 restarts its baseline in June 2026, and October 2026 is then
the fifth point of the new baseline — fewer than twelve: no limits until the change is withdrawn.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest
from test_access import QUALITY_PASSWORD_ONLY, all_text
from test_data_pages import button, no_exception, plain

from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.startup import open_store

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120
FICHE = "app_pages/pilotage/fiche.py"
RESTARTED = "Pas de limites de contrôle : historique trop court depuis le changement de processus."


def open_fiche(indicator: str, secrets_: dict | None = None) -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for key, value in (secrets_ or {}).items():
        app.secrets[key] = value
    app.query_params["indicateur"] = indicator
    app.switch_page(FICHE)
    return no_exception(app.run())


def trend_spec(app: AppTest) -> dict:
    return json.loads(app.get("vega_lite_chart")[0].proto.spec)


def test_a_process_change_is_recorded_moves_the_limits_and_is_withdrawn(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_fiche("ACT-01")
    assert "Aucun événement enregistré sur ACT-01 ni sur ses jeux de données." in all_text(app)
    assert "Limites de contrôle (carte XmR" in all_text(app) and RESTARTED not in all_text(app)
    app.text_input(key="evenement_date").input("01/06/2026")
    app.text_input(key="evenement_libelle").input("Nouveau logiciel de saisie des interventions")
    app.selectbox(key="evenement_cible").set_value("activite")
    app.checkbox(key="evenement_processus").check()
    button(app, "Enregistrer l'événement").click()
    no_exception(app.run())
    assert app.success[0].value == ("Événement du 01/06/2026 enregistré au nom de qualité (local). "
                                    "Les limites de contrôle repartent de juin 2026.")
    text = all_text(app)
    assert ("**01/06/2026** · Nouveau logiciel de saisie des interventions · **changement de processus** · "
            "jeu « Activité de médiation » · saisi par qualité (local) le ") in text
    assert RESTARTED in text  # the cached results were recomputed: the limits moved
    spec = trend_spec(app)
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert len(rules) == 1 and "strokeDash" not in rules[0]["mark"]  # solid: a process change
    assert any("changement de processus" in line for line in spec["title"]["subtitle"])  # the key says so
    # Withdrawn: the list is empty again and the limits come back.
    app.selectbox(key="evenement_a_retirer").set_value(1)
    button(app, "Retirer l'événement").click()
    no_exception(app.run())
    assert app.success[0].value == "Événement du 01/06/2026 retiré."
    assert "Aucun événement enregistré sur ACT-01" in all_text(app) and RESTARTED not in all_text(app)
    store = open_store(load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)}))
    assert store.events() == ()


def test_an_event_without_a_label_is_refused(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_fiche("REC-03")
    app.text_input(key="evenement_libelle").input("   ")
    button(app, "Enregistrer l'événement").click()
    no_exception(app.run())
    assert [plain(e.value) for e in app.error] == ["Le libellé de l'événement est obligatoire : rien n'a été enregistré."]
    assert "Aucun événement enregistré sur REC-03" in all_text(app)


def test_a_reader_sees_the_events_but_not_the_form(app_env, demo_data_dir):
    app_env(demo_data_dir)
    store = open_store(load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)}))
    store.record_event(dt.date(2026, 9, 14), "Nouvelle procédure d'accueil", indicator="REC-03", author="A. Martin")
    app = open_fiche("REC-03", QUALITY_PASSWORD_ONLY)  # reading open, writing needs the qualité password
    assert "Rôle lecture" in all_text(app)
    assert "**14/09/2026** · Nouvelle procédure d'accueil · événement · indicateur REC-03 · saisi par A. Martin" in all_text(app)
    assert not [b for b in app.button if "événement" in b.label]
    assert not [field for field in app.text_input if field.key == "evenement_date"]
    rules = [layer for layer in trend_spec(app)["layer"] if layer["mark"]["type"] == "rule"]
    assert len(rules) == 1 and rules[0]["mark"]["strokeDash"] == [2, 4]  # dotted: not a process change
