-- REC-05 · Réclamations pour 1 000 interventions
-- What pilotage_qualite.engine.indicator_sql returns for 2026-10 (octobre 2026), one clause per line.
-- Update: UPDATE_SQL_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/engine/test_sql_snapshots.py

-- Composite: evaluated on the values of the indicators REC-01, ACT-01 (same period, same dimension value)
-- valeur = 1000.0 * "REC-01" / "ACT-01"
-- effectif = "ACT-01"
-- numerateur = "REC-01"
-- denominateur = "ACT-01"
