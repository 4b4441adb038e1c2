"""The committee's record on the command line (product.md): ``reunions`` lists the meetings with
their fingerprint, ``verifier REUNION`` recomputes a closed meeting's record from what the base
keeps and says « intact » (exit 0) or which part differs (exit 1); ``prelecture --reunion ID --sortie
F.pdf`` writes what changed since the last committee, for a scheduled task before the meeting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pilotage_qualite.cli_common import (
    EXIT_ERROR,
    EXIT_OK,
    BadInput,
    full_catalogue,
    print_table,
    store_of,
    write_output,
)
from pilotage_qualite.common.settings import load_settings


def cmd_reunions(args: argparse.Namespace) -> int:
    meetings = store_of(args).meetings()
    shown = meetings.rename(columns={"date_reunion": "date", "statut": "etat"})[
        ["id", "date", "periode", "site", "etat", "empreinte"]]
    shown = shown.assign(date=shown["date"].astype(str))
    print_table(shown, args.format)
    return EXIT_OK


def cmd_verifier(args: argparse.Namespace) -> int:
    from pilotage_qualite.model.meeting_record import PART_LABEL, WHOLE  # pandas: not at start-up

    differing = store_of(args).verify_meeting(args.reunion)
    if not differing:
        print(f"Réunion n° {args.reunion} : relevé intact (chaque partie redonne l'empreinte gardée à la clôture).")
        return EXIT_OK
    for part in differing:
        what = ("l'empreinte du relevé ne correspond plus aux empreintes de ses parties" if part == WHOLE
                else f"la partie « {part} » ({PART_LABEL[part]}) a changé depuis la clôture")
        print(f"Réunion n° {args.reunion} : {what}.")
    return EXIT_ERROR


def cmd_prelecture(args: argparse.Namespace) -> int:
    from pilotage_qualite import startup  # fpdf2 and the engine: loaded by this verb only
    from pilotage_qualite.reports import pack, preread

    output = Path(args.sortie)
    if not output.parent.is_dir():
        raise BadInput(f"le dossier « {output.parent} » n'existe pas : rien n'est écrit.")
    settings = load_settings(database=args.base)
    store = startup.open_store(settings)
    meeting = store.meeting(args.reunion)
    try:
        pdf = preread.preread_pdf(store, full_catalogue(store, args), meeting.id,
                                  structure=startup.structure_name(settings.structure, store))
    except pack.PackError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_ERROR
    write_output(output, pdf)
    print(f"Prélecture de la réunion n° {meeting.id} du {meeting.day:%d/%m/%Y} ({meeting.period.label_fr}) "
          f"écrite dans « {output} ».")
    return EXIT_OK


def register(verbs) -> None:
    """Add the record's verbs to the command line's sub-parsers."""
    listed = verbs.add_parser("reunions", help="lister les réunions du comité, avec l'empreinte de leur relevé")
    listed.add_argument("--format", choices=["table", "csv", "json"], default="table")
    listed.set_defaults(run=cmd_reunions)
    check = verbs.add_parser("verifier", help="vérifier qu'une réunion close n'a pas été modifiée depuis sa clôture")
    check.add_argument("reunion", type=int, metavar="REUNION", help="numéro de la réunion (voir « reunions »)")
    check.set_defaults(run=cmd_verifier)
    pre_read = verbs.add_parser("prelecture", help="écrire la prélecture d'une réunion (PDF) : ce qui a changé "
                                                   "depuis le dernier comité")
    pre_read.add_argument("--reunion", type=int, required=True, metavar="ID", help="numéro de la réunion (voir « reunions »)")
    pre_read.add_argument("--sortie", required=True, metavar="FICHIER.pdf", help="fichier PDF à écrire")
    pre_read.set_defaults(run=cmd_prelecture)
