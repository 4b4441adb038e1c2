"""The fiche's « Lignes derrière la valeur » on the demo: a table for the room, not the engine's frame."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]


def test_rows_behind_rec_03_read_in_french_with_their_provenance(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    app.query_params.update({"indicateur": "REC-03", "site": "Saint-Étienne"})
    app.switch_page("app_pages/pilotage/fiche.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    behind = app.dataframe[0].value
    assert list(behind.columns[:4]) == ["Compté au numérateur", "Compté au dénominateur", "Numéro",
                                        "Date de réception"]
    assert behind.columns[-1] == "Provenance"
    assert not {"indicateur", "fichier", "_import_id", "_ligne", "date_reception"} & set(behind.columns)
    first = behind.iloc[0]
    assert first["Compté au numérateur"] in {"oui", "non"}
    assert first["Provenance"].startswith("fichier registre_reclamations.xlsx (import n° ")
    assert first["Date de réception"][2] == "/" and first["Date de réception"].endswith("/2026")
    assert not behind.isin(["None", "nan", "NaT", "<NA>"]).any().any()
