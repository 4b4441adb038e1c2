"""Reading the datasets' live rows: the summary per dataset, the sites, the Données page's browser."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from pilotage_qualite.model.coverage import REGISTER, Coverage, CoveredSpan, RegisterHistory
from pilotage_qualite.model.datasets import Dataset
from pilotage_qualite.store.database import APPLIED, Database, StoreError, history_table, scalar


class Reading(Database):
    def live_rows(self, dataset: str) -> pd.DataFrame:
        self._declared(dataset)
        with self.connect() as conn:
            return conn.execute(f"SELECT * FROM {dataset} ORDER BY _import_id, _ligne").df()

    def data_summary(self) -> pd.DataFrame:
        """Per dataset: live rows, first and last reference date, last import (freshness)."""
        parts = []
        for dataset in self.datasets.values():
            ref = f'"{dataset.reference_date}"' if dataset.reference_date else "NULL"
            parts.append(f"""SELECT '{dataset.name}' AS jeu, count(*) AS lignes, min({ref}) AS premiere_date,
                                    max({ref}) AS derniere_date,
                                    (SELECT max(date) FROM imports WHERE jeu = '{dataset.name}'
                                       AND etat = '{APPLIED}') AS dernier_import
                             FROM {dataset.name}""")
        with self.connect() as conn:
            return conn.execute(" UNION ALL ".join(parts)).df()

    def coverage(self) -> Coverage:
        """The days each dataset's applied imports vouch for (an undone import's go with it)."""
        return self.per_version("coverage", self._read_coverage)

    def _read_coverage(self) -> Coverage:
        with self.connect() as conn:
            found = conn.execute(f"""SELECT c.jeu, c.du, c.au, c.sites FROM couvertures c
                                     JOIN imports i ON i.id = c.import_id
                                     WHERE i.etat = '{APPLIED}' ORDER BY c.jeu, c.du""").fetchall()
            extracted = conn.execute(f"""SELECT i.jeu, i.id, max(c.au) FROM imports i
                                         LEFT JOIN couvertures c ON c.import_id = i.id
                                         WHERE i.etat = '{APPLIED}' GROUP BY ALL ORDER BY i.jeu, i.id""").fetchall()
        spans: dict[str, list[CoveredSpan]] = {}
        for dataset, first, last, sites in found:
            spans.setdefault(dataset, []).append(CoveredSpan(first, last, tuple(json.loads(sites)) if sites else ()))
        return Coverage(spans, self.site_names(), self._register_histories(extracted))

    def _register_histories(self, extracted: list[tuple]) -> dict[str, RegisterHistory]:
        """Each register's applied imports with their extraction day (their last covered day), for
        the registers where one was recorded (without any, none of their values is covered)."""
        imports: dict[str, list[tuple[int, dt.date | None]]] = {}
        for dataset, import_id, extraction in extracted:
            imports.setdefault(dataset, []).append((int(import_id), extraction))
        return {name: RegisterHistory(history_table(name), tuple(found)) for name, found in imports.items()
                if name in self.datasets and self.datasets[name].coverage_mode == REGISTER
                and any(day is not None for _, day in found)}

    def coverage_journal(self) -> pd.DataFrame:
        """Each import's recorded coverage, for the journal (an import may have none)."""
        with self.connect() as conn:
            return conn.execute("SELECT import_id, du, au, sites, origine FROM couvertures ORDER BY import_id").df()

    def site_names(self) -> list[str]:
        """Every site found in the live rows of any dataset, sorted."""
        return list(self.per_version("sites", self._read_site_names))

    def _read_site_names(self) -> tuple[str, ...]:
        union = " UNION ".join(f"SELECT DISTINCT site FROM {d.name}" for d in self.datasets.values() if d.has_site)
        with self.connect() as conn:
            return tuple(row[0] for row in conn.execute(
                f"SELECT site FROM ({union}) WHERE site IS NOT NULL ORDER BY site").fetchall())

    def browse(self, dataset: str, *, site: str | None = None, date_from: dt.date | None = None,
               date_to: dt.date | None = None, limit: int = 1000) -> tuple[pd.DataFrame, int]:
        """Live rows of a dataset, newest first, with the file each came from; and how many match."""
        declared = self._declared(dataset)
        ref = f'd."{declared.reference_date}"' if declared.reference_date else None
        condition, params = _browse_filter(declared, ref, site, date_from, date_to)
        order = f"{ref} DESC NULLS LAST, " if ref else ""
        columns = ", ".join(f'd."{c}"' for c in declared.column_names)
        with self.connect() as conn:
            total = scalar(conn, f"SELECT count(*) FROM {dataset} d {condition}", params)
            rows = conn.execute(
                f"""SELECT {columns}, i.fichier AS fichier, d._ligne AS ligne, d._import_id AS import
                    FROM {dataset} d JOIN imports i ON i.id = d._import_id {condition}
                    ORDER BY {order}d._import_id DESC, d._ligne LIMIT {int(limit)}""", params).df()
        return rows, int(total)

    def monthly_counts(self, dataset: str) -> pd.DataFrame:
        """Live rows per site and month of the reference date (site NULL when the dataset has none)."""
        declared = self.datasets[dataset]
        if not declared.reference_date:
            return pd.DataFrame(columns=["site", "mois", "lignes"])
        site = "site" if declared.has_site else "NULL::VARCHAR"
        ref = f'"{declared.reference_date}"'
        with self.connect() as conn:
            return conn.execute(
                f"""SELECT {site} AS site, CAST(date_trunc('month', {ref}) AS DATE) AS mois, count(*) AS lignes
                    FROM {dataset} WHERE {ref} IS NOT NULL GROUP BY ALL ORDER BY site, mois""").df()

    def _declared(self, dataset: str) -> Dataset:
        """The declaration of a dataset named by the caller; a French refusal for an unknown name
        (the name goes into SQL: only declared names reach it)."""
        if dataset not in self.datasets:
            raise StoreError(f"Jeu de données inconnu : « {dataset} ».")
        return self.datasets[dataset]


def _browse_filter(declared: Dataset, ref: str | None, site: str | None, date_from: dt.date | None,
                   date_to: dt.date | None) -> tuple[str, list]:
    """The WHERE clause (empty when nothing is chosen) and its parameters of :meth:`Reading.browse`."""
    where, params = [], []
    if site is not None and declared.has_site:
        where.append("d.site = ?")
        params.append(site)
    if ref and date_from is not None:
        where.append(f"{ref} >= ?")
        params.append(date_from)
    if ref and date_to is not None:
        where.append(f"{ref} <= ?")
        params.append(date_to)
    return (f"WHERE {' AND '.join(where)}" if where else ""), params
