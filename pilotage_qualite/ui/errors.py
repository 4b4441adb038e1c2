"""The error boundary: an unexpected exception shows a French message, never Streamlit's English page.

The message says what to do and gives a short reference; the server log holds the same
reference with the traceback, so whoever reads the log finds the error a user reported.
Streamlit's own control flow (``st.stop``, ``st.rerun``, ``st.switch_page``) raises
``StopException`` and ``RerunException``, both ``ScriptControlException``: they pass through.
"""

from __future__ import annotations

import functools
import logging
import secrets
from contextlib import contextmanager
from typing import Callable, Iterator

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

LOG = logging.getLogger("pilotage_qualite.erreurs")


def report(exc: Exception) -> str:
    """Log the exception with its traceback under a new short reference; returns the reference."""
    reference = secrets.token_hex(4).upper()
    LOG.error("Unexpected error, reference %s", reference, exc_info=exc)
    return reference


def message(reference: str) -> str:
    return (f"**Une erreur inattendue a interrompu cette page.** Rien n'a été écrit à moitié : une écriture "
            "dans la base se fait en entier ou pas du tout. Rechargez la page (touche F5), vérifiez dans la "
            "page Données si votre dernière action a été enregistrée, puis recommencez-la si besoin. Si "
            f"l'erreur revient, transmettez à l'administrateur la référence **{reference}** : il la "
            "retrouvera dans le journal du serveur, avec le détail de l'erreur.")


@contextmanager
def boundary() -> Iterator[None]:
    """Around a page run (``app.py``): any unexpected exception ends it with the French message."""
    try:
        yield
    except ScriptControlException:
        raise
    except Exception as exc:  # the boundary: anything else is reported, never shown raw
        st.error(message(report(exc)), icon=":material/error:")


def guarded(function: Callable[..., None]) -> Callable[..., None]:
    """The boundary for a dialog: its reruns run it alone, outside the page run's boundary."""
    @functools.wraps(function)
    def run(*args, **kwargs) -> None:
        with boundary():
            function(*args, **kwargs)
    return run
