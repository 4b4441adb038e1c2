"""Engine behaviour across indicators: results shape, grains, targets over time, drift,
drill-down, fixed number of queries, no side effect on the caller's connection."""

from __future__ import annotations

import math
from datetime import date, timedelta

import indicator_fixtures
import pandas as pd
import pytest
from indicator_fixtures import DATASETS, add_rows, make_store, row
from indicator_fixtures import ENGINE_CATALOGUE as CATALOGUE

from pilotage_qualite import engine
from pilotage_qualite.engine import assembly, plan, query_sql
from pilotage_qualite.engine.plan import group_units, units_for
from pilotage_qualite.engine.query_sql import stock_plan
from pilotage_qualite.engine.schema_checks import schema_problems
from pilotage_qualite.engine.sql_text import add_filter
from pilotage_qualite.model.coverage import Coverage, CoveredSpan
from pilotage_qualite.model.periods import periods_ending

JUNE = "2025-06"


def compute(conn, ids, periods, **kwargs) -> pd.DataFrame:
    """``ids`` of the engine tests' own catalogue, computed sequentially."""
    return indicator_fixtures.compute(conn, ids, periods, catalogue=CATALOGUE, **kwargs)


def test_the_tests_catalogue_fits_the_declared_datasets():
    assert schema_problems(CATALOGUE, DATASETS) == []


REC = [
    # June: R1 AR in 2 days ✓, R2 in 3 days ✗, R3 none ✗ (Lyon); R4 ✓, R5 ✓ (Saint-Étienne) → 60 %.
    {"numero": "R1", "date_reception": "2025-06-10", "date_accuse_reception": "2025-06-12", "site": "Lyon"},
    {"numero": "R2", "date_reception": "2025-06-10", "date_accuse_reception": "2025-06-13", "site": "Lyon"},
    {"numero": "R3", "date_reception": "2025-06-30", "site": "Lyon"},
    {"numero": "R4", "date_reception": "2025-06-01", "date_accuse_reception": "2025-06-01", "site": "Saint-Étienne"},
    {"numero": "R5", "date_reception": "2025-06-30", "date_accuse_reception": "2025-07-01", "site": "Saint-Étienne"},
]


def test_result_columns_and_types():
    conn = make_store({"reclamations": REC})
    res = compute(conn, ["REC-01", "REC-02"], [JUNE])
    assert list(res.columns) == engine.RESULT_COLUMNS
    ens = row(res, "REC-02", JUNE)
    assert ens.dimension is None and ens.modalite is None
    assert ens.debut == date(2025, 6, 1) and ens.fin == date(2025, 7, 1) and ens.grain == "mois"
    assert ens.titre == "Accusé de réception sous 48 h" and ens.processus == "Réclamations"
    assert ens.unite == "%" and ens.decimales == 1 and ens.n_min == 5
    assert str(res["effectif"].dtype) == "Int64" and res["valeur"].dtype == float
    # Wilson interval around 60 % on 5 rows.
    assert ens.ic_bas == pytest.approx(23.07, abs=0.01) and ens.ic_haut == pytest.approx(88.24, abs=0.01)
    # Counts have no interval.
    assert math.isnan(row(res, "REC-01", JUNE).ic_bas)
    # Every (indicator, period, dimension, value) appears once.
    assert not res.duplicated(["indicateur", "periode", "dimension", "modalite"]).any()


