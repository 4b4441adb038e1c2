"""Import: drop spreadsheets, see what was recognised and what will be written, then confirm.

Nothing is written before the user confirms. A file already imported (same content, same
dataset) is never written twice: this session remembers what it imported, and the store
refuses an identical file anyway (a rerun, a second click, another session).
"""

import json

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.common.text import md, normalize_header
from pilotage_qualite.intake import templates, uploads
from pilotage_qualite.intake.file_formats import ACCEPTED_EXTENSIONS, ACCEPTED_TEXT, MACROS_REFUSED
from pilotage_qualite.reports import data_admin, exports, import_report
from pilotage_qualite.reports.meeting_record import reviewed_warning
from pilotage_qualite.ui import access, actions, context, demo, french_inputs, tables

VALID_ROWS, ALL_OR_NOTHING = "Importer les lignes valides", "Tout ou rien"
IGNORE_LABEL = "— ignorer cette colonne —"

store = context.store()
datasets = store.datasets
state = st.session_state
options_by_file = state.setdefault("import_options", {})  # content hash -> corrections made by hand
outcomes = state.setdefault("import_outcomes", {})  # (hash, options) -> UploadOutcome
previews = state.setdefault("import_apercus", {})  # (hash, options, base version) -> ImportCounts
coverage_by_file = state.setdefault("import_couvertures", {})  # content hash -> coverage set by hand

st.title("Import des tableurs")

for level, text in state.pop("messages_import", []):
    (st.success if level == "ok" else st.warning)(text, icon=":material/task_alt:" if level == "ok" else None)
    if "voir les rejets" in text:
        st.page_link("app_pages/donnees/consulter.py", label="Voir les rejets dans la page Données", icon=":material/table_view:")

if not access.can_write():
    st.info("L'import est réservé au rôle qualité. Vous pouvez consulter les données dans la page Données.")
    st.stop()

demo.import_warning()  # while the base holds the demonstration, offer to empty it first


def dataset_label(name: str | None) -> str:
    return "—" if name is None else f"{datasets[name].label} ({name})"


def column_label(dataset_name: str):
    dataset = datasets[dataset_name]

    def label(name: str | None) -> str:
        if name is None:
            return IGNORE_LABEL
        column = dataset.column(name)
        return f"{name} · {column.label}" + (" (obligatoire)" if column.required else "")
    return label


# --- templates -------------------------------------------------------------------------------

with st.expander("Modèles d'import : un classeur Excel par jeu de données", icon=":material/download:"):
    st.caption("Chaque modèle a une feuille « Données » avec les en-têtes attendus et des listes de choix, "
               "et une feuille « Instructions » qui décrit chaque colonne.")
    columns = st.columns(3)
    for position, dataset in enumerate(datasets.values()):
        columns[position % 3].download_button(
            dataset.label, data=lambda d=dataset: templates.template_bytes(d), file_name=templates.template_name(dataset),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/table:",
            on_click="ignore", key=f"modele_{dataset.name}", width="stretch")

# --- files -----------------------------------------------------------------------------------

mode = st.radio("Lignes en erreur", [VALID_ROWS, ALL_OR_NOTHING], horizontal=True, key="import_mode",
                help="« Importer les lignes valides » écrit les lignes correctes et garde les autres dans les "
                     "rejets ; « Tout ou rien » n'écrit un fichier que s'il n'a aucune ligne rejetée.")
uploaded = st.file_uploader("Déposez un ou plusieurs fichiers (Excel, OpenDocument, CSV)",
                            type=list(ACCEPTED_EXTENSIONS), accept_multiple_files=True, key="import_fichiers",
                            max_upload_size=context.settings().max_upload_mb, help=MACROS_REFUSED)
st.caption(f"{context.settings().max_upload_mb} Mo au plus par fichier · formats : "
           + ACCEPTED_TEXT + " (classeurs sans macros).")
if not uploaded:
    st.caption("Le fichier est lu, reconnu et vérifié ; rien n'est écrit avant votre confirmation.")
    st.stop()

files: dict[str, tuple[str, bytes]] = {}
for upload in uploaded:
    content = upload.getvalue()
    files.setdefault(uploads.content_hash(content)[:16], (upload.name, content))  # a short key for widgets
