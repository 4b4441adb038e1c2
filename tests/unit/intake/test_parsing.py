"""Cell coercion (intake/parsing/): the forms of datasets.md, their French reasons, and properties.

Every test runs in strict mode: the column-wise path must handle the input itself instead of
falling back to the cell-by-cell safety net. Example tests run on both string engines
(Arrow/RE2 and plain Python objects/``re``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import re
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.intake.parsing import common, strings
from pilotage_qualite.intake.parsing import date as date_parsing
from pilotage_qualite.intake.parsing.boolean import booleans
from pilotage_qualite.intake.parsing.choice import choices
from pilotage_qualite.intake.parsing.common import STR_DTYPE, Cell, Parsed, parse_cell
from pilotage_qualite.intake.parsing.date import dates
from pilotage_qualite.intake.parsing.likert_scale import is_likert_column, likert
from pilotage_qualite.intake.parsing.number import numbers
from pilotage_qualite.intake.parsing.text import texts
from pilotage_qualite.model.datasets import Choice


@contextlib.contextmanager
def engine_ctx(engine: str):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(common, "STRICT", True)
        if engine == "object":
            mp.setattr(strings, "ARROW_STRINGS", False)
        yield


@pytest.fixture(autouse=True, scope="module")
def _strict():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(common, "STRICT", True)
        yield


@pytest.fixture(params=["arrow", "object"])
def engine(request):
    with engine_ctx(request.param):
        yield request.param


def D(y: int, m: int, d: int) -> pd.Timestamp:
    return pd.Timestamp(y, m, d)


def col(*cells) -> pd.Series:
    arr = np.empty(len(cells), dtype=object)
    arr[:] = list(cells)
    return pd.Series(arr, dtype=object)


def one(parser, value, **kw) -> Cell:
    return parse_cell(parser, value, **kw)


def check_invariants(res: Parsed, series: pd.Series) -> None:
    """The contract shared by every parser."""
    for part in (res.values, res.empty, res.invalid, res.reasons):
        assert part.index.equals(series.index)
    assert res.empty.dtype == bool and res.invalid.dtype == bool
    assert not (res.empty & res.invalid).any()
    assert (res.values.notna() == ~(res.empty | res.invalid)).all()
    assert (res.reasons.notna() == res.invalid).all()
    assert all(isinstance(r, str) and r for r in res.reasons[res.invalid])


# --- dates ------------------------------------------------------------------------------

DATE_EXAMPLES = [
    # Excel cells
    (dt.datetime(2025, 3, 14, 10, 22, 1), D(2025, 3, 14)),
    (dt.date(2025, 3, 14), D(2025, 3, 14)),
    (pd.Timestamp("2025-03-14 23:59:59"), D(2025, 3, 14)),
    (np.datetime64("2025-03-14T08:00"), D(2025, 3, 14)),
    # an instant with its zone: its day in Paris (23:30 at UTC−5 is 05:30 on the 15th there)
    (dt.datetime(2025, 3, 14, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))), D(2025, 3, 15)),
    # Excel serial numbers (numeric cells only)
    (45000, D(2023, 3, 15)),
    (45000.75, D(2023, 3, 15)),
    (np.int64(45730), D(2025, 3, 14)),
    (1, D(1900, 1, 1)),
    (59, D(1900, 2, 28)),
    (61, D(1900, 3, 1)),
    (2958465, D(9999, 12, 31)),
    # ISO
    ("2025-03-14", D(2025, 3, 14)),
    ("2025-03-14 10:22:01", D(2025, 3, 14)),
    ("2025-03-14T10:22:01", D(2025, 3, 14)),
    ("2025-03-14T10:22:01.123Z", D(2025, 3, 14)),
    ("2025-03-14T10:22+01:00", D(2025, 3, 14)),
    ("2025/3/4", D(2025, 3, 4)),
    ("20250314", D(2025, 3, 14)),
    (20250314, D(2025, 3, 14)),
    # day-first
    ("14/03/2025", D(2025, 3, 14)),
    ("03/04/2025", D(2025, 4, 3)),
    ("3/4/2025", D(2025, 4, 3)),
    ("14/03/25", D(2025, 3, 14)),
    ("14-03-2025", D(2025, 3, 14)),
    ("14.03.2025", D(2025, 3, 14)),
    ("14/03/2025 10:22:01", D(2025, 3, 14)),
    ("14/03/2025 10:22", D(2025, 3, 14)),
    ("14/03/2025 10h22", D(2025, 3, 14)),
    ("  14/03/2025  ", D(2025, 3, 14)),
    ("29/02/2024", D(2024, 2, 29)),
    ("01/01/99", D(2099, 1, 1)),
    # French text
    ("14 mars 2025", D(2025, 3, 14)),
    ("14 MARS 2025", D(2025, 3, 14)),
    ("14 Mars 2025", D(2025, 3, 14)),
    ("1er mars 2025", D(2025, 3, 1)),
    ("1ER MARS 2025", D(2025, 3, 1)),
    ("14 févr. 2025", D(2025, 2, 14)),
    ("14 fevr. 2025", D(2025, 2, 14)),
    ("14 FÉVR. 2025", D(2025, 2, 14)),
    ("14 févr. 2025 10:22", D(2025, 2, 14)),
    ("14 mars 2025 10:22:01", D(2025, 3, 14)),
    ("14 mars 2025 à 10h", D(2025, 3, 14)),
    ("vendredi 14 mars 2025", D(2025, 3, 14)),
    ("Vendredi, 14 mars 2025", D(2025, 3, 14)),
    ("14-mars-2025", D(2025, 3, 14)),
    ("14 mars 25", D(2025, 3, 14)),
    ("2 janv. 2025", D(2025, 1, 2)),
    ("2 janvier 2025", D(2025, 1, 2)),
    ("2 avr. 2025", D(2025, 4, 2)),
    ("2 avril 2025", D(2025, 4, 2)),
    ("2 mai 2025", D(2025, 5, 2)),
    ("2 juin 2025", D(2025, 6, 2)),
    ("2 juil. 2025", D(2025, 7, 2)),
    ("2 juillet 2025", D(2025, 7, 2)),
    ("15 août 2025", D(2025, 8, 15)),
    ("15 aout 2025", D(2025, 8, 15)),
    ("2 sept. 2025", D(2025, 9, 2)),
    ("2 septembre 2025", D(2025, 9, 2)),
    ("2 oct. 2025", D(2025, 10, 2)),
    ("2 nov. 2025", D(2025, 11, 2)),
    ("25 déc. 2025", D(2025, 12, 25)),
    ("25 dec. 2025", D(2025, 12, 25)),
    ("25 décembre 2025", D(2025, 12, 25)),
    ("25 December 2025", D(2025, 12, 25)),
]


@pytest.mark.parametrize("raw,expected", DATE_EXAMPLES)
def test_dates_examples(engine, raw, expected):
    cell = one(dates, raw)
    assert (cell.invalid, cell.reason) == (False, None)
    assert cell.value == expected.date()


def test_dates_examples_as_one_column(engine):
    series = col(*(raw for raw, _ in DATE_EXAMPLES))
    res = dates(series)
    check_invariants(res, series)
    assert res.values.dtype == np.dtype("datetime64[s]")
    assert res.values.tolist() == [exp for _, exp in DATE_EXAMPLES]


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("31/02/2025", "n'est pas une date valide (jour ou mois impossible)"),
        ("29/02/2023", "n'est pas une date valide (jour ou mois impossible)"),
        ("14/13/2025", "n'est pas une date valide (jour ou mois impossible)"),
        ("00/03/2025", "n'est pas une date valide (jour ou mois impossible)"),
        ("31 avril 2025", "n'est pas une date valide (jour ou mois impossible)"),
        ("14/03/2025 25:00", "n'est pas une date valide (heure impossible)"),
        ("14/03/2025 10:61", "n'est pas une date valide (heure impossible)"),
        ("01/01/1899", "n'est pas une date valide (année hors de 1900 à 9999)"),
        ("14/03/0225", "n'est pas une date valide (année hors de 1900 à 9999)"),
        ("demain", "n'est pas une date valide (format attendu : JJ/MM/AAAA)"),
        ("45000", "n'est pas une date valide (format attendu : JJ/MM/AAAA)"),
        ("14/03-2025", "n'est pas une date valide (format attendu : JJ/MM/AAAA)"),
        ("14 marsss 2025", "n'est pas une date valide (format attendu : JJ/MM/AAAA)"),
        ("14/03/2025 10", "n'est pas une date valide (format attendu : JJ/MM/AAAA)"),
        ("14/03", "n'est pas une date valide (format attendu : JJ/MM/AAAA)"),
        ("25990314", "n'est pas une date valide (format attendu : JJ/MM/AAAA)"),
        ("20251314", "n'est pas une date valide (jour ou mois impossible)"),
        (20250231, "n'est pas une date valide (jour ou mois impossible)"),
        ("mars 2025", "est un mois sans jour : une date complète est attendue (JJ/MM/AAAA)"),
        ("03/2025", "est un mois sans jour : une date complète est attendue (JJ/MM/AAAA)"),
        (60, "n'est pas un numéro de date Excel valide"),
        (0, "n'est pas un numéro de date Excel valide"),
        (-3, "n'est pas un numéro de date Excel valide"),
        (2958466, "n'est pas un numéro de date Excel valide"),
        (float("inf"), "n'est pas un numéro de date Excel valide"),
        (dt.time(10, 22), "est une heure, pas une date"),
        (dt.timedelta(hours=3), "est une durée, pas une date"),
        (True, "est une valeur oui/non, pas une date"),
        (dt.datetime(1899, 12, 30, 10, 0), "n'est pas une date valide (année hors de 1900 à 9999)"),
    ],
)
def test_dates_invalid(engine, raw, reason):
    cell = one(dates, raw)
    assert cell.invalid and not cell.empty and cell.value is None
    assert cell.reason == reason


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("mars 2025", D(2025, 3, 1)),
        ("Mars 2025", D(2025, 3, 1)),
        ("MARS 2025", D(2025, 3, 1)),
        ("févr. 2025", D(2025, 2, 1)),
        ("août 2024", D(2024, 8, 1)),
        ("déc. 2024", D(2024, 12, 1)),
        ("mars-25", D(2025, 3, 1)),
        ("03/2025", D(2025, 3, 1)),
        ("3/2025", D(2025, 3, 1)),
        ("2025-03", D(2025, 3, 1)),
        # full dates stay full dates
        ("14/03/2025", D(2025, 3, 14)),
        (dt.date(2025, 3, 14), D(2025, 3, 14)),
    ],
)
def test_dates_month_only(engine, raw, expected):
    cell = one(dates, raw, month_only_allowed=True)
    assert (cell.invalid, cell.value) == (False, expected.date())


def test_dates_month_only_impossible(engine):
    assert one(dates, "13/2025", month_only_allowed=True).reason == (
        "n'est pas une date valide (jour ou mois impossible)"
    )


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0", float("nan"), pd.NaT, pd.NA, np.nan])
def test_dates_empty(engine, raw):
    cell = one(dates, raw)
    assert (cell.empty, cell.invalid, cell.value, cell.reason) == (True, False, None, None)


def test_dates_reader_typed_columns():
    index = pd.Index([10, 11, 12])
    naive = pd.Series(pd.to_datetime(["2025-03-14 10:22", None, "1850-01-01 00:00"]), index=index)
    res = dates(naive)
    check_invariants(res, naive)
    assert res.values.tolist()[0] == D(2025, 3, 14)
    assert res.empty.tolist() == [False, True, False]
    assert res.invalid.tolist() == [False, False, True]
    aware = pd.Series(pd.to_datetime(["2025-03-14 23:30"]).tz_localize("Europe/Paris"))
    assert dates(aware).values.tolist() == [D(2025, 3, 14)]


def test_dates_mixed_time_zones_and_objects():
    paris = dt.timezone(dt.timedelta(hours=1))
    series = col(dt.datetime(2025, 3, 14, 23, 30, tzinfo=paris), dt.datetime(2025, 3, 15, 1, 0),
                 dt.date(2025, 3, 16), None)
    res = dates(series)
    check_invariants(res, series)
    assert res.values.tolist()[:3] == [D(2025, 3, 14), D(2025, 3, 15), D(2025, 3, 16)]


def test_dates_keep_wall_clock_day_across_daylight_saving():
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    series = col(dt.datetime(2025, 1, 14, 0, 30, tzinfo=paris), dt.datetime(2025, 7, 14, 0, 30, tzinfo=paris))
    assert dates(series).values.tolist() == [D(2025, 1, 14), D(2025, 7, 14)]


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-31T23:30:00Z", D(2025, 4, 1)),  # 01:30 on 1 April in Paris (summer time since 30/03)
    ("2025-03-31 21:30:00Z", D(2025, 3, 31)),  # 23:30 in Paris: still 31 March
    ("2025-12-31T23:30:00.000Z", D(2026, 1, 1)),  # 00:30 in Paris (winter time)
    ("2025-06-30T22:30:00-05:00", D(2025, 7, 1)),  # 05:30 the next day in Paris
    ("2025-01-31T23:30:00+01:00", D(2025, 1, 31)),  # written in Paris time: that day
    ("31/03/2025 23h30 UTC", D(2025, 4, 1)),
    ("31 mars 2025 à 23h30 UTC", D(2025, 4, 1)),
    ("2025-03-31T23:30", D(2025, 3, 31)),  # no zone: the day as written
])
def test_a_time_with_its_zone_is_dated_in_paris(text, expected):
    assert dates(col(text)).values.tolist() == [expected]


def test_dates_keep_index_and_repeated_values():
    series = pd.Series(["14/03/2025", "x", "14/03/2025", None] * 3, index=list("abcdefghijkl"))
    res = dates(series)
    check_invariants(res, series)
    assert res.invalid.sum() == 3 and res.empty.sum() == 3
    assert res.errors().index.tolist() == ["b", "f", "j"]


def test_bool_cells_are_not_merged_with_one_and_zero(engine):
    series = col(True, 1, 1.0, False, 0)
    res = numbers(series)
    assert res.invalid.tolist() == [True, False, False, True, False]
    assert res.values.tolist()[1:3] == [1.0, 1.0]
    res = dates(col(True, 1))
    assert res.invalid.tolist() == [True, False]


# --- numbers ----------------------------------------------------------------------------

NUMBER_EXAMPLES = [
    (3, 3.0), (3.5, 3.5), (np.float64(2.25), 2.25), (decimal.Decimal("2.5"), 2.5),
    ("3", 3.0), ("3,5", 3.5), ("3.5", 3.5), (" 3,5 ", 3.5), ("-3,5", -3.5), ("+3,5", 3.5),
    ("\u22123,5", -3.5), ("1 234", 1234.0), ("1 234,5", 1234.5), ("1\u00a0234,5", 1234.5),
    ("1\u202f234,5", 1234.5), ("12 345 678,25", 12345678.25), ("92,5 %", 92.5), ("92,5%", 92.5),
    ("100 %", 100.0), (",5", 0.5), ("5,", 5.0), ("1,234", 1.234), ("1e3", 1000.0), ("0", 0.0),
    ("-0", 0.0),
]


@pytest.mark.parametrize("raw,expected", NUMBER_EXAMPLES)
def test_numbers_examples(engine, raw, expected):
    cell = one(numbers, raw)
    assert (cell.invalid, cell.reason, cell.value) == (False, None, expected)


def test_numbers_column_dtype(engine):
    series = col(*(raw for raw, _ in NUMBER_EXAMPLES), None, "")
    res = numbers(series)
    check_invariants(res, series)
    assert res.values.dtype == np.float64
    assert res.values.tolist()[:-2] == [exp for _, exp in NUMBER_EXAMPLES]
    assert res.empty.tolist()[-2:] == [True, True]


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("abc", "n'est pas un nombre"),
        ("12 34", "n'est pas un nombre"),
        ("1.234,5", "n'est pas un nombre"),
        ("3,5,6", "n'est pas un nombre"),
        ("2h30", "n'est pas un nombre"),
        ("1:30", "n'est pas un nombre"),
        ("-", "n'est pas un nombre"),
        (True, "est une valeur oui/non, pas un nombre"),
        (False, "est une valeur oui/non, pas un nombre"),
        (dt.date(2025, 3, 14), "est une date, pas un nombre"),
        (dt.datetime(2025, 3, 14), "est une date, pas un nombre"),
        (dt.time(1, 30), "est une durée, pas un nombre"),
        (float("inf"), "n'est pas un nombre fini"),
        ("1e400", "n'est pas un nombre fini"),
        (10**400, "n'est pas un nombre fini"),
    ],
)
def test_numbers_invalid(engine, raw, reason):
    cell = one(numbers, raw)
    assert cell.invalid and cell.reason == reason


HOUR_EXAMPLES = [
    ("7h", 7.0), ("7 h", 7.0), ("7H", 7.0), ("7 heures", 7.0), ("2h30", 2.5), ("2 h 30", 2.5),
    ("2h30min", 2.5), ("0h45", 0.75), ("1:30", 1.5), ("1:30:00", 1.5), ("10:15:36", 10.26),
    ("45 min", 0.75), ("1,5 h", 1.5), ("3,5", 3.5), (7, 7.0),
    (dt.time(1, 30), 1.5), (dt.timedelta(hours=26, minutes=15), 26.25),
]


@pytest.mark.parametrize("raw,expected", HOUR_EXAMPLES)
def test_numbers_hours(engine, raw, expected):
    cell = one(numbers, raw, hours_allowed=True)
    assert not cell.invalid, cell.reason
    assert cell.value == pytest.approx(expected)


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("2h75", "n'est pas une durée valide (minutes ou secondes au-delà de 59)"),
        ("1:75", "n'est pas une durée valide (minutes ou secondes au-delà de 59)"),
        ("1,5h30", "n'est pas un nombre ni une durée (ex. 7 ; 7,5 ; 2h30 ; 1:30)"),
        ("sept heures", "n'est pas un nombre ni une durée (ex. 7 ; 7,5 ; 2h30 ; 1:30)"),
    ],
)
def test_numbers_hours_invalid(engine, raw, reason):
    cell = one(numbers, raw, hours_allowed=True)
    assert cell.invalid and cell.reason == reason


def test_numbers_integer(engine):
    series = col("12", 3, 4.0, "1 234", "3,5", 2.5, None, "-1")
    res = numbers(series, integer=True)
    check_invariants(res, series)
    assert str(res.values.dtype) == "Int64"
    assert res.values.tolist()[:4] == [12, 3, 4, 1234]
    assert res.invalid.tolist() == [False] * 4 + [True, True, False, False]
    assert set(res.errors()) == {"doit être un nombre entier"}
    assert res.values.iloc[7] == -1


@pytest.mark.parametrize(
    "kw,raw,reason",
    [
        (dict(minimum=0), "-3", "doit être positif ou nul"),
        (dict(minimum=0, integer=True), -1, "doit être positif ou nul"),
        (dict(minimum=1), "0,5", "doit être supérieur ou égal à 1"),
        (dict(maximum=4), "5", "doit être inférieur ou égal à 4"),
        (dict(maximum=2.5), "3", "doit être inférieur ou égal à 2,5"),
        (dict(minimum=1, maximum=4), "5", "doit être compris entre 1 et 4"),
        (dict(minimum=1, maximum=4), 0, "doit être compris entre 1 et 4"),
    ],
)
def test_numbers_bounds(engine, kw, raw, reason):
    cell = one(numbers, raw, **kw)
    assert cell.invalid and cell.reason == reason


def test_numbers_bounds_are_inclusive(engine):
    res = numbers(col(0, "4", 1, "2,5"), minimum=0, maximum=4)
    assert not res.invalid.any()


# --- booleans ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw,expected",
    [
        ("oui", True), ("Oui", True), (" OUI ", True), ("o", True), ("O", True), ("vrai", True),
        ("VRAI", True), ("yes", True), ("true", True), ("True", True), ("1", True), ("x", True),
        ("X", True), (True, True), (np.True_, True), (1, True), (1.0, True),
        ("non", False), ("NON", False), ("n", False), ("faux", False), ("no", False),
        ("false", False), ("0", False), (False, False), (0, False), (0.0, False),
    ],
)
def test_booleans(engine, raw, expected):
    cell = one(booleans, raw)
    assert (cell.invalid, cell.value) == (False, expected)


@pytest.mark.parametrize("raw", ["peut-être", "2", 2, 0.5, "-", dt.date(2025, 1, 1), "oui non", "-1", "1/0"])
def test_booleans_invalid(engine, raw):
    cell = one(booleans, raw)
    assert cell.invalid
    assert cell.reason == "n'est pas une valeur oui/non (oui, non, vrai, faux, o, n, x, 1, 0)"


def test_booleans_column(engine):
    series = col("oui", None, "", "non", "x")
    res = booleans(series)
    check_invariants(res, series)
    assert str(res.values.dtype) == "boolean"
    assert res.empty.tolist() == [False, True, True, False, False]


# --- choices ----------------------------------------------------------------------------

ORIGINE = [
    ("habitant", ("usager", "bénéficiaire", "résident", "locataire")),
    ("partenaire", ("bailleur", "collectivité", "institution", "commanditaire")),
    ("salarié", ()),
    ("autre", ()),
]


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("habitant", "habitant"), ("Habitant", "habitant"), (" HABITANT ", "habitant"),
        ("Usager", "habitant"), ("Bénéficiaire", "habitant"), ("beneficiaire", "habitant"),
        ("Collectivité", "partenaire"), ("salarie", "salarié"), ("Salarié", "salarié"),
        ("autre", "autre"),
    ],
)
def test_choices(engine, raw, expected):
    cell = one(choices, raw, choices=ORIGINE)
    assert (cell.invalid, cell.value) == (False, expected)


def test_choices_invalid_lists_allowed_values(engine):
    cell = one(choices, "voisin", choices=ORIGINE)
    assert cell.invalid
    assert cell.reason == "n'est pas une des valeurs autorisées : habitant, partenaire, salarié, autre"


def test_choices_accepts_declaration_objects_and_punctuation(engine):
    listed = [Choice("non-conformité majeure", ("NC majeure", "écart majeur")),
              Choice("piste de progrès", ("piste d'amélioration",)), "point fort"]
    series = col("NC Majeure", "Écart majeur", "Piste d’amélioration", "POINT FORT", None, 3)
    res = choices(series, listed)
    check_invariants(res, series)
    assert res.values.dtype == STR_DTYPE
    assert res.values.tolist()[:4] == ["non-conformité majeure", "non-conformité majeure",
                                       "piste de progrès", "point fort"]
    assert res.empty.tolist()[4] and res.invalid.tolist()[5]


def test_choices_numeric_values(engine):
    res = choices(col(1, 2.0, "3", 4), [("1", ()), ("2", ()), ("3", ())])
    assert res.values.tolist()[:3] == ["1", "2", "3"]
    assert res.invalid.tolist() == [False, False, False, True]


# --- Likert -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Très satisfait", 4), ("tout à fait satisfait", 4), ("TRES SATISFAIT", 4),
        ("Plutôt satisfait", 3), ("satisfait", 3), ("Satisfaite", 3),
        ("Plutôt pas satisfait", 2), ("peu satisfait", 2),
        ("Pas du tout satisfait", 1), ("pas satisfait", 1), ("Insatisfait", 1),
        ("1", 1), ("4", 4), (" 3 ", 3), (2, 2), (4.0, 4), (np.int64(1), 1),
        ("4 - Très satisfait", 4), ("Très satisfait (4)", 4), ("1. Pas du tout satisfait", 1),
        ("Satisfait(e)", 3), ("Très satisfait·e", 4), ("Plutôt pas satisfait(e)", 2), ("Pas du tout satisfait·e", 1),
    ],
)
def test_likert(engine, raw, expected):
    cell = one(likert, raw)
    assert (cell.invalid, cell.value) == (False, expected)


@pytest.mark.parametrize("raw", ["Sans avis", "NSP", "nsp", "Ne sait pas", "ne se prononce pas", "", None,
                                 "Non concerné", "Non concerné(e)", "Sans objet"])
def test_likert_no_answer_is_empty(engine, raw):
    cell = one(likert, raw)
    assert (cell.empty, cell.invalid, cell.value) == (True, False, None)


@pytest.mark.parametrize("raw", ["bof", "5", 0, 2.5, True, "3 - très satisfait", "satisfait ?!x", "-1", "3/4"])
def test_likert_invalid(engine, raw):
    cell = one(likert, raw)
    assert cell.invalid
    assert cell.reason.startswith("n'est pas une réponse de l'échelle de satisfaction")


def test_likert_column_dtype(engine):
    series = col("Très satisfait", "NSP", 2, None)
    res = likert(series)
    check_invariants(res, series)
    assert str(res.values.dtype) == "Int8"
    assert res.values.tolist()[0] == 4 and res.values.tolist()[2] == 2


def test_is_likert_column(engine):
    assert is_likert_column(col("Très satisfait", "Plutôt satisfait", "NSP", None, "2"))
    assert is_likert_column(["Satisfait", "4"])
    assert not is_likert_column(col("1", "2", 3, None))  # digits alone may be counts
    assert is_likert_column(col("1", "2", 3, None), digits_suffice=True)
    assert not is_likert_column(col("Sans avis", None, ""))  # no actual answer
    assert not is_likert_column(col("Très satisfait", "Autre chose"))
    assert not is_likert_column(col("Très satisfait", 7))
    assert not is_likert_column(col())
    assert not is_likert_column(col(None, None))


# --- texts ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw,expected",
    [
        ("  abc  ", "abc"), (123.0, "123"), (123, "123"), (np.int64(42), "42"), (-0.0, "0"),
        (1.5, "1.5"), (1e20, "100000000000000000000"), (decimal.Decimal("12.0"), "12"),
        (True, "oui"), (False, "non"),
        (dt.datetime(2025, 3, 14), "2025-03-14"), (dt.datetime(2025, 3, 14, 10, 22, 1), "2025-03-14 10:22:01"),
        (dt.date(2025, 3, 14), "2025-03-14"), (pd.Timestamp("2025-03-14"), "2025-03-14"),
        (dt.time(10, 22), "10:22"), (dt.time(10, 22, 5), "10:22:05"),
    ],
)
def test_texts(engine, raw, expected):
    cell = one(texts, raw)
    assert (cell.invalid, cell.value) == (False, expected)


def test_texts_column(engine):
    series = col(" A-12 ", None, "", "  ", float("nan"), 7.0)
    res = texts(series)
    check_invariants(res, series)
    assert res.values.dtype == STR_DTYPE
    assert res.empty.tolist() == [False, True, True, True, True, False]
    assert res.values.iloc[0] == "A-12" and res.values.iloc[5] == "7"


# --- odd inputs -------------------------------------------------------------------------

def test_plain_iterables_and_other_dtypes():
    assert dates(["14/03/2025"]).values.tolist() == [D(2025, 3, 14)]
    assert numbers(pd.Series([1.5, np.nan])).empty.tolist() == [False, True]
    assert numbers(pd.Series(["1,5", None], dtype="str")).values.tolist()[0] == 1.5
    assert booleans(pd.Series([True, False])).values.tolist() == [True, False]
    assert texts(pd.Series([1, 2], dtype="Int64")).values.tolist() == ["1", "2"]
    assert dates(col()).values.empty


def test_unhashable_and_exotic_cells_never_raise():
    series = col([1, 2], {"a": 1}, object(), b"bytes", complex(1, 2), "14/03/2025")
    for parser in (dates, numbers, booleans, likert, texts):
        res = parser(series)
        check_invariants(res, series)


def test_safety_net_reports_invalid_instead_of_raising(monkeypatch):
    monkeypatch.setattr(common, "STRICT", False)

    def boom(_low, _month_only_allowed):
        raise RuntimeError("boom")

    monkeypatch.setattr(date_parsing, "parse_date_strings", boom)
    series = col("14/03/2025", None, dt.date(2025, 3, 14))
    res = dates(series)
    check_invariants(res, series)
    assert res.invalid.tolist() == [True, False, False]
    assert res.reasons.iloc[0] == "n'est pas une valeur lisible"
    assert res.values.iloc[2] == D(2025, 3, 14)


def test_100k_rows_are_fast():
    base = dt.date(2023, 1, 1)
    n = 100_000
    text = pd.Series([(base + dt.timedelta(days=i % 1000)).strftime("%d/%m/%Y") for i in range(n)], dtype=object)
    cells = pd.Series([dt.datetime(2023, 1, 1) + dt.timedelta(minutes=i) for i in range(n)], dtype=object)
    french = pd.Series([f"{i % 5000:,}".replace(",", "\u202f") + ",5" for i in range(n)], dtype=object)
    for parser, series in ((dates, text), (dates, cells), (numbers, french)):
        parser(series)
        start = time.perf_counter()
        res = parser(series)
        elapsed = time.perf_counter() - start
        assert not res.invalid.any()
        assert elapsed < 1.0, f"{parser.__name__}: {elapsed:.3f} s"  # ~0.01-0.03 s in practice


# --- properties -------------------------------------------------------------------------

FIXED_TZ = st.builds(lambda h: dt.timezone(dt.timedelta(hours=h)), st.integers(-12, 12))
DATE_FRAGMENTS = st.sampled_from([
    "14", "03", "3", "2025", "25", "1er", "31", "02", "0", "99", "9999", "45000",
    "/", "-", ".", ",", " ", "\u00a0", ":", "h", "t", "T", "z", "+01:00", "à",
    "mars", "MARS", "févr.", "fevr", "août", "déc", "janv.", "vendredi", "mai", "x", "er",
    "10:22", "10:22:01", "25:61", "%", "e", "min", "heures", "\u2212", "1 234", ",5",
    "très", "satisfait", "plutôt", "pas", "du tout", "nsp", "oui", "Non", "X", "\u202f",
])
DATEISH_TEXT = st.lists(DATE_FRAGMENTS, max_size=8).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=30), DATEISH_TEXT)
ANY_CELL = st.one_of(
    st.none(), ANY_TEXT, st.integers(), st.integers(-10**30, 10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.datetimes(), st.datetimes(timezones=FIXED_TZ), st.dates(), st.times(), st.timedeltas(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.just(pd.NaT), st.just(pd.NA), st.just(np.nan), st.builds(np.int64, st.integers(-2**63, 2**63 - 1)),
    st.builds(np.datetime64, st.datetimes(min_value=dt.datetime(1, 1, 1))),
)

PARSERS = [
    lambda s: dates(s),
    lambda s: dates(s, month_only_allowed=True),
    lambda s: numbers(s),
    lambda s: numbers(s, hours_allowed=True),
    lambda s: numbers(s, integer=True, minimum=0),
    lambda s: numbers(s, minimum=1, maximum=4, hours_allowed=True, integer=True),
    lambda s: booleans(s),
    lambda s: choices(s, ORIGINE),
    lambda s: likert(s),
    lambda s: texts(s),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_CELL, max_size=12))
def test_property_any_cells_give_value_empty_or_invalid(cells):
    series = col(*cells)
    for parser in PARSERS:
        check_invariants(parser(series), series)
    assert isinstance(is_likert_column(series), bool)


@settings(max_examples=100, deadline=None)
@given(st.lists(ANY_TEXT, max_size=12))
def test_property_any_text_object_engine(cells):
    series = col(*cells)
    with engine_ctx("object"):
        for parser in PARSERS:
            check_invariants(parser(series), series)


@settings(max_examples=150, deadline=None)
@given(ANY_CELL)
def test_property_single_cells_match_the_column(cell):
    """A cell parses the same alone as inside a column of other cells."""
    series = col("14/03/2025", cell, None, 3)
    for parser in (dates, numbers, booleans, likert, texts):
        alone = parse_cell(parser, cell)
        together = parser(series)
        assert alone.empty == together.empty.iloc[1]
        assert alone.invalid == together.invalid.iloc[1]
        assert alone.reason == together.reasons.iloc[1]


MONTH_FORMS = {
    1: ["janvier", "janv.", "Janv", "JANVIER"], 2: ["février", "févr.", "fevrier", "FÉVR."],
    3: ["mars", "Mars"], 4: ["avril", "avr."], 5: ["mai"], 6: ["juin"],
    7: ["juillet", "juil."], 8: ["août", "aout", "AOÛT"], 9: ["septembre", "sept."],
    10: ["octobre", "oct."], 11: ["novembre", "nov."], 12: ["décembre", "déc.", "dec."],
}
TIMES = st.one_of(
    st.just(""),
    st.times().map(lambda t: t.strftime(" %H:%M")),
    st.times().map(lambda t: t.strftime(" %H:%M:%S")),
)


@st.composite
def formatted_dates(draw):
    day = draw(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)))
    time_part = draw(TIMES)
    style = draw(st.sampled_from(["dmy/", "dmy-", "dmy.", "ymd", "ymdT", "dmy2", "text"]))
    if style == "dmy2":
        day = day.replace(year=draw(st.integers(2000, 2099))) if not (day.month == 2 and day.day == 29) else day.replace(year=2024)
    if style == "text":
        d = "1er" if day.day == 1 and draw(st.booleans()) else str(day.day)
        text = f"{d} {draw(st.sampled_from(MONTH_FORMS[day.month]))} {day.year}"
    elif style == "ymd":
        text = day.strftime("%Y-%m-%d")
    elif style == "ymdT":
        text = day.strftime("%Y-%m-%d") + (("T" + time_part.strip()) if time_part else "")
        time_part = ""
    elif style == "dmy2":
        text = day.strftime("%d/%m/%y")
    else:
        sep = style[-1]
        text = day.strftime(f"%d{sep}%m{sep}%Y")
    padding = draw(st.sampled_from(["", " ", "  ", "\u00a0"]))
    return padding + text + time_part + padding, day


@settings(max_examples=400, deadline=None)
@given(st.lists(formatted_dates(), min_size=1, max_size=20))
def test_property_dates_round_trip(items):
    series = col(*(text for text, _ in items))
    res = dates(series)
    assert not res.invalid.any(), res.errors().tolist()
    assert [v.date() for v in res.values] == [day for _, day in items]


@settings(max_examples=100, deadline=None)
@given(st.integers(1950, 2100), st.integers(1, 12), st.data())
def test_property_month_only_round_trip(year, month, data):
    text = data.draw(st.sampled_from([
        f"{data.draw(st.sampled_from(MONTH_FORMS[month]))} {year}", f"{month:02d}/{year}",
        f"{month}/{year}", f"{year}-{month:02d}",
    ]))
    assert parse_cell(dates, text, month_only_allowed=True).value == dt.date(year, month, 1)
    assert parse_cell(dates, text).invalid


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)), st.times())
def test_property_excel_cells_and_serials(day, moment):
    serial = (day - dt.date(1899, 12, 30)).days + moment.hour / 24
    series = col(dt.datetime.combine(day, moment), day, serial, int(serial))
    assert [v.date() for v in dates(series).values] == [day] * 4


def french(x: float, group: str) -> str:
    text = np.format_float_positional(x, trim="-")
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + group.join(groups) + ("," + frac if frac else "")


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False),
                  st.sampled_from([" ", "\u00a0", "\u202f", ""]),
                  st.sampled_from(["", " %", "%"])),
        min_size=1, max_size=20,
    )
)
def test_property_french_numbers_round_trip(items):
    series = col(*(french(x, group) + pct for x, group, pct in items))
    res = numbers(series)
    assert not res.invalid.any(), list(zip(series, res.reasons))
    assert res.values.tolist() == [x + 0.0 for x, _, _ in items]


@settings(max_examples=200, deadline=None)
@given(st.integers(-10**15, 10**15), st.sampled_from([" ", "\u00a0", "\u202f"]))
def test_property_integers_round_trip(n, group):
    cell = parse_cell(numbers, french(float(n), group), integer=True)
    assert cell.value == n


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 999), st.integers(0, 59), st.sampled_from(["{h}h{m:02d}", "{h} h {m}", "{h}:{m:02d}", "{h}h{m}min"]))
def test_property_hours_round_trip(h, m, form):
    cell = parse_cell(numbers, form.format(h=h, m=m), hours_allowed=True)
    assert cell.value == pytest.approx(h + m / 60)


HEADER_RE = re.compile(r"(?:[a-z0-9]+(?: [a-z0-9]+)*)?")


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), ANY_TEXT, st.none(), st.integers(), st.floats()))
def test_property_normalize_header(value):
    out = normalize_header(value)
    assert HEADER_RE.fullmatch(out), out
    assert normalize_header(out) == out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=20), st.floats(), st.integers(), st.none()), max_size=10))
def test_property_texts_are_stripped_and_empty_is_empty(cells):
    series = col(*cells)
    res = texts(series)
    check_invariants(res, series)
    assert not res.invalid.any()
    for value in res.values.dropna():
        assert value == value.strip() and value != ""
        assert not re.fullmatch(r"-?\d+\.0", value)
