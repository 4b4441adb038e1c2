"""Load: 20 concurrent sessions of the real server on the dashboard and a fiche while a command-line
import runs in another process. No session shows an error, every session sees the old or the new
figures (never anything else, never new then old), and the page times are printed (p50/p95).

A page time runs from navigation to the page's main content rendered with the final figures
(the REC-01 tile, or the fiche's value; the script run over, nothing stale on screen).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from complaint_files import GOOD  # three complaints received in October 2026

REPO = Path(__file__).resolve().parents[2]
SESSIONS = 20
PAGE_TIMEOUT_S = 240  # generous: the reference machine is often shared with other test runs
DASHBOARD_LABEL = "REC-01 · Réclamations reçues"
FICHE_LABEL = "octobre 2026"

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]

INCOMPLETE_S = 60  # a page idle but without its figures this long is reloaded (and counted)

# The value of the metric whose label contains `label` once the run is over and nothing is stale;
# « incomplet » when the run is over but that metric is missing; null while the page runs.
# Reports an exception or the busy message as soon as one shows.
READ_METRIC = """(label) => {
    const failure = document.querySelector('[data-testid="stException"]');
    if (failure) return {erreur: failure.innerText.slice(0, 500)};
    const main = document.querySelector('[data-testid="stMain"]');
    if (main && main.innerText.includes('Base de données occupée')) return {erreur: 'base occupée'};
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return null;
    if (document.querySelector('[data-stale="true"]')) return null;
    const labels = [];
    for (const metric of document.querySelectorAll('[data-testid="stMetric"]')) {
        const name = metric.querySelector('[data-testid="stMetricLabel"]');
        labels.push(name ? name.textContent : '');
        if (name && name.textContent.includes(label)) {
            return {valeur: metric.querySelector('[data-testid="stMetricValue"]').textContent.trim()};
        }
    }
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    return {incomplet: labels.length + ' métrique(s) ' + labels.slice(0, 2).join(' | ') +
                       ' ; état : ' + (status ? status.innerText.trim() : 'connecté')};
}"""


def rec01_october(database: Path) -> str:
    """REC-01 for October 2026, Ensemble, as the command line computes it (the page shows it so)."""
    done = subprocess.run([sys.executable, "-m", "pilotage_qualite", "--base", str(database), "indicateurs",
                           "--periode", "2026-10", "--format", "json"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    row = next(r for r in json.loads(done.stdout) if r["indicateur"] == "REC-01" and r["site"] is None)
    return str(int(row["valeur"]))


async def visit(page, url: str, label: str, incidents: list[str]) -> tuple[float, str]:
    """Open `url` and wait for the metric; a page left incomplete is reloaded (as a user would) and
    the incident recorded. Returns (seconds until the figures showed, the value shown)."""
    started = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_S * 1000)
    incomplete_since = None
    while True:
        found = await page.evaluate(READ_METRIC, label)
        now = time.perf_counter()
        if found and "erreur" in found:
            raise AssertionError(f"{url} : {found['erreur']}")
        if found and "valeur" in found:
            break
        if found and "incomplet" in found:
            incomplete_since = incomplete_since or now
            if now - incomplete_since > INCOMPLETE_S:
                log = " / ".join(getattr(page, "journal_console", [])[-5:])
                incidents.append(f"{url} après {now - started:.0f} s : {found['incomplet']} ; console : {log}")
                await page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_S * 1000)
                incomplete_since = None
        else:
            incomplete_since = None
        assert now - started < PAGE_TIMEOUT_S, f"{url} not rendered in {PAGE_TIMEOUT_S} s ({found})"
        await asyncio.sleep(0.25)
    elapsed = time.perf_counter() - started
    await page.wait_for_timeout(300)  # a last check: nothing else turned up once the figures were drawn
    assert not await page.locator('[data-testid="stException"]').count(), url
    return elapsed, found["valeur"].replace("\u00a0", "").replace(" ", "")


async def drive(server: str, database: Path, new_file: Path) -> tuple[list[dict], list[str], str]:
    from playwright.async_api import async_playwright

    pages = [("tableau de bord", f"{server}/?vue=Tuiles", DASHBOARD_LABEL),  # the tiles: st.metric values
             ("fiche", f"{server}/fiche?indicateur=REC-01", FICHE_LABEL)]
    seen: list[dict] = []
    incidents: list[str] = []
    import_done = asyncio.Event()

    half_way = asyncio.Event()

    async def session(number: int, browser) -> None:
        await asyncio.sleep(0.2 * number)  # people do not all click in the same millisecond
        context = await browser.new_context(viewport={"width": 1280, "height": 720})
        page = await context.new_page()
        page.journal_console = []
        page.on("console", lambda message: page.journal_console.append(f"{time.strftime('%X')} {message.text[:200]}"))
        try:
            for round_ in (0, 1):  # both pages during the import, then both once it is over
                if round_ == 1:
                    await import_done.wait()
                for kind, url, label in pages:
                    elapsed, value = await visit(page, url, label, incidents)
                    seen.append({"session": number, "tour": round_, "page": kind, "secondes": elapsed,
                                 "valeur": value, "apres_import": round_ == 1})
                    if len(seen) >= SESSIONS // 2:
                        half_way.set()
        finally:
            await context.close()

    async def import_meanwhile() -> str:
        await half_way.wait()  # the import starts while half the sessions still load their first pages
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pilotage_qualite", "--base", str(database), "importer", str(new_file),
            "--utilisateur", "import planifié", cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await process.communicate()
        import_done.set()
        assert process.returncode == 0, err.decode()
        return f"{out.decode()}\n(import en ligne de commande : {time.perf_counter() - started:.1f} s)"

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            results = await asyncio.gather(import_meanwhile(), *(session(i, browser) for i in range(SESSIONS)))
        finally:
            await browser.close()
    return seen, incidents, results[0]


def server_cpu_seconds(url: str) -> float:
    """CPU time used so far by the Streamlit server serving `url` (Linux /proc), for the report."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(command) and port.encode() in command:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            continue
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def test_twenty_sessions_during_a_command_line_import(server, demo_data_dir: Path, tmp_path: Path):
    database = demo_data_dir / "pilotage.duckdb"
    before = rec01_october(database)
    new_file = tmp_path / "reclamations-octobre.xlsx"
    new_file.write_bytes(GOOD)
    started, cpu_before = time.perf_counter(), server_cpu_seconds(server)
    seen, incidents, import_output = asyncio.run(drive(server, database, new_file))
    total, server_cpu = time.perf_counter() - started, server_cpu_seconds(server) - cpu_before
    after = rec01_october(database)
    assert "import n°" in import_output and int(after) == int(before) + 3

    values = {row["valeur"] for row in seen}
    assert values <= {before, after}, f"figures neither old ({before}) nor new ({after}): {values}"
    assert all(row["valeur"] == after for row in seen if row["apres_import"])
    for number in range(SESSIONS):  # never the new figures then the old ones again
        mine = [row["valeur"] for row in sorted((r for r in seen if r["session"] == number),
                                                key=lambda r: (r["tour"], r["page"] != "tableau de bord"))]
        assert mine[mine.index(after):] == [after] * (len(mine) - mine.index(after)), mine
    lines = [f"\n{SESSIONS} sessions, {len(seen)} pages en {total:.0f} s ; REC-01 {before} → {after} "
             f"({sum(r['valeur'] == before for r in seen)} vues avant, {sum(r['valeur'] == after for r in seen)} après)"]
    for kind in ("tableau de bord", "fiche"):
        times = [row["secondes"] for row in seen if row["page"] == kind]
        lines.append(f"{kind} : n={len(times)} p50={statistics.median(times):.2f} s "
                     f"p95={percentile(times, 0.95):.2f} s max={max(times):.2f} s")
    everything = [row["secondes"] for row in seen]
    lines.append(f"toutes pages : p50={statistics.median(everything):.2f} s p95={percentile(everything, 0.95):.2f} s")
    lines.append(import_output.strip().splitlines()[-1])
    lines.append(f"serveur : {server_cpu:.0f} s de CPU, soit {server_cpu / len(seen):.2f} s par page ; "
                 f"charge de la machine : {os.getloadavg()[0]:.1f}")
    lines.append(f"pages restées incomplètes {INCOMPLETE_S} s puis rechargées : {len(incidents)}")
    lines.extend(f"  {incident}" for incident in incidents)
    print("\n".join(lines))
    # On a starved machine Streamlit's front end has been seen to sit idle without a page's figures
    # (script state « notRunning », a run of elements missing); a reload shows the page whole.
    assert len(incidents) <= len(seen) // 20, incidents
