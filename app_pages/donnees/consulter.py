"""Données: the import journal with undo and downloads, a browser of live rows, data freshness."""

import pandas as pd
import streamlit as st

from pilotage_qualite.common import formats, months
from pilotage_qualite.common.text import md
from pilotage_qualite.reports import data_admin, exports, import_report
from pilotage_qualite.reports.selections import latest_data_date
from pilotage_qualite.store.database import APPLIED, StoreError
from pilotage_qualite.ui import access, actions, charts, context, downloads, errors, french_inputs, tables

store = context.store()
datasets = store.datasets
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
st.title("Données importées")
for level, text in st.session_state.pop("messages_donnees", []):
    (st.success if level == "ok" else st.error)(text)


PENDING_UNDO = "annulation_demandee"


def forget_pending_undo() -> None:
    st.session_state.pop(PENDING_UNDO, None)


# The dialog stays open across full reruns (session state) until it is confirmed or dismissed.
@st.dialog("Annuler un import", on_dismiss=forget_pending_undo)
@errors.guarded  # its reruns run it alone, outside the page's boundary
def confirm_undo(import_id: int) -> None:
    try:
        preview = store.undo_preview(import_id)
    except StoreError as exc:
        st.error(md(exc))
        return
    if preview["bloque_par"] is not None:
        st.warning(f"L'import n° {import_id} ne peut pas être annulé : l'import n° {preview['bloque_par']} a depuis "
                   f"remplacé certaines de ses lignes. Annulez d'abord l'import n° {preview['bloque_par']}.")
        return
    st.markdown(data_admin.undo_question(preview, md(preview["fichier"])))
    if st.button("Oui, annuler l'import", type="primary", icon=":material/undo:", key="confirmer_annulation"):
        forget_pending_undo()
        try:
            actions.undo_import(import_id)
            st.session_state["messages_donnees"] = [("ok", data_admin.undo_done_message(import_id, preview))]
        except actions.WRITE_ERRORS as exc:
            st.session_state["messages_donnees"] = [("error", md(exc))]
        st.rerun()


# --- journal -------------------------------------------------------------------------------------

st.header("Journal des imports", divider="gray")
journal = store.journal()
if journal.empty:
    st.info("Aucun import pour l'instant : déposez vos tableurs dans la page Import.")
else:
    journal_shown = data_admin.journal_table(journal, datasets)
    by_id = journal.set_index("id")
    # On screen the state is short, « annulé 05/12/2026 », its column wide enough: at 1280 px with the
    # sidebar open « annulé le 05/12/2026 à 14:02 par … » was cut. The hour and who undid the import
    # are in the download and in the import's detail below.
    states = [state if state == APPLIED else f"{state} {formats.date_fr(pd.Timestamp(when))}"
              for state, when in zip(by_id.loc[journal_shown["N°"], "etat"], by_id.loc[journal_shown["N°"], "annule_le"])]
    tables.table(journal_shown.assign(**{"État": states}),
                 {"N°": st.column_config.NumberColumn(format="%d"), "État": st.column_config.TextColumn(width=150),
                  "Résultat": st.column_config.TextColumn(width="large")})
    downloads.table_downloads(journal_shown, "journal des imports", sheet_name="Journal")
    ids = [int(i) for i in sorted(by_id.index, reverse=True)]
    wanted = st.query_params.get("import")
    default = ids.index(int(wanted)) if wanted and wanted.isdigit() and int(wanted) in ids else 0

    def describe(import_id: int) -> str:
        row = by_id.loc[import_id]
        return (f"n° {import_id} · {formats.datetime_fr(pd.Timestamp(row['date']).to_pydatetime())} · "
                f"{row['fichier']} ({row['jeu']})")

    chosen = st.selectbox("Détail d'un import", ids, index=default, format_func=describe, key="import_choisi",
                          placeholder="Choisir un import…")
    row = by_id.loc[chosen]
    with st.container(border=True):
        st.markdown(f"**Import n° {chosen}** · « {md(row['fichier'])} » · jeu {md(datasets[row['jeu']].label)} "
                    f"· par {md(row['utilisateur'])} le {formats.datetime_fr(pd.Timestamp(row['date']).to_pydatetime())}")
        for fact in data_admin.import_facts(row):
            st.caption(md(fact))
        counts = import_report.journal_counts(row)
        read, added, replaced, rejected = st.columns(4)
        read.metric("Lignes lues", formats.number(counts.read))
        if counts.new is not None:  # a keyed register, in the quality lead's words
            added.metric("Nouvelles", formats.number(counts.new))
            replaced.metric("Mises à jour", formats.number(counts.modified + counts.unchanged),
                            help=f"Dont {formats.number(counts.unchanged)} inchangée(s) : même contenu qu'avant l'import.")
        else:
            added.metric("Ajoutées", formats.number(counts.added))
            replaced.metric("Remplacées", formats.number(counts.replaced))
        rejected.metric("Rejetées", formats.number(counts.rejected))
        buttons = st.columns(3)
        if access.can_write():
            buttons[0].download_button("Fichier d'origine", data=lambda import_id=chosen: actions.kept_file(import_id), file_name=str(row["fichier"]),
                                       icon=":material/description:", on_click="ignore", key=f"origine_{chosen}",
                                       help="La copie conservée du fichier tel qu'il a été déposé (rôle qualité).")
        rejected_rows = store.rejected_rows(chosen)
        if len(rejected_rows):
            buttons[1].download_button("Rejets (Excel)", data=lambda: exports.excel_bytes(rejected_rows, "Rejets"),
                                       file_name=f"rejets-import-{chosen}.xlsx", mime=XLSX, on_click="ignore",
                                       icon=":material/download:", key=f"rejets_{chosen}")
        if row["etat"] == APPLIED and access.can_write():
            buttons[2].button("Annuler cet import", icon=":material/undo:", key=f"annuler_{chosen}",
                              on_click=lambda i=chosen: st.session_state.update({PENDING_UNDO: i}))
        elif row["etat"] != APPLIED:
            buttons[2].caption(f"Annulé le {formats.datetime_fr(pd.Timestamp(row['annule_le']).to_pydatetime())} "
                               f"par {md(row['annule_par'])}.")
        if len(rejected_rows):
            rejected_count = data_admin.plural(int(row["lignes_rejetees"]), "ligne rejetée", "lignes rejetées")
            st.markdown(f"**Rejets et avertissements** ({rejected_count}, "
                        f"{data_admin.plural(len(rejected_rows), 'signalement')})")
            tables.wrapped_table(rejected_rows, tables.PROBLEM_HEADINGS)

