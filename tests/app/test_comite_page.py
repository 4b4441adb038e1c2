"""The Comité page driven server-side with AppTest: preparing, recording and closing a meeting,
reopening it read-only, projector stepping, and an empty base."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from test_pages import markdown_text, open_app

from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model.meeting_record import PARTS, canonical
from pilotage_qualite.reports.agenda import ITEM_TITLES
from pilotage_qualite.startup import open_store
from pilotage_qualite.store import Store

PAGE = "app_pages/pilotage/comite.py"
HEADERS = [f"{n}. {title}" for n, title in enumerate(ITEM_TITLES, start=1)]


def store_of(folder: Path) -> Store:
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(folder)})
    return open_store(settings)


def button(app, label: str):
    return next(b for b in app.button if b.label == label)


def infos(app) -> str:
    return "\n".join(i.value for i in app.info)


def chart_titles(app) -> list[str]:
    """Each chart's title (a narrow chart's title is wrapped on spaces: lines joined back)."""
    titles = [json.loads(chart.proto.spec)["title"]["text"] for chart in app.get("vega_lite_chart")]
    return [" ".join(t) if isinstance(t, list) else t for t in titles]


def agenda_headers(app) -> list[str]:
    return [h.value for h in app.header if h.value[:2].rstrip(".").isdigit()]


def test_a_meeting_is_prepared_recorded_and_closed(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app({"grain": "Trimestre"}, page=PAGE)
    assert next(s for s in app.selectbox if s.label == "Réunion").value == 0  # « Préparer une nouvelle réunion »: nothing recorded yet
    assert agenda_headers(app) == HEADERS
    charts = chart_titles(app)  # point 3: the trend of every indicator off target or drifting
    assert charts and all(t.endswith(" — Ensemble de la structure") for t in charts)
    assert "REC-03 · Réponse sous 15 jours — Ensemble de la structure" in charts
    assert len(app.metric) > len(charts)  # and the tiles of points 3 to 7

    app.text_input(key="reunion_date").input("23/11/2026")
    button(app, "Créer la réunion").click().run()
    assert not app.exception
    assert app.subheader[0].value == ("Réunion du 23/11/2026 · période revue : 3e trimestre 2026 · "
                                      "Ensemble de la structure")
    assert app.query_params["reunion"] == ["1"] or app.query_params["reunion"] == "1"

    app.text_area(key="participants_texte").input("Directrice\nRéférente qualité")
    button(app, "Enregistrer les participants").click().run()
    app.text_area(key="note_texte_3").input("REC-03 : *deux* réponses [tardives](http://x.example)")
    button(app, "Enregistrer la note").click().run()  # the forms are drawn in order: point 1's first
    app.text_area(key="decision_texte").input("Former les médiateurs à la gestion des conflits.")
    app.multiselect(key="decision_indicateurs").set_value(["SEC-01"])
    app.checkbox(key="decision_action").check()
    app.text_input(key="decision_pilote").input("responsable formation")
    app.text_input(key="decision_echeance").input("31/01/2027")
    button(app, "Enregistrer la décision").click().run()
    assert not app.exception and not app.error
    assert "action RD-2026-11-23-1 ajoutée au plan d'amélioration" in app.success[0].value

    store = store_of(demo_data_dir)
    meeting = store.meeting(1)
    assert meeting.participants == ("Directrice", "Référente qualité")
    assert meeting.decisions[0].action_number == "RD-2026-11-23-1"
    live = store.live_rows("actions").set_index("numero")
    assert live.loc["RD-2026-11-23-1", "origine"] == "revue de direction"
    text = markdown_text(app)
    assert "Directrice, Référente qualité" in text
    decisions = next(d.value for d in app.dataframe if "Action créée" in d.value.columns)
    assert list(decisions["Action créée"]) == ["RD-2026-11-23-1"]

    app.checkbox(key="cloture_confirmee").check()
    button(app, "Clore la réunion").click().run()
    assert not app.exception
    assert "lecture seule" in infos(app)
    assert not [b for b in app.button if b.label in ("Enregistrer la décision", "Enregistrer la note",
                                                      "Clore la réunion")]
    assert not store.meeting(1).is_open
    # Closed with the record of what the page showed: its decision, its figures, intact.
    record = store.meeting_record(1)
    assert json.loads(record["decisions"])[0]["action"] == "RD-2026-11-23-1"
    assert {tile["indicator"] for tile in json.loads(record["indicateurs"])["tuiles"]} >= {"REC-03", "ACT-01"}
    assert store.verify_meeting(1) == []
    assert json.loads(record["decisions"])[0]["indicateurs"] == ["SEC-01"]
    archived = store.meeting_packs(1)  # the pack, archived at closing with the fingerprint on its cover
    assert len(archived) == 1 and store.meeting_pack(int(archived["id"].iloc[0])).startswith(b"%PDF")
    assert any("Dossier du comité archivé avec elle (n° 1)" in s.value for s in app.success)

    # A target changed afterwards on the reviewed quarter: the closed meeting still shows what it
    # showed (REC-03 against its old target) and says what has changed since.
    shown_then = next(t for t in json.loads(record["indicateurs"])["tuiles"] if t["indicator"] == "REC-03")
    store.set_target("REC-03", dt.date(2026, 7, 1), 99.0, 98.0, author="test")
    again = open_app({"reunion": "1"}, page=PAGE)
    assert not again.exception
    assert "1 indicateur(s) ont changé depuis la réunion" in " ".join(w.value for w in again.warning)
    changes = markdown_text(again)
    assert r"REC\-03 · Réponse sous 15 jours" in changes and r"aujourd'hui \(cible" in changes  # made inert (md)
    assert "relevé conservé à la clôture" in " ".join(c.value for c in again.caption)
    assert shown_then["target"] == 90.0
    tiles_text = [m.value for m in again.markdown if "cible" in m.value and "aujourd'hui" not in m.value]
    assert any("90,0" in t for t in tiles_text) and not any("99,0" in t for t in tiles_text)  # the target then


def test_notes_are_shown_as_text_never_as_markup(app_env, demo_data_dir):
    store = store_of(demo_data_dir)
    meeting_id = store.create_meeting(dt.date(2026, 11, 23), "mois", "2026-10", None, author="test")
    store.add_note(meeting_id, 2, "**gras** [lien](http://x.example) <b>balise</b>", author="test")
    store.set_participants(meeting_id, ["<img src=x onerror=alert(1)>"], author="test")
    app_env(demo_data_dir)
    app = open_app({"reunion": str(meeting_id)}, page=PAGE)
    text = markdown_text(app)
    assert "\\*\\*gras\\*\\* \\[lien\\]" in text and "\\<b\\>balise" in text
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in text


def test_a_closed_meeting_reopens_read_only_and_the_next_one_follows_its_decisions(app_env, demo_data_dir):
    store = store_of(demo_data_dir)
    first = store.create_meeting(dt.date(2026, 8, 20), "trimestre", "2026-T2", None, author="test")
    store.add_decision(first, "Mettre à jour le livret d'accueil.", author="test", pilote="responsable RH",
                       echeance=dt.date(2026, 9, 30), create_action=True)
    store.close_meeting(first, author="test", record={name: canonical({}) for name in PARTS})
    second = store.create_meeting(dt.date(2026, 11, 23), "trimestre", "2026-T3", None, author="test")
    app_env(demo_data_dir)

    closed = open_app({"reunion": str(first)}, page=PAGE)
    assert "lecture seule" in infos(closed)
    assert not [b for b in closed.button if b.label.startswith("Enregistrer")]

    app = open_app({"reunion": str(second)}, page=PAGE)
    followed = next(d.value for d in app.dataframe if "Situation" in d.value.columns)
    assert list(followed["Action"]) == ["RD-2026-08-20-1"]
    assert list(followed["Situation"]) == ["en retard"]  # due 30/09/2026, still « à faire » on 23/11/2026
    assert "Suit la réunion du 20/08/2026" in "\n".join(c.value for c in app.caption)


def bar(app) -> str:
    return next(m for m in markdown_text(app).splitlines() if m.startswith("**Comité · point"))


def test_projector_mode_steps_through_the_agenda_one_screen_at_a_time(app_env, demo_data_dir):
    store = store_of(demo_data_dir)
    meeting_id = store.create_meeting(dt.date(2026, 11, 23), "trimestre", "2026-T3", None, author="test")
    app_env(demo_data_dir)
    app = open_app({"reunion": str(meeting_id), "projecteur": "true"}, page=PAGE)
    assert agenda_headers(app) == [HEADERS[0]]
    assert bar(app).startswith(f"**Comité · point 1 / 8** · {ITEM_TITLES[0]}")
    assert "Réunion du 23/11/2026 · 3e trimestre 2026 · Ensemble" in bar(app) or \
        "Réunion du 23/11/2026 · 3e trimestre 2026 · Ensemble" in markdown_text(app)
    assert app.button(key="point_precedent").disabled
    assert not [t for t in app.title if t.value == "Comité de pilotage qualité"]  # the bar is the header
    screens = []  # (point header, bar) of each screen, « Suivant » after « Suivant »
    while True:
        assert len(agenda_headers(app)) == 1 and len(app.get("vega_lite_chart")) <= 1
        screens.append((agenda_headers(app)[0], bar(app)))
        if app.button(key="point_suivant").disabled:
            break
        app.button(key="point_suivant").click().run()
        assert not app.exception
    points = [HEADERS.index(header) for header, _ in screens]
    assert points == sorted(points) and set(points) == set(range(8))  # every point, in order
    third = [text for header, text in screens if header == HEADERS[2]]
    # Point 3: one screen per indicator off target, each with its trend chart.
    assert len(third) > 1 and all(f"écran {k} / {len(third)}" in text for k, text in enumerate(third, start=1))
    while agenda_headers(app) != [HEADERS[2]]:  # back to point 3's last screen
        app.button(key="point_precedent").click().run()
    assert f"écran {len(third)} / {len(third)}" in bar(app)
    assert not app.exception


def test_an_empty_base_says_there_is_nothing_to_review(app_env, tmp_path):
    app_env(tmp_path)
    store = store_of(tmp_path)
    store.initialise()
    from pilotage_qualite.startup import empty_demo, load_demo

    load_demo(store, load_settings(environ={"PILOTAGE_DONNEES": str(tmp_path)}))
    empty_demo(store, author="test")
    app = open_app(page=PAGE)
    assert "aucune donnée datée" in infos(app)
    assert not agenda_headers(app)


def test_the_lecture_role_reads_meetings_but_gets_no_form(app_env, demo_data_dir, monkeypatch):
    from pilotage_qualite.ui import access

    store = store_of(demo_data_dir)
    meeting_id = store.create_meeting(dt.date(2026, 11, 23), "trimestre", "2026-T3", None, author="test")
    store.add_note(meeting_id, 1, "Note lisible par tous.", author="test")
    monkeypatch.setattr(access, "current_role", lambda: access.READER)
    app_env(demo_data_dir)
    app = open_app({"reunion": str(meeting_id)}, page=PAGE)
    assert "Note lisible par tous\\." in markdown_text(app)  # escaped Markdown
    assert not [b for b in app.button if b.label.startswith(("Enregistrer", "Clore", "Créer"))]
    app = open_app(page=PAGE)  # « Préparer une nouvelle réunion » is not the default: pick it
    next(s for s in app.selectbox if s.label == "Réunion").set_value(0).run()
    assert "réservée au rôle qualité" in "\n".join(c.value for c in app.caption)
    assert not [b for b in app.button if b.label == "Créer la réunion"]


def test_comite_page_archives_the_pack_with_the_meeting(app_env, demo_data_dir: Path):
    app_env(demo_data_dir)
    store = store_of(demo_data_dir)
    meeting_id = store.create_meeting(dt.date(2026, 10, 14), "trimestre", "2026-T3", None, author="qualite")
    app = open_app({"reunion": str(meeting_id)}, page="app_pages/pilotage/comite.py")
    assert "Dossier du comité (PDF)" in [h.value for h in app.header]
    assert "Aucun dossier archivé avec cette réunion." in [c.value for c in app.caption]
    downloads = [d.proto.label for d in app.get("download_button")]
    pdfs = downloads.index("Télécharger le dossier PDF")
    assert downloads[pdfs:pdfs + 2] == ["Télécharger le dossier PDF", "Prélecture (PDF)"]  # the pre-read: tests/system/test_preread.py
    next(b for b in app.button if b.label == "Produire et archiver avec la réunion").click().run()
    assert not app.exception, [e.message for e in app.exception]
    archived = store.meeting_packs(meeting_id)
    assert len(archived) == 1 and store.meeting_pack(int(archived["id"].iloc[0])).startswith(b"%PDF")
    assert any("Dossier archivé n° 1" in s.value for s in app.success)


def test_a_long_decision_is_shown_whole_not_cut(app_env, demo_data_dir):
    store = store_of(demo_data_dir)
    meeting_id = store.create_meeting(dt.date(2026, 11, 23), "trimestre", "2026-T3", None, author="test")
    long_text = ("Réorganiser l'accueil téléphonique des antennes pour répondre à chaque réclamation sous dix jours, "
                 "avec un point d'étape au prochain comité")
    store.add_decision(meeting_id, long_text, author="test")
    app_env(demo_data_dir)
    app = open_app({"reunion": str(meeting_id)}, page=PAGE)
    shown = next(t.value for t in app.table if "Décision" in t.value.columns)  # a static table wraps its cells
    assert list(shown["Décision"]) == [long_text]


def test_a_decision_is_corrected_and_another_withdrawn_from_the_page_with_their_history(app_env, demo_data_dir):
    store = store_of(demo_data_dir)
    meeting_id = store.create_meeting(dt.date(2026, 11, 23), "trimestre", "2026-T3", None, author="test")
    first = store.add_decision(meeting_id, "Former les médiateurs.", author="test")["id"]
    store.add_decision(meeting_id, "Décision prise par erreur.", author="test")
    app_env(demo_data_dir)
    app = open_app({"reunion": str(meeting_id)}, page=PAGE)
    app.text_area(key=f"correction_texte_{first}").input("Former les médiateurs à l'accueil.")
    button(app, "Enregistrer la correction").click().run()
    assert not app.exception and "Décision 1 corrigée" in app.success[0].value
    [b for b in app.button if b.label == "Retirer la décision"][1].click().run()  # the second decision's form
    assert not app.exception and "Décision 2 retirée" in app.success[0].value
    shown = next(d.value for d in app.dataframe if "Action créée" in d.value.columns)
    assert list(shown["Décision"]) == ["Former les médiateurs à l'accueil."]
    history = next(t.value for t in [*app.dataframe, *app.table] if "Version" in t.value.columns)
    assert list(history["État"]) == ["prise", "corrigée", "prise", "retirée"]


def test_a_meeting_date_not_understood_is_said_in_french_and_nothing_is_created(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app({"grain": "Trimestre"}, page=PAGE)
    assert app.text_input(key="reunion_date").placeholder == "jj/mm/aaaa"
    app.text_input(key="reunion_date").input("31/13/2026")
    button(app, "Créer la réunion").click().run()
    assert [e.value for e in app.error] == ["Date non reconnue : « 31/13/2026 » (attendu jj/mm/aaaa)."]
    app.text_input(key="reunion_date").input("")
    button(app, "Créer la réunion").click().run()
    assert [e.value for e in app.error] == ["Indiquez la date de la réunion (jj/mm/aaaa)."]
    assert store_of(demo_data_dir).meetings().empty


def test_a_meetings_date_is_corrected_from_the_page(app_env, demo_data_dir):
    store = store_of(demo_data_dir)
    meeting_id = store.create_meeting(dt.date(2026, 11, 23), "trimestre", "2026-T3", None, author="test")
    app_env(demo_data_dir)
    app = open_app({"reunion": str(meeting_id)}, page=PAGE)
    app.text_input(key="correction_date_reunion").input("30/11/2026")
    button(app, "Corriger la réunion").click().run()
    assert not app.exception and "Réunion corrigée" in app.success[0].value
    assert app.subheader[0].value.startswith("Réunion du 30/11/2026 · période revue : 3e trimestre 2026")


def test_while_a_meeting_is_open_the_projector_has_one_agenda_its_points(app_env, demo_data_dir):
    store = store_of(demo_data_dir)
    meeting_id = store.create_meeting(dt.date(2026, 11, 23), "trimestre", "2026-T3", None, author="test")
    app_env(demo_data_dir)
    # A fiche opened from point 3 of the meeting on the projector: back to point 3, not to a page tour.
    committee = open_app({"reunion": str(meeting_id), "projecteur": "true", "point": "3"}, page=PAGE)
    assert bar(committee).startswith("**Comité · point 3 / 8**")
    fiche = open_app({"projecteur": "true", "indicateur": "REC-03"}, page="app_pages/pilotage/fiche.py")
    links = {link.proto.label: link.proto for link in fiche.get("page_link")}
    assert "Retour au comité" in links and "Suivant" not in links
    assert f"reunion={meeting_id}" in links["Retour au comité"].query_string
    assert "**Hors ordre du jour du comité**" in markdown_text(fiche)
