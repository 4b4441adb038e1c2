"""Who may do what: the single place that knows the user's role.

Two roles (product.md, Access): « lecture » sees everything, « qualité » may also import,
undo, change targets, add indicators and write comments. For now the app runs in local mode
only (listening on 127.0.0.1), where the user has the qualité role. The shared deployment
(password hash or OpenID Connect, list of qualité accounts) will change this module only:
every write path of the app calls :func:`require_quality_role` on the server side, whatever
the page showed.
"""

from __future__ import annotations

QUALITY = "qualité"
READER = "lecture"
LOCAL_USER = "qualité (local)"


class AccessDenied(PermissionError):
    """A write was attempted without the qualité role; the message is French."""


def current_role() -> str:
    """The role of the person using this session: « qualité » in local mode."""
    return QUALITY


def current_user() -> str:
    """The name written in the journal and under comments."""
    return LOCAL_USER


def can_write() -> bool:
    """Whether the page should offer write actions (the check itself is :func:`require_quality_role`)."""
    return current_role() == QUALITY


def require_quality_role() -> str:
    """Refuse the write unless the session has the qualité role; returns the user name to record."""
    if current_role() != QUALITY:
        raise AccessDenied("Cette action est réservée au rôle qualité : rien n'a été modifié.")
    return current_user()
