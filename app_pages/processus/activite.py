"""Activité: interventions by registre, site and month; field presence per site and month."""

from pilotage_qualite.common import formats
from pilotage_qualite.reports.process_queries.activity import activity_by_month, activity_by_registre, activity_by_site, presence_heatmap
from pilotage_qualite.ui import charts, process

page = process.start("Activité", ["Activité"], ["activite", "presence"], icon=":material/directions_walk:")

if page.has("activite"):
    process.section("Interventions")
    by_registre = page.view(activity_by_registre)
    if by_registre.empty:
        process.no_rows(page, "les interventions")
    else:
        rows = by_registre.assign(etiquette=[f"{formats.number(i)} ({process.count(p, 'personne')})"
                                             for i, p in zip(by_registre["interventions"], by_registre["personnes"])])
        charts.show(charts.category_bars,
            rows, "registre", "interventions", "etiquette", title="Interventions par registre",
            subtitle=[f"{page.when} · {page.where}",
                      f"n = {process.count(int(rows['interventions'].sum()), 'intervention')} · "
                      f"{process.count(int(rows['personnes'].sum()), 'personne rencontrée', 'personnes rencontrées')}"
                      " (entre parenthèses)"],
            value_title="nombre d'interventions")
        by_site = page.view(activity_by_site)
        by_site = by_site.assign(etiquette=[f"{formats.number(i)} ({process.count(p, 'personne')})"
                                            for i, p in zip(by_site["interventions"], by_site["personnes"])],
                                 choisi=["site choisi" if s == page.site else "autre site" for s in by_site["site"]])
        charts.show(charts.category_bars, by_site, "site", "interventions", "etiquette", title="Interventions par site",
            subtitle=[f"{page.when} · tous les sites",
                      f"n = {process.count(int(by_site['interventions'].sum()), 'intervention')}"],
            value_title="nombre d'interventions", colour="choisi" if page.site else None,
            colour_domain=["site choisi", "autre site"], colour_range=[charts.BAR_COLOUR, "#9aa9bd"], legend=False)

    by_month = page.view(activity_by_month)
    if not by_month.empty:
        by_month = by_month.assign(etiquette=[formats.number(v) for v in by_month["interventions"]])
        charts.show(charts.column_bars,
            by_month, "mois_fr", "interventions", "etiquette", title="Interventions par mois et par registre",
            subtitle=[f"12 mois jusqu'à {page.when} · {page.where}",
                      f"n = {process.count(int(by_month['interventions'].sum()), 'intervention')}"],
            value_title="nombre d'interventions", colour="registre", colour_title="Registre", stacked=True,
            counts=True)

if page.has("presence"):
    process.section("Présence terrain")
    presence = page.view(presence_heatmap)
    if presence.empty:
        process.no_rows(page, "la présence terrain")
    else:
        target, threshold = page.target("ACT-04"), page.threshold("ACT-04")
        in_force = page.targets_on("ACT-04", presence["mois"])
        presence = presence.assign(
            niveau=process.status_bands(presence["taux"], in_force),
            taux_texte=[formats.with_unit(v, "%", 1) for v in presence["taux"]],
            planifie=[formats.with_unit(v, "heures", 1) for v in presence["heures_planifiees"]],
            realise=[formats.with_unit(v, "heures", 1) for v in presence["heures_realisees"]])
        goal = process.target_text(target, "%")
        charts.show(charts.heatmap, presence, "mois_fr", "site", "niveau", "taux_texte",
            title="Taux de réalisation de la présence terrain, par site et par mois",
            subtitle=[f"12 mois jusqu'à {page.when} · tous les sites",
                      "heures réalisées / heures planifiées, en %",
                      (f"{goal} · seuil d'alerte {formats.with_unit(threshold, '%')} · " if goal else "")
                      + f"n = {process.count(len(presence), 'case')} site × mois",
                      *(["chaque mois jugé sur la cible alors en vigueur (elle a changé sur ces 12 mois)"]
                        if len(set(in_force)) > 1 else [])],
            colour_title="Statut", colour_domain=process.band_names(in_force),
            colour_range=process.band_colours(in_force),
            tooltip=[("site", "Site"), ("mois_fr", "Mois"), ("taux_texte", "Taux"), ("planifie", "Planifiées"),
                     ("realise", "Réalisées")])
