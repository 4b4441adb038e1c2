"""The events recorded on an indicator's series, below its trend on the fiche: those on the
indicator itself and on the datasets it reads (a process change restarts the control limits),
a form to record one and a button to withdraw one, both for the qualité role only."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.common.text import md
from pilotage_qualite.model import events as event_rules
from pilotage_qualite.model.events import LABEL_MAX_CHARS, Event
from pilotage_qualite.model.periods import Period
from pilotage_qualite.ui import access, actions, context, french_inputs

MESSAGE_KEY = "message_evenement"
ON_INDICATOR = ""  # the « Porte sur » choice of the indicator itself (the others are dataset names)
PROCESS_CHANGE_LABEL = "Changement de processus (les limites de contrôle repartent de cette date)"


def recorded(indicator_id: str) -> tuple[Event, ...]:
    """The events on the indicator (or those it is computed from) and on its datasets, oldest first."""
    return tuple(event_rules.concerning(context.events(), context.catalogue(), indicator_id))


def _dataset_label(name: str) -> str:
    dataset = context.store().datasets.get(name)
    return dataset.label if dataset is not None else name


def _target(event: Event) -> str:
    return f"indicateur {event.indicator}" if event.indicator else f"jeu « {_dataset_label(event.dataset)} »"


def describe(event: Event) -> str:
    """One event as a line of Markdown: date, label, kind, what it is on, by whom (text escaped)."""
    kind = f"**{event_rules.PROCESS_CHANGE}**" if event.process_change else "événement"
    return (f"**{formats.date_fr(event.day)}** · {md(event.label)} · {kind} · {md(_target(event))} · "
            f"saisi par {md(event.author)} le {formats.datetime_fr(event.recorded_on)}")


def render(indicator_id: str, period: Period) -> None:
    """The list, then (qualité role) the form to record an event and the withdrawal of one."""
    st.subheader("Événements sur la série", anchor=False)
    if message := st.session_state.pop(MESSAGE_KEY, None):
        st.success(message, icon=":material/task_alt:")
    shown = recorded(indicator_id)
    if not shown:
        st.caption(f"Aucun événement enregistré sur {indicator_id} ni sur ses jeux de données.")
    for event in shown:
        st.markdown(f"- {describe(event)}")
    if not access.can_write():
        return
    _record_form(indicator_id, period)
    if shown:
        _withdraw(shown)


def _record_form(indicator_id: str, period: Period) -> None:
    _, datasets = event_rules.scope(context.catalogue(), indicator_id)
    choices = [ON_INDICATOR, *sorted(datasets)]
    with st.expander("Enregistrer un événement (changement de logiciel, nouvelle procédure…)"):
        with st.form(f"evenement_{indicator_id}", clear_on_submit=True):
            typed = french_inputs.date_field("Date de l'événement", value=dt.date.today(), key="evenement_date",
                                             required="la date de l'événement")
            label = st.text_input("Libellé", max_chars=LABEL_MAX_CHARS, key="evenement_libelle",
                                  placeholder="changement de logiciel, nouvelle procédure d'accueil…")
            target = st.selectbox("Porte sur", choices, key="evenement_cible", placeholder="Choisir…",
                                  format_func=lambda choice: (
                f"l'indicateur {indicator_id}" if choice == ON_INDICATOR
                else f"le jeu « {_dataset_label(choice)} » (tous ses indicateurs)"))
            change = st.checkbox(PROCESS_CHANGE_LABEL, key="evenement_processus")
            submitted = st.form_submit_button("Enregistrer l'événement", icon=":material/event:")
    if not submitted or french_inputs.say_errors(typed):
        return
    day = typed.day
    try:
        user = actions.record_event(day, label, indicator=indicator_id if target == ON_INDICATOR else None,
                                    dataset=None if target == ON_INDICATOR else target, process_change=change)
    except actions.WRITE_ERRORS as exc:
        st.error(str(exc))
        return
    done = f"Événement du {formats.date_fr(day)} enregistré au nom de {user}."
    if change and period.grain != "annee":  # no control chart at year grain
        done += f" Les limites de contrôle repartent de {event_rules.restart_period(day, period.grain).label_fr}."
    st.session_state[MESSAGE_KEY] = done
    st.rerun()


def _withdraw(shown: tuple[Event, ...]) -> None:
    with st.expander("Retirer un événement"):
        by_id = {event.id: event for event in shown}
        chosen = st.selectbox("Événement à retirer", list(by_id), key="evenement_a_retirer",
                              placeholder="Choisir un événement…",
                              format_func=lambda i: f"{formats.date_fr(by_id[i].day)} · {by_id[i].label}")
        st.caption("Le retrait est gardé dans l'historique de la base ; les limites de contrôle sont recalculées.")
        if not st.button("Retirer l'événement", key="retirer_evenement", icon=":material/event_busy:"):
            return
    try:
        actions.withdraw_event(chosen)
    except actions.WRITE_ERRORS as exc:
        st.error(str(exc))
        return
    st.session_state[MESSAGE_KEY] = f"Événement du {formats.date_fr(by_id[chosen].day)} retiré."
    st.rerun()
