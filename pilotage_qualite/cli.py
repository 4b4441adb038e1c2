"""Command line: the same engine as the app, for automation and for auditors.

``python -m pilotage_qualite [--base CHEMIN] VERBE …``. Exit codes: 0 done, 1 error,
2 bad input (nothing written). Messages are French; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import importlib
import json
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from pilotage_qualite import cli_record
from pilotage_qualite.cli_common import (  # noqa: F401 - EXIT_* and BadInput are the command line's API
    EXIT_BAD_INPUT,
    EXIT_ERROR,
    EXIT_OK,
    BadInput,
    FrenchParser,
    full_catalogue,
    print_table,
    store_of,
    write_output,
)
from pilotage_qualite.common.private_files import loosened_warning
from pilotage_qualite.common.settings import Settings, load_settings

# Light modules only at start-up (no pandas, no DuckDB): the import command starts reading the
# file in its child process first and loads the engine meanwhile (see cmd_importer). Each verb
# imports what it uses.
from pilotage_qualite.intake import sandbox
from pilotage_qualite.model.catalogue import CatalogueError
from pilotage_qualite.model.datasets import DeclarationError, load_datasets
from pilotage_qualite.model.periods import Period, PeriodError, parse_period

if TYPE_CHECKING:
    from pilotage_qualite.intake.prepare import PreparedImport
    from pilotage_qualite.store import Store


# --- verbs ---------------------------------------------------------------------------

def cmd_imports(args: argparse.Namespace) -> int:
    import pandas as pd

    store = store_of(args)
    covered = store.coverage_journal().rename(columns={"import_id": "id", "du": "couvre_du", "au": "couvre_au",
                                                       "sites": "couvre_sites"})
    covered["couvre_sites"] = [", ".join(json.loads(s)) if isinstance(s, str) else None for s in covered["couvre_sites"]]
    for bound in ("couvre_du", "couvre_au"):  # days, not instants
        covered[bound] = pd.to_datetime(covered[bound]).dt.strftime("%Y-%m-%d")
    journal = store.journal().merge(covered.drop(columns="origine"), on="id", how="left")
    columns = ["id", "jeu", "fichier", "date", "utilisateur", "lignes_lues", "lignes_ajoutees", "lignes_remplacees",
               "lignes_rejetees", "lignes_nouvelles", "lignes_modifiees", "lignes_inchangees", "avertissements",
               "etat", "couvre_du", "couvre_au", "couvre_sites"]
    print_table(journal[columns], args.format)
    return EXIT_OK


def cmd_annuler(args: argparse.Namespace) -> int:
    store = store_of(args)
    revived = store.undo(args.import_id, author=args.utilisateur)
    print(f"Import n° {args.import_id} annulé : ses lignes ne sont plus prises en compte, "
          f"{revived} ligne(s) qu'il avait remplacées sont rétablies.")
    return EXIT_OK


_LEFT_TO_THE_CHILD_EXIT: list = []


def _prepare_in_child(path: Path, settings: Settings, dataset: str | None, sheet: str | None) -> PreparedImport:
    """The reading child's work: the whole pipeline (read, recognise, coerce, validate) on one
    file. The file is read first; the second half's modules (pandas) load in a thread meanwhile,
    which python-calamine lets run by releasing the GIL while it parses."""
    from pilotage_qualite.intake.read import Limits, read_and_recognise

    loading = threading.Thread(target=importlib.import_module, args=("pilotage_qualite.intake.prepare",), daemon=True)
    loading.start()
    datasets = load_datasets()
    try:
        read = read_and_recognise(path, datasets, limits=Limits.from_settings(settings), dataset=dataset, sheet=sheet)
    finally:
        loading.join()
    from pilotage_qualite.intake.prepare import prepare_recognised
    from pilotage_qualite.intake.pseudonyms import installation_secret

    # The sheet's cells stay alive until the child exits (sandbox: os._exit frees its memory at
    # once); released here, 1.5 million cells would be freed one by one before the answer goes.
    _LEFT_TO_THE_CHILD_EXIT.append(read)
    return prepare_recognised(read, datasets, installation_secret(settings.secret_file))


def cmd_importer(args: argparse.Namespace) -> int:
    """Each file is prepared in a bounded child process (a crafted file costs the child, not a
    clean exit code); the first child starts before the parent loads pandas and DuckDB, so the
    reading overlaps the command's start-up."""
    settings = load_settings(database=args.base)
    limits = sandbox.SandboxLimits.from_settings(settings)
    paths = [Path(name) for name in args.fichiers]
    readable = [path for path in paths if path.is_file()]
    refusals: dict[Path, str] = {path: f"« {path} » : fichier introuvable." for path in paths if not path.is_file()}

    def start(path: Path) -> sandbox.Child:
        return sandbox.Child(_prepare_in_child, (path, settings, args.jeu, args.feuille), limits=limits, start="fork")

    child = start(readable[0]) if readable else None
    from pilotage_qualite.common.formats import number
    from pilotage_qualite.intake.read import ImportRefused
    from pilotage_qualite.reports.import_report import (
        changes_text,
        describe_prepared,
        replacement_refusals,
        window_lines,
    )
    from pilotage_qualite.startup import open_store

    store = open_store(settings)
    prepared: list[PreparedImport] = []
    for position, path in enumerate(readable if child else []):
        try:
            prepared.append(child.result())
        except ImportRefused as exc:
            refusals[path] = str(exc)
        except sandbox.SandboxError as exc:
            refusals[path] = f"« {path.name} » : {exc}"
        if position + 1 < len(readable):
            child = start(readable[position + 1])
    refused = [refusals[path] for path in paths if path in refusals]  # in the order of the command
    for message in refused:
        print(f"Refusé : {message}", file=sys.stderr)
    if refused:
        print("Aucun fichier n'a été importé.", file=sys.stderr)
        return EXIT_BAD_INPUT
    _correct_coverage(prepared, store, args)
    _check_indicator_codes(prepared, store)
    if refused := ([] if args.remplacer or args.simulation else replacement_refusals(prepared, store)):
        raise BadInput("\n".join([*refused, "Aucun fichier n'a été importé."]))
    blocked = args.tout_ou_rien and any(len(p.batch.rejected) for p in prepared)
    for item in prepared:
        print("\n".join(describe_prepared(item, store.datasets)))
        writing = not (args.simulation or blocked)
        # apply() recognises an identical file itself: no preview first (it would stage the rows twice).
        if writing:
            import_id, counts = store.apply(item.batch, author=args.utilisateur)
        else:
            counts = store.preview(item.batch)
        if counts.already_imported_as is not None:
            print(f"  déjà importé (import n° {counts.already_imported_as}) : rien n'est ajouté")
            continue
        if writing:
            print(f"  import n° {import_id}")
            _warn_if_reviewed(store, item)
        print(f"  lignes lues {number(counts.read)} : {changes_text(counts, future=not writing)}")
        if counts.window is not None:
            print("\n".join(window_lines(counts.window)))
    if blocked:
        print("Tout ou rien : des lignes sont rejetées, rien n'a été écrit.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.simulation:
        print("Simulation : rien n'a été écrit.")
    return EXIT_OK


def _check_indicator_codes(prepared: list[PreparedImport], store: Store) -> None:
    """Cells listing indicator codes checked against the files and the indicators added in the app.
    The catalogue is read only when a file has such a column (about 60 ms an import otherwise)."""
    listing = [item for item in prepared
               if any(column.codes_of for column in store.datasets[item.batch.dataset].columns)]
    if not listing:
        return
    from pilotage_qualite.intake.prepare import check_indicator_codes
    from pilotage_qualite.model.indicator_format import load_catalogue
    from pilotage_qualite.reports.catalogue_edits import with_additions

    known = with_additions(load_catalogue(), store.added_indicators())[0].ids
    for item in listing:
        check_indicator_codes(item, store.datasets[item.batch.dataset], known)


def _warn_if_reviewed(store: Store, item: PreparedImport) -> None:
    """An import meeting a period a closed meeting reviewed is not blocked here: it is said (stderr)."""
    from pilotage_qualite.reports.meeting_record import reviewed_warning

    span = item.batch.coverage
    if span is not None and (touched := store.closed_meetings_reviewing(span.first_day, span.last_day)):
        print(f"Attention : {reviewed_warning(touched, f'L’import de « {item.batch.file_name} »')}", file=sys.stderr)


def _correct_coverage(prepared: list[PreparedImport], store: Store, args: argparse.Namespace) -> None:
    """--couvre-du / --couvre-au / --sites: what the files cover, as the quality lead says."""
    from pilotage_qualite.intake.prepare import CoverageRefused, correct_coverage, coverage_bound

    sites = tuple(s.strip() for s in args.sites.split(",") if s.strip()) if args.sites else ()
    try:
        first, last = coverage_bound(args.couvre_du, end=False), coverage_bound(args.couvre_au, end=True)
        for item in prepared:
            correct_coverage(item.batch, store.datasets[item.batch.dataset], first_day=first, last_day=last,
                             sites=sites)
    except CoverageRefused as exc:
        raise BadInput(f"couverture : {exc}") from None


def cmd_rejets(args: argparse.Namespace) -> int:
    store = store_of(args)
    if args.import_id not in set(store.journal()["id"]):
        from pilotage_qualite.store.database import StoreError

        raise StoreError(f"L'import n° {args.import_id} n'existe pas.")
    rejected = store.rejected_rows(args.import_id)
    if args.sortie:
        from pilotage_qualite.reports import exports

        write_output(Path(args.sortie), exports.excel_bytes(rejected, "Rejets"))
        print(f"{len(rejected)} rejet(s) et avertissement(s) écrits dans « {args.sortie} ».")
    else:
        print_table(rejected, "table")
    return EXIT_OK


def cmd_modeles(args: argparse.Namespace) -> int:
    from pilotage_qualite.intake import (
        templates,  # openpyxl: imported by this verb only (every run pays for it otherwise)
    )

    datasets = load_datasets()
    unknown = [name for name in args.jeu or [] if name not in datasets]
    if unknown:
        raise BadInput(f"jeu de données inconnu : {', '.join(unknown)} "
                       f"(jeux possibles : {', '.join(sorted(datasets))}).")
    folder = Path(args.sortie)
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"« {folder} » existe déjà et n'est pas un dossier.")
    try:
        paths = templates.write_templates(folder, datasets, args.jeu or None)
    except OSError as exc:
        print(f"Erreur : impossible d'écrire les modèles dans « {folder} » ({exc.strerror or exc}).",
              file=sys.stderr)
        return EXIT_ERROR
    for path in paths:
        print(path)
    print(f"{len(paths)} modèle(s) d'import écrits dans « {folder} » : une feuille « Données » à remplir, "
          "une feuille « Instructions » qui décrit chaque colonne.")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from pilotage_qualite import startup
    from pilotage_qualite.common.formats import number
    from pilotage_qualite.intake.read import ImportRefused
    from pilotage_qualite.reports.import_report import changes_text, journal_counts
    from pilotage_qualite.store.database import APPLIED

    settings = load_settings(database=args.base)
    store = startup.open_store(settings)
    if args.premier_demarrage:
        if store.has_history():  # the app's own rule: a base that ever received an import is left as it is
            return EXIT_OK
        print("Premier démarrage : chargement des données de démonstration dans la base…", flush=True)
    journal = store.journal()
    applied = journal[journal["etat"] == APPLIED]
    demo_ids = applied.loc[applied["utilisateur"] == startup.DEMO_USER, "id"].tolist()
    if startup.demo_is_loaded(store):
        print("Les données de démonstration sont déjà chargées dans la base "
              f"(imports n° {', '.join(map(str, demo_ids))}) : rien n'est ajouté.")
        return EXIT_OK
    if len(applied):
        # The demo's numbers and dates would mix with (and could replace) the user's own rows.
        raise BadInput("la base contient déjà vos propres imports : la démonstration n'y est pas chargée, "
                       "pour ne pas mélanger des données fictives aux vôtres. Choisissez une autre base "
                       "(option --base CHEMIN).")
    try:
        imported = startup.load_demo(store, settings)
    except ImportRefused as exc:
        print(f"Erreur : un fichier de démonstration est refusé : {exc}", file=sys.stderr)
        return EXIT_ERROR
    journal = store.journal().set_index("id")
    for import_id in imported:
        entry = journal.loc[import_id]
        dataset = store.datasets[entry["jeu"]]
        print(f"« {entry['fichier']} » : jeu « {dataset.label} » ({dataset.name}), import n° {import_id} : "
              f"{number(entry['lignes_lues'])} lignes lues : {changes_text(journal_counts(entry))}")
    print(f"{len(imported)} fichier(s) de démonstration importés. Ce sont des données fictives "
          "(lignes rejetées volontairement : voir la commande « rejets ») ; chaque import peut être "
          "annulé (commande « annuler »).")
    return EXIT_OK


