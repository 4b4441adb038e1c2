"""First start: load the demo structure into an empty base, and empty it again on request."""

from __future__ import annotations

from pathlib import Path

from pilotage_qualite.importer import Limits, prepare_file
from pilotage_qualite.pseudonyms import installation_secret
from pilotage_qualite.settings import DEMO_DIR, Settings
from pilotage_qualite.store import APPLIED, Store

DEMO_USER = "démo"


def demo_files(folder: Path = DEMO_DIR) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".xlsx", ".xls", ".ods", ".csv", ".txt"})


def load_demo(store: Store, settings: Settings, folder: Path = DEMO_DIR) -> list[int]:
    """Import every demo spreadsheet through the same pipeline as a user's files."""
    secret = installation_secret(settings.secret_file)
    limits = Limits(settings.max_upload_mb * 1_000_000, settings.max_rows)
    applied = []
    for path in demo_files(folder):
        prepared = prepare_file(path, store.datasets, secret=secret, limits=limits)
        import_id, _ = store.apply(prepared.batch, user=DEMO_USER)
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
    journal = store.journal()
    return bool(((journal["utilisateur"] == DEMO_USER) & (journal["etat"] == APPLIED)).any())


def empty_demo(store: Store, user: str) -> int:
    """Undo every applied demo import (latest first): the base is empty of demo data,
    and the journal keeps the trace. Returns how many imports were undone."""
    journal = store.journal()
    demo = journal[(journal["utilisateur"] == DEMO_USER) & (journal["etat"] == APPLIED)]
    for import_id in sorted(demo["id"], reverse=True):
        store.undo(int(import_id), user=user)
    return len(demo)
