"""The catalogue's reference for auditors (``docs/catalogue.md``), generated from the declarations.

An auditor recomputes a figure from its definition and its SQL: both must be the ones the
engine runs, never a copy written by hand that drifts. This module turns the catalogue (and
the dataset declarations, for their labels) into Markdown, with the SQL that
:func:`pilotage_qualite.engine.indicator_sql` gives for one example period, laid out one clause
per line. ``tests/test_docs.py`` checks the committed file against it, and the SQL snapshots
of ``tests/unit/engine/sql/`` use the same layout. Pure: text in, text out.
"""

from __future__ import annotations

import re

from pilotage_qualite import engine
from pilotage_qualite.common import formats
from pilotage_qualite.model.catalogue import Attribution, Catalogue, Indicator
from pilotage_qualite.model.datasets import Dataset
from pilotage_qualite.model.periods import parse_period
from pilotage_qualite.reports.catalogue_edits import direction_text

EXAMPLE_PERIOD = "2026-10"  # the period whose SQL the reference and the snapshots show

# Clauses that start a line when they belong to a query (not to FILTER (WHERE …) or a call).
_CLAUSES = ("SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "QUALIFY", "WINDOW", "ORDER BY", "LIMIT",
            "UNION ALL", "UNION", "LEFT JOIN", "JOIN")
_CLAUSE_AT = re.compile(r"(?:%s)\b" % "|".join(c.replace(" ", r"\s+") for c in _CLAUSES))
_QUERY_PAREN = re.compile(r"\(\s*(?:SELECT|WITH|VALUES)\b")
_INDENT = "  "


def readable_sql(statement: str) -> str:
    """One clause per line, one item of a list per line, nested queries indented.

    Only whitespace outside quoted text changes, so the result is the same SQL (a test checks
    that its words are the statement's). Comment lines (composite formulas) are kept as they are.
    """
    if statement.startswith("--"):
        return statement
    out: list[str] = []
    # One entry per open parenthesis: the indent of its clauses when it holds a query, else None.
    opened: list[int | None] = []
    line_indent = 0
    i = 0
    while i < len(statement):
        ch = statement[i]
        if ch in "'\"":
            end = i + 1
            while end < len(statement):
                if statement[end] == ch and statement[end + 1:end + 2] != ch:
                    break
                end += 2 if statement[end] == ch else 1
            out.append(statement[i:end + 1])
            i = end + 1
            continue
        query_indent = opened[-1] if opened else 0
        if ch == "(":
            opened.append(line_indent + len(_INDENT) if _QUERY_PAREN.match(statement, i) else None)
        elif ch == ")" and opened:
            opened.pop()
        elif ch == "," and query_indent is not None and statement[i + 1:i + 2].isspace():
            line_indent = query_indent + 2 * len(_INDENT)
            out.append(",\n" + " " * line_indent)
            i = _skip_spaces(statement, i + 1)
            continue
        elif ch.isspace() and query_indent is not None and out:
            clause = _CLAUSE_AT.match(statement, _skip_spaces(statement, i))
            if clause:
                line_indent = query_indent
                out.append("\n" + " " * line_indent + clause.group())
                i = clause.end()
                continue
        out.append(ch)
        i += 1
    return "\n".join(line.rstrip() for line in "".join(out).strip().splitlines())


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _attribution_text(attribution: Attribution) -> str:
    return f"{attribution.kind}: {attribution.expression}"


def _query_names(indicator: Indicator) -> list[str]:
    """What each query of the engine reads, in the engine's order.

    The engine runs one query per dataset, attribution and computed columns (measures that
    share them share it); ``sql_sections`` checks that the count matches.
    """
    if not indicator.is_composite:
        return [f"aggregates of {indicator.id}: rows of « {indicator.source} », {_attribution_text(indicator.attribution)}"]
    groups: dict[tuple, list[str]] = {}
    for measure in indicator.mesures:
        key = (measure.source, measure.attribution, measure.calculs)
        groups.setdefault(key, []).append(measure.name)
    return [f"measure{'s' if len(names) > 1 else ''} {', '.join(names)}: rows of « {source} », {_attribution_text(attribution)}"
            for (source, attribution, _), names in groups.items()]


