"""Shared fixtures: a demo base built once per test run, copied for each test that needs one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.startup import load_demo, open_store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def demo_base_template(tmp_path_factory) -> Path:
    """A data folder holding the demo structure, imported once through the real pipeline."""
    folder = tmp_path_factory.mktemp("demo-base")
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(folder)})
    load_demo(open_store(settings), settings)
    return folder


@pytest.fixture
def demo_data_dir(demo_base_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo data folder (tests may write to it)."""
    target = tmp_path / "donnees"
    shutil.copytree(demo_base_template, target)
    return target


@pytest.fixture
def app_env(monkeypatch):
    """Point the app at a data folder and start from clean Streamlit caches."""
    import streamlit as st

    def use(folder: Path) -> None:
        monkeypatch.setenv("PILOTAGE_DONNEES", str(folder))
        monkeypatch.delenv("PILOTAGE_BASE", raising=False)
        st.cache_resource.clear()
        st.cache_data.clear()

    yield use
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def server(demo_data_dir: Path, tmp_path: Path):
    """The real app (`streamlit run app.py`) on a copy of the demo data; yields its URL."""
    from browser import running_app

    with running_app(demo_data_dir, tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture
def browser():
    """Debian's headless Chromium, driven by Playwright (never a downloaded browser)."""
    from browser import launched_chromium

    with launched_chromium() as launched:
        yield launched
