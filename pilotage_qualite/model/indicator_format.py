"""The catalogue files' format: YAML definitions in ``declarations/indicators/``, validated on load.

One file per process holds a list of indicators, or a mapping ``{processus, pilote, ordre,
indicateurs: [...]}`` whose ``processus`` and ``pilote`` are inherited by its items and whose
``ordre`` (a whole number) places the process on the dashboard and in the committee pack
(files without one come last, by file name), and whose optional ``origines_actions`` (values
of the ``actions`` dataset's ``origine``, e.g. ``[réclamation]``) tells which actions of the
improvement plan the fiche of each of its indicators lists as linked. Every
mistake is reported in French with the file, the indicator id and the field, since the
quality lead writes these files too. :func:`engine.schema_checks.check_against_schema` then runs every
indicator's SQL against empty tables built from the dataset declarations, so a typo in a
column name is caught at start-up rather than when a page opens.

Fields of an indicator (SQL is DuckDB SQL; the engine writes the period join and the
breakdowns, never the file):

=====================  ==============================================================
id                     ``REC-02`` (capitals, dash)
titre, processus       title; process (one file per process)
titre_court            optional, at most 24 characters: the title in the one-screen overview
                       (default: the title, which then wraps there when it is longer)
pourquoi               one sentence: why it matters
definition             the definition in plain French (shown on the fiche)
pilote                 owner role
source                 dataset read (simple indicator)
calculs                optional computed columns ``{nom: expression on the row}``
periode                ``{flux: date expr}`` rows whose date falls in [debut, fin);
                       ``{stock: condition}`` state at fin (condition uses ``fin``,
                       ``debut``, ``debut_fenetre``); ``{fenetre_12m: date expr}`` rows
                       whose date falls in [fin − 12 months, fin)
filtre                 optional row condition
valeur                 aggregate, e.g. ``median(date_cloture - date_reception)``
condition_numerateur   shorthand for a share of rows: valeur = 100 × rows meeting the
                       condition / rows (numerateur and denominateur follow)
effectif               n (default ``count(*)``)
numerateur,            optional aggregates shown with the value
denominateur
mesures                composite only: ``{nom: {source, calculs?, periode, filtre?,
                       expression}}``; valeur / effectif / numerateur / denominateur then
                       combine measure names and other indicators ``[ACT-01]`` (same
                       period, same dimension value)
unite, format          nombre, %, jours, heures, ratio; ``0``, ``0,0``, ``0,00``
sens, cible, seuil     hausse / baisse / none; target; alert threshold (rules in
                       :mod:`pilotage_qualite.model.targets`, shared with the app)
n_min                  minimum n for a status (default 5 for a percentage, a median or
                       a mean)
dimensions             breakdowns, e.g. ``[site, origine]``
carte                  optional control chart: ``p``, ``u``, ``xmr`` or ``aucune``
                       (default from the definition, :mod:`pilotage_qualite.model.spc`)
=====================  ==============================================================
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable

import yaml

from pilotage_qualite.common.settings import INDICATORS_DIR
from pilotage_qualite.model.catalogue import (
    PERIOD_COLUMNS,
    REFERENCE_PATTERN,
    SQL_FIELDS,
    Attribution,
    Catalogue,
    CatalogueError,
    Indicator,
    Measure,
    build_catalogue,
)
from pilotage_qualite.model.datasets import NAME_PATTERN, load_yaml
from pilotage_qualite.model.spc import CHARTS
from pilotage_qualite.model.targets import target_problems

ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*-[A-Z0-9]+$")
UNITS = ("nombre", "%", "jours", "heures", "ratio")
DIRECTIONS = ("hausse", "baisse")
SHORT_TITLE_MAX = 24  # the overview's rows fit 1280 px in two columns at 20 px
ATTRIBUTIONS = {
    "flux": "une expression de date : la ligne compte dans la période où tombe cette date",
    "stock": "une condition SQL utilisant fin (état à la fin de la période)",
    "fenetre_12m": "une expression de date : la ligne compte si cette date tombe dans [fin − 12 mois, fin)",
}

TEXT_FIELDS = ("titre", "processus", "pourquoi", "definition", "pilote")
INDICATOR_FIELDS = {
    "id", *TEXT_FIELDS, "titre_court", "source", "calculs", "periode", "filtre", "condition_numerateur", *SQL_FIELDS,
    "mesures", "unite", "format", "sens", "cible", "seuil", "n_min", "dimensions", "carte",
}
MEASURE_FIELDS = {"source", "calculs", "periode", "filtre", "expression"}
FILE_FIELDS = {"processus", "pilote", "ordre", "origines_actions", "indicateurs"}


class _Checker:
    def __init__(self, source: str, indicator_id: str | None = None):
        self.source = source
        self.indicator_id = indicator_id

    def fail(self, where: str, message: str) -> CatalogueError:
        who = f"indicateur {self.indicator_id} : " if self.indicator_id else ""
        return CatalogueError(f"{self.source} : {who}champ « {where} » : {message}")

    def text(self, value: Any, where: str, *, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "un texte non vide est attendu")
        return " ".join(value.split())

    def sql(self, value: Any, where: str, *, optional: bool = False) -> str | None:
        text = self.text(value, where, optional=optional)
        if text is None:
            return None
        if ";" in text:
            raise self.fail(where, "le caractère « ; » est interdit dans une expression SQL")
        if "--" in text or "/*" in text:
            raise self.fail(where, "les commentaires SQL sont interdits dans une expression")
        if text.count("(") != text.count(")"):
            raise self.fail(where, "parenthèses déséquilibrées")
        return text

    def number(self, value: Any, where: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, f"un nombre est attendu (reçu « {value} »)")
        return float(value)

    def mapping(self, value: Any, where: str, allowed: set[str], required: Iterable[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, "une liste de champs (clé: valeur) est attendue")
        unknown = sorted(set(map(str, value)) - allowed)
        if unknown:
            prefix = f"{where}." if where else ""
            raise self.fail(f"{prefix}{unknown[0]}",
                            f"champ inconnu (champs possibles : {', '.join(sorted(allowed))})")
        for name in required:
            if value.get(name) is None:
                prefix = f"{where}." if where else ""
                raise self.fail(f"{prefix}{name}", "champ obligatoire manquant")
        return value


def _parse_attribution(check: _Checker, raw: Any, where: str) -> Attribution:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise check.fail(where, "un seul des modes flux, stock ou fenetre_12m est attendu, "
                                "par exemple {flux: date_reception}")
    kind, expression = next(iter(raw.items()))
    if kind not in ATTRIBUTIONS:
        raise check.fail(f"{where}.{kind}", "mode inconnu (modes possibles : flux, stock, fenetre_12m)")
    expression = check.sql(expression, f"{where}.{kind}")
    if kind == "stock" and not re.search(r"\b(fin|debut|debut_fenetre)\b", expression):
        raise check.fail(f"{where}.stock", "la condition d'un stock doit utiliser fin (fin de la période)")
    return Attribution(kind, expression)


def _parse_format(check: _Checker, raw: Any, unite: str) -> int:
    if raw is None:
        return 0 if unite == "nombre" else 1
    text = str(raw).strip()
    m = re.fullmatch(r"0(?:[.,](0+))?", text)
    if not m:
        raise check.fail("format", f"« {text} » : format attendu 0, 0,0 ou 0,00 (nombre de décimales)")
    return len(m.group(1) or "")


def parse_indicator(raw: Any, source: str, defaults: dict[str, Any] | None = None) -> Indicator:
    """Validate one indicator mapping (as read from YAML) and build an :class:`Indicator`.

    The steps run in the order of the fields' checks: the first mistake found is the one reported.
    """
    indicator_id = _indicator_id(raw, source)
    check = _Checker(source, indicator_id)
    spec = {**(defaults or {}), **raw}
    check.mapping(spec, "", INDICATOR_FIELDS, ["id", *TEXT_FIELDS, "unite"])
    texts = {name: check.text(spec[name], name) for name in TEXT_FIELDS}
    short_title = _parse_short_title(check, spec.get("titre_court"), texts["titre"])
    unite = _parse_unit(check, spec)
    source_name = check.text(spec.get("source"), "source", optional=True)
    condition, sql = _parse_aggregates(check, spec, unite)

    attribution = filtre = None
    calculs: tuple[tuple[str, str], ...] = ()
    mesures: tuple[Measure, ...] = ()
    if source_name is not None:
        attribution, filtre, calculs = _parse_simple_rows(check, spec, source_name, sql)
    else:
        mesures = _parse_composite(check, spec, indicator_id, sql)

    sens, cible, seuil = _parse_targets(check, spec, unite)
    n_min = _parse_n_min(check, spec)
    dimensions = _parse_dimensions(check, spec.get("dimensions"))
    chart = spec.get("carte")
    if chart is not None and chart not in CHARTS:
        raise check.fail("carte", f"« {chart} » inconnue (cartes possibles : {', '.join(CHARTS)})")

    return Indicator(
        id=indicator_id,
        **texts,
        titre_court=short_title,
        unite=unite,
        valeur=sql["valeur"],
        source=source_name,
        calculs=calculs,
        attribution=attribution,
        filtre=filtre,
        condition_numerateur=condition,
        effectif=sql.get("effectif"),
        numerateur=sql.get("numerateur"),
        denominateur=sql.get("denominateur"),
        mesures=mesures,
        decimales=_parse_format(check, spec.get("format"), unite),
        sens=sens,
        cible=cible,
        seuil=seuil,
        n_min_declared=n_min,
        dimensions=dimensions,
        carte=chart,
        source_file=source,
    )


def _parse_short_title(check: _Checker, value: Any, title: str) -> str:
    short = check.text(value, "titre_court", optional=True)
    if short is None:
        return title
    if len(short) > SHORT_TITLE_MAX:
        raise check.fail("titre_court", f"« {short} » : au plus {SHORT_TITLE_MAX} caractères")
    return short


def _indicator_id(raw: Any, source: str) -> str:
    """The id comes first: every later message names it."""
    check = _Checker(source)
    if not isinstance(raw, dict):
        raise check.fail("indicateurs", "chaque indicateur doit être une liste de champs (clé: valeur)")
    raw_id = raw.get("id")
    if raw_id is None:
        raise check.fail("id", "champ obligatoire manquant")
    indicator_id = str(raw_id).strip()
    if not ID_PATTERN.match(indicator_id):
        raise check.fail("id", f"« {indicator_id} » : identifiant attendu en majuscules comme REC-02")
    return indicator_id


def _parse_unit(check: _Checker, spec: dict[str, Any]) -> str:
    unite = check.text(spec["unite"], "unite")
    if unite not in UNITS:
        raise check.fail("unite", f"« {unite} » inconnue (unités possibles : {', '.join(UNITS)})")
    return unite


def _parse_aggregates(check: _Checker, spec: dict[str, Any], unite: str) -> tuple[str | None, dict[str, str | None]]:
    """The condition_numerateur shorthand, if any, and the SQL of valeur / effectif / numerateur / denominateur."""
    condition = check.sql(spec.get("condition_numerateur"), "condition_numerateur", optional=True)
    sql = {name: check.sql(spec.get(name), name, optional=True) for name in SQL_FIELDS}
    if condition:
        # Share of rows: valeur = 100 × rows meeting the condition / rows (engine-generated).
        for name in ("valeur", "numerateur", "denominateur"):
            if spec.get(name) is not None:
                raise check.fail(name, "à omettre avec condition_numerateur : la valeur est calculée "
                                       "(100 × lignes remplissant la condition / lignes de la période)")
        if unite != "%":
            raise check.fail("unite", "un indicateur avec condition_numerateur est un pourcentage : unite: \"%\"")
        sql["valeur"] = f"100.0 * count(*) FILTER (WHERE {condition}) / NULLIF(count(*), 0)"
    elif not sql["valeur"]:
        raise check.fail("valeur", "champ obligatoire manquant (ou condition_numerateur pour un pourcentage de lignes)")
    return condition, sql


def _parse_simple_rows(check: _Checker, spec: dict[str, Any], source_name: str, sql: dict[str, str | None],
                       ) -> tuple[Attribution, str | None, tuple[tuple[str, str], ...]]:
    """A simple indicator's rows: its attribution, filter and computed columns (no measures, no [ID])."""
    if not NAME_PATTERN.match(source_name):
        raise check.fail("source", f"« {source_name} » n'est pas un nom de jeu de données")
    if spec.get("mesures") is not None:
        raise check.fail("mesures", "les mesures sont réservées aux indicateurs composés (sans source)")
    if spec.get("periode") is None:
        raise check.fail("periode", "champ obligatoire manquant (flux, stock ou fenetre_12m)")
    attribution = _parse_attribution(check, spec["periode"], "periode")
    filtre = check.sql(spec.get("filtre"), "filtre", optional=True)
    calculs = _parse_calculs(check, spec.get("calculs"), "calculs")
    for name, text in sql.items():
        if text and REFERENCE_PATTERN.search(text):
            raise check.fail(name, "une référence [ID] à un autre indicateur n'est possible "
                                   "que dans un indicateur composé (sans source)")
    return attribution, filtre, calculs


