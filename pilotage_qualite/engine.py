"""Indicator engine: computes catalogue indicators for a list of periods, in SQL.

Pure functions over a DuckDB connection (or cursor) whose datasets are relations named
after the datasets, each with its declared columns plus ``_import_id`` and ``_ligne``, and
an ``imports`` table (``id``, ``fichier``…). No Streamlit, no global state: the engine
works on cursors of the given connection (temporary objects die with them).

How the SQL is shaped (performance matters: 36 months × every site on a million rows):

* the requested periods and their 12 predecessors (for control limits, the previous
  period and the same period a year earlier) form one ``_periodes`` relation;
* indicators and measures reading the same dataset with the same attribution share ONE
  query (different filters become FILTER clauses on their aggregates); rows are attributed
  to periods in SQL — flows by equality on the month index of the period start, 12-month
  windows and stocks by expanding each row to the period ends it belongs to (a stock
  condition "x < fin … AND (y IS NULL OR y >= fin)" is read as an interval of period
  ends; any other condition is joined as written) — and aggregated with GROUPING SETS:
  Ensemble and every dimension in one pass. When no expression refers to the period's
  ``debut``/``fin``, rows are aggregated by period key first and joined to the periods
  after. The number of queries does not depend on the number of periods or sites;
* the value of each aggregate over no rows (0 for ``count(*)``, nothing for a ratio) comes
  from the same query and fills the (period, dimension value) pairs without rows, when the
  dataset has rows at all (else: no value);
* composite indicators are evaluated from their measures and references with DuckDB on
  the small result set (same SQL semantics).
Any non-finite result (a division by zero under DuckDB's IEEE semantics) is "no value".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from pilotage_qualite import status as status_rules
from pilotage_qualite.catalogue import PERIOD_COLUMNS, REFERENCE_PATTERN, Attribution, Catalogue, Indicator
from pilotage_qualite.periods import Period, month_index, parse_period

LOOKBACK = 12  # previous periods used by control limits
NOT_FILLED = "(non renseigné)"  # label of an empty dimension value
_ENSEMBLE = ""  # internal sentinel for the Ensemble dimension/value (None in results)
_TRUNC_UNIT = {"mois": "month", "trimestre": "quarter", "annee": "year"}
_PERIODS_PER_YEAR = {"mois": 12, "trimestre": 4, "annee": 1}

RESULT_COLUMNS = [
    "indicateur", "titre", "processus", "periode", "grain", "debut", "fin", "dimension", "modalite",
    "valeur", "effectif", "numerateur", "denominateur", "unite", "decimales", "sens", "cible", "seuil",
    "n_min", "statut", "ic_bas", "ic_haut", "centre", "limite_basse", "limite_haute", "hors_controle",
    "valeur_precedente", "valeur_annee_precedente",
]


class EngineError(ValueError):
    """A request the engine cannot serve (unknown indicator, bad dimension…), in French."""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- SQL building ------------------------------------------------------------------


def _periods_values(periods: Sequence[Period]) -> str:
    return ", ".join(
        f"({_lit(p.label)}, {_lit(p.grain)}, DATE '{p.debut}', DATE '{p.fin}', "
        f"DATE '{p.debut_fenetre}', {month_index(p.debut)}, {month_index(p.fin)})"
        for p in periods
    )


def _periods_cte(periods: Sequence[Period]) -> str:
    return (f"_periodes(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois) "
            f"AS (VALUES {_periods_values(periods)})")


def _month_sql(expr: str) -> str:
    """Month index of a date expression (same numbering as periods.month_index)."""
    return f"(year({expr}) * 12 + month({expr}) - 1)"


_PERIOD_REF = re.compile(r"\b(debut|fin|debut_fenetre)\b")
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_NOT_SIMPLE = re.compile(r"[<>=!;]|\b(AND|OR|IS|NOT|IN|LIKE|BETWEEN|CASE|SELECT)\b", re.IGNORECASE)
_ENTRY = re.compile(r"^(?P<x>.+?)\s*<\s*(?P<b>fin|debut_fenetre)(?:\s*-\s*(?P<k>\d+))?$")
_EXIT_NULL = re.compile(
    r"^\(\s*(?P<y>.+?)\s+IS\s+NULL\s+OR\s+(?P<y2>.+?)\s*>=\s*(?P<b>fin|debut_fenetre)\s*\)$",
    re.IGNORECASE)
_EXIT = re.compile(r"^(?P<y>.+?)\s*>=\s*(?P<b>fin|debut_fenetre)$")


def _refs_period(text: str) -> bool:
    return bool(_PERIOD_REF.search(_QUOTED.sub("''", text)))


def _unquoted(text: str, start: int = 0):
    """(index, character, parenthesis depth after it) for every character of SQL `text` from
    `start` that is outside a quoted string or identifier (doubled quotes respected)."""
    depth, i, quote = 0, start, None
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                if text[i + 1:i + 2] == quote:
                    i += 2
                    continue
                quote = None
        elif ch in "'\"":
            quote = ch
        else:
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth
        i += 1


def _is_word_at(text: str, i: int, word: str) -> bool:
    end = i + len(word)
    return (text[i:end].upper() == word and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))
            and (end == len(text) or not (text[end].isalnum() or text[end] == "_")))


def _split_and(text: str) -> list[str] | None:
    """Top-level AND conjuncts of a condition; None when it has a top-level OR or a BETWEEN."""
    if re.search(r"\bBETWEEN\b", _QUOTED.sub("''", text), re.IGNORECASE):
        return None
    parts, start = [], 0
    for i, ch, depth in _unquoted(text):
        if depth != 0 or i < start or ch in "()":
            continue
        if _is_word_at(text, i, "OR"):
            return None
        if _is_word_at(text, i, "AND"):
            parts.append(text[start:i])
            start = i + 3
    parts.append(text[start:])
    parts = [p.strip() for p in parts]
    return parts if all(parts) else None


@dataclass(frozen=True)
class _StockPlan:
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


def _stock_plan(condition: str) -> _StockPlan | None:
    conjuncts = _split_and(condition)
    if not conjuncts:
        return None
    lows, highs, not_null, row_filters, post = [], [], [], [], []
    for c in conjuncts:
        if not _refs_period(c):
            row_filters.append(c)
            continue
        m = _ENTRY.match(c)
        if m and not _refs_period(m["x"]) and not _NOT_SIMPLE.search(_QUOTED.sub("''", m["x"])):
            # x < fin − k days ⟺ date(x) + k < fin (fin is a midnight date), exact for DATE and TIMESTAMP.
            x = f"({m['x']})" if not m["k"] else f"(CAST(({m['x']}) AS DATE) + {int(m['k'])})"
            offset = 1 if m["b"] == "fin" else 13  # x < fin ⟺ F ≥ month(x) + 1; debut_fenetre = fin − 12 months
            lows.append(f"{_month_sql(x)} + {offset}")
            not_null.append(x)
            continue
        m = _EXIT_NULL.match(c)
        if (m and " ".join(m["y"].split()) == " ".join(m["y2"].split()) and not _refs_period(m["y"])
                and not _NOT_SIMPLE.search(_QUOTED.sub("''", m["y"]))):
            offset = 0 if m["b"] == "fin" else 12  # y ≥ fin ⟺ F ≤ month(y)
            highs.append(f"{_month_sql('(' + m['y'] + ')')} + {offset}")
            continue
        m = _EXIT.match(c)
        if m and not _refs_period(m["y"]) and not _NOT_SIMPLE.search(_QUOTED.sub("''", m["y"])):
            offset = 0 if m["b"] == "fin" else 12
            highs.append(f"{_month_sql('(' + m['y'] + ')')} + {offset}")
            not_null.append(f"({m['y']})")
            continue
        post.append(c)
    if not lows and not highs:
        return None
    return _StockPlan(tuple(lows), tuple(highs), tuple(not_null), tuple(row_filters), tuple(post))


_PERIOD_SELECT = "p._periode, p.debut, p.fin, p.debut_fenetre"


def _relation(source: str, calculs: Sequence[tuple[str, str]] = ()) -> str:
    """The dataset as a relation, with the definition's computed columns (``calculs``) added."""
    if not calculs:
        return _q(source)
    extra = ", ".join(f"({expr}) AS {_q(name)}" for name, expr in calculs)
    return f"(SELECT *, {extra} FROM {_q(source)})"


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
    return sorted({p.grain for p in periods}, key=list(_TRUNC_UNIT).index)


