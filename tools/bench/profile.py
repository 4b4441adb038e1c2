"""Where the time goes, for the figures of the benchmark: ``python -m tools.bench.profile WHAT``.

* ``import``: the import of the benchmark's xlsx, phase by phase (best of ``--repeat`` runs, in
  this process), next to the start-up cost of the command line and python-calamine's raw read,
  each in a new process.
* ``engine``: cProfile of one whole-catalogue compute on the large base (after a first one),
  sequential (``workers=1``) so that the time spent inside DuckDB shows up.
* ``overview`` / ``fiche``: cProfile of the page's server-side run (AppTest), cold then from
  cache; every thread is profiled (Streamlit runs the script in its own thread).

Uses the inputs ``make bench`` generated (tools/bench/cache/); ``--scale`` picks another size.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tools.bench.generate import CACHE_DIR, SEED, ensure_inputs

REPO = Path(__file__).resolve().parents[2]
PROJECT = r"pilotage_qualite|app_pages|app\.py|\{method 'execute'|\{method 'df'|altair/vegalite/v6/api.py"


def _print_stats(stats: pstats.Stats, top: int, pattern: str = PROJECT) -> None:
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("cumulative").print_stats(pattern, top)
    text = out.getvalue()
    print(text[text.find("   ncalls"):] if "   ncalls" in text else text)


def _process_s(code: str, repeat: int) -> float:
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def profile_import(inputs, repeat: int, top: int) -> None:
    from pilotage_qualite.common.settings import load_settings
    from pilotage_qualite.intake.prepare import prepare_file
    from pilotage_qualite.intake.read import Limits
    from pilotage_qualite.intake.readers import read_file
    from pilotage_qualite.model.datasets import load_datasets
    from pilotage_qualite.startup import open_store

    xlsx = inputs.xlsx
    rows = {
        "new process: python -c pass": _process_s("pass", repeat),
        "new process: import python_calamine": _process_s("import python_calamine", repeat),
        "new process: import pilotage_qualite.cli (start-up of the command)": _process_s(
            "import pilotage_qualite.cli", repeat),
        "new process: python-calamine raw read (the baseline)": _process_s(
            "from python_calamine import CalamineWorkbook\n"
            f"CalamineWorkbook.from_path({str(xlsx)!r}).get_sheet_by_index(0).to_python()", repeat),
    }
    phases: dict[str, list[float]] = {}

    def timed(name, fn):
        start = time.perf_counter()
        value = fn()
        phases.setdefault(name, []).append(time.perf_counter() - start)
        return value

    for _ in range(repeat):
        folder = Path(tempfile.mkdtemp(prefix="pilotage-profile-"))
        datasets = timed("load_datasets (YAML declarations)", load_datasets)
        settings = load_settings(environ={}, database=folder / "base.duckdb")
        store = timed("startup.open_store (declarations, fresh base's schema)", lambda: open_store(settings))
        timed("readers.read_file (calamine + cells)", lambda: read_file(xlsx))
        prepared = timed("importer.prepare_file (read included)", lambda: prepare_file(
            xlsx, datasets, secret=b"0" * 32, limits=Limits(10**9, 10**7)))
        timed("Store.apply (stage, insert, journal, CHECKPOINT)", lambda: store.apply(prepared.batch, author="profil"))
    rows.update({name: min(values) for name, values in phases.items()})
    rows["prepare_file beyond the read (recognise, parse, validate)"] = (
        rows["importer.prepare_file (read included)"] - rows["readers.read_file (calamine + cells)"])
    print(f"Import of {xlsx.name} ({inputs.xlsx_rows} rows), best of {repeat}:")
    for name, seconds in rows.items():
        print(f"  {seconds:7.3f} s  {name}")
    profiler = cProfile.Profile()
    profiler.enable()
    prepare_file(xlsx, datasets, secret=b"0" * 32, limits=Limits(10**9, 10**7))
    profiler.disable()
    print("\ncProfile of prepare_file:")
    _print_stats(pstats.Stats(profiler), top)


def profile_engine(inputs, top: int) -> None:
    import duckdb

    from pilotage_qualite import engine
    from pilotage_qualite.model.indicator_format import load_catalogue
    from pilotage_qualite.model.periods import parse_period, periods_ending

    conn = duckdb.connect(str(inputs.large_base))
    catalogue = load_catalogue()
    periods = periods_ending(parse_period("2026-10"), 36)
    engine.compute(conn, catalogue, periods)
    for workers in (1, 3):
        start = time.perf_counter()
        engine.compute(conn, catalogue, periods, workers=workers)
        print(f"warm compute, workers={workers}: {time.perf_counter() - start:.3f} s")
    profiler = cProfile.Profile()
    profiler.enable()
    engine.compute(conn, catalogue, periods, workers=1)
    profiler.disable()
    print("\ncProfile of a warm compute (workers=1):")
    _print_stats(pstats.Stats(profiler), top)


def profile_page(inputs, page: str | None, top: int) -> None:
    os.environ["PILOTAGE_BASE"] = str(inputs.large_base)
    profilers: list[cProfile.Profile] = []
    original = threading.Thread.run

    def run(self):  # profile every thread: the script runs in Streamlit's own thread
        profiler = cProfile.Profile()
        profilers.append(profiler)
        profiler.enable()
        try:
            original(self)
        finally:
            profiler.disable()

    threading.Thread.run = run
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    from tools.bench.child import _page_url_path

    script = REPO / "app.py"
    for label in ("cold", "from cache"):
        profilers.clear()
        at = AppTest.from_file(str(script), default_timeout=120)
        if page:
            at._page_hash = calc_hash(_page_url_path(script, page))
            at.query_params["indicateur"] = "REC-03"
        start = time.perf_counter()
        at.run()
        print(f"\n{page or 'overview'} page, {label}: {time.perf_counter() - start:.3f} s "
              f"(exceptions: {[e.value for e in at.exception]})")
        stats = None
        for profiler in profilers:
            try:
                stats = pstats.Stats(profiler) if stats is None else stats.add(profiler)
            except TypeError:  # a thread that never ran Python code
                continue
        if stats is not None:
            _print_stats(stats, top)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["import", "engine", "overview", "fiche"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--cache", type=Path, default=CACHE_DIR)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    inputs = ensure_inputs(args.scale, args.seed, args.cache)
    if args.what == "import":
        profile_import(inputs, args.repeat, args.top)
    elif args.what == "engine":
        profile_engine(inputs, args.top)
    else:
        profile_page(inputs, "fiche" if args.what == "fiche" else None, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
