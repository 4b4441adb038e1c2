"""What every part of the engine agrees on: the result's columns, the labels of dimension
values, and the error the engine raises."""

RESULT_COLUMNS = [
    "indicateur", "titre", "processus", "periode", "grain", "debut", "fin", "dimension", "modalite",
    "valeur", "effectif", "numerateur", "denominateur", "unite", "decimales", "sens", "cible", "seuil",
    "n_min", "statut", "ic_bas", "ic_haut", "centre", "limite_basse", "limite_haute", "hors_controle",
    "valeur_precedente", "valeur_annee_precedente", "couverture", "couvert_du", "couvert_au", "reconstitue",
    "carte", "signaux", "variation", "assurance", "sans_limites",
]

NOT_FILLED = "(non renseigné)"  # label of an empty dimension value
ENSEMBLE = ""  # internal sentinel for the Ensemble dimension/value (None in results)


class EngineError(ValueError):
    """A request the engine cannot serve (unknown indicator, bad dimension…), in French."""
