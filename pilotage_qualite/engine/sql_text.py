"""Reading and writing SQL text: quoting, the conditions' top-level AND, FILTER clauses.

The definitions' SQL is text the engine does not parse; these helpers read just enough of it
(quotes respected) to decide whether a rewrite is safe, and return None when it is not: the
engine then takes the plain path (correct, only slower).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pilotage_qualite.model.catalogue import REFERENCE_PATTERN


def identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def composite_sql(text: str) -> str:
    """A composite's formula as SQL: each ``[ID]`` becomes the column named after the indicator."""
    return REFERENCE_PATTERN.sub(lambda m: identifier(m.group(1)), text)


_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_PERIOD_REF = re.compile(r"\b(debut|fin|debut_fenetre)\b")


def blank_quotes(text: str) -> str:
    """``text`` with every quoted string or identifier emptied, so that words inside them are not read."""
    return _QUOTED.sub("''", text)


def refers_to_period(text: str) -> bool:
    """Whether SQL ``text`` uses the period's columns (debut, fin, debut_fenetre)."""
    return bool(_PERIOD_REF.search(blank_quotes(text)))


def _unquoted(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
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


def split_and(text: str) -> list[str] | None:
    """Top-level AND conjuncts of a condition; None when it has a top-level OR or a BETWEEN."""
    if re.search(r"\bBETWEEN\b", blank_quotes(text), re.IGNORECASE):
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


# --- FILTER clauses ----------------------------------------------------------------------

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


def add_filter(expr: str, condition: str) -> str | None:
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
