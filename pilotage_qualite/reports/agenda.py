"""The committee's agenda (ISO 9001 §9.3): eight points built from the store and engine results.

Pure data, no Streamlit: the Comité page and the committee pack (PDF) render the same
:class:`Agenda`. Nothing is recomputed here: indicator rows come from the engine results
through :mod:`pilotage_qualite.reports.selections` (tiles, trend), lists from
:mod:`pilotage_qualite.reports.process_queries`, comments and meetings from the store.

API
---
``build_agenda(store, catalogue, results, period, site, *, meeting=None, today=None) -> Agenda``

- ``results``: ``engine.compute`` output covering ``period`` and the periods before it
  (the app's ``context.results(period)``: 36 periods of the grain);
- ``meeting``: the :class:`Meeting` of ``Store.meeting(id)``, or None for the agenda of a meeting not yet
  created (then the previous meeting is the latest one of the same scope);
- ``today``: the day actions are said late at (default: the meeting's date, else today).

:class:`Agenda` holds ``period``, ``site`` (None = Ensemble), ``meeting``, ``previous`` (the
previous :class:`Meeting` or None), ``reference`` (the period point 2 compares with),
``status_counts`` ({status: count}, committee order), ``tiles`` (the ``selections.Tile`` of every
indicator for the period) and ``items``: eight :class:`AgendaItem` in this order, ``number`` 1–8, ``key`` one of
:data:`ITEM_KEYS`, French ``title`` (:data:`ITEM_TITLES`):

1. ``decisions_precedentes``: the previous meeting's decisions and the live status of the
   actions they created;
2. ``synthese``: counts by status, indicators whose status changed since ``reference``, and
   the events dated within the period (« Événements de la période »);
3. ``hors_cible``: indicators off target (non atteint, à surveiller) or drifting
   (``hors_controle``), each with its trend (and the events recorded on it) and latest analysis
   (``trends``);
4. ``satisfaction_reclamations``; 5. ``audits``; 6. ``securite``;
7. ``plan_amelioration``: late, due within 30 days, closed since the last meeting,
   effectiveness to check;
8. ``nouvelles_decisions``: this meeting's decisions.

Each item has ``tiles`` (the ``selections.Tile`` of the indicators it reviews, possibly none),
``facts`` (short French sentences), ``tables`` (:class:`AgendaTable`: title, raw ``data``, ``columns``
{column: French header} in display order, ``empty`` sentence shown when there is no row),
``trends`` (:class:`Trend`), ``note`` (the meeting's note for the point, or None) and
``missing`` (labels of datasets never imported that the point needs: say so, never show 0).
Point 2 has no tiles of its own (``Agenda.tiles`` holds every indicator); point 3 has one
:class:`Trend` per tile, in the same order.
Dates in tables stay dates (format them with ``formats.date_fr``); values and statuses
are already French text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from pilotage_qualite.common import formats
from pilotage_qualite.model import events as event_rules
from pilotage_qualite.model import spc
from pilotage_qualite.model.catalogue import Catalogue, Indicator
from pilotage_qualite.model.events import Event
from pilotage_qualite.model.meetings import Decision, Meeting
from pilotage_qualite.model.periods import Period
from pilotage_qualite.model.status import A_SURVEILLER, ATTEINT, NON_ATTEINT, OFF_TARGET, status_label
from pilotage_qualite.reports import action_effects, selections
from pilotage_qualite.reports.process_queries.actions import (
    ACTION_HORIZON_DAYS,
    actions_closed_since,
    actions_effectiveness_to_check,
    actions_late_or_due,
    actions_linked_and_done,
)
from pilotage_qualite.reports.process_queries.audits import open_findings
from pilotage_qualite.reports.process_queries.requests import oldest_open_items
from pilotage_qualite.reports.process_queries.safety import incident_rate_by_site, incidents_by_type_and_site
from pilotage_qualite.reports.process_queries.satisfaction import satisfaction_by_public
from pilotage_qualite.reports.selections import Tile
from pilotage_qualite.store import Store

ITEM_KEYS = ("decisions_precedentes", "synthese", "hors_cible", "satisfaction_reclamations", "audits",
             "securite", "plan_amelioration", "nouvelles_decisions")
ITEM_TITLES = (
    "Décisions de la réunion précédente et suivi de leurs actions",
    "Synthèse : statuts des indicateurs et évolutions",
    "Indicateurs hors cible ou en dérive",
    "Satisfaction et réclamations",
    "Audits et constats",
    "Incidents et sécurité",
    "Plan d'amélioration",
    "Nouvelles décisions",
)
TREND_PERIODS = 12
# Status ranks for « better / worse »: the other statuses (no data, small n, followed only)
# are changes without a direction.
_RANK = {NON_ATTEINT: 0, A_SURVEILLER: 1, ATTEINT: 2}


@dataclass
class AgendaTable:
    title: str
    data: pd.DataFrame
    columns: dict[str, str]  # column of `data` -> French header, in display order
    empty: str  # French sentence for an empty table


@dataclass
class Trend:
    indicator: str
    title: str  # « REC-03 · Réponse sous 15 jours »
    rows: pd.DataFrame  # selections.trend rows, the last 12 periods up to the agenda's period
    comment: dict | None  # latest analysis {texte, auteur, date} for the period and scope, or None
    events: tuple[Event, ...] = ()  # recorded on the indicator or its datasets (drawn on the trend)


@dataclass
class AgendaItem:
    number: int
    key: str
    title: str
    tiles: list[Tile] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    tables: list[AgendaTable] = field(default_factory=list)
    trends: list[Trend] = field(default_factory=list)
    note: str | None = None
    missing: list[str] = field(default_factory=list)


@dataclass
class Agenda:
    period: Period
    site: str | None
    meeting: Meeting | None
    previous: Meeting | None
    reference: Period | None
    status_counts: dict[str, int]
    tiles: list[Tile]
    items: list[AgendaItem]
    coverage_gaps: list[str]  # « Incidents : données jusqu'au 10/08/2026 », said before any figure

    @property
    def where(self) -> str:
        return self.site or "Ensemble de la structure"

    def item(self, key: str) -> AgendaItem:
        return self.items[ITEM_KEYS.index(key)]


def _sources(indicator: Indicator) -> set[str]:
    return {indicator.source} if indicator.source else {m.source for m in indicator.mesures}


def _ids(catalogue: Catalogue, *, processes: tuple[str, ...] = (), source: str | None = None) -> list[str]:
    """Indicators of some processes, or reading only one dataset (audits, actions)."""
    return [i.id for i in catalogue
            if i.processus in processes or (source is not None and _sources(i) == {source})]


def _select(tiles: list[Tile], ids: list[str]) -> list[Tile]:
    return [tile for tile in tiles if tile.indicator in ids]


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{formats.number(count)} {singular if count < 2 else plural or singular + 's'}"


def _previous_of_scope(store: Store, site: str | None) -> Meeting | None:
    """The latest meeting of the same scope, for an agenda not tied to a meeting yet."""
    meetings = store.meetings()
    same = meetings[meetings["site"].isna()] if site is None else meetings[meetings["site"] == site]
    return None if same.empty else store.meeting(int(same.iloc[0]["id"]))


def _reference(period: Period, previous: Meeting | None, results: pd.DataFrame) -> Period | None:
    """The period point 2 compares with: the one the previous meeting reviewed (same grain and
    earlier), else the period before; None when the results do not reach it."""
    reference = period.previous()
    if previous is not None:
        reviewed = previous.period
        if reviewed.grain == period.grain and reviewed < period:
            reference = reviewed
    return reference if reference.label in set(results["periode"]) else None


def _missing(summary: pd.DataFrame, store: Store, datasets: tuple[str, ...]) -> list[str]:
    """Labels of the datasets that hold no live row."""
    lines = dict(zip(summary["jeu"], summary["lignes"]))
    return [store.datasets[d].label for d in datasets if not lines.get(d)]


def build_agenda(store: Store, catalogue: Catalogue, results: pd.DataFrame, period: Period, site: str | None, *,
                 meeting: Meeting | None = None, today: dt.date | None = None) -> Agenda:
    """The eight points of the committee for `period` and `site` (see the module docstring)."""
    previous = store.previous_meeting(meeting.id) if meeting else _previous_of_scope(store, site)
    today = today or (meeting.day if meeting else dt.date.today())
    tiles = selections.tiles(results, period, site, catalogue.ids)
    reference = _reference(period, previous, results)
    summary = store.data_summary()
    notes = meeting.notes if meeting else {}
    comments = _comments(store, period, site)
    events = store.events()
    with store.connect() as conn:
        def view(function: Callable[..., pd.DataFrame], **extra) -> pd.DataFrame:
            return function(conn, period, **extra)

        items = [
            _previous_decisions(store, previous, today),
            _summary(tiles, results, reference, site, catalogue),
            _off_target(tiles, results, period, site, comments, events, catalogue),
            _satisfaction(tiles, catalogue, view, site),
            _audits(tiles, catalogue, view),
            _safety(tiles, catalogue, view, site),
            _plan(tiles, catalogue, view, previous, period, results, site),
            _new_decisions(meeting),
        ]
    items[1].tables.append(period_events(events, period, {n: d.label for n, d in store.datasets.items()}))
    needs = {4: ("satisfaction", "reclamations"), 5: ("audits",), 6: ("incidents",), 7: ("actions",)}
    for number, item in enumerate(items, start=1):
        item.number, item.key, item.title = number, ITEM_KEYS[number - 1], ITEM_TITLES[number - 1]
        item.note = notes.get(number)
        item.missing = _missing(summary, store, needs.get(number, ()))
    gaps = selections.coverage_gaps(store.coverage(), period, {n: d.label for n, d in store.datasets.items()})
    return Agenda(period, site, meeting, previous, reference, selections.status_counts(tiles), tiles, items, gaps)


def _item() -> AgendaItem:
    return AgendaItem(0, "", "")


def _comments(store: Store, period: Period, site: str | None) -> dict[tuple[str, str | None], dict]:
    """Latest analysis per (indicator, site) for the period."""
    frame = store.latest_comments(periode=period.label)
    return {(row["indicateur"], None if pd.isna(row["site"]) else row["site"]):
            {"texte": row["texte"], "auteur": row["auteur"], "date": pd.Timestamp(row["date"]).to_pydatetime()}
            for _, row in frame.iterrows()}


# --- 1. previous decisions ---------------------------------------------------------------------

DECISION_COLUMNS = {"texte": "Décision", "pilote": "Pilote", "echeance": "Échéance", "action_numero": "Action",
                    "statut_action": "Statut de l'action", "date_realisation": "Réalisée le",
                    "situation": "Situation"}


def _decision_row(decision: Decision) -> dict:
    """A decision as a row of the agenda's tables (the keys of DECISION_COLUMNS)."""
    return {"id": decision.id, "texte": decision.text, "indicateurs": ", ".join(decision.indicators) or None,
            "pilote": decision.pilot, "echeance": decision.due, "action_numero": decision.action_number}


