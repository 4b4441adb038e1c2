"""Adding an indicator on the Catalogue page: the guided form, and the one check-then-save path.

The form offers lists (:mod:`pilotage_qualite.reports.indicator_builder`) and writes the YAML the
experts would type; both texts then go through :func:`check_then_save`: validated by
``catalogue_edits.check_new_indicators`` (same French messages), test-computed on the current
data, and saved by ``actions.add_indicators`` (which checks the quality role).
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.common.text import md
from pilotage_qualite.model.catalogue import Catalogue, CatalogueError
from pilotage_qualite.model.datasets import Dataset
from pilotage_qualite.model.indicator_format import SHORT_TITLE_MAX
from pilotage_qualite.model.periods import Period
from pilotage_qualite.reports import catalogue_edits
from pilotage_qualite.reports import indicator_builder as builder
from pilotage_qualite.ui import actions, context, tables

NO_FILTER = ""
DIRECTIONS = {"": "aucun (suivi sans cible)", **catalogue_edits.DIRECTION_TEXT}


def check_then_save(text: str, period: Period | None, *, state_key: str, verify_key: str, save_key: str,
                    verify_label: str = "Vérifier et tester sur les données") -> None:
    """« Vérifier et tester », then « Enregistrer dans le catalogue » once the text is valid and unchanged."""
    store = context.store()
    checked = st.session_state.get(state_key)
    if st.button(verify_label, icon=":material/science:", key=verify_key):
        try:
            new, candidate = catalogue_edits.check_new_indicators(text, context.catalogue(), store.datasets)
            ids = [i.id for i in new]
            trial = context.trial_compute(candidate, ids, period) if period is not None else None
            checked = {"texte": text, "ids": ids, "essai": trial}
        except CatalogueError as exc:
            checked = {"texte": text, "erreurs": str(exc).splitlines()}
        st.session_state[state_key] = checked
    if not checked:
        return
    if checked["texte"] != text:
        st.caption("La définition a changé depuis la dernière vérification : vérifiez-la de nouveau.")
        return
    if checked.get("erreurs"):
        for problem in checked["erreurs"]:
            st.error(md(problem))
        return
    st.success(f"Définition valide : {', '.join(checked['ids'])}. Valeurs calculées sur les données actuelles "
               "(ensemble de la structure, 12 dernières périodes) :")
    if checked["essai"] is not None:
        tables.table(checked["essai"])
    if st.button("Enregistrer dans le catalogue", type="primary", icon=":material/save:", key=save_key):
        try:
            new, _ = catalogue_edits.check_new_indicators(text, context.catalogue(), store.datasets)
            actions.add_indicators(catalogue_edits.definitions_by_id(text, new))
            st.session_state["messages_catalogue"] = [
                ("ok", f"Indicateur {', '.join(i.id for i in new)} ajouté au catalogue (enregistré dans la "
                       "base) : il est calculé dans le tableau de bord et sa fiche est disponible.")]
            st.session_state.pop(state_key, None)
        except (CatalogueError, *actions.WRITE_ERRORS) as exc:
            st.session_state["messages_catalogue"] = [("error", md(exc))]
        st.rerun()


# --- the guided form ---------------------------------------------------------------------------------


def _pick(container, label: str, options: list[builder.Option], key: str, **kwargs) -> str:
    labels = {o.code: o.label for o in options}
    return container.selectbox(label, list(labels), format_func=labels.__getitem__, key=key, placeholder="Choisir…",
                               **kwargs)


def _condition(dataset: Dataset, title: str, key: str, *, optional: bool) -> builder.Condition | None:
    """Column → operator → value, the value from the column's listed values where it has them."""
    items = {o.code: o for o in builder.operands(dataset)}
    options = [builder.Option(NO_FILTER, "(aucun filtre)")] if optional else []
    options += [builder.Option(o.code, o.label) for o in items.values()]
    column, operator, value = st.columns([3, 2, 2])
    code = _pick(column, title, options, key=f"{key}_colonne_{dataset.name}")
    if code == NO_FILTER:
        return None
    item = items[code]
    op = _pick(operator, "Opérateur", builder.operator_options(item), key=f"{key}_operateur_{dataset.name}_{code}")
    if op in builder.NO_VALUE:
        return builder.Condition(code, op)
    value_key = f"{key}_valeur_{dataset.name}_{code}"
    if item.values:
        listed = dict(item.values)
        return builder.Condition(code, op, value.selectbox("Valeur", list(listed), format_func=listed.__getitem__,
                                                           key=value_key, placeholder="Choisir une valeur…"))
    typed = value.text_input("Valeur", key=value_key, placeholder="par exemple 15" if item.kind == "nombre" else "")
    if item.kind == "nombre":
        return builder.Condition(code, op, formats.parse_input_number(typed, f"{title.removesuffix(' (facultatif)')} : valeur"))
    return builder.Condition(code, op, typed)


