"""The SQL of the engine's queries: rows attributed to periods, aggregated per dimension value.

Queries run on a DuckDB connection (or cursor) whose datasets are relations named after the
datasets, each with its declared columns plus ``_import_id`` and ``_ligne``, and an
``imports`` table (``id``, ``fichier``…).

How the SQL is shaped (performance matters: 36 months × every site on a million rows):

* the requested periods and their 12 predecessors (for control limits, the previous
  period and the same period a year earlier) form one ``_periodes`` relation;
* indicators and measures reading the same dataset with the same attribution share ONE
  query (different filters become FILTER clauses on their aggregates, see ``plan``); rows
  are attributed to periods in SQL — flows by equality on the month index of the period
  start, 12-month windows and stocks by expanding each row to the period ends it belongs to
  (a stock condition "x < fin … AND (y IS NULL OR y >= fin)" is read as an interval of
  period ends; any other condition is joined as written) — and aggregated with GROUPING
  SETS: Ensemble and every dimension in one pass. When no expression refers to the period's
  ``debut``/``fin``, rows are aggregated by period key first and joined to the periods
  after. The number of queries does not depend on the number of periods or sites;
* the value of each aggregate over no rows (0 for ``count(*)``, nothing for a ratio) comes
  from the same query and fills the (period, dimension value) pairs without rows, when the
  dataset has rows at all (else: no value) (see ``assembly``);
* composite indicators are evaluated from their measures and references with DuckDB on
  the small result set (same SQL semantics, see ``assembly``).
* a stock of a register imported more than once is read as the register was known at each
  period end (``model.coverage.RegisterHistory``): from its history relation (every row its
  applied imports brought, with ``_remplace_par``), each row kept for the period ends between
  the first whose state holds its import and the last before the one holding its replacement —
  one more interval of period ends in the same expansion, still one query per group.
Any non-finite result (a division by zero under DuckDB's IEEE semantics) is "no value".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pilotage_qualite.engine.results import NOT_FILLED
from pilotage_qualite.engine.sql_text import blank_quotes, identifier, literal, refers_to_period, split_and
from pilotage_qualite.model.catalogue import Attribution
from pilotage_qualite.model.coverage import RegisterHistory
from pilotage_qualite.model.periods import GRAINS, Period, month_index

EMPTY_ROW_MARK = "__vide__"  # marks the row holding the aggregates' values over no rows


# --- the periods --------------------------------------------------------------------------


def periods_values(periods: Sequence[Period]) -> str:
    """The periods as the rows of a VALUES list (the columns of ``_periodes``)."""
    return ", ".join(
        f"({literal(p.label)}, {literal(p.grain)}, DATE '{p.debut}', DATE '{p.fin}', "
        f"DATE '{p.debut_fenetre}', {month_index(p.debut)}, {month_index(p.fin)})"
        for p in periods
    )


def periods_cte(periods: Sequence[Period]) -> str:
    return (f"_periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) "
            f"AS (VALUES {periods_values(periods)})")


def _month_sql(expr: str) -> str:
    """Month index of a date expression (same numbering as periods.month_index)."""
    return f"(year({expr}) * 12 + month({expr}) - 1)"


# --- stock conditions read as intervals of period ends ------------------------------------

_NOT_SIMPLE = re.compile(r"[<>=!;]|\b(AND|OR|IS|NOT|IN|LIKE|BETWEEN|CASE|SELECT)\b", re.IGNORECASE)
_ENTRY = re.compile(r"^(?P<x>.+?)\s*<\s*(?P<b>fin|debut_fenetre)(?:\s*-\s*(?P<k>\d+))?$")
_EXIT_NULL = re.compile(
    r"^\(\s*(?P<y>.+?)\s+IS\s+NULL\s+OR\s+(?P<y2>.+?)\s*>=\s*(?P<b>fin|debut_fenetre)\s*\)$",
    re.IGNORECASE)
_EXIT = re.compile(r"^(?P<y>.+?)\s*>=\s*(?P<b>fin|debut_fenetre)$")


@dataclass(frozen=True)
class StockPlan:
    """A stock condition read as an interval of period ends (fin), plus filters.

    Row r is in the stock at ``fin`` (month index F) iff lo(r) ≤ F ≤ hi(r) and the
    remaining conditions hold; expanding each row to that range and joining by equality
    touches only the real (row, period) pairs instead of every row × every period.
    """

    lows: tuple[str, ...]  # SQL month indexes: F must be ≥ each
    highs: tuple[str, ...]  # SQL month indexes: F must be ≤ each (NULL = no bound)
    not_null: tuple[str, ...]  # expressions that must not be NULL for the row to count
    row_filters: tuple[str, ...]  # conditions on the row alone (applied before expanding)
    post_filters: tuple[str, ...]  # other period-dependent conditions (applied after the join)


def _is_simple(expr: str) -> bool:
    """A plain value expression: no period column, no comparison or logic of its own."""
    return not refers_to_period(expr) and not _NOT_SIMPLE.search(blank_quotes(expr))


def stock_plan(condition: str) -> StockPlan | None:
    """The stock condition as an interval of period ends, or None when it cannot be read as one."""
    conjuncts = split_and(condition)
    if not conjuncts:
        return None
    lows, highs, not_null, row_filters, post = [], [], [], [], []
    for c in conjuncts:
        if not refers_to_period(c):
            row_filters.append(c)
            continue
        m = _ENTRY.match(c)
        if m and _is_simple(m["x"]):
            # x < fin − k days ⟺ date(x) + k < fin (fin is a midnight date), exact for DATE and TIMESTAMP.
            x = f"({m['x']})" if not m["k"] else f"(CAST(({m['x']}) AS DATE) + {int(m['k'])})"
            offset = 1 if m["b"] == "fin" else 13  # x < fin ⟺ F ≥ month(x) + 1; debut_fenetre = fin − 12 months
            lows.append(f"{_month_sql(x)} + {offset}")
            not_null.append(x)
            continue
        m = _EXIT_NULL.match(c)
        if m and " ".join(m["y"].split()) == " ".join(m["y2"].split()) and _is_simple(m["y"]):
            offset = 0 if m["b"] == "fin" else 12  # y ≥ fin ⟺ F ≤ month(y)
            highs.append(f"{_month_sql('(' + m['y'] + ')')} + {offset}")
            continue
        m = _EXIT.match(c)
        if m and _is_simple(m["y"]):
            offset = 0 if m["b"] == "fin" else 12
            highs.append(f"{_month_sql('(' + m['y'] + ')')} + {offset}")
            not_null.append(f"({m['y']})")
            continue
        post.append(c)
    if not lows and not highs:
        return None
    return StockPlan(tuple(lows), tuple(highs), tuple(not_null), tuple(row_filters), tuple(post))


# --- a register as known at each period end ----------------------------------------------


def _first_end_seen_sql(history: RegisterHistory, column: str) -> str:
    """SQL: the month index of the first period end whose state of the register holds the rows
    of the import numbered by ``column`` (:meth:`RegisterHistory.first_end_seen`, a step function
    of the import id, written as one CASE); NULL where ``column`` is NULL."""
    steps: list[tuple[int, int]] = []  # (last import id of the step, month index)
    for k, _ in history.imports:
        seen = history.first_end_seen(k)
        if steps and steps[-1][1] == seen:
            steps[-1] = (k, seen)
        else:
            steps.append((k, seen))
    whens = " ".join(f"WHEN {column} <= {k} THEN {seen}" for k, seen in steps)
    last = history.first_end_seen(history.imports[-1][0] + 1)
    return f"(CASE WHEN {column} IS NULL THEN NULL {whens} ELSE {last} END)"


def known_at_end(history: RegisterHistory | None, attribution: Attribution) -> RegisterHistory | None:
    """The history to read a stock of a register from, as known at each period end; None where
    today's rows say the same (not a stock, no history, or a single applied import)."""
    if history is None or attribution.kind != "stock" or len(history.imports) < 2:
        return None
    return history


