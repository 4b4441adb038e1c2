"""Tables on screen, one way: full width, no index, an empty cell where a value is missing
(Streamlit would print the English « None »), and long texts wrapped rather than cut."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.model.datasets import Dataset

WRAPPED_ROWS_MAX = 50  # a wrapped table is static: beyond this many rows, the download holds the rest
# The rejects' and warnings' columns (model.batch), as headed on screen.
PROBLEM_HEADINGS = {"nature": "Nature", "ligne": "Ligne", "colonne": "Colonne", "valeur": "Valeur",
                    "message": "Message"}


def table(frame: pd.DataFrame, column_config: dict | None = None) -> None:
    """An interactive table (sort, search, resize) of short cells; whole numbers written the French
    way by the browser (« 14 377 », still sorted as numbers) unless a column says otherwise."""
    config = {name: st.column_config.NumberColumn(format="localized") for name in frame.columns
              if pd.api.types.is_integer_dtype(frame[name])}
    st.dataframe(frame, hide_index=True, width="stretch", placeholder="", column_config={**config, **(column_config or {})})


def french_dates(dataset: Dataset) -> dict:
    """The dataset's date columns shown as 14/03/2025, not 2025-03-14 00:00:00."""
    return {c.name: st.column_config.DateColumn(format="DD/MM/YYYY") for c in dataset.columns if c.type == "date"}


def wrapped_table(frame: pd.DataFrame, headings: dict[str, str] | None = None) -> None:
    """A static table whose long cells (French messages naming a row, a column and a value) wrap
    onto several lines instead of being cut: the first :data:`WRAPPED_ROWS_MAX` rows, numbers
    written the French way, columns renamed by ``headings``."""
    shown = frame.head(WRAPPED_ROWS_MAX)
    cells = pd.DataFrame({headings.get(name, name) if headings else name: _texts(shown[name]) for name in shown.columns})
    st.table(cells, hide_index=True)
    if len(frame) > WRAPPED_ROWS_MAX:
        st.caption(f"Les {WRAPPED_ROWS_MAX} premières lignes sur {formats.number(len(frame))} : "
                   "le téléchargement les contient toutes.")


def _texts(column: pd.Series) -> list[str]:
    """Each cell as shown: empty when missing, whole numbers without « ,0 »."""
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    return ["" if formats.is_missing(value) else formats.number(value, 0 if float(value).is_integer() else 1)
            if numeric else str(value) for value in column]
