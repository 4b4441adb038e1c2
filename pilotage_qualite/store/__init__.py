"""The DuckDB store: append-only history with provenance, live views, import journal, what the app adds.

:class:`Store` is assembled from one class per concern, each in its module and each built on
:class:`~pilotage_qualite.store.database.Database` (the file, its connections and its version):

- :mod:`~pilotage_qualite.store.schema`: tables and live views from the declarations;
- :mod:`~pilotage_qualite.store.imports`: preview, apply and undo an import, the journal, kept files;
- :mod:`~pilotage_qualite.store.reading`: the datasets' live rows;
- :mod:`~pilotage_qualite.store.annotations`: comments, column mappings, targets, events, added indicators;
- :mod:`~pilotage_qualite.store.meetings`: committee meetings (a decision may open an action,
  written through the import path: meetings build on imports).

The store's errors and states (``StoreError``, ``DatabaseBusy``, ``APPLIED``…) live in
:mod:`~pilotage_qualite.store.database`; :func:`pilotage_qualite.startup.open_store` builds the
store of an installation.
"""

from pilotage_qualite.store.annotations import Annotations
from pilotage_qualite.store.imports import Imports
from pilotage_qualite.store.meetings import Meetings
from pilotage_qualite.store.reading import Reading
from pilotage_qualite.store.schema import Schema


class Store(Schema, Meetings, Imports, Reading, Annotations):
    """One installation's base: every operation of the concerns above, on one file."""


__all__ = ["Store"]
