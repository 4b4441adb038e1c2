-- PA-03 · Efficacité des actions évaluée (12 m)
-- What pilotage_qualite.engine.indicator_sql returns for 2026-10 (octobre 2026), one clause per line.
-- Update: UPDATE_SQL_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/engine/test_sql_snapshots.py

-- Query 1 of 1, aggregates of PA-03: rows of « actions », fenetre_12m: date_realisation
WITH _periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) AS (VALUES ('2026-10', 'mois', DATE '2026-10-01', DATE '2026-11-01', DATE '2025-11-01', 24321, 24322)),
    _lignes AS (SELECT x.* EXCLUDE (_lo, _hi)
      FROM (SELECT s.*,
            unnest(range(s._lo, s._hi + 1)) AS _f
        FROM (SELECT *,
              greatest(24322, (year((date_realisation)) * 12 + month((date_realisation)) - 1) + 1) AS _lo,
              least(24322, coalesce((year((date_realisation)) * 12 + month((date_realisation)) - 1) + 12, 24322)) AS _hi
          FROM "actions"
          WHERE ((date_realisation) IS NOT NULL)) s
        WHERE s._lo <= s._hi) x),
    _agg AS (SELECT _f,
          CASE WHEN GROUPING("origine") = 0 THEN 'origine' ELSE '' END AS _dimension,
          CASE WHEN GROUPING("origine") = 0 THEN coalesce(CAST("origine" AS VARCHAR), '(non renseigné)') ELSE '' END AS _modalite,
          CAST((100.0 * count(*) FILTER (WHERE efficacite IN ('efficace', 'non efficace')) / NULLIF(count(*), 0)) AS DOUBLE) AS "_a0",
          CAST((count(*) FILTER (WHERE efficacite IN ('efficace', 'non efficace'))) AS DOUBLE) AS "_a1",
          CAST((count(*)) AS DOUBLE) AS "_a2"
      FROM _lignes
      GROUP BY GROUPING SETS ((_f), (_f, "origine")))
SELECT p._periode,
    a.* EXCLUDE (_f)
FROM _agg a
JOIN _periodes p ON a._f = p._fin_mois
UNION ALL
SELECT NULL,
    '__vide__',
    NULL,
    CAST((100.0 * count(*) FILTER (WHERE efficacite IN ('efficace', 'non efficace')) / NULLIF(count(*), 0)) AS DOUBLE) AS "_a0",
    CAST((count(*) FILTER (WHERE efficacite IN ('efficace', 'non efficace'))) AS DOUBLE) AS "_a1",
    CAST((count(*)) AS DOUBLE) AS "_a2"
FROM (SELECT NULL::VARCHAR AS _periode,
      NULL::DATE AS debut,
      NULL::DATE AS fin,
      NULL::DATE AS debut_fenetre,
      s.*
  FROM "actions" s
  WHERE false) _lignes
