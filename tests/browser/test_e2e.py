"""End to end: the real Streamlit server driven in headless Chromium, as a user would.

Starts `streamlit run app.py` on a free port with PILOTAGE_DONNEES pointing to a copy of
the demo data folder, visits every page, follows a tile to its fiche, changes the site and
the period in the sidebar, turns the projector mode on and steps through the agenda. Fails
on any exception Streamlit shows. Screenshots (1920×1080 and 1280×720) are saved to
tests/screenshots/ (git-ignored) for a person to look at.

Uses Debian's Chromium (never `playwright install`); skipped when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import needs_chromium, settle
from playwright.sync_api import expect

WAIT_MS = 60_000  # how long an expectation retries before it fails
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "screenshots"
VIEWPORTS = {"1920x1080": {"width": 1920, "height": 1080}, "1280x720": {"width": 1280, "height": 720}}
# url path → the title the page shows
PAGES = {
    "": "Tableau de bord qualité",  # the default page lives at the root
    "activite": "Activité",
    "demandes-reclamations": "Demandes et réclamations",
    "satisfaction": "Satisfaction",
    "formation-rh": "Formation et RH",
    "audits-amelioration": "Audits et amélioration",
    "securite": "Sécurité",
    "documentation": "Documentation",
    "comite": "Comité de pilotage qualité",
    "donnees": None,
}
AGENDA = ["", "demandes-reclamations", "satisfaction", "audits-amelioration", "securite", "activite",
          "formation-rh", "documentation"]

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


def shoot(page, name: str, size: str) -> None:
    """The screen as the user sees it, and the whole page (Streamlit scrolls its main area,
    not the document, so the viewport is stretched to the content's height for a moment)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{size}-{name}.png"))
    viewport = page.viewport_size
    height = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll("
                           "'[data-testid=\"stMain\"], [data-testid=\"stAppViewContainer\"]'), e => e.scrollHeight))")
    if viewport and height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": min(height + 40, 8000)})
        page.wait_for_timeout(1200)  # charts redraw at the new size
        page.screenshot(path=str(SCREENSHOTS / f"{size}-{name}-complet.png"))
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)


