"""Imported by the fork server only (``sandbox.PRELOAD``), never elsewhere.

multiprocessing makes each child of a fork server re-import the parent's ``__main__`` first.
Under Streamlit, ``__main__`` is the app script: a reading child would run the whole app,
import Streamlit and open the base (and wait, while the page run that asked for the reading
holds it). The children run one function of this package, which needs nothing from
``__main__``: in this process, that step is skipped.
"""

from multiprocessing import spawn


def _keep_own_main(_main: str) -> None:
    """Children of the fork server keep its own, empty ``__main__``."""


spawn._fixup_main_from_path = _keep_own_main
spawn._fixup_main_from_name = _keep_own_main
