"""The house's rules, checked by tools rather than kept in prose (docs/architecture.md).

- the layer contracts of pyproject.toml hold (import-linter), and ruff finds nothing;
- no import circle among the project's modules;
- no module of the package is over 600 lines;
- app.py and the pages (scripts, not a package) import only what their layer may;
- the command line starts without pandas, DuckDB, numpy or Streamlit, and so does the reading child.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MAX_MODULE_LINES = 600
HEAVY = ("pandas", "duckdb", "numpy", "streamlit", "altair", "openpyxl", "pyarrow")

# What app.py and app_pages/ may import from the package: the ui layer and what lies below the
# engine. Each other entry is an accepted exception, with its reason.
PAGE_IMPORTS = {
    "pilotage_qualite.ui",
    "pilotage_qualite.reports",
    "pilotage_qualite.model",
    "pilotage_qualite.common",
    # The store's French errors (DatabaseBusy, StoreError) are caught around ui actions.
    "pilotage_qualite.store.database",
    # The Import page offers the templates and the accepted extensions of the intake.
    "pilotage_qualite.intake.templates",
    "pilotage_qualite.intake.uploads",
    "pilotage_qualite.intake.file_formats",
}


# The Streamlit side: the router, the pages and the ui layer.
APP_SCRIPTS = [REPO / "app.py", *sorted((REPO / "app_pages").rglob("*.py")),
               *sorted((REPO / "pilotage_qualite" / "ui").glob("*.py"))]


def _run(*command: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_layer_contracts_hold():
    done = _run(BIN / "lint-imports", "--no-cache")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_ruff_finds_nothing():
    done = _run(BIN / "ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("pilotage_qualite", "tools", cache_dir=None)


def test_no_import_circle(graph):
    circles = sorted(
        f"{importer} → {imported}"
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(imported=importer, importer=imported)
    )
    assert not circles, "modules that import each other (directly or through others):\n" + "\n".join(circles)


def test_no_module_of_the_package_over_600_lines():
    long = {str(p.relative_to(REPO)): n for p in sorted((REPO / "pilotage_qualite").rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"split these modules (over {MAX_MODULE_LINES} lines): {long}"


def _package_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("pilotage_qualite", "tools")}


@pytest.mark.parametrize("script", [REPO / "app.py", *sorted((REPO / "app_pages").rglob("*.py"))],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_app_and_pages_import_only_their_layer(script: Path):
    wrong = sorted(name for name in _package_imports(script)
                   if not any(name == allowed or name.startswith(allowed + ".") for allowed in PAGE_IMPORTS))
    assert not wrong, f"{script.name} imports {wrong}: pages render, through ui/ and reports/"


@pytest.mark.parametrize("module", ["pilotage_qualite.cli", "pilotage_qualite.intake.read"])
def test_command_line_and_reading_child_start_without_heavy_libraries(module: str):
    """The CLI forks its reading child before it loads pandas and DuckDB (docs/architecture.md):
    a module-level import of either in these modules' imports would cost every command 0.3–0.5 s."""
    probe = (f"import sys, {module}\n"
             f"print(','.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))")
    done = _run(sys.executable, "-c", probe)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"{module} loads {done.stdout.strip()} at start-up"


def test_the_dashboard_and_the_router_do_not_load_altair():
    """Altair costs about 0.3 s to import: the dashboard (tiles, sparklines, overview) and the
    router's banners must not pay it; the pages that draw charts load it themselves."""
    modules = ("pilotage_qualite.ui.tiles", "pilotage_qualite.ui.overview", "pilotage_qualite.ui.frame",
               "pilotage_qualite.ui.projector", "pilotage_qualite.ui.filters")
    probe = f"import sys, {', '.join(modules)}\nprint('altair' in sys.modules)"
    done = _run(sys.executable, "-c", probe)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False", "a dashboard module imports altair at start-up"


def test_architecture_doc_shows_every_layer_and_cites_only_real_paths():
    """docs/architecture.md is the one page a newcomer reads: it must name every layer of the
    package and every path it cites must exist (a move that forgets the doc fails here)."""
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    layers = sorted(p.name for p in (REPO / "pilotage_qualite").iterdir() if p.is_dir() and p.name != "__pycache__")
    missing = [layer for layer in layers if f"{layer}/" not in doc]
    assert not missing, f"layers missing from docs/architecture.md: {missing}"
    tree = doc.split("```")[1]
    cited = set(re.findall(r"`([\w./-]+\.(?:py|md|toml))`", doc))
    cited |= {m for m in re.findall(r"^\s*([\w./-]+/)", tree, flags=re.M)}
    prefixes = ("", "pilotage_qualite/", "docs/", "tests/")
    absent = sorted(c for c in cited if not any((REPO / prefix / c).exists() for prefix in prefixes))
    assert not absent, f"docs/architecture.md cites paths that do not exist: {absent}"


# Store methods that open a write transaction without an author, each with its reason.
WRITES_WITHOUT_AUTHOR = {
    "initialise": "creates and migrates the schema at start-up: no user's write",
}


def _store_methods() -> dict[str, ast.FunctionDef]:
    methods = {}
    for path in sorted((REPO / "pilotage_qualite" / "store").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                methods.update({f.name: f for f in node.body
                                if isinstance(f, ast.FunctionDef) and not f.name.startswith("_")})
    return methods


def _store_writes() -> set[str]:
    """Public store methods that take the author of a write."""
    return {name for name, f in _store_methods().items()
            if "author" in [a.arg for a in (*f.args.args, *f.args.kwonlyargs)]}


def test_every_store_write_takes_its_author():
    opening = {name for name, f in _store_methods().items()
               if "self.transaction()" in ast.unparse(f)}
    anonymous = sorted(opening - _store_writes() - set(WRITES_WITHOUT_AUTHOR))
    assert not anonymous, f"store writes without an `author` parameter: {anonymous}"


@pytest.mark.parametrize("script", APP_SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_the_app_writes_only_through_ui_actions(script: Path):
    """A page or a ui module that called a store write (or the role check) itself could write
    without the check: only ui/actions.py does either."""
    if script.name in ("actions.py", "access.py") and script.parent.name == "ui":
        return
    writes = _store_writes()
    calls = {node.func.attr for node in ast.walk(ast.parse(script.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "actions")}
    wrong = sorted(calls & (writes | {"require_quality_role"}))
    assert not wrong, f"{script.relative_to(REPO)} calls {wrong}: go through pilotage_qualite/ui/actions.py"


@pytest.mark.parametrize("script", APP_SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_tables_are_drawn_only_through_ui_tables(script: Path):
    """A table drawn elsewhere would show Streamlit's English « None » in empty cells or cut long
    messages: only ui/tables.py calls st.dataframe or st.table."""
    if script == REPO / "pilotage_qualite" / "ui" / "tables.py":
        return
    calls = {node.func.attr for node in ast.walk(ast.parse(script.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "tables")}
    wrong = sorted(calls & {"dataframe", "table", "data_editor"})
    assert not wrong, f"{script.relative_to(REPO)} calls {wrong}: go through pilotage_qualite/ui/tables.py"


@pytest.mark.parametrize("script", APP_SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_dates_are_typed_only_through_french_fields(script: Path):
    """st.date_input shows English « DD/MM/YYYY » or « dd » when a part is cleared and a calendar
    in the browser's language: every date is a ui/french_inputs.py field « jj/mm/aaaa »."""
    calls = {node.func.attr for node in ast.walk(ast.parse(script.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert "date_input" not in calls, f"{script.relative_to(REPO)} calls date_input: use french_inputs.date_field"


@pytest.mark.parametrize("script", APP_SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_select_box_says_its_placeholder_in_french(script: Path):
    """An empty select box or multiselect shows Streamlit's English « Choose an option » (« Choose or
    add an option » when new options are accepted): each call names its French ``placeholder``."""
    bare = sorted(node.lineno for node in ast.walk(ast.parse(script.read_text(encoding="utf-8")))
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in {"selectbox", "multiselect"}
                  and not any(keyword.arg == "placeholder" for keyword in node.keywords))
    assert not bare, f"{script.relative_to(REPO)}, lines {bare}: selectbox or multiselect without placeholder="


def test_internals_doc_cites_only_real_files():
    doc = (REPO / "docs" / "internals.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"`([\w/-]+\.py)`", doc))
    prefixes = ("", "pilotage_qualite/")
    absent = sorted(c for c in cited if not any((REPO / prefix / c).exists() for prefix in prefixes))
    assert not absent, f"docs/internals.md cites files that do not exist: {absent}"
