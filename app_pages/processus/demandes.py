"""Demandes et réclamations: open items by age, processing delays, the oldest open items."""

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.model import status
from pilotage_qualite.reports.process_queries.requests import delay_distribution, delay_summary, oldest_open_items, open_items_by_age
from pilotage_qualite.ui import charts, process

page = process.start("Demandes et réclamations", ["Réclamations", "Demandes"], ["reclamations", "demandes"],
                     icon=":material/forum:")
present = {"Demandes": page.has("demandes"), "Réclamations": page.has("reclamations")}
WORDS = {"Demandes": ("demande", "DEM-04", "DEM-03"), "Réclamations": ("réclamation", "REC-04", "REC-03")}
OPEN_COLOURS = ["#1d4e89", status.STATUS_COLOUR[status.NON_ATTEINT]]
DELAY_COLOURS = [status.STATUS_COLOUR[status.ATTEINT], status.STATUS_COLOUR[status.A_SURVEILLER]]

if any(present.values()):
    process.section("En cours à la fin de la période, par ancienneté")
    ages = page.view(open_items_by_age)
    for column, (name, shown) in zip(st.columns(2), present.items()):
        if not shown:
            continue
        word, stock_id, _ = WORDS[name]
        rows = ages[ages["jeu"] == name].assign(
            depuis=lambda d: ["plus de 30 jours" if late else "30 jours ou moins"
                              for late in d["plus_de_30_jours"] > 0],
            etiquette=lambda d: [formats.number(v) for v in d["nombre"]])
        total, late = int(rows["nombre"].sum()), int(rows["plus_de_30_jours"].sum())
        target = process.target_text(page.target(stock_id), "nombre", "baisse")
        subtitle = [f"{page.as_of} · {page.where}",
                    f"n = {process.count(total, word + ' en cours', word + 's en cours')}",
                    f"dont {formats.number(late)} depuis plus de 30 jours"
                    + (f" ({stock_id} : {target})" if target else "")]
        charts.show(charts.column_bars,
            rows, "tranche", "nombre", "etiquette", title=f"{name} en cours par ancienneté", subtitle=subtitle,
            value_title=f"nombre de {word}s", x_title="ancienneté à la fin de la période", colour="depuis",
            colour_domain=["30 jours ou moins", "plus de 30 jours"], colour_range=OPEN_COLOURS,
            colour_title="En cours depuis", counts=True, container=column)

    process.section("Délais de traitement")
    delays = page.view(delay_distribution)
    summary = page.view(delay_summary).set_index("jeu")
    for column, (name, shown) in zip(st.columns(2), present.items()):
        if not shown:
            continue
        word, _, share_id = WORDS[name]
        rows = delays[delays["jeu"] == name].assign(
            delai=lambda d: ["15 jours ou moins" if ok else "plus de 15 jours" for ok in d["dans_le_delai"]],
            etiquette=lambda d: [formats.number(v) for v in d["nombre"]])
        facts = summary.loc[name]
        with column:
            if facts["n"] == 0:
                process.no_rows(page, f"les {word}s " + ("clôturées" if name == "Demandes" else "répondues"))
                continue
            done = "clôturées" if name == "Demandes" else "répondues"
            target = process.target_text(page.target(share_id), "%")
            subtitle = [f"{page.when} · {page.where}", f"n = {process.count(facts['n'], word)} {done}",
                        f"médiane {formats.with_unit(facts['mediane_jours'], 'jours', 1)} · "
                        f"{formats.with_unit(facts['part_dans_le_delai'], '%', 1)} en 15 j ou moins",
                        *([f"{share_id} : {target}"] if target else [])]
            charts.show(charts.column_bars, rows, "tranche", "nombre", "etiquette",
                title=f"Délai de {'traitement des demandes' if name == 'Demandes' else 'réponse aux réclamations'}",
                subtitle=subtitle, value_title=f"nombre de {word}s", x_title="délai (jours)", colour="delai",
                colour_domain=["15 jours ou moins", "plus de 15 jours"], colour_range=DELAY_COLOURS,
                colour_title="Délai", counts=True)

    process.section("Ouvertes depuis plus de 30 jours")
    oldest = page.view(oldest_open_items)
    oldest = oldest[oldest["jeu"].map({"Demande": present["Demandes"], "Réclamation": present["Réclamations"]})]
    if oldest.empty:
        st.success(f"Aucune demande ni réclamation ouverte depuis plus de 30 jours {page.as_of} ({page.where}).",
                   icon=":material/check_circle:")
    else:
        st.caption(f"{page.as_of} · {page.where} · les plus anciennes d'abord · âge en jours à la fin de la période")
        process.show_table(oldest, {"jeu": "Type", "numero": "Numéro", "site": "Site", "date_reception": "Reçue le",
                                    "objet": "Objet / motif", "date_accuse_reception": "Accusé de réception",
                                    "date_reponse": "Réponse", "age_jours": "Âge (jours)"})
