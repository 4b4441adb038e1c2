"""Every button of the data pages, clicked in headless Chromium: none may lead to an English error page.

Why: the quality lead works in French and cannot read Streamlit's English error page, a traceback
or a « None » left in a cell. Unit tests and AppTest check the pages' code paths one by one; this test
is the user's hand: it drops real files on the Import page (so the preview, the rejects and the
confirmation buttons exist), then clicks every visible, enabled button of Import, Données and
Catalogue (buttons, download buttons, form submit buttons, tabs and expanders opened), confirms the
dialogs they open (undoing an import, emptying the demo) and checks after each click that the page
holds no English error, no traceback and no « None ».

It also writes screenshots of the Import page (a file previewed, its rejects) and of the Données
page at 1920×1080 and 1280×720 to tests/screenshots/ for a person to look at.

Uses Debian's chromium (never `playwright install`); skipped only when it is absent. The server runs
on a private copy of the demo data, so destructive buttons are fine.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import needs_chromium, settle
from complaint_files import GOOD, ODD, UNTIDY

from pilotage_qualite.reports.catalogue_edits import EXAMPLE

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "tests" / "screenshots"
WAIT_MS = 60_000
VIEWPORTS = {"1920x1080": {"width": 1920, "height": 1080}, "1280x720": {"width": 1280, "height": 720}}
IMPORT, DONNEES, CATALOGUE = "/import", "/donnees", "/catalogue"  # url_path of the st.Page(...) in app.py
FORBIDDEN = ("This app has encountered an error", "Traceback", "StreamlitAPIException", "Error:")
NONE_WORD = re.compile(r"\bNone\b")
EMPTY_DEMO = "Vider la base de démonstration"  # the banner's and the Import page's button (ui/demo.py)
UNDO = "Annuler cet import"  # app_pages/donnees/consulter.py
CONFIRM_UNDO = "Oui, annuler l'import"

# Streamlit's buttons (st.button, st.download_button, st.form_submit_button); the file uploader's own
# controls (« Choisir des fichiers », a file's delete cross) and the tables' toolbars are not the page's.
BUTTONS = ('[data-testid="stButton"] button, [data-testid="stDownloadButton"] button, '
           '[data-testid="stFormSubmitButton"] button')
# One entry per button: its label (the text, without the Material icon's ligature), whether it is a
# download, and whether the user can click it (visible and enabled).
LIST_BUTTONS = """(root) => Array.from(document.querySelectorAll(root)).flatMap(scope =>
    Array.from(scope.querySelectorAll(%r))).map(b => ({
        label: (b.querySelector('[data-testid="stMarkdownContainer"]') || b).innerText.trim(),
        download: !!b.closest('[data-testid="stDownloadButton"]'),
        clickable: !b.disabled && b.checkVisibility() && b.getBoundingClientRect().width > 0}))""" % BUTTONS
LIST_TABS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] [role="tab"]')).map(t => ({
        label: t.innerText.trim(), clickable: t.checkVisibility() && t.getAttribute('aria-disabled') !== 'true'}))"""
# The text of the interactive tables' cells (drawn on a canvas; Glide's accessible copy holds the text).
GRID_TEXTS = """() => Array.from(document.querySelectorAll(
        '[data-testid="stDataFrame"] [role="gridcell"], [data-testid="stDataFrame"] [role="columnheader"]'))
        .map(c => c.textContent.trim())"""

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORTS["1920x1080"], locale="fr-FR", accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    yield tab
    context.close()


