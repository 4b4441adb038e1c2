"""Dataset declarations: the 11 datasets live as YAML files, validated on load.

Adding a dataset means adding a YAML file to ``declarations/datasets/`` (or to a
folder given to :func:`load_datasets`); no Python changes. Every mistake in a file is
reported with the file name and the field path, in French, because the quality lead
may edit these files too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pilotage_qualite.common.settings import DATASETS_DIR
from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.model.coverage import MODES, REGISTER

# libyaml's parser when installed: the pure-Python one costs ~0.4 s at each start-up for the
# datasets and the catalogue. Both are "safe" loaders (no Python objects from the text).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CODES_OF = "indicateurs"  # `codes_de`: a cell listing indicator codes (« REC-03, SAT-01 »), checked on import


def load_yaml(text: str) -> Any:
    """Parse YAML text safely (errors are ``yaml.YAMLError``, with their line mark)."""
    return yaml.load(text, Loader=_YAML_LOADER)


COLUMN_TYPES = ("date", "texte", "entier", "decimal", "booleen", "choix", "likert")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# Columns the store adds to every dataset: declarations may not use these names.
RESERVED_PREFIX = "_"


class DeclarationError(ValueError):
    """A declaration file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Choice:
    value: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    default: Any = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    month_only_allowed: bool = False
    hours_allowed: bool = False
    pseudonymised: bool = False
    description: str = ""
    planned: bool = False  # a date to come (a deadline): it says nothing of when the file was extracted
    not_before: str | None = None  # a date column this date cannot precede (a reply before its reception)
    codes_of: str | None = None  # CODES_OF: the cell lists codes of the catalogue's indicators

    @property
    def header_forms(self) -> set[str]:
        """Normalised headers that match this column (name, label, aliases)."""
        return {normalize_header(h) for h in (self.name, self.label, *self.aliases)} - {""}

    @property
    def sql_type(self) -> str:
        return {
            "date": "DATE",
            "texte": "VARCHAR",
            "entier": "BIGINT",
            "decimal": "DOUBLE",
            "booleen": "BOOLEAN",
            "choix": "VARCHAR",
            "likert": "TINYINT",
        }[self.type]


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    reference_date: str | None = None
    extra_likert_questions: bool = False
    coverage_mode: str = REGISTER  # what an import covers: model.coverage
    source_file: str = ""
    _by_name: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def column(self, name: str) -> Column:
        return self._by_name[name]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    @property
    def has_site(self) -> bool:
        return "site" in self._by_name

    @property
    def event_dates(self) -> list[str]:
        """The date columns that record something that happened (not a deadline to come)."""
        return [c.name for c in self.columns if c.type == "date" and not c.planned]


# --- validation helpers -----------------------------------------------------------

_DATASET_FIELDS = {
    "nom", "libelle", "description", "cle", "date_reference", "questions_likert", "couverture", "colonnes",
}
_COLUMN_FIELDS = {
    "nom", "type", "libelle", "requis", "alias", "defaut", "valeurs", "min", "max",
    "mois_seul", "heures", "pseudonymise", "prevue", "pas_avant", "codes_de", "description",
}
_CHOICE_FIELDS = {"valeur", "synonymes"}