for cache in (outcomes, previews):  # forget files no longer dropped
    for key in [k for k in cache if k[0] not in files]:
        del cache[key]

remembered = store.remembered_mappings()
running = state.get("import_en_cours")


def outcome_key(file_hash: str) -> tuple:
    options = options_by_file.get(file_hash, {})
    return file_hash, json.dumps(options, sort_keys=True), json.dumps(sorted(remembered))


def counts_for(file_hash: str, outcome: uploads.UploadOutcome):
    """What confirming would write, against the base as it is now (cached per base version)."""
    key = (*outcome_key(file_hash), context.version())
    if key not in previews:
        previews[key] = store.preview(outcome.prepared.batch)
    return previews[key]


def outcome_for(file_hash: str, name: str, content: bytes) -> uploads.UploadOutcome:
    options = options_by_file.get(file_hash, {})
    key = outcome_key(file_hash)
    if key not in outcomes:
        shown = md(name)
        with st.status(f"Préparation de « {shown} »…", expanded=False) as status:
            outcomes[key] = uploads.prepare(
                content, name, datasets, secret=context.secret(), limits=context.limits(),
                dataset=options.get("dataset"), sheet=options.get("sheet"), header_row=options.get("header_row"),
                manual=options.get("manual"), remembered=None if options.get("ignorer_memoire") else remembered,
                progress=lambda label: status.update(label=f"{label} — « {shown} »…"),
                indicators=context.catalogue().ids)
            status.update(label=f"« {shown} » lu et vérifié" if outcomes[key].ok else f"« {shown} » non reconnu",
                          state="complete" if outcomes[key].ok else "error")
    return outcomes[key]


def set_options(file_hash: str, **changes) -> None:
    options = dict(options_by_file.get(file_hash, {}))
    options.update({k: v for k, v in changes.items()})
    options_by_file[file_hash] = {k: v for k, v in options.items() if v not in (None, {}, "")}


def start_import(file_hashes: list[str]) -> None:
    state["import_en_cours"] = file_hashes


def write(file_hashes: list[str], ready: dict) -> None:
    """Apply the confirmed files, one transaction each; never twice the same content."""
    messages = []
    try:
        bar = st.progress(0.0, text="Écriture dans la base…") if len(file_hashes) > 1 else None
        for position, file_hash in enumerate(file_hashes):
            outcome, name = ready[file_hash]
            batch = outcome.prepared.batch
            with st.status(f"Écriture de « {md(name)} » dans la base…", expanded=False) as status:
                new_mapping = outcome.manual and outcome.signature and not outcome.remembered
                import_id, counts, remembered = actions.apply_import(  # refuses a file already applied
                    batch, (outcome.signature, outcome.manual) if new_mapping else None)
                if import_id is None:
                    messages.append(("warn", data_admin.already_imported_message(md(name), counts)))
                else:
                    message = data_admin.import_done_message(import_id, md(name), counts)
                    if remembered:
                        message += (" Correspondance des colonnes mémorisée pour les prochains fichiers de même "
                                    "forme.")
                    messages.append(("ok", message))
                status.update(label=f"« {md(name)} » : écrit", state="complete")
            if bar is not None:
                bar.progress((position + 1) / len(file_hashes), text=f"{position + 1} fichier(s) sur {len(file_hashes)}")
    except actions.WRITE_ERRORS as exc:
        messages.append(("warn", md(str(exc))))
    finally:
        state.pop("import_en_cours", None)
    state["messages_import"] = messages
    st.rerun()


