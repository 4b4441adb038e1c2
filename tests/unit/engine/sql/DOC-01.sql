-- DOC-01 · Documents qualité à jour
-- What pilotage_qualite.engine.indicator_sql returns for 2026-10 (octobre 2026), one clause per line.
-- Update: UPDATE_SQL_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/engine/test_sql_snapshots.py

-- Query 1 of 1, aggregates of DOC-01: rows of « documents », stock: date_revision < fin
WITH _periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) AS (VALUES ('2026-10', 'mois', DATE '2026-10-01', DATE '2026-11-01', DATE '2025-11-01', 24321, 24322)),
    _lignes AS (SELECT p._periode,
          p.debut,
          p.fin,
          p.debut_fenetre,
          x.* EXCLUDE (_lo, _hi, _f)
      FROM (SELECT s.*,
            unnest(range(s._lo, s._hi + 1)) AS _f
        FROM (SELECT *,
              greatest(24322, (year((date_revision)) * 12 + month((date_revision)) - 1) + 1) AS _lo,
              24322 AS _hi
          FROM (SELECT *,
                (coalesce(date_prochaine_revision, CAST(date_revision + INTERVAL 24 MONTH AS DATE))) AS "prochaine_revision"
            FROM "documents")
          WHERE ((date_revision) IS NOT NULL)) s
        WHERE s._lo <= s._hi) x
      JOIN _periodes p ON p._fin_mois = x._f ),
    _agg AS (SELECT _periode,
          '' AS _dimension,
          '' AS _modalite,
          CAST((100.0 * count(*) FILTER (WHERE prochaine_revision >= fin) / NULLIF(count(*), 0)) AS DOUBLE) AS "_a0",
          CAST((count(*) FILTER (WHERE prochaine_revision >= fin)) AS DOUBLE) AS "_a1",
          CAST((count(*)) AS DOUBLE) AS "_a2"
      FROM _lignes
      WHERE (statut IS DISTINCT FROM 'archivé')
      GROUP BY _periode)
SELECT p._periode,
    a.* EXCLUDE (_periode)
FROM _agg a
JOIN _periodes p ON a._periode = p._periode
UNION ALL
SELECT NULL,
    '__vide__',
    NULL,
    CAST((100.0 * count(*) FILTER (WHERE prochaine_revision >= fin) / NULLIF(count(*), 0)) AS DOUBLE) AS "_a0",
    CAST((count(*) FILTER (WHERE prochaine_revision >= fin)) AS DOUBLE) AS "_a1",
    CAST((count(*)) AS DOUBLE) AS "_a2"
FROM (SELECT NULL::VARCHAR AS _periode,
      NULL::DATE AS debut,
      NULL::DATE AS fin,
      NULL::DATE AS debut_fenetre,
      s.*
  FROM (SELECT *,
        (coalesce(date_prochaine_revision, CAST(date_revision + INTERVAL 24 MONTH AS DATE))) AS "prochaine_revision"
    FROM "documents") s
  WHERE false) _lignes
WHERE (statut IS DISTINCT FROM 'archivé')