def _parse_composite(check: _Checker, spec: dict[str, Any], indicator_id: str, sql: dict[str, str | None],
                     ) -> tuple[Measure, ...]:
    """A composite indicator (no source): its measures, and expressions that combine them or cite other ids."""
    for name in ("periode", "filtre", "condition_numerateur", "calculs"):
        if spec.get(name) is not None:
            raise check.fail(name, "sans source (indicateur composé), ce champ n'a pas de sens : "
                                   "le déclarer dans une mesure")
    mesures = _parse_measures(check, spec.get("mesures"))
    if not mesures and not REFERENCE_PATTERN.search(sql["valeur"] or ""):
        raise check.fail("source", "champ obligatoire manquant (ou bien des mesures / "
                                   "des références [ID] pour un indicateur composé)")
    for name, text in sql.items():
        for ref in REFERENCE_PATTERN.findall(text or ""):
            if ref == indicator_id:
                raise check.fail(name, "un indicateur ne peut pas se citer lui-même")
    if not sql.get("effectif"):
        raise check.fail("effectif", "champ obligatoire pour un indicateur composé "
                                     "(par exemple une mesure ou [ID] du dénominateur)")
    return mesures


def _parse_targets(check: _Checker, spec: dict[str, Any], unite: str) -> tuple[str | None, float | None, float | None]:
    """The direction, target and threshold, checked together by the rules of model.targets."""
    sens = spec.get("sens")
    if sens in ("", "–", "-"):
        sens = None
    if sens is not None and sens not in DIRECTIONS:
        raise check.fail("sens", f"« {sens} » inconnu (valeurs possibles : hausse, baisse, ou rien)")
    cible = check.number(spec.get("cible"), "cible")
    seuil = check.number(spec.get("seuil"), "seuil")
    problems = target_problems(sens, unite, cible, seuil)
    if problems:
        raise check.fail(*problems[0])  # the first broken rule, as for every other field
    return sens, cible, seuil