def _choices(datasets: dict[str, Dataset], catalogue: Catalogue) -> builder.Choices:
    """The form's widgets; raises ValueError (French, naming the field) on a number that does not read."""
    st.markdown("**Ce qui est mesuré**")
    left, right = st.columns([2, 3])
    source = _pick(left, "Jeu de données", builder.dataset_options(datasets), key="ajout_jeu")
    dataset = datasets[source]
    periode = _pick(right, "Rattachement à la période", builder.period_options(dataset),
                    key=f"ajout_periode_{source}")
    anciennete = 0
    if periode.startswith("ouvert:"):
        anciennete = int(right.number_input("Depuis plus de (jours, 0 : toutes)", min_value=0, max_value=3650,
                                            step=1, key="ajout_anciennete"))
    left, right = st.columns([3, 2])
    mesure = _pick(left, "Mesure", builder.measure_options(dataset), key=f"ajout_mesure_{source}")
    unite = right.selectbox("Unité", builder.unit_options(mesure), key=f"ajout_unite_{mesure}",
                            placeholder="Choisir l'unité…")
    condition = None
    if mesure == "part":
        condition = _condition(dataset, "Lignes comptées au numérateur", "ajout_condition", optional=False)
    condition_filter = _condition(dataset, "Filtre (facultatif)", "ajout_filtre", optional=True)

    st.markdown("**Sens et cible**")
    direction, target, threshold = st.columns([2, 1, 1])
    sens = direction.selectbox("Sens", list(DIRECTIONS), format_func=DIRECTIONS.__getitem__, key="ajout_sens",
                               placeholder="Choisir le sens…")
    # Text fields, not number inputs: a number is typed and read the French way (« 80,5 »).
    cible = formats.parse_input_number(target.text_input(f"Cible ({unite})", key="ajout_cible",
                                                         placeholder="aucune"), "Cible")
    seuil = formats.parse_input_number(threshold.text_input(f"Seuil d'alerte ({unite})", key="ajout_seuil",
                                                            placeholder="aucun"), "Seuil d'alerte")
    dimension_options = builder.dimension_options(dataset)
    labels = {o.code: o.label for o in dimension_options}
    dimensions = st.multiselect("Ventilations", list(labels), format_func=labels.__getitem__,
                                default=[c for c in ("site",) if c in labels], key=f"ajout_dimensions_{source}",
                                placeholder="Aucune ventilation")

    st.markdown("**Fiche**")
    left, middle, right = st.columns([3, 3, 2])
    processes, pilots = builder.processes(catalogue), builder.pilots(catalogue)
    usual = builder.process_of(catalogue, source)
    processus = left.selectbox("Processus", processes, index=processes.index(usual) if usual in processes else 0,
                               key=f"ajout_processus_{source}", accept_new_options=True,
                               placeholder="Choisir ou saisir un processus…")
    pilot = builder.pilot_of(catalogue, processus or "")
    pilote = middle.selectbox("Pilote", pilots, index=pilots.index(pilot) if pilot in pilots else 0,
                              key=f"ajout_pilote_{processus}", accept_new_options=True,
                              placeholder="Choisir ou saisir un pilote…")
    code = right.text_input("Code", value=builder.next_id(catalogue, processus or ""),
                            key=f"ajout_code_{processus}", placeholder="par exemple REC-06")
    left, right = st.columns([2, 1])
    titre = left.text_input("Titre", key="ajout_titre")
    titre_court = right.text_input("Titre court (facultatif)", key="ajout_titre_court", max_chars=SHORT_TITLE_MAX,
                                   help="Le titre de la vue d'ensemble sur un écran, 24 caractères au plus.")
    pourquoi = st.text_input("Pourquoi le suivre (une phrase)", key="ajout_pourquoi")
    choices = builder.Choices(
        id=code, titre=titre, titre_court=titre_court, processus=processus or "", pilote=pilote or "",
        pourquoi=pourquoi, source=source, periode=periode, anciennete=anciennete, mesure=mesure, unite=unite,
        filtre=(condition_filter,) if condition_filter else (), condition=condition, sens=sens or None,
        cible=cible, seuil=seuil, dimensions=tuple(dimensions))
    definition = st.text_area("Définition en clair (facultatif : écrite d'après vos choix si vide)", height=80,
                              key="ajout_definition", placeholder=builder.plain_definition(dataset, choices))
    return replace(choices, definition=definition)


def guided_form(datasets: dict[str, Dataset], catalogue: Catalogue, period: Period | None) -> None:
    """The form, the YAML it writes (shown), then the same check and save as typed YAML."""
    try:
        text = builder.indicator_yaml(datasets, _choices(datasets, catalogue))
    except ValueError as exc:  # BuilderError, or a number that does not read
        st.error(md(exc))
        return
    st.markdown("**Définition écrite par le formulaire** (format des fichiers du catalogue)")
    st.code(text, language="yaml", wrap_lines=True)
    check_then_save(text, period, state_key="indicateur_formulaire_verifie", verify_key="verifier_formulaire",
                    save_key="enregistrer_formulaire", verify_label="Vérifier et tester cet indicateur")
