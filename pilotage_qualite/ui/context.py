"""The objects every page needs, built once per server process."""

from __future__ import annotations

import streamlit as st

from pilotage_qualite.declarations import load_datasets
from pilotage_qualite.settings import Settings, load_settings
from pilotage_qualite.store import Store


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The store, schema created or migrated once; it holds no open connection."""
    current = settings()
    created = Store(current.database, load_datasets(), kept_files_dir=current.kept_files_dir,
                    busy_timeout_s=current.busy_timeout_s)
    created.initialise()
    return created
