"""The fiche's « Lignes derrière la valeur » on the demo: a table for the room, not the engine's frame."""

from __future__ import annotations

import re
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



def open_fiche(app_env, data_dir: Path, params: dict[str, str]) -> AppTest:
    app_env(data_dir)
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    app.query_params.update(params)
    app.switch_page("app_pages/pilotage/fiche.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def holding(tables, heading: str):
    """The frame of the one table among ``tables`` headed ``heading``."""
    return next(table.value for table in tables if heading in table.value.columns)


def test_on_the_projector_the_fiches_tables_keep_the_columns_the_room_reads(app_env, demo_data_dir):
    """Issue 19: at 24 px the 13 columns of linked actions ran past a 1280 px screen. On the projector
    the committee's five, and the rows behind the value in the columns that fit, the others named;
    in normal mode every column, in grids."""
    normal = open_fiche(app_env, demo_data_dir, {"indicateur": "REC-03"})
    actions = list(holding(normal.dataframe, "Intitulé").columns)
    assert len(actions) == 13 and {"Liée par", "Effet mesuré sur l'indicateur"} <= set(actions)
    every = list(holding(normal.dataframe, "Numéro").columns)  # the rows behind the value

    room = open_fiche(app_env, demo_data_dir, {"indicateur": "REC-03", "projecteur": "true"})
    assert not room.dataframe  # a grid draws its own small type on a canvas and scrolls sideways
    assert room.title[0].value.startswith("REC-03 · ")
    assert "Indicateur" not in [box.label for box in room.selectbox]  # no chooser above the figures (the filters: in the bar)
    assert list(holding(room.table, "Intitulé").columns) == ["Situation", "Action", "Intitulé", "Pilote", "Échéance"]
    behind = list(holding(room.table, "Numéro").columns)
    assert behind == [name for name in every if name in behind]  # in their order
    assert {"Compté au numérateur", "Numéro", "Date de réception"} <= set(behind)
    left_out = [name for name in every if name not in behind]
    assert "Provenance" in left_out
    assert any(all(name in caption.value for name in left_out) for caption in room.caption)


def test_on_the_projector_a_data_pages_dates_are_french_not_iso(app_env, demo_data_dir):
    """On the projector every table is static HTML, without the grid's column types: the journal's
    import times and the rows' dates are written « 06/12/2026 à 03:39 » and « 16/10/2026 », never
    « 2026-10-16 00:00:00 »."""
    app_env(demo_data_dir)
    room = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    room.query_params["projecteur"] = "true"
    room.run()  # the projector opens on its agenda's first point; then the Données page
    room.switch_page("app_pages/donnees/consulter.py")
    room.run()
    assert not room.exception, [e.message for e in room.exception]
    assert room.title[0].value == "Données importées"
    cells = [str(cell) for table in room.table for cell in table.value.to_numpy().ravel()]
    assert cells and not [cell for cell in cells if re.fullmatch(r"\d{4}-\d\d-\d\d.*", cell)]
    assert [cell for cell in cells if re.fullmatch(r"\d\d/\d\d/\d{4} à \d\d:\d\d", cell)]  # the journal's times
    assert not {"True", "False", "None", "NaT"} & set(cells)
