"""Données: the import journal."""

import streamlit as st

from pilotage_qualite.ui import context

st.title("Données importées")
journal = context.store().journal()
if journal.empty:
    st.info("Aucun import pour l'instant.")
else:
    st.dataframe(journal, hide_index=True, width="stretch")