def chosen_period(store: Store, text: str | None, grain: str) -> Period:
    """--periode, or the dashboard's default period of the grain (coverage.period_offer)."""
    from pilotage_qualite.model.coverage import period_offer

    if text:
        try:
            return parse_period(text)
        except PeriodError as exc:
            raise BadInput(str(exc)) from None
    default = period_offer(store.coverage(), grain, dt.date.today()).default
    if default is None:
        raise BadInput("La base ne contient aucune donnée datée : importez d'abord des tableurs.")
    return default


def check_site(store: Store, site: str | None) -> None:
    if site and site not in store.site_names():
        raise BadInput(f"Site « {site} » inconnu (sites : {', '.join(store.site_names())}).")


def cmd_indicateurs(args: argparse.Namespace) -> int:
    from pilotage_qualite.reports.figures import figures
    from pilotage_qualite.reports.selections import indicator_rows

    store = store_of(args)
    catalogue = full_catalogue(store, args)
    period = chosen_period(store, args.periode, args.grain)
    check_site(store, args.site)
    if args.format == "xlsx" and not args.sortie:
        raise BadInput("le format xlsx s'écrit dans un fichier : ajoutez --sortie FICHIER.xlsx.")
    results = figures(store, catalogue, [period])
    if args.format == "xlsx":
        from pilotage_qualite.reports import exports

        write_output(Path(args.sortie), exports.excel_bytes({"Indicateurs": exports.indicator_table(results, args.site)}))
        print(f"Tableau des indicateurs de {period.label_fr} écrit dans « {args.sortie} ».")
    else:
        print_table(indicator_rows(results, args.site), args.format)
    return EXIT_OK


