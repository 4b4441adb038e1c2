"""A consistent backup of an installation while the app runs: the base, the kept files, optionally
the installation secret, in one zip archive.

The database is copied by :meth:`Store.copy_database_to` (file locked, after a CHECKPOINT), then
checked by opening the copy; the kept files are those the copied journal refers to, so the
archive is consistent whatever imports run meanwhile. The installation secret is left out unless
asked: it turns staff names into codes, so whoever holds it and a list of names can re-identify
the codes. Restoring without it keeps every stored code, but names imported afterwards get
different codes (README, « Sauvegarder et restaurer »).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pilotage_qualite.common.private_files import PRIVATE_FILE, make_private_folder
from pilotage_qualite.common.settings import Settings
from pilotage_qualite.store import Store
from pilotage_qualite.store.database import StoreError, scalar

DATABASE_NAME = "pilotage.duckdb"
KEPT_FILES_FOLDER = "fichiers"
SECRET_NAME = "secret.key"
MANIFEST_NAME = "sauvegarde.json"


@dataclass(frozen=True)
class BackupReport:
    target: Path
    imports: int
    kept_files: int
    missing_files: list[str]
    with_secret: bool
    size: int


def _check_copy(path: Path) -> int:
    """Open the copy read-only and read its journal: a copy that does not open is no backup."""
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(f"Sauvegarde refusée : la copie de la base ne s'ouvre pas ({exc}).") from None
    try:
        return int(scalar(conn, "SELECT count(*) FROM imports"))
    finally:
        conn.close()


def backup(store: Store, settings: Settings, target: Path, *, with_secret: bool = False) -> BackupReport:
    """Write the archive to `target` (replaced atomically: a failed backup leaves no half file)."""
    target = Path(target)
    if target.exists() and target.is_dir():
        raise StoreError(f"« {target} » est un dossier : indiquez le nom du fichier de sauvegarde (.zip).")
    make_private_folder(target.parent)
    secret = settings.secret_file
    if with_secret and not secret.exists():
        raise StoreError(f"Pas de secret d'installation à sauvegarder (« {secret} » n'existe pas encore).")
    with tempfile.TemporaryDirectory(prefix="sauvegarde-", dir=target.parent) as work:
        copy = Path(work) / DATABASE_NAME
        hashes = store.copy_database_to(copy)
        imports = _check_copy(copy)
        present = [h for h in hashes if (store.kept_files_dir / h).is_file()]
        missing = [h for h in hashes if h not in set(present)]
        partial = Path(work) / "archive.zip"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6,
                             allowZip64=True) as archive:
            archive.write(copy, DATABASE_NAME)
            for file_hash in present:
                archive.write(store.kept_files_dir / file_hash, f"{KEPT_FILES_FOLDER}/{file_hash}")
            if with_secret:
                archive.write(secret, SECRET_NAME)
            archive.writestr(MANIFEST_NAME, json.dumps({
                "date": dt.datetime.now().replace(microsecond=0).isoformat(),
                "base": str(store.path), "imports": imports, "fichiers_conserves": len(present),
                "fichiers_absents": missing, "secret_inclus": with_secret,
            }, ensure_ascii=False, indent=2))
        partial.chmod(PRIVATE_FILE)  # it holds the base and the kept files
        partial.replace(target)
    return BackupReport(target, imports, len(present), missing, with_secret, target.stat().st_size)
