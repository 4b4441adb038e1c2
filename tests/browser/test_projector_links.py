"""The projector's navigation keeps the room on the projector, whichever way it was entered.

Issue 19. Projector mode is entered by a link (``?projecteur=true``, what the committee's
bookmark or an e-mailed link does) or with the sidebar's « Mode projecteur » toggle. In both
cases, at 1280×720, in headless Chromium on the real app over a copy of the demo data:

- 3 × « Suivant » then 3 × « Précédent »: after each click the bar is there (« Ordre du jour i / 8 »
  and « Quitter le mode projecteur »), the URL still says ``projecteur=true`` and names no
  parameter twice (« ?grain=Mois&grain=Mois » once grew at every step);
- « Ouvrir la fiche » from the dashboard's tiles and from a process page, then « Retour »: back on
  the page one came from (the tiles still shown), still on the projector.

Entered by a link, the first click once dropped ``projecteur=true``: the filters' widgets, in the
bar's closed popover, had never been drawn by the browser, which therefore reported no value for
them on a page change, and Streamlit then removed the parameters bound to them from the new page's
URL (see pilotage_qualite/ui/filters.py).

Uses Debian's Chromium (never `playwright install`); skipped only when it is absent.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from browser import demo_app, needs_chromium, settle

from pilotage_qualite.ui.projector import AGENDA

REPO = Path(__file__).resolve().parents[2]
SIZE = {"width": 1280, "height": 720}
ENTRIES = ["lien", "bascule"]  # ?projecteur=true, or the sidebar's toggle

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def server(demo_base_template, tmp_path_factory):
    """One server for the module, over a private copy of the demo data."""
    with demo_app(demo_base_template, tmp_path_factory.mktemp("liens-projecteur")) as url:
        yield url


@pytest.fixture
def page(browser):
    opened = browser.new_page(viewport=SIZE, locale="fr-FR")
    yield opened
    opened.close()


def enter_projector(page, server: str, entry: str, path: str = "/") -> None:
    """Projector mode on ``path``: through a link, or through the sidebar's toggle."""
    if entry == "lien":
        page.goto(f"{server}{path}{'&' if '?' in path else '?'}projecteur=true")
        settle(page)
    else:
        page.goto(f"{server}{path}")
        settle(page)
        page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').filter(has_text="Mode projecteur").click()
        settle(page)


def url_path(page) -> str:
    return urlsplit(page.url).path.strip("/")


def url_paths(step: int) -> tuple[str, ...]:
    """Where agenda step ``step`` (0-based) is: the dashboard, the default page, is also at « / »."""
    return (AGENDA[step].url_path, "") if step == 0 else (AGENDA[step].url_path,)


def assert_on_the_projector(page, where: str) -> None:
    """The bar is drawn, the URL says so, and no parameter is named twice."""
    params = parse_qsl(urlsplit(page.url).query, keep_blank_values=True)
    twice = {name: count for name, count in Counter(name for name, _ in params).items() if count > 1}
    assert not twice, f"{where} : paramètres répétés {twice} dans {page.url}"
    assert ("projecteur", "true") in params, f"{where} : projecteur=true perdu ({page.url})"
    leave = page.locator('[data-testid="stMain"] button').filter(has_text="Quitter le mode projecteur")
    assert leave.count() == 1, f"{where} : barre du projecteur absente ({page.url})"
    assert not page.locator('[data-testid="stSidebar"]').first.is_visible(), f"{where} : barre latérale visible"


def step_to(page, link: str, step: int) -> None:
    """Click the bar's « Suivant » or « Précédent » and wait for agenda step ``step`` (0-based)."""
    page.locator(f".st-key-barre_{link} a").first.click()  # the tooltip's target holds the link too
    page.wait_for_url(lambda url: urlsplit(url).path.strip("/") in url_paths(step))
    settle(page)
    where = f"« {link} » vers {AGENDA[step].title}"
    assert_on_the_projector(page, where)
    assert page.get_by_text(f"Ordre du jour {step + 1} / {len(AGENDA)}").count() == 1, where


@pytest.mark.parametrize("entry", ENTRIES)
def test_next_and_previous_keep_the_projector_and_repeat_no_parameter(server, page, entry):
    enter_projector(page, server, entry)
    assert_on_the_projector(page, "entrée")
    for step in (1, 2, 3):
        step_to(page, "suivant", step)
    for step in (2, 1, 0):
        step_to(page, "precedent", step)


def open_a_fiche_and_come_back(page, where: str) -> str:
    """« Ouvrir la fiche » on the first tile, then « Retour »: returns the URL one came back to."""
    page.locator('[data-testid="stMain"] a').filter(has_text="Ouvrir la fiche").first.click()
    page.wait_for_url("**/fiche?**")
    settle(page)
    assert_on_the_projector(page, f"fiche ouverte depuis {where}")
    back = page.locator('[data-testid="stMain"] a').filter(has_text="Retour")
    assert back.count(), f"pas de « Retour » sur la fiche ouverte depuis {where}"
    back.first.click()
    page.wait_for_url(lambda url: "/fiche" not in url)
    settle(page)
    assert_on_the_projector(page, f"« Retour » vers {where}")
    return page.url


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_fiche_opened_from_the_tiles_goes_back_to_the_tiles(server, page, entry):
    enter_projector(page, server, entry)
    page.locator('[data-testid="stMain"] button').filter(has_text="Tuiles").first.click()  # the view switch
    settle(page)
    assert page.locator('[data-testid="stMetric"]').count() == 29
    back = open_a_fiche_and_come_back(page, "les tuiles")
    assert url_path(page) in url_paths(0), back
    assert page.get_by_text(f"Ordre du jour 1 / {len(AGENDA)}").count() == 1
    assert page.locator('[data-testid="stMetric"]').count() == 29, f"les tuiles ne sont plus affichées ({back})"


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_fiche_opened_from_a_process_page_goes_back_to_it(server, page, entry):
    enter_projector(page, server, entry)
    step_to(page, "suivant", 1)
    open_a_fiche_and_come_back(page, AGENDA[1].title)
    assert url_path(page) == AGENDA[1].url_path
    assert page.get_by_text(f"Ordre du jour 2 / {len(AGENDA)}").count() == 1
