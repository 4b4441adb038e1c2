"""Aggregated views of the process pages: small DataFrames computed in DuckDB, one module per process.

Every function takes an open DuckDB connection (over the store's live views), the period
and, where the view follows the site filter, the site (None = Ensemble). Rows are
aggregated here, in SQL, so that only a few dozen rows ever reach a chart. No Streamlit.

Conventions shared with the indicator catalogue (indicators.md):

- a flow counts rows whose date falls in ``[debut, fin)``;
- a stock is the state *as of* ``fin`` (the first day after the period): everything dated
  before ``fin`` is known, a date on or after ``fin`` has not happened yet;
- ages and delays are whole days ``date_b − date_a``; an item « open for more than 30
  days » has an age ``fin − date_reception > 30`` (DEM-04, REC-04);
- monthly series cover the 12 months ending with the period (``[fin − 12 months, fin)``),
  whatever the grain.

So each view can be checked against the indicator it details: the open items older than
30 days add up to DEM-04 / REC-04, the late actions to PA-02, and so on (tested).

Callers pass a view function itself (``ui.process.view(open_findings_by_age, …)``); the SQL
helpers every view shares are in ``sql``.
"""
