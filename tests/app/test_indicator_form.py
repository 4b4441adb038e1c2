"""The Catalogue page's guided form: an indicator added by choosing from lists, on a copy of the demo base.

The form writes the YAML (shown), which goes through the same check, trial computation and save as
typed YAML; an impossible choice is refused with the validator's French message.
"""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 180
PAGE = "app_pages/donnees/catalogue.py"


def checked(app: AppTest) -> AppTest:
    assert not app.exception, [e.message for e in app.exception]
    return app


def catalogue_page() -> AppTest:
    app = checked(AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run())
    app.switch_page(PAGE)
    return checked(app.run())


def errors(app: AppTest) -> str:
    """The error messages as the user reads them (markdown escapes removed)."""
    return " ".join(re.sub(r"\\(.)", r"\1", e.value) for e in app.error)


def choose(app: AppTest, key: str, value) -> AppTest:
    app.selectbox(key=key).set_value(value)
    return checked(app.run())


def fill_in_aggressions(app: AppTest) -> AppTest:
    """Incidents of the period that are verbal aggressions, lower is better."""
    choose(app, "ajout_jeu", "incidents")
    choose(app, "ajout_periode_incidents", "flux:date")
    choose(app, "ajout_mesure_incidents", "nombre")
    choose(app, "ajout_filtre_colonne_incidents", "type")
    choose(app, "ajout_filtre_operateur_incidents_type", "=")
    choose(app, "ajout_filtre_valeur_incidents_type", "agression verbale")
    choose(app, "ajout_sens", "baisse")
    app.text_input(key="ajout_titre").input("Agressions verbales")
    app.text_input(key="ajout_pourquoi").input("Les agressions verbales précèdent souvent les agressions physiques.")
    return checked(app.run())


def press(app: AppTest, key: str) -> AppTest:
    app.button(key=key).click()
    return checked(app.run())


def yaml_shown(app: AppTest) -> str:
    return next(c.value for c in app.code if c.language == "yaml")


def test_an_indicator_built_from_lists_is_shown_checked_and_saved(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = fill_in_aggressions(catalogue_page())
    app.text_input(key="ajout_cible").input("2")
    app.text_input(key="ajout_seuil").input("4,5")
    checked(app.run())
    # The process that reads incidents, its pilot and its next free code are offered first.
    assert app.selectbox(key="ajout_processus_incidents").value == "Sécurité"
    assert app.selectbox(key="ajout_pilote_Sécurité").value == "Référent qualité et sécurité"
    assert app.text_input(key="ajout_code_Sécurité").value == "SEC-04"
    text = yaml_shown(app)
    assert "source: incidents\n  periode: {flux: date}\n  filtre: type = 'agression verbale'\n" in text
    assert "valeur: count(*)\n  unite: nombre\n  format: '0'\n  sens: baisse\n  cible: 2\n  seuil: 4.5\n" in text
    assert "dimensions: [site]" in text
    assert "Définition valide : SEC-04" in press(app, "verifier_formulaire").success[0].value
    periods = list(app.dataframe[-1].value["Période"])  # the trial computation, nothing saved yet
    assert (len(periods), periods[-1]) == (12, "octobre 2026")
    saved = press(app, "enregistrer_formulaire")
    assert "Indicateur SEC-04 ajouté au catalogue (enregistré dans la base)" in saved.success[0].value
    table = app.dataframe[0].value
    added = table[table["Id"] == "SEC-04"].iloc[0]
    assert (added["Titre"], added["Processus"], added["Défini dans"]) == (
        "Agressions verbales", "Sécurité", "ajout SEC-04 (base)")


def test_an_impossible_choice_gets_the_validators_french_message(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = fill_in_aggressions(catalogue_page())
    app.text_input(key="ajout_cible").input("5")
    app.text_input(key="ajout_seuil").input("2")  # lower is better: the alert threshold lies above the target
    press(checked(app.run()), "verifier_formulaire")
    assert ("indicateur saisi : indicateur SEC-04 : champ « seuil » : en baisse (plus bas est mieux), "
            "le seuil (2,00) doit être supérieur ou égal à la cible (5,00)") in errors(app)
    assert not [b for b in app.button if b.key == "enregistrer_formulaire"]


def test_a_target_that_does_not_read_as_a_number_is_named(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = fill_in_aggressions(catalogue_page())
    app.text_input(key="ajout_cible").input("deux")
    checked(app.run())
    assert "Cible : « deux » n'est pas un nombre (écrivez par exemple 80 ou 80,5)." in errors(app)
    assert not [c for c in app.code if c.language == "yaml"]
