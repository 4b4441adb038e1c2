"""Every indicator's SQL checked against empty tables built from the declarations, at start-up.

MetricFlow's warehouse validation in spirit: a definition that names an unknown column or writes
invalid SQL is refused with the file, the indicator, the field and the reason in French, before
any page computes anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from pilotage_qualite.common.fingerprints import code_fingerprint
from pilotage_qualite.common.private_files import make_private_folder, write_private_file
from pilotage_qualite.engine.computation import compute
from pilotage_qualite.engine.query_sql import joined_sql, periods_cte
from pilotage_qualite.engine.results import EngineError
from pilotage_qualite.engine.sql_text import composite_sql, identifier
from pilotage_qualite.model.catalogue import PERIOD_COLUMNS, Attribution, Catalogue, CatalogueError, Indicator
from pilotage_qualite.model.periods import Period

_PROBE = [Period("mois", date(2025, 1, 1))]  # any period: the tables are empty


def check_against_schema(catalogue: Catalogue, datasets: dict, *, verified_dir: Path | None = None) -> None:
    """Run every indicator's SQL on empty tables built from the declarations.

    Raises :class:`CatalogueError` listing every problem (file, indicator, field and the
    reason in French). ``datasets`` is the result of ``model.datasets.load_datasets()``.
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
        make_private_folder(marker.parent)
        write_private_file(marker, f"{len(catalogue)} indicateurs vérifiés contre le schéma\n".encode())


def schema_fingerprint(catalogue: Catalogue, datasets: dict) -> str:
    """What the schema check's outcome depends on: the definitions (their parsed form), the
    declarations, the code that turns them into SQL and DuckDB's version."""
    digest = code_fingerprint("model", "engine", "store")
    digest.update(repr(catalogue).encode())
    digest.update(repr(sorted(datasets.items())).encode())
    digest.update(duckdb.__version__.encode())
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
    conn = empty_store(datasets)
    try:
        order = catalogue.with_dependencies(catalogue.ids)

        def sweep(detailed: bool) -> tuple[list[str], set[str]]:
            problems: list[str] = []
            failed: set[str] = set()
            for ind in order:
                if any(ref in failed for ref in ind.references):
                    failed.add(ind.id)  # cannot be judged; the cause is reported with its reference
                    continue
                found = check_indicator(conn, catalogue, ind, datasets, detailed=detailed)
                if found:
                    failed.add(ind.id)
                    problems.extend(found)
            return problems, failed

        # Quick path: checks without queries, then the whole catalogue once on empty tables.
        problems, failed = sweep(detailed=False)
        sound = [i for i in catalogue.ids if i not in failed]
        if not sound or probe_compute(conn, catalogue, sound) is None:
            return problems
        # Something is wrong in the SQL: check field by field to name the indicator and the field.
        problems, failed = sweep(detailed=True)
        sound = [i for i in catalogue.ids if i not in failed]
        if sound and probe_compute(conn, catalogue, sound) is not None:
            for i in sound:  # what the field checks did not see: find the indicator(s) at fault
                error = probe_compute(conn, catalogue, [i])
                if error:
                    problems.append(f"{catalogue[i].source_file} : indicateur {i} : champ « valeur » : {error}")
        return problems
    finally:
        conn.close()


# --- one indicator against empty tables ------------------------------------------------------