def _decision_situation(decision: Decision, action: pd.Series | None, today: dt.date) -> str:
    if not decision.action_number:
        return "décision sans action du plan"
    if action is None:
        return "action absente du plan (import annulé)"
    if not formats.is_missing(action["date_realisation"]) or action["statut"] == "réalisée":
        return "réalisée"
    if action["statut"] == "abandonnée":
        return "abandonnée"
    if pd.Timestamp(action["echeance"]).date() < today:
        return "en retard"
    return "en cours" if action["statut"] == "en cours" else "à faire, dans les délais"


def decision_status(store: Store, decisions: tuple[Decision, ...], today: dt.date) -> pd.DataFrame:
    """Decisions with the live state of the action each created (the `actions` view)."""
    live = store.live_rows("actions").set_index("numero")
    rows = []
    for decision in decisions:
        numero = decision.action_number
        action = live.loc[numero] if numero and numero in live.index else None
        rows.append({**_decision_row(decision),
                     "statut_action": None if action is None else action["statut"],
                     "date_realisation": None if action is None or formats.is_missing(action["date_realisation"])
                     else pd.Timestamp(action["date_realisation"]).date(),
                     "echeance": decision.due if action is None else pd.Timestamp(action["echeance"]).date(),
                     "situation": _decision_situation(decision, action, today)})
    return pd.DataFrame(rows, columns=["id", *DECISION_COLUMNS])