def test_mixed_grains_in_one_call():
    # Interventions: 2 in April, 1 in May, 3 in June, 1 in December 2025, 1 in 2024.
    days = ["2025-04-02", "2025-04-30", "2025-05-15", "2025-06-01", "2025-06-15", "2025-06-30", "2025-12-31",
            "2024-12-31"]
    conn = make_store({"activite": [{"date": d, "site": "Lyon", "registre": "concertation"} for d in days]})
    # The activity export covers December 2024 to December 2025.
    res = compute(conn, "ACT-01", [JUNE, "2025-T2", "2025-T4", "2025"],
                  coverage=covered("activite", "2024-12-01", "2025-12-31"))
    assert row(res, "ACT-01", JUNE).valeur == 3
    assert row(res, "ACT-01", "2025-T2").valeur == 6  # April + May + June
    assert row(res, "ACT-01", "2025-T4").valeur == 1
    assert row(res, "ACT-01", "2025").valeur == 7
    # 2024 is covered in December only: a partial year, its value (1) stands beside its coverage
    assert row(res, "ACT-01", "2025").valeur_precedente == 1
    assert row(compute(conn, "ACT-01", ["2024"], coverage=covered("activite", "2024-12-01", "2025-12-31")),
               "ACT-01", "2024").couverture == "partielle"
    q = row(res, "ACT-01", "2025-T2")
    # 2025-T1 is covered and had no intervention: a real 0; 2024-T2 was never covered: no value
    assert q.valeur_precedente == 0 and math.isnan(q.valeur_annee_precedente)


def test_previous_period_and_same_period_last_year():
    days = ["2024-06-10", "2024-06-11", "2025-05-01", "2025-06-02"]
    conn = make_store({"activite": [{"date": d, "site": "Lyon", "registre": "concertation"} for d in days]})
    r = row(compute(conn, "ACT-01", [JUNE]), "ACT-01", JUNE)
    assert (r.valeur, r.valeur_precedente, r.valeur_annee_precedente) == (1, 1, 2)


def test_targets_change_over_time():
    conn = make_store({"reclamations": REC + [
        # May: 5 acknowledged the same day → 100 %.
        {"numero": f"M{i}", "date_reception": "2025-05-05", "date_accuse_reception": "2025-05-05", "site": "Lyon"}
        for i in range(5)]})
    targets = pd.DataFrame([
        # From June on the quality lead raises the bar: cible 50, seuil 40 (hausse).
        {"indicateur": "REC-02", "date_debut": "2025-06-01", "cible": 50, "seuil": 40},
        # A change dated mid-July does not apply to July (judged on its first day).
        {"indicateur": "REC-02", "date_debut": "2025-07-15", "cible": 70, "seuil": 65},
    ])
    res = compute(conn, "REC-02", ["2025-05", JUNE, "2025-07", "2025-08", "2025-T2"], targets=targets)
    may, june = row(res, "REC-02", "2025-05"), row(res, "REC-02", JUNE)
    assert (may.cible, may.seuil, may.statut) == (95, 85, "atteint")  # shipped target
    assert (june.cible, june.seuil) == (50, 40) and june.statut == "atteint"  # 60 % ≥ 50
    assert row(res, "REC-02", "2025-07").cible == 50
    assert row(res, "REC-02", "2025-08").cible == 70
    assert row(res, "REC-02", "2025-T2").cible == 95  # T2 starts on 04-01
    # Without overrides, June is judged against the shipped target: 60 % < 85 → non atteint.
    assert row(compute(conn, "REC-02", [JUNE]), "REC-02", JUNE).statut == "non atteint"
    # A target can also be removed from a date on: status « suivi ».
    none = [{"indicateur": "REC-02", "date_debut": "2025-01-01", "cible": None, "seuil": None}]
    assert row(compute(conn, "REC-02", [JUNE], targets=none), "REC-02", JUNE).statut == "suivi"


def _interventions(counts_by_month: dict[str, int]) -> list[dict]:
    rows = []
    for month, n in counts_by_month.items():
        rows += [{"date": f"{month}-10", "site": "Lyon", "registre": "concertation"}] * n
    return rows


def covered(dataset: str, first: str, last: str) -> Coverage:
    return Coverage({dataset: [CoveredSpan(date.fromisoformat(first), date.fromisoformat(last))]})


