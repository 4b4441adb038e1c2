"""Where the runtime data live and the limits of an installation.

Everything can be set by environment variables so that a deployment, the tests and the
benchmark each use their own folder. Every setting is documented in the README
(a test checks it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO_DIR / "data" / "demo"
INDICATORS_DIR = REPO_DIR / "indicators"

# name -> (description, default) : the single list of settings, documented in the README.
ENVIRONMENT_VARIABLES = {
    "PILOTAGE_DONNEES": ("dossier des données d'exécution (base, fichiers conservés, secret)",
                         "data/local, ou le dossier de la base si elle est choisie"),
    "PILOTAGE_BASE": ("chemin du fichier de base DuckDB", "<PILOTAGE_DONNEES>/pilotage.duckdb"),
    "PILOTAGE_ATTENTE_BASE": ("secondes d'attente quand la base est occupée par un autre programme",
                              "30"),
    "PILOTAGE_TAILLE_MAX_MO": ("taille maximale d'un fichier importé, en Mo", "50"),
    "PILOTAGE_LIGNES_MAX": ("nombre maximal de lignes d'un fichier importé", "1000000"),
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database: Path
    busy_timeout_s: float
    max_upload_mb: int
    max_rows: int

    @property
    def kept_files_dir(self) -> Path:
        return self.data_dir / "fichiers"

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "secret.key"


def load_settings(environ: dict[str, str] | None = None, database: str | Path | None = None) -> Settings:
    """Settings from the environment; `database` (the --base option) wins over it."""
    env = os.environ if environ is None else environ
    explicit_db = database or env.get("PILOTAGE_BASE")
    # A base chosen by path keeps its kept files and secret beside it unless told otherwise.
    default_dir = Path(explicit_db).resolve().parent if explicit_db else REPO_DIR / "data" / "local"
    data_dir = Path(env.get("PILOTAGE_DONNEES") or default_dir)
    db = Path(explicit_db or data_dir / "pilotage.duckdb")
    return Settings(
        data_dir=data_dir,
        database=db,
        busy_timeout_s=float(env.get("PILOTAGE_ATTENTE_BASE") or 30),
        max_upload_mb=int(env.get("PILOTAGE_TAILLE_MAX_MO") or 50),
        max_rows=int(env.get("PILOTAGE_LIGNES_MAX") or 1_000_000),
    )
