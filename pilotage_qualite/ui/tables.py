"""Tables on screen, one way: full width, no index, an empty cell where a value is missing
(Streamlit would print the English « None »), and long texts wrapped rather than cut. On the
projector every table is static, in the projector's type, and as wide as the screen at most."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.model.datasets import Dataset
from pilotage_qualite.ui.filters import projector_on

WRAPPED_ROWS_MAX = 50  # a wrapped table is static: beyond this many rows, the download holds the rest
# The rejects' and warnings' columns (model.batch), as headed on screen.
PROBLEM_HEADINGS = {"nature": "Nature", "ligne": "Ligne", "colonne": "Colonne", "valeur": "Valeur",
                    "message": "Message"}
# On the projector a cell wraps at its spaces and hyphens (as the browser does), so a table fits
# the screen while its columns' longest words fit side by side: at 1280 px (the narrowest screen of
# the room, less the page's margins), 24 px type (about 13 px a character, wide letters counted)
# and a cell's padding. Columns beyond are left out, and named under the table.
PROJECTOR_TABLE_PX = 1240
PROJECTOR_CHAR_PX = 13
PROJECTOR_CELL_PX = 24


def table(frame: pd.DataFrame, column_config: dict | None = None) -> None:
    """An interactive table (sort, search, resize) of short cells; whole numbers written the French
    way by the browser (« 14 377 », still sorted as numbers) unless a column says otherwise. On the
    projector, a :func:`wrapped_table` (a grid draws its own small type and scrolls sideways)."""
    if projector_on():
        wrapped_table(frame)
        return
    config = {name: st.column_config.NumberColumn(format="localized") for name in frame.columns
              if pd.api.types.is_integer_dtype(frame[name])}
    st.dataframe(frame, hide_index=True, width="stretch", placeholder="", column_config={**config, **(column_config or {})})


def french_dates(dataset: Dataset) -> dict:
    """The dataset's date columns shown as 14/03/2025, not 2025-03-14 00:00:00."""
    return {c.name: st.column_config.DateColumn(format="DD/MM/YYYY") for c in dataset.columns if c.type == "date"}


def wrapped_table(frame: pd.DataFrame, headings: dict[str, str] | None = None) -> None:
    """A static table whose long cells (French messages naming a row, a column and a value) wrap
    onto several lines instead of being cut: the first :data:`WRAPPED_ROWS_MAX` rows, numbers
    written the French way, columns renamed by ``headings``; on the projector, the columns that
    fit the screen (:func:`projector_columns`)."""
    shown = frame.head(WRAPPED_ROWS_MAX)
    cells = pd.DataFrame({headings.get(name, name) if headings else name: _texts(shown[name]) for name in shown.columns})
    projector = projector_on()
    fitting = projector_columns(cells) if projector else list(cells.columns)
    st.table(cells[fitting], hide_index=True)
    if len(frame) > WRAPPED_ROWS_MAX:
        st.caption(f"Les {WRAPPED_ROWS_MAX} premières lignes sur {formats.number(len(frame))}"
                   + (" : le téléchargement les contient toutes." if not projector else "."))
    left_out = [name for name in cells.columns if name not in fitting]
    if left_out:
        st.caption(f"Sans place à l'écran du projecteur : {', '.join(left_out)} (colonnes affichées hors du "
                   "mode projecteur).")


def projector_columns(cells: pd.DataFrame) -> list[str]:
    """The columns of ``cells`` (texts) that fit side by side on the projector, in their order:
    each as wide as its longest word, heading included (see :data:`PROJECTOR_TABLE_PX`)."""
    kept, width = [], 0
    for name in cells.columns:
        words = [word for text in [name, *cells[name]] for word in re.split(r"\s+|(?<=-)", str(text))]
        need = max(map(len, words)) * PROJECTOR_CHAR_PX + PROJECTOR_CELL_PX
        if width + need <= PROJECTOR_TABLE_PX:
            kept.append(name)
            width += need
    return kept


def _texts(column: pd.Series) -> list[str]:
    """Each cell as shown: empty when missing, whole numbers without « ,0 », dates « 20/08/2026 »
    (with « à 14:05 » when they hold a time), « oui »/« non » (a static table has no column types:
    on the projector every table is one, and Python would write « 2026-08-20 00:00:00 », « True »)."""
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    return ["" if formats.is_missing(value) else formats.number(value, 0 if float(value).is_integer() else 1)
            if numeric else _text(value) for value in column]


def _text(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):  # pandas' Timestamp too
        return formats.date_fr(value) if value.time() == dt.time() else formats.datetime_fr(value)
    if isinstance(value, dt.date):
        return formats.date_fr(value)
    return str(value)