def test_control_chart_on_counts_from_a_frozen_baseline():
    # Twenty months (October 2023 … May 2025) alternating 12 and 10 interventions: XmR centre 11,
    # every moving range 2 → σ̂ = 2 / 1.128 = 1.77305, limits 11 ± 5.31915 = [5.681, 16.319].
    # June 2025: 20 → beyond the upper limit; July: 12, inside the same (frozen) limits.
    months = [p.label for p in periods_ending("2025-05", 20)]
    counts = dict(zip(months, [12, 10] * 10))
    conn = make_store({"activite": _interventions({**counts, JUNE: 20, "2025-07": 12})})
    res = compute(conn, "ACT-01", [JUNE, "2025-07"], coverage=covered("activite", "2023-10-01", "2025-07-31"))
    june, july = row(res, "ACT-01", JUNE), row(res, "ACT-01", "2025-07")
    assert june.carte == "xmr" and june.centre == pytest.approx(11)
    assert june.limite_haute == pytest.approx(16.31915, abs=1e-5)
    assert june.limite_basse == pytest.approx(5.68085, abs=1e-5)
    assert june.signaux == ("point hors des limites",) and june.hors_controle == True  # noqa: E712
    assert june.variation == "variation inhabituelle"  # ACT-01 is followed without a direction
    assert july.limite_haute == june.limite_haute and july.signaux == () and july.variation == "cause commune"


def test_p_chart_on_a_share_with_variation_and_assurance():
    # Twenty months before June 2025, 50 complaints each, 45 acknowledged within 2 days → p̄ = 0.9,
    # n̄·(1 − p̄) = 5: limits 90 ± 300 √(0.9 × 0.1 / 50) = 90 ± 12.728 → [77.27, 100].
    # June: 25 of 50 = 50 % → below: « préoccupation » (higher is better). Target 95 lies inside
    # the limits: met some months and not others by chance alone → « aléatoire ».
    rows = []
    for month in [p.label for p in periods_ending("2025-05", 20)] + [JUNE]:
        for i in range(50):
            late = i >= (25 if month == JUNE else 45)
            rows.append({"numero": f"{month}-{i}", "date_reception": f"{month}-05", "site": "Lyon",
                         "date_accuse_reception": f"{month}-09" if late else f"{month}-05"})
    res = compute(make_store({"reclamations": rows}), "REC-02", [JUNE],
                  coverage=covered("reclamations", "2023-10-01", "2025-06-30"))
    june = row(res, "REC-02", JUNE)
    assert june.carte == "p" and june.valeur == 50 and june.centre == pytest.approx(90)
    assert june.limite_basse == pytest.approx(90 - 300 * math.sqrt(0.09 / 50)) and june.limite_haute == 100
    assert june.variation == "préoccupation" and june.assurance == "aléatoire"


def test_no_limits_before_twelve_covered_points_and_none_for_a_stock():
    # Data from May 2025 only: two covered months before July → « historique trop court ».
    conn = make_store({"activite": _interventions({"2025-05": 3, JUNE: 30})})
    june = row(compute(conn, "ACT-01", [JUNE], coverage=covered("activite", "2025-05-01", "2025-06-30")),
               "ACT-01", JUNE)
    assert math.isnan(june.centre) and pd.isna(june.hors_controle) and june.variation is None
    assert june.sans_limites == "historique trop court"
    # A stock's points overlap from one period to the next: no chart at all.
    requests = [{"numero": "D1", "date_reception": "2025-03-01", "site": "Lyon"}]
    stock = row(compute(make_store({"demandes": requests}), "DEM-04", [JUNE]), "DEM-04", JUNE)
    assert stock.carte == "aucune" and math.isnan(stock.centre)


def test_drill_down_percentage_rows_with_provenance():
    conn = make_store({"reclamations": REC})
    rows = engine.drill_down(conn, CATALOGUE, "REC-02", JUNE)
    assert list(rows.columns[:8]) == ["indicateur", "composante", "au_numerateur", "au_denominateur", "jeu",
                                      "fichier", "_import_id", "_ligne"]
    assert sorted(rows["numero"]) == ["R1", "R2", "R3", "R4", "R5"]
    assert rows.set_index("numero")["au_numerateur"].to_dict() == {
        "R1": True, "R2": False, "R3": False, "R4": True, "R5": True}
    assert rows["au_denominateur"].all()
    assert set(rows["fichier"]) == {"reclamations.xlsx"} and set(rows["_import_id"]) == {1}
    assert rows.set_index("numero")["_ligne"]["R1"] == 2  # first data row under the header
    lyon = engine.drill_down(conn, CATALOGUE, "REC-02", JUNE, "site", "Lyon")
    assert sorted(lyon["numero"]) == ["R1", "R2", "R3"]
    with pytest.raises(engine.EngineError, match="n'est pas ventilé par « canal »"):
        engine.drill_down(conn, CATALOGUE, "REC-02", JUNE, "canal", "courrier")


