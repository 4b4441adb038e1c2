"""Changes the quality lead makes to the catalogue from the app: targets and new indicators.

- A target change (cible, seuil, applying from a date) is checked with the same rules as the
  catalogue files (:mod:`pilotage_qualite.model.targets`), then kept in the store's ``cibles`` table; the history is never rewritten.
- A new indicator is written in the catalogue files' own format (YAML), validated like them,
  checked against the schema, test-computed on the current data, and only then kept in the
  store (``indicateurs_ajoutes``, the YAML text as typed, with author and date). The catalogue
  the app computes is the files' catalogue plus these additions (:func:`with_additions`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import yaml

from pilotage_qualite import engine
from pilotage_qualite.common import formats
from pilotage_qualite.engine.schema_checks import schema_problems
from pilotage_qualite.model.catalogue import Catalogue, CatalogueError, Indicator, build_catalogue
from pilotage_qualite.model.datasets import load_yaml
from pilotage_qualite.model.indicator_format import parse_indicator_text
from pilotage_qualite.model.periods import Period, periods_ending
from pilotage_qualite.model.status import status_label
from pilotage_qualite.model.targets import target_problems
from pilotage_qualite.reports.figures import figures
from pilotage_qualite.store import Store

ADDED_SOURCE = "ajout"  # source_file of indicators added in the app: « ajout ID (base) »
TEST_PERIODS = 12


def added_source(indicator_id: str) -> str:
    return f"{ADDED_SOURCE} {indicator_id} (base)"


def with_additions(files: Catalogue, added: pd.DataFrame) -> tuple[Catalogue, list[str]]:
    """The files' catalogue plus the indicators added in the app (store.added_indicators()).

    An addition that no longer fits (its id now in a file, a dataset column renamed) is left
    out and reported, rather than stopping the app.
    """
    catalogue, problems = files, []
    for _, row in added.iterrows():
        try:
            new = parse_indicator_text(row["definition"], added_source(row["indicateur"]))
            catalogue = build_catalogue([*catalogue.indicators, *new], catalogue.files)
        except CatalogueError as exc:
            problems.append(str(exc))
    return catalogue, problems


def check_new_indicators(text: str, catalogue: Catalogue, datasets: dict) -> tuple[list[Indicator], Catalogue]:
    """Parse and validate indicators typed in the catalogue format: (the new ones, the catalogue
    with them). Raises :class:`CatalogueError` (French, naming the indicator and the field) on
    any mistake, the schema check included."""
    if not (text or "").strip():
        raise CatalogueError("Définition vide : collez un indicateur au format des fichiers du catalogue.")
    new = parse_indicator_text(text, "indicateur saisi")
    merged = build_catalogue([*catalogue.indicators, *new], catalogue.files)
    problems = schema_problems(Catalogue(tuple(merged.with_dependencies([i.id for i in new]))), datasets)
    if problems:
        raise CatalogueError("\n".join(problems))
    return new, merged


def trial_compute(store: Store, catalogue: Catalogue, ids: list[str], last: Period) -> pd.DataFrame:
    """The new indicators over the 12 periods ending at ``last`` (Ensemble), as a readable table."""
    results = figures(store, catalogue, periods_ending(last, TEST_PERIODS), indicator_ids=ids, workers=1)
    ensemble = results[results["dimension"].isna()].sort_values(["indicateur", "debut"])
    return pd.DataFrame({
        "Indicateur": ensemble["indicateur"],
        "Période": [Period(g, d).label_fr for g, d in zip(ensemble["grain"], ensemble["debut"])],
        "Valeur": [formats.with_unit(v, u, int(k)) for v, u, k in
                   zip(ensemble["valeur"], ensemble["unite"], ensemble["decimales"])],
        "n": [formats.number(n) if not formats.is_missing(n) and not pd.isna(n) else "–"
              for n in ensemble["effectif"]],
        "Statut": [status_label(s) for s in ensemble["statut"]],
    }).reset_index(drop=True)


def definitions_by_id(text: str, indicators: list[Indicator]) -> dict[str, str]:
    """The text to keep for each new indicator (the whole text when it defines only one)."""
    if len(indicators) == 1:
        return {indicators[0].id: text.strip()}
    raw = load_yaml(text)
    defaults = {}
    if isinstance(raw, dict):
        defaults = {k: raw[k] for k in ("processus", "pilote") if raw.get(k) is not None}
        raw = raw["indicateurs"]
    return {str(item["id"]).strip(): yaml.safe_dump([{**defaults, **item}], allow_unicode=True, sort_keys=False)
            for item in raw}


# --- targets ----------------------------------------------------------------------------


TARGET_FIELD_LABELS = {"cible": "Cible", "seuil": "Seuil d'alerte"}  # the form's own labels


def target_form_problems(indicator: Indicator, cible: float | None, seuil: float | None) -> list[str]:
    """The target rules the catalogue files follow (model.targets), as the Catalogue page's
    target form states them (empty list = acceptable)."""
    return [f"{TARGET_FIELD_LABELS[field]} : {reason}."
            for field, reason in target_problems(indicator.sens, indicator.unite, cible, seuil)]


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def target_history(indicator: Indicator, changes: pd.DataFrame) -> pd.DataFrame:
    """The file's target, then every change made in the app (oldest first)."""
    decimals = indicator.decimales

    def shown(value) -> str:
        value = _number(value)
        return "aucune" if value is None else formats.with_unit(value, indicator.unite, decimals)

    rows = [{"À partir du": "origine", "Cible": shown(indicator.cible), "Seuil d'alerte": shown(indicator.seuil),
             "Saisie par": f"fichier {indicator.source_file}", "Saisie le": "—"}]
    mine = changes[changes["indicateur"] == indicator.id] if len(changes) else changes
    for _, row in mine.iterrows():
        rows.append({"À partir du": formats.date_fr(pd.Timestamp(row["date_debut"]).date()),
                     "Cible": shown(row["cible"]), "Seuil d'alerte": shown(row["seuil"]),
                     "Saisie par": row["auteur"],
                     "Saisie le": formats.datetime_fr(pd.Timestamp(row["saisi_le"]).to_pydatetime())})
    return pd.DataFrame(rows)


