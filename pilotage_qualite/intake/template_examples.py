"""The example rows of the import templates: fictional, valid values built from the declarations.

Apart from the workbook (openpyxl) because the import reads them too: example rows a user left in
a template are recognised by their values and never loaded (datasets.md « Example rows »).
Example values come from small tables keyed by *column* name (values that read well for the usual
columns: site, canal, numero…) and fall back on generic values by type, always within the
column's declared bounds and lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pilotage_qualite.model.datasets import Column, Dataset

TRUE_TEXT, FALSE_TEXT = "oui", "non"
LIKERT_ANSWERS = ("Très satisfait", "Plutôt satisfait", "Plutôt pas satisfait", "Pas du tout satisfait")

# Two example rows. Row 1 fills every column; row 2 fills the required columns and the
# optional ones without a default, and leaves optional dates empty (an item still open):
# it shows that optional cells may stay empty and that defaults then apply.

ROW1_DAY = dt.date(2025, 3, 3)
ROW2_DAY = dt.date(2025, 4, 14)

# Text examples by column name (shared by every dataset that has such a column). A value of
# None leaves the cell empty. A "dataset.column" key refines one dataset's column.
TEXT_EXAMPLES: dict[str, tuple[str | None, str | None]] = {
    "site": ("Lyon 8e", "Saint-Étienne"),
    "quartier": ("Mermoz", "Montreynaud"),
    "public": ("Habitants", "Jeunes"),
    "partenaire": ("Bailleur social", None),
    "canal": ("Téléphone", "Courriel"),
    "demandeur": ("Habitant", "Bailleur"),
    "objet": ("Conflit de voisinage", "Nuisances sonores"),
    "motif": ("Délai de réponse trop long", "Comportement d'un médiateur"),
    "gravite": ("Moyenne", "Faible"),
    "statut": ("Clôturée", "En cours"),
    "salarie": ("Camille Exemple", "Karim Fictif"),
    "intitule": ("Gestion des conflits", "Accueil du public"),
    "actions.intitule": ("Mettre à jour la procédure d'accueil téléphonique",
                         "Former l'équipe à la gestion des conflits"),
    "contrat": ("CDI", "CDD"),
    "pilote": ("Responsable qualité", "Coordinatrice Lyon 8e"),
    "audit": ("AUD-2025-01", "AUD-2025-02"),
    "processus": ("Traitement des réclamations", "Accueil et orientation"),
    "description": ("Délai d'accusé de réception non respecté sur deux dossiers",
                    "Affichage des horaires de permanence incomplet"),
    "code": ("PR-01", "EN-04"),
    "titre": ("Procédure de traitement des réclamations", "Fiche d'enregistrement des interventions"),
    "version": ("v3", "v1"),
    "action": ("ACT-2025-0012", None),
}

# Number examples by column name, for entier and decimal columns.
NUMBER_EXAMPLES: dict[str, tuple[float | None, float | None]] = {
    "nb_personnes": (3, None),
    "duree_min": (45, 30),
    "etp": (0.8, None),
    "heures": (7, 3.5),
    "heures_planifiees": (139.5, 120),
    "heures_realisees": (131, 112.5),
    "gravite": (2, 3),
    "jours_arret": (3, None),
}

# Listed-value examples by column name, when the first two values of the list would not
# tell a consistent story with the other example cells.
CHOICE_EXAMPLES: dict[str, tuple[str | None, str | None]] = {
    "actions.statut": ("réalisée", None),
    "actions.efficacite": ("efficace", None),
}

# Days after the row's first date, by date column name (a closing date comes after the
# receipt, a next revision two years after the revision…). Other date columns follow
# their declaration order, two weeks apart.
DATE_OFFSETS: dict[str, int] = {
    "date_prise_en_charge": 2,
    "date_accuse_reception": 3,
    "date_reponse": 12,
    "date_cloture": 20,
    "date_levee": 60,
    "date_realisation": 75,
    "echeance": 90,
    "date_fin_integration": 90,
    "date_sortie": 400,
    "date_prochaine_revision": 730,
}


def _lookup(table: dict, dataset: Dataset, column: Column):
    return table.get(f"{dataset.name}.{column.name}", table.get(column.name))


def _clamp(value: float, column: Column) -> float:
    if column.minimum is not None:
        value = max(value, column.minimum)
    if column.maximum is not None:
        value = min(value, column.maximum)
    return int(value) if column.type == "entier" else value


def _row2_left_empty(column: Column) -> bool:
    return not column.required and (column.default is not None or column.type == "date")


def example_value(dataset: Dataset, column: Column, row: int) -> Any:
    """The example cell of ``column`` in example row 1 or 2 (None = empty cell)."""
    index = row - 1
    day = ROW1_DAY if row == 1 else ROW2_DAY
    if column.type == "date":
        if row == 2 and not column.required:
            return None
        dates = [c for c in dataset.columns if c.type == "date"]
        offset = DATE_OFFSETS.get(column.name)
        if offset is None:
            offset = 14 * [c.name for c in dates if c.name not in DATE_OFFSETS].index(column.name)
        value = day + dt.timedelta(days=offset)
        return value.replace(day=1) if column.month_only_allowed else value
    if column.type in ("entier", "decimal"):
        known = _lookup(NUMBER_EXAMPLES, dataset, column)
        if known is not None:
            value = known[index]
        elif row == 2 and _row2_left_empty(column):
            value = None
        else:
            value = (2, 1)[index] if column.type == "entier" else (7.5, 3.0)[index]
        return None if value is None else _clamp(value, column)
    if column.type == "booleen":
        if row == 2 and _row2_left_empty(column):
            return None
        return TRUE_TEXT if row == 1 else FALSE_TEXT
    if column.type == "choix":
        known = _lookup(CHOICE_EXAMPLES, dataset, column)
        allowed = [c.value for c in column.choices]
        if known is not None and (known[index] is None or known[index] in allowed):
            return known[index]
        if row == 2 and _row2_left_empty(column):
            return None
        return allowed[index % len(allowed)]
    if column.type == "likert":
        return LIKERT_ANSWERS[index]
    # texte
    if column.name == "numero":
        return f"{dataset.name[:3].upper()}-2025-{12 + index:04d}"
    known = _lookup(TEXT_EXAMPLES, dataset, column)
    if known is not None:
        return known[index] if known[index] is not None or not column.required else known[1 - index]
    if row == 2 and _row2_left_empty(column):
        return None
    return f"{column.label} {('A', 'B')[index]}"


def example_rows(dataset: Dataset) -> list[list[Any]]:
    """The two example rows, in the order of the declared columns."""
    return [[example_value(dataset, column, row) for column in dataset.columns] for row in (1, 2)]
