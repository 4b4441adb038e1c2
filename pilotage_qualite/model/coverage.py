"""Coverage: the days each dataset's applied imports vouch for (indicators.md « Coverage »).

Inside coverage a period without rows is a real 0 (no complaint received is a result); outside
it there is no value at all. An import covers a span of days, for the whole structure or for
some sites; the spans of a dataset's applied imports add up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from pilotage_qualite.model.periods import Period, add_months, month_index, period_containing, periods_between

# How a dataset's file says what it covers (declared per dataset: `couverture`).
PERIOD_EXPORT = "export"  # whole months, from its first date's month to its last date's month
REGISTER = "registre"  # everything up to the day it was extracted
MODES = (PERIOD_EXPORT, REGISTER)

# A value's coverage (the `couverture` of results and of `indicateurs --format json`).
COMPLETE, PARTIAL, ABSENT = "complète", "partielle", "absente"
_RANK = {ABSENT: 0, PARTIAL: 1, COMPLETE: 2}

MAX_PERIODS_OFFERED = 60  # five years of months: a filter list still readable
Days = list[tuple[int, int]]  # sorted, disjoint, inclusive (first, last) day ordinals


@dataclass(frozen=True)
class CoveredSpan:
    """The days one import covers (both included), for the whole structure when ``sites`` is empty."""

    first_day: date
    last_day: date
    sites: tuple[str, ...] = ()

    def label_fr(self) -> str:
        where = f" ({', '.join(self.sites)})" if self.sites else ""
        return f"du {self.first_day:%d/%m/%Y} au {self.last_day:%d/%m/%Y}{where}"


def month_end(day: date) -> date:
    return add_months(day.replace(day=1), 1) - timedelta(days=1)


def default_span(mode: str, dates: Iterable[date], *, extraction: date | None, imported_on: date
                 ) -> CoveredSpan | None:
    """What a file covers by the rule, from its rows' dates: a period export its months from the
    first date's to the last date's; a register from its first date's month to its extraction date
    (else its last date). Never later than the day it is imported; None without any date."""
    dates = [d for d in dates if d is not None]
    if not dates:
        return None
    first = min(dates).replace(day=1)
    last = month_end(max(dates)) if mode == PERIOD_EXPORT else (extraction or max(dates))
    last = min(last, imported_on)
    return CoveredSpan(first, last) if first <= last else None


@dataclass(frozen=True)
class CoverageState:
    """How much of a range of days is covered: its level, and the first and last covered day."""

    level: str
    first_day: date | None = None
    last_day: date | None = None


NOT_COVERED = CoverageState(ABSENT)
NEVER = 0  # a month index before any period end: "from the first period on" / "at no period end"


@dataclass(frozen=True)
class RegisterHistory:
    """A register's past states as the store keeps them: the relation holding every row it ever
    imported (``_import_id``: the import that brought the row, ``_remplace_par``: the import that
    replaced it), and its applied imports in id order with their extraction day (the last day the
    import covers; None: it recorded no coverage).

    The register as known at ``fin`` (indicators.md « Coverage »; the lead engineer's rule): for a
    period whose last day is D = fin − 1 day, the state right after the snapshot import, the first
    applied import (by id) extracted on or after D — the rows of applied imports with
    ``_import_id`` ≤ that import, not replaced by an applied import with an id ≤ that import. No
    such import (or none with an extraction day): today's rows. The value is « reconstitué » when
    the snapshot was extracted a month or more after the period's end (on or after fin + 1 month:
    a snapshot taken within the month after the period is what the committee would have seen), or
    when today's rows are used.
    """

    relation: str
    imports: tuple[tuple[int, date | None], ...]

    def snapshot(self, fin: date) -> tuple[int, date] | None:
        """(import id, extraction day) of the register as known at ``fin``; None: today's rows."""
        last = fin - timedelta(days=1)
        return next(((k, day) for k, day in self.imports if day is not None and day >= last), None)

    def reconstructed(self, fin: date) -> bool:
        """True when the state at ``fin`` is read from a register extracted a month or more later.
        A period ending after the last extraction reads today's rows, which are the latest known:
        it is « période incomplète » (its last day is not covered), not reconstructed."""
        found = self.snapshot(fin)
        return found is not None and found[1] >= add_months(fin, 1)

    def first_end_seen(self, import_id: int) -> int:
        """The month index of the first period end (``fin``) whose snapshot is ``import_id`` or a
        later import: a row of that import is in the states from there on, and a row it replaced
        leaves them there. The snapshot only moves forward with ``fin``: it is ``import_id`` or
        later once every earlier import was extracted before the period's last day, i.e. once
        fin − 1 day is after their latest extraction day M, from month(M + 1 day) + 1 on."""
        earlier = [day for k, day in self.imports if k < import_id and day is not None]
        return month_index(max(earlier) + timedelta(days=1)) + 1 if earlier else NEVER


