"""Fingerprints of the code itself: a start-up check is redone when the code it depends on changed.

Every source file of the named layers is hashed (its path inside the package and its bytes), so
that moving, adding or splitting a module invalidates the fingerprint as surely as editing one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def code_fingerprint(*layers: str) -> hashlib._Hash:
    """A running SHA-256 over every ``.py`` file under ``pilotage_qualite/<layer>/``, in path order."""
    digest = hashlib.sha256()
    for layer in layers:
        for path in sorted((PACKAGE_DIR / layer).rglob("*.py")):
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest
