"""Router: page config, theme, shared filters and navigation. Pages live in app_pages/."""

import streamlit as st

from pilotage_qualite.store.database import DatabaseBusy
from pilotage_qualite.ui import access, context, errors, filters, frame
from pilotage_qualite.ui import projector as projector_bar

SIDEBAR_PX = 288

projector = filters.projector_in_url()
# A sidebar of 288 px (Streamlit's is 336) leaves three tiles a row at 1280 px room for 20 px titles
# on two lines; the longest menu entry and the filters still fit in it.
st.set_page_config(page_title="Pilotage qualité", page_icon=":material/monitoring:", layout="wide",
                   initial_sidebar_state="collapsed" if projector else SIDEBAR_PX)

pages = {
    "Pilotage": [
        st.Page("app_pages/pilotage/tableau_de_bord.py", title="Tableau de bord", icon=":material/dashboard:", default=True,
                url_path="tableau-de-bord"),
        st.Page("app_pages/pilotage/fiche.py", title="Fiche indicateur", icon=":material/query_stats:", url_path="fiche"),
        st.Page("app_pages/pilotage/comite.py", title="Comité", icon=":material/groups:", url_path="comite"),
    ],
    "Processus": [
        st.Page("app_pages/processus/activite.py", title="Activité", icon=":material/directions_walk:",
                url_path="activite"),
        st.Page("app_pages/processus/demandes.py", title="Demandes et réclamations", icon=":material/forum:",
                url_path="demandes-reclamations"),
        st.Page("app_pages/processus/satisfaction.py", title="Satisfaction", icon=":material/sentiment_satisfied:",
                url_path="satisfaction"),
        st.Page("app_pages/processus/formation.py", title="Formation et RH", icon=":material/school:",
                url_path="formation-rh"),
        st.Page("app_pages/processus/audits.py", title="Audits et amélioration", icon=":material/fact_check:",
                url_path="audits-amelioration"),
        st.Page("app_pages/processus/securite.py", title="Sécurité", icon=":material/health_and_safety:",
                url_path="securite"),
        st.Page("app_pages/processus/documentation.py", title="Documentation", icon=":material/description:",
                url_path="documentation"),
    ],
    "Données": [
        st.Page("app_pages/donnees/importer.py", title="Import", icon=":material/upload_file:", url_path="import"),
        st.Page("app_pages/donnees/consulter.py", title="Données", icon=":material/table_view:", url_path="donnees"),
        st.Page("app_pages/donnees/catalogue.py", title="Catalogue", icon=":material/menu_book:", url_path="catalogue"),
    ],
}
# Pages whose figures do not follow the filters (the data pages show none, the Comité its meeting's
# period): the others' are computed ahead of their run (context.compute_ahead).
NOT_COMPUTED_AHEAD = ("import", "donnees", "catalogue", "comite")
allowed = access.gate()  # the login page, when this session must log in before reading
# expanded: with eleven pages Streamlit would otherwise fold the « Données » section behind « View 3 more ».
navigation = st.navigation(pages, position="sidebar" if allowed else "hidden", expanded=True)
if not allowed:
    st.stop()
with errors.boundary():  # anything unexpected: a French message and a reference, never Streamlit's page
    try:
        with context.pinned_run():  # one connection for the whole run, released at its end
            if navigation.url_path not in NOT_COMPUTED_AHEAD:
                context.compute_ahead(filters.expected_period(), fiche=navigation.url_path == "fiche")
            places = projector_bar.bar(navigation) if projector else None  # the filters go in its bar
            st.session_state["filtres"] = filters.shared_filters(places.filters if places else None)
            projector_bar.render(st.session_state["filtres"], navigation, places)
            frame.render_banners()
            navigation.run()
    except DatabaseBusy as exc:  # another program held the file longer than PILOTAGE_ATTENTE_BASE
        frame.render_busy(exc)
