"""Demo structure: a deterministic generator of the spreadsheets of a fictional structure.

« Association Médiation Rhône-Loire » has three sites (« Lyon 8e », « Lyon 9e »,
« Saint-Étienne ») and about forty staff. The generator writes one file per dataset of
datasets.md covering 36 months that end with ``end_month`` (default ``2026-10``, i.e.
November 2023 to October 2026). Nothing depends on the current date: the same
``end_month`` and ``seed`` always give the same files, byte for byte (xlsx zip entries get a
fixed timestamp and fixed document properties).

The files copy the untidy shapes of real exports, because they double as the import's
end-to-end test: titles above the header, a summary sheet first, aliases in headers,
synonyms in listed values, French text dates, month-only dates, decimal commas, hours
written « 3h30 », a « Total » row, Windows-1252 and UTF-8-with-BOM CSVs, personal-data
columns that the import must drop.

=================================  ===========================================================
file                               shape
=================================  ===========================================================
export_interventions.xlsx          activite: title + export-date lines, header on row 4,
                                   aliases (« Date de l'intervention », « Équipe »…), registre
                                   synonyms (PAP, présence active…), oui/non, Excel dates
presence_terrain.csv               presence: Windows-1252, « ; », title line + empty line,
                                   month-only « mars 2025 », « 1 482,5 » (no-break space)
suivi_demandes.xlsx                demandes: sheet « Synthèse » first, data on sheet
                                   « Demandes »; dates as text « 14/03/2025 »; one empty row
registre_reclamations.xlsx         reclamations: « Nom du réclamant » (fictional names,
                                   personal data), « Date AR », « Fondée » O/N, « Total » row
questionnaires_satisfaction.csv    satisfaction: survey-tool export, UTF-8 with BOM, « , »,
                                   « Horodateur » 14/03/2025 10:22:01, worded Likert answers,
                                   5 extra questions, a comment and an e-mail column
plan_formation.xlsx                formations: « Nom » of the employee, « Durée (h) » « 3h30 »,
                                   « 7 h », « 2,5 »; empty statut on some rows (= réalisée)
effectifs.xlsx                     effectifs: « Matricule », « Poste » synonyms, ETP « 0,8 »
                                   text, « Titre professionnel » oui/non, some dates written
                                   « 1er mars 2024 »
constats_audits.xlsx               audits: 3 audits (interne, audit blanc, renouvellement),
                                   every constat type, some lifted; header on row 4
plan_amelioration.xlsx             actions: header on row 5, statut words (Soldée, En cours…),
                                   a few échéances as bare Excel serial numbers
evenements_indesirables.csv        incidents: UTF-8, « , », ISO dates
liste_documents.xlsx               documents: frozen header, filter, « Mis à jour le »
=================================  ===========================================================

Deliberately invalid rows (the import must reject exactly these, every other row is valid;
row numbers are the ones the spreadsheet shows, CSV line numbers for CSV files):

- ``export_interventions.xlsx`` row 1204, column « Type d'intervention », value « Maraude »:
  value outside the list of registre.
- ``export_interventions.xlsx`` row 9876, column « Équipe », empty: missing required site.
- ``registre_reclamations.xlsx`` row 108, column « Date de réception », value « 31/02/2026 »:
  impossible date.
- ``evenements_indesirables.csv`` line 23, column « Type d'événement », value « Chute »:
  value outside the list of type (a required column: an optional one only gets a warning).

They are listed in :data:`DELIBERATE_BAD_ROWS`; each is an extra row, so the valid rows of
every file are exactly :func:`build`'s rows. Rows that are not data but are not errors either:
the « Total » row at the bottom of the complaint register and one fully empty row a third of
the way down the request tracker (skipped, not rejected).

The story a steering committee would discuss (offsets relative to the end month, dates for
the default one): a turnover peak 9 to 6 months before the end (January–April 2026) that
lowers the share of mediators holding the professional title, followed by a satisfaction dip
(June–September 2026); late actions piling up before the certification audit of September
2026 (the audit blanc's major non-conformity is lifted the day before it), then closed in a
rush; Saint-Étienne's complaint response time slips over the last 6 months, leaving a backlog
of unanswered complaints; activity dips every August and at the end of December.

Regenerate with ``python -m tools.demo_generator --fin 2026-10 --dossier data/demo``.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from pilotage_qualite.common.months import MONTHS as MONTH_NAMES
from pilotage_qualite.common.settings import DEMO_STRUCTURE_FILE
from pilotage_qualite.common.text import normalize_header

STRUCTURE = "Association Médiation Rhône-Loire"
SITES = ("Lyon 8e", "Lyon 9e", "Saint-Étienne")
MONTHS = 36
DEFAULT_END_MONTH = "2026-10"
DEFAULT_SEED = 60600
DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "data" / "demo"

FILES = {
    "activite": "export_interventions.xlsx",
    "presence": "presence_terrain.csv",
    "demandes": "suivi_demandes.xlsx",
    "reclamations": "registre_reclamations.xlsx",
    "satisfaction": "questionnaires_satisfaction.csv",
    "formations": "plan_formation.xlsx",
    "effectifs": "effectifs.xlsx",
    "audits": "constats_audits.xlsx",
    "actions": "plan_amelioration.xlsx",
    "incidents": "evenements_indesirables.csv",
    "documents": "liste_documents.xlsx",
}


@dataclass(frozen=True)
class BadRow:
    """A row written invalid on purpose; ``row`` is the spreadsheet row (CSV line) number."""

    dataset: str
    file: str
    row: int
    column: str
    value: str | None
    reason: str


DELIBERATE_BAD_ROWS = (
    BadRow("activite", FILES["activite"], 1204, "Type d'intervention", "Maraude",
           "Valeur hors liste pour le registre"),
    BadRow("activite", FILES["activite"], 9876, "Équipe", None,
           "Valeur obligatoire manquante (site)"),
    BadRow("reclamations", FILES["reclamations"], 108, "Date de réception", "31/02/2026",
           "Date illisible (31 février)"),
    BadRow("incidents", FILES["incidents"], 23, "Type d'événement", "Chute",
           "Valeur hors liste pour le type d'événement"),
)

# Each dataset draws from its own stream, so changing one dataset never shifts the others.
_STREAMS = {name: i for i, name in enumerate(
    ["effectifs", "activite", "presence", "demandes", "reclamations", "satisfaction",
     "incidents", "audits", "actions", "formations", "documents", "write"])}


# --------------------------------------------------------------------------- helpers


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAMS[stream]])


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


def _parse_month(text: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"mois attendu au format AAAA-MM, reçu « {text} »")
    return date(int(match.group(1)), int(match.group(2)), 1)


@dataclass(frozen=True)
class Calendar:
    """The demo's fixed span: 36 months ending with the end month."""

    end_month: date  # first day of the last month

    @property
    def start(self) -> date:
        return _add_months(self.end_month, -(MONTHS - 1))

    @property
    def end(self) -> date:
        """First day after the span (excluded)."""
        return _add_months(self.end_month, 1)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def export_day(self) -> date:
        """Exports are pulled on the first working day at least two days after the span."""
        d = self.end + timedelta(days=2)
        while d.weekday() >= 5:
            d += timedelta(days=1)
        return d

    def month(self, before_end: int) -> date:
        """First day of the month ``before_end`` months before the end month."""
        return _add_months(self.end_month, -before_end)

    def months_before_end(self, d: date) -> int:
        return (self.end_month.year - d.year) * 12 + self.end_month.month - d.month

    def months(self) -> list[date]:
        return [self.month(k) for k in range(MONTHS - 1, -1, -1)]

    def days(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.last_day, freq="D")


def _day_in_month(rng: np.random.Generator, month: date, weekdays_only: bool = True) -> date:
    last = (_add_months(month, 1) - timedelta(days=1)).day
    for _ in range(20):
        d = month.replace(day=int(rng.integers(1, last + 1)))
        if not weekdays_only or d.weekday() < 5:
            return d
    return d


def _season(days: pd.DatetimeIndex) -> np.ndarray:
    """Field activity factor: August and the end-of-year holidays dip."""
    m, d = days.month.to_numpy(), days.day.to_numpy()
    f = np.ones(len(days))
    f[m == 7] = 0.85
    f[m == 8] = 0.45
    f[(m == 12) & (d >= 20)] = 0.35
    f[(m == 1) & (d <= 2)] = 0.4
    f[m == 5] = 0.93
    holidays = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
    f[[(mm, dd) in holidays for mm, dd in zip(m, d)]] = 0.1
    weekday = days.day_of_week.to_numpy()
    return f * np.select([weekday < 5, weekday == 5], [1.0, 0.35], 0.0)


def _month_season(month: date) -> float:
    return {7: 0.85, 8: 0.5, 12: 0.75}.get(month.month, 1.0)


def _pick(rng: np.random.Generator, options: Sequence, p: Sequence[float] | None = None):
    return options[int(rng.choice(len(options), p=p))]


def _ts(d: date | None) -> pd.Timestamp:
    return pd.NaT if d is None else pd.Timestamp(d)


def _as_date(value) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _fr_date(d: date | None) -> str | None:
    return None if d is None else d.strftime("%d/%m/%Y")


def _fr_long_date(d: date) -> str:
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTH_NAMES[d.month - 1]} {d.year}"


def _fr_number(x: float, decimals: int = 1, nbsp_thousands: bool = False) -> str:
    text = f"{x:,.{decimals}f}" if nbsp_thousands else f"{x:.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def _fr_decimal_short(x: float) -> str:
    """0.8 → « 0,8 », 1.0 → « 1 »."""
    return f"{x:g}".replace(".", ",")


def _hours_text(rng: np.random.Generator, hours: float):
    """Hours the way people type them: « 3h30 », « 7 h », « 2,5 » or a plain number."""
    whole, minutes = int(hours), int(round((hours - int(hours)) * 60))
    style = int(rng.integers(0, 4))
    if style == 0:
        return f"{whole}h{minutes:02d}" if minutes else f"{whole}h"
    if style == 1:
        return f"{whole}h{minutes:02d}" if minutes else f"{whole} h"
    if style == 2:
        return _fr_decimal_short(hours)
    return float(hours) if minutes else int(hours)


# --------------------------------------------------------------------------- names

FIRST_NAMES_F = ("Amina", "Camille", "Chloé", "Fatou", "Inès", "Julie", "Karima", "Laura",
                 "Léa", "Leïla", "Manon", "Marie", "Nadia", "Nora", "Sarah", "Sophie",
                 "Yasmine", "Zoé", "Aïcha", "Émilie", "Hélène", "Samia")