def cmd_dossier(args: argparse.Namespace) -> int:
    from pilotage_qualite import startup
    from pilotage_qualite.common import formats  # vl-convert and fpdf2: loaded by this verb only
    from pilotage_qualite.reports import pack

    settings = load_settings(database=args.base)
    store = startup.open_store(settings)
    output = Path(args.sortie)
    if not output.parent.is_dir():
        raise BadInput(f"le dossier « {output.parent} » n'existe pas : rien n'est écrit.")
    meeting = store.meeting(args.reunion) if args.reunion is not None else None
    if meeting:
        period, site = meeting.period, meeting.site
        if args.periode and chosen_period(store, args.periode, args.grain) != period:
            raise BadInput(f"la réunion n° {meeting.id} revoit la période {period.label} ({period.label_fr}), "
                           f"pas {args.periode} : retirez --periode ou choisissez une autre réunion.")
        if args.site and args.site != site:
            raise BadInput(f"la réunion n° {meeting.id} porte sur « {site or 'Ensemble'} », pas sur « {args.site} ».")
    else:
        period, site = chosen_period(store, args.periode, args.grain), args.site
        check_site(store, site)
    catalogue = full_catalogue(store, args)
    started = time.perf_counter()
    try:
        pdf = pack.committee_pack(store, catalogue, period, site, meeting=meeting,
                                  structure=startup.structure_name(settings.structure, store))
    except pack.PackError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_ERROR
    write_output(output, pdf)
    seconds = time.perf_counter() - started
    where = site or "ensemble de la structure"
    print(f"Dossier du comité de {period.label_fr} ({where}) écrit dans « {output} » "
          f"({formats.number(len(pdf) / 1024)} Ko, produit en {formats.number(seconds, 1)} s).")
    if meeting:
        pack_id = store.archive_pack(meeting.id, pdf, author=args.utilisateur)
        print(f"Archivé avec la réunion n° {meeting.id} (dossier archivé n° {pack_id}).")
    return EXIT_OK