def _previous_decisions(store: Store, previous: Meeting | None, today: dt.date) -> AgendaItem:
    item = _item()
    if previous is None:
        item.facts.append("Première réunion enregistrée pour ce périmètre : pas de décision précédente à suivre.")
        return item
    when = f"réunion du {formats.date_fr(previous.day)}"
    table = decision_status(store, previous.decisions, today)
    item.tables.append(AgendaTable(f"Décisions de la {when} (période revue : "
                             f"{previous.period.label_fr})", table, DECISION_COLUMNS,
                             f"Aucune décision n'a été enregistrée à la {when}."))
    if len(table):
        counts = table["situation"].value_counts()
        item.facts.append(f"{_plural(len(table), 'décision')} à la {when} : "
                          + ", ".join(f"{count} {situation}" for situation, count in counts.items()) + ".")
    return item


# --- 2. summary ---------------------------------------------------------------------------------

CHANGE_COLUMNS = {"indicateur": "Indicateur", "titre": "Intitulé", "avant": "Avant", "valeur_avant": "Valeur avant",
                  "maintenant": "Maintenant", "valeur_texte": "Valeur", "evolution": "Évolution"}


def value_text(tile: Tile) -> str:
    """« 76,9 % (n = 26) »: a percentage is never read without its n."""
    shown = formats.with_unit(tile.shown_value, tile.unit, tile.decimals)
    if tile.unit == "%" and tile.value is not None and tile.count is not None:
        return f"{shown} (n = {formats.number(tile.count)})"
    return shown