def target_change_message(indicator: Indicator, day: dt.date, cible: float | None, seuil: float | None) -> str:
    def shown(value):
        return "aucune" if value is None else formats.with_unit(value, indicator.unite, indicator.decimales)

    return (f"{indicator.id} : cible {shown(cible)}, seuil d'alerte {shown(seuil)} à partir du "
            f"{formats.date_fr(day)}. Les périodes commençant à cette date ou après sont jugées sur "
            "cette cible ; les précédentes gardent la leur.")


# --- what the catalogue page shows ------------------------------------------------------------

DIRECTION_TEXT = {"hausse": "hausse (plus haut est mieux)", "baisse": "baisse (plus bas est mieux)"}


def direction_text(indicator: Indicator) -> str:
    return DIRECTION_TEXT.get(indicator.sens, "aucun : volume suivi sans cible")


def formula_lines(indicator: Indicator) -> list[tuple[str, str]]:
    """The declaration, field by field (label, SQL or text), as the files state it."""
    lines: list[tuple[str, str]] = []
    if not indicator.is_composite:
        lines.append(("Jeu de données", indicator.source))
        lines.append((f"Période ({indicator.attribution.label_fr})", indicator.attribution.expression))
        for name, expression in indicator.calculs:
            lines.append((f"Colonne calculée {name}", expression))
        if indicator.filtre:
            lines.append(("Filtre", indicator.filtre))
        if indicator.condition_numerateur:
            lines.append(("Condition du numérateur", indicator.condition_numerateur))
            lines.append(("Valeur", "100 × lignes remplissant la condition / lignes de la période"))
        else:
            lines.append(("Valeur", indicator.valeur))
        for name in ("numerateur", "denominateur", "effectif"):
            if getattr(indicator, name):
                lines.append((name.capitalize(), getattr(indicator, name)))
    else:
        for measure in indicator.mesures:
            text = f"{measure.expression} sur {measure.source} ({measure.attribution.label_fr} : {measure.attribution.expression})"
            if measure.filtre:
                text += f" où {measure.filtre}"
            lines.append((f"Mesure {measure.name}", text))
        for name, expression in indicator.composite_expressions().items():
            lines.append((name.capitalize(), expression))
    return lines


def catalogue_table(catalogue: Catalogue, changes: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Every indicator with the target in force on ``day``."""
    rows = []
    indicators = list(catalogue)
    for indicator, (cible, seuil) in zip(indicators, engine.targets_on_day(indicators, changes, day)):

        def shown(value):
            return "—" if value is None else formats.with_unit(value, indicator.unite, indicator.decimales)

        rows.append({"Id": indicator.id, "Titre": indicator.titre, "Processus": indicator.processus,
                     "Unité": indicator.unite, "Sens": indicator.sens or "—", "Cible": shown(cible),
                     "Seuil": shown(seuil), "n min": str(indicator.n_min) if indicator.n_min is not None else "—",
                     "Dimensions": ", ".join(indicator.dimensions) or "—", "Pilote": indicator.pilote,
                     "Défini dans": indicator.source_file})
    return pd.DataFrame(rows)


EXAMPLE = """\
- id: REC-06
  titre: Réclamations fondées
  processus: Réclamations
  pilote: Responsable qualité
  pourquoi: Une réclamation fondée signale un service qui n'a pas été rendu comme promis.
  definition: Part des réclamations reçues dans la période jugées fondées.
  source: reclamations
  periode: {flux: date_reception}
  condition_numerateur: fondee
  unite: "%"
  format: "0,0"
  sens: baisse
  cible: 20
  seuil: 30
  dimensions: [site]
"""