def _joined_sql(source: str, attribution: Attribution, periods: Sequence[Period],
                calculs: Sequence[tuple[str, str]] = (), fast: bool = False) -> str:
    """Rows of ``source`` attributed to each period.

    Columns: _periode, debut, fin, debut_fenetre, then the row's columns. With ``fast``
    (only when nothing refers to the period columns, see :func:`_key_kind`), no join with
    the periods: flows carry ``_g``/``_k`` (grain, month index of the period start) and
    windows/stocks ``_f`` (month index of the period end), to aggregate first.
    """
    rel = _relation(source, calculs)
    expr = attribution.expression
    if attribution.kind == "flux":
        # Equality on the month index of the period start: a hash join, no range join.
        branches = []
        for grain in _grains(periods):
            key = _FLUX_KEYS[grain](f"({expr})")
            if fast:
                mine = [p for p in periods if p.grain == grain]
                lo, hi = min(p.debut for p in mine), max(p.fin for p in mine)
                branches.append(f"SELECT {_lit(grain)} AS _g, {key} AS _k, s.* FROM {rel} s "
                                f"WHERE ({expr}) >= DATE '{lo}' AND ({expr}) < DATE '{hi}'")
            else:
                branches.append(f"SELECT {_PERIOD_SELECT}, s.* FROM {rel} s JOIN _periodes p "
                                f"ON p._grain = {_lit(grain)} AND p._debut_mois = {key}")
        return " UNION ALL ".join(branches)
    if attribution.kind == "fenetre_12m":
        # d ∈ [fin − 12 months, fin) ⟺ month(d) + 1 ≤ F ≤ month(d) + 12.
        month = _month_sql(f"({expr})")
        return _expanded_sql(rel, [f"{month} + 1"], [f"{month} + 12"], [f"({expr}) IS NOT NULL"], [],
                             periods, fast)
    plan = _stock_plan(expr)
    if plan is None:
        return f"SELECT {_PERIOD_SELECT}, s.* FROM {rel} s JOIN _periodes p ON ({expr})"
    where = [*plan.row_filters, *(f"{e} IS NOT NULL" for e in plan.not_null)]
    return _expanded_sql(rel, plan.lows, plan.highs, where, plan.post_filters, periods, fast)


def _key_kind(attribution: Attribution, texts: Iterable[str | None]) -> str:
    """How a group query aggregates: by "_periode" (rows joined to periods), or, when no
    expression refers to debut/fin/debut_fenetre, by "flux" keys (_g, _k) or "fin" key (_f)."""
    if any(t and _refs_period(t) for t in texts):
        return "periode"
    if attribution.kind == "flux":
        return "flux"
    if attribution.kind == "fenetre_12m":
        return "fin"
    plan = _stock_plan(attribution.expression)
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
    dim_case = " ".join(f"WHEN GROUPING({_q(d)}) = 0 THEN {_lit(d)}" for d in dims)
    mod_case = " ".join(f"WHEN GROUPING({_q(d)}) = 0 THEN coalesce(CAST({_q(d)} AS VARCHAR), {_lit(NOT_FILLED)})"
                        for d in dims)
    prefix = f"{key_list}, " if keys else ""
    sets = ", ".join([f"({key_list})", *[f"({prefix}{_q(d)})" for d in dims]])
    return f"CASE {dim_case} ELSE '' END", f"CASE {mod_case} ELSE '' END", f"GROUP BY GROUPING SETS ({sets})"


_EMPTY = "__vide__"  # marks the row holding the aggregates' values over no rows


def _group_sql(source: str, attribution: Attribution, filtre: str | None, aggregates: dict[str, str],
               dims: Sequence[str], periods: Sequence[Period], periods_table: bool = False,
               calculs: Sequence[tuple[str, str]] = ()) -> str:
    """One query for every unit of a group: aggregates per period for Ensemble and each dimension value.

    Rows: (_periode, _dimension, _modalite, aggregates…) for the (period, value) pairs that
    have rows, plus one row marked ``_dimension = '__vide__'`` with the value of each
    aggregate over no rows (0 for a count, nothing for a ratio), used for the pairs without
    rows. ``periods_table``: ``_periodes`` is a temporary table of the cursor (else an
    inline CTE, for display).
    """
    kind = _key_kind(attribution, [filtre, *aggregates.values()])
    keys = _KEYS[kind]
    where = f"WHERE ({filtre})" if filtre else ""
    dim_expr, mod_expr, group_by = _dimension_sql(dims, keys)
    aggs = ", ".join(f"CAST(({expr}) AS DOUBLE) AS {_q(alias)}" for alias, expr in aggregates.items())
    empty_rows = (f"(SELECT NULL::VARCHAR AS _periode, NULL::DATE AS debut, NULL::DATE AS fin, "
                  f"NULL::DATE AS debut_fenetre, s.* FROM {_relation(source, calculs)} s WHERE false)")
    ctes = [] if periods_table else [_periods_cte(periods)]
    ctes.append(f"_lignes AS ({_joined_sql(source, attribution, periods, calculs, fast=kind != 'periode')})")
    ctes.append(f"_agg AS (SELECT {', '.join(keys)}, {dim_expr} AS _dimension, {mod_expr} AS _modalite, "
                f"{aggs} FROM _lignes {where} {group_by})")
    return (
        f"WITH {', '.join(ctes)} "
        f"SELECT p._periode, a.* EXCLUDE ({', '.join(keys)}) FROM _agg a JOIN _periodes p ON {_KEY_JOIN[kind]} "
        f"UNION ALL SELECT NULL, {_lit(_EMPTY)}, NULL, {aggs} FROM {empty_rows} _lignes {where}"
    )


# --- computation units -------------------------------------------------------------


@dataclass
class _Unit:
    """Aggregates over one source for one indicator (simple) or one measure (composite)."""

    key: str
    source: str
    periode: Attribution
    filtre: str | None
    aggregates: dict[str, str]
    dims: tuple[str, ...]
    calculs: tuple[tuple[str, str], ...] = ()