EVENT_COLUMNS = {"date": "Date", "libelle": "Événement", "nature": "Nature", "porte_sur": "Porte sur",
                 "auteur": "Saisi par"}


def period_events(events: tuple[Event, ...], period: Period, labels: dict[str, str]) -> AgendaTable:
    """« Événements de la période »: the events dated within it, oldest first (``labels``:
    dataset name → its French label)."""
    rows = [{"date": e.day, "libelle": e.label, "nature": e.kind,
             "porte_sur": f"indicateur {e.indicator}" if e.indicator else f"jeu « {labels.get(e.dataset, e.dataset)} »",
             "auteur": e.author} for e in events if period.debut <= e.day < period.fin]  # `fin`: the next period's first day
    return AgendaTable(f"Événements de la période ({period.label_fr})", pd.DataFrame(rows, columns=list(EVENT_COLUMNS)),
                       EVENT_COLUMNS, "Aucun événement enregistré sur la période.")


def _summary(tiles: list[Tile], results: pd.DataFrame, reference: Period | None, site: str | None,
             catalogue: Catalogue) -> AgendaItem:
    item = _item()
    counts = selections.status_counts(tiles)
    item.facts.append(f"{_plural(len(tiles), 'indicateur')} : "
                      + ", ".join(f"{status} : {count}" for status, count in counts.items() if count) + ".")
    drifting = sum(1 for tile in tiles if tile.out_of_control)
    if drifting:
        item.facts.append(f"{_plural(drifting, 'indicateur')} en dérive (cause spéciale sur la carte de contrôle).")
    missed = sum(1 for tile in tiles if tile.assurance == spc.RELIABLY_MISSED)
    if missed:
        item.facts.append(f"{_plural(missed, 'indicateur')} : {spc.label(spc.RELIABLY_MISSED)}.")
    columns = ["indicateur", *CHANGE_COLUMNS]
    if reference is None:
        item.facts.append("Pas de période antérieure calculée : les évolutions ne peuvent pas être comparées.")
        item.tables.append(AgendaTable("Statuts qui ont changé", pd.DataFrame(columns=columns), CHANGE_COLUMNS,
                                 "Pas de période de comparaison."))
        return item
    before = {tile.indicator: tile for tile in selections.tiles(results, reference, site, catalogue.ids)}
    rows = []
    for tile in tiles:
        old = before.get(tile.indicator)
        if old is None or old.status == tile.status:
            continue
        rank_old, rank_new = _RANK.get(old.status), _RANK.get(tile.status)
        evolution = ("changement" if rank_old is None or rank_new is None
                     else "amélioration" if rank_new > rank_old else "dégradation")
        rows.append({"indicateur": tile.indicator, "titre": tile.title,
                     "avant": status_label(old.status), "valeur_avant": value_text(old),
                     "maintenant": status_label(tile.status), "valeur_texte": value_text(tile),
                     "evolution": evolution})
    changes = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    item.tables.append(AgendaTable(f"Statuts qui ont changé par rapport à {reference.label_fr}", changes, CHANGE_COLUMNS,
                             f"Aucun statut n'a changé par rapport à {reference.label_fr}."))
    better = int((changes["evolution"] == "amélioration").sum())
    worse = int((changes["evolution"] == "dégradation").sum())
    item.facts.append(f"Comparé à {reference.label_fr} : {_plural(len(changes), 'statut a changé', 'statuts ont changé')}"
                      f" ({_plural(better, 'amélioration')}, {_plural(worse, 'dégradation')}).")
    return item


