-- REC-04 · Réclamations ouvertes depuis plus de 30 jours
-- What pilotage_qualite.engine.indicator_sql returns for 2026-10 (octobre 2026), one clause per line.
-- Update: UPDATE_SQL_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/engine/test_sql_snapshots.py

-- Query 1 of 1, aggregates of REC-04: rows of « reclamations », stock: date_reception < fin - 30 AND (date_cloture IS NULL OR date_cloture >= fin)
WITH _periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) AS (VALUES ('2026-10', 'mois', DATE '2026-10-01', DATE '2026-11-01', DATE '2025-11-01', 24321, 24322)),
    _lignes AS (SELECT x.* EXCLUDE (_lo, _hi)
      FROM (SELECT s.*,
            unnest(range(s._lo, s._hi + 1)) AS _f
        FROM (SELECT *,
              greatest(24322, (year((CAST((date_reception) AS DATE) + 30)) * 12 + month((CAST((date_reception) AS DATE) + 30)) - 1) + 1) AS _lo,
              least(24322, coalesce((year((date_cloture)) * 12 + month((date_cloture)) - 1) + 0, 24322)) AS _hi
          FROM "reclamations"
          WHERE ((CAST((date_reception) AS DATE) + 30) IS NOT NULL)) s
        WHERE s._lo <= s._hi) x),
    _agg AS (SELECT _f,
          CASE WHEN GROUPING("site") = 0 THEN 'site' ELSE '' END AS _dimension,
          CASE WHEN GROUPING("site") = 0 THEN coalesce(CAST("site" AS VARCHAR), '(non renseigné)') ELSE '' END AS _modalite,
          CAST((count(*)) AS DOUBLE) AS "_a0"
      FROM _lignes
      GROUP BY GROUPING SETS ((_f), (_f, "site")))
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
  FROM "reclamations" s
  WHERE false) _lignes
