"""The Comité page's pieces: the agenda from cache, each point drawn, and the meeting's forms.

The agenda itself is built by :mod:`pilotage_qualite.reports.agenda` (pure data, the committee pack
renders the same). Every write goes through :mod:`ui.actions`, which checks the qualité role on the server
side and through the store, which refuses writes to a closed meeting. Text typed by users
(attendees, notes, decisions) is shown escaped (Markdown made inert) or in tables, never as HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.common.text import md
from pilotage_qualite.model.meetings import Meeting
from pilotage_qualite.model.periods import Period, parse_period
from pilotage_qualite.reports import agenda as agenda_module
from pilotage_qualite.reports.meeting_record import as_recorded, changes_since, record_parts, recorded_tiles
from pilotage_qualite.reports.selections import Tile
from pilotage_qualite.ui import actions, charts, comments, context, filters, french_inputs, process, tiles

MESSAGE_KEY = "message_comite"
MEETING_PARAM = "reunion"


@st.cache_data(show_spinner="Préparation de l'ordre du jour…", max_entries=16)
def _agenda(database: str, base_version: tuple, meeting_id: int | None, grain: str, debut: str,
            site: str | None) -> agenda_module.Agenda:
    period = Period(grain, dt.date.fromisoformat(debut))
    store = context.store()
    meeting = store.meeting(meeting_id) if meeting_id is not None else None
    return agenda_module.build_agenda(store, context.catalogue(), context.results(period), period, site,
                                      meeting=meeting)


def agenda(meeting: Meeting | None, period: Period, site: str | None) -> agenda_module.Agenda:
    """The agenda of a meeting (its own period and site), or of the filters' period before one is created."""
    if meeting is not None:
        period, site = meeting.period, meeting.site
    return _agenda(str(context.store().path), context.version(), None if meeting is None else meeting.id,
                   period.grain, period.debut.isoformat(), site)


def closed_record(meeting: Meeting, today: agenda_module.Agenda) -> agenda_module.Agenda:
    """A closed meeting's agenda with the figures it showed (its record), and above it what has
    changed since in today's figures for its period, and the record's fingerprint."""
    record = context.store().meeting_record(meeting.id)
    if not record:  # closed before records were kept
        st.caption("Réunion close avant la conservation des relevés : ses chiffres sont ceux d'aujourd'hui.")
        return today
    recorded = recorded_tiles(record)
    changed = changes_since(recorded, today.tiles)
    if changed:
        st.warning(f"{len(changed)} indicateur(s) ont changé depuis la réunion (cible modifiée ou données importées "
                   "depuis) : la réunion reste montrée avec les chiffres qu'elle a vus.", icon=":material/history:")
        with st.expander("Voir ce qui a changé depuis la réunion"):
            st.markdown("\n".join(f"- {md(line)}" for line in changed))
    st.caption(f"Chiffres tels que montrés en réunion (relevé conservé à la clôture, empreinte {meeting.fingerprint[:16]}…, "
               f"vérifiable par « verifier {meeting.id} »).")
    return as_recorded(today, recorded)


def meeting_label(meeting: Meeting) -> str:
    """« Réunion du 23/11/2026 · 3e trimestre 2026 · Ensemble · close »."""
    return _label(meeting.day, meeting.period, meeting.site, meeting.status)


def listed_meeting_label(row: pd.Series) -> str:
    """The same label for a row of ``Store.meetings()``."""
    site = row["site"] if isinstance(row["site"], str) else None
    return _label(pd.Timestamp(row["date_reunion"]).date(), parse_period(row["periode"]), site, row["statut"])


def _label(day: dt.date, period: Period, site: str | None, status: str) -> str:
    return f"Réunion du {formats.date_fr(day)} · {period.label_fr} · {site or 'Ensemble'} · {status}"


def flash(message: str) -> None:
    """A confirmation shown after the rerun that follows a write."""
    st.session_state[MESSAGE_KEY] = message


def show_flash() -> None:
    if message := st.session_state.pop(MESSAGE_KEY, None):
        st.success(message, icon=":material/task_alt:")


def write(action, message: str) -> bool:
    """Run one write of :mod:`ui.actions` (which checks the qualité role); a refusal is shown in French,
    never as a traceback."""
    try:
        action()
    except actions.WRITE_ERRORS as exc:
        st.error(str(exc))
        return False
    flash(message)
    return True