@dataclass
class _Group:
    source: str
    periode: Attribution
    filtre: str | None
    calculs: tuple[tuple[str, str], ...] = ()
    units: list[_Unit] = field(default_factory=list)
    _alias_of: dict[str, str] = field(default_factory=dict)

    @property
    def dims(self) -> list[str]:
        return list(dict.fromkeys(d for u in self.units for d in u.dims))

    def aliases(self) -> dict[str, str]:
        """alias → expression, identical expressions computed once."""
        out: dict[str, str] = {}
        for u in self.units:
            for name, expr in u.aggregates.items():
                out.setdefault(self.alias(expr), expr)
        return out

    def alias(self, expr: str) -> str:
        return self._alias_of.setdefault(expr, f"_a{len(self._alias_of)}")


def _units_for(ind: Indicator) -> list[_Unit]:
    if not ind.is_composite:
        return [_Unit(f"I:{ind.id}", ind.source, ind.periode, ind.filtre, ind.aggregates(), ind.dimensions,
                      ind.calculs)]
    return [_Unit(f"M:{ind.id}:{m.name}", m.source, m.periode, m.filtre, {"valeur": m.expression},
                  ind.dimensions, m.calculs) for m in ind.mesures]


_AGGREGATES = {
    "count", "count_star", "count_if", "countif", "sum", "avg", "mean", "min", "max", "median", "quantile",
    "quantile_cont", "quantile_disc", "mode", "stddev", "stddev_samp", "stddev_pop", "var_samp", "var_pop",
    "variance", "bool_and", "bool_or", "product", "fsum", "favg", "sumkahan", "string_agg", "list",
    "array_agg", "first", "last", "any_value", "arg_min", "arg_max", "argmin", "argmax", "min_by", "max_by",
    "approx_count_distinct", "entropy", "kurtosis", "skewness", "corr", "covar_pop", "covar_samp",
}
_SCALARS = {
    "coalesce", "nullif", "greatest", "least", "round", "abs", "floor", "ceil", "ceiling", "cast", "try_cast",
    "sqrt", "ln", "log", "log10", "log2", "exp", "power", "pow", "sign", "trunc", "year", "month", "day",
    "quarter", "date_diff", "datediff", "date_part", "date_trunc", "make_date", "if", "ifnull", "nvl", "lower",
    "upper", "length", "contains", "starts_with", "isnan", "isfinite",
}
_PAREN_KEYWORDS = {
    "in", "and", "or", "not", "where", "when", "then", "else", "case", "is", "between", "like", "ilike", "as",
    "interval", "distinct", "all", "any", "exists",
}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _closing_paren(text: str, start: int) -> int | None:
    """Index of the parenthesis closing the one at ``start`` (quotes respected)."""
    return next((i for i, ch, depth in _unquoted(text, start) if ch == ")" and depth == 0), None)


def _add_filter(expr: str, condition: str) -> str | None:
    """``expr`` with every aggregate call restricted to the rows meeting ``condition``.

    ``sum(x)`` becomes ``sum(x) FILTER (WHERE (condition))`` and an existing FILTER is
    combined with AND; the value is then exactly that of ``expr`` over the filtered rows.
    Returns None when the expression holds a function the engine does not know (it is then
    computed by a query of its own: correct, only slower).
    """
    out: list[str] = []
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch in "'\"":
            end = i + 1
            while end < n and not (expr[end] == ch and expr[end + 1:end + 2] != ch):
                end += 2 if expr[end] == ch else 1
            out.append(expr[i:end + 1])
            i = end + 1
            continue
        m = _WORD.match(expr, i) if (i == 0 or not (expr[i - 1].isalnum() or expr[i - 1] in "_.")) else None
        if not m:
            out.append(ch)
            i += 1
            continue
        word, j = m.group(0), m.end()
        k = j
        while k < n and expr[k].isspace():
            k += 1
        if k >= n or expr[k] != "(":
            out.append(word)
            i = j
            continue
        low = word.lower()
        if low in _AGGREGATES:
            close = _closing_paren(expr, k)
            if close is None:
                return None
            call = expr[i:close + 1]
            f = re.match(r"\s*FILTER\s*\(", expr[close + 1:], re.IGNORECASE)
            if f:
                f_open = close + f.end()
                f_close = _closing_paren(expr, f_open)
                inner = re.match(r"\(\s*WHERE\s+(.*)\)$", expr[f_open:f_close + 1], re.IGNORECASE | re.DOTALL)
                if f_close is None or not inner:
                    return None
                out.append(f"{call} FILTER (WHERE ({condition}) AND ({inner.group(1)}))")
                i = f_close + 1
            else:
                out.append(f"{call} FILTER (WHERE ({condition}))")
                i = close + 1
            continue
        if low in _SCALARS or low in _PAREN_KEYWORDS:
            out.append(word)
            i = j
            continue
        return None  # unknown function (or a subquery, a window…): do not merge
    return "".join(out)


def _group_units(units: Iterable[_Unit]) -> list[_Group]:
    """Gather units reading the same rows into one query each.

    Units on the same dataset, attribution and computed columns but with different
    filters share one query when their aggregates can carry their filter as a FILTER
    clause; the query keeps the rows of any of the filters (or all rows when a unit has
    none).
    """
    buckets: dict[tuple, list[_Unit]] = {}
    for u in units:
        key = (u.source, u.periode.kind, u.periode.expression, u.calculs)
        buckets.setdefault(key, []).append(u)
    groups: list[_Group] = []
    for members in buckets.values():
        filters = list(dict.fromkeys(u.filtre for u in members))
        if len(filters) == 1:
            first = members[0]
            groups.append(_Group(first.source, first.periode, first.filtre, first.calculs, list(members)))
            continue
        base = None if None in filters else " OR ".join(f"({f})" for f in filters)
        # Over all rows, a filtered unit only joins if it adds no breakdown (each grouping set
        # is computed for every aggregate): a narrower query of its own is cheaper otherwise.
        wide_dims = {d for u in members if u.filtre is None for d in u.dims}
        merged, alone = [], []
        for u in members:
            if u.filtre is None or u.filtre == base:
                merged.append(u)
                continue
            rewritten = {name: _add_filter(expr, u.filtre) for name, expr in u.aggregates.items()}
            if (_refs_period(u.filtre) or any(v is None for v in rewritten.values())
                    or (base is None and not set(u.dims) <= wide_dims)):
                alone.append(u)
            else:
                merged.append(_Unit(u.key, u.source, u.periode, u.filtre, rewritten, u.dims, u.calculs))
        if alone and base is not None:  # the shared query no longer needs those units' rows
            kept = list(dict.fromkeys(u.filtre for u in merged))
            base = " OR ".join(f"({f})" for f in kept) if len(kept) > 1 else kept[0] if kept else None
        if merged:
            first = merged[0]
            groups.append(_Group(first.source, first.periode, base, first.calculs, merged))
        for u in alone:
            groups.append(_Group(u.source, u.periode, u.filtre, u.calculs, [u]))
    return groups