# --- 3. off target or drifting ------------------------------------------------------------------

def _off_target(tiles: list[Tile], results: pd.DataFrame, period: Period, site: str | None,
                comments: dict, events: tuple[Event, ...], catalogue: Catalogue) -> AgendaItem:
    item = _item()
    if not tiles:
        return item
    item.tiles = selections.off_target_first([t for t in tiles if t.status in OFF_TARGET or t.out_of_control
                                              or t.assurance == spc.RELIABLY_MISSED])
    for tile in item.tiles:
        rows = selections.trend(results, tile.indicator, site, period).tail(TREND_PERIODS).reset_index(drop=True)
        scope = None if tile.ensemble_only else site
        comment = comments.get((tile.indicator, scope))
        recorded = tuple(event_rules.concerning(events, catalogue, tile.indicator))
        item.trends.append(Trend(tile.indicator, f"{tile.indicator} · {tile.title}", rows, comment, recorded))
    off = sum(1 for tile in item.tiles if tile.status in OFF_TARGET)
    drifting = sum(1 for tile in item.tiles if tile.out_of_control)
    without = sum(1 for t in item.trends if t.comment is None)
    if not item.tiles:
        item.facts.append("Aucun indicateur hors cible ni en dérive sur la période.")
    else:
        item.facts.append(f"{_plural(off, 'indicateur')} hors cible (non atteint ou à surveiller), "
                          f"{_plural(drifting, 'indicateur')} en dérive (hors des limites de contrôle).")
        if without:
            item.facts.append(f"{_plural(without, 'indicateur')} sans analyse écrite pour la période "
                              "(à rédiger sur la fiche indicateur).")
    return item


# --- 4–6. satisfaction and complaints, audits, safety ------------------------------------------

SATISFACTION_COLUMNS = {"public": "Public", "n": "Réponses", "satisfaits": "Satisfaits", "part": "Part de satisfaits",
                        "intervalle": "Intervalle à 95 %"}
OPEN_COMPLAINT_COLUMNS = {"numero": "Réclamation", "site": "Site", "date_reception": "Reçue le",
                          "objet": "Motif", "age_jours": "Ancienneté (jours)"}
FINDING_COLUMNS = {"constat": "Constat", "audit": "Audit", "date": "Date", "processus": "Processus",
                   "description": "Description", "action": "Action liée", "age_jours": "Ancienneté (jours)"}
