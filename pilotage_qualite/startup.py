"""Start-up: the store of an installation, the demo loaded into an empty base (and emptied on request)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import yaml

from pilotage_qualite.common.settings import DEMO_DIR, DEMO_STRUCTURE_FILE, Settings
from pilotage_qualite.intake.pseudonyms import installation_secret
from pilotage_qualite.model.coverage import REGISTER
from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.store import Store
from pilotage_qualite.store.database import APPLIED, StoreError
from pilotage_qualite.store.imports import BlockingImport, UndoBlocked

DEMO_USER = "démo"


def store_of(settings: Settings) -> Store:
    """The store of an installation, not opened yet (the declarations read, the file untouched).

    The one place a store is built from settings: the app, the command line, the tests and the
    benchmark all build it here (through :func:`open_store` but for the app, which pins its run's
    connection first).
    """
    return Store(settings.database, load_datasets(), kept_files_dir=settings.kept_files_dir,
                 busy_timeout_s=settings.busy_timeout_s)


def open_store(settings: Settings) -> Store:
    """The store of an installation, its schema created or migrated from the declarations."""
    store = store_of(settings)
    store.initialise()
    return store


def demo_files(folder: Path = DEMO_DIR) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".xlsx", ".xls", ".ods", ".csv", ".txt"})


def load_demo(store: Store, settings: Settings, folder: Path = DEMO_DIR) -> list[int]:
    """Import every demo spreadsheet through the same pipeline as a user's files."""
    # The pipeline (pandas parsing) loads here, not with open_store: most commands never import.
    from pilotage_qualite.intake.prepare import check_indicator_codes, correct_coverage, prepare_file
    from pilotage_qualite.intake.read import Limits
    from pilotage_qualite.model.indicator_format import load_catalogue

    secret = installation_secret(settings.secret_file)
    limits = Limits.from_settings(settings)
    structure = folder / DEMO_STRUCTURE_FILE.name
    extraction = yaml.safe_load(structure.read_text(encoding="utf-8")).get("extraction") if structure.exists() else None
    applied = []
    indicators = load_catalogue().ids  # a base receiving the demo has no indicator added in the app
    for path in demo_files(folder):
        prepared = prepare_file(path, store.datasets, secret=secret, limits=limits)
        dataset = store.datasets[prepared.batch.dataset]
        check_indicator_codes(prepared, dataset, indicators)
        if extraction and dataset.coverage_mode == REGISTER:  # the demo's registers were all extracted on one day
            correct_coverage(prepared.batch, dataset, extraction=extraction)
        import_id, _ = store.apply(prepared.batch, author=DEMO_USER)
        if import_id is not None:
            applied.append(import_id)
    return applied


def load_demo_if_new(store: Store, settings: Settings) -> bool:
    """Fill a base that never received any import with the demo; True if it did."""
    if store.has_history():
        return False
    load_demo(store, settings)
    return True


def demo_is_loaded(store: Store) -> bool:
    """Whether an applied import of the demo is in the base (read once per version: every page
    run asks, for its banner)."""
    def read() -> bool:
        journal = store.journal()
        return bool(((journal["utilisateur"] == DEMO_USER) & (journal["etat"] == APPLIED)).any())
    return store.per_version("demo_loaded", read)


def structure_name(configured: str, store: Store) -> str:
    """The name on the pack's cover: the configured one, else the demo's when the demo is loaded."""
    if configured:
        return configured
    if not demo_is_loaded(store):
        return ""
    name = yaml.safe_load(DEMO_STRUCTURE_FILE.read_text(encoding="utf-8"))["nom"]
    return f"{name} (données fictives)"


class DemoMixed(StoreError):
    """The demo cannot be emptied alone: imports of one's own replaced some of its rows."""

    def __init__(self, blocking: list[BlockingImport]):
        self.blocking = blocking
        verb = "remplace" if len(blocking) == 1 else "remplacent"
        super().__init__(
            f"La démonstration n'a pas été vidée, rien n'a été modifié : {', '.join(map(str, blocking))} {verb} "
            "des lignes de la démonstration. Annulez d'abord vos imports (page Données, « Journal des imports »), "
            "videz la démonstration puis importez à nouveau vos fichiers ; ou videz tout, vos imports compris.")


def empty_demo(store: Store, author: str, *, with_own_imports: Collection[int] = ()) -> int:
    """Undo every applied demo import in one transaction: all of them or none, the journal keeps
    the trace. Returns how many imports were undone.

    When imports of one's own replaced demo rows, refused with :class:`DemoMixed` naming them,
    unless the user confirmed undoing exactly those too (``with_own_imports``, their ids).
    """
    journal = store.journal()
    applied = journal[journal["etat"] == APPLIED]
    demo = applied["utilisateur"] == DEMO_USER
    if not demo.any():
        return 0
    chosen = applied.loc[demo | applied["id"].isin(list(with_own_imports)), "id"]
    try:
        store.undo_together(chosen, author=author)
    except UndoBlocked:  # named from the demo alone: the user confirms every own import in the way at once
        raise DemoMixed(store.blocking_imports(applied.loc[demo, "id"])) from None
    return len(chosen)