def _extended_periods(periods: Sequence[Period]) -> list[Period]:
    out: set[Period] = set()
    for p in periods:
        out.update(p.shift(-k) for k in range(LOOKBACK + 1))
    return sorted(out, key=lambda p: (list(_TRUNC_UNIT).index(p.grain), p.debut))


def _profile_sql(sources_dims: dict[str, list[str]]) -> str:
    """Which datasets have rows, and the distinct values of each dimension used (all rows)."""
    parts = []
    for source, dims in sources_dims.items():
        src = _q(source)
        parts.append(f"SELECT {_lit(source)} AS _jeu, NULL::VARCHAR AS _dimension, NULL::VARCHAR AS _modalite, "
                     f"EXISTS (SELECT 1 FROM {src}) AS _existe")
        if dims:
            dim_expr, mod_expr, _ = _dimension_sql(dims, ())
            sets = ", ".join(f"({_q(d)})" for d in dims)
            parts.append(f"SELECT {_lit(source)}, {dim_expr}, {mod_expr}, NULL FROM {src} "
                         f"GROUP BY GROUPING SETS ({sets})")
    return " UNION ALL ".join(parts)


def _read_profile(frame: pd.DataFrame) -> tuple[set[str], dict[tuple[str, str], set[str]]]:
    non_empty = set(frame.loc[frame["_existe"].fillna(False).astype(bool), "_jeu"])
    values: dict[tuple[str, str], set[str]] = {}
    dims = frame[frame["_dimension"].notna()]
    for jeu, dim, mod in zip(dims["_jeu"].tolist(), dims["_dimension"].tolist(), dims["_modalite"].tolist()):
        values.setdefault((jeu, dim), set()).add(mod)
    return non_empty, values


def _site_sources(catalogue: Catalogue) -> list[str]:
    """Datasets of the catalogue's indicators broken down by site: their sites are the site list."""
    out = []
    for ind in catalogue:
        if "site" in ind.dimensions:
            out.extend(ind.sources)
    return list(dict.fromkeys(out))


def _finite(x: np.ndarray) -> np.ndarray:
    """Non-finite numbers (division by zero, 0/0) are no value."""
    return np.where(np.isfinite(x), x, np.nan)


def _take(values: np.ndarray, position: np.ndarray, fill: float) -> np.ndarray:
    """``values[position]``, ``fill`` where the position is -1 (no such row)."""
    if not len(values):
        return np.full(len(position), fill)
    return np.where(position >= 0, values[position], fill)


def _as_periods(periods) -> list[Period]:
    if isinstance(periods, (str, Period)):
        periods = [periods]
    out = [parse_period(p) for p in periods]
    if not out:
        raise EngineError("Aucune période demandée.")
    return list(dict.fromkeys(out))


# --- compute -----------------------------------------------------------------------


def compute(conn, catalogue: Catalogue, periods, *, indicator_ids=None, targets=None,
            workers: int = 3) -> pd.DataFrame:
    """Compute indicators for the given periods, for Ensemble and every dimension value.

    ``periods``: Period objects or labels ("2025-06", "2025-T2", "2025"), grains may be mixed.
    ``indicator_ids``: subset to compute (default: the whole catalogue).
    ``targets``: target changes (DataFrame or list of dicts with ``indicateur``,
    ``date_debut``, ``cible``, ``seuil``) overriding the shipped ones from ``date_debut`` on.
    ``workers``: queries run concurrently on that many cursors of ``conn`` (1 = sequential).

    One row per (indicator, period, dimension, dimension value); Ensemble rows have
    ``dimension`` and ``modalite`` None. See :data:`RESULT_COLUMNS`.
    """
    wanted = _as_periods(periods)
    ids = list(dict.fromkeys(indicator_ids)) if indicator_ids is not None else catalogue.ids
    for i in ids:
        if i not in catalogue:
            raise EngineError(f"Indicateur « {i} » absent du catalogue.")
    if not ids:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    frame = _compute_raw(conn, catalogue, ids, _extended_periods(wanted), workers=workers)
    return _finish(frame, catalogue, ids, wanted, targets)


def _run_all(conn, periods: Sequence[Period], sqls: list[str], workers: int) -> list[pd.DataFrame]:
    """Run independent read queries on fresh cursors of ``conn`` (concurrently when asked).

    Each cursor gets a temporary ``_periodes`` table (an inline VALUES list costs several ms
    of planning per query); it vanishes with the cursor, so the caller's connection is left
    untouched.
    """
    workers = max(1, min(workers, len(sqls)))
    cursors = [conn.cursor() for _ in range(workers)]
    results: list[pd.DataFrame | None] = [None] * len(sqls)
    # Longest queries first (text length is a rough guess of the work), round-robin.
    order = sorted(range(len(sqls)), key=lambda i: -len(sqls[i]))

    def work(w: int) -> None:
        cur = cursors[w]
        cur.execute(f"CREATE TEMP TABLE _periodes AS SELECT * FROM (VALUES {_periods_values(periods)}) "
                    f"t(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois)")
        for i in order[w::workers]:
            results[i] = cur.execute(sqls[i]).df()

    try:
        if workers == 1:
            work(0)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(work, range(workers)))
    finally:
        for c in cursors:
            c.close()
    return results  # type: ignore[return-value]


class _Grid:
    """The rows of a result: every period × (Ensemble + each value of each dimension).

    Rows are period-major and addressed by position (period × number of pairs + pair), so
    results are aligned by integer arithmetic instead of looking up string keys row by row.
    All grids of one computation share the same periods.
    """

    def __init__(self, n_periods: int, pairs: list[tuple[str, str]]):
        self.n_periods = n_periods
        self.pairs = pairs  # (dimension, value); (_ENSEMBLE, _ENSEMBLE) first
        self.pair_pos = {p: k for k, p in enumerate(pairs)}
        self.size = n_periods * len(pairs)
        self.dimensions = np.array([d for d, _ in pairs], dtype=object)
        self.values = np.array([v for _, v in pairs], dtype=object)
        self.rank = _ranks(pairs)  # result order of the pairs (by dimension, then value)

    def rows(self, period: np.ndarray, pair: np.ndarray) -> np.ndarray:
        """Row of each (period position, pair position); -1 where either is -1."""
        return np.where((period >= 0) & (pair >= 0), period * len(self.pairs) + pair, -1)

    def align(self, values: np.ndarray, source: _Grid) -> np.ndarray:
        """``values`` of the rows of ``source``, moved to the rows of this grid (NaN where ``source``
        lacks the dimension value)."""
        pair = np.array([source.pair_pos.get(p, -1) for p in self.pairs], dtype=np.int64)
        period = np.arange(self.n_periods)
        return _take(values, source.rows(np.repeat(period, len(pair)), np.tile(pair, self.n_periods)), np.nan)


