"""« Télécharger en Excel » / « en CSV » under a table: the one download helper of the pages.

The file is built only when the button is clicked (a callable), so a page run does not pay
for exports nobody asked for, and clicking does not rerun the page.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

import pandas as pd
import streamlit as st

from pilotage_qualite.model.meetings import Meeting
from pilotage_qualite.reports import exports

Content = pd.DataFrame | exports.ExportTable | Mapping[str, pd.DataFrame | exports.ExportTable]


def file_stem(name: str) -> str:
    """« Rejets de l'import n° 4 » → « rejets-de-l-import-n-4 » (a name every system accepts)."""
    stem = re.sub(r"[^0-9A-Za-zÀ-ÿ]+", "-", name.lower()).strip("-")
    return stem or "export"


def table_downloads(content: Content | Callable[[], Content], name: str, *, key: str | None = None,
                    sheet_name: str = "Données", csv: bool = True) -> None:
    """Buttons that download `content` (a table, several as sheets, or a function returning
    them) as `<name>.xlsx`, and as `<name>.csv` when it is a single table."""
    stem = file_stem(name)
    key = key or f"telecharger-{stem}"

    def content_now() -> Content:
        return content() if callable(content) else content

    with st.container(horizontal=True):
        st.download_button("Télécharger en Excel", data=lambda: exports.excel_bytes(content_now(), sheet_name),
                           file_name=f"{stem}.xlsx", mime=exports.XLSX_MIME, key=f"{key}-xlsx",
                           icon=":material/download:", on_click="ignore")
        if csv:
            st.download_button("CSV", data=lambda: exports.csv_bytes(content_now()), file_name=f"{stem}.csv",
                               mime=exports.CSV_MIME, key=f"{key}-csv", on_click="ignore",
                               help="Séparateur « ; », encodage UTF-8 : s'ouvre tel quel dans un Excel français.")


# --- the committee pack ---------------------------------------------------------------------------

PDF_MIME = "application/pdf"


def committee_pack_section(agenda, meeting: Meeting | None) -> None:
    """The pack of the agenda shown: downloaded as it is now, archived with the meeting (the
    evidence an auditor asks for), and the packs archived earlier."""
    from pilotage_qualite import startup
    from pilotage_qualite.reports import pack, preread  # vl-convert and fpdf2: loaded when the Comité page needs them
    from pilotage_qualite.ui import access, actions, context

    store = context.store()
    structure = startup.structure_name(context.settings().structure, store)
    stem = file_stem(f"dossier comite {agenda.period.label} {agenda.site or 'ensemble'}")

    def pdf() -> bytes:
        return pack.render_pack(agenda, structure=structure)

    st.caption("Le dossier reprend l'ordre du jour ci-dessus : tuiles, courbes avec leur cible, analyses, "
               "tableaux et décisions ; il se lit imprimé en noir et blanc. Sa production prend quelques secondes.")
    with st.container(horizontal=True):
        st.download_button("Télécharger le dossier PDF", data=pdf, file_name=f"{stem}.pdf", mime=PDF_MIME,
                           icon=":material/picture_as_pdf:", on_click="ignore", key="dossier-pdf")
        if meeting is not None:  # what changed since the last committee, to send before the meeting
            st.download_button(
                "Prélecture (PDF)", file_name=f"prelecture-reunion-{meeting.id}.pdf", mime=PDF_MIME,
                data=lambda: preread.preread_pdf(store, context.catalogue(), meeting.id, structure=structure),
                icon=":material/difference:", on_click="ignore", key="prelecture-pdf",
                help="Ce qui a changé depuis le dernier comité : statuts, causes spéciales, cibles, données "
                     "pas à jour, actions en retard ou à échéance, décisions de la réunion précédente.")
        if meeting is not None and access.can_write() and st.button(
                "Produire et archiver avec la réunion", icon=":material/inventory_2:", key="dossier-archiver"):
            try:
                with st.spinner("Production du dossier…"):
                    pack_id = actions.archive_pack(meeting.id, pdf)
                st.success(f"Dossier archivé n° {pack_id} avec la réunion.")
            except (*actions.WRITE_ERRORS, pack.PackError) as exc:
                st.error(str(exc))
    if meeting is None:
        return
    archived = store.meeting_packs(meeting.id)
    if archived.empty:
        st.caption("Aucun dossier archivé avec cette réunion.")
        return
    st.markdown("**Dossiers archivés avec la réunion**")
    for _, row in archived.iterrows():
        when = pd.Timestamp(row["produit_le"]).to_pydatetime()
        st.download_button(
            f"Dossier n° {row['id']} du {when:%d/%m/%Y à %H:%M} ({row['produit_par']})",
            data=lambda pack_id=int(row["id"]): store.meeting_pack(pack_id), file_name=f"{stem}-{row['id']}.pdf",
            mime=PDF_MIME, on_click="ignore", key=f"dossier-archive-{row['id']}", icon=":material/download:")