# --- rows attributed to periods -----------------------------------------------------------

_PERIOD_SELECT = "p._periode, p.debut, p.fin, p.debut_fenetre"


def _relation(source: str, calculs: Sequence[tuple[str, str]] = (), history: RegisterHistory | None = None) -> str:
    """The dataset as a relation, with the definition's computed columns (``calculs``) added;
    with a ``history``, every row its applied imports ever brought (replaced ones too)."""
    rel = identifier(source)
    if history is not None:
        applied = ", ".join(str(k) for k, _ in history.imports)
        rel = f"(SELECT * FROM {identifier(history.relation)} WHERE _import_id IN ({applied}))"
    if not calculs:
        return rel
    extra = ", ".join(f"({expr}) AS {identifier(name)}" for name, expr in calculs)
    return f"(SELECT *, {extra} FROM {rel})"


def _expanded_sql(rel: str, lows: Sequence[str], highs: Sequence[str], where: Sequence[str],
                  post: Sequence[str], periods: Sequence[Period], fast: bool) -> str:
    """Rows expanded to the period ends F (month index) with max(lows) ≤ F ≤ min(highs).

    ``fast``: keep F as column ``_f`` (the caller aggregates by it and joins the periods
    afterwards); otherwise join the periods by equality on F.
    """
    f_min = min(month_index(p.fin) for p in periods)
    f_max = max(month_index(p.fin) for p in periods)
    lo = f"greatest({f_min}, {', '.join(lows)})" if lows else str(f_min)
    hi = f"least({f_max}, {', '.join(f'coalesce({h}, {f_max})' for h in highs)})" if highs else str(f_max)
    where_sql = f"WHERE {' AND '.join(f'({w})' for w in where)}" if where else ""
    expanded = (f"SELECT s.*, unnest(range(s._lo, s._hi + 1)) AS _f FROM ("
                f"SELECT *, {lo} AS _lo, {hi} AS _hi FROM {rel} {where_sql}) s WHERE s._lo <= s._hi")
    if fast:
        return f"SELECT x.* EXCLUDE (_lo, _hi) FROM ({expanded}) x"
    post_sql = f"WHERE {' AND '.join(f'({c})' for c in post)}" if post else ""
    return (f"SELECT {_PERIOD_SELECT}, x.* EXCLUDE (_lo, _hi, _f) FROM ({expanded}) x "
            f"JOIN _periodes p ON p._fin_mois = x._f {post_sql}")