def _parse_n_min(check: _Checker, spec: dict[str, Any]) -> int | None:
    n_min = spec.get("n_min")
    if n_min is not None and (isinstance(n_min, bool) or not isinstance(n_min, int) or n_min < 1):
        raise check.fail("n_min", f"un entier au moins égal à 1 est attendu (reçu « {n_min} »)")
    return n_min


def _parse_dimensions(check: _Checker, raw: Any) -> tuple[str, ...]:
    dims_raw = raw or []
    if not isinstance(dims_raw, list):
        raise check.fail("dimensions", "une liste de colonnes est attendue, par exemple [site]")
    dimensions: list[str] = []
    for k, d in enumerate(dims_raw):
        name = check.text(d, f"dimensions[{k}]")
        if not NAME_PATTERN.match(name):
            raise check.fail(f"dimensions[{k}]", f"« {name} » n'est pas un nom de colonne")
        if name in dimensions:
            raise check.fail(f"dimensions[{k}]", f"« {name} » est citée deux fois")
        dimensions.append(name)
    return tuple(dimensions)


def _parse_calculs(check: _Checker, raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    """Computed columns: {nom: expression SQL sur les colonnes de la ligne}."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise check.fail(where, "une liste de colonnes calculées est attendue (nom: expression SQL)")
    out = []
    for name, expr in raw.items():
        name = str(name)
        if not NAME_PATTERN.match(name):
            raise check.fail(f"{where}.{name}", f"« {name} » : nom en minuscules sans accent attendu")
        if name in PERIOD_COLUMNS:
            raise check.fail(f"{where}.{name}", f"« {name} » est un nom réservé (période)")
        text = check.sql(expr, f"{where}.{name}")
        if re.search(r"\b(debut|fin|debut_fenetre)\b", text):
            raise check.fail(f"{where}.{name}", "une colonne calculée ne dépend que de la ligne (pas de fin ni debut)")
        out.append((name, text))
    return tuple(out)


def _parse_measures(check: _Checker, raw: Any) -> tuple[Measure, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise check.fail("mesures", "une liste de mesures nommées est attendue "
                                    "(nom: {source, periode, expression})")
    out = []
    for name, spec in raw.items():
        name = str(name)
        where = f"mesures.{name}"
        if not NAME_PATTERN.match(name):
            raise check.fail(where, f"« {name} » : nom en minuscules sans accent attendu")
        if name in ("debut", "fin", "debut_fenetre"):
            raise check.fail(where, f"« {name} » est un nom réservé")
        check.mapping(spec, where, MEASURE_FIELDS, ["source", "periode", "expression"])
        source = check.text(spec["source"], f"{where}.source")
        if not NAME_PATTERN.match(source):
            raise check.fail(f"{where}.source", f"« {source} » n'est pas un nom de jeu de données")
        out.append(Measure(
            name=name,
            source=source,
            attribution=_parse_attribution(check, spec["periode"], f"{where}.periode"),
            expression=check.sql(spec["expression"], f"{where}.expression"),
            filtre=check.sql(spec.get("filtre"), f"{where}.filtre", optional=True),
            calculs=_parse_calculs(check, spec.get("calculs"), f"{where}.calculs"),
        ))
    return tuple(out)


def parse_indicator_document(raw: Any, source: str) -> list[Indicator]:
    """One YAML document: a list of indicators, or {processus, pilote, indicateurs: [...]}."""
    defaults: dict[str, Any] = {}
    if isinstance(raw, dict):
        check = _Checker(source)
        check.mapping(raw, "", FILE_FIELDS, ["indicateurs"])
        defaults = {k: raw[k] for k in ("processus", "pilote") if raw.get(k) is not None}
        order = raw.get("ordre")
        if order is not None and (isinstance(order, bool) or not isinstance(order, int) or order < 1):
            raise CatalogueError(f"{source} : champ « ordre » : un nombre entier à partir de 1 est attendu "
                                 f"(place du processus dans le tableau de bord), pas « {order} »")
        origins = raw.get("origines_actions") or []
        if not isinstance(origins, list) or not all(isinstance(o, str) and o.strip() for o in origins):
            raise CatalogueError(f"{source} : champ « origines_actions » : une liste d'origines d'actions est "
                                 "attendue, par exemple [réclamation]")
        raw = raw["indicateurs"]
    else:
        order, origins = None, []
    if not isinstance(raw, list) or not raw:
        raise CatalogueError(f"{source} : champ « indicateurs » : une liste non vide d'indicateurs est attendue")
    return [replace(parse_indicator(item, source, defaults), ordre_processus=order,
                    origines_actions=tuple(o.strip() for o in origins)) for item in raw]


def parse_indicator_text(text: str, source: str) -> list[Indicator]:
    """Parse YAML text (e.g. typed in the catalogue page) into validated indicators."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{source} : YAML illisible : {exc}") from None
    return parse_indicator_document(raw, source)


def load_indicator_file(path: Path) -> list[Indicator]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CatalogueError(f"{path.name} : le fichier doit être encodé en UTF-8") from None
    return parse_indicator_text(text, path.name)


def load_catalogue(*locations: Path | str) -> Catalogue:
    """Load every ``*.yaml`` of the given folders or files (default: ``declarations/indicators/``)."""
    paths: list[Path] = []
    for loc in locations or (INDICATORS_DIR,):
        loc = Path(loc)
        if loc.is_dir():
            paths.extend(sorted(loc.glob("*.yaml")))
        elif loc.is_file():
            paths.append(loc)
        else:
            raise CatalogueError(f"{loc} : dossier ou fichier d'indicateurs introuvable")
    if not paths:
        raise CatalogueError(f"{', '.join(map(str, locations or (INDICATORS_DIR,)))} : aucun fichier d'indicateurs")
    indicators: list[Indicator] = []
    for path in paths:
        indicators.extend(load_indicator_file(path))
    # Processes in their declared order; files without one after, by name (a stable sort).
    indicators.sort(key=lambda i: (i.ordre_processus is None, i.ordre_processus or 0))
    return build_catalogue(indicators, [p.name for p in paths])