def cmd_sauvegarder(args: argparse.Namespace) -> int:
    from pilotage_qualite.common.formats import number
    from pilotage_qualite.startup import open_store
    from pilotage_qualite.store.backup import backup

    settings = load_settings(database=args.base)
    try:
        report = backup(open_store(settings), settings, Path(args.sortie), with_secret=args.avec_secret)
    except OSError as exc:
        print(f"Erreur : impossible d'écrire la sauvegarde « {args.sortie} » ({exc.strerror or exc}).",
              file=sys.stderr)
        return EXIT_ERROR
    print(f"Sauvegarde écrite dans « {report.target} » : la base ({report.imports} import(s) au journal) et "
          f"{report.kept_files} fichier(s) conservé(s), {number(report.size / 1e6, 1)} Mo.")
    if report.missing_files:
        print(f"Attention : {len(report.missing_files)} fichier(s) d'origine ne sont plus conservés et "
              "manquent à la sauvegarde.", file=sys.stderr)
    if report.with_secret:
        print("Le secret d'installation est dans l'archive : gardez-la en lieu sûr.")
    else:
        print(f"Le secret d'installation (« {settings.secret_file} ») n'est pas inclus : sauvegardez-le une fois "
              "à part (option --avec-secret pour l'inclure).")
    return EXIT_OK