FIRST_NAMES_M = ("Ahmed", "Antoine", "Bilal", "David", "Djamel", "Hugo", "Julien", "Karim",
                 "Kevin", "Lucas", "Mamadou", "Mehdi", "Nicolas", "Olivier", "Rachid",
                 "Samir", "Thomas", "Yanis", "Youssef", "Éric", "Jérôme", "Moussa")
SURNAMES = ("BENALI", "BERNARD", "BONNET", "BOUZID", "CAMARA", "CHEVALIER", "DIALLO",
            "DUBOIS", "DURAND", "FAURE", "FONTAINE", "GARCIA", "GIRAUD", "HADDAD", "LAMBERT",
            "LEFEBVRE", "MARTIN", "MERCIER", "MOREL", "MOULIN", "NGUYEN", "PERRIN", "PETIT",
            "RICHARD", "ROBERT", "ROUSSEL", "ROUX", "SAIDI", "SANCHEZ", "TRAORÉ", "VINCENT",
            "ZIANI")
# Complainants get obviously fictional surnames.
FICTIONAL_SURNAMES = ("Exemple", "Fictif", "Démo", "Essai", "Factice", "Témoin", "Modèle",
                      "Prototype", "Lambda", "Anonyme")


def _person_name(rng: np.random.Generator, female: bool) -> str:
    first = _pick(rng, FIRST_NAMES_F if female else FIRST_NAMES_M)
    return f"{first} {_pick(rng, SURNAMES)}"


def _fictional_name(rng: np.random.Generator) -> str:
    female = rng.random() < 0.55
    first = _pick(rng, FIRST_NAMES_F if female else FIRST_NAMES_M)
    return f"{'Mme' if female else 'M.'} {first} {_pick(rng, FICTIONAL_SURNAMES)}"


# --------------------------------------------------------------------------- effectifs

MEDIATORS_PER_SITE = {"Lyon 8e": 12, "Lyon 9e": 10, "Saint-Étienne": 11}
# Exits scripted by months before the end month: a steady trickle, then the turnover peak
# (January–April 2026 for the default end month).
EXIT_SCHEDULE = {34: 1, 30: 1, 27: 1, 23: 1, 20: 1, 16: 1, 13: 1, 11: 1,
                 9: 2, 8: 2, 7: 2, 6: 2, 3: 1, 1: 1}
PEAK_MONTHS = range(4, 10)  # entries in these months belong to the turnover peak
EXIT_REASONS = ("Fin de contrat", "Démission", "Rupture conventionnelle", "Reprise d'études",
                "Démission", "Fin de contrat")


@dataclass
class _Person:
    fonction: str
    site: str | None
    poste: str | None  # written job title of support staff
    entry: date
    exit: date | None = None
    exit_reason: str | None = None
    contract: str | None = None


def build_effectifs(cal: Calendar, rng: np.random.Generator) -> pd.DataFrame:
    """About forty positions; who leaves when is scripted, who and the rest is drawn."""
    slots: list[tuple[str, str | None, str | None]] = []
    for site, n in MEDIATORS_PER_SITE.items():
        slots += [("médiateur", site, None)] * n + [("encadrant", site, None)]
    slots += [("support", None, poste)
              for poste in ("Direction", "Qualité", "Administratif", "Administratif")]

    people: list[_Person] = []
    occupant: list[int] = []
    for fonction, site, poste in slots:
        if fonction == "médiateur":
            back = int(rng.exponential(900)) + 90
        else:
            back = int(rng.integers(1500, 5000))
        people.append(_Person(fonction, site, poste, cal.start - timedelta(days=back)))
        occupant.append(len(people) - 1)

    exits = []
    for before_end, count in EXIT_SCHEDULE.items():
        exits += [_day_in_month(rng, cal.month(before_end)) for _ in range(count)]
    for day in sorted(exits):
        weights = np.array([
            (1.0 if slots[s][0] == "médiateur" else 0.25)
            * (people[occupant[s]].entry < day - timedelta(days=120))
            * (people[occupant[s]].exit is None)
            for s in range(len(slots))])
        s = int(rng.choice(len(slots), p=weights / weights.sum()))
        leaver = people[occupant[s]]
        leaver.exit = day
        leaver.exit_reason = _pick(rng, EXIT_REASONS)
        entry = day + timedelta(days=int(rng.integers(21, 70)))
        if entry <= cal.last_day:
            people.append(_Person(leaver.fonction, leaver.site, leaver.poste, entry))
            occupant[s] = len(people) - 1
    # A new adult-relay position opens in Saint-Étienne three months before the end.
    people.append(_Person("médiateur", "Saint-Étienne", None, cal.month(3).replace(day=6),
                          contract="Adulte relais"))

    people.sort(key=lambda p: p.entry)
    peak_start, peak_end = cal.month(max(PEAK_MONTHS)), cal.month(min(PEAK_MONTHS) - 1)
    peak_rank = 0
    names: set[str] = set()
    rows = []
    for i, p in enumerate(people):
        female = rng.random() < 0.55
        if p.fonction == "médiateur":
            # The professional title comes with seniority.
            if p.entry < cal.start - timedelta(days=365):
                chance = 0.92
            elif p.entry < cal.end - timedelta(days=540):
                chance = 0.75
            else:
                chance = 0.45
            certified = rng.random() < chance
            contract = p.contract or _pick(rng, ["CDI", "Adulte relais", "CDD"],
                                           [0.6, 0.28, 0.12])
            etp = 1.0 if rng.random() < 0.85 else _pick(rng, [0.8, 0.9])
        else:
            certified = p.fonction == "encadrant" and rng.random() < 0.7
            contract = "CDI"
            etp = 1.0 if rng.random() < 0.8 else _pick(rng, [0.5, 0.8])
        # Onboarding: tracked since 2020; one peak hire in five finished it late.
        end_integration = None
        if p.entry.year >= 2020:
            late = False
            if peak_start <= p.entry < peak_end:
                late = peak_rank % 5 == 2
                peak_rank += 1
            days = int(rng.integers(96, 125)) if late else int(rng.integers(40, 88))
            end_integration = p.entry + timedelta(days=days)
            if end_integration > cal.last_day:
                end_integration = None
        name = _person_name(rng, female)
        while name in names:  # one name, one person: names are pseudonymised on import
            name = _person_name(rng, female)
        names.add(name)
        rows.append({
            "salarie": f"M{1101 + i:04d}",
            "fonction": p.fonction,
            "site": p.site,
            "date_entree": _ts(p.entry),
            "date_sortie": _ts(p.exit),
            "contrat": contract,
            "etp": etp,
            "certifie": bool(certified),
            "date_fin_integration": _ts(end_integration),
            "_nom": name,
            "_female": female,
            "_poste": p.poste,
            "_motif_sortie": p.exit_reason,
        })
    return pd.DataFrame(rows)


def _present(staff: pd.DataFrame, d: date) -> pd.Series:
    ts = pd.Timestamp(d)
    left = staff["date_sortie"]
    return (staff["date_entree"] < ts) & (left.isna() | (left >= ts))


def _mediator_ratio(staff: pd.DataFrame, cal: Calendar) -> dict[tuple[str, date], float]:
    """Present mediators / positions, per site and month (mid-month)."""
    mediators = staff[staff["fonction"] == "médiateur"]
    ratio = {}
    for month in cal.months():
        present = mediators[_present(mediators, month.replace(day=15))]
        for site, n in MEDIATORS_PER_SITE.items():
            ratio[(site, month)] = min(1.0, (present["site"] == site).sum() / n)
    return ratio


# --------------------------------------------------------------------------- activite

REGISTRES = {
    # registre: (share, persons (base, poisson mean), duration minutes (low, high))
    "présence active de proximité": (0.40, (1, 2.0), (30, 150)),
    "gestion de conflit": (0.15, (2, 1.0), (20, 120)),
    "veille sociale et technique": (0.12, (0, 0.6), (10, 45)),
    "mise en relation": (0.12, (1, 0.4), (15, 60)),
    "information et sensibilisation": (0.10, (3, 8.0), (30, 120)),
    "accompagnement": (0.07, (1, 0.5), (30, 120)),
    "concertation": (0.04, (5, 6.0), (60, 150)),
}
SITE_ACTIVITY = {"Lyon 8e": 7.4, "Lyon 9e": 5.6, "Saint-Étienne": 6.3}  # per working day
QUARTIERS = {
    "Lyon 8e": ("Mermoz", "États-Unis", "Langlet-Santy", "Moulin à Vent", "Grand Trou"),
    "Lyon 9e": ("La Duchère", "Gorge de Loup", "Vergoin", "Le Plateau", "Saint-Rambert"),
    "Saint-Étienne": ("Montreynaud", "Tarentaize-Beaubrun", "Crêt de Roch", "La Cotonne",
                      "Solaure"),
}
PARTENAIRES = {
    "Lyon 8e": ("Grand Lyon Habitat", "Maison de la Métropole", "CCAS de Lyon",
                "Mission locale Lyon 8e", "Centre social Mermoz", "Police municipale"),
    "Lyon 9e": ("Lyon Métropole Habitat", "Maison de la Métropole", "CCAS de Lyon",
                "Mission locale Lyon 9e", "Centre social de la Duchère", "Police municipale"),
    "Saint-Étienne": ("Métropole Habitat Saint-Étienne", "Maison de quartier",
                      "CCAS de Saint-Étienne", "Mission locale Loire Sud", "CAF de la Loire",
                      "Police municipale"),
}
PUBLICS = ("Habitants", "Jeunes", "Locataires", "Familles", "Commerçants", "Personnes âgées",
           "Tout public")


