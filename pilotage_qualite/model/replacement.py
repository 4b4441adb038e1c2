"""When a window replacement needs a second confirmation (datasets.md « Re-imports »).

A dataset without a key is replaced by date window: an import replaces the live rows whose
reference date falls between its file's first and last date (for the file's sites). One stray
date (a left-over example row, a mistyped year) widens that window over months the file says
nothing about, and silently replaces them; these rules let the quality lead see it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pilotage_qualite.model.periods import add_months, month_index

MAIN_SPAN_PERCENT = 90  # the main span holds at least this share of the file's rows
MONTHS_OF_SLACK = 2  # a replaced month further before the main span than this is suspicious


@dataclass(frozen=True)
class MonthReplaced:
    """One month of the window: the live rows replaced (before) and the file's rows (after)."""

    month: date  # its first day
    before: int
    after: int


@dataclass(frozen=True)
class WindowReplacement:
    """What a keyless import replaces, month by month, for ``sites`` (empty: the whole structure)."""

    months: tuple[MonthReplaced, ...]  # in calendar order: months with rows before or after
    sites: tuple[str, ...] = ()

    @property
    def removed(self) -> int:
        return sum(m.before for m in self.months)

    @property
    def brought(self) -> int:
        return sum(m.after for m in self.months)

    @property
    def main_span(self) -> tuple[date, date] | None:
        return main_span({m.month: m.after for m in self.months})

    @property
    def removes_more_than_brought(self) -> bool:
        return self.removed > self.brought

    @property
    def stray_months(self) -> list[date]:
        """Replaced months more than two months before the main span."""
        span = self.main_span
        if span is None:
            return []
        limit = add_months(span[0], -MONTHS_OF_SLACK)
        return [m.month for m in self.months if m.before and m.month < limit]

    @property
    def months_to_confirm(self) -> list[date]:
        """The months the warning names: the stray ones, and those losing rows when the
        import removes more than it brings."""
        losing = {m.month for m in self.months if m.before > m.after} if self.removes_more_than_brought else set()
        return sorted(losing | set(self.stray_months))

    @property
    def needs_confirmation(self) -> bool:
        return self.removes_more_than_brought or bool(self.stray_months)


def main_span(rows_by_month: dict[date, int]) -> tuple[date, date] | None:
    """The shortest run of consecutive months holding at least 90 % of the rows (first and last
    month); between runs of the same length, the one with the most rows, then the latest."""
    months = sorted(m for m, n in rows_by_month.items() if n > 0)
    total = sum(rows_by_month[m] for m in months)
    if not months:
        return None

    def enough(rows: int) -> bool:
        return rows * 100 >= MAIN_SPAN_PERCENT * total

    best: tuple[int, int, int] | None = None  # (length in months, -rows, -start index)
    best_run = None
    end, held = 0, 0
    for start, first in enumerate(months):
        while end < len(months) and not enough(held):
            held += rows_by_month[months[end]]
            end += 1
        if not enough(held):
            break
        last = months[end - 1]
        rank = (month_index(last) - month_index(first) + 1, -held, -start)
        if best is None or rank < best:
            best, best_run = rank, (first, last)
        held -= rows_by_month[first]
    return best_run