MIN_PASSWORD_LENGTH = 10


def cmd_motdepasse(args: argparse.Namespace) -> int:
    """Print the scrypt hash of a password typed twice (never echoed, never written anywhere)."""
    from pilotage_qualite.model.access import hash_password

    try:
        first = getpass.getpass("Mot de passe : ")
        second = getpass.getpass("Le même, une seconde fois : ")
    except (EOFError, KeyboardInterrupt):
        print("\nAbandon : aucune empreinte calculée.", file=sys.stderr)
        return EXIT_ERROR
    if first != second:
        raise BadInput("les deux saisies diffèrent : aucune empreinte calculée.")
    if len(first) < MIN_PASSWORD_LENGTH:
        raise BadInput(f"mot de passe trop court (au moins {MIN_PASSWORD_LENGTH} caractères).")
    print(hash_password(first))
    print("Copiez cette empreinte dans .streamlit/secrets.toml, section [acces] : "
          "mot_de_passe_qualite = \"…\" (ou mot_de_passe_lecture).", file=sys.stderr)
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
    for add_verb in (_add_importer_parser, _add_imports_parser, _add_annuler_parser, _add_rejets_parser,
                     _add_modeles_parser, _add_indicateurs_parser, _add_dossier_parser, _add_demo_parser,
                     _add_sauvegarder_parser, _add_motdepasse_parser):
        add_verb(verbs)  # in this order in the help
    return parser


def _add_user_option(verb: FrenchParser, help_text: str = "nom inscrit au journal") -> None:
    verb.add_argument("--utilisateur", default=getpass.getuser(), help=help_text)


def _add_importer_parser(verbs: argparse._SubParsersAction) -> None:
    load = verbs.add_parser("importer", help="importer un ou plusieurs tableurs (xlsx, xls, ods, csv)")
    load.add_argument("fichiers", metavar="FICHIER", nargs="+", help="fichier(s) à importer")
    load.add_argument("--jeu", help="jeu de données (sinon reconnu d'après les en-têtes)")
    load.add_argument("--feuille", help="feuille à lire (sinon celle dont l'en-tête correspond le mieux)")
    load.add_argument("--simulation", action="store_true",
                      help="montrer ce qui serait ajouté, remplacé et rejeté sans rien écrire")
    load.add_argument("--tout-ou-rien", action="store_true",
                      help="ne rien écrire si une seule ligne est rejetée")
    load.add_argument("--remplacer", action="store_true",
                      help="confirmer un remplacement par période qui retire plus de lignes qu'il n'en apporte "
                           "ou remonte plus de deux mois avant l'essentiel du fichier")
    load.add_argument("--couvre-du", metavar="AAAA-MM", help="premier mois couvert (sinon lu dans le fichier)")
    load.add_argument("--couvre-au", metavar="AAAA-MM[-JJ]", help="dernier mois ou jour couvert (sinon lu dans le fichier)")
    load.add_argument("--sites", metavar="SITE,SITE", help="sites couverts (sinon toute la structure)")
    _add_user_option(load)
    load.set_defaults(run=cmd_importer)


def _add_imports_parser(verbs: argparse._SubParsersAction) -> None:
    imports = verbs.add_parser("imports", help="afficher le journal des imports")
    imports.add_argument("--format", choices=["table", "csv", "json"], default="table",
                         help="format de sortie (table par défaut)")
    imports.set_defaults(run=cmd_imports)


def _add_annuler_parser(verbs: argparse._SubParsersAction) -> None:
    undo = verbs.add_parser("annuler", help="annuler un import (ses lignes retirées, les lignes remplacées rétablies)")
    undo.add_argument("import_id", metavar="IMPORT", type=int, help="numéro de l'import (voir « imports »)")
    _add_user_option(undo)
    undo.set_defaults(run=cmd_annuler)


def _add_rejets_parser(verbs: argparse._SubParsersAction) -> None:
    rejects = verbs.add_parser("rejets", help="lister les lignes rejetées et les avertissements d'un import")
    rejects.add_argument("import_id", metavar="IMPORT", type=int, help="numéro de l'import")
    rejects.add_argument("--sortie", metavar="FICHIER.xlsx", help="les écrire dans un classeur Excel")
    rejects.set_defaults(run=cmd_rejets)