@dataclass
class Coverage:
    """The applied imports' spans by dataset, and the structure's sites (an Ensemble day covered
    only by site-restricted spans needs every site covered); and the history of the registers with
    a recorded extraction day (:class:`RegisterHistory`), to read their stocks as known at a
    period's end (a dataset without one is read from today's rows, never « reconstitué »)."""

    spans: Mapping[str, Sequence[CoveredSpan]]
    sites: Sequence[str] = ()
    registers: Mapping[str, RegisterHistory] = field(default_factory=dict)
    _days: dict[tuple[str, str | None], Days] = field(default_factory=dict, repr=False, compare=False)

    def days(self, dataset: str, site: str | None = None) -> Days:
        """The covered days of a dataset, for one site or (None) for the whole structure."""
        key = (dataset, site)
        if key not in self._days:
            spans = self.spans.get(dataset, ())
            everywhere = _merged((s.first_day.toordinal(), s.last_day.toordinal()) for s in spans if not s.sites)
            restricted = [s for s in spans if s.sites]
            if site is not None:
                mine = [(s.first_day.toordinal(), s.last_day.toordinal()) for s in restricted if site in s.sites]
                self._days[key] = _merged([*everywhere, *mine])
            elif restricted and self.sites:
                each = [self.days(dataset, s) for s in self.sites]
                common = each[0]
                for other in each[1:]:
                    common = _intersection(common, other)
                self._days[key] = _merged([*everywhere, *common])
            else:
                self._days[key] = everywhere
        return self._days[key]

    def state(self, dataset: str, first: date, last: date, site: str | None = None) -> CoverageState:
        """Coverage of the days ``first`` … ``last`` (both included)."""
        a, b = first.toordinal(), last.toordinal()
        inside = [(max(a, x), min(b, y)) for x, y in self.days(dataset, site) if x <= b and y >= a]
        if not inside:
            return NOT_COVERED
        covered = sum(y - x + 1 for x, y in inside)
        level = COMPLETE if covered == b - a + 1 else PARTIAL
        return CoverageState(level, date.fromordinal(inside[0][0]), date.fromordinal(inside[-1][1]))

    def first_day(self, datasets: Sequence[str]) -> date | None:
        """The first day any of these datasets is covered (None: none ever was)."""
        firsts = [self.days(name)[0][0] for name in datasets if self.days(name)]
        return date.fromordinal(min(firsts)) if firsts else None

    def last_day(self, dataset: str) -> date | None:
        """The last day of a dataset covered for the whole structure (None: never covered)."""
        days = self.days(dataset)
        return date.fromordinal(days[-1][1]) if days else None


def weakest(states: Sequence[CoverageState]) -> CoverageState:
    """The coverage of a value read from several ranges (datasets, stock and window): the lowest
    level, the latest first day and the earliest last day."""
    if not states:
        return CoverageState(COMPLETE)
    level = min((s.level for s in states), key=_RANK.__getitem__)
    if level == ABSENT:
        return NOT_COVERED
    firsts = [s.first_day for s in states if s.first_day]
    lasts = [s.last_day for s in states if s.last_day]
    return CoverageState(level, max(firsts) if firsts else None, min(lasts) if lasts else None)


def _merged(intervals: Iterable[tuple[int, int]]) -> Days:
    out: Days = []
    for x, y in sorted(intervals):
        if out and x <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], y))
        else:
            out.append((x, y))
    return out


def _intersection(left: Days, right: Days) -> Days:
    out: Days = []
    i = j = 0
    while i < len(left) and j < len(right):
        x, y = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if x <= y:
            out.append((x, y))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return out


@dataclass(frozen=True)
class PeriodOffer:
    """The periods a view offers at one grain (latest first), the one it opens on, and what each
    incomplete one lacks (« en cours », « incomplet : 2 jeux sur 11 »)."""

    periods: list[Period]
    default: Period | None
    incomplete: dict[Period, str]

    def label_fr(self, period: Period) -> str:
        note = self.incomplete.get(period)
        return f"{period.label_fr} ({note})" if note else period.label_fr


def period_offer(coverage: Coverage, grain: str, today: date, max_periods: int = MAX_PERIODS_OFFERED) -> PeriodOffer:
    """Periods up to the latest month any dataset covers (never a month to come); the default is
    the latest period every dataset in use covers to its last day."""
    in_use = [name for name in coverage.spans if coverage.days(name)]
    if not in_use:
        return PeriodOffer([], None, {})
    ends = {name: coverage.last_day(name) for name in in_use}
    latest = period_containing(min(max(ends.values()), today), grain)
    first = period_containing(min(date.fromordinal(coverage.days(name)[0][0]) for name in in_use), grain)
    periods = list(reversed(periods_between(max(first, latest.shift(-max_periods + 1)), latest)))
    incomplete = {}
    for period in periods:
        last = period.fin - timedelta(days=1)
        short = [name for name in in_use if coverage.state(name, period.debut, last).level != COMPLETE]
        if period.contains(today):
            incomplete[period] = "en cours"
        elif short:
            incomplete[period] = f"incomplet : {len(short)} jeu{'x' if len(short) > 1 else ''} sur {len(in_use)}"
    default = next((p for p in periods if p not in incomplete), periods[-1])
    return PeriodOffer(periods, default, incomplete)


def behind(coverage: Coverage, period: Period) -> dict[str, date | None]:
    """The datasets in use not covered up to the end of ``period``: name → their last covered day."""
    last = period.fin - timedelta(days=1)
    return {name: coverage.last_day(name) for name in coverage.spans if coverage.days(name)
            and coverage.state(name, last, last).level != COMPLETE}
