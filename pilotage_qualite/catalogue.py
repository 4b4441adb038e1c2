"""The indicator catalogue: YAML definitions in ``indicators/``, validated on load.

One file per process holds a list of indicators, or a mapping ``{processus, pilote, ordre,
indicateurs: [...]}`` whose ``processus`` and ``pilote`` are inherited by its items and whose
``ordre`` (a whole number) places the process on the dashboard and in the committee pack
(files without one come last, by file name), and whose optional ``origines_actions`` (values
of the ``actions`` dataset's ``origine``, e.g. ``[réclamation]``) tells which actions of the
improvement plan the fiche of each of its indicators lists as linked. Every
mistake is reported in French with the file, the indicator id and the field, since the
quality lead writes these files too. :func:`check_against_schema` then runs every
indicator's SQL against empty tables built from the dataset declarations, so a typo in a
column name is caught at start-up rather than when a page opens.

Fields of an indicator (SQL is DuckDB SQL; the engine writes the period join and the
breakdowns, never the file):

=====================  ==============================================================
id                     ``REC-02`` (capitals, dash)
titre, processus       title; process (one file per process)
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
sens, cible, seuil     hausse / baisse / none; target; alert threshold
n_min                  minimum n for a status (default 5 for a percentage)
dimensions             breakdowns, e.g. ``[site, origine]``
=====================  ==============================================================
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from pilotage_qualite.declarations import load_yaml

INDICATORS_DIR = Path(__file__).resolve().parent.parent / "indicators"

ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*-[A-Z0-9]+$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
REFERENCE_PATTERN = re.compile(r"\[([A-Z][A-Z0-9]*-[A-Z0-9]+)\]")
UNITS = ("nombre", "%", "jours", "heures", "ratio")
DIRECTIONS = ("hausse", "baisse")
ATTRIBUTIONS = {
    "flux": "une expression de date : la ligne compte dans la période où tombe cette date",
    "stock": "une condition SQL utilisant fin (état à la fin de la période)",
    "fenetre_12m": "une expression de date : la ligne compte si cette date tombe dans [fin − 12 mois, fin)",
}
DEFAULT_N_MIN_PERCENT = 5
# Columns the engine adds to the rows of a period; datasets may not use these names.
PERIOD_COLUMNS = ("debut", "fin", "debut_fenetre")

_TEXT_FIELDS = ("titre", "processus", "pourquoi", "definition", "pilote")
_SQL_FIELDS = ("valeur", "effectif", "numerateur", "denominateur")
_INDICATOR_FIELDS = {
    "id", *_TEXT_FIELDS, "source", "calculs", "periode", "filtre", "condition_numerateur", *_SQL_FIELDS,
    "mesures", "unite", "format", "sens", "cible", "seuil", "n_min", "dimensions",
}
_MEASURE_FIELDS = {"source", "calculs", "periode", "filtre", "expression"}
_FILE_FIELDS = {"processus", "pilote", "ordre", "origines_actions", "indicateurs"}


class CatalogueError(ValueError):
    """A definition is wrong; the message names the file, the indicator and the field."""


@dataclass(frozen=True)
class Attribution:
    """How rows are attributed to a period: ``flux``, ``stock`` or ``fenetre_12m``."""

    kind: str
    expression: str

    @property
    def label_fr(self) -> str:
        return {"flux": "flux", "stock": "stock à la fin de la période",
                "fenetre_12m": "fenêtre glissante de 12 mois"}[self.kind]


@dataclass(frozen=True)
class Measure:
    """A named aggregate over one dataset, used by composite indicators."""

    name: str
    source: str
    periode: Attribution
    expression: str
    filtre: str | None = None
    calculs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Indicator:
    id: str
    titre: str
    processus: str
    pourquoi: str
    definition: str
    pilote: str
    unite: str
    valeur: str
    source: str | None = None
    calculs: tuple[tuple[str, str], ...] = ()  # computed columns (name, row-level SQL)
    periode: Attribution | None = None
    filtre: str | None = None
    condition_numerateur: str | None = None
    effectif: str | None = None
    numerateur: str | None = None
    denominateur: str | None = None
    mesures: tuple[Measure, ...] = ()
    decimales: int = 0
    sens: str | None = None
    cible: float | None = None
    seuil: float | None = None
    n_min_declared: int | None = None
    dimensions: tuple[str, ...] = ()
    source_file: str = ""
    ordre_processus: int | None = None  # the file's ``ordre``: where its process is shown
    origines_actions: tuple[str, ...] = ()  # the file's action origins: the fiche's linked actions

    @property
    def is_composite(self) -> bool:
        return self.source is None

    @property
    def is_percentage(self) -> bool:
        return self.unite == "%"

    @property
    def n_min(self) -> int | None:
        """Minimum n for a status: declared, or 5 for a percentage, else none."""
        if self.n_min_declared is not None:
            return self.n_min_declared
        return DEFAULT_N_MIN_PERCENT if self.is_percentage else None

    @property
    def references(self) -> tuple[str, ...]:
        """Ids of the other indicators a composite uses, in order of appearance."""
        found: list[str] = []
        for text in self.composite_expressions().values():
            for ref in REFERENCE_PATTERN.findall(text):
                if ref not in found:
                    found.append(ref)
        return tuple(found)

    def composite_expressions(self) -> dict[str, str]:
        """Level-2 expressions of a composite (field → SQL over measures and references)."""
        if not self.is_composite:
            return {}
        return {name: getattr(self, name) for name in _SQL_FIELDS if getattr(self, name)}

    @property
    def sources(self) -> tuple[str, ...]:
        """Datasets read directly (not through references)."""
        if self.source:
            return (self.source,)
        return tuple(dict.fromkeys(m.source for m in self.mesures))

    @property
    def rolling(self) -> bool:
        attributions = [self.periode] if self.periode else [m.periode for m in self.mesures]
        return any(a.kind == "fenetre_12m" for a in attributions)

    def aggregates(self) -> dict[str, str]:
        """Simple indicators: the SQL aggregates the engine computes (name → expression)."""
        if self.is_composite:
            return {}
        if self.condition_numerateur:
            cond = self.condition_numerateur
            out = {
                "valeur": self.valeur,  # generated at parse time from the condition
                "numerateur": f"count(*) FILTER (WHERE {cond})",
                "denominateur": "count(*)",
            }
        else:
            out = {"valeur": self.valeur}
            if self.numerateur:
                out["numerateur"] = self.numerateur
            if self.denominateur:
                out["denominateur"] = self.denominateur
        out["effectif"] = self.effectif or "count(*)"
        return out


@dataclass(frozen=True)
class Catalogue:
    indicators: tuple[Indicator, ...]
    files: tuple[str, ...] = ()
    _by_id: dict[str, Indicator] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self._by_id:
            self._by_id.update({i.id: i for i in self.indicators})

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    def __getitem__(self, indicator_id: str) -> Indicator:
        try:
            return self._by_id[indicator_id]
        except KeyError:
            raise KeyError(f"Indicateur « {indicator_id} » absent du catalogue.") from None

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def processes(self) -> dict[str, list[Indicator]]:
        out: dict[str, list[Indicator]] = {}
        for ind in self.indicators:
            out.setdefault(ind.processus, []).append(ind)
        return out

    def with_dependencies(self, ids: Iterable[str]) -> list[Indicator]:
        """The given indicators and everything they reference, dependencies first."""
        ordered: list[Indicator] = []
        seen: set[str] = set()

        def visit(indicator_id: str) -> None:
            if indicator_id in seen:
                return
            seen.add(indicator_id)
            ind = self[indicator_id]
            for ref in ind.references:
                visit(ref)
            ordered.append(ind)

        for i in ids:
            visit(i)
        return ordered

    def merged_with(self, other: "Catalogue") -> "Catalogue":
        """This catalogue plus another one's indicators (ids must not clash)."""
        return build_catalogue([*self.indicators, *other.indicators], [*self.files, *other.files])