# --- one agenda point ------------------------------------------------------------------------

def render_table(table: agenda_module.AgendaTable) -> None:
    st.markdown(f"**{md(table.title)}**")
    if table.data.empty:
        st.caption(table.empty)
    else:
        process.show_table(table.data, table.columns, file_name=table.title, wrap=True)


def render_trend(trend: agenda_module.Trend, tile: Tile, agenda: agenda_module.Agenda,
                 query_params: dict[str, str]) -> None:
    """One indicator off target: its tile and analysis beside its trend chart."""
    left, right = st.columns([1, 2], vertical_alignment="top")
    with left:
        tiles.render_tile(tile, query_params)
        if trend.comment is None:
            st.caption("Aucune analyse écrite pour la période (fiche indicateur, rubrique « Analyse »).")
        else:
            with st.container(border=True):
                st.markdown("**Analyse** : " + comments.as_text(trend.comment["texte"]))
                st.caption(f"{trend.comment['auteur']}, le {formats.datetime_fr(trend.comment['date'])}")
    with right:
        if trend.rows["valeur"].notna().any():
            # The chart shares the width with its tile: its title and key wrap (Vega cuts them).
            charts.show(charts.screen_trend_chart, trend.rows, f"{trend.title} — {agenda.where}",
                        f"{len(trend.rows)} dernières périodes", wrap_at=44, events=trend.events,
                        data_key=(context.version(), trend.indicator, agenda.period.label, agenda.site))
        else:
            st.caption(f"{trend.title} : {formats.NO_DATA} sur les dernières périodes.")


PROJECTOR_TILES = 3  # one row of three tiles fits a 1280×720 screen under the bar
PROJECTOR_TABLE_ROWS = 8


def _table_screens(table: agenda_module.AgendaTable, rows: int | None) -> list[agenda_module.AgendaTable]:
    """A long table cut into screens of ``rows`` rows (titled « … (2/3) »); whole when ``rows`` is None."""
    size = len(table.data)
    if rows is None or size <= rows:
        return [table]
    parts = range(0, size, rows)
    return [agenda_module.AgendaTable(f"{table.title} ({k + 1}/{len(parts)})", table.data.iloc[start:start + rows],
                                      table.columns, table.empty) for k, start in enumerate(parts)]


def item_blocks(item: agenda_module.AgendaItem, agenda: agenda_module.Agenda, query_params: dict[str, str], *,
                per_row: int, projector: bool = False) -> list[Callable[[], None]]:
    """What a point shows after its facts, in order: each indicator off target (tile, analysis and
    trend), the tiles, each table, the note. On the projector each block is one screen, long tables
    and tile grids cut to fit."""
    blocks: list[Callable[[], None]] = []
    if item.trends:
        by_id = {tile.indicator: tile for tile in item.tiles}
        blocks += [partial(render_trend, trend, by_id[trend.indicator], agenda, query_params) for trend in item.trends]
    elif item.tiles:
        size = PROJECTOR_TILES if projector else len(item.tiles)
        blocks += [partial(tiles.render_grid, item.tiles[start:start + size], query_params, per_row=per_row)
                   for start in range(0, len(item.tiles), size)]
    for table in item.tables:
        blocks += [partial(render_table, part) for part in
                   _table_screens(table, PROJECTOR_TABLE_ROWS if projector else None)]
    if item.note:
        blocks.append(partial(_render_note, item.note))
    return blocks


def _render_note(note: str) -> None:
    with st.container(border=True):
        st.markdown("**Note de séance** : " + comments.as_text(note))


def render_item(item: agenda_module.AgendaItem, agenda: agenda_module.Agenda, query_params: dict[str, str], *,
                per_row: int, screen: int | None = None) -> None:
    """A point: its title, missing data and facts, then its blocks (:func:`item_blocks`): all of
    them, or on the projector only those of ``screen`` (its facts come with the first)."""
    blocks = item_blocks(item, agenda, query_params, per_row=per_row, projector=screen is not None)
    st.header(f"{item.number}. {item.title}", divider="gray", anchor=False)
    if screen is None or screen == 1:
        for label in item.missing:
            st.info(f"Aucune donnée « {label} » n'a encore été importée : ce point ne peut pas être documenté.",
                    icon=":material/upload_file:")
        for fact in item.facts:
            st.markdown(f"- {md(fact)}")
    for block in blocks if screen is None else blocks[screen - 1:screen]:
        block()