def _add_modeles_parser(verbs: argparse._SubParsersAction) -> None:
    models = verbs.add_parser("modeles", help="écrire un modèle d'import Excel par jeu de données")
    models.add_argument("--sortie", metavar="DOSSIER", required=True,
                        help="dossier où écrire les modèles (créé s'il n'existe pas)")
    models.add_argument("--jeu", action="append", metavar="NOM",
                        help="seulement ce jeu de données (option répétable ; par défaut : tous)")
    models.set_defaults(run=cmd_modeles)


def _add_indicateurs_parser(verbs: argparse._SubParsersAction) -> None:
    indicators = verbs.add_parser("indicateurs", help="calculer les indicateurs d'une période")
    indicators.add_argument("--periode", help="2025-06, 2025-T2 ou 2025 (par défaut : le dernier mois avec données)")
    indicators.add_argument("--grain", choices=["mois", "trimestre", "annee"], default="mois",
                            help="grain de la période par défaut, quand --periode n'est pas donné")
    indicators.add_argument("--site", metavar="NOM", help="un seul site (sinon l'ensemble et chaque site)")
    indicators.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table",
                            help="format de sortie (table par défaut ; xlsx : classeur Excel, avec --sortie)")
    indicators.add_argument("--sortie", metavar="FICHIER", help="fichier où écrire le classeur (format xlsx)")
    indicators.set_defaults(run=cmd_indicateurs)


def _add_dossier_parser(verbs: argparse._SubParsersAction) -> None:
    committee = verbs.add_parser("dossier", help="produire le dossier PDF du comité (ordre du jour de la revue)")
    committee.add_argument("--periode", help="période revue : 2026-T3, 2026-09 ou 2026 (par défaut : celle de la "
                                             "réunion, sinon le dernier trimestre complet)")
    committee.add_argument("--grain", choices=["mois", "trimestre", "annee"], default="trimestre",
                           help="grain de la période par défaut, quand --periode n'est pas donné")
    committee.add_argument("--site", metavar="NOM", help="un seul site (par défaut : l'ensemble de la structure)")
    committee.add_argument("--reunion", metavar="ID", type=int,
                           help="réunion enregistrée (participants, comptes rendus, décisions) ; le dossier "
                                "est archivé avec elle")
    committee.add_argument("--sortie", metavar="FICHIER.pdf", required=True, help="fichier PDF à écrire")
    _add_user_option(committee, help_text="nom inscrit avec le dossier archivé")
    committee.set_defaults(run=cmd_dossier)


def _add_demo_parser(verbs: argparse._SubParsersAction) -> None:
    demo = verbs.add_parser("demo", help="charger les données de démonstration (structure fictive) dans la base")
    demo.add_argument("--premier-demarrage", action="store_true",
                      help="seulement si la base n'a jamais reçu d'import (ce que fait « make run » avant de "
                           "lancer l'application)")
    demo.set_defaults(run=cmd_demo)


def _add_sauvegarder_parser(verbs: argparse._SubParsersAction) -> None:
    save = verbs.add_parser("sauvegarder", help="sauvegarder la base et les fichiers conservés (même pendant "
                                                "que l'application tourne)")
    save.add_argument("--sortie", metavar="FICHIER.zip", required=True, help="archive de sauvegarde à écrire")
    save.add_argument("--avec-secret", action="store_true",
                      help="inclure le secret d'installation (clé de pseudonymisation) dans l'archive")
    save.set_defaults(run=cmd_sauvegarder)


def _add_motdepasse_parser(verbs: argparse._SubParsersAction) -> None:
    password = verbs.add_parser("motdepasse", help="calculer l'empreinte d'un mot de passe pour .streamlit/secrets.toml")
    password.set_defaults(run=cmd_motdepasse)
    cli_record.register(verbs)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        if loosened := loosened_warning(load_settings(database=args.base)):
            print(f"Attention : {loosened}", file=sys.stderr)
        return run(args)
    except Exception as exc:
        # The store's errors can only come from a verb that imported the store: importing it
        # here costs nothing then, and the start-up stays light.
        from pilotage_qualite.store.database import DatabaseBusy, SchemaMismatch, StoreError

        if isinstance(exc, (BadInput, StoreError)):
            print(f"Erreur : {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if isinstance(exc, (DatabaseBusy, SchemaMismatch, DeclarationError, CatalogueError)):
            print(f"Erreur : {exc}", file=sys.stderr)
            return EXIT_ERROR
        raise