def render_unrecognised(file_hash: str, name: str, outcome: uploads.UploadOutcome) -> None:
    st.error(md(outcome.error), icon=":material/error:")
    if not outcome.heads:
        return
    st.markdown("**Associer les colonnes à la main** : choisissez le jeu de données, la ligne des en-têtes, "
                "puis la colonne correspondant à chaque en-tête. La correspondance sera mémorisée pour les "
                "prochains fichiers de même forme.")
    options = options_by_file.get(file_hash, {})
    left, middle, right = st.columns(3)
    names = list(datasets)
    chosen = left.selectbox("Jeu de données", names, format_func=dataset_label, key=f"jeu_manuel_{file_hash}",
                            index=names.index(options["dataset"]) if options.get("dataset") in names else None,
                            placeholder="Choisir le jeu…")
    sheets = [h.name for h in outcome.heads]
    sheet = middle.selectbox("Feuille", sheets, key=f"feuille_manuelle_{file_hash}", placeholder="Choisir la feuille…",
                             index=sheets.index(options["sheet"]) if options.get("sheet") in sheets else 0)
    head = next(h for h in outcome.heads if h.name == sheet)
    if not head.rows:
        st.warning("Cette feuille est vide.")
        return
    row = right.number_input("Ligne d'en-tête", min_value=1, max_value=min(30, len(head.rows)), step=1,
                             value=options.get("header_row") or uploads.guess_header_row(head.rows),
                             key=f"ligne_manuelle_{file_hash}")
    headers = uploads.headers_at(outcome, sheet, int(row))
    if not headers:
        st.warning(f"La ligne {int(row)} est vide : choisissez la ligne des titres de colonnes.")
        return
    if chosen is None:
        st.caption("En-têtes lus : " + md(" · ".join(headers)))
        return
    dataset = datasets[chosen]
    known = {form: column.name for column in dataset.columns for form in column.header_forms}
    with st.form(f"correspondance_manuelle_{file_hash}"):
        st.markdown(f"**Colonnes de « {md(name)} » → jeu {md(dataset.label)}**")
        st.caption("Colonnes obligatoires : " + ", ".join(f"{c.name} ({c.label})" for c in dataset.required_columns))
        picks = {}
        choices = [None, *dataset.column_names]
        grid = st.columns(3)
        for position, header in enumerate(headers):
            guess = known.get(normalize_header(header))
            picks[header] = grid[position % 3].selectbox(
                md(header), choices, index=choices.index(guess) if guess in choices else 0,
                format_func=column_label(chosen), key=f"manuel_{file_hash}_{chosen}_{position}",
                placeholder="Choisir la colonne…")
        submitted = st.form_submit_button("Relire le fichier avec cette correspondance", type="primary",
                                          icon=":material/refresh:")
    if submitted:
        manual = {normalize_header(h): c for h, c in picks.items() if c is not None}
        set_options(file_hash, dataset=chosen, sheet=sheet, header_row=int(row), manual=manual)
        st.rerun()


def render_corrections(file_hash: str, outcome: uploads.UploadOutcome) -> None:
    recognition = outcome.prepared.recognition
    with st.expander("Corriger la reconnaissance (jeu, feuille, ligne d'en-tête)", icon=":material/edit:"):
        names = list(datasets)
        ordered = [recognition.dataset, *recognition.alternatives,
                   *[n for n in names if n != recognition.dataset and n not in recognition.alternatives]]
        sheets = [h.name for h in outcome.heads]
        with st.form(f"correction_{file_hash}"):
            left, middle, right = st.columns(3)
            chosen = left.selectbox("Jeu de données", ordered, format_func=dataset_label, key=f"jeu_{file_hash}",
                                    placeholder="Choisir le jeu…")
            sheet = middle.selectbox("Feuille", sheets, index=sheets.index(recognition.sheet)
                                     if recognition.sheet in sheets else 0, key=f"feuille_{file_hash}",
                                     placeholder="Choisir la feuille…")
            row = right.number_input("Ligne d'en-tête", min_value=1, max_value=30, step=1,
                                     value=recognition.header_row_number, key=f"ligne_{file_hash}")
            submitted = st.form_submit_button("Relire le fichier avec ces choix", icon=":material/refresh:")
        if submitted:
            same_row = int(row) == recognition.header_row_number and sheet == recognition.sheet
            set_options(file_hash, dataset=chosen, sheet=sheet, header_row=None if same_row else int(row),
                        manual=outcome.manual if chosen == recognition.dataset else {})
            st.rerun()


