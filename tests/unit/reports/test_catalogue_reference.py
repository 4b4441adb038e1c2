"""The catalogue reference's SQL layout: readable, and the same SQL as the engine's."""

from __future__ import annotations

import pytest

from pilotage_qualite import engine
from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.reports.catalogue_reference import EXAMPLE_PERIOD, readable_sql, sql_sections

CATALOGUE = load_catalogue()


@pytest.mark.parametrize("indicator_id", CATALOGUE.ids)
def test_the_layout_changes_only_whitespace(indicator_id):
    for statement in engine.indicator_sql(CATALOGUE, indicator_id, EXAMPLE_PERIOD):
        laid_out = readable_sql(statement)
        assert laid_out.split() == statement.split()
        assert not any(line != line.rstrip() for line in laid_out.splitlines())


def test_clauses_of_queries_start_lines_and_nested_queries_are_indented():
    sql = ("SELECT a, count(*) FILTER (WHERE b = 'x, FROM y') AS n FROM (SELECT * FROM t WHERE c) s "
           "LEFT JOIN u ON s.k = u.k GROUP BY a")
    assert readable_sql(sql).splitlines() == [
        "SELECT a,",
        "    count(*) FILTER (WHERE b = 'x, FROM y') AS n",  # a condition and a quoted text stay whole
        "FROM (SELECT *",
        "  FROM t",
        "  WHERE c) s",
        "LEFT JOIN u ON s.k = u.k",
        "GROUP BY a",
    ]


def test_quotes_doubled_inside_quoted_text_do_not_end_it():
    sql = """SELECT 'l''an, FROM' AS "a "", FROM" FROM t"""
    assert readable_sql(sql) == """SELECT 'l''an, FROM' AS "a "", FROM"\nFROM t"""


def test_every_statement_is_named_and_composite_formulas_come_last():
    sections = sql_sections(CATALOGUE, "FOR-01")
    assert [comment.split(":")[0] for comment, _ in sections] == [
        "-- Query 1 of 2, measure heures", "-- Query 2 of 2, measures etp, presents", "-- Composite"]
    assert sections[-1][1].splitlines()[0] == "-- valeur = heures / etp"