if (pending := st.session_state.get(PENDING_UNDO)) is not None:
    confirm_undo(int(pending))

# --- browser ----------------------------------------------------------------------------------------

st.header("Parcourir les données", divider="gray")
names = list(datasets)
left, middle, right, last = st.columns([2, 2, 1, 1])
dataset_name = left.selectbox("Jeu de données", names, format_func=lambda n: f"{datasets[n].label} ({n})",
                              key="jeu_parcouru", placeholder="Choisir un jeu de données…")
dataset = datasets[dataset_name]
site = None
if dataset.has_site:
    site_choice = middle.selectbox("Site", ["Tous les sites", *context.site_names()], key="site_parcouru",
                                   placeholder="Choisir un site…")
    site = None if site_choice == "Tous les sites" else site_choice
date_from = date_to = None
if dataset.reference_date:
    typed = [french_inputs.date_field("Du", key="du_parcouru", place=right),
             french_inputs.date_field("Au", key="au_parcouru", place=last)]
    french_inputs.say_errors(*typed)
    date_from, date_to = (field.day for field in typed)
rows, total = store.browse(dataset_name, site=site, date_from=date_from, date_to=date_to)
shown = f"les {formats.number(len(rows))} plus récentes affichées" if total > len(rows) else "toutes affichées"
st.caption(f"{formats.number(total)} ligne(s) en vigueur ({shown}), avec le fichier et la ligne d'origine de chacune."
           + (f" Date de référence : {dataset.reference_date}." if dataset.reference_date else ""))
tables.table(rows, tables.french_dates(dataset))
downloads.table_downloads(rows, f"{dataset_name} {site or 'tous les sites'}", key="telecharger-jeu-parcouru",
                          sheet_name=dataset.label)

# --- freshness --------------------------------------------------------------------------------------

st.header("Fraîcheur des données", divider="gray")
reference = latest_data_date(context.data_summary())
counts = {name: context.monthly_counts(name) for name in names}
st.caption(f"Par jeu et par site : première et dernière donnée, et les mois sans aucune ligne parmi les "
           f"{data_admin.FRESHNESS_MONTHS} derniers"
           + (f" (jusqu'à {months.month_fr(reference)})" if reference else "")
           + ". Un mois vide est un trou, pas un zéro ; pour un registre tenu par état (effectifs, documents, "
             "constats d'audit) un mois sans ligne peut être normal.")
freshness_table = data_admin.freshness(counts, datasets, reference)
tables.table(freshness_table, {"Mois sans données": st.column_config.TextColumn(width="large")})
downloads.table_downloads(freshness_table, "fraicheur des donnees", sheet_name="Fraîcheur")
dated = [n for n in names if datasets[n].reference_date]
shown = st.selectbox("Mois par mois", dated, index=dated.index("activite") if "activite" in dated else 0,
                     format_func=lambda n: f"{datasets[n].label} ({n})", key="jeu_fraicheur",
                     placeholder="Choisir un jeu de données…")
grid = data_admin.freshness_grid(counts[shown], reference)
if grid.empty:
    st.info(f"Aucune ligne datée dans le jeu {datasets[shown].label}.")
else:
    charts.show(data_admin.freshness_chart, grid, f"{datasets[shown].label} : lignes par mois et par site "
                                                     "(36 derniers mois)")