class _CodedResult:
    """A group query's result with its rows coded as integers (period, dimension, value)."""

    def __init__(self, frame: pd.DataFrame, labels: Sequence[str]):
        period, found = pd.factorize(frame["_periode"])  # code -1: the row of values over no rows
        position = {x: k for k, x in enumerate(labels)}
        self.period = np.array([position.get(x, -1) for x in found] + [-1], dtype=np.int64)[period]
        self.dimension, dimensions = pd.factorize(frame["_dimension"])
        self.value, values = pd.factorize(frame["_modalite"])
        self.dimension_of = {d: k for k, d in enumerate(dimensions)}
        self.value_of = {v: k for k, v in enumerate(values)}
        # Row holding the aggregates' values over no rows (see _group_sql).
        self.empty = np.flatnonzero(self.dimension == self.dimension_of.get(_EMPTY, -2))

    def positions(self, grid: _Grid) -> np.ndarray:
        """Row of the result holding each row of ``grid`` (-1: none)."""
        # pair[dimension code, value code]; the extra last row and column catch NULL codes (-1).
        pair = np.full((len(self.dimension_of) + 1, len(self.value_of) + 1), -1, dtype=np.int64)
        for k, (d, v) in enumerate(grid.pairs):
            if d in self.dimension_of and v in self.value_of:
                pair[self.dimension_of[d], self.value_of[v]] = k
        rows = grid.rows(self.period, pair[self.dimension, self.value])
        found = rows >= 0
        position = np.full(grid.size, -1, dtype=np.int64)
        position[rows[found]] = np.flatnonzero(found)
        return position


_LaidOut = tuple[_Grid, dict[str, np.ndarray]]  # a grid and value columns on its rows


def _ranks(keys: Sequence) -> np.ndarray:
    """Position of each (distinct) key in sorted order."""
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
    return ranks


def _compute_raw(conn, catalogue: Catalogue, ids: Sequence[str], periods: Sequence[Period],
                 workers: int = 1) -> pd.DataFrame:
    """Raw values (no status) for ``ids`` and their dependencies over ``periods``.

    One profile query plus one query per group, run on cursors of ``conn``; the (period,
    dimension value) pairs without rows are then filled with the aggregates' values over no
    rows (or left empty when the dataset has no row at all). Returns :func:`_raw_frame`.
    """
    indicators = catalogue.with_dependencies(ids)
    units = [u for ind in indicators for u in _units_for(ind)]
    groups = _group_units(units)
    # Dimension values: every value present in the dataset; sites are pooled over the datasets
    # of every indicator broken down by site (so an indicator shows 0, or no value for a ratio,
    # for a site without rows of its own), whatever subset of indicators is computed.
    sources_dims: dict[str, list[str]] = {}
    for u in units:
        own = sources_dims.setdefault(u.source, [])
        own.extend(d for d in u.dims if d not in own)
    site_sources = _site_sources(catalogue)
    for source in site_sources:
        own = sources_dims.setdefault(source, [])
        if "site" not in own:
            own.append("site")
    sqls = [_profile_sql(sources_dims)]
    sqls += [_group_sql(g.source, g.periode, g.filtre, g.aliases(), g.dims, periods, periods_table=True,
                        calculs=g.calculs) for g in groups]
    profile, *results = _run_all(conn, periods, sqls, workers)
    non_empty, observed = _read_profile(profile)
    sites = {v for s in site_sources for v in observed.get((s, "site"), ())} - {NOT_FILLED}

    labels = [p.label for p in periods]

    grids: dict[tuple, _Grid] = {}

    def grid(dims: Sequence[str], sources: Iterable[str]) -> _Grid:
        """Every period × (Ensemble + each value of each dimension)."""
        key = (tuple(dims), tuple(sorted(set(sources))))
        if key not in grids:
            pairs = [(_ENSEMBLE, _ENSEMBLE)]
            for d in dims:
                values = {v for s in key[1] for v in observed.get((s, d), ())}
                if d == "site":
                    values |= sites
                pairs.extend((d, v) for v in sorted(values))
            grids[key] = _Grid(len(labels), pairs)
        return grids[key]

    # Each unit's values, laid out on its grid.
    unit_values: dict[str, _LaidOut] = {}
    for g, res in zip(groups, results):
        coded = _CodedResult(res, labels)
        has_rows = g.source in non_empty
        for u in g.units:
            u_grid = grid(u.dims, [u.source])
            position = coded.positions(u_grid)
            columns = {}
            for name, expr in u.aggregates.items():
                values = res[g.alias(expr)].to_numpy(dtype=float, na_value=np.nan)
                fill = values[coded.empty[0]] if has_rows and len(coded.empty) else np.nan
                columns[name] = _finite(_take(values, position, fill))
            unit_values[u.key] = (u_grid, columns)

    # Assemble indicators (dependencies first).
    indicator_values: dict[str, _LaidOut] = {}
    private = None
    try:
        for ind in indicators:
            if not ind.is_composite:
                indicator_values[ind.id] = unit_values[f"I:{ind.id}"]
                continue
            if private is None:  # a cursor of its own leaves conn (and its pending result) untouched
                private = conn.cursor()
            sources = [m.source for m in ind.mesures]
            for ref in ind.references:
                sources.extend(catalogue[ref].sources)
            ind_grid = grid(ind.dimensions, sources)
            columns = _evaluate_composite(private, ind, unit_values, indicator_values, ind_grid)
            indicator_values[ind.id] = (ind_grid, columns)
    finally:
        if private is not None:
            private.close()
    return _raw_frame(ids, indicator_values, labels)


_RAW_VALUES = ("valeur", "effectif", "numerateur", "denominateur")


def _raw_frame(ids: Sequence[str], indicator_values: dict[str, _LaidOut], labels: Sequence[str]) -> pd.DataFrame:
    """The indicators' rows in one frame, built from arrays at once.

    ``indicateur`` and ``_periode`` are categorical: :func:`_finish` reads indicator and
    period attributes once per category through the codes. ``_serie`` numbers the
    (indicator, dimension, value) series; ``_rang`` orders the pairs within an indicator.
    """
    grids = [indicator_values[i][0] for i in ids]
    pairs = [np.tile(np.arange(len(g.pairs)), g.n_periods) for g in grids]
    starts = np.cumsum([0, *(len(g.pairs) for g in grids)])
    data = {
        "indicateur": pd.Categorical.from_codes(np.repeat(np.arange(len(ids)), [g.size for g in grids]),
                                                categories=list(ids)),
        "_periode": pd.Categorical.from_codes(
            np.concatenate([np.repeat(np.arange(g.n_periods), len(g.pairs)) for g in grids]), categories=labels),
        "_serie": np.concatenate([p + s for p, s in zip(pairs, starts)]),
        "_rang": np.concatenate([g.rank[p] for g, p in zip(grids, pairs)]),
        "_dimension": pd.Series(np.concatenate([g.dimensions[p] for g, p in zip(grids, pairs)]), dtype=object),
        "_modalite": pd.Series(np.concatenate([g.values[p] for g, p in zip(grids, pairs)]), dtype=object),
    }
    for col in _RAW_VALUES:
        data[col] = np.concatenate([indicator_values[i][1].get(col, np.full(g.size, np.nan))
                                    for i, g in zip(ids, grids)])
    return pd.DataFrame(data)


def _composite_sql(text: str) -> str:
    return REFERENCE_PATTERN.sub(lambda m: _q(m.group(1)), text)


