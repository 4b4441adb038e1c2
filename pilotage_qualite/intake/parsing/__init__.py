"""Coercion of raw spreadsheet cells into typed values, column-wise.

Readers hand over a column as a pandas Series of raw cells: ``str``, ``int``, ``float``,
``bool``, ``datetime.datetime`` / ``pandas.Timestamp`` / ``numpy.datetime64``,
``datetime.date``, ``datetime.time``, ``datetime.timedelta``, ``Decimal`` or an empty cell
(``None``, ``NaN``, ``NaT``, ``pd.NA``, an empty or whitespace-only string). Any other
Series dtype (``float64``, ``datetime64``, ``str``...) and any iterable are accepted too.

Every parser returns a :class:`~.common.Parsed` and never raises:

- ``values``  -- Series with the input's index and the typed values; missing (NA/NaN/NaT)
  wherever the cell is empty **or** invalid;
- ``empty``   -- bool Series: the cell was empty (the caller applies defaults / required rules);
- ``invalid`` -- bool Series: the cell was not empty but could not be read;
- ``reasons`` -- object Series: a short French reason for each invalid cell (``None``
  elsewhere), written to follow the raw value, e.g. « 31/02/2025 » *n'est pas une date valide
  (jour ou mois impossible)*. ``Parsed.errors()`` gives the reasons of invalid cells only.

``empty`` and ``invalid`` never overlap, and ``values`` is present exactly where neither is set.

The parsers, one module per type (each module's docstring lists the forms it reads):
``date.dates``, ``number.numbers`` (with the durations of ``hours``), ``boolean.booleans``,
``choice.choices``, ``likert_scale.likert`` and ``likert_scale.is_likert_column``,
``text.texts``; :func:`parse_column` picks one by a column's declared type.
``common.parse_cell(parser, value, **options) -> Cell`` is the scalar convenience (tests,
previews): ``Cell(value, empty, invalid, reason)`` where a date is returned as
``datetime.date``, an integer as ``int``, a decimal as ``float``.

Implementation: a column is factorised first (bool cells are kept apart from 1/0, which
compare equal), the distinct values are parsed column-wise -- regular expressions through
``Series.str`` on Arrow-backed strings when pyarrow is available (RE2, vectorised), plain
object strings otherwise (:mod:`.strings`) -- and the results are spread back with ``take``
(:mod:`.common`). Listed values (booleans, choices, Likert) are looked up once per distinct
value (:mod:`.listed`). If a vectorised step ever fails on odd input, the distinct values are
parsed one by one and a failing one is reported as invalid, so no parser raises.
"""

from __future__ import annotations

import pandas as pd

from pilotage_qualite.intake.parsing import boolean, choice, common, date, likert_scale, number, text
from pilotage_qualite.model.datasets import Column


def parse_column(column: Column, raw: pd.Series) -> common.Parsed:
    """Coerce one column's raw cells by its declared type."""
    if column.type == "date":
        return date.dates(raw, month_only_allowed=column.month_only_allowed)
    if column.type in ("entier", "decimal"):
        return number.numbers(raw, integer=column.type == "entier", hours_allowed=column.hours_allowed,
                              minimum=column.minimum, maximum=column.maximum)
    if column.type == "booleen":
        return boolean.booleans(raw)
    if column.type == "choix":
        return choice.choices(raw, column.choices)
    if column.type == "likert":
        return likert_scale.likert(raw)
    return text.texts(raw)
