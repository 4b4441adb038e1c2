"""Command line: the same engine as the app, for automation and for auditors.

``python -m pilotage_qualite [--base CHEMIN] VERBE …``. Exit codes: 0 done, 1 error,
2 bad input (nothing written). Messages are French; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Callable, Sequence

import pandas as pd

from pilotage_qualite.declarations import DeclarationError, load_datasets
from pilotage_qualite.settings import load_settings
from pilotage_qualite.store import DatabaseBusy, SchemaMismatch, Store, StoreError

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """The user's input is wrong (file, option value): exit code 2, nothing written."""


class FrenchHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix or "utilisation : ")


class FrenchParser(argparse.ArgumentParser):
    """argparse with French titles and errors (exit code 2 on a bad option, as argparse does)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--aide", action="help", help="afficher cette aide et quitter")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog} : erreur : {message}\n")


def open_store(args: argparse.Namespace) -> Store:
    settings = load_settings(database=args.base)
    store = Store(settings.database, load_datasets(), kept_files_dir=settings.kept_files_dir,
                  busy_timeout_s=settings.busy_timeout_s)
    store.initialise()
    return store


def print_table(frame: pd.DataFrame, output_format: str) -> None:
    """Print a result as an aligned table, CSV (French Excel: ';') or JSON records."""
    if output_format == "json":
        records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        print(json.dumps(records, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        print(frame.to_csv(index=False, sep=";", decimal=","), end="")
    else:
        print(frame.to_string(index=False) if len(frame) else "(aucune ligne)")


# --- verbs ---------------------------------------------------------------------------

def cmd_imports(args: argparse.Namespace) -> int:
    journal = open_store(args).journal()
    columns = {
        "id": "id", "jeu": "jeu", "fichier": "fichier", "date": "date", "utilisateur": "utilisateur",
        "lignes_lues": "lignes_lues", "lignes_ajoutees": "lignes_ajoutees",
        "lignes_remplacees": "lignes_remplacees", "lignes_rejetees": "lignes_rejetees", "etat": "etat",
    }
    print_table(journal[list(columns)], args.format)
    return EXIT_OK


def cmd_annuler(args: argparse.Namespace) -> int:
    store = open_store(args)
    revived = store.undo(args.import_id, user=args.utilisateur)
    print(f"Import n° {args.import_id} annulé : ses lignes ne sont plus prises en compte, "
          f"{revived} ligne(s) qu'il avait remplacées sont rétablies.")
    return EXIT_OK


def build_parser() -> FrenchParser:
    parser = FrenchParser(
        prog="python -m pilotage_qualite",
        description="Pilotage qualité — import des tableurs, indicateurs et dossiers de comité.",
        epilog="Codes de sortie : 0 terminé, 1 erreur, 2 données d'entrée incorrectes (rien n'est écrit).",
    )
    parser.add_argument("--base", metavar="CHEMIN",
                        help="fichier de base DuckDB (par défaut : variable PILOTAGE_BASE, sinon data/local)")
    verbs = parser.add_subparsers(dest="verbe", metavar="VERBE", title="verbes", parser_class=FrenchParser)
    verbs.required = True

    imports = verbs.add_parser("imports", help="afficher le journal des imports")
    imports.add_argument("--format", choices=["table", "csv", "json"], default="table",
                         help="format de sortie (table par défaut)")
    imports.set_defaults(run=cmd_imports)

    undo = verbs.add_parser("annuler", help="annuler un import (ses lignes retirées, les lignes remplacées rétablies)")
    undo.add_argument("import_id", metavar="IMPORT", type=int, help="numéro de l'import (voir « imports »)")
    undo.add_argument("--utilisateur", default=getpass.getuser(), help="nom inscrit au journal")
    undo.set_defaults(run=cmd_annuler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except (BadInput, StoreError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (DatabaseBusy, SchemaMismatch, DeclarationError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_ERROR
