"""A recorded process change restarts the control chart's baseline (indicators.md « Variation and
assurance »), on ACT-01 (monthly interventions, an XmR chart) of the engine tests' catalogue.

The crafted series, worked out by hand: twenty months (January 2023 … August 2024) alternating 9
and 11 interventions, then 19 and 21 from September 2024 (month 21).
- Old baseline, the first twenty points: centre 10, every moving range 2 → σ̂ = 2 / 1.128 =
  1.77305, limits 10 ± 5.31915 = [4.68085, 15.31915], 2σ̂ above = 13.54610.
- Without an event, every point from September 2024 on (19 or 21) is beyond the upper limit, above
  2σ̂, and they are all on the same side: « point hors des limites », « 7 points du même côté »,
  « 2 points sur 3 au-delà de 2 σ » on the last one.
- With a process change on 1 September 2024, the new baseline starts with September: ten points
  up to June 2025, fewer than the twelve a baseline needs → no limits after the change; the points
  before it keep the old limits.
- Fourteen points after the change (up to October 2025): the new baseline is those fourteen,
  centre (7 × 19 + 7 × 21) / 14 = 20, every moving range 2 → limits 20 ± 5.31915 =
  [14.68085, 25.31915], no special cause.
"""

from __future__ import annotations

import datetime as dt
import math
from datetime import date

import indicator_fixtures
import pytest
from indicator_fixtures import ENGINE_CATALOGUE as CATALOGUE
from indicator_fixtures import make_store, row

from pilotage_qualite.model.coverage import Coverage, CoveredSpan
from pilotage_qualite.model.events import Event
from pilotage_qualite.model.periods import periods_ending

OLD, CHANGED = [9, 11] * 10, [19, 21]
SPAN = 5.31915  # 3σ̂ = 3 × 2 / 1.128


def interventions(last: str, after_change: int) -> tuple:
    """The series above, with ``after_change`` points from September 2024, ending at ``last``."""
    months = [p.label for p in periods_ending(last, 20 + after_change)]
    counts = OLD + CHANGED * (after_change // 2)
    rows = [{"date": f"{month}-10", "site": "Lyon", "registre": "concertation"}
            for month, n in zip(months, counts) for _ in range(n)]
    coverage = Coverage({"activite": [CoveredSpan(date.fromisoformat(f"{months[0]}-01"),
                                                  periods_ending(last, 1)[0].fin)]})
    return make_store({"activite": rows}), coverage


def change(day: date, *, indicator: str | None = "ACT-01", dataset: str | None = None,
           process_change: bool = True) -> Event:
    return Event(1, day, "Nouvelle procédure d'accueil", process_change, "qualité (local)",
                 dt.datetime(2024, 9, 2, 9, 0), indicator, dataset)


def compute(conn, coverage, periods, events=None):
    return indicator_fixtures.compute(conn, "ACT-01", periods, catalogue=CATALOGUE, coverage=coverage, events=events)


def test_without_an_event_the_new_level_signals():
    conn, coverage = interventions("2025-06", 10)
    june = row(compute(conn, coverage, ["2025-06"]), "ACT-01", "2025-06")
    assert june.valeur == 21 and june.centre == pytest.approx(10)
    assert june.limite_haute == pytest.approx(10 + SPAN, abs=1e-5)
    assert june.signaux == ("point hors des limites", "7 points du même côté de la moyenne",
                            "2 points sur 3 au-delà de 2 σ")


def test_a_process_change_leaves_too_few_points_for_new_limits():
    conn, coverage = interventions("2025-06", 10)
    res = compute(conn, coverage, ["2024-08", "2025-06"], events=[change(date(2024, 9, 1))])
    june, august = row(res, "ACT-01", "2025-06"), row(res, "ACT-01", "2024-08")
    assert math.isnan(june.centre) and math.isnan(june.limite_haute)
    assert june.signaux == () and june.variation is None
    assert june.sans_limites == "historique trop court depuis le changement de processus"
    # August 2024, before the change, keeps the old limits.
    assert august.centre == pytest.approx(10) and august.limite_basse == pytest.approx(10 - SPAN, abs=1e-5)
    assert august.signaux == () and august.variation == "cause commune"


def test_fourteen_points_after_the_change_give_limits_centred_on_the_new_level():
    # Recorded on the dataset this time: a change in the interventions' register concerns ACT-01.
    conn, coverage = interventions("2025-10", 14)
    res = compute(conn, coverage, ["2025-10"], events=[change(date(2024, 9, 1), indicator=None, dataset="activite")])
    october = row(res, "ACT-01", "2025-10")
    assert october.valeur == 21 and october.centre == pytest.approx(20)
    assert october.limite_basse == pytest.approx(20 - SPAN, abs=1e-5)
    assert october.limite_haute == pytest.approx(20 + SPAN, abs=1e-5)
    assert october.signaux == () and october.variation == "cause commune"


def test_a_change_in_the_middle_of_a_month_leaves_that_month_with_the_old_limits():
    # Dated 15 September 2024: September mixes both processes; the new baseline starts in October
    # (thirteen points up to October 2025, 21, 19, … 21: centre (7 × 21 + 6 × 19) / 13 = 261 / 13 = 20.077).
    conn, coverage = interventions("2025-10", 14)
    res = compute(conn, coverage, ["2024-09", "2025-10"], events=[change(date(2024, 9, 15))])
    september, october = row(res, "ACT-01", "2024-09"), row(res, "ACT-01", "2025-10")
    assert september.valeur == 19 and september.centre == pytest.approx(10)
    assert "point hors des limites" in september.signaux
    assert october.centre == pytest.approx(261 / 13)


@pytest.mark.parametrize("event", [
    change(date(2024, 9, 1), process_change=False),  # an event that is not a process change
    change(date(2024, 9, 1), indicator=None, dataset="reclamations"),  # a dataset ACT-01 does not read
    change(date(2024, 9, 1), indicator="REC-02"),  # another indicator
], ids=["not-a-process-change", "other-dataset", "other-indicator"])
def test_events_that_do_not_concern_the_indicator_change_nothing(event):
    conn, coverage = interventions("2025-06", 10)
    june = row(compute(conn, coverage, ["2025-06"], events=[event]), "ACT-01", "2025-06")
    assert june.centre == pytest.approx(10) and "point hors des limites" in june.signaux


def test_the_latest_change_before_a_point_wins():
    # Two changes: 1 March 2024 (month 15: five old-level points, then the new level) and 1 September.
    # The October 2025 point reads the baseline restarted in September 2024, as with the second alone.
    conn, coverage = interventions("2025-10", 14)
    events = [change(date(2024, 3, 1)), change(date(2024, 9, 1))]
    october = row(compute(conn, coverage, ["2025-10"], events=events), "ACT-01", "2025-10")
    assert october.centre == pytest.approx(20)
