"""Router: page config, theme, shared filters and navigation. Pages live in app_pages/."""

import streamlit as st

st.set_page_config(page_title="Pilotage qualité", page_icon="📊", layout="wide")

pages = {
    "Pilotage": [
        st.Page("app_pages/tableau_de_bord.py", title="Tableau de bord", icon="📊", default=True,
                url_path="tableau-de-bord"),
    ],
    "Données": [
        st.Page("app_pages/donnees.py", title="Données", icon="🗂️", url_path="donnees"),
    ],
}
st.navigation(pages).run()