def shoot(page, name: str) -> None:
    """The screen as the user sees it, at both sizes, named `<size>-<name>.png`."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(1000)  # tables and charts redraw at the new size
        page.screenshot(path=str(SHOTS / f"{size}-{name}.png"))
    page.set_viewport_size(VIEWPORTS["1920x1080"])
    page.wait_for_timeout(300)


class Clicker:
    """Clicks every button of a page, checking the page after each click."""

    def __init__(self, page, log: Path):
        self.page = page
        self.log = log
        self.clicked: dict[str, list[str]] = {}  # url path → labels, in the order clicked
        self.opened: dict[str, list[str]] = {}  # url path → tabs and expanders opened

    # --- checks -------------------------------------------------------------------------------

    def check(self, where: str) -> None:
        """Streamlit settled, and no English error, traceback or « None » on screen."""
        try:
            settle(self.page)
        except AssertionError as exc:
            self.fail(where, str(exc))
        body = self.page.inner_text("body")
        found = [text for text in FORBIDDEN if text in body]
        if found:
            self.fail(where, f"{found} shown:\n{body[:3000]}")
        if NONE_WORD.search(body):
            lines = [line for line in body.splitlines() if NONE_WORD.search(line)]
            self.fail(where, f"« None » shown: {lines[:10]}")
        cells = [c for c in self.page.evaluate(GRID_TEXTS) if NONE_WORD.search(c) or any(f in c for f in FORBIDDEN)]
        if cells:
            self.fail(where, f"« None » or an error in a table: {cells[:10]}")

    def fail(self, where: str, what: str) -> None:
        log = self.log.read_text(errors="replace")[-4000:] if self.log.exists() else "(no server log)"
        pytest.fail(f"{where} ({self.page.url}): {what}\n--- streamlit.log (end) ---\n{log}")

    # --- pages --------------------------------------------------------------------------------

    def open(self, base: str, path: str, waiting_for: str) -> None:
        self.page.goto(f"{base}{path}")
        self.page.get_by_text(waiting_for).first.wait_for()
        self.check(f"opening {path}")

    def back_to(self, path: str) -> None:
        """A button that navigated away: back to the page (the browser's history keeps the session)."""
        if urlparse(self.page.url).path.rstrip("/") != path:
            self.page.go_back()
            self.page.wait_for_url(re.compile(re.escape(path)))
            self.check(f"coming back to {path}")

    def open_expanders(self, path: str) -> None:
        summaries = self.page.locator('[data-testid="stMain"] [data-testid="stExpander"] details:not([open]) > summary')
        for _ in range(summaries.count()):
            summary = summaries.first
            if not summary.is_visible():
                break
            label = summary.inner_text().strip().splitlines()[-1]  # the first line is the icon's ligature
            self.opened.setdefault(path, []).append("expander: " + label)
            summary.click()
            self.page.wait_for_timeout(150)

    # --- clicks -------------------------------------------------------------------------------

    def click_button(self, path: str, scope: str, index: int, label: str, download: bool) -> None:
        button = self.page.locator(scope).locator(BUTTONS).nth(index)
        button.scroll_into_view_if_needed()
        self.clicked.setdefault(path, []).append(label)
        if download:
            with self.page.expect_download(timeout=30_000) as info:
                button.click()
            assert info.value.suggested_filename, f"« {label} » downloaded a file without a name"
            assert info.value.failure() is None, f"« {label} »: download failed ({info.value.failure()})"
        else:
            button.click()
        self.page.wait_for_timeout(300)  # let the rerun start
        self.check(f"after clicking « {label} » on {path}")

    def dialog(self, path: str, *, confirm: bool = True) -> None:
        """A dialog the last click opened: click its buttons (confirming), or close it."""
        dialog = self.page.get_by_role("dialog")
        for _ in range(3):
            if not dialog.count() or not dialog.first.is_visible():
                return
            buttons = [b for b in self.page.evaluate(LIST_BUTTONS, '[role="dialog"]') if b["clickable"]]
            if not confirm or not buttons:
                break
            self.click_button(path, '[role="dialog"]', 0, buttons[0]["label"], buttons[0]["download"])
        if dialog.count() and dialog.first.is_visible():
            self.page.keyboard.press("Escape")
            dialog.first.wait_for(state="hidden")
            self.check(f"closing a dialog on {path}")

    def click_everything(self, path: str, skip: tuple[str, ...] = ()) -> None:
        """Every visible, enabled button and tab of the page, each once (by label and rank), re-read
        after each click since a rerun redraws the page; new buttons (an opened tab, an expander, a
        confirmation) are clicked in their turn."""
        done: set[tuple[str, int]] = set()
        tabs_done: set[str] = set()
        for _ in range(200):
            self.open_expanders(path)
            buttons = self.page.evaluate(LIST_BUTTONS, '[data-testid="stMain"]')
            seen: dict[str, int] = {}
            target = None
            for index, button in enumerate(buttons):
                rank = seen[button["label"]] = seen.get(button["label"], -1) + 1
                if (button["clickable"] and (button["label"], rank) not in done
                        and not any(button["label"].startswith(s) for s in skip)):
                    target = index, button, rank
                    break
            if target is not None:
                index, button, rank = target
                done.add((button["label"], rank))
                self.click_button(path, '[data-testid="stMain"]', index, button["label"], button["download"])
                self.dialog(path)
                self.back_to(path)
                continue
            tabs = [t for t in self.page.evaluate(LIST_TABS) if t["clickable"] and t["label"] not in tabs_done]
            if not tabs:
                return
            tabs_done.add(tabs[0]["label"])
            self.opened.setdefault(path, []).append("tab: " + tabs[0]["label"])
            tab = self.page.locator('[data-testid="stMain"] [role="tab"]', has_text=tabs[0]["label"]).first
            tab.scroll_into_view_if_needed()
            tab.click()
            self.check(f"after opening the tab « {tabs[0]['label']} » on {path}")
        raise AssertionError(f"{path}: still finding new buttons after 200 clicks")

    def click_label(self, path: str, label: str) -> None:
        """One named button of the main area (the first visible one bearing this label)."""
        buttons = self.page.evaluate(LIST_BUTTONS, '[data-testid="stMain"]')
        index = next(i for i, b in enumerate(buttons) if b["label"] == label and b["clickable"])
        self.click_button(path, '[data-testid="stMain"]', index, label, buttons[index]["download"])


def test_every_button_of_the_data_pages_keeps_the_page_french(server: str, page, tmp_path: Path):
    clicker = Clicker(page, tmp_path / "streamlit.log")

    # --- Import: three real files dropped, then every button -----------------------------------------
    files = {"reclamations-octobre.xlsx": GOOD, "export-registre.xlsx": UNTIDY, "dossiers.xlsx": ODD}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    clicker.open(server, IMPORT, "Déposez un ou plusieurs fichiers")
    page.locator('input[type="file"]').set_input_files([str(tmp_path / name) for name in files])
    page.get_by_role("button", name="Importer « reclamations-octobre.xlsx »").wait_for()
    page.get_by_text("Associer les colonnes à la main").wait_for()
    clicker.check("dropping three files on the Import page")
    assert "Jeu reconnu" in page.inner_text("body")
    shoot(page, "donnees-import-apercu")
    page.get_by_role("tab", name="Rejets (3)").click()
    page.get_by_text("Télécharger les rejets").first.wait_for()
    clicker.check("opening the rejects tab")
    page.get_by_role("tab", name="Rejets (3)").scroll_into_view_if_needed()
    shoot(page, "donnees-import-rejets")

    # The unrecognised file: mapped by hand, so that its own form and import button exist too.
    choice = page.locator('[data-testid="stSelectbox"]', has_text="Jeu de données").get_by_role("combobox").first
    choice.click()
    choice.fill("Réclam")
    page.get_by_role("option", name="Réclamations (reclamations)").click()
    page.get_by_text("Relire le fichier avec cette correspondance").wait_for()
    clicker.check("choosing the dataset of the unrecognised file")

    # Everything but the confirmations first (once a file is imported, its preview is gone), then those.
    clicker.click_everything(IMPORT, skip=(EMPTY_DEMO, "Importer"))
    assert any(tab.startswith("tab: Rejets") for tab in clicker.opened[IMPORT]), clicker.opened
    clicker.click_everything(IMPORT, skip=(EMPTY_DEMO,))
    imported = [label for label in clicker.clicked[IMPORT] if label.startswith("Importer « ")]
    assert imported, f"{clicker.clicked[IMPORT]}\n{clicker.opened[IMPORT]}\n{page.inner_text('[data-testid=stMain]')}"
    assert "Déjà importé à l'identique" in page.inner_text("body")
    # The demo-emptying button opens its dialog; closed without emptying (it is confirmed at the end).
    clicker.click_label(IMPORT, EMPTY_DEMO)
    page.get_by_role("dialog").get_by_text("ne seront plus affichées").wait_for()
    clicker.dialog(IMPORT, confirm=False)

    # --- Données: the latest import undone through its dialog, then every other button ----------------
    clicker.open(server, DONNEES, "Journal des imports")
    shoot(page, "donnees-journal")
    detail = re.search(r"Import n°\s*(\d+)\s*·", page.inner_text('[data-testid="stMain"]'))
    assert detail, "no import detail under the journal"
    number = detail.group(1)  # the latest import, shown by default
    clicker.click_label(DONNEES, UNDO)
    page.get_by_role("dialog").get_by_role("button", name=CONFIRM_UNDO).wait_for()
    clicker.dialog(DONNEES)
    page.get_by_text(f"Import n° {number} annulé").first.wait_for()
    body = page.inner_text("body")
    assert "Annulé le" in body, body[:3000]  # the journal's detail of that import now says so
    cells = page.evaluate(GRID_TEXTS)  # the journal comes first: N°, Jeu, État, … row by row
    state = cells[cells.index(number) + cells.index("État") - cells.index("N°")]  # the newest row comes first
    assert re.fullmatch(r"annulé \d\d/\d\d/\d{4}", state), (  # short: read whole at 1280 px
        f"the journal's « État » of import n° {number} is « {state} »: {cells[:40]}")
    assert CONFIRM_UNDO in clicker.clicked[DONNEES]
    clicker.click_everything(DONNEES, skip=(EMPTY_DEMO,))
    page.get_by_text("Journal des imports").scroll_into_view_if_needed()
    shoot(page, "donnees-journal-apres")

    # --- Catalogue: every button, then a new indicator checked and saved --------------------------
    clicker.open(server, f"{CATALOGUE}?indicateur=REC-03", "Catalogue des indicateurs")  # one with a target form
    clicker.click_everything(CATALOGUE, skip=(EMPTY_DEMO,))
    page.get_by_label("Définition (YAML)").fill(EXAMPLE)
    page.get_by_label("Définition (YAML)").press("Control+Enter")  # commit the text before the click
    clicker.check("typing a new indicator")
    clicker.click_label(CATALOGUE, "Vérifier et tester sur les données")
    page.get_by_role("button", name="Enregistrer dans le catalogue").wait_for()
    clicker.click_label(CATALOGUE, "Enregistrer dans le catalogue")
    page.get_by_text("ajouté au catalogue").first.wait_for()

    # --- At last, the demo emptied from the Import page, through its dialog ---------------------------
    clicker.open(server, IMPORT, "Déposez un ou plusieurs fichiers")
    clicker.click_label(IMPORT, EMPTY_DEMO)
    clicker.dialog(IMPORT)
    page.get_by_text("la démonstration est vidée").first.wait_for()
    clicker.check("emptying the demo")
    assert EMPTY_DEMO not in page.inner_text('[data-testid="stMain"]')

    print("\nButtons clicked:", clicker.clicked, "\nOpened:", clicker.opened)
    assert all(clicker.clicked.get(path) for path in (IMPORT, DONNEES, CATALOGUE)), clicker.clicked
    every = [label for labels in clicker.clicked.values() for label in labels]
    assert UNDO in every and EMPTY_DEMO in every and any(label.startswith("Importer « ") for label in every)
