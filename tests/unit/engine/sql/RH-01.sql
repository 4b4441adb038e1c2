-- RH-01 · Taux de rotation du personnel (12 m)
-- What pilotage_qualite.engine.indicator_sql returns for 2026-10 (octobre 2026), one clause per line.
-- Update: UPDATE_SQL_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/engine/test_sql_snapshots.py

-- Query 1 of 4, measure entrees: rows of « effectifs », fenetre_12m: date_entree
WITH _periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) AS (VALUES ('2026-10', 'mois', DATE '2026-10-01', DATE '2026-11-01', DATE '2025-11-01', 24321, 24322)),
    _lignes AS (SELECT x.* EXCLUDE (_lo, _hi)
      FROM (SELECT s.*,
            unnest(range(s._lo, s._hi + 1)) AS _f
        FROM (SELECT *,
              greatest(24322, (year((date_entree)) * 12 + month((date_entree)) - 1) + 1) AS _lo,
              least(24322, coalesce((year((date_entree)) * 12 + month((date_entree)) - 1) + 12, 24322)) AS _hi
          FROM "effectifs"
          WHERE ((date_entree) IS NOT NULL)) s
        WHERE s._lo <= s._hi) x),
    _agg AS (SELECT _f,
          '' AS _dimension,
          '' AS _modalite,
          CAST((count(*)) AS DOUBLE) AS "_a0"
      FROM _lignes
      GROUP BY _f)
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
  FROM "effectifs" s
  WHERE false) _lignes

-- Query 2 of 4, measure sorties: rows of « effectifs », fenetre_12m: date_sortie
WITH _periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) AS (VALUES ('2026-10', 'mois', DATE '2026-10-01', DATE '2026-11-01', DATE '2025-11-01', 24321, 24322)),
    _lignes AS (SELECT x.* EXCLUDE (_lo, _hi)
      FROM (SELECT s.*,
            unnest(range(s._lo, s._hi + 1)) AS _f
        FROM (SELECT *,
              greatest(24322, (year((date_sortie)) * 12 + month((date_sortie)) - 1) + 1) AS _lo,
              least(24322, coalesce((year((date_sortie)) * 12 + month((date_sortie)) - 1) + 12, 24322)) AS _hi
          FROM "effectifs"
          WHERE ((date_sortie) IS NOT NULL)) s
        WHERE s._lo <= s._hi) x),
    _agg AS (SELECT _f,
          '' AS _dimension,
          '' AS _modalite,
          CAST((count(*)) AS DOUBLE) AS "_a0"
      FROM _lignes
      GROUP BY _f)
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
  FROM "effectifs" s
  WHERE false) _lignes

-- Query 3 of 4, measure presents_debut: rows of « effectifs », stock: date_entree < debut_fenetre AND (date_sortie IS NULL OR date_sortie >= debut_fenetre)
WITH _periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) AS (VALUES ('2026-10', 'mois', DATE '2026-10-01', DATE '2026-11-01', DATE '2025-11-01', 24321, 24322)),
    _lignes AS (SELECT x.* EXCLUDE (_lo, _hi)
      FROM (SELECT s.*,
            unnest(range(s._lo, s._hi + 1)) AS _f
        FROM (SELECT *,
              greatest(24322, (year((date_entree)) * 12 + month((date_entree)) - 1) + 13) AS _lo,
              least(24322, coalesce((year((date_sortie)) * 12 + month((date_sortie)) - 1) + 12, 24322)) AS _hi
          FROM "effectifs"
          WHERE ((date_entree) IS NOT NULL)) s
        WHERE s._lo <= s._hi) x),
    _agg AS (SELECT _f,
          '' AS _dimension,
          '' AS _modalite,
          CAST((count(*)) AS DOUBLE) AS "_a0"
      FROM _lignes
      GROUP BY _f)
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
  FROM "effectifs" s
  WHERE false) _lignes

-- Query 4 of 4, measure presents_fin: rows of « effectifs », stock: date_entree < fin AND (date_sortie IS NULL OR date_sortie >= fin)
WITH _periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) AS (VALUES ('2026-10', 'mois', DATE '2026-10-01', DATE '2026-11-01', DATE '2025-11-01', 24321, 24322)),
    _lignes AS (SELECT x.* EXCLUDE (_lo, _hi)
      FROM (SELECT s.*,
            unnest(range(s._lo, s._hi + 1)) AS _f
        FROM (SELECT *,
              greatest(24322, (year((date_entree)) * 12 + month((date_entree)) - 1) + 1) AS _lo,
              least(24322, coalesce((year((date_sortie)) * 12 + month((date_sortie)) - 1) + 0, 24322)) AS _hi
          FROM "effectifs"
          WHERE ((date_entree) IS NOT NULL)) s
        WHERE s._lo <= s._hi) x),
    _agg AS (SELECT _f,
          '' AS _dimension,
          '' AS _modalite,
          CAST((count(*)) AS DOUBLE) AS "_a0"
      FROM _lignes
      GROUP BY _f)
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
  FROM "effectifs" s
  WHERE false) _lignes

-- Composite: evaluated on the values of the queries above (same period, same dimension value)
-- valeur = 100.0 * ((entrees + sorties) / 2.0) / ((presents_debut + presents_fin) / 2.0)
-- effectif = presents_fin
-- numerateur = (entrees + sorties) / 2.0
-- denominateur = (presents_debut + presents_fin) / 2.0