def _evaluate_composite(private, ind: Indicator, unit_values: dict[str, _LaidOut],
                        indicator_values: dict[str, _LaidOut], grid: _Grid) -> dict[str, np.ndarray]:
    """The composite's fields on ``grid``, from its measures and referenced indicators
    aligned by (period, dimension, value), evaluated by DuckDB (SQL semantics)."""
    parts = {m.name: unit_values[f"M:{ind.id}:{m.name}"] for m in ind.mesures}
    parts.update((ref, indicator_values[ref]) for ref in ind.references)
    components = pd.DataFrame({
        "_r": np.arange(grid.size),
        **{name: grid.align(columns["valeur"], source) for name, (source, columns) in parts.items()}})
    exprs = ind.composite_expressions()
    select = ", ".join(f"CAST(({_composite_sql(e)}) AS DOUBLE) AS {_q(name)}" for name, e in exprs.items())
    # A relation queried under a name: nothing is registered on the cursor (cheaper, nothing to clean up).
    values = private.from_df(components).query("_composantes", f"SELECT {select} FROM _composantes ORDER BY _r").df()
    return {name: _finite(values[name].to_numpy(dtype=float, na_value=np.nan)) for name in exprs}


# --- finishing: periods, targets, status, drift, Wilson ------------------------------------


def _targets_frame(targets) -> pd.DataFrame | None:
    if targets is None:
        return None
    t = pd.DataFrame(targets)
    if t.empty:
        return None
    missing = {"indicateur", "date_debut", "cible"} - set(t.columns)
    if missing:
        raise EngineError(f"Cibles : colonne(s) manquante(s) : {', '.join(sorted(missing))}.")
    if "seuil" not in t:
        t["seuil"] = np.nan
    t = t.copy()
    t["date_debut"] = pd.to_datetime(t["date_debut"]).dt.date
    t["cible"] = pd.to_numeric(t["cible"], errors="coerce").astype(float)
    t["seuil"] = pd.to_numeric(t["seuil"], errors="coerce").astype(float)
    # Several changes from the same date: the last one entered wins.
    order = ["indicateur", "date_debut", *(["saisi_le"] if "saisi_le" in t else [])]
    return t.sort_values(order, kind="stable")


def _spread(items: Sequence, codes: np.ndarray, get, dtype=object) -> np.ndarray:
    """``get(item)`` for each row, the rows holding codes into ``items``: read once per item."""
    return np.array([get(x) for x in items], dtype=dtype)[codes]


def _spread_text(items: Sequence, codes: np.ndarray, get):
    """As :func:`_spread`, as a pandas text array (converted once per item, not per row)."""
    return pd.array([get(x) for x in items], dtype="str")[codes]


def _finish(raw: pd.DataFrame, catalogue: Catalogue, ids: Sequence[str], wanted: Sequence[Period],
            targets) -> pd.DataFrame:
    """History, targets, status and Wilson interval on the raw rows, kept for the wanted periods.

    Works on arrays (thousands of rows): indicator and period attributes are read once per
    indicator / period and spread to the rows by their codes.
    """
    by_label = {p.label: p for p in _extended_periods(wanted)}
    periods = [by_label[x] for x in raw["_periode"].cat.categories]
    info = [catalogue[i] for i in raw["indicateur"].cat.categories]
    per = raw["_periode"].cat.codes.to_numpy(dtype=np.int64)
    ind = raw["indicateur"].cat.codes.to_numpy(dtype=np.int64)
    v = raw["valeur"].to_numpy(dtype=float)
    n = raw["effectif"].to_numpy(dtype=float)
    pct = _spread(info, ind, lambda i: i.is_percentage, bool)

    # The wanted periods' rows, in result order: indicator (as asked), grain, start, dimension, value.
    wanted_labels = {p.label for p in wanted}
    kept = np.flatnonzero(_spread(periods, per, lambda p: p.label in wanted_labels, bool))
    order = {i: k for k, i in enumerate(ids)}
    rows = kept[np.lexsort((raw["_rang"].to_numpy()[kept],
                            _ranks([(p.grain, p.debut) for p in periods])[per[kept]],
                            _spread(info, ind[kept], lambda i: order[i.id], np.int64)))]

    # Drift and comparisons: previous 12 periods of the same series (indicator, dimension, value, grain).
    history = _history(raw["_serie"].to_numpy(), _spread(periods, per, lambda p: p.index, np.int64),
                       _spread(periods, per, lambda p: _PERIODS_PER_YEAR[p.grain], np.int64), v, n, pct, rows)
    per, ind, v, n, pct = per[rows], ind[rows], v[rows], n[rows], pct[rows]

    # Targets in force on each period's first day.
    cible = _spread(info, ind, lambda i: i.cible, float)  # None → NaN
    seuil = _spread(info, ind, lambda i: i.seuil, float)
    changes = _targets_frame(targets)
    if changes is not None:
        debuts = _spread(periods, per, lambda p: p.debut, "datetime64[D]")
        code = {i.id: k for k, i in enumerate(info)}
        for ind_id, ch in changes.groupby("indicateur", sort=False):
            mask = ind == code.get(ind_id, -1)
            if not mask.any():
                continue
            starts = np.array(ch["date_debut"].tolist(), dtype="datetime64[D]")
            pos = np.searchsorted(starts, debuts[mask], side="right") - 1
            has = pos >= 0
            changed = np.flatnonzero(mask)[has]
            cible[changed] = ch["cible"].to_numpy(dtype=float)[pos[has]]
            seuil[changed] = ch["seuil"].to_numpy(dtype=float)[pos[has]]

    sens = _spread(info, ind, lambda i: i.sens)  # None: no direction
    n_min = _spread(info, ind, lambda i: i.n_min, float)
    statut = status_rules.status_array(v, n, sens=sens, cible=cible, seuil=seuil, n_min=n_min)

    # Wilson 95 % interval for percentages (proportion valeur/100 observed on n rows).
    lo, hi = status_rules.wilson_arrays(np.where(pct, v / 100.0, np.nan), n)

    low, high = history["limite_basse"], history["limite_haute"]
    judged = np.isfinite(v) & np.isfinite(low) & np.isfinite(high)
    flags = pd.array((v < low) | (v > high), dtype="boolean")
    flags[~judged] = pd.NA

    dims = raw["_dimension"].to_numpy(dtype=object)[rows]
    ensemble = dims == _ENSEMBLE
    # Ensemble rows: dimension and modalite are None (object columns keep None as such).
    return pd.DataFrame({
        "indicateur": _spread_text(info, ind, lambda i: i.id),
        "titre": _spread_text(info, ind, lambda i: i.titre),
        "processus": _spread_text(info, ind, lambda i: i.processus),
        "periode": _spread_text(periods, per, lambda p: p.label),
        "grain": _spread_text(periods, per, lambda p: p.grain),
        "debut": _spread(periods, per, lambda p: p.debut),
        "fin": _spread(periods, per, lambda p: p.fin),
        "dimension": pd.Series(np.where(ensemble, None, dims), dtype=object),
        "modalite": pd.Series(np.where(ensemble, None, raw["_modalite"].to_numpy(dtype=object)[rows]), dtype=object),
        "valeur": v,
        "effectif": pd.array(np.round(n), dtype="Int64"),
        "numerateur": raw["numerateur"].to_numpy(dtype=float)[rows],
        "denominateur": raw["denominateur"].to_numpy(dtype=float)[rows],
        "unite": _spread_text(info, ind, lambda i: i.unite),
        "decimales": _spread(info, ind, lambda i: i.decimales, np.int64),
        "sens": pd.Series(sens, dtype=object),
        "cible": cible,
        "seuil": seuil,
        "n_min": pd.array(n_min, dtype="Int64"),
        "statut": statut,
        "ic_bas": lo * 100.0,
        "ic_haut": hi * 100.0,
        **history,
        "hors_controle": flags,
    }, columns=RESULT_COLUMNS)


