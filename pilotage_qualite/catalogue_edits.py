"""Changes the quality lead makes to the catalogue from the app: targets and new indicators.

- A target change (cible, seuil, applying from a date) is checked with the same rules as the
  catalogue files, then kept in the store's ``cibles`` table; the history is never rewritten.
- A new indicator is written in the catalogue files' own format (YAML), validated like them,
  checked against the schema, test-computed on the current data, and only then kept in the
  store (``indicateurs_ajoutes``, the YAML text as typed, with author and date). The catalogue
  the app computes is the files' catalogue plus these additions (:func:`with_additions`).
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pandas as pd
import yaml

from pilotage_qualite import engine, formats
from pilotage_qualite.catalogue import (
    Catalogue,
    CatalogueError,
    Indicator,
    build_catalogue,
    parse_indicator_text,
    schema_problems,
)
from pilotage_qualite.declarations import load_yaml
from pilotage_qualite.periods import Period, periods_ending

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


def trial_compute(conn: duckdb.DuckDBPyConnection, catalogue: Catalogue, ids: list[str], last: Period,
                 targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The new indicators over the 12 periods ending at ``last`` (Ensemble), as a readable table."""
    results = engine.compute(conn, catalogue, periods_ending(last, TEST_PERIODS), indicator_ids=ids,
                             targets=targets, workers=1)
    ensemble = results[results["dimension"].isna()].sort_values(["indicateur", "debut"])
    return pd.DataFrame({
        "Indicateur": ensemble["indicateur"],
        "Période": [Period(g, d).label_fr for g, d in zip(ensemble["grain"], ensemble["debut"])],
        "Valeur": [formats.with_unit(v, u, int(k)) for v, u, k in
                   zip(ensemble["valeur"], ensemble["unite"], ensemble["decimales"])],
        "n": [formats.number(n) if not formats.is_missing(n) and not pd.isna(n) else "–"
              for n in ensemble["effectif"]],
        "Statut": [formats.status_label(s) for s in ensemble["statut"]],
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


def target_problems(indicator: Indicator, cible: float | None, seuil: float | None) -> list[str]:
    """The catalogue's rules for a target, in French (empty list = acceptable)."""
    problems = []
    for name, value in (("cible", cible), ("seuil", seuil)):
        if value is not None and not math.isfinite(value):
            problems.append(f"{name} : un nombre est attendu.")
    if cible is not None and indicator.sens is None:
        problems.append(f"{indicator.id} est un volume suivi sans sens (ni hausse ni baisse) : "
                        "une cible n'a pas de sens ici.")
    if seuil is not None and cible is None:
        problems.append("Un seuil d'alerte demande une cible.")
    if cible is not None and seuil is not None:
        if indicator.sens == "hausse" and seuil > cible:
            problems.append(f"En hausse (plus haut est mieux), le seuil ({formats.number(seuil, 2)}) doit être "
                            f"inférieur ou égal à la cible ({formats.number(cible, 2)}).")
        if indicator.sens == "baisse" and seuil < cible:
            problems.append(f"En baisse (plus bas est mieux), le seuil ({formats.number(seuil, 2)}) doit être "
                            f"supérieur ou égal à la cible ({formats.number(cible, 2)}).")
    if indicator.is_percentage:
        for name, value in (("cible", cible), ("seuil", seuil)):
            if value is not None and not 0 <= value <= 100:
                problems.append(f"{name} : un pourcentage est entre 0 et 100.")
    return problems


def target_in_force(indicator: Indicator, changes: pd.DataFrame, day: dt.date) -> tuple[float | None, float | None]:
    """(cible, seuil) in force on ``day``: the latest change starting on or before it, else the file's."""
    mine = changes[changes["indicateur"] == indicator.id] if len(changes) else changes
    if len(mine):
        starts = pd.to_datetime(mine["date_debut"]).dt.date
        applicable = mine[starts <= day]
        if len(applicable):
            last = applicable.iloc[-1]
            return _number(last["cible"]), _number(last["seuil"])
    return indicator.cible, indicator.seuil


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
        lines.append((f"Période ({indicator.periode.label_fr})", indicator.periode.expression))
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
            text = f"{measure.expression} sur {measure.source} ({measure.periode.label_fr} : {measure.periode.expression})"
            if measure.filtre:
                text += f" où {measure.filtre}"
            lines.append((f"Mesure {measure.name}", text))
        for name, expression in indicator.composite_expressions().items():
            lines.append((name.capitalize(), expression))
    return lines


def catalogue_table(catalogue: Catalogue, changes: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Every indicator with the target in force on ``day``."""
    rows = []
    for indicator in catalogue:
        cible, seuil = target_in_force(indicator, changes, day)

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
