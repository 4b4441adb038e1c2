"""The rows behind one value, with their provenance: what the fiche shows under a figure."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from pilotage_qualite.engine.query_sql import joined_sql, periods_cte
from pilotage_qualite.engine.results import NOT_FILLED, EngineError
from pilotage_qualite.engine.sql_text import identifier, literal
from pilotage_qualite.model.catalogue import Attribution, Catalogue, Indicator
from pilotage_qualite.model.coverage import RegisterHistory
from pilotage_qualite.model.periods import Period, parse_period

# What the drill-down adds before the dataset's columns (after ``indicateur``).
PROVENANCE_COLUMNS = ["composante", "au_numerateur", "au_denominateur", "jeu", "fichier", "_import_id", "_ligne"]


def drill_down(conn, catalogue: Catalogue, indicator_id: str, period, dimension: str | None = None,
               value: str | None = None, histories: Mapping[str, RegisterHistory] | None = None) -> pd.DataFrame:
    """Rows behind one value: the rows of the period (after the filter), with provenance; a stock
    of a register with a history (``histories``, as ``Coverage.registers``) read as known at the
    period's end, as :func:`~pilotage_qualite.engine.computation.compute` reads it.

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
    frames = _component_rows(conn, catalogue, ind, p, dimension, value, num=None, den=None,
                             histories=histories or {})
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame(columns=["indicateur", *PROVENANCE_COLUMNS])
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    out.insert(0, "indicateur", ind.id)
    return out


def _rows_sql(source: str, attribution: Attribution, filtre: str | None, period: Period,
              dimension: str | None, value: str | None, flags: str,
              calculs: Sequence[tuple[str, str]] = (), history: RegisterHistory | None = None) -> tuple[str, list]:
    """The query of one dataset's rows in the period (and dimension value), ``flags`` first."""
    where = [f"({filtre})"] if filtre else []
    params: list = []
    if dimension is not None:
        if value is None or value == NOT_FILLED:
            where.append(f"{identifier(dimension)} IS NULL")
        else:
            where.append(f"CAST({identifier(dimension)} AS VARCHAR) = ?")
            params.append(value)
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    sql = (
        f"WITH {periods_cte([period])}, _lignes AS ({joined_sql(source, attribution, [period], calculs, history=history)}) "
        f"SELECT {flags}, {literal(source)} AS jeu, i.fichier AS fichier, "
        f"l.* EXCLUDE (_periode, debut, fin, debut_fenetre) "
        f"FROM (SELECT * FROM _lignes {where_sql}) l LEFT JOIN imports i ON i.id = l._import_id "
        f"ORDER BY l._import_id, l._ligne"
    )
    return sql, params


def _provenance_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[*PROVENANCE_COLUMNS, *[c for c in frame.columns if c not in PROVENANCE_COLUMNS]]]


def _bool_sql(x: bool | None) -> str:
    return "NULL::BOOLEAN" if x is None else ("true" if x else "false")


def _component_rows(conn, catalogue: Catalogue, ind: Indicator, period: Period, dimension: str | None,
                    value: str | None, num: str | None, den: str | None,
                    histories: Mapping[str, RegisterHistory]) -> list[pd.DataFrame]:
    """The rows of each component of ``ind`` (itself, or a composite's measures and references).

    ``num``/``den``: inside a composite, the SQL of the referenced indicator's membership.
    """
    if not ind.is_composite:
        if ind.condition_numerateur:
            flags = (f"{literal(ind.id)} AS composante, coalesce(({ind.condition_numerateur}), false) AS au_numerateur, "
                     f"true AS au_denominateur")
        elif ind.numerateur and ind.denominateur:
            flags = f"{literal(ind.id)} AS composante, true AS au_numerateur, true AS au_denominateur"
        else:
            flags = f"{literal(ind.id)} AS composante, NULL::BOOLEAN AS au_numerateur, NULL::BOOLEAN AS au_denominateur"
        if num is not None:  # inside a composite: membership comes from the composite's formula
            flags = f"{literal(ind.id)} AS composante, {num} AS au_numerateur, {den} AS au_denominateur"
        sql, params = _rows_sql(ind.source, ind.attribution, ind.filtre, period, dimension, value, flags, ind.calculs,
                                histories.get(ind.source))
        return [_provenance_first(conn.execute(sql, params).df())]
    frames = []
    numerator = ind.numerateur or ""
    denominator = ind.denominateur or ""

    def member(name: str, text: str) -> bool | None:
        if not text:
            return None
        return bool(re.search(rf"(?<![\w\"]){re.escape(name)}(?![\w\"])", text)) or f"[{name}]" in text

    for m in ind.mesures:
        in_num, in_den = member(m.name, numerator), member(m.name, denominator)
        flags = (f"{literal(m.name)} AS composante, {_bool_sql(in_num)} AS au_numerateur, "
                 f"{_bool_sql(in_den)} AS au_denominateur")
        sql, params = _rows_sql(m.source, m.attribution, m.filtre, period, dimension, value, flags, m.calculs,
                                histories.get(m.source))
        frames.append(_provenance_first(conn.execute(sql, params).df()))
    for ref in ind.references:
        in_num = (f"[{ref}]" in numerator) if numerator else None
        in_den = (f"[{ref}]" in denominator) if denominator else None
        frames.extend(_component_rows(conn, catalogue, catalogue[ref], period, dimension, value,
                                      num=_bool_sql(in_num), den=_bool_sql(in_den), histories=histories))
    return frames
