"""An indicator's YAML built from choices made in lists (the Catalogue page's guided form).

The quality lead picks a dataset, how its rows are attributed to a period, a measure, a filter
(column → operator → value), unit, direction and target; this module offers the choices that make
sense for the dataset's declared columns and writes the definition in the catalogue files' own
format. The text it writes is then validated exactly like typed YAML
(:func:`pilotage_qualite.reports.catalogue_edits.check_new_indicators`): nothing here decides
whether a definition is acceptable, only what the lists offer. Pure: no Streamlit.

The shapes offered are those of the shipped declarations (``declarations/indicators/``):

- periods: ``{flux: date}`` and ``{fenetre_12m: date}`` on each date of an event; stocks « open at
  the end of the period » ``A < fin AND (B IS NULL OR B >= fin)`` for each pair of dates the
  dataset declares in order (``pas_avant``), optionally older than some days (``A < fin - 30``);
  and ``A < fin`` (every row dated before the end of the period);
- measures: ``count(*)``, a share of rows (``condition_numerateur``), ``coalesce(sum(c), 0)``,
  ``avg(x)`` and ``median(x)`` of a number column or of a delay between two such dates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import yaml

from pilotage_qualite.model.catalogue import Catalogue
from pilotage_qualite.model.datasets import Column, Dataset

LIKERT_VALUES = (("1", "1 (pas du tout satisfait)"), ("2", "2 (plutôt pas satisfait)"),
                 ("3", "3 (plutôt satisfait)"), ("4", "4 (très satisfait)"))
NUMBER_TYPES = ("entier", "decimal", "likert")


class BuilderError(ValueError):
    """A choice the form cannot turn into a definition (French, naming the form's field)."""


@dataclass(frozen=True)
class Option:
    """One entry of a list: ``code`` is what the form sends back, ``label`` what it shows."""

    code: str
    label: str


@dataclass(frozen=True)
class Operand:
    """What a condition or a measure can read: a column, or the delay between two dates."""

    code: str  # column name, or « delai:A:B »
    label: str
    sql: str
    kind: str  # date, texte, choix, booleen, nombre
    values: tuple[tuple[str, str], ...] = ()  # listed values (SQL-free text, label)


@dataclass(frozen=True)
class Condition:
    operand: str  # Operand.code
    operator: str  # a key of OPERATORS
    value: str | float | None = None


@dataclass(frozen=True)
class Choices:
    """Everything the form asks for; text fields are kept as typed (the validator judges them)."""

    id: str
    titre: str
    processus: str
    pilote: str
    pourquoi: str
    source: str
    periode: str  # an Option.code of period_options()
    mesure: str  # an Option.code of measure_options()
    unite: str
    titre_court: str = ""
    definition: str = ""  # empty: written from the choices (plain_definition)
    anciennete: int = 0  # open stocks: rows older than this many days at the end of the period
    filtre: tuple[Condition, ...] = ()
    condition: Condition | None = None  # the share of rows meeting it (mesure « part »)
    sens: str | None = None
    cible: float | None = None
    seuil: float | None = None
    dimensions: tuple[str, ...] = ()


# --- what the lists offer -------------------------------------------------------------------------


def dataset_options(datasets: dict[str, Dataset]) -> list[Option]:
    """The declared datasets, by their French label."""
    return sorted((Option(name, d.label) for name, d in datasets.items()), key=lambda o: o.label.lower())


def _date_pairs(dataset: Dataset) -> list[tuple[Column, Column]]:
    """(earlier, later) date columns the declaration puts in order (« pas_avant »)."""
    return [(dataset.column(c.not_before), c) for c in dataset.columns if c.type == "date" and c.not_before]


def period_options(dataset: Dataset) -> list[Option]:
    """How rows can be attributed to a period, given the dataset's dates."""
    options = []
    for name in dataset.event_dates:
        options.append(Option(f"flux:{name}", f"Flux : « {dataset.column(name).label} » dans la période"))
    for name in dataset.event_dates:
        options.append(Option(f"fenetre_12m:{name}",
                              f"12 mois glissants : « {dataset.column(name).label} » dans les 12 derniers mois"))
    for start, end in _date_pairs(dataset):
        options.append(Option(f"ouvert:{start.name}:{end.name}",
                              f"Stock à la fin : « {start.label} » passée, « {end.label} » vide ou à venir"))
    if dataset.reference_date:
        label = dataset.column(dataset.reference_date).label
        options.append(Option(f"avant:{dataset.reference_date}", f"Stock à la fin : « {label} » passée"))
    return options


def operands(dataset: Dataset) -> list[Operand]:
    """The columns a condition can test (pseudonymised ones aside), then the delays between dates."""
    out = []
    for c in dataset.columns:
        if c.pseudonymised:
            continue
        if c.type == "choix":
            out.append(Operand(c.name, c.label, c.name, "choix", tuple((x.value, x.value) for x in c.choices)))
        elif c.type == "likert":
            out.append(Operand(c.name, c.label, c.name, "nombre", LIKERT_VALUES))
        else:
            out.append(Operand(c.name, c.label, c.name, "nombre" if c.type in NUMBER_TYPES else c.type))
    for start, end in _date_pairs(dataset):
        out.append(Operand(f"delai:{start.name}:{end.name}",
                           f"Délai (jours) : {start.label} → {end.label}",
                           f"{end.name} - {start.name}", "nombre"))
    return out


def operand(dataset: Dataset, code: str) -> Operand:
    found = {o.code: o for o in operands(dataset)}
    if code not in found:
        raise BuilderError(f"« {code} » n'est pas une colonne du jeu {dataset.label}.")
    return found[code]


OPERATORS = {
    "=": "est égal à", "<>": "est différent de", ">=": "vaut au moins (≥)", "<=": "vaut au plus (≤)",
    ">": "vaut plus de (>)", "<": "vaut moins de (<)", "oui": "est oui", "non": "est non",
    "renseigne": "est renseigné", "vide": "est vide",
}
OPERATORS_BY_KIND = {
    "choix": ("=", "<>", "renseigne", "vide"),
    "texte": ("=", "<>", "renseigne", "vide"),
    "nombre": (">=", "<=", ">", "<", "=", "<>", "renseigne", "vide"),
    "booleen": ("oui", "non"),
    "date": ("renseigne", "vide"),
}
NO_VALUE = ("oui", "non", "renseigne", "vide")


def operator_options(item: Operand) -> list[Option]:
    return [Option(code, OPERATORS[code]) for code in OPERATORS_BY_KIND[item.kind]]


def measure_options(dataset: Dataset) -> list[Option]:
    """Count, share, then sum / mean / median of each number column and each delay."""
    options = [Option("nombre", "Nombre de lignes"),
               Option("part", "Part des lignes remplissant une condition (%)")]
    numbers = [o for o in operands(dataset) if o.kind == "nombre"]
    for o in numbers:
        if not o.code.startswith("delai:") and not o.values:
            options.append(Option(f"somme:{o.code}", f"Somme de « {o.label} »"))
    for kind, word in (("moyenne", "Moyenne"), ("mediane", "Médiane")):
        options.extend(Option(f"{kind}:{o.code}", f"{word} de « {o.label} »") for o in numbers)
    return options


def unit_options(measure: str) -> list[str]:
    """The units that fit a measure, the likeliest first."""
    kind, _, operand_code = measure.partition(":")
    if kind == "nombre":
        return ["nombre"]
    if kind == "part":
        return ["%"]
    if operand_code.startswith("delai:"):
        return ["jours", "nombre"]
    first = ["heures"] if "heure" in operand_code else ["nombre"]
    return first + [u for u in ("nombre", "heures", "jours", "ratio") if u not in first]


def dimension_options(dataset: Dataset) -> list[Option]:
    """Columns to break the indicator down by: listed values and short texts (not the key)."""
    return [Option(c.name, c.label) for c in dataset.columns
            if c.type in ("choix", "texte") and c.name not in dataset.key and not c.pseudonymised]


def processes(catalogue: Catalogue) -> list[str]:
    return list(dict.fromkeys(i.processus for i in catalogue))


def pilots(catalogue: Catalogue) -> list[str]:
    return sorted({i.pilote for i in catalogue}, key=str.lower)


def process_of(catalogue: Catalogue, source: str) -> str | None:
    """The process whose indicators read this dataset first (the form's default process)."""
    return next((i.processus for i in catalogue if source in (i.source, *(m.source for m in i.mesures))), None)


def pilot_of(catalogue: Catalogue, process: str) -> str | None:
    """The pilot of the process's first indicator (the form's default pilot)."""
    return next((i.pilote for i in catalogue if i.processus == process), None)


def next_id(catalogue: Catalogue, process: str) -> str:
    """The next free code of a process's prefix (REC-05 → REC-06); empty when the process is new."""
    numbers: dict[str, list[int]] = {}
    for i in catalogue:
        m = re.fullmatch(r"([A-Z]+)-(\d+)", i.id)
        if i.processus == process and m:
            numbers.setdefault(m.group(1), []).append(int(m.group(2)))
    if not numbers:
        return ""
    prefix = next(iter(numbers))
    taken = {i.id for i in catalogue}
    number = max(numbers[prefix]) + 1
    while f"{prefix}-{number:02d}" in taken:
        number += 1
    return f"{prefix}-{number:02d}"


# --- the definition -------------------------------------------------------------------------------


def _literal(item: Operand, value: str | float | None, field: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BuilderError(f"{field} : choisissez ou écrivez la valeur de « {item.label} ».")
    if item.kind == "nombre":
        number = float(value)
        if not math.isfinite(number):
            raise BuilderError(f"{field} : « {value} » n'est pas un nombre.")
        return str(int(number)) if number.is_integer() else repr(number)
    return "'" + str(value).strip().replace("'", "''") + "'"


def condition_sql(dataset: Dataset, condition: Condition, field: str = "Filtre") -> str:
    """One condition as SQL (≠ keeps empty cells, as the shipped declarations do)."""
    item = operand(dataset, condition.operand)
    op = condition.operator
    if op not in OPERATORS_BY_KIND[item.kind]:
        raise BuilderError(f"{field} : « {OPERATORS.get(op, op)} » ne s'applique pas à « {item.label} ».")
    if op == "oui":
        return item.sql
    if op == "non":
        return f"NOT {item.sql}"
    if op in ("renseigne", "vide"):
        return f"{item.sql} IS {'NOT ' if op == 'renseigne' else ''}NULL"
    literal = _literal(item, condition.value, field)
    if op == "<>":
        return f"{item.sql} IS DISTINCT FROM {literal}"
    return f"{item.sql} {op} {literal}"


def condition_text(dataset: Dataset, condition: Condition) -> str:
    """The condition in words, for the plain definition: « Type d'événement » égal à menace."""
    item = operand(dataset, condition.operand)
    words = f"« {item.label} » {OPERATORS[condition.operator]}"
    if condition.operator in NO_VALUE:
        return words
    value = condition.value
    if isinstance(value, float):
        value = str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return f"{words} {value}"


def _periode(choices: Choices) -> dict[str, str]:
    kind, _, rest = choices.periode.partition(":")
    if kind in ("flux", "fenetre_12m"):
        return {kind: rest}
    if kind == "ouvert":
        start, end = rest.split(":")
        age = f" - {int(choices.anciennete)}" if choices.anciennete else ""
        return {"stock": f"{start} < fin{age} AND ({end} IS NULL OR {end} >= fin)"}
    if kind == "avant":
        return {"stock": f"{rest} < fin"}
    raise BuilderError(f"Attribution : « {choices.periode} » inconnue.")


def _measure_sql(dataset: Dataset, measure: str) -> dict[str, str]:
    kind, _, code = measure.partition(":")
    if kind == "nombre":
        return {"valeur": "count(*)"}
    sql = operand(dataset, code).sql
    if kind == "somme":
        return {"valeur": f"coalesce(sum({sql}), 0)"}
    if kind in ("moyenne", "mediane"):
        return {"valeur": f"{'avg' if kind == 'moyenne' else 'median'}({sql})", "effectif": f"count({sql})"}
    raise BuilderError(f"Mesure : « {measure} » inconnue.")


def _format(measure: str, unite: str) -> str:
    if unite == "ratio":
        return "0,00"
    kind = measure.partition(":")[0]
    return "0" if kind == "nombre" or (kind == "somme" and unite == "nombre") else "0,0"


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def plain_definition(dataset: Dataset, choices: Choices) -> str:
    """The definition in plain French, written from the choices (shown on the fiche)."""
    kind, _, code = choices.mesure.partition(":")
    rows = f"lignes « {dataset.label} »"
    measure = {"nombre": f"Nombre de {rows}", "part": f"Part des {rows}"}.get(kind)
    if measure is None:
        word = {"somme": "Somme", "moyenne": "Moyenne", "mediane": "Médiane"}.get(kind, kind)
        measure = f"{word} de « {operand(dataset, code).label} » sur les {rows}"
    period_kind, _, rest = choices.periode.partition(":")
    names = rest.split(":")
    labels = [dataset.column(n).label if n in dataset.column_names else n for n in names]
    period = {
        "flux": f"dont « {labels[0]} » tombe dans la période",
        "fenetre_12m": f"dont « {labels[0]} » tombe dans les 12 mois qui finissent avec la période",
        "avant": f"dont « {labels[0]} » est passée à la fin de la période",
    }.get(period_kind, "")
    if period_kind == "ouvert":
        age = f" depuis plus de {int(choices.anciennete)} jours" if choices.anciennete else ""
        period = (f"dont « {labels[0]} » est passée{age} et « {labels[-1]} » vide ou pas encore arrivée "
                  "à la fin de la période")
    text = f"{measure} {period}"
    if choices.filtre:
        text += ", où " + " et ".join(condition_text(dataset, c) for c in choices.filtre)
    if kind == "part" and choices.condition is not None:
        text += ", pour lesquelles " + condition_text(dataset, choices.condition)
    return text + "."


def indicator_mapping(datasets: dict[str, Dataset], choices: Choices) -> dict:
    """The indicator as the catalogue files declare it, fields in their usual order."""
    if choices.source not in datasets:
        raise BuilderError(f"Jeu de données : « {choices.source} » n'est pas un jeu déclaré.")
    dataset = datasets[choices.source]
    item: dict = {"id": choices.id.strip(), "titre": choices.titre.strip()}
    if choices.titre_court.strip():
        item["titre_court"] = choices.titre_court.strip()
    item.update(processus=choices.processus.strip(), pilote=choices.pilote.strip(),
                pourquoi=choices.pourquoi.strip(),
                definition=choices.definition.strip() or plain_definition(dataset, choices),
                source=choices.source, periode=_periode(choices))
    if choices.filtre:
        item["filtre"] = " AND ".join(condition_sql(dataset, c) for c in choices.filtre)
    if choices.mesure == "part":
        if choices.condition is None:
            raise BuilderError("Lignes comptées au numérateur : choisissez la colonne qu'elles remplissent.")
        item["condition_numerateur"] = condition_sql(dataset, choices.condition, "Lignes comptées au numérateur")
    else:
        item.update(_measure_sql(dataset, choices.mesure))
    item.update(unite=choices.unite, format=_format(choices.mesure, choices.unite))
    if choices.sens:
        item["sens"] = choices.sens
    for name in ("cible", "seuil"):
        if getattr(choices, name) is not None:
            item[name] = _number(getattr(choices, name))
    item["dimensions"] = list(choices.dimensions)
    return item


def indicator_yaml(datasets: dict[str, Dataset], choices: Choices) -> str:
    """The YAML text of the new indicator, as a one-item list (the format typed YAML uses)."""
    return yaml.safe_dump([indicator_mapping(datasets, choices)], allow_unicode=True, sort_keys=False,
                          default_flow_style=None, width=1000)
