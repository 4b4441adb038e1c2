"""Sécurité: adverse events by type and site, and per 1,000 hours of field presence."""

from pilotage_qualite.common import formats
from pilotage_qualite.reports.process_queries.safety import incident_rate_by_month, incident_rate_by_site, incidents_by_type_and_site
from pilotage_qualite.ui import charts, process

page = process.start("Sécurité", ["Sécurité"], ["incidents", "presence"], icon=":material/health_and_safety:")

if page.has("incidents"):
    process.section("Événements indésirables par type et par site")
    grid = page.view(incidents_by_type_and_site)
    total = int(grid["nombre"].sum())
    cells = grid.assign(niveau=[process.count_band(v) for v in grid["nombre"]],
                        etiquette=[formats.number(v) for v in grid["nombre"]],
                        arret=[process.count(v, "jour") for v in grid["jours_arret"]])
    charts.show(charts.heatmap,
        cells, "site", "type", "niveau", "etiquette", title="Événements indésirables par type et par site",
        subtitle=[f"{page.when} · {page.where}",
                  f"n = {process.count(total, 'événement déclaré', 'événements déclarés')} · "
                  "agressions physiques : cible 0 (SEC-02)"],
        colour_title="Nombre d'événements", colour_domain=list(process.COUNT_BANDS),
        colour_range=list(process.COUNT_COLOURS), light=process.COUNT_LIGHT,
        tooltip=[("type", "Type"), ("site", "Site"), ("etiquette", "Événements"), ("arret", "Arrêt de travail")])

if page.has("incidents") and page.has("presence"):
    process.section("Événements pour 1 000 heures de présence terrain")
    monthly = page.view(incident_rate_by_month)
    rated = monthly[monthly["heures"].notna()]
    if rated.empty:
        process.no_rows(page, "les heures de présence")
    else:
        rows = rated.assign(etiquette=[formats.number(v, 2) for v in rated["taux_1000h"]],
                            detail=[f"{process.count(e, 'événement')} / {formats.with_unit(h, 'heures', 0)}"
                                    for e, h in zip(rated["evenements"], rated["heures"])])
        charts.show(charts.column_bars,
            rows, "mois_fr", "taux_1000h", "etiquette", title="Événements pour 1 000 heures, par mois",
            subtitle=[f"12 mois jusqu'à {page.when} · {page.where}",
                      f"n = {process.count(int(rows['evenements'].sum()), 'événement')} pour "
                      f"{formats.with_unit(rows['heures'].sum(), 'heures', 0)} de présence réalisées"],
            value_title="événements pour 1 000 h")
        by_site = page.view(incident_rate_by_site)
        by_site = by_site[by_site["heures"].notna()]
        if not by_site.empty:
            by_site = by_site.assign(etiquette=[
                f"{formats.number(r, 2)} ({process.count(e, 'événement')} / {formats.with_unit(h, 'heures', 0)})"
                for r, e, h in zip(by_site["taux_1000h"], by_site["evenements"], by_site["heures"])])
            charts.show(charts.category_bars,
                by_site, "site", "taux_1000h", "etiquette", title="Événements pour 1 000 heures, par site",
                subtitle=[f"{page.when} · tous les sites",
                          f"n = {process.count(int(by_site['evenements'].sum()), 'événement')} · "
                          f"{formats.with_unit(by_site['heures'].sum(), 'heures', 0)} de présence réalisées"],
                value_title="événements pour 1 000 h")
