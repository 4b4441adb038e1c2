"""What the benchmark runs in a new process: ``python -m tools.bench.child WHAT [options]``.

Each command prints one JSON object on its last stdout line: the times measured inside the
process (``time.perf_counter``); the parent adds the process's wall time, CPU time and peak
memory (``os.wait4``).

* ``engine --base B``: open the base, load the catalogue, compute the whole catalogue for the
  36 months ending with the last month of data, every site and dimension (cold); then compute
  again in the same process (warm).
* ``query --base B``: the baseline: one DuckDB query, 12 aggregates by month × site over every
  live ``activite`` row, cold (open + query) then warm (same query again).
* ``page --script app.py [--page fiche] [--param indicateur=REC-03]``: the server-side run of a
  Streamlit script with ``streamlit.testing.v1.AppTest``, cold (first run in the process) then
  from cache (new sessions in the same process: a repeat visit); with ``--after-import F``, the
  command line then imports F into the base and one more session runs: the recompute after an
  import in a running server.
* ``pack --data D``: the committee pack (PDF) of the 3rd quarter 2026 for the demo base in the
  data folder D, with the modules a server has loaded (first pack of the process: its chart
  renderer starts too), then again in the same process; the baseline: vl-convert alone rendering
  the same charts' specs to PNG in a new process (its own start included).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAST_MONTH = "2026-10"  # the generated data end with October 2026
HISTORY_PERIODS = 36

BASELINE_SQL = """
    SELECT date_trunc('month', date) AS mois, site,
           count(*) AS interventions, sum(nb_personnes) AS personnes, avg(nb_personnes) AS personnes_moy,
           max(nb_personnes) AS personnes_max, sum(duree_min) AS minutes, avg(duree_min) AS minutes_moy,
           min(duree_min) AS minutes_min, max(duree_min) AS minutes_max,
           count(*) FILTER (WHERE orientation) AS orientations, count(partenaire) AS avec_partenaire,
           min(date) AS premiere, max(date) AS derniere
    FROM activite
    GROUP BY ALL
    ORDER BY mois, site
