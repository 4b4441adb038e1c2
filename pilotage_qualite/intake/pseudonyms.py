"""Pseudonymisation of staff names with a keyed hash (HMAC-SHA256).

The key is created once per installation, kept in a file outside the database (owner
read/write only) and never printed, so names never reach the database while the same
person keeps the same code across files.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

from pilotage_qualite.common.private_files import PRIVATE_FILE, make_private_folder
from pilotage_qualite.common.text import normalize_header

CODE_PREFIX = "S-"


def installation_secret(path: Path) -> bytes:
    """The installation's key, created on first use.

    The key is written in full under a private name, then linked to its final name (atomic,
    never overwrites): when the app and the command line start together on a new
    installation, one key wins and no process ever reads a half-written (empty) key, which
    would give the same person another code.
    """
    if not path.exists():
        make_private_folder(path.parent)
        partial = path.with_name(f"{path.name}.{secrets.token_hex(8)}.partiel")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(32))
            os.link(partial, path)
        except FileExistsError:
            pass  # another process created the key first: use theirs
        except OSError:  # a file system without hard links: rename, unless a key appeared meanwhile
            if not path.exists():
                os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return path.read_bytes()


def pseudonymise(values: pd.Series, secret: bytes) -> pd.Series:
    """Replace each name by a stable code; spelling variants of case, accents and spaces
    (« DUPONT  Marie », « Dupont Marie ») give the same code. Empty stays empty."""
    codes: dict[str, str] = {}
    for value in values.dropna().unique():
        normalised = normalize_header(value)
        digest = hmac.new(secret, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
        codes[value] = CODE_PREFIX + digest[:10].upper()
    return values.map(codes)