def test_drill_down_matches_the_value_for_stocks_windows_and_composites():
    from test_indicators import STOCK_DEMANDES

    conn = make_store({"demandes": STOCK_DEMANDES})
    stock = engine.drill_down(conn, CATALOGUE, "DEM-04", JUNE)
    assert sorted(stock["numero"]) == ["A", "C", "E"] and stock["au_numerateur"].isna().all()

    conn = make_store({
        "reclamations": REC[:3],
        "activite": [{"date": "2025-06-05", "site": "Lyon", "registre": "concertation"}] * 2,
    })
    add_rows(conn, "activite", [{"date": "2025-06-06", "site": "Lyon", "registre": "concertation"}],
             import_id=7, fichier="activite_juin_complement.xlsx")
    comp = engine.drill_down(conn, CATALOGUE, "REC-05", JUNE, "site", "Lyon")
    # REC-05 = 1000 × [REC-01] / [ACT-01]: complaint rows are the numerator, interventions the denominator.
    by = comp.groupby("composante")
    assert by.size().to_dict() == {"REC-01": 3, "ACT-01": 3}
    rec_rows = comp[comp.composante == "REC-01"]
    assert rec_rows.au_numerateur.all() and not rec_rows.au_denominateur.any()
    act_rows = comp[comp.composante == "ACT-01"]
    assert act_rows.au_denominateur.all() and set(act_rows.fichier) == {"activite.xlsx", "activite_juin_complement.xlsx"}
    assert sorted(act_rows._import_id) == [2, 2, 7]

    # FOR-01: training rows of the 12-month window are the numerator, staff present at fin the denominator.
    conn = make_store({
        "formations": [{"salarie": "S1", "date": "2024-07-01", "intitule": "x", "heures": 7},
                       {"salarie": "S1", "date": "2024-06-30", "intitule": "y", "heures": 7}],
        "effectifs": [{"salarie": "S1", "fonction": "médiateur", "date_entree": "2020-01-01"}],
    })
    rows = engine.drill_down(conn, CATALOGUE, "FOR-01", JUNE)
    heures = rows[rows.composante == "heures"]
    assert list(heures["date"]) == [pd.Timestamp("2024-07-01")] and heures.au_numerateur.all()
    assert rows[rows.composante == "etp"].au_denominateur.all()


def test_number_of_queries_does_not_depend_on_periods_or_sites(monkeypatch):
    seen = []
    original = assembly.run_all

    def spy(conn, periods, sqls, workers):
        seen.append(len(sqls))
        return original(conn, periods, sqls, workers)

    monkeypatch.setattr(assembly, "run_all", spy)
    sites = [f"Site {k}" for k in range(30)]
    conn = make_store({"activite": [{"date": "2025-06-10", "site": s, "registre": "concertation"} for s in sites]})
    engine.compute(conn, CATALOGUE, [JUNE], workers=1)
    engine.compute(conn, CATALOGUE, periods_ending(JUNE, 36), workers=1)
    assert seen[0] == seen[1] <= len(CATALOGUE)


def test_parallel_and_sequential_runs_agree_and_leave_the_connection_clean():
    from test_indicators import ACTIVITE, INCIDENTS, STOCK_DEMANDES

    conn = make_store({"activite": ACTIVITE, "demandes": STOCK_DEMANDES, "incidents": INCIDENTS,
                       "reclamations": REC})
    periods = periods_ending(JUNE, 3)
    a = engine.compute(conn, CATALOGUE, periods, workers=1)
    b = engine.compute(conn, CATALOGUE, periods, workers=3)
    pd.testing.assert_frame_equal(a, b)
    temp = conn.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0]
    views = conn.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone()[0]
    assert temp == 0 and views == 0


def test_fast_paths_agree_with_the_plain_period_join(monkeypatch):
    # The engine aggregates before joining the periods, and reads stock conditions as intervals,
    # when it can; forcing the plain "join every row to every period" plan must give the same result.
    from test_indicators import FINDINGS, INCIDENTS, STOCK_DEMANDES

    start = date(2023, 1, 1)
    actions = [{"numero": f"A{i}", "intitule": "x", "origine": ["audit", "incident"][i % 2],
                "date_ouverture": str(start + timedelta(days=17 * i)),
                "echeance": str(start + timedelta(days=17 * i + 40)),
                "date_realisation": str(start + timedelta(days=17 * i + (i * 7) % 90)) if i % 3 else None,
                "statut": "abandonnée" if i % 11 == 0 else "en cours",
                "efficacite": ["efficace", "à évaluer", None][i % 3]} for i in range(60)]
    staff = [{"salarie": f"S{i}", "fonction": ["médiateur", "encadrant"][i % 2], "site": ["Lyon", "Bron"][i % 2],
              "date_entree": str(start + timedelta(days=23 * i)), "certifie": i % 3 == 0,
              "date_sortie": str(start + timedelta(days=23 * i + 400)) if i % 4 == 0 else None,
              "date_fin_integration": str(start + timedelta(days=23 * i + 80 + i % 20))} for i in range(50)]
    conn = make_store({"actions": actions, "effectifs": staff, "demandes": STOCK_DEMANDES, "audits": FINDINGS,
                       "incidents": INCIDENTS})
    periods = periods_ending(JUNE, 14) + ["2025-T1", "2024"]
    fast = engine.compute(conn, CATALOGUE, periods, workers=1)
    monkeypatch.setattr(query_sql, "key_kind", lambda attribution, texts: "periode")
    monkeypatch.setattr(query_sql, "stock_plan", lambda condition: None)
    monkeypatch.setattr(plan, "add_filter", lambda expr, condition: None)  # one query per filter
    plain = engine.compute(conn, CATALOGUE, periods, workers=1)
    pd.testing.assert_frame_equal(fast, plain)


def test_units_with_different_filters_share_a_query():
    units = [u for ind in CATALOGUE.with_dependencies(CATALOGUE.ids) for u in units_for(ind)]
    groups = group_units(units)
    by_key = {u.key: g for g in groups for u in g.units}
    assert by_key["I:ACT-01"] is by_key["I:ACT-03"]  # ACT-03 = interventions with orientation
    assert by_key["I:SAT-01"] is by_key["I:SAT-02"] is by_key["I:SAT-03"]
    assert by_key["I:AUD-01"] is by_key["I:AUD-02"]
    aud = by_key["I:AUD-01"]
    assert aud.filtre.count("non-conformité") == 3  # rows of either filter: (mineure or majeure) OR (majeure)
    assert len(groups) < len(units)


def test_add_filter_rewrites_every_aggregate_and_refuses_unknown_functions():
    assert add_filter("coalesce(sum(x), 0) / count(*)", "ok") == \
        "coalesce(sum(x) FILTER (WHERE (ok)), 0) / count(*) FILTER (WHERE (ok))"
    assert add_filter("count(*) FILTER (WHERE a > 1)", "ok") == "count(*) FILTER (WHERE (ok) AND (a > 1))"
    assert add_filter("sum(x) FILTER (WHERE a IN ('sum(', 'b'))", "ok") == \
        "sum(x) FILTER (WHERE (ok) AND (a IN ('sum(', 'b')))"
    assert add_filter("mystery(x)", "ok") is None
    assert add_filter("sum(x) OVER ()", "ok") is None


def test_stock_condition_reading():
    reading = stock_plan("date_reception < fin - 30 AND (date_cloture IS NULL OR date_cloture >= fin)")
    assert len(reading.lows) == 1 and len(reading.highs) == 1 and not reading.post_filters
    reading = stock_plan("date_ouverture < fin AND echeance < fin AND statut IS DISTINCT FROM 'abandonnée' "
                         "AND (date_realisation IS NULL OR date_realisation >= fin)")
    assert len(reading.lows) == 2 and reading.row_filters == ("statut IS DISTINCT FROM 'abandonnée'",)
    # Anything not understood stays a plain condition (correct, just slower).
    assert stock_plan("date_a < fin OR date_b < fin") is None
    assert stock_plan("date_a BETWEEN debut AND fin") is None
    reading = stock_plan("date_a < fin AND date_b - date_a > fin - debut")
    assert reading.post_filters == ("date_b - date_a > fin - debut",)