def render_mapping(file_hash: str, outcome: uploads.UploadOutcome) -> None:
    recognition = outcome.prepared.recognition
    dataset = datasets[recognition.dataset]
    tables.table(uploads.mapping_table(outcome, dataset))
    unknown = uploads.unmapped_headers(outcome)
    if recognition.personal_columns:
        st.caption("Les colonnes écartées comme données personnelles ne sont jamais enregistrées "
                   "(seule la copie conservée du fichier d'origine les contient).")
    if not unknown:
        if outcome.manual:
            if st.button("Oublier les correspondances faites à la main", key=f"oubli_{file_hash}",
                         icon=":material/undo:"):
                set_options(file_hash, dataset=None, manual={}, sheet=None, header_row=None,
                            ignorer_memoire=bool(outcome.remembered))
                st.rerun()
        return
    with st.form(f"correspondance_{file_hash}"):
        st.markdown("**Associer une colonne inconnue à une colonne du jeu** (mémorisé pour les prochains "
                    "fichiers de même forme)")
        used = set(recognition.mapping.values())
        choices = [None, *[c for c in dataset.column_names if c not in used]]
        picks = {}
        grid = st.columns(3)
        for position, header in enumerate(unknown):
            picks[header] = grid[position % 3].selectbox(md(header), choices, format_func=column_label(dataset.name),
                                                         key=f"inconnue_{file_hash}_{position}",
                                                         placeholder="Choisir la colonne…")
        submitted = st.form_submit_button("Appliquer la correspondance", icon=":material/link:")
    if submitted:
        chosen = {normalize_header(h): c for h, c in picks.items() if c is not None}
        if chosen:
            set_options(file_hash, dataset=dataset.name, sheet=recognition.sheet,
                        manual={**outcome.manual, **chosen})
            st.rerun()


def render_file(file_hash: str, name: str, content: bytes, all_or_nothing: bool) -> tuple | None:
    """One dropped file; returns (outcome, name) when it can be written."""
    with st.container(border=True):
        st.subheader(f"« {md(name)} »", anchor=False)
        outcome = outcome_for(file_hash, name, content)
        if not outcome.ok:
            render_unrecognised(file_hash, name, outcome)
            return None
        dataset = datasets[outcome.prepared.recognition.dataset]
        counts = counts_for(file_hash, outcome)
        if counts.already_imported_as is not None:
            st.info(f"Déjà importé à l'identique dans le jeu {md(dataset.label)} (import n° "
                    f"{counts.already_imported_as}) : ce fichier ne sera pas réimporté. Pour le remplacer, "
                    "annulez cet import dans la page Données.", icon=":material/check_circle:")
            return None
        render_recognition(outcome, dataset)
        render_corrections(file_hash, outcome)
        render_counts(outcome.prepared, counts)
        replacement_confirmed = render_replacement(file_hash, counts)
        reviewed_confirmed = render_reviewed(file_hash, outcome)
        if not render_coverage(file_hash, outcome, dataset):
            return None
        render_file_tabs(file_hash, outcome, dataset, counts)
        if not render_import_button(file_hash, name, counts, all_or_nothing,
                                    replacement_confirmed and reviewed_confirmed):
            return None
        st.caption(f"Confirmer écrira : {import_report.changes_text(counts, future=True)}.")
        return outcome, name


def render_recognition(outcome: uploads.UploadOutcome, dataset) -> None:
    """Which dataset the file was recognised as, how surely, and from which sheet and header row."""
    recognition = outcome.prepared.recognition
    confidence = f"{recognition.confidence:.0%}".replace("%", "\u00a0%")
    st.markdown(f"**Jeu reconnu** : {md(dataset.label)} (`{dataset.name}`) · confiance {confidence} · "
                f"feuille « {md(recognition.sheet)} » · ligne d'en-tête {recognition.header_row_number}")
    if outcome.remembered:
        when = outcome.remembered.get("date")
        st.info(f"Correspondance mémorisée appliquée (saisie par {md(outcome.remembered['auteur'])}"
                + (f" le {when:%d/%m/%Y}" if when is not None else "") + ").", icon=":material/link:")
    if recognition.alternatives:
        st.caption("Autres jeux possibles : " + ", ".join(dataset_label(a) for a in recognition.alternatives)
                   + " — corrigez ci-dessous si besoin.")


