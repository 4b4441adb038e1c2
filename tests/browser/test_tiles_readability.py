"""The tiles read from the back of the room in normal mode, measured in headless Chromium.

Issue 19. At 1280×720, sidebar open (three tiles a row beside it, the narrowest case), on the real
app over a copy of the demo data, the dashboard's tiles (``/?vue=Tuiles``), measured with
``getComputedStyle`` and the rectangles of the text as drawn:

- every tile's title is 20 px or more (Streamlit's metric label is 15.75 px) and takes at most
  two lines (the full titles are kept: the « Vue d'ensemble » is the screen of short titles);
- the secondary lines, « n = … · sur un an : … » and the change's « vs période précédente »,
  are 18 px or more in ink dark enough to be read at a distance: a 7:1 contrast or more (the
  caption's 60 % ink gave 4.9:1);
- « cible ≥ 90,0 % » is on one line: the sign never ends a line whose next holds the value.

A screenshot goes to tests/screenshots/1280x720-tuiles-lisibilite.png for a person to look at.
Uses Debian's Chromium (never `playwright install`); skipped only when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import CONTRAST_JS, needs_chromium, settle

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "screenshots"
INDICATORS = 29  # the demo catalogue's
MIN_TITLE_PX, MIN_SECONDARY_PX, MIN_CONTRAST = 20, 18, 7
MAX_TITLE_LINES = 2

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]

# Per tile: its title, its secondary lines and its target, with their size, contrast and the
# number of lines their text is drawn on (distinct tops of the rectangles of a Range over it).
TILES_JS = "() => {" + CONTRAST_JS + """
  const lines = (node, start, end) => { const range = document.createRange();
    range.setStart(node, start); range.setEnd(node, end);
    return new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top))).size; };
  const measure = e => ({text: e.innerText.trim(), size: parseFloat(getComputedStyle(e).fontSize),
                         contrast: contrast(e)});
  return Array.from(document.querySelectorAll('[data-testid="stMetric"]')).map(metric => {
    const tile = metric.closest('[data-testid="stVerticalBlock"]');
    const title = metric.querySelector('[data-testid="stMetricLabel"] p');
    const paragraphs = Array.from(tile.querySelectorAll('p'));
    const secondary = paragraphs.filter(p => /^n = /.test(p.innerText.trim()))
      .concat(Array.from(tile.querySelectorAll('[data-testid="stMetricDeltaDescription"] p')));
    const targets = [];
    for (const p of paragraphs) {
      const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const found = node.textContent.match(/cible\\s*[≥≤][^·]*/);
        if (found) targets.push({text: found[0].trim(),
                                 lines: lines(node, found.index, found.index + found[0].trimEnd().length)});
      }
    }
    return {title: {...measure(title), lines: lines(title.firstChild, 0, title.firstChild.length)},
            secondary: secondary.map(measure), targets};
  });
}"""


def test_tiles_titles_secondary_lines_and_targets_are_read_from_the_back_at_1280(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    try:
        page.goto(f"{server}/?vue=Tuiles")
        settle(page)
        page.wait_for_timeout(300)  # fonts and the last layout pass
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "1280x720-tuiles-lisibilite.png"))
        sidebar = page.locator('[data-testid="stSidebar"][data-collapsed="false"]')
        assert sidebar.count() == 1 and sidebar.is_visible()  # the narrowest case: the sidebar open
        tiles = page.evaluate(TILES_JS)
        assert len(tiles) == INDICATORS
        titles = [tile["title"] for tile in tiles]
        small = [(t["text"], t["size"]) for t in titles if t["size"] < MIN_TITLE_PX]
        assert not small, f"titres de tuiles sous {MIN_TITLE_PX} px : {small}"
        long = [(t["text"], t["lines"]) for t in titles if t["lines"] > MAX_TITLE_LINES]
        assert not long, f"titres de tuiles sur plus de {MAX_TITLE_LINES} lignes : {long}"
        secondary = [line for tile in tiles for line in tile["secondary"]]
        assert sum(line["text"].startswith("n = ") for line in secondary) == INDICATORS
        small = [(s["text"], s["size"]) for s in secondary if s["size"] < MIN_SECONDARY_PX]
        assert not small, f"lignes secondaires sous {MIN_SECONDARY_PX} px : {small[:6]}"
        faint = [(s["text"], s["contrast"]) for s in secondary if s["contrast"] < MIN_CONTRAST]
        assert not faint, f"lignes secondaires sous un contraste de {MIN_CONTRAST}:1 : {faint[:6]}"
        targets = [target for tile in tiles for target in tile["targets"]]
        assert len(targets) >= 15, targets  # the demo's indicators with a target (the others say « sans cible »)
        split = [t["text"] for t in targets if t["lines"] != 1]
        assert not split, f"« cible … » sur deux lignes : {split}"
    finally:
        page.close()
