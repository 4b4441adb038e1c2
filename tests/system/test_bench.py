"""The benchmark (make bench) runs end to end at a tiny scale and reports every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.bench.run import GROUP_FIGURES

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_benchmark_at_tiny_scale_reports_every_figure(tmp_path: Path):
    output = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "tools.bench.run", "--scale", "0.002", "--runs", "1", "--warmup", "0",
         "--cache", str(tmp_path / "cache"), "--output", str(output)],
        cwd=REPO, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(output.read_text(encoding="utf-8"))

    assert results["inputs"]["rows_large"]["activite"] == 2000
    assert all(n == 200 for name, n in results["inputs"]["rows_large"].items() if name != "activite")
    assert results["inputs"]["rows_small"]["activite"] == 200
    assert results["inputs"]["xlsx_columns"] == 15
    assert {"cpu_count", "cpu_model", "memory_gib"} <= set(results["machine"])
    assert set(results["versions"]) == {"python", "duckdb", "pandas", "streamlit", "python-calamine"}

    expected = [key for keys in GROUP_FIGURES.values() for key in keys]
    assert list(results["figures"]) == expected
    for key, fig in results["figures"].items():
        assert {"label", "value", "baseline", "ratio", "goal", "pass", "peak_rss_mib"} <= set(fig), key
        if fig["value"] is None:  # only a page that does not exist yet may be left unmeasured
            assert key.startswith("fiche") and "page absente" in fig["note"], key
            continue
        if key == "load_errors":  # a count that must be 0, against the hello-world's 0
            assert fig["value"] == 0, fig.get("error_samples")
            continue
        assert fig["value"] > 0 and fig["baseline"]["value"] > 0 and fig["ratio"] > 0, key
        if fig["goal_on"]:
            assert isinstance(fig["pass"], bool), key
    for key in ("import_xlsx", "catalogue_cold", "overview_cold", "serve_first_page"):
        assert results["figures"][key]["peak_rss_mib"] > 0, key
    assert results["figures"]["import_xlsx"]["stretch_max"] == 0.8
    # The printed table names every figure.
    for key in expected:
        assert f"| {key} " in done.stdout