def empty_store(datasets: dict) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with one empty table per declared dataset (+ provenance) and ``imports``."""
    conn = duckdb.connect(":memory:")
    for name, ds in datasets.items():
        cols = ", ".join(f"{identifier(c.name)} {c.sql_type}" for c in ds.columns)
        conn.execute(f"CREATE TABLE {identifier(name)} ({cols}, _import_id BIGINT, _ligne BIGINT)")
    conn.execute("CREATE TABLE imports (id BIGINT, jeu VARCHAR, fichier VARCHAR, date TIMESTAMP)")
    return conn


def _french_sql_error(exc: Exception, columns: Sequence[str] | None) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    m = re.search(r'Referenced column "?([^"\s]+)"? not found', str(exc))
    if m:
        hint = f" (colonnes : {', '.join(columns)})" if columns else ""
        return f"colonne « {m.group(1)} » inconnue{hint}"
    m = re.search(r'column "?([^"\s]+)"? must appear in the GROUP BY clause', str(exc))
    if m:
        return (f"l'expression doit être un agrégat (count(*), sum(…), median(…)…) : "
                f"la colonne « {m.group(1)} » est utilisée hors agrégat")
    m = re.search(r"Table with name (\S+) does not exist", str(exc))
    if m:
        return f"jeu de données « {m.group(1)} » inconnu"
    return f"erreur SQL : {text}"


def check_indicator(conn, catalogue: Catalogue, ind: Indicator, datasets: dict, detailed: bool = True) -> list[str]:
    """Problems of one indicator against the schema (empty tables in ``conn``), in French.

    ``detailed`` False: only the checks that need no query on the datasets (sources,
    dimensions, reserved names, composite formulas); True: also run each SQL field alone,
    to name the faulty field.
    """
    check = _IndicatorCheck(conn, ind, datasets, detailed)
    if not ind.is_composite:
        declared = {name: getattr(ind, name) for name in ("valeur", "numerateur", "denominateur", "effectif")
                    if getattr(ind, name) and not (ind.condition_numerateur and name == "valeur")}
        check.source(ind.source, ind.attribution, ind.filtre, declared, "", ind.condition_numerateur, ind.calculs)
    else:
        for m in ind.mesures:
            check.source(m.source, m.attribution, m.filtre, {"expression": m.expression}, f"mesures.{m.name}.",
                         calculs=m.calculs)
        check.composite_formulas()
    return check.problems


class _IndicatorCheck:
    """The checks of one indicator, collecting its problems (file, indicator, field, reason)."""

    def __init__(self, conn, ind: Indicator, datasets: dict, detailed: bool):
        self.conn, self.ind, self.datasets, self.detailed = conn, ind, datasets, detailed
        self.head = f"{ind.source_file} : indicateur {ind.id} : champ"
        self.problems: list[str] = []

    def run(self, sql: str, where: str, columns) -> bool:
        try:
            self.conn.execute(sql).fetchall()
            return True
        except duckdb.Error as exc:
            self.problems.append(f"{self.head} « {where} » : {_french_sql_error(exc, columns)}")
            return False

    def source(self, source: str, attribution: Attribution, filtre: str | None, fields: dict[str, str],
               prefix: str, condition: str | None = None, calculs: Sequence[tuple[str, str]] = ()) -> None:
        """The dataset, its columns and dimensions; in detail, each SQL field of the definition alone."""
        head, datasets = self.head, self.datasets
        if source not in datasets:
            self.problems.append(f"{head} « {prefix}source » : jeu de données « {source} » inconnu "
                                 f"(jeux : {', '.join(sorted(datasets))})")
            return
        columns = [c.name for c in datasets[source].columns]
        clash = [c for c in columns if c in PERIOD_COLUMNS]
        if clash:
            self.problems.append(f"{head} « {prefix}source » : la colonne « {clash[0]} » du jeu « {source} » "
                                 f"porte un nom réservé aux périodes")
            return
        for k, d in enumerate(self.ind.dimensions):
            if d not in columns:
                self.problems.append(f"{head} « dimensions[{k}] » : « {d} » n'est pas une colonne du jeu "
                                     f"« {source} » (colonnes : {', '.join(columns)})")
        if not self.detailed:
            return
        for name, expr in calculs:
            if not self.run(f"SELECT ({expr}) FROM {identifier(source)}", f"{prefix}calculs.{name}", columns):
                return
        columns = [*columns, *(name for name, _ in calculs)]
        ctx = f"WITH {periods_cte(_PROBE)}, _lignes AS ({joined_sql(source, attribution, _PROBE, calculs)}) "
        if not self.run(f"{ctx} SELECT count(*) FROM _lignes", f"{prefix}periode", columns):
            return
        if filtre and not self.run(f"{ctx} SELECT count(*) FROM _lignes WHERE ({filtre})", f"{prefix}filtre", columns):
            return
        if condition and not self.run(f"{ctx} SELECT count(*) FROM _lignes WHERE ({condition})",
                                      f"{prefix}condition_numerateur", columns):
            return
        for name, expr in fields.items():
            self.run(f"{ctx} SELECT CAST(({expr}) AS DOUBLE) FROM _lignes GROUP BY _periode", f"{prefix}{name}",
                     columns)

    def composite_formulas(self) -> None:
        """A composite's formulas on a two-row table of its names: known names, no aggregate."""
        ind, head = self.ind, self.head
        names = [m.name for m in ind.mesures] + list(ind.references)
        cols = ", ".join(identifier(n) for n in names) or "_vide"
        dummy = f"(VALUES {', '.join('(' + ', '.join(['1.0'] * max(len(names), 1)) + ')' for _ in range(2))}) t({cols})"
        no_aggregate = ("un indicateur composé combine ses mesures et références ligne à ligne : "
                        "pas d'agrégat ici (les agrégats vont dans les mesures)")
        for field_name, expr in ind.composite_expressions().items():
            try:
                n = len(self.conn.execute(f"SELECT CAST(({composite_sql(expr)}) AS DOUBLE) FROM {dummy}").fetchall())
                if n != 2:
                    self.problems.append(f"{head} « {field_name} » : {no_aggregate}")
            except duckdb.Error as exc:
                if "GROUP BY" in str(exc):
                    self.problems.append(f"{head} « {field_name} » : {no_aggregate}")
                    continue
                self.problems.append(f"{head} « {field_name} » : "
                                     f"{_french_sql_error(exc, names)} (noms utilisables : "
                                     f"{', '.join(m.name for m in ind.mesures) or '–'}, ou [ID] d'un indicateur)")


def probe_compute(conn, catalogue: Catalogue, ids: Sequence[str]) -> str | None:
    """Run the whole engine path for ``ids`` on (empty) tables: None if fine, else the error in French."""
    try:
        compute(conn, catalogue, _PROBE, indicator_ids=ids, workers=1)
        return None
    except (duckdb.Error, EngineError, ValueError) as exc:
        return _french_sql_error(exc, None)
