"""The runtime folder is private to the service's account: folders the product creates 0700, its
files 0600, a folder it did not create left as it was, a loosened folder warned about."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pilotage_qualite.cli import EXIT_OK, main
from pilotage_qualite.common.private_files import loosened_warning
from pilotage_qualite.common.settings import load_settings

INCIDENT = "Date,Site,Type d'événement\n14/03/2025,Vénissieux,menace\n"


@pytest.fixture(autouse=True)
def usual_umask():
    """A usual umask (022 gives 0755 folders and 0644 files): what the product must not rely on."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def import_one_file(tmp_path: Path, capsys, *base: str) -> None:
    source = tmp_path / "incidents.csv"
    source.write_text(INCIDENT, encoding="utf-8")
    assert main([*base, "importer", str(source)]) == EXIT_OK
    capsys.readouterr()


def test_a_fresh_runtime_folder_holds_only_private_folders_and_files(tmp_path, capsys, monkeypatch):
    data = tmp_path / "srv" / "pilotage"  # both levels created by the product
    monkeypatch.setenv("PILOTAGE_DONNEES", str(data))
    monkeypatch.delenv("PILOTAGE_BASE", raising=False)
    import_one_file(tmp_path, capsys)
    made = sorted(p.relative_to(tmp_path / "srv").as_posix() for p in (tmp_path / "srv").rglob("*"))
    # The base, the secret (staff names are pseudonymised on import) and the kept original.
    assert {"pilotage", "pilotage/pilotage.duckdb", "pilotage/secret.key", "pilotage/fichiers"} <= set(made)
    assert any(name.startswith("pilotage/fichiers/") for name in made)
    assert {name: mode(tmp_path / "srv" / name) for name in made} == {
        name: 0o700 if (tmp_path / "srv" / name).is_dir() else 0o600 for name in made}
    assert mode(tmp_path / "srv") == 0o700


def test_the_folder_of_a_chosen_base_keeps_its_mode_and_the_product_files_in_it_are_private(tmp_path, capsys):
    shared = tmp_path / "partage"
    shared.mkdir()
    shared.chmod(0o755)
    import_one_file(tmp_path, capsys, "--base", str(shared / "pilotage.duckdb"))
    assert mode(shared) == 0o755
    assert mode(shared / "pilotage.duckdb") == mode(shared / "secret.key") == 0o600
    assert mode(shared / "fichiers") == 0o700
    assert [mode(kept) for kept in (shared / "fichiers").iterdir()] == [0o600]


def test_someone_loosening_the_folder_is_warned_in_french(tmp_path, capsys):
    base = tmp_path / "donnees" / "pilotage.duckdb"
    import_one_file(tmp_path, capsys, "--base", str(base))
    settings = load_settings(database=base)
    assert loosened_warning(settings) is None
    (tmp_path / "donnees" / "fichiers").chmod(0o755)
    base.chmod(0o644)
    warning = loosened_warning(settings)
    assert f"« {tmp_path / 'donnees' / 'fichiers'} » (droits 755)" in warning
    assert f"« {base} » (droits 644)" in warning and "chmod 700" in warning
    # The command line says it on stderr, and still does its work.
    assert main(["--base", str(base), "imports"]) == EXIT_OK
    assert "Attention : Dossier d'exécution trop ouvert" in capsys.readouterr().err
