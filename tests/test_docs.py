"""Docs kept honest: every setting, command-line verb and dataset is documented."""

from __future__ import annotations

import re
from pathlib import Path

from pilotage_qualite.cli import build_parser
from pilotage_qualite.declarations import load_datasets
from pilotage_qualite.settings import ENVIRONMENT_VARIABLES

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
    """The format's reference is the table in pilotage_qualite/catalogue.py's docstring."""
    from pilotage_qualite import catalogue

    doc = catalogue.__doc__
    for name in sorted(catalogue._INDICATOR_FIELDS | catalogue._MEASURE_FIELDS | catalogue._FILE_FIELDS):
        assert re.search(rf"(?<![\w`]){name}(?!\w)|``{name}``", doc), f"field « {name} » is not documented"