"""


def _emit(result: dict) -> None:
    print(json.dumps(result))


def cmd_engine(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    import duckdb

    from pilotage_qualite import engine
    from pilotage_qualite.model.indicator_format import load_catalogue
    from pilotage_qualite.model.periods import parse_period, periods_ending

    t1, c1 = time.perf_counter(), time.process_time()
    conn = duckdb.connect(args.base)
    t2 = time.perf_counter()
    catalogue = load_catalogue()
    periods = periods_ending(parse_period(LAST_MONTH), HISTORY_PERIODS)
    t3 = time.perf_counter()
    results = engine.compute(conn, catalogue, periods)
    t4, c4 = time.perf_counter(), time.process_time()
    warm, warm_cpu = [], []
    for _ in range(args.warm_runs):
        start, cpu = time.perf_counter(), time.process_time()
        again = engine.compute(conn, catalogue, periods)
        warm.append(time.perf_counter() - start)
        warm_cpu.append(time.process_time() - cpu)
    conn.close()
    assert len(again) == len(results)
    _emit({"imports_s": t1 - t0, "open_s": t2 - t1, "catalogue_s": t3 - t2, "compute_s": t4 - t3,
           "cold_s": t4 - t1, "cold_cpu_s": c4 - c1, "warm_cpu_s": sorted(warm_cpu)[len(warm_cpu) // 2],
           "warm_s": sorted(warm)[len(warm) // 2], "warm_runs_s": warm,
           "result_rows": len(results), "indicators": int(results["indicateur"].nunique()),
           "periods": int(results["periode"].nunique())})


def cmd_query(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    import duckdb
    import pandas  # noqa: F401 - .df() needs it: imported before timing, as the engine's child does

    t1 = time.perf_counter()
    conn = duckdb.connect(args.base)
    first = conn.execute(BASELINE_SQL).df()
    t2 = time.perf_counter()
    warm = []
    for _ in range(args.warm_runs):
        start = time.perf_counter()
        conn.execute(BASELINE_SQL).df()
        warm.append(time.perf_counter() - start)
    conn.close()
    _emit({"imports_s": t1 - t0, "cold_s": t2 - t1, "warm_s": sorted(warm)[len(warm) // 2],
           "warm_runs_s": warm, "result_rows": len(first)})


PACK_PERIOD = "2026-T3"


def _pack_inputs(data: str):
    from pilotage_qualite.common.settings import load_settings
    from pilotage_qualite.model.indicator_format import load_catalogue
    from pilotage_qualite.model.periods import parse_period
    from pilotage_qualite.startup import open_store

    return open_store(load_settings(environ={"PILOTAGE_DONNEES": data})), load_catalogue(), parse_period(PACK_PERIOD)


def cmd_pack(args: argparse.Namespace) -> None:
    from pilotage_qualite.reports import pack

    store, catalogue, period = _pack_inputs(args.data)
    start = time.perf_counter()
    pdf = pack.committee_pack(store, catalogue, period, None)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    pack.committee_pack(store, catalogue, period, None)
    _emit({"cold_s": cold, "warm_s": time.perf_counter() - start, "pdf_bytes": len(pdf)})


def cmd_pack_charts(args: argparse.Namespace) -> None:
    """The baseline: the pack's trend charts as Vega-Lite specs (built before timing), then only
    vl-convert's rendering of them to PNG at the pack's scale."""
    from pilotage_qualite.reports import agenda, pack

    store, catalogue, period = _pack_inputs(args.data)
    built = agenda.build_agenda(store, catalogue, pack.pack_results(store, catalogue, period), period, None)
    specs = [pack.trend_spec(trend.rows, trend.events) for item in built.items for trend in item.trends]
    start = time.perf_counter()
    import vl_convert

    for spec in specs:
        vl_convert.vegalite_to_png(spec, scale=pack.CHART_SCALE)
    _emit({"cold_s": time.perf_counter() - start, "charts": len(specs)})


def _page_url_path(script: Path, page: str) -> str:
    """The url_path st.navigation registers for app_pages/<page>.py (its hash names the page)."""
    text = script.read_text(encoding="utf-8")
    found = re.search(rf"st\.Page\(\s*[\"']app_pages/{re.escape(page)}\.py[\"'][^)]*url_path=[\"']([^\"']+)", text)
    return found.group(1) if found else page


def _share_compiled_scripts() -> None:
    """Make AppTest's sessions share the compiled scripts, as one Streamlit server's sessions do
    (its Runtime holds one ScriptCache; AppTest builds one per session, so every « repeat visit »
    parsed, rewrote and compiled app.py and the page again: about 25 ms for the fiche, nothing for
    hello world). The rest of AppTest's per-session set-up (the component registry it scans again,
    about 50 ms) stays: it weighs on hello world as on any page, and the goal « 1.5× hello world »
    was set in this harness."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def cmd_page(args: argparse.Namespace) -> None:
    if args.base:
        os.environ["PILOTAGE_BASE"] = args.base
    t0 = time.perf_counter()
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    _share_compiled_scripts()
    t1 = time.perf_counter()
    script = Path(args.script).resolve()
    params = dict(p.split("=", 1) for p in args.param)
    note = None

    def session() -> AppTest:
        at = AppTest.from_file(str(script), default_timeout=60)
        if args.page:
            # Land directly on the page, as a link to it would: AppTest.switch_page() needs a
            # first run of the default page, which would fill the caches the cold run measures.
            at._page_hash = calc_hash(_page_url_path(script, args.page))
        for key, value in params.items():
            at.query_params[key] = value
        return at

    def run(at: AppTest) -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        at.run()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        if at.exception:
            raise SystemExit(f"exception in the page: {[e.value for e in at.exception]}")
        return elapsed, cpu

    at = session()
    cold, cold_cpu = run(at)
    titles = [t.value for t in at.title]
    if args.page and args.expect_title and not any(args.expect_title in t for t in titles):
        # Fallback through the public API (the cold figure then includes nothing of the page).
        note = f"page hash not honoured (titles {titles}); switched with AppTest.switch_page"
        at.switch_page(f"app_pages/{args.page}.py")
        cold, cold_cpu = run(at)
        titles = [t.value for t in at.title]
    warm = sorted(run(session()) for _ in range(args.warm_runs))
    after = {}
    if args.after_import:
        # An import committed by another process while this "server" runs: the next session finds
        # a new version of the base (caches keyed by it miss), with every module already loaded.
        imported = subprocess.run([sys.executable, "-m", "pilotage_qualite", "importer", args.after_import],
                                  env={**os.environ, "PILOTAGE_BASE": args.base}, capture_output=True, text=True)
        if imported.returncode != 0:
            raise SystemExit(f"the import before the recompute failed:\n{imported.stdout}{imported.stderr}")
        recompute, recompute_cpu = run(session())
        after = {"after_import_s": recompute, "after_import_cpu_s": recompute_cpu}
    _emit({"imports_s": t1 - t0, "cold_s": cold, "cold_cpu_s": cold_cpu, "warm_s": warm[len(warm) // 2][0],
           "warm_cpu_s": warm[len(warm) // 2][1], "warm_runs_s": [w for w, _ in warm], "titles": titles,
           "note": note, **after})


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.child")
    verbs = parser.add_subparsers(dest="what", required=True)
    engine = verbs.add_parser("engine")
    engine.add_argument("--base", required=True)
    engine.add_argument("--warm-runs", type=int, default=1)
    engine.set_defaults(run=cmd_engine)
    query = verbs.add_parser("query")
    query.add_argument("--base", required=True)
    query.add_argument("--warm-runs", type=int, default=1)
    query.set_defaults(run=cmd_query)
    page = verbs.add_parser("page")
    page.add_argument("--script", required=True)
    page.add_argument("--base")
    page.add_argument("--page")
    page.add_argument("--param", action="append", default=[])
    page.add_argument("--expect-title")
    page.add_argument("--warm-runs", type=int, default=3)
    page.add_argument("--after-import", help="a file the command line imports into --base before one more run")
    page.set_defaults(run=cmd_page)
    for name, run in (("pack", cmd_pack), ("pack-charts", cmd_pack_charts)):
        verb = verbs.add_parser(name)
        verb.add_argument("--data", required=True)
        verb.set_defaults(run=run)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    sys.exit(main())
