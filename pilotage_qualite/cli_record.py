"""The committee's record on the command line (product.md): ``reunions`` lists the meetings with
their fingerprint, ``verifier REUNION`` recomputes a closed meeting's record from what the base
keeps and says « intact » (exit 0) or which part differs (exit 1)."""

from __future__ import annotations

import argparse

from pilotage_qualite.cli_common import EXIT_ERROR, EXIT_OK, print_table, store_of


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


def register(verbs) -> None:
    """Add the record's verbs to the command line's sub-parsers."""
    listed = verbs.add_parser("reunions", help="lister les réunions du comité, avec l'empreinte de leur relevé")
    listed.add_argument("--format", choices=["table", "csv", "json"], default="table")
    listed.set_defaults(run=cmd_reunions)
    check = verbs.add_parser("verifier", help="vérifier qu'une réunion close n'a pas été modifiée depuis sa clôture")
    check.add_argument("reunion", type=int, metavar="REUNION", help="numéro de la réunion (voir « reunions »)")
    check.set_defaults(run=cmd_verifier)
