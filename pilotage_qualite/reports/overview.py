"""The « Vue d'ensemble »: every indicator of the period as one compact row, off target first.

The screen twin of the pack's one-page table: on a projector at 1280×720 the committee sees all
of them at once (two columns of rows, short titles, variation and assurance as symbols with a
legend). Pure: rows of display strings, laid out by :mod:`pilotage_qualite.ui.overview`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pilotage_qualite.common import formats
from pilotage_qualite.model import spc
from pilotage_qualite.model.status import OFF_TARGET, PERIODE_INCOMPLETE, STATUS_SYMBOL
from pilotage_qualite.reports.selections import Tile, off_target_first

COLUMNS = ("Code", "Indicateur", "Valeur", "Statut", "Var.", "Cible", "n", "Évol.")
LEGEND = ("Var. (carte de contrôle) : ≈ cause commune · ⬆ amélioration · ⬇ préoccupation · ⚠ inhabituelle ; "
          "✔✔ cible tenue de façon fiable · ✖✖ manquée de façon fiable · ≋ aléatoire")


@dataclass(frozen=True)
class OverviewRow:
    code: str
    title: str  # the catalogue's short title (titre_court)
    value: str  # « 40,0 % », « – » when there is no value
    status: str  # the status word (model.status)
    symbol: str  # its shape (✔ ▲ ✖ …): never colour alone
    signals: str  # variation and assurance symbols, « » when the chart does not apply
    target: str  # « ≥ 90,0 % », « – »
    count: str  # n
    change: str  # « −46,4 pt » against the previous period, « » when not comparable
    off_target: bool

    @property
    def cells(self) -> tuple[str, ...]:
        return (self.code, self.title, self.value, f"{self.symbol} {self.status}".strip(), self.signals,
                self.target, self.count, self.change)


def overview_rows(tiles: list[Tile], short_titles: dict[str, str]) -> list[OverviewRow]:
    """One row per tile, non atteint then à surveiller first (then the catalogue's order)."""
    rows = []
    for tile in off_target_first(tiles):
        comparable = tile.status != PERIODE_INCOMPLETE and tile.value is not None and tile.previous_value is not None
        change = formats.signed(tile.value - tile.previous_value, tile.unit, tile.decimals) if comparable else None
        target = formats.target_bound(tile.target, tile.direction, tile.unit, tile.decimals)
        rows.append(OverviewRow(
            code=tile.indicator, title=short_titles.get(tile.indicator, tile.title),
            value="–" if tile.value is None else formats.with_unit(tile.shown_value, tile.unit, tile.decimals),
            status=tile.status, symbol=STATUS_SYMBOL.get(tile.status, ""),
            signals=" ".join(spc.SYMBOL[word] for word in (tile.variation, tile.assurance) if word in spc.SYMBOL),
            target=target or "–",
            count="–" if tile.count is None else formats.number(tile.count), change=change or "",
            off_target=tile.status in OFF_TARGET))
    return rows
