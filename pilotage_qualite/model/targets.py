"""The rules of a target (cible) and its alert threshold (seuil), in one place: the catalogue
files are loaded and the Catalogue page's target form is checked with the same rules."""

from __future__ import annotations

import math

from pilotage_qualite.common.formats import number


def target_problems(sens: str | None, unite: str, cible: float | None, seuil: float | None) -> list[tuple[str, str]]:
    """Each broken rule as (field, French reason); an empty list means the target is acceptable."""
    problems = []
    for name, value in (("cible", cible), ("seuil", seuil)):
        if value is not None and not math.isfinite(value):
            problems.append((name, "un nombre est attendu"))
    if cible is not None and sens is None:
        problems.append(("cible", "une cible demande un sens (hausse ou baisse)"))
    if seuil is not None and cible is None:
        problems.append(("seuil", "un seuil d'alerte demande une cible"))
    if cible is not None and seuil is not None:
        if sens == "hausse" and seuil > cible:
            problems.append(("seuil", f"en hausse (plus haut est mieux), le seuil ({number(seuil, 2)}) doit être "
                                      f"inférieur ou égal à la cible ({number(cible, 2)})"))
        if sens == "baisse" and seuil < cible:
            problems.append(("seuil", f"en baisse (plus bas est mieux), le seuil ({number(seuil, 2)}) doit être "
                                      f"supérieur ou égal à la cible ({number(cible, 2)})"))
    if unite == "%":
        for name, value in (("cible", cible), ("seuil", seuil)):
            if value is not None and not 0 <= value <= 100:
                problems.append((name, "un pourcentage est entre 0 et 100"))
    return problems
