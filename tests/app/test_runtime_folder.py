"""The app's first start leaves a private runtime folder, and says on the page when someone
opened it to other accounts."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120


@pytest.fixture(autouse=True)
def usual_umask():
    """A usual umask (022 gives 0755 folders and 0644 files): what the product must not rely on."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def open_app() -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_a_first_start_loads_the_demo_into_a_folder_private_to_the_account(app_env, tmp_path):
    data = tmp_path / "donnees"
    app_env(data)
    open_app()
    made = [data, *data.rglob("*")]
    kept = list((data / "fichiers").iterdir())
    assert len(kept) == 11 and (data / "pilotage.duckdb").exists() and (data / "secret.key").exists()
    assert list((data / "verifications").iterdir())  # the catalogue's check, remembered
    too_open = {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in made
                if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)}
    assert too_open == {}


def test_a_loosened_folder_is_told_on_the_page(app_env, demo_data_dir):
    (demo_data_dir / "fichiers").chmod(0o755)
    app_env(demo_data_dir)
    app = open_app()
    warning = re.sub(r"\\(.)", r"\1", app.warning[0].value)
    assert warning.startswith("Dossier d'exécution trop ouvert : d'autres comptes que celui du service peuvent "
                              f"accéder à « {demo_data_dir / 'fichiers'} » (droits 755). ")