INCIDENT_COLUMNS = {"type": "Type d'événement", "nombre": "Événements", "jours_arret": "Jours d'arrêt"}
RATE_COLUMNS = {"site": "Site", "evenements": "Événements", "heures_texte": "Heures de présence",
                "taux_texte": "Pour 1 000 h"}


def _satisfaction(tiles, catalogue, view, site) -> AgendaItem:
    item = _item()
    item.tiles = _select(tiles, _ids(catalogue, processes=("Satisfaction", "Réclamations")))
    by_public = view(satisfaction_by_public, site=site)
    by_public = by_public[by_public["n"] > 0].reset_index(drop=True)
    by_public = by_public.assign(
        part=[formats.with_unit(v, "%", 1) for v in by_public["pourcentage"]],
        intervalle=[f"{formats.with_unit(lo, '%', 1)} – {formats.with_unit(hi, '%', 1)}"
                    for lo, hi in zip(by_public["ic_bas"], by_public["ic_haut"])])
    item.tables.append(AgendaTable("Satisfaction globale par public", by_public, SATISFACTION_COLUMNS,
                             "Aucune réponse aux questionnaires de satisfaction sur la période."))
    old = view(oldest_open_items, site=site)
    old = old[old["jeu"] == "Réclamation"].reset_index(drop=True)
    item.tables.append(AgendaTable("Réclamations ouvertes depuis plus de 30 jours", old, OPEN_COMPLAINT_COLUMNS,
                             "Aucune réclamation ouverte depuis plus de 30 jours à la fin de la période."))
    return item


def _audits(tiles, catalogue, view) -> AgendaItem:
    item = _item()
    item.tiles = _select(tiles, _ids(catalogue, source="audits"))
    findings = view(open_findings)
    item.tables.append(AgendaTable("Constats d'audit ouverts", findings, FINDING_COLUMNS,
                             "Aucun constat d'audit ouvert à la fin de la période."))
    if len(findings):
        counts = findings["constat"].value_counts()
        item.facts.append(f"{_plural(len(findings), 'constat ouvert', 'constats ouverts')} : "
                          + ", ".join(f"{count} {kind}" for kind, count in counts.items()) + ".")
    return item


def _safety(tiles, catalogue, view, site) -> AgendaItem:
    item = _item()
    item.tiles = _select(tiles, _ids(catalogue, processes=("Sécurité",)))
    grid = view(incidents_by_type_and_site, site=site)
    by_type = (grid.groupby("type", as_index=False)[["nombre", "jours_arret"]].sum()
               .sort_values(["nombre", "type"], ascending=[False, True]).reset_index(drop=True))
    item.tables.append(AgendaTable("Événements indésirables par type", by_type, INCIDENT_COLUMNS,
                             "Aucun événement indésirable enregistré."))
    if len(by_type):
        item.facts.append(f"{_plural(int(by_type['nombre'].sum()), 'événement déclaré', 'événements déclarés')} "
                          f"sur la période, {_plural(int(by_type['jours_arret'].sum()), 'jour')} d'arrêt.")
    rates = view(incident_rate_by_site)
    if site:
        rates = rates[rates["site"] == site]
    rates = rates.assign(heures_texte=[formats.with_unit(h, "heures", 0) for h in rates["heures"]],
                         taux_texte=[formats.number(r, 2) for r in rates["taux_1000h"]]).reset_index(drop=True)
    item.tables.append(AgendaTable("Événements pour 1 000 heures de présence, par site", rates, RATE_COLUMNS,
                             "Pas d'heures de présence ni d'événement sur la période."))
    return item


# --- 7. improvement plan ------------------------------------------------------------------------

ACTION_COLUMNS = {"numero": "Action", "intitule": "Intitulé", "origine": "Origine", "pilote": "Pilote",
                  "echeance": "Échéance", "jours": "Jours", "statut": "Statut (dernier import)"}