class _Checker:
    """Collects the location (file, field path) so every error message names it."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str) -> DeclarationError:
        if not where:
            return DeclarationError(f"{self.source} : {message}")
        return DeclarationError(f"{self.source} : champ « {where} » : {message}")

    def mapping(self, value: Any, where: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, "une liste de champs (clé: valeur) est attendue")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(
                f"{where}.{unknown[0]}" if where else unknown[0],
                f"champ inconnu (champs possibles : {', '.join(sorted(allowed))})",
            )
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(f"{where}.{missing[0]}" if where else missing[0], "champ obligatoire manquant")
        return value

    def text(self, value: Any, where: str, *, optional: bool = False) -> str:
        if value is None and optional:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "un texte non vide est attendu")
        return value.strip()

    def boolean(self, value: Any, where: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(where, "true ou false est attendu")
        return value

    def number(self, value: Any, where: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, "un nombre est attendu")
        return value

    def text_list(self, value: Any, where: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(where, "une liste est attendue")
        return tuple(self.text(str(v) if isinstance(v, (int, float)) else v, f"{where}[{i}]")
                     for i, v in enumerate(value))

    def identifier(self, value: Any, where: str) -> str:
        name = self.text(value, where)
        if not NAME_PATTERN.match(name):
            raise self.fail(where, f"« {name} » doit être en minuscules sans accent (lettres, chiffres, _)")
        return name


def _parse_choice(check: _Checker, raw: Any, where: str) -> Choice:
    if isinstance(raw, str):
        raw = {"valeur": raw}
    spec = check.mapping(raw, where, _CHOICE_FIELDS, {"valeur"})
    return Choice(check.text(spec["valeur"], f"{where}.valeur"),
                  check.text_list(spec.get("synonymes"), f"{where}.synonymes"))


def _check_choices(check: _Checker, choices: tuple[Choice, ...], where: str) -> None:
    """Two listed values of one column must not claim the same normalised form."""
    seen: dict[str, str] = {}
    for choice in choices:
        for form in {normalize_header(t) for t in (choice.value, *choice.synonyms)} - {""}:
            if form in seen and seen[form] != choice.value:
                raise check.fail(f"{where}.valeurs",
                                 f"« {form} » désigne à la fois « {seen[form]} » et « {choice.value} »")
            seen[form] = choice.value


def _check_default(check: _Checker, default: Any, col_type: str, choices: tuple[Choice, ...],
                   minimum: float | None, maximum: float | None, where: str) -> None:
    """The default value must be a value of the column's type (used when a cell is empty)."""
    if default is None:
        return
    where = f"{where}.defaut"
    if col_type in ("date", "likert"):
        raise check.fail(where, f"pas de valeur par défaut pour une colonne de type {col_type}")
    if col_type == "booleen" and not isinstance(default, bool):
        raise check.fail(where, "true (oui) ou false (non) est attendu")
    if col_type in ("texte", "choix") and not isinstance(default, str):
        raise check.fail(where, "un texte est attendu")
    if col_type == "choix" and default not in {c.value for c in choices}:
        raise check.fail(where, f"« {default} » n'est pas une des valeurs de la liste")
    if col_type in ("entier", "decimal"):
        if isinstance(default, bool) or not isinstance(default, (int, float)):
            raise check.fail(where, "un nombre est attendu")
        if col_type == "entier" and default != int(default):
            raise check.fail(where, "un nombre entier est attendu")
        if (minimum is not None and default < minimum) or (maximum is not None and default > maximum):
            raise check.fail(where, f"{default} est hors des limites de la colonne")


def _parse_column(check: _Checker, raw: Any, where: str) -> Column:
    spec = check.mapping(raw, where, _COLUMN_FIELDS, {"nom", "type"})
    name = check.identifier(spec["nom"], f"{where}.nom")
    where = f"colonnes.{name}"
    col_type = spec["type"]
    if col_type not in COLUMN_TYPES:
        raise check.fail(f"{where}.type", f"« {col_type} » inconnu (types possibles : {', '.join(COLUMN_TYPES)})")
    raw_choices = spec.get("valeurs") or []
    if not isinstance(raw_choices, list):
        raise check.fail(f"{where}.valeurs", "une liste de valeurs est attendue")
    choices = tuple(_parse_choice(check, c, f"{where}.valeurs[{i}]") for i, c in enumerate(raw_choices))
    if col_type == "choix" and not choices:
        raise check.fail(f"{where}.valeurs", "une colonne de type choix doit lister ses valeurs")
    if col_type != "choix" and choices:
        raise check.fail(f"{where}.valeurs", "seules les colonnes de type choix ont des valeurs")
    _check_choices(check, choices, where)
    minimum = check.number(spec.get("min"), f"{where}.min")
    maximum = check.number(spec.get("max"), f"{where}.max")
    if col_type in ("entier", "decimal") and minimum is None:
        minimum = 0  # quantities are >= 0 unless a declaration says otherwise
    if (minimum is not None or maximum is not None) and col_type not in ("entier", "decimal"):
        raise check.fail(f"{where}.min", "min et max ne s'appliquent qu'aux nombres")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise check.fail(f"{where}.max", "max doit être supérieur ou égal à min")
    if spec.get("mois_seul") and col_type != "date":
        raise check.fail(f"{where}.mois_seul", "ne s'applique qu'aux dates")
    if spec.get("heures") and col_type != "decimal":
        raise check.fail(f"{where}.heures", "ne s'applique qu'aux colonnes de type decimal")
    if spec.get("prevue") and col_type != "date":
        raise check.fail(f"{where}.prevue", "ne s'applique qu'aux dates")
    if spec.get("pas_avant") is not None and col_type != "date":
        raise check.fail(f"{where}.pas_avant", "ne s'applique qu'aux dates")
    if spec.get("codes_de") is not None and (col_type != "texte" or spec["codes_de"] != CODES_OF
                                             or spec.get("requis")):
        raise check.fail(f"{where}.codes_de", f"seule une colonne facultative de type texte peut lister des "
                                              f"codes, et seulement ceux des « {CODES_OF} »")
    if spec.get("pseudonymise") and col_type != "texte":
        raise check.fail(f"{where}.pseudonymise", "ne s'applique qu'aux colonnes de type texte")
    default = spec.get("defaut")
    _check_default(check, default, col_type, choices, minimum, maximum, where)
    return Column(
        name=name,
        type=col_type,
        label=check.text(spec.get("libelle") or name, f"{where}.libelle"),
        required=check.boolean(spec.get("requis"), f"{where}.requis"),
        aliases=check.text_list(spec.get("alias"), f"{where}.alias"),
        default=default,
        choices=choices,
        minimum=minimum,
        maximum=maximum,
        month_only_allowed=check.boolean(spec.get("mois_seul"), f"{where}.mois_seul"),
        hours_allowed=check.boolean(spec.get("heures"), f"{where}.heures"),
        pseudonymised=check.boolean(spec.get("pseudonymise"), f"{where}.pseudonymise"),
        planned=check.boolean(spec.get("prevue"), f"{where}.prevue"),
        not_before=check.identifier(spec["pas_avant"], f"{where}.pas_avant") if spec.get("pas_avant") else None,
        description=check.text(spec.get("description"), f"{where}.description", optional=True),
        codes_of=spec.get("codes_de"),
    )