def test_unknown_indicator_and_bad_period():
    conn = make_store()
    with pytest.raises(engine.EngineError, match="« XXX-01 » absent du catalogue"):
        engine.compute(conn, CATALOGUE, [JUNE], indicator_ids=["XXX-01"])
    from pilotage_qualite.model.periods import PeriodError

    with pytest.raises(PeriodError):
        engine.compute(conn, CATALOGUE, ["juin"])


def test_indicator_sql_is_available_for_the_fiche():
    sql = engine.indicator_sql(CATALOGUE, "REC-02", [JUNE])
    assert len(sql) == 1 and "date_accuse_reception" in sql[0] and "GROUPING SETS" in sql[0]
    conn = make_store({"reclamations": REC})
    shown = conn.execute(sql[0]).df()
    assert set(shown["_periode"].dropna()) == {JUNE}
    assert (shown["_dimension"] == "__vide__").sum() == 1  # the values over no rows


def test_engine_agrees_with_a_plain_python_reading_of_the_definitions():
    # Random rows (fixed seed); each definition re-read literally in Python, period by period.
    import random

    from pilotage_qualite.model.periods import add_months, parse_period

    rnd = random.Random(7)
    start = date(2023, 1, 1)

    def day(span=900):
        return start + timedelta(days=rnd.randrange(span))

    demandes = []
    for i in range(120):
        rec = day()
        clo = rec + timedelta(days=rnd.randrange(60)) if rnd.random() < 0.8 else None
        demandes.append({"numero": f"D{i}", "date_reception": str(rec), "site": rnd.choice(["Lyon", "Bron"]),
                         "date_cloture": str(clo) if clo else None})
    actions = []
    for i in range(80):
        done = day() if rnd.random() < 0.7 else None
        actions.append({"numero": f"A{i}", "intitule": "x", "origine": rnd.choice(["audit", "incident"]),
                        "date_ouverture": "2022-12-01", "echeance": str(day()),
                        "date_realisation": str(done) if done else None,
                        "efficacite": rnd.choice(["efficace", "non efficace", "à évaluer", None])})
    conn = make_store({"demandes": demandes, "actions": actions})
    periods = periods_ending("2025-03", 8) + ["2024-T4", "2024"]
    res = compute(conn, ["DEM-03", "DEM-04", "PA-03"], periods)

    as_date = lambda s: date.fromisoformat(s) if s else None  # noqa: E731
    for label in map(str, periods):
        p = parse_period(label)
        closed = [d for d in demandes if d["date_cloture"] and p.debut <= as_date(d["date_cloture"]) < p.fin]
        quick = [d for d in closed if (as_date(d["date_cloture"]) - as_date(d["date_reception"])).days <= 15]
        dem03 = row(res, "DEM-03", label)
        assert dem03.effectif == len(closed)
        if closed:
            assert dem03.valeur == pytest.approx(100 * len(quick) / len(closed))
        else:
            assert math.isnan(dem03.valeur)
        waiting = [d for d in demandes if as_date(d["date_reception"]) < p.fin - timedelta(days=30)
                   and (d["date_cloture"] is None or as_date(d["date_cloture"]) >= p.fin)]
        assert row(res, "DEM-04", label).valeur == len(waiting)
        assert row(res, "DEM-04", label, "site", "Bron").valeur == sum(d["site"] == "Bron" for d in waiting)
        window_start = add_months(p.fin, -12)
        done = [a for a in actions if a["date_realisation"] and window_start <= as_date(a["date_realisation"]) < p.fin]
        judged = [a for a in done if a["efficacite"] in ("efficace", "non efficace")]
        pa03 = row(res, "PA-03", label)
        assert pa03.effectif == len(done)
        assert pa03.valeur == pytest.approx(100 * len(judged) / len(done))