CLOSED_COLUMNS = {"numero": "Action", "intitule": "Intitulé", "origine": "Origine", "pilote": "Pilote",
                  "echeance": "Échéance", "date_realisation": "Réalisée le", "delai": "Délai",
                  "efficacite": "Efficacité"}
EFFECT_COLUMNS = {"numero": "Action", "intitule": "Intitulé", "indicateur": "Indicateur",
                  "date_realisation": "Réalisée le", "effet": "Effet mesuré sur l'indicateur",
                  "efficacite": "Efficacité (jugée)"}
CHECK_COLUMNS = {"numero": "Action", "intitule": "Intitulé", "origine": "Origine", "pilote": "Pilote",
                 "date_realisation": "Réalisée le", "efficacite": "Efficacité"}


def _plan(tiles, catalogue, view, previous: Meeting | None, period: Period, results: pd.DataFrame,
          site: str | None) -> AgendaItem:
    item = _item()
    item.tiles = _select(tiles, _ids(catalogue, source="actions"))
    as_of = formats.date_fr(period.last_day)  # late: due before the end of that day
    actions = view(actions_late_or_due)
    late = actions[actions["situation"] == "en retard"].reset_index(drop=True)
    due = actions[actions["situation"] != "en retard"].reset_index(drop=True)
    since = period.debut
    if previous is not None:
        reviewed = previous.period
        since = reviewed.fin if reviewed.fin < period.fin else period.debut
    closed = view(actions_closed_since, since=since)
    check = view(actions_effectiveness_to_check)
    effects = action_effects.effects_by_indicator(view(actions_linked_and_done), results, site, period)
    item.tables += [
        AgendaTable(f"Actions en retard au {as_of}", late, ACTION_COLUMNS, f"Aucune action en retard au {as_of}."),
        AgendaTable(f"Actions à échéance dans les {ACTION_HORIZON_DAYS} jours suivant le {as_of}", due,
              ACTION_COLUMNS, f"Aucune action à échéance dans les {ACTION_HORIZON_DAYS} jours."),
        AgendaTable(f"Actions réalisées depuis le {formats.date_fr(since)}", closed, CLOSED_COLUMNS,
              f"Aucune action réalisée depuis le {formats.date_fr(since)}."),
        AgendaTable("Efficacité à vérifier (actions réalisées sur 12 mois)", check, CHECK_COLUMNS,
              "Toutes les actions réalisées sur 12 mois ont leur efficacité évaluée."),
        AgendaTable("Effet mesuré des actions liées à un indicateur (réalisées sur 12 mois)", effects,
                    EFFECT_COLUMNS, "Aucune action réalisée sur 12 mois n'est liée à un indicateur."),
    ]
    item.facts.append(f"Au {as_of} : {_plural(len(late), 'action en retard', 'actions en retard')}, "
                      f"{_plural(len(due), 'action', 'actions')} à échéance dans les "
                      f"{ACTION_HORIZON_DAYS} jours, {_plural(len(closed), 'action réalisée', 'actions réalisées')} "
                      f"depuis le {formats.date_fr(since)}, {_plural(len(check), 'efficacité', 'efficacités')} à vérifier.")
    return item


# --- 8. new decisions ---------------------------------------------------------------------------

NEW_DECISION_COLUMNS = {"texte": "Décision", "indicateurs": "Indicateurs", "pilote": "Pilote", "echeance": "Échéance",
                        "action_numero": "Action créée"}


def _new_decisions(meeting: Meeting | None) -> AgendaItem:
    item = _item()
    decisions = pd.DataFrame([_decision_row(d) for d in meeting.decisions] if meeting else [],
                             columns=["id", *NEW_DECISION_COLUMNS])
    item.tables.append(AgendaTable("Décisions de la réunion", decisions, NEW_DECISION_COLUMNS,
                             "Aucune décision enregistrée pour l'instant."))
    if len(decisions):
        with_action = int(decisions["action_numero"].notna().sum())
        item.facts.append(f"{_plural(len(decisions), 'décision')} ; "
                          f"{_plural(with_action, 'action créée', 'actions créées')} au plan d'amélioration.")
    return item