_HISTORY = ("centre", "limite_basse", "limite_haute", "valeur_precedente", "valeur_annee_precedente")


def _history(series: np.ndarray, index: np.ndarray, per_year: np.ndarray, v: np.ndarray, n: np.ndarray,
             pct: np.ndarray, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Centre/limits (previous 12 periods), previous value and value a year earlier, for ``rows``.

    ``series`` numbers the (indicator, dimension, value) series and ``index`` is the period's
    position on its grain's axis. Every row fills the (series × period) matrix of its grain
    (told by its number of periods per year); only ``rows`` are read from it.
    """
    out = {name: np.full(len(rows), np.nan) for name in _HISTORY}
    for k in np.unique(per_year):
        mine = per_year == k
        start = index[mine].min()
        s, t = series[mine], index[mine] - start
        values = np.full((s.max() + 1, t.max() + 1 + LOOKBACK), np.nan)
        counts = np.full(values.shape, np.nan)
        values[s, t + LOOKBACK] = v[mine]
        counts[s, t + LOOKBACK] = n[mine]
        at = np.flatnonzero(mine[rows])
        r = rows[at]
        s, t = series[r], index[r] - start
        windows = np.lib.stride_tricks.sliding_window_view(values, LOOKBACK, axis=1)
        n_windows = np.lib.stride_tricks.sliding_window_view(counts, LOOKBACK, axis=1)
        # windows[s, t]: the previous 12 periods (t − 12 … t − 1)
        c, lo, hi = status_rules.control_limit_arrays(windows[s, t], n_windows[s, t], n[r], pct[r])
        out["centre"][at], out["limite_basse"][at], out["limite_haute"][at] = c, lo, hi
        out["valeur_precedente"][at] = values[s, t + LOOKBACK - 1]
        out["valeur_annee_precedente"][at] = values[s, t + LOOKBACK - k]
    return out


# --- drill-down --------------------------------------------------------------------


def drill_down(conn, catalogue: Catalogue, indicator_id: str, period, dimension: str | None = None,
               value: str | None = None) -> pd.DataFrame:
    """Rows behind one value: the rows of the period (after the filter), with provenance.

    Columns: ``indicateur``, ``composante`` (the indicator itself, or the measure / the
    referenced indicator of a composite), ``au_numerateur`` and ``au_denominateur``
    (membership where relevant, else missing), ``jeu``, ``fichier``, ``_import_id``,
    ``_ligne``, then the dataset's columns.
    """
    if indicator_id not in catalogue:
        raise EngineError(f"Indicateur « {indicator_id} » absent du catalogue.")
    ind = catalogue[indicator_id]
    p = parse_period(period)
    if dimension is not None and dimension not in ind.dimensions:
        possible = ", ".join(ind.dimensions) or "aucune"
        raise EngineError(f"{ind.id} n'est pas ventilé par « {dimension} » (ventilations : {possible}).")
    frames = _drill(conn, catalogue, ind, p, dimension, value, num=None, den=None)
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame(columns=["indicateur", "composante", "au_numerateur", "au_denominateur", "jeu",
                                     "fichier", "_import_id", "_ligne"])
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    out.insert(0, "indicateur", ind.id)
    return out


def _rows_sql(source: str, attribution: Attribution, filtre: str | None, period: Period,
              dimension: str | None, value: str | None, flags: str,
              calculs: Sequence[tuple[str, str]] = ()) -> tuple[str, list]:
    where = [f"({filtre})"] if filtre else []
    params: list = []
    if dimension is not None:
        if value is None or value == NOT_FILLED:
            where.append(f"{_q(dimension)} IS NULL")
        else:
            where.append(f"CAST({_q(dimension)} AS VARCHAR) = ?")
            params.append(value)
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    sql = (
        f"WITH {_periods_cte([period])}, _lignes AS ({_joined_sql(source, attribution, [period], calculs)}) "
        f"SELECT {flags}, {_lit(source)} AS jeu, i.fichier AS fichier, "
        f"l.* EXCLUDE (_periode, debut, fin, debut_fenetre) "
        f"FROM (SELECT * FROM _lignes {where_sql}) l LEFT JOIN imports i ON i.id = l._import_id "
        f"ORDER BY l._import_id, l._ligne"
    )
    return sql, params


def _move_provenance(frame: pd.DataFrame) -> pd.DataFrame:
    first = ["composante", "au_numerateur", "au_denominateur", "jeu", "fichier", "_import_id", "_ligne"]
    return frame[[*first, *[c for c in frame.columns if c not in first]]]


def _drill(conn, catalogue, ind: Indicator, period, dimension, value, num, den) -> list[pd.DataFrame]:
    if not ind.is_composite:
        if ind.condition_numerateur:
            flags = (f"{_lit(ind.id)} AS composante, coalesce(({ind.condition_numerateur}), false) AS au_numerateur, "
                     f"true AS au_denominateur")
        elif ind.numerateur and ind.denominateur:
            flags = f"{_lit(ind.id)} AS composante, true AS au_numerateur, true AS au_denominateur"
        else:
            flags = f"{_lit(ind.id)} AS composante, NULL::BOOLEAN AS au_numerateur, NULL::BOOLEAN AS au_denominateur"
        if num is not None:  # inside a composite: membership comes from the composite's formula
            flags = f"{_lit(ind.id)} AS composante, {num} AS au_numerateur, {den} AS au_denominateur"
        sql, params = _rows_sql(ind.source, ind.periode, ind.filtre, period, dimension, value, flags, ind.calculs)
        return [_move_provenance(conn.execute(sql, params).df())]
    frames = []
    numerator = ind.numerateur or ""
    denominator = ind.denominateur or ""

    def member(name: str, text: str) -> bool | None:
        if not text:
            return None
        return bool(re.search(rf"(?<![\w\"]){re.escape(name)}(?![\w\"])", text)) or f"[{name}]" in text

    for m in ind.mesures:
        in_num, in_den = member(m.name, numerator), member(m.name, denominator)
        flags = (f"{_lit(m.name)} AS composante, {_bool_sql(in_num)} AS au_numerateur, "
                 f"{_bool_sql(in_den)} AS au_denominateur")
        sql, params = _rows_sql(m.source, m.periode, m.filtre, period, dimension, value, flags, m.calculs)
        frames.append(_move_provenance(conn.execute(sql, params).df()))
    for ref in ind.references:
        in_num = (f"[{ref}]" in numerator) if numerator else None
        in_den = (f"[{ref}]" in denominator) if denominator else None
        frames.extend(_drill(conn, catalogue, catalogue[ref], period, dimension, value,
                             num=_bool_sql(in_num), den=_bool_sql(in_den)))
    return frames


def _bool_sql(x: bool | None) -> str:
    return "NULL::BOOLEAN" if x is None else ("true" if x else "false")


# --- schema check support (used by catalogue.check_against_schema) -----------------------


def empty_store(datasets: dict) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with one empty table per declared dataset (+ provenance) and ``imports``."""
    conn = duckdb.connect(":memory:")
    for name, ds in datasets.items():
        cols = ", ".join(f"{_q(c.name)} {c.sql_type}" for c in ds.columns)
        conn.execute(f"CREATE TABLE {_q(name)} ({cols}, _import_id BIGINT, _ligne BIGINT)")
    conn.execute("CREATE TABLE imports (id BIGINT, jeu VARCHAR, fichier VARCHAR, date TIMESTAMP)")
    return conn


def _french_sql_error(exc: Exception, columns: Sequence[str] | None) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    m = re.search(r'Referenced column "?([^"\s]+)"? not found', str(exc))
    if m:
        hint = f" (colonnes : {', '.join(columns)})" if columns else ""
        return f"colonne « {m.group(1)} » inconnue{hint}"
    m = re.search(r'column "?([^"\s]+)"? must appear in the GROUP BY clause', str(exc))
    if m:
        return (f"l'expression doit être un agrégat (count(*), sum(…), median(…)…) : "
                f"la colonne « {m.group(1)} » est utilisée hors agrégat")
    m = re.search(r"Table with name (\S+) does not exist", str(exc))
    if m:
        return f"jeu de données « {m.group(1)} » inconnu"
    return f"erreur SQL : {text}"


def check_indicator(conn, catalogue: Catalogue, ind: Indicator, datasets: dict, detailed: bool = True) -> list[str]:
    """Problems of one indicator against the schema (empty tables in ``conn``), in French.

    ``detailed`` False: only the checks that need no query on the datasets (sources,
    dimensions, reserved names, composite formulas); True: also run each SQL field alone,
    to name the faulty field.
    """
    head = f"{ind.source_file} : indicateur {ind.id} : champ"
    problems: list[str] = []
    probe = [Period("mois", date(2025, 1, 1))]

    def run(sql: str, where: str, columns) -> bool:
        try:
            conn.execute(sql).fetchall()
            return True
        except duckdb.Error as exc:
            problems.append(f"{head} « {where} » : {_french_sql_error(exc, columns)}")
            return False

    def check_source(source: str, attribution: Attribution, filtre: str | None, fields: dict[str, str],
                     prefix: str, condition: str | None = None, calculs: Sequence[tuple[str, str]] = ()) -> None:
        if source not in datasets:
            problems.append(f"{head} « {prefix}source » : jeu de données « {source} » inconnu "
                            f"(jeux : {', '.join(sorted(datasets))})")
            return
        columns = [c.name for c in datasets[source].columns]
        clash = [c for c in columns if c in PERIOD_COLUMNS]
        if clash:
            problems.append(f"{head} « {prefix}source » : la colonne « {clash[0]} » du jeu « {source} » "
                            f"porte un nom réservé aux périodes")
            return
        for k, d in enumerate(ind.dimensions):
            if d not in columns:
                problems.append(f"{head} « dimensions[{k}] » : « {d} » n'est pas une colonne du jeu "
                                f"« {source} » (colonnes : {', '.join(columns)})")
        if not detailed:
            return
        for name, expr in calculs:
            if not run(f"SELECT ({expr}) FROM {_q(source)}", f"{prefix}calculs.{name}", columns):
                return
        columns = [*columns, *(name for name, _ in calculs)]
        ctx = f"WITH {_periods_cte(probe)}, _lignes AS ({_joined_sql(source, attribution, probe, calculs)}) "
        if not run(f"{ctx} SELECT count(*) FROM _lignes", f"{prefix}periode", columns):
            return
        if filtre and not run(f"{ctx} SELECT count(*) FROM _lignes WHERE ({filtre})", f"{prefix}filtre", columns):
            return
        if condition and not run(f"{ctx} SELECT count(*) FROM _lignes WHERE ({condition})",
                                 f"{prefix}condition_numerateur", columns):
            return
        for name, expr in fields.items():
            run(f"{ctx} SELECT CAST(({expr}) AS DOUBLE) FROM _lignes GROUP BY _periode", f"{prefix}{name}", columns)

    if not ind.is_composite:
        declared = {name: getattr(ind, name) for name in ("valeur", "numerateur", "denominateur", "effectif")
                    if getattr(ind, name) and not (ind.condition_numerateur and name == "valeur")}
        check_source(ind.source, ind.periode, ind.filtre, declared, "", ind.condition_numerateur, ind.calculs)
    else:
        for m in ind.mesures:
            check_source(m.source, m.periode, m.filtre, {"expression": m.expression}, f"mesures.{m.name}.",
                         calculs=m.calculs)
        names = [m.name for m in ind.mesures] + list(ind.references)
        cols = ", ".join(_q(n) for n in names) or "_vide"
        dummy = f"(VALUES {', '.join('(' + ', '.join(['1.0'] * max(len(names), 1)) + ')' for _ in range(2))}) t({cols})"
        no_aggregate = ("un indicateur composé combine ses mesures et références ligne à ligne : "
                        "pas d'agrégat ici (les agrégats vont dans les mesures)")
        for field_name, expr in ind.composite_expressions().items():
            try:
                n = len(conn.execute(f"SELECT CAST(({_composite_sql(expr)}) AS DOUBLE) FROM {dummy}").fetchall())
                if n != 2:
                    problems.append(f"{head} « {field_name} » : {no_aggregate}")
            except duckdb.Error as exc:
                if "GROUP BY" in str(exc):
                    problems.append(f"{head} « {field_name} » : {no_aggregate}")
                    continue
                problems.append(f"{head} « {field_name} » : "
                                f"{_french_sql_error(exc, names)} (noms utilisables : "
                                f"{', '.join(m.name for m in ind.mesures) or '–'}, ou [ID] d'un indicateur)")
    return problems


def probe_compute(conn, catalogue: Catalogue, ids: Sequence[str]) -> str | None:
    """Run the whole engine path for ``ids`` on (empty) tables: None if fine, else the error in French."""
    probe = [Period("mois", date(2025, 1, 1))]
    try:
        compute(conn, catalogue, probe, indicator_ids=ids, workers=1)
        return None
    except (duckdb.Error, EngineError, ValueError) as exc:
        return _french_sql_error(exc, None)


def indicator_sql(catalogue: Catalogue, indicator_id: str, periods) -> list[str]:
    """The SQL the engine runs for one indicator (for the fiche page and auditors)."""
    ind = catalogue[indicator_id]
    wanted = _as_periods(periods)
    out = []
    for g in _group_units(_units_for(ind)):
        out.append(_group_sql(g.source, g.periode, g.filtre, g.aliases(), g.dims, wanted, calculs=g.calculs))
    if ind.is_composite:
        out.extend(f"-- {name} = {_composite_sql(e)}" for name, e in ind.composite_expressions().items())
    return out
