"""The runtime folder stays private to the service's account.

The kept originals may hold the personal columns dropped on import, the base holds every row
and the secret pseudonymises staff names: on a shared server no other account may read them.
The folders the product creates are 0700 and the files it writes 0600; a folder it did not
create (the parent of a ``--base`` path, a folder an administrator prepared) keeps its mode.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from pilotage_qualite.common.settings import Settings

PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600
SHOWN_PATHS = 3  # a warning names this many paths, then says how many more


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each 0700; the existing ones keep their mode."""
    missing = []
    current = Path(folder)
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:  # another process of the product made it meanwhile, 0700 as well
            continue


def write_private_file(path: Path, content: bytes) -> None:
    """Write a file readable by this account only, from its creation on (never a moment wider)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), PRIVATE_FILE)  # a leftover file of the same name may be wider
        handle.write(content)


class _PrivateUmask:
    """``with private_umask:`` — files created meanwhile by a library that chooses their mode
    itself (DuckDB's base, and its write-ahead log recreated at each write) are 0600.

    The umask belongs to the process, shared by the app's threads: the first block to enter sets
    it, the last to leave restores it, so overlapping blocks never restore it under one another.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._before = 0

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._before = os.umask(0o077)
            self._inside += 1

    def __exit__(self, *_exc) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0:
                os.umask(self._before)


private_umask = _PrivateUmask()


def loosened(settings: Settings) -> list[tuple[Path, int]]:
    """The product's folders and files that other accounts may reach, with their mode.

    The data folder itself is not judged: it may be a folder the product did not create
    (the parent of a ``--base`` path), whose mode is its owner's choice; what it holds is.
    """
    folders = [settings.kept_files_dir, settings.checks_dir]
    files = [settings.database, settings.database.with_name(settings.database.name + ".wal"), settings.secret_file]
    files += [path for folder in folders if folder.is_dir() for path in folder.iterdir()]
    found = []
    for path in folders + files:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:  # absent (no import yet, no write-ahead log): nothing to reach
            continue
        if mode & 0o077:
            found.append((path, mode))
    return found


def loosened_warning(settings: Settings) -> str | None:
    """A French warning naming what someone opened to other accounts, or None."""
    found = loosened(settings)
    if not found:
        return None
    named = ", ".join(f"« {path} » (droits {mode:o})" for path, mode in found[:SHOWN_PATHS])
    more = f" et {len(found) - SHOWN_PATHS} autre(s)" if len(found) > SHOWN_PATHS else ""
    return (f"Dossier d'exécution trop ouvert : d'autres comptes que celui du service peuvent accéder à {named}"
            f"{more}. La base et les fichiers conservés peuvent contenir des données personnelles : réservez les "
            "dossiers à ce seul compte (chmod 700) et ses fichiers aussi (chmod 600).")