# --- forms ----------------------------------------------------------------------------------------

def note_form(meeting: Meeting, item: agenda_module.AgendaItem) -> None:
    with st.form(f"note_{item.number}", clear_on_submit=True):
        text = st.text_area(f"Note de séance du point {item.number}", key=f"note_texte_{item.number}",
                            placeholder="Ce qui a été dit, les analyses partagées…")
        submitted = st.form_submit_button("Enregistrer la note", icon=":material/edit_note:")
    if submitted and write(lambda: actions.add_note(meeting.id, item.number, text),
                           f"Note du point {item.number} enregistrée."):
        st.rerun()


def participants_form(meeting: Meeting) -> None:
    with st.form("participants"):
        text = st.text_area("Participants (un par ligne)", value="\n".join(meeting.participants),
                            key="participants_texte")
        submitted = st.form_submit_button("Enregistrer les participants", icon=":material/group:")
    if submitted and write(lambda: actions.set_participants(meeting.id, text.splitlines()),
                           "Liste des participants enregistrée."):
        st.rerun()


def decision_form(meeting: Meeting) -> None:
    with st.form("decision", clear_on_submit=True):
        text = st.text_area("Décision", key="decision_texte", placeholder="Ce que le comité décide…")
        catalogue = context.catalogue()
        concerned = st.multiselect("Indicateurs concernés", catalogue.ids, key="decision_indicateurs",
                                   format_func=lambda code: f"{code} · {catalogue[code].titre}",
                                   placeholder="les indicateurs que la décision vise à améliorer")
        create = st.checkbox("Créer une action du plan d'amélioration", key="decision_action")
        pilot, due = st.columns(2)
        pilote = pilot.text_input("Pilote de l'action", key="decision_pilote",
                                  placeholder="fonction ou équipe, par exemple « responsable qualité »")
        echeance = french_inputs.date_field("Échéance de l'action", key="decision_echeance", place=due)
        submitted = st.form_submit_button("Enregistrer la décision", icon=":material/gavel:")
    if not submitted or french_inputs.say_errors(echeance):  # a date not understood: said, nothing recorded
        return
    recorded: list[dict] = []
    if write(lambda: recorded.append(actions.add_decision(
            meeting.id, text, pilote=pilote, echeance=echeance.day, create_action=create, indicateurs=concerned)),
             "Décision enregistrée."):
        if recorded[0]["action_numero"]:
            flash(f"Décision enregistrée ; action {recorded[0]['action_numero']} ajoutée au plan d'amélioration "
                  "(origine « revue de direction »).")
        st.rerun()


def meeting_correction_form(meeting: Meeting) -> None:
    """The date and the reviewed period of an open meeting, corrected (the earlier version kept)."""
    offered = [p for p in filters.offered_periods(meeting.period.grain).periods]
    if meeting.period not in offered:
        offered.insert(0, meeting.period)
    with st.form("correction_reunion"):
        day, period = st.columns(2)
        new_day = french_inputs.date_field("Date de la réunion", value=meeting.day, place=day,
                                           key="correction_date_reunion", required="la date de la réunion")
        new_period = period.selectbox("Période revue", offered, index=offered.index(meeting.period),
                                      format_func=lambda p: p.label_fr, key="correction_periode_reunion",
                                      placeholder="Choisir la période…")
        submitted = st.form_submit_button("Corriger la réunion", icon=":material/edit_calendar:")
    if submitted and not french_inputs.say_errors(new_day) and write(
            lambda: actions.correct_meeting(meeting.id, new_day.day, new_period),
            "Réunion corrigée (la version précédente est gardée)."):
        st.rerun()


def decision_corrections(meeting: Meeting) -> None:
    """Each decision of an open meeting may be corrected or withdrawn (a new version, the earlier kept)."""
    for number, decision in enumerate(meeting.decisions, start=1):
        with st.expander(f"Corriger ou retirer la décision {number}"):
            with st.form(f"correction_{decision.id}"):
                text = st.text_area("Texte corrigé", value=decision.text, key=f"correction_texte_{decision.id}")
                fix, withdraw = st.columns(2)
                fixed = fix.form_submit_button("Enregistrer la correction", icon=":material/edit:")
                withdrawn = withdraw.form_submit_button("Retirer la décision", icon=":material/delete:")
            if fixed and write(lambda d=decision.id, t=text: actions.correct_decision(d, t),
                               f"Décision {number} corrigée (la version précédente est gardée)."):
                st.rerun()
            if withdrawn:
                kept = (f" L'action {decision.action_number} qu'elle a ouverte reste au plan d'amélioration : "
                        "annulez son import dans la page Données si elle n'a plus lieu d'être."
                        if decision.action_number else "")
                if write(lambda d=decision.id: actions.correct_decision(d, None),
                         f"Décision {number} retirée (son texte reste dans l'historique).{kept}"):
                    st.rerun()


