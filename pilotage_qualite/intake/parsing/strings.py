"""Column-wise work on the text cells of a column: regular expressions through ``Series.str``.

On Arrow-backed strings when pyarrow is available (RE2, vectorised), on plain object strings
otherwise. The patterns are written so that they mean the same in RE2 and in ``re``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pilotage_qualite.common.text import normalize_header

try:  # pyarrow ships with pandas 3 / streamlit; regexes then run in RE2, column-wise.
    import pyarrow
except ImportError:  # pragma: no cover - plain object strings work too, only slower
    pyarrow = None

# Tests turn this off to run the plain object strings (``re``) on a machine that has pyarrow.
ARROW_STRINGS = pyarrow is not None

# Whitespace written as literal characters so the patterns mean the same in RE2 and `re`.
SPACE_CHARS = " \t\u00a0\u202f\u2009\u2007"
SP = "[" + SPACE_CHARS + "]"


def str_series(values: np.ndarray) -> pd.Series:
    """Strings for column-wise regex work: Arrow-backed when possible."""
    if ARROW_STRINGS:
        try:
            arr = pyarrow.array(values, type=pyarrow.string(), from_pandas=True)
            return pd.Series(pd.arrays.ArrowExtensionArray(arr))
        except Exception:  # e.g. lone surrogates that UTF-8 cannot hold
            pass
    return pd.Series(values, dtype=object)


def stripped_lower(strs: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Stripped lower-case strings (column-wise) and the blank mask."""
    low = str_series(strs).str.strip().str.lower()
    return low, bools(low.str.len() == 0)


def non_blank_text(sel: np.ndarray, strs: np.ndarray, empty: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """The text cells at positions `sel` (their values `strs`), stripped and lowered: blank ones are
    marked in `empty` and left out. Returns the remaining positions and their text."""
    low, blank = stripped_lower(strs)
    empty[sel[blank]] = True
    if blank.any():
        return sel[~blank], low[~blank].reset_index(drop=True)
    return sel, low


def is_arrow(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.ArrowDtype)


def present(col: pd.Series) -> np.ndarray:
    return np.asarray(col.notna().to_numpy(dtype=bool, na_value=False), dtype=bool)


def bools(x: pd.Series) -> np.ndarray:
    return np.asarray(x.to_numpy(dtype=bool, na_value=False), dtype=bool)


def ints(col: pd.Series) -> np.ndarray:
    """Integer value of a digits-only extracted group, -1 where absent."""
    if is_arrow(col):
        return col.astype("int64[pyarrow]").to_numpy(dtype=np.int64, na_value=-1)
    return pd.to_numeric(col, errors="coerce").fillna(-1).to_numpy(dtype=np.int64)


def slice_ints(s: pd.Series, start: int, stop: int) -> np.ndarray:
    """Integer value of ``s.str[start:stop]``, which the caller knows to be digits."""
    return ints(s.str.slice(start, stop))


def subset(s: pd.Series, mask: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Positions of ``mask`` and the matching strings (the whole Series when all match)."""
    pos = np.flatnonzero(mask)
    if len(pos) == len(s):
        return pos, s
    return pos, s.iloc[pos].reset_index(drop=True)


def lens(col: pd.Series) -> np.ndarray:
    lengths = col.str.len()
    if is_arrow(lengths):
        return lengths.to_numpy(dtype=np.int64, na_value=0)
    return lengths.fillna(0).to_numpy(dtype=np.int64)


def floats_from_text(col: pd.Series) -> np.ndarray:
    """Float value of already-validated numeric strings ("-1234.5e3")."""
    if is_arrow(col):
        try:
            return col.astype("double[pyarrow]").to_numpy(dtype=np.float64, na_value=np.nan)
        except Exception:
            pass
    out = np.full(len(col), np.nan)
    for i, v in enumerate(col.to_numpy(dtype=object)):
        try:
            out[i] = float(v)
        except Exception:
            pass
    return out


def extract(s: pd.Series, mask: np.ndarray, pattern: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Positions of ``s[mask]`` and their regex groups (a row of NA where no match)."""
    pos, sub = subset(s, mask)
    df = sub.str.extract(pattern, expand=True)
    if is_arrow(sub):
        # RE2 gives "" for an optional group that did not take part: make it missing, as
        # `re` does (every group of our patterns matches at least one character).
        for col in df.columns:
            blank = bools(df[col] == "")
            if blank.any():
                df[col] = df[col].mask(blank)
    return pos, df


def lookup_tokens(col: pd.Series, table: dict[str, int]) -> np.ndarray:
    """Map each extracted word through ``table`` (after normalize_header); -1 if unknown."""
    codes, uniques = pd.factorize(col)
    mapped = np.array([table.get(normalize_header(u), -1) for u in uniques] + [-1], dtype=np.int64)
    return mapped[np.where(codes < 0, len(uniques), codes)]
