-- PA-02 · Actions en retard
-- What pilotage_qualite.engine.indicator_sql returns for 2026-10 (octobre 2026), one clause per line.
-- Update: UPDATE_SQL_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/engine/test_sql_snapshots.py

-- Query 1 of 1, aggregates of PA-02: rows of « actions », stock: date_ouverture < fin AND echeance < fin AND statut IS DISTINCT FROM 'abandonnée' AND (date_realisation IS NULL OR date_realisation >= fin)
WITH _periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) AS (VALUES ('2026-10', 'mois', DATE '2026-10-01', DATE '2026-11-01', DATE '2025-11-01', 24321, 24322)),
    _lignes AS (SELECT x.* EXCLUDE (_lo, _hi)
      FROM (SELECT s.*,
            unnest(range(s._lo, s._hi + 1)) AS _f
        FROM (SELECT *,
              greatest(24322, (year((date_ouverture)) * 12 + month((date_ouverture)) - 1) + 1, (year((echeance)) * 12 + month((echeance)) - 1) + 1) AS _lo,
              least(24322, coalesce((year((date_realisation)) * 12 + month((date_realisation)) - 1) + 0, 24322)) AS _hi
          FROM "actions"
          WHERE (statut IS DISTINCT FROM 'abandonnée') AND ((date_ouverture) IS NOT NULL) AND ((echeance) IS NOT NULL)) s
        WHERE s._lo <= s._hi) x),
    _agg AS (SELECT _f,
          CASE WHEN GROUPING("origine") = 0 THEN 'origine' ELSE '' END AS _dimension,
          CASE WHEN GROUPING("origine") = 0 THEN coalesce(CAST("origine" AS VARCHAR), '(non renseigné)') ELSE '' END AS _modalite,
          CAST((count(*)) AS DOUBLE) AS "_a0"
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
    CAST((count(*)) AS DOUBLE) AS "_a0"
FROM (SELECT NULL::VARCHAR AS _periode,
      NULL::DATE AS debut,
      NULL::DATE AS fin,
      NULL::DATE AS debut_fenetre,
      s.*
  FROM "actions" s
  WHERE false) _lignes