def assert_tiles_readable(page) -> None:
    """No tile shows a title or a value cut with « … »: at 1280 x 720, four tiles a row once
    showed « ACT-01 · Interv… » and « 100,… » for 100,0 %."""
    cut = page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"], '
        + '[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"]'))
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)""")
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=WAIT_MS)
    assert not cut, f"textes coupés sur {page.url} : {cut}"


def assert_overview_fits(page, size: str) -> None:
    """The projector's dashboard: the « Vue d'ensemble », every indicator's row inside the first
    screen, as HTML text of at least 20 px, none cut at the right edge."""
    rows = page.evaluate("""() => Array.from(document.querySelectorAll('.vue-ensemble tbody tr')).map(r => {
        const box = r.getBoundingClientRect();
        return {bottom: box.bottom, right: box.right, size: parseFloat(getComputedStyle(r.cells[2]).fontSize)}; })""")
    width, height = (int(x) for x in size.split("x"))
    assert len(rows) == 29, rows
    outside = [r for r in rows if not (r["bottom"] <= height and r["right"] <= width and r["size"] >= 20)]
    assert not outside, (len(outside), outside[:3])


def title(page) -> str:
    heading = page.locator('[data-testid="stMain"] h1').first
    heading.wait_for(timeout=WAIT_MS)
    return heading.inner_text().strip()


def subheader(page) -> str:
    """« septembre 2026 · Saint-Étienne »: the period and site the page shows."""
    heading = page.locator('[data-testid="stMain"] h3').first
    heading.wait_for(timeout=WAIT_MS)
    return heading.inner_text().strip()


def choose(page, label: str, option: str) -> None:
    """Pick an option of a sidebar selectbox by its label."""
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label)
    box.scroll_into_view_if_needed()
    box.click()
    box.fill(option)  # typing filters the list, as a user would
    try:
        page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
    except Exception:
        shoot(page, f"echec-choix-{label}", "debug")
        raise
    settle(page)


def sidebar_open(page) -> bool:
    sidebar = page.locator('[data-testid="stSidebar"][data-collapsed="false"]')
    return sidebar.count() == 1 and sidebar.is_visible()


def open_sidebar(page) -> None:
    if not sidebar_open(page):
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_timeout(600)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_a_user_visits_every_page(server, browser, size):
    page = browser.new_page(viewport=VIEWPORTS[size], locale="fr-FR")
    for url_path, expected in PAGES.items():
        page.goto(f"{server}/{url_path}")
        settle(page)
        if expected:
            assert title(page) == expected, url_path
        shoot(page, url_path or "tableau-de-bord", size)
        if not url_path:  # the « Vue d'ensemble » first (tests/browser/test_room_readability.py), the tiles a click away
            expect(page.locator(".vue-ensemble tbody tr")).to_have_count(29, timeout=WAIT_MS)
            page.goto(f"{server}/?vue=Tuiles")
            settle(page)
            assert_tiles_readable(page)
            shoot(page, "tableau-de-bord-tuiles", size)

    # A tile leads to its fiche, the filters travelling with it.
    page.goto(f"{server}/demandes-reclamations")
    settle(page)
    page.get_by_role("link", name="Ouvrir la fiche").first.click()
    page.wait_for_url("**/fiche**")
    settle(page)
    assert title(page) == "DEM-01 · Demandes reçues"
    shoot(page, "fiche-depuis-tuile", size)

    # Site and period in the sidebar: the page and the URL follow.
    page.goto(f"{server}/satisfaction")
    settle(page)
    open_sidebar(page)
    choose(page, "Site", "Saint-Étienne")
    choose(page, "Période", "septembre 2026")
    assert subheader(page) == "septembre 2026 · Saint-Étienne"
    assert "site=Saint" in page.url and "septembre" in page.url
    shoot(page, "satisfaction-saint-etienne-septembre", size)

    # Projector mode from the dashboard: bigger, no sidebar, one agenda item per screen; the
    # site and period chosen above travel along the agenda.
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Tableau de bord").click()
    settle(page)
    assert subheader(page) == "septembre 2026 · Saint-Étienne"
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').filter(has_text="Mode projecteur").click()
    settle(page)
    assert "projecteur=true" in page.url
    expect(page.get_by_text("Ordre du jour 1 / 8")).to_have_count(1, timeout=WAIT_MS)
    assert_overview_fits(page, size)
    shoot(page, "projecteur-1-tableau-de-bord", size)
    for step, url_path in enumerate(AGENDA[1:], start=2):
        page.get_by_role("link", name="Suivant").click()
        page.wait_for_url(f"**/{url_path}?**")
        settle(page)
        expect(page.get_by_text(f"Ordre du jour {step} / 8")).to_have_count(1, timeout=WAIT_MS)
        assert "projecteur=true" in page.url and "site=Saint" in page.url and "septembre" in page.url
        assert all(page.url.count(f"{name}=") == 1 for name in ("projecteur", "site", "periode")), page.url
        assert not sidebar_open(page)
        shoot(page, f"projecteur-{step}-{url_path}", size)
    page.get_by_role("link", name="Précédent").click()
    page.wait_for_url("**/formation-rh?**")
    settle(page)
    expect(page.get_by_text("Ordre du jour 7 / 8")).to_have_count(1, timeout=WAIT_MS)
    page.get_by_role("button", name="Quitter le mode projecteur").click()
    settle(page)
    expect(page.get_by_text("Ordre du jour")).to_have_count(0, timeout=WAIT_MS)
    assert "projecteur=true" not in page.url
    assert title(page) == "Formation et RH"
    page.close()


def test_projector_mode_opens_from_a_link(server, browser):
    """A link with ?projecteur=true opens straight in projector mode, sidebar collapsed."""
    page = browser.new_page(viewport=VIEWPORTS["1920x1080"], locale="fr-FR")
    page.goto(f"{server}/securite?projecteur=true&site=Lyon+8e")
    settle(page)
    expect(page.get_by_text("Ordre du jour 5 / 8")).to_have_count(1, timeout=WAIT_MS)
    assert not sidebar_open(page)
    assert subheader(page) == "octobre 2026 · Lyon 8e"
    page.close()


def test_the_committee_steps_through_its_agenda_on_the_projector(server, browser):
    """The Comité page in projector mode: a compact header (the bar), then one screen of one agenda
    point; « Suivant » moves through the screens of a long point, then to the next point. At both
    projector sizes the point's title and its first figure are above the fold."""
    for size, viewport in VIEWPORTS.items():
        page = browser.new_page(viewport=viewport, locale="fr-FR")
        page.goto(f"{server}/comite?projecteur=true&grain=Trimestre")
        settle(page)
        expect(page.get_by_text("Comité · point 1 / 8")).to_have_count(1, timeout=WAIT_MS)
        assert not page.get_by_text("Données de démonstration").count()  # no banner on the projector
        for _ in range(12):  # through point 2's screens to point 3
            page.get_by_role("button", name="Suivant").click()
            settle(page)
            if page.get_by_text("Comité · point 3 / 8").count():
                break
        expect(page.get_by_text("Comité · point 3 / 8")).to_have_count(1, timeout=WAIT_MS)
        assert "point=3" in page.url and "ecran=1" in page.url and "projecteur=true" in page.url
        title = page.get_by_role("heading", name="3. Indicateurs hors cible ou en dérive")
        value = page.locator('[data-testid="stMetricValue"]').first
        for element in (title, value):
            box = element.bounding_box()
            assert box and box["y"] + box["height"] <= viewport["height"], (size, box)
        shoot(page, "projecteur-comite-point-3", size)
        page.close()
