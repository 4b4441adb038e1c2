"""Load test of the Streamlit server itself, not of a browser.

Each session speaks the server's own websocket protocol (``/_stcore/stream``, protobuf
``BackMsg`` up, ``ForwardMsg`` down, the classes ``streamlit.proto`` ships), as the front end
does: one ``rerun_script`` request per page, carrying a ``ClientState`` (query string, page name
or page hash). The server runs the page exactly as for a browser, but nothing is drawn: on a
2-core machine twenty headless Chromium pages measured Chromium, this measures the server.

``python -m tools.bench.load --url http://127.0.0.1:8501 --sessions 20 --rounds 2`` prints one
JSON object: page times (request sent → ``script_finished`` received), the page runs that showed
an error, and the REC-01 value each session saw in turn (old or new figures, never new then old).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Subprotocol

REPO = Path(__file__).resolve().parents[2]
# What a user opens: the dashboard (default page), then a fiche.
DEFAULT_PAGES = ("", "fiche?indicateur=REC-03")
DEFAULT_LABEL = "REC-01"
# A run that ends in one of these is over; FINISHED_EARLY_FOR_RERUN is followed by another run.
FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
MIB = 1024 * 1024


# --- one session -------------------------------------------------------------------------------


class Session:
    """One browser tab's worth of protocol: a websocket, and the page hashes its navigation sent."""

    def __init__(self, socket: ClientConnection, url: str):
        self.socket, self.url = socket, url
        self.hashes: dict[str, str] = {}  # url path ("" for the default page) → page_script_hash

    def request(self, page: str) -> BackMsg:
        """The ``rerun_script`` the front end sends on navigation: page by hash once the server
        listed it (an in-app link), by its URL path before (a typed address)."""
        path, _, query = page.partition("?")
        state = ClientState(query_string=query, page_name=path, page_script_hash=self.hashes.get(path, ""))
        state.context_info.timezone = "Europe/Paris"
        state.context_info.locale = "fr-FR"
        state.context_info.url = f"{self.url}/{page}"
        return BackMsg(rerun_script=state)

    async def open(self, page: str, label: str, timeout: float) -> dict:
        """Run one page; its time, errors and the value of the first metric labelled ``label``."""
        errors: list[str] = []
        value = served = None
        started = time.perf_counter()
        await self.socket.send(self.request(page).SerializeToString())
        try:
            async with asyncio.timeout(timeout):
                while True:
                    msg = ForwardMsg.FromString(await self.socket.recv())
                    kind = msg.WhichOneof("type")
                    if kind == "script_finished" and msg.script_finished in FINAL:
                        if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                            errors.append("script_finished: erreur de compilation")
                        break
                    if kind == "navigation":
                        self._learn(msg)
                        served = msg.navigation.page_script_hash
                    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                        value = value or _metric_value(msg.delta.new_element, label)
                        errors.extend(_element_error(msg.delta.new_element))
                    elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
                        errors.append(f"exception: {msg.session_event.script_compilation_exception.message}")
                    elif kind == "page_not_found":
                        errors.append(f"page introuvable : {page}")
        except TimeoutError:
            return {"page": page, "seconds": None, "finished": False, "value": value,
                    "errors": errors + [f"pas de script_finished en {timeout:g} s"]}
        elapsed = time.perf_counter() - started
        expected = self.hashes.get(page.partition("?")[0])
        if served and expected and served != expected:
            errors.append(f"une autre page que « {page} » a été servie")
        return {"page": page, "seconds": elapsed, "finished": True, "value": value, "errors": errors}

    def _learn(self, msg: ForwardMsg) -> None:
        for app_page in msg.navigation.app_pages:
            self.hashes[app_page.url_pathname] = app_page.page_script_hash
            if app_page.is_default:
                self.hashes[""] = app_page.page_script_hash


def _metric_value(element, label: str) -> str | None:
    if element.WhichOneof("type") == "metric" and element.metric.label.startswith(label):
        return "".join(element.metric.body.split())  # numbers hold (no-break) spaces
    return None


def _element_error(element) -> list[str]:
    """An exception element, or an st.error (the app's busy-base and unexpected-error messages)."""
    kind = element.WhichOneof("type")
    if kind == "exception":
        return [f"exception: {element.exception.type} {element.exception.message}"[:300]]
    if kind == "alert" and element.alert.format == Alert.ERROR:
        return [f"st.error: {element.alert.body}"[:300]]
    return []