_FLUX_KEYS = {
    "mois": lambda e: _month_sql(e),
    "trimestre": lambda e: f"(year({e}) * 12 + (month({e}) - 1) // 3 * 3)",
    "annee": lambda e: f"(year({e}) * 12)",
}


def _grains(periods: Sequence[Period]) -> list[str]:
    return sorted({p.grain for p in periods}, key=GRAINS.index)


def joined_sql(source: str, attribution: Attribution, periods: Sequence[Period],
               calculs: Sequence[tuple[str, str]] = (), fast: bool = False,
               history: RegisterHistory | None = None) -> str:
    """Rows of ``source`` attributed to each period.

    Columns: _periode, debut, fin, debut_fenetre, then the row's columns. With ``fast``
    (only when nothing refers to the period columns, see :func:`key_kind`), no join with
    the periods: flows carry ``_g``/``_k`` (grain, month index of the period start) and
    windows/stocks ``_f`` (month index of the period end), to aggregate first.
    With a register's ``history`` (:func:`known_at_end`), a stock reads the register as known
    at each period end: a row counts from the first period end whose state holds its import up
    to the one before the first whose state holds the import that replaced it — one more
    interval of period ends, in the same pass.
    """
    history = known_at_end(history, attribution)
    rel = _relation(source, calculs, history)
    expr = attribution.expression
    if attribution.kind == "flux":
        # Equality on the month index of the period start: a hash join, no range join.
        branches = []
        for grain in _grains(periods):
            key = _FLUX_KEYS[grain](f"({expr})")
            if fast:
                mine = [p for p in periods if p.grain == grain]
                lo, hi = min(p.debut for p in mine), max(p.fin for p in mine)
                branches.append(f"SELECT {literal(grain)} AS _g, {key} AS _k, s.* FROM {rel} s "
                                f"WHERE ({expr}) >= DATE '{lo}' AND ({expr}) < DATE '{hi}'")
            else:
                branches.append(f"SELECT {_PERIOD_SELECT}, s.* FROM {rel} s JOIN _periodes p "
                                f"ON p._grain = {literal(grain)} AND p._debut_mois = {key}")
        return " UNION ALL ".join(branches)
    if attribution.kind == "fenetre_12m":
        # d ∈ [fin − 12 months, fin) ⟺ month(d) + 1 ≤ F ≤ month(d) + 12.
        month = _month_sql(f"({expr})")
        return _expanded_sql(rel, [f"{month} + 1"], [f"{month} + 12"], [f"({expr}) IS NOT NULL"], [],
                             periods, fast)
    plan = stock_plan(expr)
    known = ((_first_end_seen_sql(history, "_import_id"), f"{_first_end_seen_sql(history, '_remplace_par')} - 1")
             if history is not None else None)
    if plan is None:
        at_end = f" AND p._fin_mois BETWEEN {known[0]} AND coalesce({known[1]}, p._fin_mois)" if known else ""
        return f"SELECT {_PERIOD_SELECT}, s.* FROM {rel} s JOIN _periodes p ON ({expr}){at_end}"
    where = [*plan.row_filters, *(f"{e} IS NOT NULL" for e in plan.not_null)]
    lows, highs = (plan.lows, plan.highs) if known is None else ((*plan.lows, known[0]), (*plan.highs, known[1]))
    return _expanded_sql(rel, lows, highs, where, plan.post_filters, periods, fast)


# --- aggregates per period and dimension value --------------------------------------------


def key_kind(attribution: Attribution, texts: Iterable[str | None]) -> str:
    """How a group query aggregates: by "_periode" (rows joined to periods), or, when no
    expression refers to debut/fin/debut_fenetre, by "flux" keys (_g, _k) or "fin" key (_f)."""
    if any(t and refers_to_period(t) for t in texts):
        return "periode"
    if attribution.kind == "flux":
        return "flux"
    if attribution.kind == "fenetre_12m":
        return "fin"
    plan = stock_plan(attribution.expression)
    return "fin" if plan is not None and not plan.post_filters else "periode"


