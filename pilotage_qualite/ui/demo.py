"""Emptying the demonstration, asked from the banner of every page or from the Import page.

One confirmed action, one transaction (:func:`startup.empty_demo`). When imports of one's own
replaced demo rows it is refused, nothing changed; the dialog then names them and offers a
second, explicit confirmation to undo them with the demo.
"""

from __future__ import annotations

import streamlit as st

from pilotage_qualite.common.text import md
from pilotage_qualite.startup import DemoMixed, demo_is_loaded
from pilotage_qualite.ui import actions, context, errors

# Session key, present while the dialog is open: {} at first, then {"propres": ids, "refus": message}
# once the demo was found mixed with these imports of one's own.
PENDING = "vidage_demo"
DONE_MESSAGE = "message_frame"  # shown once by the banner of the next run


def request_empty() -> None:
    """A button's callback: the dialog opens at the next run (and stays open across reruns)."""
    st.session_state[PENDING] = {}


def _forget() -> None:
    st.session_state.pop(PENDING, None)


def render_dialog_if_asked() -> None:
    if PENDING in st.session_state:
        _confirm_empty_demo()


@st.dialog("Vider la base de démonstration", on_dismiss=_forget)
@errors.guarded
def _confirm_empty_demo() -> None:
    own = st.session_state[PENDING].get("propres", [])
    if not own:
        st.write("Les données fictives de l'Association Médiation Rhône-Loire ne seront plus affichées. "
                 "Les imports de démonstration restent inscrits au journal (annulés) ; "
                 "ils peuvent être rechargés par la commande « python -m pilotage_qualite demo ».")
        label = "Oui, vider la base"
    else:
        st.error(md(st.session_state[PENDING]["refus"]), icon=":material/block:")  # it quotes file names
        st.write("Vos imports annulés restent inscrits au journal, avec leurs fichiers d'origine : "
                 "vous pourrez les importer à nouveau dans la base vidée.")
        label = f"Vider aussi {'mon import' if len(own) == 1 else 'mes imports'} n° {', '.join(map(str, own))}"
    if st.button(label, type="primary", key=f"vider_demo_{'_'.join(map(str, own))}"):
        _empty(own)


def _empty(own: list[int]) -> None:
    try:
        undone = actions.empty_demo(own)
    except DemoMixed as exc:  # nothing changed: ask again, naming what is in the way
        st.session_state[PENDING] = {"propres": [b.import_id for b in exc.blocking], "refus": str(exc)}
        st.rerun()
    except actions.WRITE_ERRORS as exc:
        st.error(md(exc))
        return
    _forget()
    mine = (f", dont votre import n° {own[0]}" if len(own) == 1
            else f", dont vos imports n° {', '.join(map(str, own))}" if own else "")
    st.session_state[DONE_MESSAGE] = f"{undone} imports annulés{mine} : la démonstration est vidée."
    st.rerun()


def import_warning() -> None:
    """Before the uploader: a file imported now would be mixed with fictional data."""
    if not demo_is_loaded(context.store()):
        return
    with st.container(border=True):
        st.warning("**La base contient encore la démonstration** : un fichier importé maintenant sera mêlé aux "
                   "données fictives de l'Association Médiation Rhône-Loire, et vos lignes pourraient en remplacer. "
                   "Videz d'abord la démonstration pour travailler sur vos seules données.",
                   icon=":material/theater_comedy:")
        st.button("Vider la base de démonstration", on_click=request_empty, key="vider_demo_import",
                  icon=":material/delete_sweep:")