async def run_session(number: int, url: str, pages: list[str], rounds: int, label: str, timeout: float,
                      stagger: float, on_run: Callable[[dict], None] | None = None,
                      last_round: asyncio.Event | None = None) -> list[dict]:
    """Connect, then open every page ``rounds`` times in turn; a page left unfinished ends it."""
    await asyncio.sleep(stagger * number)
    parts = urlsplit(url)
    stream = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
    runs: list[dict] = []
    try:
        async with connect(stream, subprotocols=[Subprotocol("streamlit")], max_size=None,
                           open_timeout=timeout) as socket:
            session = Session(socket, url.rstrip("/"))
            for round_ in range(rounds):
                if last_round and rounds > 1 and round_ == rounds - 1:
                    await last_round.wait()
                for page in pages:
                    run = {"session": number, "round": round_, **await session.open(page, label, timeout)}
                    runs.append(run)
                    if on_run:
                        on_run(run)
                    if not run["finished"]:
                        return runs
    except (OSError, TimeoutError, WebSocketException) as exc:
        runs.append({"session": number, "round": None, "page": None, "seconds": None, "finished": False,
                     "value": None, "errors": [f"websocket: {type(exc).__name__} {exc}"[:300]]})
    return runs


# --- the load ----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value at or above ``share`` of them."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _times(runs: list[dict]) -> dict:
    seconds = [r["seconds"] for r in runs if r["finished"]]
    figures = {"p50_s": percentile(seconds, 0.5), "p95_s": percentile(seconds, 0.95), "max_s": max(seconds, default=None)}
    return {"n": len(seconds), **{key: None if x is None else round(x, 4) for key, x in figures.items()}}


async def run_load(url: str, sessions: int = 20, rounds: int = 1, pages: tuple[str, ...] = DEFAULT_PAGES,
                   label: str = DEFAULT_LABEL, timeout: float = 300, stagger: float = 0.0,
                   on_run: Callable[[dict], None] | None = None, last_round: asyncio.Event | None = None) -> dict:
    """``sessions`` concurrent sessions; the summary and every page run. So that a caller can act
    while the load goes on, each run is given to ``on_run`` as it ends, and the last round waits
    for ``last_round`` to be set (e.g. once an import is over: every session then sees new figures)."""
    started = time.perf_counter()
    per_session = await asyncio.gather(*(run_session(k, url, list(pages), rounds, label, timeout, stagger, on_run,
                                                     last_round) for k in range(sessions)))
    runs = [run for mine in per_session for run in mine]
    failed = [run for run in runs if run["errors"] or not run["finished"]]
    return {
        "url": url, "sessions": sessions, "rounds": rounds, "pages": list(pages),
        "wall_s": round(time.perf_counter() - started, 3),
        "page_runs": len(runs), "expected_page_runs": sessions * rounds * len(pages),
        **_times(runs),
        "by_page": {page: _times([r for r in runs if r["page"] == page]) for page in pages},
        # The first round of a new server pays for its cold start (module imports, caches).
        "by_round": {str(k): _times([r for r in runs if r["round"] == k]) for k in range(rounds)},
        "errors": len(failed), "error_samples": sorted({e for run in failed for e in run["errors"]})[:10],
        "values": {str(k): [r["value"] for r in mine if r["value"] is not None] for k, mine in enumerate(per_session)},
        "runs": runs,
    }


# --- a server to load --------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    pid: int


@contextmanager
def serving(script: Path, port: int, env: dict | None = None, timeout: float = 120) -> Iterator[Server]:
    """``streamlit run script`` on 127.0.0.1:``port`` until it answers its health check; stopped
    (this process only) on exit."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    out.seek(0)
                    raise RuntimeError(f"streamlit run {script.name}: not healthy within {timeout:g} s\n"
                                       f"{out.read().decode('utf-8', 'replace')[-3000:]}")
                time.sleep(0.1)
            yield Server(url, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def peak_rss_mib(pid: int) -> float | None:
    """The process's peak resident memory so far (Linux VmHWM), read while it still runs."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / MIB
    except OSError:
        pass
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (Linux /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8501")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="times each session opens every page")
    parser.add_argument("--page", action="append", dest="pages",
                        help="a page as its URL path and query, e.g. 'fiche?indicateur=REC-03' ('' for the "
                             f"default page); repeatable (default: {' and '.join(map(repr, DEFAULT_PAGES))})")
    parser.add_argument("--label", default=DEFAULT_LABEL, help="read the first metric whose label starts so")
    parser.add_argument("--timeout", type=float, default=300, help="seconds a page may take before it counts as failed")
    parser.add_argument("--stagger", type=float, default=0.0, help="seconds between two sessions' starts")
    parser.add_argument("--all-runs", action="store_true", help="also print every page run")
    args = parser.parse_args(argv)
    result = asyncio.run(run_load(args.url, args.sessions, args.rounds, tuple(args.pages or DEFAULT_PAGES),
                                  args.label, args.timeout, args.stagger))
    if not args.all_runs:
        del result["runs"]
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