_KEYS = {"periode": ["_periode"], "flux": ["_g", "_k"], "fin": ["_f"]}
_KEY_JOIN = {
    "periode": "a._periode = p._periode",
    "flux": "a._g = p._grain AND a._k = p._debut_mois",
    "fin": "a._f = p._fin_mois",
}


def _dimension_sql(dims: Sequence[str], keys: Sequence[str] = ("_periode",)) -> tuple[str, str, str]:
    """(dimension expr, modalite expr, GROUP BY clause) for grouping sets over ``dims``.

    Ensemble rows get '' for both; an empty dimension value gets NOT_FILLED.
    """
    key_list = ", ".join(keys)
    if not dims:
        return "''", "''", f"GROUP BY {key_list}" if keys else ""
    dim_case = " ".join(f"WHEN GROUPING({identifier(d)}) = 0 THEN {literal(d)}" for d in dims)
    mod_case = " ".join(f"WHEN GROUPING({identifier(d)}) = 0 THEN "
                        f"coalesce(CAST({identifier(d)} AS VARCHAR), {literal(NOT_FILLED)})" for d in dims)
    prefix = f"{key_list}, " if keys else ""
    sets = ", ".join([f"({key_list})", *[f"({prefix}{identifier(d)})" for d in dims]])
    return f"CASE {dim_case} ELSE '' END", f"CASE {mod_case} ELSE '' END", f"GROUP BY GROUPING SETS ({sets})"


def group_sql(source: str, attribution: Attribution, filtre: str | None, aggregates: dict[str, str],
              dims: Sequence[str], periods: Sequence[Period], periods_table: bool = False,
              calculs: Sequence[tuple[str, str]] = (), history: RegisterHistory | None = None) -> str:
    """One query for every unit of a group: aggregates per period for Ensemble and each dimension value.

    Rows: (_periode, _dimension, _modalite, aggregates…) for the (period, value) pairs that
    have rows, plus one row marked ``_dimension = '__vide__'`` with the value of each
    aggregate over no rows (0 for a count, nothing for a ratio), used for the pairs without
    rows. ``periods_table``: ``_periodes`` is a temporary table of the cursor (else an
    inline CTE, for display). ``history``: the register's, to read a stock as known at each
    period end (see :func:`joined_sql`).
    """
    kind = key_kind(attribution, [filtre, *aggregates.values()])
    keys = _KEYS[kind]
    where = f"WHERE ({filtre})" if filtre else ""
    dim_expr, mod_expr, group_by = _dimension_sql(dims, keys)
    aggs = ", ".join(f"CAST(({expr}) AS DOUBLE) AS {identifier(alias)}" for alias, expr in aggregates.items())
    empty_rows = (f"(SELECT NULL::VARCHAR AS _periode, NULL::DATE AS debut, NULL::DATE AS fin, "
                  f"NULL::DATE AS debut_fenetre, s.* FROM {_relation(source, calculs, known_at_end(history, attribution))} s "
                  f"WHERE false)")
    ctes = [] if periods_table else [periods_cte(periods)]
    ctes.append(f"_lignes AS ({joined_sql(source, attribution, periods, calculs, kind != 'periode', history)})")
    ctes.append(f"_agg AS (SELECT {', '.join(keys)}, {dim_expr} AS _dimension, {mod_expr} AS _modalite, "
                f"{aggs} FROM _lignes {where} {group_by})")
    return (
        f"WITH {', '.join(ctes)} "
        f"SELECT p._periode, a.* EXCLUDE ({', '.join(keys)}) FROM _agg a JOIN _periodes p ON {_KEY_JOIN[kind]} "
        f"UNION ALL SELECT NULL, {literal(EMPTY_ROW_MARK)}, NULL, {aggs} FROM {empty_rows} _lignes {where}"
    )


def profile_sql(sources_dims: dict[str, list[str]]) -> str:
    """Which datasets have rows, and the distinct values of each dimension used (all rows)."""
    parts = []
    for source, dims in sources_dims.items():
        src = identifier(source)
        parts.append(f"SELECT {literal(source)} AS _jeu, NULL::VARCHAR AS _dimension, NULL::VARCHAR AS _modalite, "
                     f"EXISTS (SELECT 1 FROM {src}) AS _existe")
        # One plain DISTINCT per column, the text made on the few values found: three times
        # cheaper than grouping sets over expressions on every row (1M rows: 34 ms against 107).
        parts.extend(f"SELECT {literal(source)}, {literal(d)}, coalesce(CAST(_v AS VARCHAR), {literal(NOT_FILLED)}), "
                     f"NULL FROM (SELECT DISTINCT {identifier(d)} AS _v FROM {src})" for d in dims)
    return " UNION ALL ".join(parts)
