"""Comité: the meeting view. The agenda of ISO 9001 §9.3 for the period reviewed, attendees,
notes per point, decisions (optionally opening an action of the improvement plan), closing;
closed meetings reopen read-only. In projector mode, one agenda point per screen."""

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.common.text import md
from pilotage_qualite.model.meetings import OPEN
from pilotage_qualite.ui import access, committee, context, downloads, projector, tiles
from pilotage_qualite.ui.filters import Filters

selection: Filters = st.session_state["filtres"]
store = context.store()
if not selection.projector:  # on the projector the bar is the header (projector.committee_bar)
    st.title("Comité de pilotage qualité", anchor=False)
committee.show_flash()

meetings = store.meetings()
NEW = 0
labels = {NEW: "Préparer une nouvelle réunion",
          **{int(row["id"]): committee.listed_meeting_label(row) for _, row in meetings.iterrows()}}
options = list(labels)
wanted = st.query_params.get(committee.MEETING_PARAM, "")
open_ids = [int(i) for i in meetings.loc[meetings["statut"] == OPEN, "id"]]
default = int(wanted) if wanted.isdigit() and int(wanted) in labels else (open_ids[0] if open_ids else NEW)
# Not a bound widget: the URL keeps the meeting's id (`?reunion=3`), and a new meeting in the
# options makes a new widget that selects it. On the projector the agenda comes alone: the meeting
# is the one of the URL (or the open one), chosen before going on the projector.
chosen = default if selection.projector else st.selectbox("Réunion", options, index=options.index(default),
                                                           format_func=labels.get, placeholder="Choisir une réunion…")
if chosen == NEW:
    st.query_params.pop(committee.MEETING_PARAM, None)
else:
    st.query_params[committee.MEETING_PARAM] = str(chosen)

meeting = None
writable = False
if chosen == NEW:
    if selection.period is None:
        st.info("La base ne contient encore aucune donnée datée : importez vos tableurs (page Import) avant de "
                "préparer une réunion du comité.", icon=":material/groups:")
        st.stop()
    period, site = selection.period, selection.site
    if not selection.projector:
        if access.can_write():
            created = committee.create_form(period, site)
            if created is not None:
                st.query_params[committee.MEETING_PARAM] = str(created)
                st.rerun()
        else:
            st.caption("La création d'une réunion est réservée au rôle qualité.")
        st.caption("Ordre du jour provisoire, calculé sur la période des filtres : créez la réunion pour y "
                   "noter participants, analyses et décisions.")
else:
    meeting = store.meeting(chosen)
    period, site = meeting.period, meeting.site
    # Notes and decisions are typed out of projector mode: on the projector only the navigation is a button.
    writable = meeting.is_open and access.can_write() and not selection.projector
    if not selection.projector:
        st.subheader(f"Réunion du {formats.date_fr(meeting.day)} · période revue : {period.label_fr} · "
                     f"{site or 'Ensemble de la structure'}", anchor=False)
        if not meeting.is_open:
            st.info(f"Réunion close le {formats.datetime_fr(meeting.closed_on)} : elle se consulte en lecture "
                    "seule.", icon=":material/lock:")
        if selection.period is not None and (selection.period != period or selection.site != site):
            st.caption("La réunion porte sur sa propre période et son site : les filtres de la barre latérale ne "
                       "s'appliquent pas à cet ordre du jour.")
        if meeting.participants:
            st.markdown("**Participants** : " + md(", ".join(meeting.participants)))
        else:
            st.caption("Aucun participant enregistré.")
    if writable:
        with st.expander("Modifier la liste des participants"):
            committee.participants_form(meeting)
        with st.expander("Corriger la date ou la période revue"):
            committee.meeting_correction_form(meeting)

agenda = committee.agenda(meeting, period, site)
links = Filters(period.grain, period, site, selection.projector).query_params()
screen = None
if selection.projector:  # the compact header first: the meeting, the point and its screen
    per_row = 3
    screens = [max(len(committee.item_blocks(item, agenda, links, per_row=per_row, projector=True)), 1)
               for item in agenda.items]
    where = (committee.meeting_label(meeting) if meeting is not None
             else f"Ordre du jour provisoire · {period.label_fr} · {site or 'Ensemble'}")
    point, screen = projector.committee_bar(screens, where)
    points = [agenda.items[point - 1]]
else:
    per_row = 4
    points = agenda.items
if meeting is not None and not meeting.is_open:
    agenda = committee.closed_record(meeting, agenda)
tiles.coverage_warning(period, agenda.coverage_gaps)
if agenda.previous is not None and not selection.projector:
    label = committee.meeting_label(agenda.previous)
    st.caption(f"Suit la {md(label[0].lower() + label[1:])}.")
for item in points:
    committee.render_item(item, agenda, links, per_row=per_row, screen=screen)
    if writable and item.key == "nouvelles_decisions":
        committee.decision_form(meeting)
        committee.decision_corrections(meeting)
    if meeting is not None and item.key == "nouvelles_decisions":
        committee.decision_history(meeting)
    if writable:
        with st.expander(f"Note de séance du point {item.number}"):
            committee.note_form(meeting, item)

if not selection.projector:
    st.header("Dossier du comité (PDF)", divider="gray", anchor=False)
    downloads.committee_pack_section(agenda, meeting)

if writable and not selection.projector:
    st.header("Clôture de la réunion", divider="gray", anchor=False)
    committee.close_form(meeting)

if not meetings.empty and not selection.projector:
    st.header("Réunions enregistrées", divider="gray", anchor=False)
    committee.meetings_table(meetings)
