-- DEM-02 · Délai médian de traitement des demandes
-- What pilotage_qualite.engine.indicator_sql returns for 2026-10 (octobre 2026), one clause per line.
-- Update: UPDATE_SQL_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/engine/test_sql_snapshots.py

-- Query 1 of 1, aggregates of DEM-02: rows of « demandes », flux: date_cloture
WITH _periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) AS (VALUES ('2026-10', 'mois', DATE '2026-10-01', DATE '2026-11-01', DATE '2025-11-01', 24321, 24322)),
    _lignes AS (SELECT 'mois' AS _g,
          (year((date_cloture)) * 12 + month((date_cloture)) - 1) AS _k,
          s.*
      FROM "demandes" s
      WHERE (date_cloture) >= DATE '2026-10-01' AND (date_cloture) < DATE '2026-11-01'),
    _agg AS (SELECT _g,
          _k,
          CASE WHEN GROUPING("site") = 0 THEN 'site' ELSE '' END AS _dimension,
          CASE WHEN GROUPING("site") = 0 THEN coalesce(CAST("site" AS VARCHAR), '(non renseigné)') ELSE '' END AS _modalite,
          CAST((median(date_cloture - date_reception)) AS DOUBLE) AS "_a0",
          CAST((count(*)) AS DOUBLE) AS "_a1"
      FROM _lignes
      GROUP BY GROUPING SETS ((_g, _k), (_g, _k, "site")))
SELECT p._periode,
    a.* EXCLUDE (_g, _k)
FROM _agg a
JOIN _periodes p ON a._g = p._grain AND a._k = p._debut_mois
UNION ALL
SELECT NULL,
    '__vide__',
    NULL,
    CAST((median(date_cloture - date_reception)) AS DOUBLE) AS "_a0",
    CAST((count(*)) AS DOUBLE) AS "_a1"
FROM (SELECT NULL::VARCHAR AS _periode,
      NULL::DATE AS debut,
      NULL::DATE AS fin,
      NULL::DATE AS debut_fenetre,
      s.*
  FROM "demandes" s
  WHERE false) _lignes
