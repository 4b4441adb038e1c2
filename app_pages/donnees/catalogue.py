"""Catalogue: every indicator's fiche; targets edited with their start date; new indicators added."""

import datetime as dt

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.common.text import md
from pilotage_qualite.reports import catalogue_edits
from pilotage_qualite.reports.meeting_record import reviewed_warning
from pilotage_qualite.ui import access, actions, context, downloads, french_inputs, indicator_form, tables

selection = st.session_state["filtres"]
store = context.store()
catalogue = context.catalogue()
changes = context.target_changes()
today = selection.period.debut if selection.period is not None else dt.date.today().replace(day=1)

st.title("Catalogue des indicateurs")
for level, text in st.session_state.pop("messages_catalogue", []):
    (st.success if level == "ok" else st.error)(text)
for problem in context.catalogue_problems():
    st.warning(f"Indicateur ajouté laissé de côté : {md(problem)}")

st.caption(f"{len(catalogue)} indicateurs. Cible et seuil en vigueur au "
           f"{formats.date_fr(today)} (début de la période choisie dans les filtres).")
catalogue_shown = catalogue_edits.catalogue_table(catalogue, changes, today)
tables.table(catalogue_shown)
downloads.table_downloads(catalogue_shown, "catalogue des indicateurs", sheet_name="Catalogue")

# --- one fiche ----------------------------------------------------------------------------------

st.header("Fiche", divider="gray")
wanted = st.query_params.get("indicateur")
indicator_id = st.selectbox("Indicateur", catalogue.ids,
                            index=catalogue.ids.index(wanted) if wanted in catalogue else 0,
                            format_func=lambda i: f"{i} · {catalogue[i].titre}", key="catalogue_indicateur",
                            placeholder="Choisir un indicateur…")
indicator = catalogue[indicator_id]
cible, seuil = context.target_in_force(indicator, today)

st.subheader(f"{indicator.id} · {indicator.titre}", anchor=False)
st.caption(f"Processus {indicator.processus} · pilote : {indicator.pilote} · défini dans {indicator.source_file}")
st.markdown(f"**Pourquoi** : {indicator.pourquoi}")
st.markdown(f"**Définition** : {indicator.definition}")


def shown(value: float | None) -> str:
    return "aucune" if value is None else formats.with_unit(value, indicator.unite, indicator.decimales)


facts = st.columns(5)
facts[0].metric("Unité", indicator.unite)
facts[1].metric("Sens", indicator.sens or "—", help=catalogue_edits.direction_text(indicator))
facts[2].metric("Cible en vigueur", shown(cible))
facts[3].metric("Seuil d'alerte", shown(seuil))
facts[4].metric("Effectif minimal", indicator.n_min if indicator.n_min is not None else "—")
st.markdown(f"**Sens** : {catalogue_edits.direction_text(indicator)} · **Dimensions** : "
            f"{', '.join(indicator.dimensions) or 'aucune (ensemble de la structure)'}")
st.markdown("**Formule**")
for label, text in catalogue_edits.formula_lines(indicator):
    st.markdown(f"- {label} : `{text}`")
if selection.period is not None:
    with st.expander("Requête SQL exécutée"):
        st.code("\n\n".join(context.indicator_sql(indicator_id, selection.period)), language="sql")

st.markdown("**Historique des cibles**")
target_history = catalogue_edits.target_history(indicator, changes)
tables.table(target_history)
downloads.table_downloads(target_history, f"historique des cibles {indicator.id}", key="telecharger-cibles",
                          sheet_name="Cibles")

PENDING_TARGET = "cible_a_confirmer"  # a target change that touches a period a closed meeting reviewed


def save_target(indicator_id: str, start, new_target, new_threshold) -> None:
    st.session_state.pop(PENDING_TARGET, None)
    try:
        actions.set_target(indicator_id, start, new_target, new_threshold)
        st.session_state["messages_catalogue"] = [
            ("ok", catalogue_edits.target_change_message(catalogue[indicator_id], start, new_target, new_threshold))]
    except actions.WRITE_ERRORS as exc:
        st.session_state["messages_catalogue"] = [("error", md(exc))]
    st.rerun()


if access.can_write():
    if indicator.sens is None:
        st.caption("Volume suivi sans sens (ni hausse ni baisse) : pas de cible à fixer.")
    else:
        with st.form("nouvelle_cible"):
            st.markdown(f"**Changer la cible de {indicator.id}** (les périodes antérieures gardent la leur)")
            left, middle, right = st.columns(3)
            start = french_inputs.date_field("À partir du", value=today, place=left, key="cible_debut",
                                             required="la date à partir de laquelle la cible s'applique")
            # Text fields, not number inputs: a number is typed and read the French way (« 80,5 »).
            target_text = middle.text_input(f"Cible ({indicator.unite})", value=formats.input_text(cible),
                                            key="cible_valeur", placeholder="aucune")
            threshold_text = right.text_input(f"Seuil d'alerte ({indicator.unite})", value=formats.input_text(seuil),
                                              key="cible_seuil", placeholder="aucun")
            submitted = st.form_submit_button("Enregistrer la cible", type="primary", icon=":material/flag:")
        if submitted:
            problems = []
            new_target = new_threshold = None
            try:
                new_target = formats.parse_input_number(target_text, "Cible")
                new_threshold = formats.parse_input_number(threshold_text, "Seuil d'alerte")
            except ValueError as exc:
                problems.append(str(exc))
            problems = problems or catalogue_edits.target_form_problems(indicator, new_target, new_threshold)
            if start.error:
                problems.append(start.error)
            start = start.day
            if problems:
                for problem in problems:
                    st.error(problem)
            elif store.closed_meetings_reviewing(start):
                st.session_state[PENDING_TARGET] = (indicator.id, start, new_target, new_threshold)
            else:
                save_target(indicator.id, start, new_target, new_threshold)
        pending = st.session_state.get(PENDING_TARGET)
        if pending is not None and pending[0] == indicator.id:
            st.warning(md(reviewed_warning(store.closed_meetings_reviewing(pending[1]),
                                           f"Ce changement de cible (à partir du {formats.date_fr(pending[1])})")),
                       icon=":material/history:")
            confirm, cancel = st.columns(2)
            if confirm.button("Confirmer le changement de cible", type="primary", key="cible_confirmee"):
                save_target(*pending)
            if cancel.button("Ne pas changer la cible", key="cible_abandonnee"):
                st.session_state.pop(PENDING_TARGET, None)
                st.rerun()

# --- new indicator ---------------------------------------------------------------------------------

if access.can_write():
    st.header("Ajouter un indicateur", divider="gray")
    st.markdown("Composez l'indicateur **avec le formulaire**, ou écrivez-le **dans le format des fichiers du "
                "catalogue** (YAML, mêmes champs). Il est vérifié (champs, colonnes des jeux, SQL) puis calculé "
                "sur les données actuelles avant d'être enregistré. Il est enregistré **dans la base**, avec votre "
                "nom et la date, à côté des fichiers du dossier `declarations/indicators/` qui restent inchangés.")
    st.subheader("Avec le formulaire", anchor=False)
    indicator_form.guided_form(store.datasets, catalogue, selection.period)
    st.subheader("En YAML (experts)", anchor=False)
    text = st.text_area("Définition (YAML)", height=380, key="nouvel_indicateur", placeholder=catalogue_edits.EXAMPLE)
    indicator_form.check_then_save(text, selection.period, state_key="indicateur_verifie",
                                   verify_key="verifier_indicateur", save_key="enregistrer_indicateur")