def render_coverage(file_hash: str, outcome: uploads.UploadOutcome, dataset) -> bool:
    """What the file covers (a month it does not cover reads « pas de données », not 0), with the
    quality lead's correction; False while the correction cannot be."""
    batch = outcome.prepared.batch
    refused = uploads.set_coverage(outcome, dataset, coverage_by_file.get(file_hash, {}))
    if refused:
        st.error(f"Période couverte : {refused} Corrigez-la ci-dessous.", icon=":material/event_busy:")
    span = batch.coverage
    if span is None:
        st.warning("Aucune date lue : ce fichier ne couvre aucune période.", icon=":material/event_busy:")
    elif not refused:
        st.markdown(f"**Période couverte** : {md(span.label_fr())} ({uploads.coverage_reason(outcome, dataset)})")
    with st.expander("Corriger la période couverte", icon=":material/date_range:"):
        st.caption("Hors de cette période, les indicateurs de ce jeu n'auront pas de valeur (jamais 0) ; "
                   "un mois couvert sans ligne vaut 0.")
        with st.form(f"couverture_{file_hash}"):
            left, middle, right = st.columns(3)
            first = french_inputs.date_field("Du", value=span.first_day if span else None, place=left,
                                             key=f"couvre_du_{file_hash}")
            last = french_inputs.date_field("Au (inclus)", value=span.last_day if span else None, place=middle,
                                            key=f"couvre_au_{file_hash}")
            known = context.site_names()
            sites = right.multiselect("Sites couverts (vide : toute la structure)", known, key=f"sites_{file_hash}",
                                      placeholder="Toute la structure",
                                      default=[s for s in (span.sites if span else ()) if s in known])
            submitted = st.form_submit_button("Appliquer cette période", icon=":material/check:")
        if submitted and not french_inputs.say_errors(first, last):  # a date not understood: said, not applied
            coverage_by_file[file_hash] = {"du": first.day, "au": last.day, "sites": tuple(sites)}
            st.rerun()
        if batch.coverage_corrected or refused:
            st.button("Revenir à la période lue dans le fichier", key=f"couverture_fichier_{file_hash}",
                      icon=":material/undo:", on_click=forget_coverage, args=(file_hash,))
    return not refused


def forget_coverage(file_hash: str) -> None:
    """Back to the file's own coverage, the form's fields showing it again."""
    coverage_by_file.pop(file_hash, None)
    for field in ("couvre_du", "couvre_au", "sites"):
        state.pop(f"{field}_{file_hash}", None)


def render_counts(prepared, counts) -> None:
    """Rows read, to add, to replace and to reject, and the rows the reading left aside."""
    read, add, replace, reject = st.columns(4)
    read.metric("Lignes lues", formats.number(counts.read))
    if counts.new is not None:  # a keyed register: its rows in the quality lead's words
        add.metric("Nouvelles", formats.number(counts.new), help="Lignes dont la clé n'est pas encore dans les données.")
        replace.metric("Mises à jour", formats.number(counts.modified + counts.unchanged),
                       help=f"Lignes dont la clé est déjà dans les données, dont {formats.number(counts.unchanged)} inchangée(s).")
    else:
        add.metric("À ajouter", formats.number(counts.added))
        replace.metric("À remplacer", formats.number(counts.replaced),
                       help="Lignes déjà en base que ce fichier remplace (même période et même site).")
    reject.metric("À rejeter", formats.number(counts.rejected))
    notes = []
    if prepared.skipped_example_rows:
        notes.append(import_report.example_rows_text(prepared.skipped_example_rows))
    if prepared.skipped_total_rows:
        notes.append("ligne(s) de total ignorée(s) : " + ", ".join(map(str, prepared.skipped_total_rows)))
    if prepared.question_columns:
        notes.append(f"{len(prepared.question_columns)} question(s) de satisfaction gardée(s)")
    if notes:
        st.caption(" · ".join(notes))


def render_reviewed(file_hash: str, outcome: uploads.UploadOutcome) -> bool:
    """A file whose days meet a period a closed meeting reviewed waits for a confirmation (True once given)."""
    span = outcome.prepared.batch.coverage
    touched = store.closed_meetings_reviewing(span.first_day, span.last_day) if span else []
    if not touched:
        return True
    st.warning(md(reviewed_warning(touched, "Cet import")), icon=":material/history:")
    return st.checkbox("Je confirme cet import : il change des chiffres déjà revus en comité.",
                       key=f"revu_{file_hash}")


def render_replacement(file_hash: str, counts) -> bool:
    """The months a keyless file replaces, before and after; a replacement that removes more than
    it brings or reaches far back waits for an explicit second confirmation (True once given)."""
    window = counts.window
    if window is None or not window.months:
        return True
    warning = import_report.window_warning(window)
    with st.expander(f"Mois remplacés ({md(import_report.sites_text(window))})", icon=":material/date_range:",
                     expanded=warning is not None):
        tables.table(import_report.window_table(window))
    if warning is None:
        return True
    st.warning(md(warning), icon=":material/warning:")
    return st.checkbox("Je confirme ce remplacement : les lignes en base de ces mois seront remplacées par celles "
                       "du fichier (l'import pourra être annulé).", key=f"remplacer_{file_hash}")


