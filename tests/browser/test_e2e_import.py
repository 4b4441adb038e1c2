"""End to end in headless Chromium: the real server, a real file dropped on the Import page,
confirmed, seen on the dashboard, then undone from the Données page.

Uses Debian's chromium (never `playwright install`); skipped only when it is absent.
Screenshots (1920×1080) are written to tests/screenshots/ for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import needs_chromium, settle
from complaint_files import GOOD, ODD, UNTIDY

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "tests" / "screenshots"
REC_01 = "REC-01 · Réclamations reçues"
WAIT_MS = 60_000

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    yield tab
    context.close()


def shoot(page, name: str, full_page: bool = False) -> None:
    """A 1920×1080 screenshot; `full_page`: the whole page, by growing the viewport to the height of
    Streamlit's scrolling main area (a plain full-page shot would stop at the first screen)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)  # let charts and fonts settle
    if full_page:
        height = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
                               "[data-testid=\"stMainBlockContainer\"]')].map(e => e.scrollHeight), 1080)")
        page.set_viewport_size({"width": 1920, "height": min(int(height) + 120, 12000)})
        page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"1920x1080-{name}.png"))
    if full_page:
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.wait_for_timeout(300)


def metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    metric.wait_for()
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def overview_value(page, code: str) -> str | None:
    """An indicator's value in the dashboard's « Vue d'ensemble » (its row: code, title, value…)."""
    return page.evaluate("""code => { const row = Array.from(document.querySelectorAll('.vue-ensemble tbody tr'))
        .find(r => r.cells[0].innerText.trim() === code); return row ? row.cells[2].innerText.trim() : null; }""", code)


def open_dashboard(page, url: str) -> str:
    page.goto(f"{url}/")  # the default page lives at the root, on its « Vue d'ensemble »
    page.locator(".vue-ensemble").first.wait_for()
    settle(page)
    assert "Page not found" not in page.inner_text("body")
    overview = overview_value(page, REC_01.split(" · ")[0])
    page.goto(f"{url}/?vue=Tuiles")  # the tiles, one click away
    page.get_by_text(REC_01).first.wait_for()
    settle(page)
    value = metric_value(page, REC_01)
    assert overview == value, (overview, value)
    return value


def test_upload_confirm_see_the_dashboard_change_then_undo(server: str, page, tmp_path: Path):
    assert open_dashboard(page, server) == "10"

    # Drop a real file on the Import page.
    good = tmp_path / "reclamations-octobre.xlsx"
    good.write_bytes(GOOD)
    untidy = tmp_path / "export-registre.xlsx"
    untidy.write_bytes(UNTIDY)
    page.goto(f"{server}/import")
    page.get_by_text("Déposez un ou plusieurs fichiers").wait_for()
    settle(page)
    shoot(page, "import-vide")
    page.locator('input[type="file"]').set_input_files([str(good), str(untidy)])
    page.get_by_text("« export-registre.xlsx »").first.wait_for()
    page.get_by_role("button", name="Importer « reclamations-octobre.xlsx »").wait_for()
    settle(page)
    assert "Jeu reconnu" in page.inner_text("body")
    shoot(page, "import-apercu")
    shoot(page, "import-apercu-complet", full_page=True)

    # The rejects of the untidy file, with their French messages.
    page.get_by_role("tab", name="Rejets (3)").click()
    page.get_by_text("Télécharger les rejets (Excel)").wait_for()
    shoot(page, "import-rejets", full_page=True)

    # Confirm the good file only.
    page.get_by_role("button", name="Importer « reclamations-octobre.xlsx »").click()
    page.get_by_text("3 nouvelles, 0 rejetée").wait_for()
    settle(page)
    assert "Déjà importé à l'identique" in page.inner_text("body")
    shoot(page, "import-confirme")

    # The dashboard changed.
    assert open_dashboard(page, server) == "13"
    page.locator('[data-testid="stMetric"]', has_text=REC_01).first.scroll_into_view_if_needed()
    shoot(page, "tableau-de-bord-apres-import")

    # Undo it from the Données page, through the confirmation dialog.
    page.goto(f"{server}/donnees")
    page.get_by_text("Journal des imports").wait_for()
    settle(page)
    shoot(page, "donnees-journal")
    page.get_by_role("button", name="Annuler cet import").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("3 lignes quitteront les données").wait_for()
    shoot(page, "donnees-annulation-dialogue")
    dialog.get_by_role("button", name="Oui, annuler l'import").click()
    page.get_by_text("Import n° 12 annulé").wait_for()
    settle(page)
    shoot(page, "donnees-annule")
    shoot(page, "donnees-annule-complet", full_page=True)

    # Freshness of a dataset with gaps (the improvement plan has months without a new action).
    choice = page.locator('[data-testid="stSelectbox"]', has_text="Mois par mois").get_by_role("combobox")
    choice.click()
    choice.fill("Plan d")
    page.get_by_role("option", name="Plan d'actions (actions)").click()
    page.get_by_text("Plan d'actions : lignes par mois et par site").wait_for()
    settle(page)
    page.get_by_text("Plan d'actions : lignes par mois et par site").scroll_into_view_if_needed()
    shoot(page, "donnees-fraicheur-trous")

    assert open_dashboard(page, server) == "10"


def test_unknown_shape_catalogue_and_comment_pages_render(server: str, page, tmp_path: Path):
    odd = tmp_path / "dossiers.xlsx"
    odd.write_bytes(ODD)
    page.goto(f"{server}/import")
    page.get_by_text("Déposez un ou plusieurs fichiers").wait_for()
    settle(page)
    page.locator('input[type="file"]').set_input_files(str(odd))
    page.get_by_text("Associer les colonnes à la main").wait_for()
    settle(page)
    choice = page.locator('[data-testid="stSelectbox"]', has_text="Jeu de données").get_by_role("combobox")
    choice.click()
    choice.fill("Réclam")
    page.get_by_role("option", name="Réclamations (reclamations)").click()
    page.get_by_text("Relire le fichier avec cette correspondance").wait_for()
    settle(page)
    shoot(page, "import-correspondance-manuelle", full_page=True)

    page.goto(f"{server}/catalogue?indicateur=REC-03")
    page.get_by_text("Catalogue des indicateurs").wait_for()
    page.get_by_text("Historique des cibles").wait_for()
    settle(page)
    shoot(page, "catalogue")
    shoot(page, "catalogue-complet", full_page=True)

    page.goto(f"{server}/fiche?indicateur=REC-03")
    page.get_by_text("Enregistrer l'analyse").wait_for()
    settle(page)
    page.get_by_label("Analyse de REC-03 pour octobre 2026 (Ensemble de la structure)").fill(
        "Deux réponses tardives à Lyon 9e : relance faite auprès du bailleur.")
    page.get_by_role("button", name="Enregistrer l'analyse").click()
    page.get_by_text("enregistrée au nom de qualité (local)").wait_for()
    settle(page)
    page.get_by_text("Deux réponses tardives à Lyon 9e").scroll_into_view_if_needed()
    shoot(page, "fiche-analyse")