# --- parsing -----------------------------------------------------------------------


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
    """Validate one indicator mapping (as read from YAML) and build an :class:`Indicator`."""
    check = _Checker(source)
    if not isinstance(raw, dict):
        raise check.fail("indicateurs", "chaque indicateur doit être une liste de champs (clé: valeur)")
    raw_id = raw.get("id")
    if raw_id is None:
        raise check.fail("id", "champ obligatoire manquant")
    indicator_id = str(raw_id).strip()
    if not ID_PATTERN.match(indicator_id):
        raise check.fail("id", f"« {indicator_id} » : identifiant attendu en majuscules comme REC-02")
    check = _Checker(source, indicator_id)
    spec = {**(defaults or {}), **raw}
    check.mapping(spec, "", _INDICATOR_FIELDS, ["id", *_TEXT_FIELDS, "unite"])
    texts = {name: check.text(spec[name], name) for name in _TEXT_FIELDS}

    unite = check.text(spec["unite"], "unite")
    if unite not in UNITS:
        raise check.fail("unite", f"« {unite} » inconnue (unités possibles : {', '.join(UNITS)})")

    source_name = check.text(spec.get("source"), "source", optional=True)
    mesures_raw = spec.get("mesures")
    condition = check.sql(spec.get("condition_numerateur"), "condition_numerateur", optional=True)
    sql = {name: check.sql(spec.get(name), name, optional=True) for name in _SQL_FIELDS}
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

    periode = filtre = None
    calculs: tuple[tuple[str, str], ...] = ()
    mesures: tuple[Measure, ...] = ()
    if source_name is not None:
        if not NAME_PATTERN.match(source_name):
            raise check.fail("source", f"« {source_name} » n'est pas un nom de jeu de données")
        if mesures_raw is not None:
            raise check.fail("mesures", "les mesures sont réservées aux indicateurs composés (sans source)")
        if spec.get("periode") is None:
            raise check.fail("periode", "champ obligatoire manquant (flux, stock ou fenetre_12m)")
        periode = _parse_attribution(check, spec["periode"], "periode")
        filtre = check.sql(spec.get("filtre"), "filtre", optional=True)
        calculs = _parse_calculs(check, spec.get("calculs"), "calculs")
        for name, text in sql.items():
            if text and REFERENCE_PATTERN.search(text):
                raise check.fail(name, "une référence [ID] à un autre indicateur n'est possible "
                                       "que dans un indicateur composé (sans source)")
    else:
        for name in ("periode", "filtre", "condition_numerateur", "calculs"):
            if spec.get(name) is not None:
                raise check.fail(name, "sans source (indicateur composé), ce champ n'a pas de sens : "
                                       "le déclarer dans une mesure")
        mesures = _parse_measures(check, mesures_raw)
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

    sens = spec.get("sens")
    if sens in ("", "–", "-"):
        sens = None
    if sens is not None and sens not in DIRECTIONS:
        raise check.fail("sens", f"« {sens} » inconnu (valeurs possibles : hausse, baisse, ou rien)")
    cible = check.number(spec.get("cible"), "cible")
    seuil = check.number(spec.get("seuil"), "seuil")
    if cible is not None and sens is None:
        raise check.fail("cible", "une cible demande un sens (hausse ou baisse)")
    if seuil is not None and cible is None:
        raise check.fail("seuil", "un seuil d'alerte demande une cible")
    if seuil is not None and cible is not None:
        if sens == "hausse" and seuil > cible:
            raise check.fail("seuil", f"en hausse, le seuil ({seuil:g}) doit être inférieur ou égal à la cible ({cible:g})")
        if sens == "baisse" and seuil < cible:
            raise check.fail("seuil", f"en baisse, le seuil ({seuil:g}) doit être supérieur ou égal à la cible ({cible:g})")
    n_min = spec.get("n_min")
    if n_min is not None and (isinstance(n_min, bool) or not isinstance(n_min, int) or n_min < 1):
        raise check.fail("n_min", f"un entier au moins égal à 1 est attendu (reçu « {n_min} »)")

    dims_raw = spec.get("dimensions") or []
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

    return Indicator(
        id=indicator_id,
        **texts,
        unite=unite,
        valeur=sql["valeur"],
        source=source_name,
        calculs=calculs,
        periode=periode,
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
        dimensions=tuple(dimensions),
        source_file=source,
    )


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
        check.mapping(spec, where, _MEASURE_FIELDS, ["source", "periode", "expression"])
        source = check.text(spec["source"], f"{where}.source")
        if not NAME_PATTERN.match(source):
            raise check.fail(f"{where}.source", f"« {source} » n'est pas un nom de jeu de données")
        out.append(Measure(
            name=name,
            source=source,
            periode=_parse_attribution(check, spec["periode"], f"{where}.periode"),
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
        check.mapping(raw, "", _FILE_FIELDS, ["indicateurs"])
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


def build_catalogue(indicators: Iterable[Indicator], files: Iterable[str] = ()) -> Catalogue:
    """Check cross-indicator rules (unique ids, known references, no cycle) and build."""
    by_id: dict[str, Indicator] = {}
    ordered: list[Indicator] = []
    for ind in indicators:
        if ind.id in by_id:
            raise CatalogueError(
                f"{ind.source_file} : indicateur {ind.id} : champ « id » : "
                f"identifiant déjà utilisé dans {by_id[ind.id].source_file}")
        by_id[ind.id] = ind
        ordered.append(ind)
    for ind in ordered:
        for name, text in ind.composite_expressions().items():
            for ref in REFERENCE_PATTERN.findall(text):
                if ref not in by_id:
                    raise CatalogueError(f"{ind.source_file} : indicateur {ind.id} : champ « {name} » : "
                                         f"l'indicateur [{ref}] n'existe pas dans le catalogue")
                target = by_id[ref]
                missing = [d for d in ind.dimensions if d not in target.dimensions]
                if missing:
                    raise CatalogueError(
                        f"{ind.source_file} : indicateur {ind.id} : champ « dimensions » : "
                        f"[{ref}] n'est pas ventilé par {', '.join(missing)}")
    # Cycle detection (A uses B uses A).
    state: dict[str, int] = {}

    def visit(ind: Indicator, path: list[str]) -> None:
        if state.get(ind.id) == 2:
            return
        if state.get(ind.id) == 1:
            cycle = " → ".join([*path[path.index(ind.id):], ind.id])
            raise CatalogueError(f"{ind.source_file} : indicateur {ind.id} : champ « valeur » : "
                                 f"références circulaires ({cycle})")
        state[ind.id] = 1
        for ref in ind.references:
            visit(by_id[ref], [*path, ind.id])
        state[ind.id] = 2

    for ind in ordered:
        visit(ind, [])
    return Catalogue(tuple(ordered), tuple(files))


def load_indicator_file(path: Path) -> list[Indicator]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CatalogueError(f"{path.name} : le fichier doit être encodé en UTF-8") from None
    return parse_indicator_text(text, path.name)


def load_catalogue(*locations: Path | str) -> Catalogue:
    """Load every ``*.yaml`` of the given folders or files (default: ``indicators/``)."""
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


# --- schema check ------------------------------------------------------------------


def check_against_schema(catalogue: Catalogue, datasets: dict, *, verified_dir: Path | None = None) -> None:
    """Run every indicator's SQL on empty tables built from the declarations.

    Raises :class:`CatalogueError` listing every problem (file, indicator, field and the
    reason in French). ``datasets`` is the result of ``declarations.load_datasets()``.
    With ``verified_dir``, a passed check is remembered there under the fingerprint of all
    it depends on (:func:`schema_fingerprint`): a later start-up with the same definitions,
    code and DuckDB skips the ~0.6 s of query planning; any change checks again.
    """
    marker = verified_dir / f"catalogue-verifie-{schema_fingerprint(catalogue, datasets)}" if verified_dir else None
    if marker is not None and marker.exists():
        return
    problems = schema_problems(catalogue, datasets)
    if problems:
        raise CatalogueError("\n".join(problems))
    if marker is not None:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{len(catalogue)} indicateurs vérifiés contre le schéma\n", encoding="utf-8")


def schema_fingerprint(catalogue: Catalogue, datasets: dict) -> str:
    """What the schema check's outcome depends on: the definitions (their parsed form), the
    declarations, the code that turns them into SQL and DuckDB's version."""
    import duckdb

    digest = hashlib.sha256()
    digest.update(repr(catalogue).encode())
    digest.update(repr(sorted(datasets.items())).encode())
    digest.update(duckdb.__version__.encode())
    package = Path(__file__).resolve().parent
    for module in ("catalogue.py", "engine.py", "declarations.py", "store.py"):
        digest.update((package / module).read_bytes())
    return digest.hexdigest()[:24]


def _action_origin_problems(catalogue: Catalogue, datasets: dict) -> list[str]:
    """``origines_actions`` must name values of the actions dataset's ``origine``."""
    actions = datasets.get("actions")
    known = {c.value for c in actions.column("origine").choices} if actions is not None else set()
    problems = []
    for ind in catalogue:
        unknown = [o for o in ind.origines_actions if o not in known]
        if unknown:
            problems.append(f"{ind.source_file} : champ « origines_actions » : "
                            f"{', '.join(f'« {o} »' for o in unknown)} n'est pas une origine d'action "
                            f"(origines possibles : {', '.join(sorted(known)) or 'aucune'})")
    return list(dict.fromkeys(problems))


def schema_problems(catalogue: Catalogue, datasets: dict) -> list[str]:
    """Like :func:`check_against_schema` but returns the messages (empty list = all good)."""
    origin_problems = _action_origin_problems(catalogue, datasets)
    if origin_problems:
        return origin_problems
    from pilotage_qualite import engine  # engine imports this module: import late

    conn = engine.empty_store(datasets)
    try:
        order = catalogue.with_dependencies(catalogue.ids)

        def sweep(detailed: bool) -> tuple[list[str], set[str]]:
            problems: list[str] = []
            failed: set[str] = set()
            for ind in order:
                if any(ref in failed for ref in ind.references):
                    failed.add(ind.id)  # cannot be judged; the cause is reported with its reference
                    continue
                found = engine.check_indicator(conn, catalogue, ind, datasets, detailed=detailed)
                if found:
                    failed.add(ind.id)
                    problems.extend(found)
            return problems, failed

        # Quick path: checks without queries, then the whole catalogue once on empty tables.
        problems, failed = sweep(detailed=False)
        sound = [i for i in catalogue.ids if i not in failed]
        if not sound or engine.probe_compute(conn, catalogue, sound) is None:
            return problems
        # Something is wrong in the SQL: check field by field to name the indicator and the field.
        problems, failed = sweep(detailed=True)
        sound = [i for i in catalogue.ids if i not in failed]
        if sound and engine.probe_compute(conn, catalogue, sound) is not None:
            for i in sound:  # what the field checks did not see: find the indicator(s) at fault
                error = engine.probe_compute(conn, catalogue, [i])
                if error:
                    problems.append(f"{catalogue[i].source_file} : indicateur {i} : champ « valeur » : {error}")
        return problems
    finally:
        conn.close()
