"""The analysis comments of an indicator for a period: shown with author and date, written by
the qualité role (the fiche shows them; the committee view and pack read the same store)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.common.text import md
from pilotage_qualite.model.periods import Period
from pilotage_qualite.ui import access, actions, context
from pilotage_qualite.ui.filters import projector_on

MESSAGE_KEY = "message_commentaire"


def _signature(row: pd.Series) -> str:
    return f"{row['auteur']}, le {formats.datetime_fr(pd.Timestamp(row['date']).to_pydatetime())}"


def as_text(text: str) -> str:
    """The comment as written: Markdown characters escaped, line breaks kept."""
    return "  \n".join(md(line) for line in str(text).splitlines())


def render(indicator_id: str, period: Period, site: str | None) -> None:
    """The comment in force (and earlier ones) for this indicator, period and site; a form to add one."""
    where = site or "Ensemble de la structure"
    if message := st.session_state.pop(MESSAGE_KEY, None):
        st.success(message, icon=":material/task_alt:")
    history = context.comment_history(indicator_id, period, site)
    if history.empty:
        st.caption(f"Aucune analyse écrite pour {period.label_fr} ({where}).")
    else:
        latest = history.iloc[0]
        with st.container(border=True):
            st.markdown(as_text(latest["texte"]))
            st.caption(_signature(latest))
        if len(history) > 1:
            with st.expander(f"Versions précédentes ({len(history) - 1})"):
                for _, row in history.iloc[1:].iterrows():
                    st.markdown(as_text(row["texte"]))
                    st.caption(_signature(row))
    projector = projector_on()  # the room reads, nobody types
    if projector or not access.can_write():
        return
    with st.form(f"commentaire_{indicator_id}", clear_on_submit=True):
        text = st.text_area(f"Analyse de {indicator_id} pour {period.label_fr} ({where})", key="commentaire_texte",
                            placeholder="Ce que le chiffre dit, ses causes, ce qui est décidé…")
        submitted = st.form_submit_button("Enregistrer l'analyse", icon=":material/edit_note:")
    if submitted:
        try:
            user = actions.add_comment(indicator_id, period.label, site, text)
            st.session_state[MESSAGE_KEY] = (f"Analyse de {indicator_id} pour {period.label_fr} ({where}) "
                                             f"enregistrée au nom de {user}.")
            st.rerun()
        except actions.WRITE_ERRORS as exc:
            st.error(str(exc))
