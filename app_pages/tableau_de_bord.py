"""Tableau de bord: every indicator of the period, grouped by process."""

import streamlit as st

from pilotage_qualite.ui import context

st.title("Tableau de bord qualité")
store = context.store()
if store.is_empty():
    st.info("La base est vide : importez les tableurs du mois depuis la page « Données ».")
else:
    journal = store.journal()
    st.metric("Imports appliqués", int((journal["etat"] == "appliqué").sum()))
