"""Read from the back of the room: the dashboard's first screen, measured in headless Chromium.

Issue 19. The committee reads the dashboard on a projector, often at 1280×720, from several metres
away. At 1280×720 and 1920×1080, in normal mode (sidebar open) and in projector mode
(``?projecteur=true``), on the real app over a copy of the demo data, this test measures what the
browser draws, with ``getBoundingClientRect`` and ``getComputedStyle``:

- indicator values in the first screen, as HTML text (the « Vue d'ensemble »'s value cells or the
  tiles' ``stMetricValue``, never a canvas) of at least 20 px: 8 or more in normal mode; in projector
  mode all 29 rows, with their status, variation and target cells, inside the screen (no scrolling);
- no text cut: nothing that clips its text (``overflow`` hidden or ``text-overflow: ellipsis``)
  holds more than it shows, no text runs past an ancestor that clips or scrolls, nor past the
  screen's left or right edge;
- every text's WCAG contrast against the background it is drawn on (the first opaque background up
  its ancestors, translucent ones composited over it), the element's opacity included: 4.5:1 or more;
- in projector mode: no word under 20 px on the overview's page and under 24 px on the other pages
  (checked on a fiche, on a process page and on the tiles at 1280×720), no demo banner, and no button
  but the navigation (the bar of pilotage_qualite/ui/projector.py, whole, the view switch, the tiles'
  links);
- the tiles, one click away (``?vue=Tuiles``), cut nothing either (« vs périod… » once);
- projector fiches and the agenda's process pages, at both sizes, whole (below the first screen,
  expanders open): no text past the screen's right edge nor in a table scrolled sideways (the
  fiche's 13 columns of linked actions once ran past a 1280 px screen), nothing scrolling sideways.

Chart internals (Vega draws them on a canvas) are not inspected here: the chart specs' font sizes
are checked with the specs, their long row labels (wrapped, never « … ») drawn by vl-convert in
tests/unit/reports/test_projector_row_labels.py. Screenshots go to tests/screenshots/
(``1280x720-vue-ensemble.png``, ``1280x720-projecteur-vue-ensemble.png``…) and the measures to
``lisibilite-salle.txt`` beside them, for a person to look at.

Uses Debian's Chromium (never `playwright install`); skipped only when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import demo_app, needs_chromium, settle

from pilotage_qualite.ui.projector import AGENDA

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "screenshots"
VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1920x1080": {"width": 1920, "height": 1080}}
INDICATORS = 29  # the demo catalogue's
MIN_VALUES_NORMAL = 8
MIN_PX_OVERVIEW, MIN_PX_OTHER = 20, 24  # projector mode, at 1280×720
MIN_CONTRAST = 4.5
# What projector mode may offer to click: the bar (ui/projector.py: « Précédent », « Suivant »,
# « Retour » from a fiche, « Retour au comité » while a meeting is open, the filters' popover
# « Période · site », « Quitter le mode projecteur »), the dashboard's view switch, a tile's link.
NAVIGATION = {"Précédent", "Suivant", "Retour", "Retour au comité", "Période · site", "Quitter le mode projecteur",
              "Vue d'ensemble", "Tuiles", "Ouvrir la fiche"}
AGENDA_BAR = {"Précédent", "Suivant", "Période · site", "Quitter le mode projecteur"}  # on every agenda step

# Read whole on the projector, top to bottom: fiches (AUD-01 has the most linked actions, 11; DEM-03's
# rows behind the value are the most) and the agenda's process pages.
WHOLE_PAGES = {**{f"fiche-{code}": f"/fiche?indicateur={code}&projecteur=true"
                  for code in ("REC-03", "DEM-03", "SAT-01", "AUD-01", "PA-02")},
               **{step.url_path: f"/{step.url_path}?projecteur=true" for step in AGENDA[1:]}}

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]

# Every element holding text of its own, as drawn: size, box, cut or not, contrast.
TEXTS_JS = """() => {
  const W = window.innerWidth, H = window.innerHeight;
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = e => {  // the colour behind e: the first opaque background up, translucent ones over it
    const layers = [];
    for (let a = e; a && a.nodeType === 1; a = a.parentElement) {
      const bg = parse(getComputedStyle(a).backgroundColor);
      if (bg && bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const opacity = e => { let o = 1; for (let a = e; a && a.nodeType === 1; a = a.parentElement)
    o *= parseFloat(getComputedStyle(a).opacity); return o; };
  const describe = e => { const id = e.closest('[data-testid]');
    return (id ? id.getAttribute('data-testid') + ' > ' : '') + e.tagName.toLowerCase(); };
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    if (e.closest('script, style, noscript, svg, canvas, .vega-embed')) continue;  // chart internals
    const own = Array.from(e.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!own) continue;
    const style = getComputedStyle(e);
    if (/Material/i.test(style.fontFamily)) continue;  // an icon's ligature (« arrow_back »), not a word
    if (!e.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const r = e.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;  // visually hidden (screen readers only)
    let cut = (['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis')
      && e.scrollWidth > e.clientWidth + 1 ? 'coupé' : null;
    for (let a = e.parentElement; !cut && a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX === 'visible') continue;
      const box = a.getBoundingClientRect();
      if (r.right > box.right + 1 || r.left < box.left - 1) cut = 'dépasse ' + describe(a);
    }
    if (!cut && (r.right > W + 1 || r.left < -1)) cut = "dépasse le bord de l'écran";
    const colour = parse(style.color), bg = background(e);
    const fg = over([colour[0], colour[1], colour[2], colour[3] * opacity(e)], bg);
    const [light, dark] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    out.push({text: own.slice(0, 50), where: describe(e), size: parseFloat(style.fontSize), cut,
              firstScreen: r.top >= 0 && r.bottom <= H + 1 && r.left >= -1 && r.right <= W + 1,
              contrast: Math.round((light + 0.05) / (dark + 0.05) * 100) / 100,
              colours: style.color + ' sur rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + ')'});
  }
  return out;
}"""

# The indicator values on the page: the overview's value cells and the tiles' values (HTML text).
VALUES_JS = """() => {
  const W = window.innerWidth, H = window.innerHeight;
  const inside = e => { const r = e.getBoundingClientRect();
    return e.checkVisibility() && r.width > 0 && r.top >= 0 && r.bottom <= H && r.left >= 0 && r.right <= W; };
  const text = e => Array.from(e.querySelectorAll('*')).concat([e]).find(x => Array.from(x.childNodes)
    .some(n => n.nodeType === 3 && n.textContent.trim())) || e;
  const rows = Array.from(document.querySelectorAll('.vue-ensemble tbody tr'));
  const cells = rows.map(r => r.cells[2]).concat(Array.from(document.querySelectorAll('[data-testid="stMetricValue"]')));
  return {
    values: cells.map(e => ({text: e.innerText.trim(), size: parseFloat(getComputedStyle(text(e)).fontSize),
                             inside: inside(e)})),
    rows: rows.map(r => ({code: r.cells[0].innerText.trim(), whole: [0, 1, 2, 3, 4, 5].every(i => inside(r.cells[i]))})),
  };
}"""

# What scrolls sideways (a table wider than the page in its scroller, a grid drawn on a canvas):
# its width and the width it shows.
SIDEWAYS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] *'))
  .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1
               && e.checkVisibility())
  .map(e => { const id = e.closest('[data-testid]');
    return (id ? id.getAttribute('data-testid') : e.tagName.toLowerCase()) + ' : ' + e.scrollWidth + ' px dans '
      + e.clientWidth; })"""
# Every expander opened (their tables are read when the presenter opens them).
OPEN_EXPANDERS_JS = """() => document.querySelectorAll('[data-testid="stExpander"] details').forEach(d => { d.open = true; })"""

# What can be clicked, by its label (an icon's ligature left out); the skip link is the browser's.
CLICKABLE_JS = """() => Array.from(document.querySelectorAll('button, a[href], [role="button"]'))
  .filter(e => e.checkVisibility({opacityProperty: true, visibilityProperty: true})
               && e.getAttribute('data-testid') !== 'stSkipToContent'
               && !e.closest('[data-testid="stElementToolbar"]'))
  .map(e => { const words = Array.from(e.querySelectorAll('[data-testid="stMarkdownContainer"]'))
      .map(m => m.innerText.trim()).join(' ');
    return words || e.getAttribute('aria-label') || e.innerText.trim(); })"""


@pytest.fixture(scope="module")
def server(demo_base_template, tmp_path_factory):
    """One server for the module, over a private copy of the demo data."""
    with demo_app(demo_base_template, tmp_path_factory.mktemp("salle")) as url:
        yield url


@pytest.fixture(scope="module")
def measures():
    """The figures, written beside the screenshots for a person to read."""
    lines: list[str] = []
    yield lines
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "lisibilite-salle.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def open_page(browser, server: str, path: str, size: str):
    page = browser.new_page(viewport=VIEWPORTS[size], locale="fr-FR")
    page.goto(f"{server}{path}")
    settle(page)
    page.wait_for_timeout(300)  # fonts and the last layout pass
    return page


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def summary(texts: list[dict]) -> str:
    smallest = min(texts, key=lambda t: t["size"])
    lowest = min(texts, key=lambda t: t["contrast"])
    return (f"plus petit texte {smallest['size']:g} px ({smallest['where']} « {smallest['text']} ») ; "
            f"contraste le plus bas {lowest['contrast']:g}:1 ({lowest['where']} « {lowest['text']} », "
            f"{lowest['colours']})")


def assert_readable(texts: list[dict], *, min_px: float | None) -> None:
    """No text cut, none under `min_px` (when given), none under a 4.5:1 contrast."""
    assert texts, "aucun texte mesuré"
    cut = [(t["text"], t["where"], t["cut"]) for t in texts if t["cut"]]
    assert not cut, f"textes coupés : {cut[:8]}"
    if min_px is not None:
        small = [(t["text"], t["where"], t["size"]) for t in texts if t["size"] < min_px]
        assert not small, f"textes sous {min_px} px : {small[:8]}"
    faint = [(t["text"], t["where"], t["contrast"], t["colours"]) for t in texts if t["contrast"] < MIN_CONTRAST]
    assert not faint, f"textes sous un contraste de {MIN_CONTRAST}:1 : {faint[:8]}"


def assert_only_navigation(page, also: frozenset[str] = frozenset(), bar: frozenset[str] | None = None) -> None:
    """Nothing to click but the navigation (and ``also``), and the agenda bar's whole (a CSS rule
    once hid « Suivant »)."""
    clickable = page.evaluate(CLICKABLE_JS)
    extra = [label for label in clickable if label not in NAVIGATION | also]
    assert not extra, f"en mode projecteur, boutons autres que la navigation : {extra}"
    missing = (AGENDA_BAR if bar is None else bar) - set(clickable)
    assert not missing, f"barre du projecteur incomplète : {sorted(missing)} absents de {clickable}"
    assert "Données de démonstration" not in page.inner_text("body"), "bandeau de démonstration en mode projecteur"


@pytest.mark.parametrize("mode", ["normal", "projecteur"])
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_dashboards_first_screen_is_read_from_the_back_of_the_room(server, browser, measures, size, mode):
    projector = mode == "projecteur"
    page = open_page(browser, server, "/?projecteur=true" if projector else "/", size)
    try:
        shoot(page, f"{size}-{'projecteur-' if projector else ''}vue-ensemble")
        found = page.evaluate(VALUES_JS)
        shown = [v for v in found["values"] if v["inside"] and v["size"] >= MIN_PX_OVERVIEW]
        texts = page.evaluate(TEXTS_JS)
        measures.append(f"{size} {mode} : {len(shown)} valeurs d'au moins {MIN_PX_OVERVIEW} px au premier écran "
                        f"(sur {len(found['values'])}) ; {summary(texts)}")
        assert len(found["rows"]) == INDICATORS, found["rows"]  # the « Vue d'ensemble » is the default
        if projector:
            assert len(shown) == INDICATORS, (len(shown), found["values"])
            partial = [r["code"] for r in found["rows"] if not r["whole"]]
            assert not partial, f"lignes hors du premier écran ou incomplètes : {partial}"
            assert_only_navigation(page)
            assert_readable(texts, min_px=MIN_PX_OVERVIEW)
        else:
            sidebar = page.locator('[data-testid="stSidebar"][data-collapsed="false"]')
            assert sidebar.count() == 1 and sidebar.is_visible()  # the narrowest case: the sidebar open
            assert len(shown) >= MIN_VALUES_NORMAL, (len(shown), found["values"][:MIN_VALUES_NORMAL + 2])
            assert "Données de démonstration" in page.inner_text("body")  # the banner the projector hides
            assert_readable(texts, min_px=None)
    finally:
        page.close()


@pytest.mark.parametrize("mode, path", [("normal", "/?vue=Tuiles"), ("projecteur", "/?projecteur=true&vue_projecteur=Tuiles")])
def test_the_tiles_one_click_away_cut_nothing(server, browser, measures, mode, path):
    """The tiles at 1280×720: titles, values and changes wrap rather than end in « … » (« vs périod… »
    once); on the projector, 24 px at least and nothing to click but the navigation."""
    size = "1280x720"
    page = open_page(browser, server, path, size)
    try:
        shoot(page, f"{size}-{'projecteur-' if mode == 'projecteur' else ''}tuiles")
        assert page.locator('[data-testid="stMetricValue"]').count() == INDICATORS
        texts = page.evaluate(TEXTS_JS)
        measures.append(f"{size} {mode} tuiles : {summary(texts)}")
        assert_readable(texts, min_px=MIN_PX_OTHER if mode == "projecteur" else None)
        if mode == "projecteur":
            assert_only_navigation(page)
    finally:
        page.close()


@pytest.mark.parametrize("name, path", [
    ("fiche", "/fiche?indicateur=REC-01&projecteur=true"),
    ("demandes-reclamations", "/demandes-reclamations?projecteur=true"),
])
def test_projector_pages_besides_the_overview_never_go_under_24_px(server, browser, measures, name, path):
    size = "1280x720"
    page = open_page(browser, server, path, size)
    try:
        shoot(page, f"{size}-projecteur-lisibilite-{name}")
        texts = page.evaluate(TEXTS_JS)
        measures.append(f"{size} projecteur {name} : {len(texts)} textes ; {summary(texts)}")
        assert_readable(texts, min_px=MIN_PX_OTHER)
        if name == "fiche":
            # « Open »: the indicator's list (Streamlit's own label); a fiche's bar has « Retour », not the steps.
            assert_only_navigation(page, also=frozenset({"Open"}),
                                   bar=frozenset({"Retour", "Période · site", "Quitter le mode projecteur"}))
        else:
            assert_only_navigation(page)
    finally:
        page.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("name", WHOLE_PAGES)
def test_projector_fiches_and_process_pages_fit_the_screen_top_to_bottom(server, browser, measures, name, size):
    """The whole page, below its first screen too and its expanders open: no text cut nor past the
    screen's right edge, none in a table scrolled sideways (13 columns of linked actions at 24 px ran
    past the edge of a 1280 px screen), nothing that scrolls sideways, nothing under 24 px."""
    page = open_page(browser, server, WHOLE_PAGES[name], size)
    try:
        page.evaluate(OPEN_EXPANDERS_JS)
        page.wait_for_timeout(300)
        texts = page.evaluate(TEXTS_JS)
        sideways = page.evaluate(SIDEWAYS_JS)
        measures.append(f"{size} projecteur {name} (page entière) : {len(texts)} textes ; {summary(texts)}")
        # The SQL's syntax colours (Streamlit's highlighter, 3.5:1) are no reading for the room: its
        # lines are held to the rest (whole, wrapped, 24 px), not its contrast.
        code = [t for t in texts if t["where"].startswith("stCode")]
        assert_readable([t for t in texts if t not in code], min_px=MIN_PX_OTHER)
        assert not [(t["text"], t["cut"], t["size"]) for t in code if t["cut"] or t["size"] < MIN_PX_OTHER]
        assert not sideways, f"défile de côté : {sideways}"
    finally:
        page.close()
