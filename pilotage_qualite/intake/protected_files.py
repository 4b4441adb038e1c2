"""Password-encrypted workbooks: Excel's built-in default password is removed, any other refused.

Excel encrypts a workbook whose sheets are protected with the password « VelvetSweatshop » and
opens it without asking anything: for the quality lead it is an ordinary file. Such a workbook
(an encrypted .xls, or an .xlsx in an encrypted OLE2 package) is decrypted with that password
(msoffcrypto-tool); one that needs another password gets a French message saying so, rather
than the « endommagé » python-calamine's failure would give (it cannot read an xls encrypted
by XOR obfuscation at all).
"""

from __future__ import annotations

import io
from pathlib import Path

from pilotage_qualite.intake.raw_sheets import ReadError

EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"


def decrypt_with_default_password(path: Path) -> bytes | None:
    """The decrypted content of an encrypted workbook at ``path`` (an OLE2 file), or None when it
    is not an encrypted workbook. Raises :class:`ReadError` when it needs another password."""
    # Imported here, for OLE2 files only: an xlsx import, timed against python-calamine alone,
    # would otherwise pay its 20 ms.
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile
    from msoffcrypto.format.xls97 import Xls97File

    try:
        with path.open("rb") as handle:
            office = msoffcrypto.OfficeFile(handle)
            if not isinstance(office, (Xls97File, OOXMLFile)) or not office.is_encrypted():
                return None
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - not an Office file msoffcrypto knows: python-calamine tells what it is
        return None
    try:
        with path.open("rb") as handle:
            office = msoffcrypto.OfficeFile(handle)
            office.load_key(password=EXCEL_DEFAULT_PASSWORD)
            decrypted = io.BytesIO()
            office.decrypt(decrypted)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a wrong password or an encryption msoffcrypto lacks
        raise password_protected(path.name, detail=f"{type(exc).__name__}: {exc}") from None
    return decrypted.getvalue()


def password_protected(name: str, *, detail: str | None = None) -> ReadError:
    """The refusal of a workbook that only opens with a password."""
    return ReadError(
        f"Le fichier « {name} » est protégé par un mot de passe : enregistrez-le sans mot de passe "
        "puis importez-le à nouveau.",
        detail=detail,
    )
