"""Docs kept honest: every setting, command-line verb and dataset is documented; the glossary's
code names exist; the catalogue reference is the one the declarations give."""

from __future__ import annotations

import ast
import difflib
import os
import re
from pathlib import Path

from pilotage_qualite.cli import build_parser
from pilotage_qualite.common.settings import ENVIRONMENT_VARIABLES
from pilotage_qualite.model.datasets import load_datasets, load_yaml
from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.model.status import STATUSES
from pilotage_qualite.reports.catalogue_reference import catalogue_reference

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_gives_the_two_commands_first():
    first_block = README.split("```")[1]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()] == ["make run", "make test"]


def test_every_setting_is_in_the_readme_table():
    for name, (description, default) in ENVIRONMENT_VARIABLES.items():
        row = next((line for line in README.splitlines() if line.startswith(f"| `{name}`")), None)
        assert row is not None, f"{name} is not documented in README.md"
        assert description in row.replace("`", "") and default in row.replace("`", "")


def test_every_command_line_verb_is_in_the_readme():
    verbs = build_parser()._subparsers._group_actions[0].choices
    for verb in verbs:
        assert re.search(rf"pilotage_qualite (--base \S+ )?{verb}\b", README), f"verb {verb} missing from README"


def test_every_dataset_has_a_description_and_labels():
    for dataset in load_datasets().values():
        assert dataset.description, dataset.name
        assert all(column.label for column in dataset.columns)


def test_every_field_of_the_indicator_format_is_documented():
    """The format's reference is the table in pilotage_qualite/model/indicator_format.py's docstring."""
    from pilotage_qualite.model import indicator_format

    doc = indicator_format.__doc__
    for name in sorted(indicator_format.INDICATOR_FIELDS | indicator_format.MEASURE_FIELDS | indicator_format.FILE_FIELDS):
        assert re.search(rf"(?<![\w`]){name}(?!\w)|``{name}``", doc), f"field « {name} » is not documented"


# --- the glossary: docs/glossary.md ----------------------------------------------------

GLOSSARY = (REPO / "docs" / "glossary.md").read_text(encoding="utf-8")
CODE_FOLDERS = ("pilotage_qualite", "app_pages", "tools")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class _CodeIndex:
    """What the code defines, read from its source (no import: the ui modules load Streamlit).

    ``words``: names the code defines (modules, classes, functions, assigned names and
    attributes, arguments), the words of its string constants other than docstrings (table
    and column names in SQL, settings) and the keys and values of the declarations;
    ``modules``: dotted module → its top-level names (imported ones included, for re-exports).
    """

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.modules: dict[str, set[str]] = {}
        for path in [REPO / "app.py", *(p for folder in CODE_FOLDERS for p in (REPO / folder).rglob("*.py"))]:
            self._read(path)
        for path in (REPO / "declarations").rglob("*.yaml"):
            self._collect(load_yaml(path.read_text(encoding="utf-8")))

    def _read(self, path: Path) -> None:
        parts = path.relative_to(REPO).with_suffix("").parts
        self.words.update(parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = self.modules.setdefault(module, set())
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                top.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                top.update(t.id for t in targets if isinstance(t, ast.Name))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                top.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        if "." in module:  # a module is a name of its package
            package, name = module.rsplit(".", 1)
            self.modules.setdefault(package, set()).add(name)
        docstrings: set[int] = set()
        for node in ast.walk(tree):  # parents come before their children
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.body and isinstance(node.body[0], ast.Expr):
                    docstrings.add(id(node.body[0].value))
                if not isinstance(node, ast.Module):
                    self.words.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.words.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                self.words.add(node.attr)
            elif isinstance(node, ast.arg):
                self.words.add(node.arg)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                self.words.add(node.value.strip())
                self.words.update(re.findall(r"\w+", node.value))

    def _collect(self, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self.words.add(str(key))
                self._collect(item)
        elif isinstance(value, list):
            for item in value:
                self._collect(item)
        elif isinstance(value, str):
            self.words.update(re.findall(r"\w+", value))

    def has(self, cited: str) -> bool:
        """A word of the code, ``package.module[.name[.attribute]]``, or ``Class.attribute``."""
        if cited in self.words:
            return True
        parts = cited.split(".")
        if parts[0] not in CODE_FOLDERS:
            return all(part in self.words for part in parts)
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                rest = parts[cut:]
                return not rest or (rest[0] in self.modules[module] and all(p in self.words for p in rest[1:]))
        return False


def test_every_code_name_the_glossary_cites_exists():
    code = _CodeIndex()
    stale = []
    for cited in sorted(set(re.findall(r"`([^`\n]+)`", GLOSSARY))):
        if "/" in cited:  # a path of the repository (not a pattern, not outside it)
            if not any(ch in cited for ch in "<*") and not cited.startswith("../") and not (REPO / cited).exists():
                stale.append(cited)
        elif NAME.match(cited) and not code.has(cited):
            stale.append(cited)
    assert not stale, f"docs/glossary.md cites names the code does not have (any more): {stale}"


def test_the_glossary_names_every_dataset_and_every_status():
    missing = [f"`{name}`" for name in load_datasets() if f"`{name}`" not in GLOSSARY]
    missing += [f"« {word} »" for word in STATUSES if f"« {word} »" not in GLOSSARY]
    assert not missing, f"docs/glossary.md does not explain: {', '.join(missing)}"


# --- the catalogue reference: docs/catalogue.md, generated ---------------------------

UPDATE_DOCS = "UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_docs.py"


def test_the_catalogue_reference_is_the_generated_one():
    """docs/catalogue.md is what reports.catalogue_reference makes of the declarations."""
    path = REPO / "docs" / "catalogue.md"
    expected = catalogue_reference(load_catalogue(), load_datasets())
    if os.environ.get("UPDATE_DOCS") == "1":
        path.write_text(expected, encoding="utf-8")
    committed = path.read_text(encoding="utf-8") if path.exists() else ""
    if committed != expected:
        diff = "".join(list(difflib.unified_diff(committed.splitlines(keepends=True), expected.splitlines(keepends=True),
                                                 "docs/catalogue.md", "generated"))[:60])
        raise AssertionError(f"docs/catalogue.md is not the one the declarations give; regenerate it with\n"
                             f"    {UPDATE_DOCS}\n{diff}")