def build_activite(cal: Calendar, rng: np.random.Generator,
                   staffing: dict[tuple[str, date], float]) -> pd.DataFrame:
    days = cal.days()
    season = _season(days)
    month_of_day = [date(d.year, d.month, 1) for d in days]
    frames = []
    for site, base in SITE_ACTIVITY.items():
        staff_factor = np.array([0.4 + 0.6 * staffing[(site, m)] for m in month_of_day])
        counts = rng.poisson(base * season * staff_factor)
        dates = np.repeat(days.to_numpy(), counts)
        n = len(dates)
        names = list(REGISTRES)
        registre = rng.choice(len(names), size=n, p=[REGISTRES[r][0] for r in names])
        persons = np.zeros(n, dtype=int)
        minutes = np.zeros(n, dtype=int)
        for i, name in enumerate(names):
            mask = registre == i
            (base_p, mean_p), (lo, hi) = REGISTRES[name][1], REGISTRES[name][2]
            persons[mask] = base_p + rng.poisson(mean_p, mask.sum())
            minutes[mask] = rng.integers(lo // 5, hi // 5 + 1, mask.sum()) * 5
        persons = np.maximum(persons, 1)
        orientation = (registre == names.index("mise en relation")) | (rng.random(n) < 0.07)
        partners = PARTENAIRES[site]
        partenaire = np.where(orientation, np.array(partners)[rng.integers(0, len(partners), n)],
                              None)
        quarter_hours = rng.integers(9 * 4, 21 * 4, n)
        frames.append(pd.DataFrame({
            "date": dates,
            "site": site,
            "registre": np.array(names)[registre],
            "quartier": np.array(QUARTIERS[site])[rng.integers(0, 5, n)],
            "public": np.array(PUBLICS)[rng.integers(0, len(PUBLICS), n)],
            "nb_personnes": persons,
            "duree_min": minutes,
            "orientation": orientation,
            "partenaire": partenaire,
            "_heure": [f"{q // 4:02d}:{q % 4 * 15:02d}" for q in quarter_hours],
        }))
    data = pd.concat(frames, ignore_index=True)
    return data.sort_values(["date", "_heure", "site"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- presence

HOURS_PER_MEDIATOR = 139.5  # planned field hours in a full month, leave deducted


def build_presence(cal: Calendar, rng: np.random.Generator,
                   staffing: dict[tuple[str, date], float]) -> pd.DataFrame:
    rows = []
    for month in cal.months():
        k = cal.months_before_end(month)
        for site, n in MEDIATORS_PER_SITE.items():
            planned = n * HOURS_PER_MEDIATOR * _month_season(month) * rng.uniform(0.97, 1.03)
            rate = 0.956 + rng.normal(0, 0.01) - 0.5 * (1 - staffing[(site, month)])
            if site == "Saint-Étienne" and k <= 8:
                rate -= 0.035  # Saint-Étienne: vacancies and sick leave since the turnover peak
            rows.append({
                "date": _ts(month),
                "site": site,
                "heures_planifiees": round(planned * 2) / 2,
                "heures_realisees": round(planned * min(rate, 1.0) * 2) / 2,
                "_mediateurs": round(n * staffing[(site, month)]),
            })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- demandes

DEMANDE_CANALS = ("Téléphone", "Courriel", "Partenaire", "Accueil", "Courrier")
DEMANDEURS = ("Habitant", "Bailleur", "Partenaire", "Collectivité", "Commerçant")
DEMANDE_OBJETS = ("Conflit de voisinage", "Nuisances sonores", "Occupation de hall",
                  "Demande d'information", "Accompagnement administratif", "Dégradations",
                  "Troubles sur l'espace public", "Demande de rencontre")


def build_demandes(cal: Calendar, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for month in cal.months():
        for site, weight in zip(SITES, (12.5, 10.0, 11.0)):
            for _ in range(rng.poisson(weight * _month_season(month))):
                received = _day_in_month(rng, month)
                taken = received + timedelta(days=int(rng.integers(0, 4)))
                if rng.random() < 0.04:
                    delay = int(rng.integers(35, 110))  # stuck requests
                else:
                    delay = max(1, int(round(np.exp(rng.normal(np.log(7), 0.62)))))
                closed = received + timedelta(days=delay)
                if taken > cal.last_day:
                    taken = None
                if closed > cal.last_day:
                    closed = None
                status = "Clôturée" if closed else ("En cours" if taken else "En attente")
                rows.append({
                    "date_reception": _ts(received), "site": site,
                    "canal": _pick(rng, DEMANDE_CANALS, [0.4, 0.25, 0.2, 0.1, 0.05]),
                    "demandeur": _pick(rng, DEMANDEURS, [0.55, 0.2, 0.1, 0.1, 0.05]),
                    "objet": _pick(rng, DEMANDE_OBJETS),
                    "date_prise_en_charge": _ts(taken), "date_cloture": _ts(closed),
                    "statut": status,
                })
    data = pd.DataFrame(rows).sort_values(["date_reception", "site"], kind="stable")
    data.insert(0, "numero", _yearly_numbers(data["date_reception"], "DEM", 4))
    return data.reset_index(drop=True)


def _yearly_numbers(dates: pd.Series, prefix: str, width: int) -> list[str]:
    """« PREFIX-YYYY-0001 » numbering, restarting every year, in date order."""
    counters: dict[int, int] = {}
    numbers = []
    for d in dates:
        counters[d.year] = counters.get(d.year, 0) + 1
        numbers.append(f"{prefix}-{d.year}-{counters[d.year]:0{width}d}")
    return numbers


# --------------------------------------------------------------------------- reclamations

RECLAMATION_ORIGINES = ("habitant", "partenaire", "salarié", "autre")
RECLAMATION_MOTIFS = ("Comportement d'un médiateur", "Absence d'intervention",
                      "Délai de réponse", "Nuisances non résolues", "Information erronée",
                      "Orientation inadaptée", "Manque de présence en soirée")
RECLAMATION_CANALS = ("Courrier", "Courriel", "Téléphone", "Accueil", "Formulaire web")
SLIP_MONTHS = 6  # Saint-Étienne's response time slips over the last 6 months


def build_reclamations(cal: Calendar, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for month in cal.months():
        k = cal.months_before_end(month)
        for site in SITES:
            slipping = site == "Saint-Étienne" and k < SLIP_MONTHS
            count = rng.poisson(1.25 * _month_season(month))
            if slipping:  # more complaints too, about the very delays
                count = max(2, rng.poisson(2.2))
            for _ in range(count):
                received = _day_in_month(rng, month)
                ack = received + timedelta(days=int(_pick(rng, [0, 1, 2, 3, 5],
                                                         [0.45, 0.36, 0.15, 0.03, 0.01])))
                if slipping:
                    answer_delay = int(rng.integers(12, 35))
                else:
                    answer_delay = int(rng.integers(3, 14)) if rng.random() < 0.92 \
                        else int(rng.integers(16, 28))
                rows.append({
                    "date_reception": received, "site": site, "ack": ack,
                    "answer_delay": answer_delay, "slipping": slipping,
                })
    # Saint-Étienne's backlog: three complaints of the last quarter still wait for an answer.
    backlog = [r for r in rows if r["slipping"]
               and cal.month(4) <= r["date_reception"] < cal.month(1)]
    for r in backlog[-3:]:
        r["answer_delay"] = 400
    data = []
    for r in sorted(rows, key=lambda r: (r["date_reception"], r["site"])):
        answered = r["date_reception"] + timedelta(days=r["answer_delay"])
        closed = answered + timedelta(days=int(rng.integers(0, 8)))
        founded = rng.random() < 0.42
        data.append({
            "date_reception": _ts(r["date_reception"]), "site": r["site"],
            "origine": _pick(rng, RECLAMATION_ORIGINES, [0.72, 0.2, 0.04, 0.04]),
            "canal": _pick(rng, RECLAMATION_CANALS, [0.3, 0.3, 0.2, 0.1, 0.1]),
            "motif": _pick(rng, RECLAMATION_MOTIFS),
            "gravite": _pick(rng, ["Faible", "Moyenne", "Élevée"], [0.45, 0.4, 0.15]),
            "date_accuse_reception": _ts(r["ack"] if r["ack"] <= cal.last_day else None),
            "date_reponse": _ts(answered if answered <= cal.last_day else None),
            "date_cloture": _ts(closed if closed <= cal.last_day else None),
            "fondee": founded if answered <= cal.last_day else None,
            "action": None,
            "_nom": _fictional_name(rng),
        })
    data = pd.DataFrame(data)
    data.insert(0, "numero", _yearly_numbers(data["date_reception"], "REC", 3))
    return data


# --------------------------------------------------------------------------- satisfaction

EXTRA_QUESTIONS = (
    "Êtes-vous satisfait de l'écoute des médiateurs ?",
    "Êtes-vous satisfait de l'orientation vers le bon interlocuteur ?",
    "Êtes-vous satisfait du délai d'intervention ?",
    "Êtes-vous satisfait de la présence des médiateurs dans le quartier ?",
    "Êtes-vous satisfait du suivi de votre situation ?",
)
LIKERT_WORDS = {4: "Très satisfait", 3: "Plutôt satisfait", 2: "Plutôt pas satisfait",
                1: "Pas du tout satisfait"}
POSITIVE_COMMENTS = ("Médiateurs très à l'écoute, merci.", "Intervention rapide et efficace.",
                     "Bonne présence dans le quartier le soir.",
                     "Le conflit avec mes voisins s'est apaisé.",
                     "Bon relais avec le bailleur.", "Équipe disponible et souriante.")
NEGATIVE_COMMENTS = ("Personne n'est revenu vers nous après la première visite.",
                     "Les médiateurs ont changé plusieurs fois, on ne sait plus à qui s'adresser.",
                     "Délai trop long avant d'avoir une réponse.",
                     "On ne voit plus les médiateurs le soir.",
                     "Orientation vers un service qui ne pouvait rien faire.")


def _satisfied_share(site: str, k: int, partner: bool) -> float:
    """Share of satisfied answers: the dip follows the turnover peak (k = months before end)."""
    if partner:
        return 0.80 if 1 <= k <= 4 else 0.9
    base = {"Lyon 8e": 0.9, "Lyon 9e": 0.885, "Saint-Étienne": 0.87}[site]
    dip = {5: 0.82, 4: 0.73, 3: 0.69, 2: 0.7, 1: 0.73, 0: 0.81}
    return min(base, dip.get(k, base))


def build_satisfaction(cal: Calendar, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for month in cal.months():
        k = cal.months_before_end(month)
        campaign = 1.5 if month.month in (6, 11) else 1.0
        for site in SITES:
            n = rng.poisson(12.5 * _month_season(month) * campaign)
            partner = rng.random(n) < 0.15
            answered = rng.random(n) >= 0.06
            score = np.zeros(n, dtype=int)
            for who in (False, True):
                idx = np.flatnonzero(answered & (partner == who))
                satisfied = int(round(_satisfied_share(site, k, who) * len(idx)))
                order = rng.permutation(idx)
                score[order[:satisfied]] = np.where(rng.random(satisfied) < 0.45, 4, 3)
                rest = order[satisfied:]
                score[rest] = np.where(rng.random(len(rest)) < 0.7, 2, 1)
            for i in range(n):
                day = _day_in_month(rng, month, weekdays_only=False)
                seconds = int(rng.integers(8 * 3600, 22 * 3600))
                stamp = datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)
                extras = []
                for q in range(len(EXTRA_QUESTIONS)):
                    if rng.random() < 0.05:
                        extras.append(None)
                        continue
                    base = score[i] if score[i] else 3
                    shift = _pick(rng, [-1, 0, 0, 0, 1])
                    if q == 1 and 1 <= k <= 5:
                        shift -= 1  # orientation suffers most from the staff turnover
                    extras.append(int(min(4, max(1, base + shift))))
                rows.append({
                    "date": pd.Timestamp(stamp.date()), "_horodateur": stamp,
                    "public": "partenaire" if partner[i] else "habitant", "site": site,
                    "satisfaction_globale": int(score[i]) if score[i] else None,
                    "_extras": extras,
                })
    data = pd.DataFrame(rows).sort_values("_horodateur", kind="stable").reset_index(drop=True)
    data["satisfaction_globale"] = data["satisfaction_globale"].astype("Int64")
    return data


# --------------------------------------------------------------------------- incidents

INCIDENT_TYPES = {  # type: (share, gravity choices, stop-days range)
    "agression verbale": (0.48, (1, 2), None),
    "menace": (0.16, (2, 3), None),
    "incident matériel": (0.15, (1, 2), None),
    "accident du travail": (0.12, (2, 3), (1, 15)),
    "presqu'accident": (0.09, (1, 2), None),
}
PHYSICAL_AGGRESSIONS = ((22, "Saint-Étienne"), (13, "Lyon 9e"), (2, "Saint-Étienne"))
INCIDENT_DESCRIPTIONS = {
    "agression verbale": "Insultes lors d'une intervention en pied d'immeuble",
    "menace": "Menaces verbales d'un groupe lors d'une présence en soirée",
    "incident matériel": "Téléphone professionnel endommagé",
    "accident du travail": "Chute dans un escalier lors d'une visite à domicile",
    "presqu'accident": "Scooter frôlant un médiateur sur un passage piéton",
    "agression physique": "Médiateur bousculé lors de la gestion d'un conflit",
}


def build_incidents(cal: Calendar, rng: np.random.Generator) -> pd.DataFrame:
    names = list(INCIDENT_TYPES)
    events = []
    for month in cal.months():
        for _ in range(rng.poisson(1.15 * _month_season(month))):
            events.append((_day_in_month(rng, month), _pick(rng, SITES, [0.36, 0.28, 0.36]),
                           _pick(rng, names, [INCIDENT_TYPES[t][0] for t in names])))
    for before_end, site in PHYSICAL_AGGRESSIONS:
        events.append((_day_in_month(rng, cal.month(before_end)), site, "agression physique"))
    rows = []
    for day, site, kind in sorted(events):
        if kind == "agression physique":
            gravity, stop = int(rng.integers(3, 5)), int(rng.integers(2, 10))
        else:
            _, gravities, stop_range = INCIDENT_TYPES[kind]
            gravity = int(_pick(rng, gravities))
            stop = int(rng.integers(*stop_range)) if stop_range else 0
        rows.append({
            "date": _ts(day), "site": site, "type": kind, "gravite": gravity,
            "jours_arret": stop, "action": None,
            "_heure": f"{int(rng.integers(9, 22)):02d}:{int(rng.integers(0, 4)) * 15:02d}",
            "_description": INCIDENT_DESCRIPTIONS[kind],
            "_declaration_at": kind in ("accident du travail", "agression physique"),
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- audits

@dataclass(frozen=True)
class _Audit:
    reference: str
    type_written: str
    type: str
    before_end: int
    day: int
    auditeur: str
    # (constat written, constat, processus, description, lifted once its action is done,
    #  action title)
    findings: tuple


AUDITS = (
    _Audit("AUD-INT-2025", "Interne", "interne", 19, 18,
           "Responsable qualité et pair du réseau", (
               ("Point fort", "point fort", "Suivi des activités",
                "Outil de saisie des interventions commun aux trois équipes.", False, None),
               ("NC mineure", "non-conformité mineure", "Réclamations et satisfaction",
                "Accusé de réception non tracé pour 4 réclamations sur 12 échantillonnées.",
                True, "Tracer l'accusé de réception dans le registre des réclamations"),
               ("NC mineure", "non-conformité mineure", "Compétences et formation",
                "Entretiens professionnels non réalisés pour 3 médiateurs.", True,
                "Planifier et réaliser les entretiens professionnels en retard"),
               ("Point sensible", "point sensible", "Ingénierie documentaire",
                "Procédures en circulation dans plusieurs versions.", True,
                "Centraliser les procédures en vigueur sur l'espace partagé"),
               ("Point de vigilance", "point sensible", "Cadre déontologique",
                "Charte déontologique non affichée dans les locaux de Saint-Étienne.", True,
                "Afficher la charte déontologique dans tous les locaux"),
               ("Point sensible", "point sensible", "Suivi des activités",
                "Heures de présence planifiées non rapprochées des heures réalisées.", False,
                "Rapprocher chaque mois heures planifiées et heures réalisées"),
               ("Piste de progrès", "piste de progrès", "Évaluation de l'utilité sociale",
                "Formaliser un questionnaire de satisfaction des partenaires.", False,
                "Créer le questionnaire de satisfaction des partenaires"),
               ("Piste d'amélioration", "piste de progrès", "Relations partenariales",
                "Organiser un bilan annuel avec chaque bailleur.", False, None),
               ("Piste de progrès", "piste de progrès", "Organisation et management",
                "Instaurer un temps d'équipe hebdomadaire sur chaque site.", False, None),
           )),
    _Audit("AB-FM-2026", "Audit blanc", "blanc", 9, 20, "France Médiation", (
        ("Point fort", "point fort", "Relations partenariales",
         "Partenariats formalisés et bilans annuels partagés avec les bailleurs.", False, None),
        ("NC majeure", "non-conformité majeure", "Réclamations et satisfaction",
         "Dates de réponse aux réclamations non tracées : délai non mesurable au second "
         "semestre.", True, "Tracer la date de réponse de chaque réclamation et suivre le délai"),
        ("NC mineure", "non-conformité mineure", "Compétences et formation",
         "Parcours d'intégration non formalisé pour les adultes relais.", True,
         "Formaliser le parcours d'intégration des adultes relais"),
        ("Écart mineur", "non-conformité mineure", "Ingénierie documentaire",
         "Documents qualité non révisés depuis plus de deux ans.", True,
         "Planifier la revue des documents qualité échus"),
        ("Point sensible", "point sensible", "Cadre déontologique",
         "Confidentialité des fiches d'intervention insuffisante sur les tablettes.", True,
         "Verrouiller l'accès aux fiches d'intervention sur les tablettes"),
        ("Point de vigilance", "point sensible", "Organisation et management",
         "Charge des coordinateurs accrue par les recrutements en cours.", False,
         "Répartir l'accueil des nouveaux médiateurs entre coordinateurs et tuteurs"),
        ("Piste de progrès", "piste de progrès", "Évaluation de l'utilité sociale",
         "Exploiter les questionnaires question par question et par site.", False,
         "Produire une analyse des questionnaires par question et par site"),
        ("Opportunité d'amélioration", "piste de progrès", "Suivi des activités",
         "Suivre les mises en relation jusqu'à leur aboutissement.", False, None),
    )),
    _Audit("AFNOR-2026", "Renouvellement", "certification", 1, 22, "AFNOR Certification", (
        ("Point fort", "point fort", "Cadre déontologique",
         "Charte déontologique connue et appliquée par les équipes rencontrées.", False, None),
        ("Point fort", "point fort", "Relations partenariales",
         "Partenaires associés à l'analyse des situations complexes.", False, None),
        ("NC mineure", "non-conformité mineure", "Réclamations et satisfaction",
         "Délais de réponse aux réclamations dépassés à Saint-Étienne depuis mai.", False,
         "Plan de rattrapage des réponses aux réclamations à Saint-Étienne"),
        ("NC mineure", "non-conformité mineure", "Compétences et formation",
         "Plan de formation partiellement réalisé (sessions annulées au printemps).", False,
         "Reprogrammer les sessions de formation annulées"),
        ("Point sensible", "point sensible", "Organisation et management",
         "Actions du plan d'amélioration soldées tardivement, peu avant l'audit.", False,
         "Revue mensuelle du plan d'amélioration en comité de direction"),
        ("Piste de progrès", "piste de progrès", "Suivi des activités",
         "Automatiser le tableau de bord trimestriel.", False, None),
        ("Piste de progrès", "piste de progrès", "Évaluation de l'utilité sociale",
         "Associer des habitants à l'analyse des résultats d'enquête.", False, None),
        ("Point sensible", "point sensible", "Ingénierie documentaire",
         "Quelques enregistrements encore sur des modèles périmés.", False,
         "Retirer les modèles d'enregistrement périmés"),
    )),
)


def build_audits(cal: Calendar) -> pd.DataFrame:
    rows = []
    for audit in AUDITS:
        day = cal.month(audit.before_end).replace(day=audit.day)
        for written, constat, processus, description, lifted, action in audit.findings:
            rows.append({
                "audit": audit.reference, "type_audit": audit.type, "date": _ts(day),
                "processus": processus, "constat": constat, "description": description,
                "date_levee": pd.NaT, "action": None, "_lifted": lifted,
                "_type_written": audit.type_written, "_constat_written": written,
                "_auditeur": audit.auditeur, "_action_title": action,
            })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- actions

@dataclass
class _ActionSeed:
    """An improvement action asked for by a source row (complaint, finding, incident…)."""

    source_date: date
    origine: str
    intitule: str
    site: str | None = None
    source: tuple[str, int] | None = None  # (dataset, row index) to write the number back
    ref_origine: str | None = None
    delay: int | None = None  # days between the source and the opening


COMPLAINT_ACTIONS = {
    "Comportement d'un médiateur": "Rappel des règles de posture professionnelle en équipe",
    "Absence d'intervention": "Revoir la planification des tournées du secteur concerné",
    "Délai de réponse": "Mettre en place un suivi hebdomadaire des réclamations ouvertes",
    "Nuisances non résolues": "Organiser une table ronde avec le bailleur et les habitants",
    "Information erronée": "Mettre à jour la fiche des partenaires et de leurs horaires",
    "Orientation inadaptée": "Actualiser l'annuaire des partenaires d'orientation",
    "Manque de présence en soirée": "Ajuster les plages de présence en soirée",
}
INCIDENT_ACTIONS = {
    "agression physique": "Analyse de l'agression et adaptation des binômes en soirée",
    "menace": "Signalement au partenaire et adaptation du circuit de présence",
    "accident du travail": "Analyse de l'accident et rappel des consignes de sécurité",
    "agression verbale": "Débriefing collectif et analyse de pratiques sur la situation",
    "incident matériel": "Remplacement du matériel et vérification du parc",
    "presqu'accident": "Rappel des consignes de déplacement sur l'espace public",
}
REVIEW_ACTIONS = (
    "Fixer les objectifs qualité de l'année et les partager avec les équipes",
    "Mettre à jour la cartographie des risques",
    "Réviser le plan de formation",
    "Renforcer le suivi des heures de présence terrain",
    "Préparer l'audit de renouvellement",
    "Planifier les revues documentaires",
)
SURVEY_ACTIONS = (
    "Restituer les résultats de l'enquête aux équipes",
    "Présenter les résultats de l'enquête aux partenaires",
    "Mieux informer les habitants sur les suites données",
    "Renforcer le tutorat des nouveaux médiateurs",
    "Mettre en place un suivi des orientations vers les partenaires",
)
# The indicators a quality lead names on an action (the plan's « Indicateurs concernés »): only
# where the link is plain; complaint and audit actions answer one case and stay unlinked.
ACTION_INDICATORS = {
    "Réviser le plan de formation": "FOR-01",
    "Renforcer le suivi des heures de présence terrain": "ACT-04",
    "Planifier les revues documentaires": "DOC-01",
    "Préparer l'audit de renouvellement": "AUD-01, AUD-02",
    "Mieux informer les habitants sur les suites données": "SAT-01",
    "Présenter les résultats de l'enquête aux partenaires": "SAT-02",
    "Renforcer le tutorat des nouveaux médiateurs": "FOR-03",
    "Mettre en place un suivi des orientations vers les partenaires": "ACT-03, SAT-02",
    INCIDENT_ACTIONS["agression physique"]: "SEC-01, SEC-02",
}
OTHER_ACTIONS = (
    "Équiper les médiateurs de lampes frontales pour les présences en soirée",
    "Créer une boîte à idées numérique",
    "Harmoniser les trames de compte rendu de table ronde",
    "Mettre en place un covoiturage entre sites pour les formations",
)
PILOTES = ("Responsable qualité", "Directrice", "Coordinatrice Lyon 8e",
           "Coordinateur Lyon 9e", "Coordinatrice Saint-Étienne", "Chargée RH")
SITE_PILOTE = dict(zip(SITES, PILOTES[2:5]))
PILE_UP = range(2, 7)  # actions due 6 to 2 months before the end pile up before the audit
RUSH_BEFORE_AUDIT = 18  # day of the audit month by which late actions are hurriedly closed


def _action_seeds(cal: Calendar, rng: np.random.Generator, data: dict[str, pd.DataFrame]
                  ) -> list[_ActionSeed]:
    seeds: list[_ActionSeed] = []
    audits = data["audits"]
    for i, row in audits.iterrows():
        if isinstance(row["_action_title"], str):
            seeds.append(_ActionSeed(_as_date(row["date"]), "audit", row["_action_title"],
                                     None, ("audits", i), row["audit"],
                                     int(rng.integers(8, 25))))
    complaints = data["reclamations"]
    for i, row in complaints.iterrows():
        founded = pd.notna(row["fondee"]) and bool(row["fondee"])
        if founded and (row["gravite"] == "Élevée" or rng.random() < 0.2):
            seeds.append(_ActionSeed(_as_date(row["date_reponse"]), "réclamation",
                                     COMPLAINT_ACTIONS[row["motif"]], row["site"],
                                     ("reclamations", i), row["numero"]))
    incidents = data["incidents"]
    for i, row in incidents.iterrows():
        if row["gravite"] >= 3:
            day = _as_date(row["date"])
            seeds.append(_ActionSeed(day, "incident", INCIDENT_ACTIONS[row["type"]],
                                     row["site"], ("incidents", i), f"EI du {_fr_date(day)}"))
    # Management reviews every January, plus one before the certification audit.
    for month in cal.months():
        k = cal.months_before_end(month)
        if month.month == 1 or k == 5:
            day = month.replace(day=25 if k != 5 else 12)
            for title in rng.choice(REVIEW_ACTIONS, size=3, replace=False):
                seeds.append(_ActionSeed(day, "revue de direction", str(title), None, None,
                                         f"Revue de direction du {_fr_date(day)}"))
        if month.month in (1, 7) or k == 3:
            site = _pick(rng, SITES)
            title = SURVEY_ACTIONS[3 if k == 3 else int(rng.integers(0, len(SURVEY_ACTIONS)))]
            seeds.append(_ActionSeed(month.replace(day=10), "enquête de satisfaction", title,
                                     site if k != 3 else None, None, "Enquête de satisfaction"))
        if k == 2:
            seeds.append(_ActionSeed(month.replace(day=3), "enquête de satisfaction",
                                     SURVEY_ACTIONS[4], None, None, "Enquête de satisfaction"))
    for k, title in zip((30, 21, 14, 4), OTHER_ACTIONS):
        seeds.append(_ActionSeed(cal.month(k).replace(day=5), "autre", title, None, None,
                                 "Suggestion des équipes"))
    return seeds


def build_actions(cal: Calendar, rng: np.random.Generator, data: dict[str, pd.DataFrame]
                  ) -> pd.DataFrame:
    """The improvement plan: actions asked for by findings, complaints, incidents, surveys and
    management reviews. Most are done on time, except those due in the months before the
    certification audit: they pile up late and are hurriedly closed just before it."""
    seeds = _action_seeds(cal, rng, data)
    planned = []
    for seed in seeds:
        delay = seed.delay if seed.delay is not None else int(rng.integers(2, 15))
        opened = seed.source_date + timedelta(days=delay)
        if opened > cal.last_day:
            continue
        if seed.origine == "audit":
            span = int(_pick(rng, [60, 90, 120]))
        else:
            span = int(_pick(rng, [30, 45, 60, 90, 120]))
        planned.append((opened, seed, opened + timedelta(days=span)))
    planned.sort(key=lambda p: p[0])

    rush_end = cal.month(1).replace(day=RUSH_BEFORE_AUDIT)
    pile_up = [i for i, (_, _, due) in enumerate(planned)
               if cal.months_before_end(due) in PILE_UP]
    # A few late actions are still open after the audit (none of them from an audit).
    stuck = set([i for i in pile_up if planned[i][1].origine != "audit"][-5::2])
    abandoned = {i for i, (_, s, _) in enumerate(planned)
                 if s.origine in ("autre", "revue de direction")}
    abandoned = set(sorted(abandoned)[1::4][:2])
    rows = []
    for i, (opened, seed, due) in enumerate(planned):
        span = (due - opened).days
        done = None
        if i in pile_up:
            if i not in stuck and rng.random() < 0.2:
                done = opened + timedelta(days=int(rng.integers(span // 2, span + 1)))
            elif i not in stuck:
                done = rush_end - timedelta(days=int(rng.integers(0, 17)))
        elif i not in abandoned:
            if rng.random() < 0.8:
                done = opened + timedelta(days=int(rng.integers(span // 3, span + 1)))
            else:
                done = due + timedelta(days=int(rng.integers(7, 60)))
        if done is not None and done > cal.last_day:
            done = None
        if i in abandoned:
            status = "abandonnée"
        elif done is not None:
            status = "réalisée"
        else:
            status = "en cours" if (cal.last_day - opened).days > 20 else "à faire"
        efficacy = None
        if done is not None:
            age = (cal.last_day - done).days  # effectiveness is judged some weeks later
            if age > 120:
                efficacy = _pick(rng, ["efficace", "non efficace", "à évaluer", None],
                                 [0.74, 0.12, 0.07, 0.07])
            elif age > 45:
                efficacy = _pick(rng, ["efficace", "à évaluer", None], [0.35, 0.45, 0.2])
            else:
                efficacy = _pick(rng, ["à évaluer", None], [0.6, 0.4])
        rows.append({
            "intitule": seed.intitule, "origine": seed.origine, "site": seed.site,
            "pilote": SITE_PILOTE[seed.site] if seed.site and rng.random() < 0.7
            else _pick(rng, PILOTES[:2] + PILOTES[5:]),
            "date_ouverture": _ts(opened), "echeance": _ts(due), "date_realisation": _ts(done),
            "statut": status, "efficacite": efficacy,
            "indicateurs": ACTION_INDICATORS.get(seed.intitule),
            "_ref_origine": seed.ref_origine, "_source": seed.source,
        })
    actions = pd.DataFrame(rows)
    actions.insert(0, "numero", _yearly_numbers(actions["date_ouverture"], "PA", 3))
    return actions


def _link_actions(data: dict[str, pd.DataFrame], cal: Calendar, rng: np.random.Generator
                  ) -> None:
    """Write each action's number back on the row it came from; lift audit findings.

    A finding is lifted after its action is done, once the verification is made (hurried to
    be over before the next audit).
    """
    actions = data["actions"]
    audits = data["audits"]
    audit_days = sorted(_as_date(d) for d in audits["date"].unique())
    for numero, source, done in zip(actions["numero"], actions["_source"],
                                    actions["date_realisation"]):
        if source is not None:
            dataset, index = source
            data[dataset].loc[index, "action"] = numero
            if dataset == "audits" and audits.loc[index, "_lifted"] and pd.notna(done):
                done = _as_date(done)
                lifted = done + timedelta(days=int(rng.integers(2, 12)))
                next_audit = min((d for d in audit_days if d > done), default=None)
                if next_audit is not None and lifted >= next_audit:
                    lifted = next_audit - timedelta(days=1)
                if lifted <= cal.last_day:
                    audits.loc[index, "date_levee"] = pd.Timestamp(lifted)


# --------------------------------------------------------------------------- formations

CONTINUING_COURSES = (  # title, hours, organisation
    ("Gestion des conflits et communication non violente", 14.0, "France Médiation"),
    ("Premiers secours (PSC1)", 7.0, "Croix-Rouge française"),
    ("Laïcité et valeurs de la République", 7.0, "Organisme agréé"),
    ("Repérage des violences intrafamiliales", 3.5, "Organisme agréé"),
    ("Posture et déontologie du médiateur", 7.0, "France Médiation"),
    ("Prévention des risques psychosociaux", 3.5, "Interne"),
    ("Accès aux droits et orientation", 7.0, "Interne"),
    ("Gestion du stress et de l'agressivité", 14.0, "Organisme agréé"),
    ("Écrits professionnels", 7.0, "Interne"),
)


def build_formations(cal: Calendar, rng: np.random.Generator, staff: pd.DataFrame
                     ) -> pd.DataFrame:
    rows = []

    def add(person: pd.Series, day: date, title: str, kind: str, hours: float,
            organisation: str, status: str) -> None:
        rows.append({"salarie": person["_nom"], "date": _ts(day), "intitule": title,
                     "type": kind, "heures": hours, "statut": status,
                     "_organisme": organisation})

    mediators = staff[staff["fonction"] == "médiateur"]
    horizon = _add_months(cal.end, 2)  # planned sessions appear up to two months ahead
    # Onboarding and field tutoring for every new hire of the span.
    for _, person in staff[staff["date_entree"] >= pd.Timestamp(cal.start)].iterrows():
        entry = _as_date(person["date_entree"])
        for title, kind, hours, offset in (
                ("Parcours d'intégration", "intégration", 21.0, 10),
                ("Accueil sécurité et consignes terrain", "intégration", 3.5, 3),
                ("Tutorat terrain", "accompagnement terrain", 7.0, 35)):
            day = entry + timedelta(days=offset)
            if person["fonction"] == "support" and kind != "intégration":
                continue
            if day < horizon:
                add(person, day, title, kind, hours, "Interne",
                    "réalisée" if day <= cal.last_day else "planifiée")
    # Continuing training: about one session a month (none in August); during the turnover
    # peak half the sessions are cancelled.
    course = 0
    month = cal.start
    while month < horizon:
        k = cal.months_before_end(month)
        if month.month != 8 and rng.random() < 0.6:
            title, hours, organisation = CONTINUING_COURSES[course % len(CONTINUING_COURSES)]
            course += 1
            day = _day_in_month(rng, month)
            present = staff[_present(staff, day) & (staff["fonction"] != "support")]
            attendees = present.sample(n=min(len(present), int(rng.integers(5, 10))),
                                       random_state=rng)
            if day > cal.last_day:
                status = "planifiée"
            elif k in PEAK_MONTHS and rng.random() < 0.5:
                status = "annulée"
            else:
                status = "réalisée"
            for _, person in attendees.iterrows():
                add(person, day, title, "formation continue", hours, organisation, status)
        # Analysis of practice, every other month on each site.
        if month.month % 2 == 0 and month.month != 8:
            for site in SITES:
                day = _day_in_month(rng, month)
                present = mediators[_present(mediators, day) & (mediators["site"] == site)]
                attendees = present[rng.random(len(present)) < 0.8]
                if day > cal.last_day:
                    status = "planifiée"
                elif k in PEAK_MONTHS and k > 5:
                    status = "annulée"
                else:
                    status = "réalisée"
                for _, person in attendees.iterrows():
                    add(person, day, "Analyse de pratiques", "analyse de pratiques", 2.5,
                        "Psychologue intervenante", status)
        month = _add_months(month, 1)
    return pd.DataFrame(rows).sort_values(["date", "intitule"], kind="stable"
                                          ).reset_index(drop=True)


# --------------------------------------------------------------------------- documents

DOCUMENTS = (
    ("MQ-01", "Manuel qualité"), ("CH-01", "Charte déontologique de la médiation sociale"),
    ("PR-01", "Pilotage du système qualité"),
    ("PR-02", "Maîtrise des documents et des enregistrements"),
    ("PR-03", "Traitement des réclamations"), ("PR-04", "Gestion des demandes"),
    ("PR-05", "Planification de la présence terrain"),
    ("PR-06", "Gestion des situations conflictuelles"),
    ("PR-07", "Mise en relation avec les partenaires"), ("PR-08", "Veille sociale et technique"),
    ("PR-09", "Recrutement et intégration des salariés"),
    ("PR-10", "Formation et développement des compétences"), ("PR-11", "Audits internes"),
    ("PR-12", "Actions d'amélioration"), ("PR-13", "Revue de direction"),
    ("PR-14", "Évaluation de l'utilité sociale"), ("PR-15", "Gestion des événements indésirables"),
    ("PR-16", "Sécurité des médiateurs sur le terrain"),
    ("PR-17", "Protection des données personnelles"),
    ("MO-01", "Saisie des interventions"), ("MO-02", "Rédaction d'une fiche de veille technique"),
    ("MO-03", "Conduite d'une médiation en différé (navette)"),
    ("MO-04", "Organisation d'une table ronde"), ("MO-05", "Accueil d'un nouveau médiateur"),
    ("MO-06", "Tutorat terrain"), ("MO-07", "Passation des consignes entre équipes"),
    ("MO-08", "Déclaration d'un accident du travail"),
    ("MO-09", "Administration du questionnaire de satisfaction"),
    ("MO-10", "Sauvegarde des données"), ("EN-01", "Fiche d'intervention"),
    ("EN-02", "Fiche de réclamation"), ("EN-03", "Accusé de réception de réclamation"),
    ("EN-04", "Questionnaire de satisfaction habitants"),
    ("EN-05", "Questionnaire de satisfaction partenaires"),
    ("EN-06", "Fiche de déclaration d'événement indésirable"),
    ("EN-07", "Fiche action d'amélioration"), ("EN-08", "Grille d'audit interne"),
    ("EN-09", "Compte rendu de revue de direction"), ("EN-10", "Livret d'accueil du salarié"),
    ("EN-11", "Grille d'entretien professionnel"), ("EN-12", "Fiche de veille technique"),
    ("EN-13", "Planning de présence terrain"), ("EN-14", "Convention de partenariat type"),
    ("EN-15", "Registre des formations"), ("EN-16", "Tableau de bord qualité"),
    ("EN-17", "Fiche de mise en relation"), ("EN-18", "Fiche de poste médiateur social"),
    ("EN-19", "Fiche de poste coordinateur"),
)
ARCHIVED_DOCUMENTS = (("PR-18", "Gestion des clés et badges"),
                      ("EN-20", "Fiche d'intervention papier"),
                      ("MO-11", "Saisie des interventions sur tableur"))
OVERDUE_DOCUMENTS = ("PR-05", "PR-16", "MO-07", "EN-14")
DRAFT_DOCUMENTS = ("PR-03", "EN-16")
DOC_TYPES = {"MQ": "Manuel", "CH": "Charte", "PR": "Procédure", "MO": "Mode opératoire",
             "EN": "Enregistrement"}


def build_documents(cal: Calendar, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for code, title in DOCUMENTS + ARCHIVED_DOCUMENTS:
        archived = (code, title) in ARCHIVED_DOCUMENTS
        if code in OVERDUE_DOCUMENTS:
            revised = cal.end - timedelta(days=int(rng.integers(760, 900)))
        elif archived:
            revised = cal.start - timedelta(days=int(rng.integers(100, 600)))
        else:
            revised = cal.last_day - timedelta(days=int(rng.integers(15, 700)))
        # The next review is written for most documents, else it is two years later.
        next_review = None
        if rng.random() < 0.7 and not archived:
            next_review = _add_months(revised.replace(day=1), 24) + timedelta(days=revised.day - 1)
        status = "archivé" if archived else ("en révision" if code in DRAFT_DOCUMENTS
                                              else "en vigueur")
        version = int(rng.integers(1, 6))
        rows.append({
            "code": code, "titre": title,
            "version": _pick(rng, [f"V{version}", str(version), f"{version}.0"]),
            "date_revision": _ts(revised), "date_prochaine_revision": _ts(next_review),
            "statut": status, "_type": DOC_TYPES[code[:2]],
            "_redacteur": _pick(rng, ["Responsable qualité", "Directrice", "Coordinatrice",
                                      "Chargée RH"]),
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- build all


def build(end_month: str = DEFAULT_END_MONTH, seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """The demo's clean rows, dataset by dataset (columns of datasets.md; ``_x`` = display).

    These are exactly the rows an import of the generated files must load.
    """
    cal = Calendar(_parse_month(end_month))
    data: dict[str, pd.DataFrame] = {}
    data["effectifs"] = build_effectifs(cal, _rng(seed, "effectifs"))
    staffing = _mediator_ratio(data["effectifs"], cal)
    data["activite"] = build_activite(cal, _rng(seed, "activite"), staffing)
    data["presence"] = build_presence(cal, _rng(seed, "presence"), staffing)
    data["demandes"] = build_demandes(cal, _rng(seed, "demandes"))
    data["reclamations"] = build_reclamations(cal, _rng(seed, "reclamations"))
    data["satisfaction"] = build_satisfaction(cal, _rng(seed, "satisfaction"))
    data["incidents"] = build_incidents(cal, _rng(seed, "incidents"))
    data["audits"] = build_audits(cal)
    data["actions"] = build_actions(cal, _rng(seed, "actions"), data)
    _link_actions(data, cal, _rng(seed, "audits"))  # draws when findings are lifted
    data["formations"] = build_formations(cal, _rng(seed, "formations"), data["effectifs"])
    data["documents"] = build_documents(cal, _rng(seed, "documents"))
    return data


# --------------------------------------------------------------------------- file writers


@dataclass
class _Table:
    """A sheet (or CSV) as written: lines above the header, the header, rows, lines below."""

    header: list[str]
    rows: list[list]
    preamble: list[list] = field(default_factory=list)
    footer: list[list] = field(default_factory=list)
    title: str = "Feuil1"
    date_columns: tuple[str, ...] = ()
    widths: dict[str, float] = field(default_factory=dict)
    freeze: bool = False
    autofilter: bool = False

    @property
    def first_data_row(self) -> int:
        return len(self.preamble) + 2

    def place_bad_rows(self, dataset: str, make: Callable[[list, BadRow], list]) -> None:
        """Insert this dataset's deliberate bad rows at their declared row numbers."""
        for bad in sorted((b for b in DELIBERATE_BAD_ROWS if b.dataset == dataset),
                          key=lambda b: b.row):
            index = bad.row - self.first_data_row
            row = list(make(self.rows[index], bad))
            row[self.header.index(bad.column)] = bad.value
            self.rows.insert(index, row)


def _records(data: pd.DataFrame) -> list[dict]:
    return data.to_dict("records")


def _cell_value(value):
    if value is None or (not isinstance(value, (str, list)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _write_xlsx(path: Path, sheets: Sequence[_Table], cal: Calendar) -> None:
    wb = Workbook(write_only=True)
    bold, title_font = Font(bold=True), Font(bold=True, size=14)
    for table in sheets:
        ws = wb.create_sheet(table.title)
        for letter, width in table.widths.items():
            ws.column_dimensions[letter].width = width
        header_row = len(table.preamble) + 1
        if table.freeze:
            ws.freeze_panes = f"A{header_row + 1}"
        date_idx = {table.header.index(c) for c in table.date_columns}
        for i, line in enumerate(table.preamble):
            cells = []
            for value in line:
                cell = WriteOnlyCell(ws, value=_cell_value(value))
                if i == 0 and value is not None:
                    cell.font = title_font
                cells.append(cell)
            ws.append(cells)
        header = []
        for name in table.header:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in table.rows:
            cells = []
            for j, value in enumerate(row):
                value = _cell_value(value)
                if j in date_idx and isinstance(value, (date, datetime)):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "DD/MM/YYYY"
                    cells.append(cell)
                else:
                    cells.append(value)
            ws.append(cells)
        for line in table.footer:
            ws.append([WriteOnlyCell(ws, value=_cell_value(v)) for v in line])
        if table.autofilter:
            last = header_row + len(table.rows)
            ws.auto_filter.ref = f"A{header_row}:{_column_letter(len(table.header))}{last}"
    stamp = datetime.combine(cal.export_day, datetime.min.time()).replace(hour=8)
    wb.properties.creator = STRUCTURE
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    _write_deterministic_zip(buffer.getvalue(), path, stamp)


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def _write_deterministic_zip(content: bytes, path: Path, stamp: datetime) -> None:
    """Rewrite an xlsx with fixed entry timestamps and a fixed « modified » property."""
    fixed = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"<dcterms:modified\1>" + fixed + rb"</dcterms:modified>",
                                     data)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data)
    path.write_bytes(out.getvalue())


def _write_csv(path: Path, table: _Table, *, delimiter: str, encoding: str,
               quoting: int = csv.QUOTE_MINIMAL) -> None:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    for line in [*table.preamble, table.header, *table.rows, *table.footer]:
        writer.writerow(["" if v is None else v for v in line])
    path.write_bytes(text.getvalue().encode(encoding))


def _spell(rng: np.random.Generator, spellings: dict[str, Sequence[str]], value: str | None):
    """Write a listed value the way people do: one of its spellings, else as is."""
    if value is None:
        return None
    options = spellings.get(value)
    return _pick(rng, options) if options else value


def _oui_non(value, yes: str = "oui", no: str = "non"):
    if value is None or pd.isna(value):
        return None
    return yes if value else no


REGISTRE_SPELLINGS = {
    "présence active de proximité": ("Présence active de proximité", "PAP", "Présence active",
                                     "présence active", "Présence de proximité"),
    "gestion de conflit": ("Gestion de conflit", "Gestion des conflits", "Médiation de conflit",
                           "Conflit"),
    "veille sociale et technique": ("Veille sociale et technique", "Veille technique",
                                    "Veille sociale", "VEILLE"),
    "mise en relation": ("Mise en relation", "Orientation", "Mise en relation partenaire"),
    "information et sensibilisation": ("Information et sensibilisation", "Information",
                                       "Sensibilisation"),
    "accompagnement": ("Accompagnement",),
    "concertation": ("Concertation",),
}


def write_activite(folder: Path, data: pd.DataFrame, cal: Calendar,
                   rng: np.random.Generator) -> None:
    header = ["Date de l'intervention", "Heure", "Équipe", "Type d'intervention", "Quartier",
              "Public", "Nb personnes rencontrées", "Durée (min)", "Orientation partenaire",
              "Partenaire"]
    spelled = [_spell(rng, REGISTRE_SPELLINGS, r) for r in data["registre"]]
    rows = [list(r) for r in zip(
        data["date"], data["_heure"], data["site"], spelled, data["quartier"], data["public"],
        data["nb_personnes"], data["duree_min"],
        ["Oui" if o else "Non" for o in data["orientation"]], data["partenaire"])]
    table = _Table(
        header, rows, title="Interventions",
        preamble=[[f"{STRUCTURE} — Export des interventions"],
                  [f"Exporté le {_fr_date(cal.export_day)} à 08:12 — période du "
                   f"{_fr_date(cal.start)} au {_fr_date(cal.last_day)}"],
                  []],
        date_columns=("Date de l'intervention",),
        widths={"A": 14, "C": 14, "D": 30, "E": 20, "F": 16, "I": 12, "J": 30})
    table.place_bad_rows("activite", lambda neighbour, bad: neighbour)
    _write_xlsx(folder / FILES["activite"], [table], cal)


def write_presence(folder: Path, data: pd.DataFrame, cal: Calendar,
                   rng: np.random.Generator) -> None:
    header = ["Mois", "Site", "Nb médiateurs", "Heures prévues", "Heures réalisées", "Écart (h)",
              "Taux de réalisation"]
    rows = []
    for r in _records(data.sort_values(["date", "site"], kind="stable")):
        d, planned, done = _as_date(r["date"]), r["heures_planifiees"], r["heures_realisees"]
        rows.append([f"{MONTH_NAMES[d.month - 1]} {d.year}", r["site"], r["_mediateurs"],
                     _fr_number(planned, nbsp_thousands=True),
                     _fr_number(done, nbsp_thousands=True), _fr_number(done - planned),
                     _fr_number(100 * done / planned) + " %"])
    table = _Table(header, rows,
                   preamble=[[f"Présence terrain – {STRUCTURE}", "", "", "", "", "", ""],
                             [""] * 7])
    _write_csv(folder / FILES["presence"], table, delimiter=";", encoding="cp1252")


def write_demandes(folder: Path, data: pd.DataFrame, cal: Calendar,
                   rng: np.random.Generator) -> None:
    header = ["N° demande", "Reçue le", "Site", "Canal", "Demandeur", "Objet",
              "Date prise en charge", "Date de clôture", "Statut", "Délai (j)"]
    rows = []
    for r in _records(data):
        received, closed = _as_date(r["date_reception"]), _as_date(r["date_cloture"])
        rows.append([r["numero"], _fr_date(received), r["site"], r["canal"], r["demandeur"],
                     r["objet"], _fr_date(_as_date(r["date_prise_en_charge"])), _fr_date(closed),
                     r["statut"], (closed - received).days if closed else None])
    rows.insert(len(rows) // 3, [None] * len(header))  # a row someone emptied
    years = sorted({d.year for d in data["date_reception"]})
    summary = [["Site", *[str(y) for y in years], "Total"]]
    for site in SITES:
        counts = [int(((data["site"] == site) & (data["date_reception"].dt.year == y)).sum())
                  for y in years]
        summary.append([site, *counts, sum(counts)])
    totals = [sum(line[i] for line in summary[1:]) for i in range(1, len(years) + 2)]
    synthese = _Table(summary[0], summary[1:], footer=[["Total", *totals]], title="Synthèse",
                      preamble=[["Suivi des demandes — synthèse par site et par année"],
                                [f"Données au {_fr_date(cal.last_day)}"], []],
                      widths={"A": 18})
    detail = _Table(header, rows, title="Demandes", freeze=True, autofilter=True,
                    widths={"A": 15, "B": 12, "C": 14, "F": 28, "G": 14, "H": 14})
    _write_xlsx(folder / FILES["demandes"], [synthese, detail], cal)


ORIGINE_SPELLINGS = {
    "habitant": ("Habitant", "Habitant", "Locataire", "Usager", "Résident"),
    "partenaire": ("Bailleur", "Partenaire", "Collectivité", "Institution"),
    "salarié": ("Salarié",),
    "autre": ("Autre",),
}


def write_reclamations(folder: Path, data: pd.DataFrame, cal: Calendar,
                       rng: np.random.Generator) -> None:
    header = ["N° réclamation", "Nom du réclamant", "Date de réception", "Site", "Origine",
              "Canal", "Motif", "Gravité", "Date AR", "Date de réponse", "Date de clôture",
              "Fondée", "Action liée"]
    rows = [[r["numero"], r["_nom"], r["date_reception"], r["site"],
             _spell(rng, ORIGINE_SPELLINGS, r["origine"]), r["canal"], r["motif"], r["gravite"],
             r["date_accuse_reception"], r["date_reponse"], r["date_cloture"],
             _oui_non(r["fondee"], "O", "N"), r["action"]]
            for r in _records(data)]
    table = _Table(header, rows, title="Registre", footer=[["Total", len(rows)]],
                   date_columns=("Date de réception", "Date AR", "Date de réponse",
                                 "Date de clôture"),
                   widths={"A": 16, "B": 24, "C": 14, "G": 30, "I": 12, "J": 14, "K": 14})
    next_number = {}
    for numero in data["numero"]:
        year = numero.split("-")[1]
        next_number[year] = max(next_number.get(year, 0), int(numero.split("-")[2]))

    def mistyped(neighbour: list, bad: BadRow) -> list:
        year = bad.value[-4:]
        next_number[year] = next_number.get(year, 0) + 1
        row = [None] * len(header)
        row[:8] = [f"REC-{year}-{next_number[year]:03d}", _fictional_name(rng), None,
                   neighbour[3], "Habitant", "Téléphone", RECLAMATION_MOTIFS[1], "Moyenne"]
        return row

    table.place_bad_rows("reclamations", mistyped)
    _write_xlsx(folder / FILES["reclamations"], [table], cal)


PUBLIC_SPELLINGS = {"habitant": ("Habitant", "Habitant", "Habitant", "Usager"),
                    "partenaire": ("Partenaire", "Partenaire", "Bailleur")}


def write_satisfaction(folder: Path, data: pd.DataFrame, cal: Calendar,
                       rng: np.random.Generator) -> None:
    header = ["Horodateur", "Vous êtes", "Site", "Globalement, êtes-vous satisfait ?",
              *EXTRA_QUESTIONS, "Un commentaire ? (facultatif)", "Adresse e-mail (facultatif)"]
    rows = []
    for r in _records(data):
        score = r["satisfaction_globale"]
        overall = LIKERT_WORDS[int(score)] if not pd.isna(score) else \
            _pick(rng, ["Sans avis", "Sans avis", ""])
        extras = [LIKERT_WORDS[v] if v else "Sans avis" for v in r["_extras"]]
        comment = ""
        if rng.random() < 0.2:
            negative = not pd.isna(score) and score <= 2
            comment = _pick(rng, NEGATIVE_COMMENTS if negative else POSITIVE_COMMENTS)
        email = ""
        if rng.random() < 0.04:
            first = _pick(rng, FIRST_NAMES_F + FIRST_NAMES_M)
            email = f"{_ascii(first)}.{_ascii(_pick(rng, FICTIONAL_SURNAMES))}@example.org"
        rows.append([r["_horodateur"].strftime("%d/%m/%Y %H:%M:%S"),
                     _spell(rng, PUBLIC_SPELLINGS, r["public"]), r["site"], overall, *extras,
                     comment, email])
    _write_csv(folder / FILES["satisfaction"], _Table(header, rows), delimiter=",",
               encoding="utf-8-sig", quoting=csv.QUOTE_ALL)


def _ascii(text: str) -> str:
    return normalize_header(text).replace(" ", "")


FORMATION_STATUS_SPELLINGS = {"réalisée": ("Réalisée", "Réalisée", "Fait", "Effectuée", ""),
                              "planifiée": ("Prévue", "Planifiée", "À venir"),
                              "annulée": ("Annulée",)}
FORMATION_TYPE_SPELLINGS = {"accompagnement terrain": ("Tutorat", "Accompagnement terrain"),
                            "formation continue": ("Formation continue", "Continue"),
                            "intégration": ("Intégration",),
                            "analyse de pratiques": ("Analyse de pratiques",)}


def write_formations(folder: Path, data: pd.DataFrame, cal: Calendar,
                     rng: np.random.Generator) -> None:
    header = ["Nom", "Date de la session", "Intitulé", "Type", "Organisme", "Durée (h)",
              "Statut"]
    rows = [[r["salarie"], r["date"], r["intitule"],
             _spell(rng, FORMATION_TYPE_SPELLINGS, r["type"]), r["_organisme"],
             _hours_text(rng, r["heures"]),
             _spell(rng, FORMATION_STATUS_SPELLINGS, r["statut"]) or None]
            for r in _records(data)]
    table = _Table(header, rows, title="Formations", date_columns=("Date de la session",),
                   widths={"A": 24, "B": 14, "C": 45, "D": 22, "E": 24})
    _write_xlsx(folder / FILES["formations"], [table], cal)


POSTE_SPELLINGS = {
    ("médiateur", True): ("Médiatrice sociale", "Médiatrice sociale", "Médiatrice",
                          "Agent de médiation"),
    ("médiateur", False): ("Médiateur social", "Médiateur social", "Médiateur",
                           "Agent de médiation"),
    ("encadrant", True): ("Coordinatrice", "Responsable d'équipe"),
    ("encadrant", False): ("Coordinateur", "Chef d'équipe"),
}


def write_effectifs(folder: Path, data: pd.DataFrame, cal: Calendar,
                    rng: np.random.Generator) -> None:
    header = ["Matricule", "Poste", "Site", "Contrat", "Date d'entrée", "Date de sortie",
              "Motif de sortie", "ETP", "Titre professionnel", "Fin d'intégration"]
    rows = []
    for r in _records(data):
        if r["fonction"] == "support":
            poste = r["_poste"]
        elif r["contrat"] == "Adulte relais" and rng.random() < 0.5:
            poste = "Adulte relais"
        else:
            poste = _pick(rng, POSTE_SPELLINGS[(r["fonction"], r["_female"])])
        entry = _as_date(r["date_entree"])
        written_entry = _fr_long_date(entry) if entry.day == 1 or rng.random() < 0.15 else entry
        rows.append([r["salarie"], poste, r["site"], r["contrat"], written_entry,
                     r["date_sortie"], r["_motif_sortie"],
                     1 if r["etp"] == 1 else _fr_decimal_short(r["etp"]),
                     "oui" if r["certifie"] else "non", r["date_fin_integration"]])
    table = _Table(header, rows, title="Effectifs",
                   preamble=[[f"Registre du personnel — {STRUCTURE}"]],
                   date_columns=("Date d'entrée", "Date de sortie", "Fin d'intégration"),
                   widths={"B": 22, "C": 14, "D": 14, "E": 18, "F": 14, "G": 22, "J": 16})
    _write_xlsx(folder / FILES["effectifs"], [table], cal)


def write_audits(folder: Path, data: pd.DataFrame, cal: Calendar,
                 rng: np.random.Generator) -> None:
    header = ["Référence audit", "Type d'audit", "Date de l'audit", "Auditeur", "Chapitre",
              "Type de constat", "Description", "Levée le", "Action"]
    rows = [[r["audit"], r["_type_written"], r["date"], r["_auditeur"], r["processus"],
             r["_constat_written"], r["description"], r["date_levee"], r["action"]]
            for r in _records(data)]
    constats = _Table(header, rows, title="Constats",
                      preamble=[["Synthèse des constats d'audit — NF X 60-600"], [STRUCTURE], []],
                      date_columns=("Date de l'audit", "Levée le"),
                      widths={"A": 16, "B": 16, "C": 14, "D": 30, "E": 30, "F": 24, "G": 70,
                              "H": 12})
    programme_rows = []
    for audit in AUDITS:
        day = cal.month(audit.before_end).replace(day=audit.day)
        programme_rows.append([audit.reference, audit.type_written, day, audit.auditeur,
                               len(audit.findings)])
    programme = _Table(["Audit", "Nature", "Date", "Réalisé par", "Nombre de constats"],
                       programme_rows, title="Programme", date_columns=("Date",),
                       widths={"A": 16, "B": 16, "C": 14, "D": 36})
    _write_xlsx(folder / FILES["audits"], [constats, programme], cal)


ACTION_STATUS_SPELLINGS = {"réalisée": ("Soldée", "Soldée", "Réalisée", "Terminée"),
                           "en cours": ("En cours",), "à faire": ("À faire", "Non commencée"),
                           "abandonnée": ("Abandonnée", "Annulée")}
ACTION_ORIGIN_SPELLINGS = {"audit": ("Audit",), "réclamation": ("Réclamation",),
                           "enquête de satisfaction": ("Enquête de satisfaction", "Enquête"),
                           "incident": ("Incident", "Événement indésirable"),
                           "revue de direction": ("Revue de direction", "Comité"),
                           "autre": ("Autre",)}
EFFICACY_SPELLINGS = {"efficace": ("Efficace",), "non efficace": ("Non efficace",),
                      "à évaluer": ("À évaluer", "En attente")}


def write_actions(folder: Path, data: pd.DataFrame, cal: Calendar,
                  rng: np.random.Generator) -> None:
    header = ["N° action", "Action", "Origine", "Réf. origine", "Site", "Pilote", "Ouverte le",
              "Échéance", "Soldée le", "Statut", "Efficacité", "Indicateurs concernés"]
    rows = []
    for i, r in enumerate(_records(data)):
        due = r["echeance"]
        if i % 17 == 5:  # pasted as values: a bare Excel serial number
            due = (_as_date(due) - date(1899, 12, 30)).days
        rows.append([r["numero"], r["intitule"],
                     _spell(rng, ACTION_ORIGIN_SPELLINGS, r["origine"]), r["_ref_origine"],
                     r["site"], r["pilote"], r["date_ouverture"], due, r["date_realisation"],
                     _spell(rng, ACTION_STATUS_SPELLINGS, r["statut"]),
                     _spell(rng, EFFICACY_SPELLINGS, r["efficacite"]), r["indicateurs"]])
    plan = _Table(header, rows, title="Plan d'amélioration",
                  preamble=[["Plan d'amélioration continue"], [STRUCTURE],
                            [f"Mis à jour le {_fr_date(cal.export_day)}"], []],
                  date_columns=("Ouverte le", "Échéance", "Soldée le"),
                  widths={"A": 12, "B": 60, "C": 22, "D": 30, "E": 14, "F": 26, "G": 12,
                          "H": 12, "I": 12, "J": 14, "K": 12, "L": 20})
    lists = _Table(["Statuts", "Origines", "Efficacité"],
                   [["À faire", "Audit", "Efficace"], ["En cours", "Réclamation", "Non efficace"],
                    ["Soldée", "Enquête de satisfaction", "À évaluer"],
                    ["Abandonnée", "Incident", None], [None, "Revue de direction", None],
                    [None, "Autre", None]], title="Listes")
    _write_xlsx(folder / FILES["actions"], [plan, lists], cal)


INCIDENT_SPELLINGS = {"agression verbale": ("Agression verbale", "Agression verbale",
                                            "Insultes", "Incivilité"),
                      "accident du travail": ("Accident du travail", "AT"),
                      "presqu'accident": ("Presqu'accident", "Presque accident"),
                      "agression physique": ("Agression physique",), "menace": ("Menace",),
                      "incident matériel": ("Incident matériel",)}


def write_incidents(folder: Path, data: pd.DataFrame, cal: Calendar,
                    rng: np.random.Generator) -> None:
    header = ["Date", "Heure", "Site", "Type d'événement", "Gravité", "Jours d'arrêt",
              "Déclaration AT", "Description", "Action"]
    rows = [[_as_date(r["date"]).isoformat(), r["_heure"], r["site"],
             _spell(rng, INCIDENT_SPELLINGS, r["type"]), r["gravite"], r["jours_arret"] or None,
             _oui_non(r["_declaration_at"], "O", "N"), r["_description"], r["action"]]
            for r in _records(data)]
    table = _Table(header, rows)

    def typo(neighbour: list, bad: BadRow) -> list:
        return [neighbour[0], "10:30", neighbour[2], "Accident du travail", 2, None, "O",
                "Entorse en descendant du tramway", None]

    table.place_bad_rows("incidents", typo)
    _write_csv(folder / FILES["incidents"], table, delimiter=",", encoding="utf-8")


DOCUMENT_STATUS_SPELLINGS = {"en vigueur": ("En vigueur", "Applicable", "Validé"),
                             "en révision": ("En révision", "Brouillon"),
                             "archivé": ("Archivé", "Obsolète")}


def write_documents(folder: Path, data: pd.DataFrame, cal: Calendar,
                    rng: np.random.Generator) -> None:
    header = ["Référence", "Intitulé", "Type de document", "Version", "Rédacteur",
              "Mis à jour le", "Prochaine révision", "Statut"]
    rows = [[r["code"], r["titre"], r["_type"], r["version"], r["_redacteur"],
             r["date_revision"], r["date_prochaine_revision"],
             _spell(rng, DOCUMENT_STATUS_SPELLINGS, r["statut"])] for r in _records(data)]
    table = _Table(header, rows, title="Documents", freeze=True, autofilter=True,
                   date_columns=("Mis à jour le", "Prochaine révision"),
                   widths={"A": 11, "B": 50, "C": 18, "E": 22, "F": 14, "G": 18, "H": 13})
    _write_xlsx(folder / FILES["documents"], [table], cal)


WRITERS = {
    "activite": write_activite, "presence": write_presence, "demandes": write_demandes,
    "reclamations": write_reclamations, "satisfaction": write_satisfaction,
    "formations": write_formations, "effectifs": write_effectifs, "audits": write_audits,
    "actions": write_actions, "incidents": write_incidents, "documents": write_documents,
}


def generate(folder: Path = DEFAULT_FOLDER, end_month: str = DEFAULT_END_MONTH,
             seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write the 11 demo files and the structure's name into ``folder``; return dataset name → file path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cal = Calendar(_parse_month(end_month))
    data = build(end_month, seed)
    for name, writer in WRITERS.items():
        writer(folder, data[name], cal, np.random.default_rng([seed, _STREAMS["write"],
                                                               list(WRITERS).index(name)]))
    (folder / DEMO_STRUCTURE_FILE.name).write_text(
        "# The fictional structure of the demo data (written by tools/demo_generator.py).\n"
        f"nom: {STRUCTURE}\n"
        "# The day its registers were extracted: the demo's coverage does not move with the calendar.\n"
        f"extraction: {cal.export_day.isoformat()}\n", encoding="utf-8")
    return {name: folder / FILES[name] for name in WRITERS}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.demo_generator",
        description=f"Génère les fichiers de démonstration ({STRUCTURE}, 36 mois).")
    parser.add_argument("--fin", default=DEFAULT_END_MONTH,
                        help="dernier mois couvert, AAAA-MM (défaut : %(default)s)")
    parser.add_argument("--dossier", type=Path, default=DEFAULT_FOLDER,
                        help="dossier de sortie (défaut : data/demo)")
    parser.add_argument("--graine", type=int, default=DEFAULT_SEED,
                        help="graine du générateur (défaut : %(default)s)")
    args = parser.parse_args(argv)
    try:
        paths = generate(args.dossier, args.fin, args.graine)
    except ValueError as error:
        parser.exit(2, f"Erreur : {error}\n")
    for name, path in paths.items():
        print(f"{name:13} {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
