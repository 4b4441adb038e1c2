"""The pack's charts rendered to PNG in a second process, while the first lays out the pages.

vl-convert holds the interpreter while it renders (about 80 ms a chart, plus a third of a second to
start its JavaScript engine), so threads gain nothing: a child process renders the trend charts one
after the other as the pack submits them, and the pack picks each PNG up when it places it. Specs
and PNGs travel as files in a private temporary folder; the pipes carry only their numbers, so no
pipe ever fills. When the child cannot start or fails, the remaining charts are rendered in process:
the PNGs are the same bytes either way (same library, same spec).

Run as ``python -m pilotage_qualite.reports.chart_worker FOLDER SCALE``: reads a number per line on
stdin, renders ``FOLDER/<n>.json`` to ``FOLDER/<n>.png``, writes the number back (« !n » on failure).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path

CHART_TIMEOUT_S = 30  # a child silent for this long is stopped; the parent renders the rest
WARM_UP = {"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x", "type": "quantitative"}}}


def render_png(spec: dict, scale: float) -> bytes:
    import vl_convert  # starts a JavaScript engine: loaded by the pack only

    return vl_convert.vegalite_to_png(spec, scale=scale)


class ChartRenderer:
    """Submit specs in order, take their PNGs back in the same order (a context manager)."""

    def __init__(self, scale: float, command: tuple[str, ...] = (sys.executable, "-m", __name__)):
        self.scale = scale
        self._folder = tempfile.TemporaryDirectory(prefix="pilotage-graphiques-")
        self._path = Path(self._folder.name)
        self._submitted: list[dict] = []
        self._taken = 0
        self._answers = b""  # what the child wrote and was not read yet
        try:
            self._child = subprocess.Popen(
                [*command, str(self._path), str(scale)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        except OSError:
            self._child = None

    def __enter__(self) -> ChartRenderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, spec: dict) -> None:
        number = len(self._submitted)
        self._submitted.append(spec)
        if self._child is None:
            return
        try:
            (self._path / f"{number}.json").write_text(json.dumps(spec), encoding="utf-8")
            self._child.stdin.write(f"{number}\n".encode())
        except (OSError, ValueError):
            self._stop_child()

    def next_png(self) -> bytes:
        """The PNG of the next submitted spec (rendered here if the child could not)."""
        number = self._taken
        self._taken += 1
        if self._child is not None:
            answer = self._answer()
            if answer == str(number):
                return (self._path / f"{number}.png").read_bytes()
            if answer != f"!{number}":  # the child died or lost its way: no more of it
                self._stop_child()
        return render_png(self._submitted[number], self.scale)

    def _answer(self) -> str:
        """The child's next line, or "" when it is gone or silent for CHART_TIMEOUT_S."""
        out = self._child.stdout.fileno()
        while b"\n" not in self._answers:
            ready, _, _ = select.select([out], [], [], CHART_TIMEOUT_S)
            chunk = os.read(out, 4096) if ready else b""
            if not chunk:
                return ""
            self._answers += chunk
        line, _, self._answers = self._answers.partition(b"\n")
        return line.decode().strip()

    def _stop_child(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            self._child = None

    def close(self) -> None:
        if self._child is not None:
            try:
                self._child.stdin.close()
                self._child.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self._stop_child()
            self._child = None
        self._folder.cleanup()


def main(argv: list[str]) -> int:
    folder, scale = Path(argv[0]), float(argv[1])
    render_png(WARM_UP, scale)  # the engine starts while the pack computes and builds its specs
    for line in sys.stdin:
        number = line.strip()
        try:
            spec = json.loads((folder / f"{number}.json").read_text(encoding="utf-8"))
            (folder / f"{number}.png").write_bytes(render_png(spec, scale))
            print(number, flush=True)
        except Exception:  # noqa: BLE001 - the parent renders this one itself
            print(f"!{number}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
