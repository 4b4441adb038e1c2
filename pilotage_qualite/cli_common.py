"""What the command line's verbs share: exit codes, the French parser, the store named by
``--base``, tables printed or written. Light at import (no pandas, no DuckDB)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pilotage_qualite.common.settings import load_settings

if TYPE_CHECKING:
    import pandas as pd

    from pilotage_qualite.model.catalogue import Catalogue
    from pilotage_qualite.store import Store

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """The user's input is wrong (file, option value): exit code 2, nothing written."""


class FrenchHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchParser(argparse.ArgumentParser):
    """argparse with French titles and errors (exit code 2 on a bad option, as argparse does)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--aide", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog} : erreur : {message}\n")


def store_of(args: argparse.Namespace) -> Store:
    """The store of the base the command names (--base), else the settings' one."""
    from pilotage_qualite.startup import open_store  # pandas and DuckDB: loaded by the verbs that use the base

    return open_store(load_settings(database=args.base))


def print_table(frame: pd.DataFrame, output_format: str) -> None:
    """Print a result as an aligned table, CSV (French Excel: ';') or JSON records."""
    if output_format == "json":
        records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        print(json.dumps(records, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        from pilotage_qualite.reports import exports  # openpyxl: imported by the verbs that export only

        print(exports.csv_text(frame, readable=False), end="")
    else:
        print(frame.to_string(index=False) if len(frame) else "(aucune ligne)")


def write_output(path: Path, content: bytes) -> None:
    """Write an exported file; a folder that does not exist or a refused write is bad input."""
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise BadInput(f"impossible d'écrire « {path} » ({exc.strerror or exc}).") from None


def full_catalogue(store: Store, args: argparse.Namespace) -> Catalogue:
    """The catalogue files plus the indicators added in the app; those that no longer fit are
    left out with a warning."""
    from pilotage_qualite.engine.schema_checks import check_against_schema
    from pilotage_qualite.model.indicator_format import load_catalogue
    from pilotage_qualite.reports.catalogue_edits import with_additions

    catalogue, problems = with_additions(load_catalogue(), store.added_indicators())
    check_against_schema(catalogue, store.datasets, verified_dir=load_settings(database=args.base).checks_dir)
    for problem in problems:
        print(f"Attention : {problem}", file=sys.stderr)
    return catalogue
