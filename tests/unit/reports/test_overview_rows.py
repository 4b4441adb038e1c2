"""The « Vue d'ensemble » rows: every indicator, off target first, in French words and symbols.
Tiles written by hand; expected strings worked out from them."""

from __future__ import annotations

from pilotage_qualite.model.status import A_SURVEILLER, ATTEINT, NON_ATTEINT, PAS_DE_DONNEES, SUIVI
from pilotage_qualite.reports.overview import overview_rows
from pilotage_qualite.reports.selections import Tile


def tile(code: str, status: str, value: float | None, previous: float | None = None, **extra) -> Tile:
    fields = dict(indicator=code, title=f"Titre long de {code}", process="P", value=value, count=10, unit="%",
                  decimals=1, direction="hausse", target=90.0, threshold=80.0, status=status, ci_low=None,
                  ci_high=None, out_of_control=False, previous_value=previous, year_earlier_value=None,
                  ensemble_only=False)
    return Tile(**{**fields, **extra})


def test_off_target_rows_come_first_with_their_short_title_symbols_and_change():
    tiles = [tile("A-01", ATTEINT, 95.0, 93.0), tile("B-01", A_SURVEILLER, 85.0, 88.5, variation="préoccupation",
                                                     assurance="aléatoire"),
             tile("C-01", NON_ATTEINT, 70.0), tile("D-01", SUIVI, 12.0, unit="nombre", decimals=0, target=None,
                                                   direction=None)]
    rows = overview_rows(tiles, {"B-01": "Court B"})
    assert [r.code for r in rows] == ["C-01", "B-01", "A-01", "D-01"]  # non atteint, à surveiller, then the rest
    b = rows[1]
    # 85,0 − 88,5 = −3,5 points; ⬇ préoccupation, ≋ aléatoire; target ≥ 90,0 %.
    assert b.cells == ("B-01", "Court B", "85,0\u00a0%", "▲ à surveiller", "⬇ ≋", "≥\u00a090,0\u00a0%", "10", "−3,5\u00a0pt")
    assert b.off_target and not rows[2].off_target
    assert rows[0].change == ""  # no previous value: nothing to compare
    assert rows[2].title == "Titre long de A-01"  # no short title: the title itself
    assert rows[3].target == "–" and rows[3].value == "12"


def test_no_value_is_a_dash_never_zero():
    (row,) = overview_rows([tile("E-01", PAS_DE_DONNEES, None, 50.0, count=None)], {})
    assert (row.value, row.count, row.change) == ("–", "–", "")
    assert row.cells[3] == "– pas de données"  # its own symbol (model.status) and word