def render_file_tabs(file_hash: str, outcome: uploads.UploadOutcome, dataset, counts) -> None:
    """The rows as they will be stored, the columns' mapping, and the rejected rows."""
    prepared = outcome.prepared
    batch = prepared.batch
    labels = ["Aperçu des lignes", f"Colonnes ({len(prepared.recognition.headers)})", f"Rejets ({counts.rejected})"]
    if len(batch.warnings):
        labels.append(f"Avertissements ({len(batch.warnings)})")
    preview_tab, columns_tab, rejected_tab, *warnings_tab = st.tabs(labels)
    with preview_tab:
        st.caption("Les premières lignes telles qu'elles seront enregistrées (dates et nombres convertis, "
                   "noms de salariés remplacés par un code).")
        tables.table(uploads.preview_rows(prepared), tables.french_dates(dataset))
    with columns_tab:
        render_mapping(file_hash, outcome)
    with rejected_tab:
        if batch.rejected.empty:
            st.caption("Aucune ligne rejetée.")
        else:
            render_problems(file_hash, dataset, batch, batch.rejected, "rejets")
    for tab in warnings_tab:
        with tab:
            st.caption("Ces lignes seront chargées : une valeur illisible ou hors liste dans une colonne facultative, "
                       "ou une date impossible (une réponse avant la réception…), laisse seulement sa cellule vide.")
            render_problems(file_hash, dataset, batch, batch.warnings, "avertissements")


def render_problems(file_hash: str, dataset, batch, lines, kind: str) -> None:
    """Rejects or warnings, row by row, and one workbook holding both, each line marked."""
    tables.wrapped_table(lines, tables.PROBLEM_HEADINGS)
    what = "les rejets et avertissements" if len(batch.warnings) else "les rejets"
    st.download_button(f"Télécharger {what} (Excel)",
                       data=lambda: exports.excel_bytes(batch.problems(), "Rejets et avertissements"),
                       file_name=f"rejets-{dataset.name}.xlsx", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore", key=f"{kind}_{file_hash}")


def render_import_button(file_hash: str, name: str, counts, all_or_nothing: bool, confirmed: bool) -> bool:
    """The file's import button, disabled with the reason when nothing may be written; True when it may."""
    blocked = None
    if all_or_nothing and counts.rejected:
        held_back.append(file_hash)
        blocked = (f"Tout ou rien : {data_admin.plural(counts.rejected, 'ligne')} en erreur, rien ne sera écrit. "
                   "Corrigez le fichier ou choisissez « Importer les lignes valides ».")
    elif counts.added == 0:
        blocked = "Aucune ligne valide à importer."
    elif not confirmed:
        blocked = "Confirmation attendue : cochez la case ci-dessus pour importer ce fichier."
    if blocked:
        st.warning(blocked, icon=":material/block:")
    st.button(f"Importer « {md(name)} »", key=f"importer_{file_hash}", type="primary", icon=":material/upload:",
              disabled=bool(blocked) or bool(running), on_click=start_import, args=([file_hash],))
    return not blocked


ready: dict[str, tuple] = {}
held_back: list[str] = []  # files « tout ou rien » keeps out because of rejected rows
for file_hash, (name, content) in files.items():
    found = render_file(file_hash, name, content, mode == ALL_OR_NOTHING)
    if found is not None:
        ready[file_hash] = found

if len(files) > 1:
    blocked_any = bool(held_back)
    label = {0: "Aucun fichier prêt à importer", 1: "Importer le fichier prêt"}.get(
        len(ready), f"Importer les {len(ready)} fichiers prêts")
    st.button(label, key="importer_tout", type="primary",
              icon=":material/upload_file:", disabled=not ready or blocked_any or bool(running),
              on_click=start_import, args=(list(ready),),
              help="Tout ou rien : aucun fichier n'est écrit si l'un d'eux a des lignes en erreur."
              if mode == ALL_OR_NOTHING else None)

if running:
    write([h for h in running if h in ready], ready)