def _check_date_orders(check: _Checker, columns: tuple[Column, ...], by_name: dict[str, Column]) -> None:
    """`pas_avant` names another date column of the same dataset (the date it cannot precede)."""
    for col in columns:
        if col.not_before is None:
            continue
        earlier = by_name.get(col.not_before)
        if earlier is None or earlier.type != "date" or earlier is col:
            raise check.fail(f"colonnes.{col.name}.pas_avant",
                             f"« {col.not_before} » n'est pas une autre colonne de type date du jeu")


def parse_dataset(raw: Any, source: str) -> Dataset:
    """Validate one parsed YAML document and build its :class:`Dataset`."""
    check = _Checker(source)
    spec = check.mapping(raw, "", _DATASET_FIELDS, {"nom", "libelle", "couverture", "colonnes"})
    name = check.identifier(spec["nom"], "nom")
    raw_columns = spec["colonnes"]
    if not isinstance(raw_columns, list) or not raw_columns:
        raise check.fail("colonnes", "une liste non vide de colonnes est attendue")
    columns = tuple(_parse_column(check, c, f"colonnes[{i}]") for i, c in enumerate(raw_columns))
    by_name: dict[str, Column] = {}
    for col in columns:
        if col.name in by_name:
            raise check.fail(f"colonnes.{col.name}", "colonne déclarée deux fois")
        by_name[col.name] = col
    _check_date_orders(check, columns, by_name)
    key = check.text_list(spec.get("cle"), "cle")
    for k in key:
        if k not in by_name:
            raise check.fail("cle", f"« {k} » n'est pas une colonne du jeu")
        if not by_name[k].required:
            raise check.fail("cle", f"la colonne clé « {k} » doit être requise")
    reference_date = spec.get("date_reference")
    if reference_date is not None:
        reference_date = check.text(reference_date, "date_reference")
        if reference_date not in by_name or by_name[reference_date].type != "date":
            raise check.fail("date_reference", f"« {reference_date} » n'est pas une colonne de type date")
    if not key and reference_date is None:
        raise check.fail("date_reference",
                         "un jeu sans clé doit indiquer sa date de référence (remplacement par période)")
    if not key and not by_name[reference_date].required:
        raise check.fail("date_reference", "la date de référence d'un jeu sans clé doit être requise")
    extra_likert = check.boolean(spec.get("questions_likert"), "questions_likert")
    coverage_mode = spec["couverture"]
    if coverage_mode not in MODES:
        raise check.fail("couverture", f"« {coverage_mode} » inconnu : export (un fichier couvre des mois entiers) "
                                       "ou registre (tout jusqu'à sa date d'extraction)")
    # Two columns of one dataset must not claim the same header.
    seen: dict[str, str] = {}
    for col in columns:
        for form in col.header_forms:
            if form in seen and seen[form] != col.name:
                raise check.fail(f"colonnes.{col.name}.alias",
                                 f"l'en-tête « {form} » est déjà celui de la colonne « {seen[form]} »")
            seen[form] = col.name
    return Dataset(
        name=name,
        label=check.text(spec["libelle"], "libelle"),
        description=check.text(spec.get("description"), "description", optional=True),
        columns=columns,
        key=key,
        reference_date=reference_date,
        extra_likert_questions=extra_likert,
        coverage_mode=coverage_mode,
        source_file=source,
        _by_name=by_name,
    )


def load_dataset_file(path: Path) -> Dataset:
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DeclarationError(f"{path.name} : le fichier doit être enregistré en UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark is not None else ""
        raise DeclarationError(f"{path.name} : YAML illisible{where} : {exc}") from None
    dataset = parse_dataset(raw, path.name)
    if dataset.name != path.stem:
        raise DeclarationError(f"{path.name} : champ « nom » : « {dataset.name} » doit être le nom du fichier")
    return dataset


def load_datasets(folder: Path = DATASETS_DIR) -> dict[str, Dataset]:
    """All declarations of a folder, in file-name order, keyed by dataset name."""
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise DeclarationError(f"{folder} : aucun fichier de déclaration de jeu de données")
    return {d.name: d for d in map(load_dataset_file, files)}