def sql_sections(catalogue: Catalogue, indicator_id: str, period: str = EXAMPLE_PERIOD) -> list[tuple[str, str]]:
    """(comment naming it, readable SQL) for each statement the engine shows for the indicator.

    The composite formulas (already comment lines) come last, together under one comment.
    """
    indicator = catalogue[indicator_id]
    statements = engine.indicator_sql(catalogue, indicator_id, [parse_period(period)])
    queries = [s for s in statements if not s.startswith("--")]
    formulas = [s for s in statements if s.startswith("--")]
    names = _query_names(indicator)
    if len(names) != len(queries):
        raise ValueError(f"{indicator_id}: the engine shows {len(queries)} queries for {len(names)} groups of "
                         "rows; teach catalogue_reference._query_names how the engine groups them now")
    sections = [(f"-- Query {k} of {len(queries)}, {name}", readable_sql(sql))
                for k, (name, sql) in enumerate(zip(names, queries), start=1)]
    if formulas:
        inputs = (["the queries above"] if queries else []) + (
            [f"the indicator{'s' if len(indicator.references) > 1 else ''} {', '.join(indicator.references)}"]
            if indicator.references else [])
        sections.append((f"-- Composite: evaluated on the values of {' and '.join(inputs)} "
                         "(same period, same dimension value)", "\n".join(formulas)))
    return sections


def indicator_sql_text(catalogue: Catalogue, indicator_id: str, period: str = EXAMPLE_PERIOD) -> str:
    """The statements with their comments, separated by blank lines (a ``.sql`` file's body)."""
    return "\n\n".join(f"{comment}\n{sql}" for comment, sql in sql_sections(catalogue, indicator_id, period))


# --- the Markdown reference --------------------------------------------------------


def _code(text: str) -> str:
    """Inline code for a table cell: pipes escaped, backticks fenced by longer runs."""
    text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _anchor(indicator_id: str) -> str:
    return indicator_id.lower()


def _number(indicator: Indicator, value: float | None) -> str:
    return "—" if value is None else formats.with_unit(value, indicator.unite, indicator.decimales)


def _dataset_text(name: str, datasets: dict[str, Dataset]) -> str:
    dataset = datasets.get(name)
    return f"{_code(name)} ({_cell(dataset.label)})" if dataset else f"{_code(name)} (undeclared)"


def _declaration_rows(indicator: Indicator, datasets: dict[str, Dataset]) -> list[tuple[str, str]]:
    rows = [("Pourquoi", _cell(indicator.pourquoi)), ("Définition", _cell(indicator.definition)),
            ("Pilote", _cell(indicator.pilote))]
    if not indicator.is_composite:
        rows.append(("Jeu de données", _dataset_text(indicator.source, datasets)))
        rows.append((f"Attribution ({indicator.attribution.label_fr})", _code(indicator.attribution.expression)))
        rows.extend((f"Colonne calculée {_code(name)}", _code(expression)) for name, expression in indicator.calculs)
        if indicator.filtre:
            rows.append(("Filtre", _code(indicator.filtre)))
        if indicator.condition_numerateur:
            rows.append(("Condition du numérateur", _code(indicator.condition_numerateur)))
        expressions = indicator.aggregates()
    else:
        sources = ", ".join(_dataset_text(name, datasets) for name in indicator.sources)
        rows.append(("Jeux de données", sources or "aucun (seulement d'autres indicateurs)"))
        if indicator.references:
            rows.append(("Indicateurs utilisés",
                         ", ".join(f"[{ref}](#{_anchor(ref)})" for ref in indicator.references)))
        for measure in indicator.mesures:
            text = (f"{_code(measure.expression)} sur {_code(measure.source)}, "
                    f"{measure.attribution.label_fr} : {_code(measure.attribution.expression)}")
            text += "".join(f", colonne calculée {_code(name)} = {_code(expr)}" for name, expr in measure.calculs)
            if measure.filtre:
                text += f", filtre {_code(measure.filtre)}"
            rows.append((f"Mesure {_code(measure.name)}", text))
        expressions = indicator.composite_expressions()
    labels = {"valeur": "Valeur", "numerateur": "Numérateur", "denominateur": "Dénominateur",
              "effectif": "Effectif (n)"}
    rows.extend((labels[name], _code(expressions[name])) for name in labels if expressions.get(name))
    decimals = f"{indicator.decimales} décimale{'s' if indicator.decimales > 1 else ''}"
    rows.append(("Unité", f"{_cell(indicator.unite)} ({decimals})"))
    rows.append(("Sens", direction_text(indicator)))
    rows.append(("Cible (fichier)", _number(indicator, indicator.cible)))
    rows.append(("Seuil d'alerte (fichier)", _number(indicator, indicator.seuil)))
    if indicator.n_min is None:
        n_min = "—"
    else:
        n_min = str(indicator.n_min) + ("" if indicator.n_min_declared is not None else " (par défaut)")
    rows.append(("n min", n_min))
    dimensions = ", ".join(_code(d) for d in indicator.dimensions)
    rows.append(("Ventilations", dimensions or "aucune (Ensemble seulement)"))
    rows.append(("Fichier", _code(f"declarations/indicators/{indicator.source_file}")))
    return rows


