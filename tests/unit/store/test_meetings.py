"""Committee meetings in the store and the agenda of ISO 9001 §9.3 built on the demo data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from pilotage_qualite import engine
from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.model.meeting_record import PARTS, WHOLE, canonical
from pilotage_qualite.model.meetings import Decision
from pilotage_qualite.model.periods import parse_period, periods_ending
from pilotage_qualite.model.status import OFF_TARGET
from pilotage_qualite.reports import agenda, selections
from pilotage_qualite.reports.process_queries.audits import open_findings
from pilotage_qualite.startup import open_store
from pilotage_qualite.store import Store
from pilotage_qualite.store.database import StoreError

D = dt.date
USER = "qualité (local)"
# A record for the store's own tests (the store keeps and fingerprints texts, whatever they hold);
# the record the Comité page builds is tested below with the demo.
RECORD = {name: canonical({"partie": name}) for name in PARTS}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture
def demo_store(demo_data_dir: Path) -> Store:
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)})
    return open_store(settings)


@pytest.fixture
def empty_store(tmp_path: Path) -> Store:
    created = Store(tmp_path / "base.duckdb", load_datasets(), busy_timeout_s=5)
    created.initialise()
    return created


def results_for(store: Store, catalogue, label: str, count: int = 13) -> pd.DataFrame:
    with store.connect() as conn:
        return engine.compute(conn, catalogue, periods_ending(parse_period(label), count),
                              targets=store.target_changes())


def late_actions(store: Store, catalogue, label: str) -> float:
    """PA-02 (actions late at the end of the period), Ensemble."""
    with store.connect() as conn:
        rows = engine.compute(conn, catalogue, [label], indicator_ids=["PA-02"])
    return float(rows[rows["dimension"].isna()]["valeur"].iloc[0])


# --- store ------------------------------------------------------------------------------------

def test_a_meeting_keeps_attendees_notes_and_decisions_with_their_history(empty_store: Store):
    meeting_id = empty_store.create_meeting(D(2026, 11, 23), "trimestre", "2026-T3", None, author=USER)
    empty_store.set_participants(meeting_id, ["Directrice", "Référente qualité"], author=USER)
    empty_store.set_participants(meeting_id, ["Directrice", " ", "Référente qualité", "Directrice",
                                              "Chef d'équipe Lyon"], author="A. Martin")
    empty_store.add_note(meeting_id, 3, "REC-03 en baisse : deux réponses tardives.", author=USER)
    empty_store.add_note(meeting_id, 3, "REC-03 en baisse : deux réponses tardives, relance faite.", author=USER)
    empty_store.add_note(meeting_id, 7, "Quatre actions en retard.", author=USER)
    empty_store.add_decision(meeting_id, "Relire la procédure de réponse aux réclamations.", author=USER)

    meeting = empty_store.meeting(meeting_id)
    assert (meeting.id, meeting.day, meeting.period) == (meeting_id, D(2026, 11, 23), parse_period("2026-T3"))
    assert meeting.period.grain == "trimestre"
    assert meeting.site is None and meeting.is_open and meeting.status == "ouverte" and meeting.closed_on is None
    assert meeting.participants == ("Directrice", "Référente qualité", "Chef d'équipe Lyon")
    assert meeting.notes == {3: "REC-03 en baisse : deux réponses tardives, relance faite.",
                             7: "Quatre actions en retard."}
    assert meeting.decisions == (Decision(1, "Relire la procédure de réponse aux réclamations.", None, None, None),)
    with empty_store.connect() as conn:  # earlier versions are kept, never overwritten
        notes = [row[0] for row in conn.execute("SELECT texte FROM reunion_notes WHERE reunion_id = ? ORDER BY id",
                                                [meeting_id]).fetchall()]
        attendees_versions = conn.execute("SELECT count(*) FROM reunion_participants WHERE reunion_id = ?",
                                          [meeting_id]).fetchall()[0][0]
    assert len(notes) == 3 and notes[0] == "REC-03 en baisse : deux réponses tardives."
    assert attendees_versions == 2


def test_a_closed_meeting_refuses_every_write(empty_store: Store):
    meeting_id = empty_store.create_meeting(D(2026, 11, 23), "mois", "2026-10", "Lyon 8e", author=USER)
    empty_store.close_meeting(meeting_id, author=USER, record=RECORD)
    before = empty_store.version()
    writes = [lambda: empty_store.add_note(meeting_id, 1, "Trop tard.", author=USER),
              lambda: empty_store.set_participants(meeting_id, ["Quelqu'un"], author=USER),
              lambda: empty_store.add_decision(meeting_id, "Décision tardive.", author=USER, pilote="direction",
                                               echeance=D(2027, 1, 31), create_action=True),
              lambda: empty_store.close_meeting(meeting_id, author=USER, record=RECORD)]
    for attempt in writes:
        with pytest.raises(StoreError, match="réunion du 23/11/2026 est close"):
            attempt()
    assert empty_store.version() == before
    assert empty_store.live_rows("actions").empty
    meeting = empty_store.meeting(meeting_id)
    assert not meeting.is_open and meeting.status == "close" and isinstance(meeting.closed_on, dt.datetime)


def test_bad_meeting_writes_say_why_and_write_nothing(empty_store: Store):
    meeting_id = empty_store.create_meeting(D(2026, 11, 23), "trimestre", "2026-T3", None, author=USER)
    before = empty_store.version()
    with pytest.raises(StoreError, match="pilote et son échéance"):
        empty_store.add_decision(meeting_id, "Former l'équipe.", author=USER, create_action=True)
    with pytest.raises(StoreError, match="précède la date de la réunion"):
        empty_store.add_decision(meeting_id, "Former l'équipe.", author=USER, pilote="direction",
                                 echeance=D(2026, 1, 1), create_action=True)
    with pytest.raises(StoreError, match="vide"):
        empty_store.add_note(meeting_id, 2, "  ", author=USER)
    with pytest.raises(StoreError, match="points 1 à 8"):
        empty_store.add_note(meeting_id, 9, "Hors ordre du jour.", author=USER)
    with pytest.raises(StoreError, match="n'existe pas"):
        empty_store.add_note(99, 1, "Aucune réunion.", author=USER)
    assert empty_store.version() == before and empty_store.journal().empty


def test_every_meeting_write_changes_the_version(empty_store: Store):
    versions = [empty_store.version()]
    meeting_id = empty_store.create_meeting(D(2026, 11, 23), "trimestre", "2026-T3", None, author=USER)
    versions.append(empty_store.version())
    empty_store.set_participants(meeting_id, ["Directrice"], author=USER)
    versions.append(empty_store.version())
    empty_store.add_note(meeting_id, 1, "Rien à signaler.", author=USER)
    versions.append(empty_store.version())
    empty_store.add_decision(meeting_id, "Rien.", author=USER)
    versions.append(empty_store.version())
    empty_store.close_meeting(meeting_id, author=USER, record=RECORD)
    versions.append(empty_store.version())
    assert len(set(versions)) == len(versions)


def test_previous_meeting_is_the_one_before_for_the_same_scope(empty_store: Store):
    first = empty_store.create_meeting(D(2026, 8, 20), "trimestre", "2026-T2", None, author=USER)
    lyon = empty_store.create_meeting(D(2026, 9, 10), "mois", "2026-08", "Lyon 8e", author=USER)
    second = empty_store.create_meeting(D(2026, 11, 23), "trimestre", "2026-T3", None, author=USER)
    assert empty_store.previous_meeting(second).id == first
    assert empty_store.previous_meeting(first) is None and empty_store.previous_meeting(lyon) is None
    assert list(empty_store.meetings()["id"]) == [second, lyon, first]


# --- decisions that open actions -----------------------------------------------------------------

def test_a_decision_opens_an_action_that_indicators_count_and_the_next_meeting_follows(demo_store: Store,
                                                                                        catalogue):
    late_before = late_actions(demo_store, catalogue, "2027-01")
    meeting_id = demo_store.create_meeting(D(2026, 11, 23), "trimestre", "2026-T3", None, author=USER)
    created = demo_store.add_decision(meeting_id, "Former les médiateurs à la gestion des conflits.", author=USER,
                                      pilote="responsable formation", echeance=D(2026, 12, 31), create_action=True)
    second = demo_store.add_decision(meeting_id, "Relancer les partenaires pour l'enquête.", author=USER,
                                     pilote="directrice", echeance=D(2027, 3, 31), create_action=True)
    assert (created["action_numero"], second["action_numero"]) == ("RD-2026-11-23-1", "RD-2026-11-23-2")

    live = demo_store.live_rows("actions").set_index("numero")
    action = live.loc["RD-2026-11-23-1"]
    assert action["intitule"] == "Former les médiateurs à la gestion des conflits."
    assert (action["origine"], action["statut"], action["pilote"]) == ("revue de direction", "à faire",
                                                                       "responsable formation")
    assert pd.Timestamp(action["date_ouverture"]).date() == D(2026, 11, 23)
    assert pd.Timestamp(action["echeance"]).date() == D(2026, 12, 31)
    journal = demo_store.journal().set_index("id")
    entry = journal.loc[created["import_id"]]
    assert (entry["jeu"], entry["fichier"], entry["lignes_ajoutees"]) == ("actions", "Revue de direction du 23/11/2026", 1)
    # PA-02 counts it once its deadline has passed, like any imported action.
    assert late_actions(demo_store, catalogue, "2027-01") == late_before + 1
    demo_store.close_meeting(meeting_id, author=USER, record=RECORD)

    following = demo_store.create_meeting(D(2027, 2, 20), "trimestre", "2026-T4", None, author=USER)
    built = agenda.build_agenda(demo_store, catalogue, results_for(demo_store, catalogue, "2026-T4"),
                                parse_period("2026-T4"), None, meeting=demo_store.meeting(following))
    assert built.previous.id == meeting_id
    followed = built.items[0].tables[0].data.set_index("action_numero")
    assert followed.loc["RD-2026-11-23-1", "situation"] == "en retard"  # due 31/12/2026, met on 20/02/2027
    assert followed.loc["RD-2026-11-23-2", "situation"] == "à faire, dans les délais"
    assert followed.loc["RD-2026-11-23-1", "texte"] == "Former les médiateurs à la gestion des conflits."

    # Undoing the action's import takes it out of the plan; its number is never given again.
    demo_store.undo(created["import_id"], author=USER)
    again = agenda.decision_status(demo_store, demo_store.meeting(meeting_id).decisions, D(2027, 2, 20))
    assert again.set_index("action_numero").loc["RD-2026-11-23-1", "situation"] == "action absente du plan (import annulé)"
    other = demo_store.create_meeting(D(2026, 11, 23), "mois", "2026-10", "Lyon 8e", author=USER)
    assert demo_store.add_decision(other, "Autre décision.", author=USER, pilote="direction", echeance=D(2027, 1, 15),
                                   create_action=True)["action_numero"] == "RD-2026-11-23-3"


# --- agenda ----------------------------------------------------------------------------------------

def test_the_agenda_has_the_eight_points_of_the_management_review(demo_store: Store, catalogue):
    period = parse_period("2026-T3")
    results = results_for(demo_store, catalogue, "2026-T3")
    demo_store.add_comment("PA-02", "2026-T3", None, "Retards concentrés sur les actions d'audit.", author=USER)
    meeting_id = demo_store.create_meeting(D(2026, 11, 23), "trimestre", "2026-T3", None, author=USER)
    demo_store.add_note(meeting_id, 7, "Revoir les échéances avec les pilotes.", author=USER)
    built = agenda.build_agenda(demo_store, catalogue, results, period, None, meeting=demo_store.meeting(meeting_id))

    assert [i.number for i in built.items] == list(range(1, 9))
    assert [i.title for i in built.items] == list(agenda.ITEM_TITLES)
    assert built.items[0].tables == [] and "Première réunion" in built.items[0].facts[0]
    assert sum(built.status_counts.values()) == len(catalogue.ids)
    assert built.reference == parse_period("2026-T2")

    tiles = selections.tiles(results, period, None, catalogue.ids)
    off = built.item("hors_cible")
    expected = {tile.indicator for tile in tiles if tile.status in OFF_TARGET or tile.out_of_control}
    assert {tile.indicator for tile in off.tiles} == expected and len(off.trends) == len(expected)
    for trend in off.trends:
        assert len(trend.rows) == agenda.TREND_PERIODS and trend.rows["periode"].iloc[-1] == "2026-T3"
    by_id = {t.indicator: t for t in off.trends}
    assert by_id["PA-02"].comment["texte"] == "Retards concentrés sur les actions d'audit."

    plan = built.item("plan_amelioration")
    assert plan.note == "Revoir les échéances avec les pilotes."
    late = plan.tables[0].data
    pa02 = next(tile.value for tile in tiles if tile.indicator == "PA-02")
    assert len(late) == pa02  # the late actions listed add up to PA-02
    with demo_store.connect() as conn:
        expected_findings = open_findings(conn, period)
    assert len(built.item("audits").tables[0].data) == len(expected_findings) > 0
    assert {tile.indicator for tile in built.item("audits").tiles} == {"AUD-01", "AUD-02"}
    assert {tile.indicator for tile in built.item("securite").tiles} == {"SEC-01", "SEC-02", "SEC-03"}
    assert {tile.indicator for tile in plan.tiles} == {"PA-01", "PA-02", "PA-03"}
    for item in built.items:
        for table in item.tables:
            assert set(table.columns) <= set(table.data.columns), table.title


def test_the_summary_lists_the_statuses_that_changed(demo_store: Store, catalogue):
    results = results_for(demo_store, catalogue, "2026-T3")
    built = agenda.build_agenda(demo_store, catalogue, results, parse_period("2026-T3"), None)
    before = {t.indicator: t.status for t in selections.tiles(results, parse_period("2026-T2"), None, catalogue.ids)}
    now = {t.indicator: t.status for t in selections.tiles(results, parse_period("2026-T3"), None, catalogue.ids)}
    changed = built.item("synthese").tables[0].data
    assert set(changed["indicateur"]) == {i for i, status in now.items() if status != before.get(i)}
    assert set(changed["evolution"]) <= {"amélioration", "dégradation", "changement"}


def test_an_empty_base_gives_an_agenda_that_says_what_is_missing(empty_store: Store, catalogue):
    period = parse_period("2026-10")
    results = results_for(empty_store, catalogue, "2026-10")
    built = agenda.build_agenda(empty_store, catalogue, results, period, "Lyon 8e")
    assert built.item("audits").missing == [empty_store.datasets["audits"].label]
    assert built.item("plan_amelioration").missing == [empty_store.datasets["actions"].label]
    assert built.status_counts["pas de données"] + built.status_counts["effectif insuffisant"] \
        + built.status_counts["suivi"] >= 1
    assert built.item("nouvelles_decisions").tables[0].data.empty


def test_a_decision_names_the_indicators_it_concerns_and_its_action_is_linked_to_them(empty_store: Store):
    from pilotage_qualite.reports.process_queries.actions import linked_actions

    meeting_id = empty_store.create_meeting(D(2026, 11, 23), "mois", "2026-10", None, author=USER)
    created = empty_store.add_decision(meeting_id, "Relancer les services sous 10 jours.", author=USER,
                                       pilote="responsable qualité", echeance=D(2027, 1, 31), create_action=True,
                                       indicateurs=["REC-03", "SAT-01", "REC-03"])
    decision = empty_store.meeting(meeting_id).decisions[0]
    assert decision.indicators == ("REC-03", "SAT-01")  # a code given twice is kept once
    # Its action carries the codes as an imported action would (« REC-03, SAT-01 ») ...
    with empty_store.connect() as conn:
        assert conn.execute("SELECT indicateurs FROM actions WHERE numero = ?",
                            [created["action_numero"]]).fetchone() == ("REC-03, SAT-01",)
        # ... so REC-03's fiche lists it on purpose, in the month after the meeting.
        linked = linked_actions(conn, parse_period("2026-12"), None, code="REC-03", cited_by={}, origins=())
    assert list(zip(linked["numero"], linked["lien"])) == [(created["action_numero"], "liée à REC-03")]


def test_a_closed_meeting_keeps_the_record_of_what_it_showed_and_verify_names_any_part_changed(
        demo_store: Store, catalogue):
    from pilotage_qualite.reports.meeting_record import record_parts

    meeting_id = demo_store.create_meeting(D(2026, 11, 23), "mois", "2026-10", None, author=USER)
    demo_store.set_participants(meeting_id, ["Directrice"], author=USER)
    shown = agenda.build_agenda(demo_store, catalogue, results_for(demo_store, catalogue, "2026-10"),
                                parse_period("2026-10"), None, meeting=demo_store.meeting(meeting_id))
    whole = demo_store.close_meeting(meeting_id, author=USER, record=record_parts(shown, catalogue))
    listed = demo_store.meetings().set_index("id")
    assert listed.loc[meeting_id, "empreinte"] == whole and len(whole) == 64

    kept = demo_store.meeting_record(meeting_id)
    assert tuple(kept) == PARTS
    tiles = {t["indicator"]: t for t in json.loads(kept["indicateurs"])["tuiles"]}
    rec_03 = next(t for t in shown.tiles if t.indicator == "REC-03")
    assert (tiles["REC-03"]["value"], tiles["REC-03"]["status"], tiles["REC-03"]["target"]) == (
        rec_03.value, rec_03.status, rec_03.target)
    assert json.loads(kept["participants"]) == ["Directrice"]
    assert demo_store.verify_meeting(meeting_id) == []

    # Someone edits a figure of the record in the base: `verifier` names that part.
    with demo_store.transaction() as conn:
        conn.execute("UPDATE reunion_instantanes SET contenu = replace(contenu, '\"REC-03\"', '\"REC-3\"') "
                     "WHERE reunion_id = ? AND partie = 'indicateurs'", [meeting_id])
    assert demo_store.verify_meeting(meeting_id) == ["indicateurs"]
    # ... and recomputing that part's fingerprint to match leaves the whole record's one wrong.
    from pilotage_qualite.model.meeting_record import fingerprint
    altered = demo_store.meeting_record(meeting_id)["indicateurs"]
    with demo_store.transaction() as conn:
        conn.execute("UPDATE reunion_instantanes SET empreinte = ? WHERE reunion_id = ? AND partie = 'indicateurs'",
                     [fingerprint(altered), meeting_id])
    assert demo_store.verify_meeting(meeting_id) == [WHOLE]


def test_verify_refuses_a_meeting_not_closed(empty_store: Store):
    meeting_id = empty_store.create_meeting(D(2026, 11, 23), "mois", "2026-10", None, author=USER)
    with pytest.raises(StoreError, match="n'a pas été close"):
        empty_store.verify_meeting(meeting_id)


def test_the_command_line_lists_meetings_with_their_fingerprint_and_verifies_them(demo_store: Store, capsys):
    from pilotage_qualite import cli

    meeting_id = demo_store.create_meeting(D(2026, 11, 23), "mois", "2026-10", None, author=USER)
    open_one = demo_store.create_meeting(D(2026, 12, 1), "mois", "2026-11", "Lyon 8e", author=USER)
    whole = demo_store.close_meeting(meeting_id, author=USER, record=RECORD)
    base = str(demo_store.path)
    assert cli.main(["--base", base, "reunions", "--format", "json"]) == 0
    listed = {m["id"]: m for m in json.loads(capsys.readouterr().out)}
    assert listed[meeting_id] == {"id": meeting_id, "date": "2026-11-23", "periode": "2026-10", "site": None,
                                  "etat": "close", "empreinte": whole}
    assert (listed[open_one]["etat"], listed[open_one]["empreinte"], listed[open_one]["site"]) == (
        "ouverte", None, "Lyon 8e")

    assert cli.main(["--base", base, "verifier", str(meeting_id)]) == 0
    assert "relevé intact" in capsys.readouterr().out
    with demo_store.transaction() as conn:
        conn.execute("UPDATE reunion_instantanes SET contenu = '[]' WHERE reunion_id = ? AND partie = 'decisions'",
                     [meeting_id])
    assert cli.main(["--base", base, "verifier", str(meeting_id)]) == 1
    assert "la partie « decisions » (les décisions) a changé depuis la clôture" in capsys.readouterr().out
    assert cli.main(["--base", base, "verifier", str(open_one)]) == 2  # never closed: said, bad input
    assert "n'a pas été close" in capsys.readouterr().err


def test_the_closed_meetings_a_change_touches_are_those_whose_period_meets_its_days(empty_store: Store):
    # A meeting reviewing the 3rd quarter of 2026 (01/07 … 30/09), closed; another still open.
    closed = empty_store.create_meeting(D(2026, 10, 20), "trimestre", "2026-T3", None, author=USER)
    empty_store.close_meeting(closed, author=USER, record=RECORD)
    empty_store.create_meeting(D(2026, 11, 20), "mois", "2026-10", None, author=USER)
    touching = lambda first, last=None: [m.id for m in empty_store.closed_meetings_reviewing(first, last)]  # noqa: E731
    assert touching(D(2026, 9, 30)) == [closed]  # a target from the quarter's last day on
    assert touching(D(2026, 10, 1)) == []  # from the day after: the open meeting does not count
    assert touching(D(2026, 1, 1), D(2026, 6, 30)) == []  # a file of the first half-year
    assert touching(D(2026, 6, 1), D(2026, 7, 1)) == [closed]  # a file reaching its first day


def test_an_import_touching_a_closed_meeting_is_said_on_stderr_and_still_done(demo_store: Store, tmp_path, capsys):
    from import_corpus import xlsx

    from pilotage_qualite import cli

    meeting_id = demo_store.create_meeting(D(2026, 10, 20), "trimestre", "2026-T3", None, author=USER)
    demo_store.close_meeting(meeting_id, author=USER, record=RECORD)
    plan = xlsx(tmp_path / "incidents-septembre.xlsx", ("Feuil1", [
        ["Date", "Site", "Type"], [D(2026, 9, 14), "Lyon 8e", "agression verbale"]]))
    code = cli.main(["--base", str(demo_store.path), "importer", str(plan), "--jeu", "incidents", "--remplacer"])
    out, err = capsys.readouterr()
    assert code == 0 and "import n°" in out
    assert (f"Attention : L’import de « incidents-septembre.xlsx » touche une période déjà revue en comité et "
            f"close : la réunion n° {meeting_id} du 20/10/2026 (3e trimestre 2026, Ensemble de la structure)") in err


def test_a_decision_is_corrected_or_withdrawn_before_closing_and_its_versions_are_kept(empty_store: Store):
    meeting_id = empty_store.create_meeting(D(2026, 11, 23), "mois", "2026-10", None, author=USER)
    first = empty_store.add_decision(meeting_id, "Relire la procédure de réponse aux réclamatoins.", author=USER)["id"]
    second = empty_store.add_decision(meeting_id, "Acheter un photocopieur.", author=USER)["id"]
    empty_store.correct_decision(first, "Relire la procédure de réponse aux réclamations.", author="A. Martin")
    empty_store.correct_decision(second, None, author=USER)  # withdrawn
    decisions = empty_store.meeting(meeting_id).decisions
    assert [(d.id, d.text, d.corrected) for d in decisions] == [
        (first, "Relire la procédure de réponse aux réclamations.", True)]  # the withdrawn one is gone
    history = empty_store.decision_history(meeting_id)
    assert list(zip(history["decision"], history["version"], history["etat"], history["texte"].fillna("—"))) == [
        (first, 1, "prise", "Relire la procédure de réponse aux réclamatoins."),
        (first, 2, "corrigée", "Relire la procédure de réponse aux réclamations."),
        (second, 1, "prise", "Acheter un photocopieur."),
        (second, 2, "retirée", "—")]
    with pytest.raises(StoreError, match="déjà retirée"):
        empty_store.correct_decision(second, "Finalement oui.", author=USER)
    with pytest.raises(StoreError, match="est vide"):
        empty_store.correct_decision(first, "  ", author=USER)
    empty_store.close_meeting(meeting_id, author=USER, record=RECORD)
    with pytest.raises(StoreError, match="est close"):
        empty_store.correct_decision(first, "Trop tard.", author=USER)


def test_an_open_meetings_date_and_period_are_corrected_and_the_first_version_is_kept(empty_store: Store):
    meeting_id = empty_store.create_meeting(D(2026, 11, 23), "mois", "2026-09", None, author=USER)
    empty_store.correct_meeting(meeting_id, D(2026, 11, 24), "mois", "2026-10", author="A. Martin")
    meeting = empty_store.meeting(meeting_id)
    assert (meeting.day, meeting.period) == (D(2026, 11, 24), parse_period("2026-10"))
    listed = empty_store.meetings().set_index("id").loc[meeting_id]
    assert (listed["periode"], pd.Timestamp(listed["date_reunion"]).date()) == ("2026-10", D(2026, 11, 24))
    with empty_store.connect() as conn:  # the meeting as created stays
        assert conn.execute("SELECT date_reunion, periode FROM reunions WHERE id = ?", [meeting_id]).fetchone() == (
            D(2026, 11, 23), "2026-09")
    with pytest.raises(StoreError, match="Rien n'a été enregistré"):
        empty_store.correct_meeting(meeting_id, D(2026, 11, 24), "mois", "2026-13", author=USER)
    empty_store.close_meeting(meeting_id, author=USER, record=RECORD)
    with pytest.raises(StoreError, match="est close"):
        empty_store.correct_meeting(meeting_id, D(2026, 11, 25), "mois", "2026-10", author=USER)