def decision_history(meeting: Meeting) -> None:
    """The versions of the meeting's decisions, when one was corrected or withdrawn."""
    history = context.store().decision_history(meeting.id)
    if (history["version"] > 1).any():
        with st.expander("Historique des décisions (corrections et retraits)"):
            process.show_table(history, {"decision": "Décision n°", "version": "Version", "etat": "État",
                                         "texte": "Texte", "auteur": "Par", "ecrit_le": "Le"},
                               file_name="historique des décisions", wrap=True)


def close_form(meeting: Meeting) -> None:
    with st.form("cloture"):
        st.markdown("Une réunion close ne peut plus être modifiée : elle se consulte en lecture seule.")
        sure = st.checkbox("Je confirme la clôture de la réunion", key="cloture_confirmee")
        submitted = st.form_submit_button("Clore la réunion", icon=":material/lock:")
    if not submitted:
        return
    if not sure:
        st.warning("Cochez la confirmation pour clore la réunion.")
        return
    shown = agenda(meeting, meeting.period, meeting.site)
    closed = f"Réunion du {formats.date_fr(meeting.day)} close : son relevé est conservé avec son empreinte."
    if not write(lambda: actions.close_meeting(meeting.id, lambda: record_parts(shown, context.catalogue())), closed):
        return
    # Its pack is archived at once, the closing's fingerprint on its cover: the evidence an auditor asks for.
    from pilotage_qualite import startup
    from pilotage_qualite.reports import pack  # vl-convert and fpdf2: loaded when a pack is made

    shown.meeting = context.store().meeting(meeting.id)
    structure = startup.structure_name(context.settings().structure, context.store())
    try:
        with st.spinner("Production et archivage du dossier du comité…"):
            pack_id = actions.archive_pack(meeting.id, lambda: pack.render_pack(shown, structure=structure))
        flash(f"{closed} Dossier du comité archivé avec elle (n° {pack_id}).")
    except (*actions.WRITE_ERRORS, pack.PackError) as exc:
        flash(f"{closed} Le dossier n'a pas pu être archivé ({exc}) : produisez-le depuis « Dossier du comité ».")
    st.rerun()


def create_form(period: Period, site: str | None) -> int | None:
    """A new meeting reviewing the filters' period and site; returns its id once created."""
    with st.form("nouvelle_reunion"):
        st.markdown(f"Période revue : **{period.label_fr}** · **{md(site or 'Ensemble de la structure')}** "
                    "(filtres de la barre latérale)")
        typed = french_inputs.date_field("Date de la réunion", value=dt.date.today(), key="reunion_date",
                                         required="la date de la réunion")
        submitted = st.form_submit_button("Créer la réunion", icon=":material/add:", type="primary")
    if not submitted or french_inputs.say_errors(typed):
        return None
    day = typed.day
    created: list[int] = []
    if write(lambda: created.append(actions.create_meeting(day, period.grain, period.label, site)),
             f"Réunion du {formats.date_fr(day)} créée."):
        return created[0]
    return None


def meetings_table(meetings: pd.DataFrame) -> None:
    """Every meeting, newest first (choose one above to reopen it)."""
    shown = meetings.assign(
        periode_fr=[parse_period(label).label_fr for label in meetings["periode"]],
        site_fr=[site if isinstance(site, str) else "Ensemble" for site in meetings["site"]],
        close_fr=[formats.datetime_fr(pd.Timestamp(v).to_pydatetime()) if pd.notna(v) else "" for v in meetings["close_le"]])
    process.show_table(shown, {"date_reunion": "Date", "periode_fr": "Période revue", "site_fr": "Site",
                               "statut": "Statut", "decisions": "Décisions", "cree_par": "Créée par",
                               "close_fr": "Close le"})