def _indicator_section(catalogue: Catalogue, indicator: Indicator, datasets: dict[str, Dataset]) -> list[str]:
    lines = [f'<a id="{_anchor(indicator.id)}"></a>', "", f"### {indicator.id} · {indicator.titre}", "",
             "| | |", "|---|---|"]
    lines.extend(f"| {label} | {value} |" for label, value in _declaration_rows(indicator, datasets))
    period = parse_period(EXAMPLE_PERIOD)
    lines += ["", f"<details><summary>SQL run for {period.label} ({period.label_fr})</summary>", "",
              "```sql", indicator_sql_text(catalogue, indicator.id), "```", "", "</details>", ""]
    return lines


def catalogue_reference(catalogue: Catalogue, datasets: dict[str, Dataset]) -> str:
    """``docs/catalogue.md``: every indicator, in catalogue order, grouped by process."""
    period = parse_period(EXAMPLE_PERIOD)
    lines = [
        "# Indicator catalogue (reference)",
        "",
        "<!-- Generated by pilotage_qualite/reports/catalogue_reference.py from declarations/; do not edit. -->",
        "",
        "Every indicator the product ships, in the order of the dashboard, grouped by process, as",
        "declared in `declarations/indicators/*.yaml` (field by field: the French words are the",
        "files' own). This file is generated from those declarations and checked by",
        "`tests/test_docs.py`; after changing a declaration, regenerate it with",
        "`UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_docs.py`.",
        "",
        "- **Attribution** says which rows count for a period: `flux` (the rows whose date falls in",
        "  the period), `stock` (the state at `fin`, the first day after the period) or",
        "  `fenetre_12m` (the rows whose date falls in the 12 months ending at `fin`).",
        "- **Cible** and **seuil d'alerte** are those of the files. The quality lead can change them",
        "  in the app from a given date; those changes live in the base (table `cibles`), and a",
        "  period is judged against the target in force on its first day, so an installation may",
        "  show a later target than this reference.",
        "- **n min**: below this number of rows a value gets the status « effectif insuffisant ».",
        f"- **SQL**: what the engine runs for the example period {period.label} ({period.label_fr}),",
        "  as the fiche shows it, laid out one clause per line (only the spacing differs). The",
        "  engine writes the period join and the breakdowns; the declarations never do.",
        "",
        "| id | titre | unité | sens | cible | seuil | ventilations |",
        "|---|---|---|---|---|---|---|",
    ]
    for indicator in catalogue:
        lines.append(f"| [{indicator.id}](#{_anchor(indicator.id)}) | {_cell(indicator.titre)} | "
                     f"{_cell(indicator.unite)} | {indicator.sens or '—'} | {_number(indicator, indicator.cible)} | "
                     f"{_number(indicator, indicator.seuil)} | {', '.join(indicator.dimensions) or '—'} |")
    for process, indicators in catalogue.processes().items():
        lines += ["", f"## {process}", ""]
        for indicator in indicators:
            lines += _indicator_section(catalogue, indicator, datasets)
    return "\n".join(lines).rstrip() + "\n"
