"""Where the runtime data live and the limits of an installation.

Everything can be set by environment variables so that a deployment, the tests and the
benchmark each use their own folder. Every setting is documented in the README
(a test checks it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO_DIR / "data" / "demo"
DEMO_STRUCTURE_FILE = DEMO_DIR / "structure.yaml"  # the fictional structure's name, for the pack's cover
DECLARATIONS_DIR = REPO_DIR / "declarations"  # everything declared as data: datasets and indicators
DATASETS_DIR = DECLARATIONS_DIR / "datasets"
INDICATORS_DIR = DECLARATIONS_DIR / "indicators"

# name -> (description, default) : the single list of settings, documented in the README.
ENVIRONMENT_VARIABLES = {
    "PILOTAGE_DONNEES": ("dossier des données d'exécution (base, fichiers conservés, secret)",
                         "data/local, ou le dossier de la base si elle est choisie"),
    "PILOTAGE_BASE": ("chemin du fichier de base DuckDB", "<PILOTAGE_DONNEES>/pilotage.duckdb"),
    "PILOTAGE_ATTENTE_BASE": ("secondes d'attente quand la base est occupée par un autre programme",
                              "30"),
    "PILOTAGE_TAILLE_MAX_MO": ("taille maximale d'un fichier importé, en Mo", "50"),
    "PILOTAGE_LIGNES_MAX": ("nombre maximal de lignes d'un fichier importé", "1000000"),
    "PILOTAGE_DECOMPRESSE_MAX_MO": ("taille maximale d'un classeur (xlsx, ods) une fois décompressé, en Mo",
                                    "20 × PILOTAGE_TAILLE_MAX_MO"),
    "PILOTAGE_LECTURE_MEMOIRE_MO": ("mémoire accordée au processus qui lit un fichier importé, en Mo", "2048"),
    "PILOTAGE_LECTURE_DELAI_S": ("durée maximale de lecture d'un fichier importé, en secondes", "120"),
    "PILOTAGE_STRUCTURE": ("nom de la structure, en couverture du dossier de comité",
                           "aucun (celui de la structure fictive avec les données de démonstration)"),
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database: Path
    busy_timeout_s: float
    max_upload_mb: int
    max_rows: int
    structure: str = ""
    max_uncompressed_mb: int = 1000
    read_memory_mb: int = 2048
    read_timeout_s: float = 120.0

    @property
    def kept_files_dir(self) -> Path:
        return self.data_dir / "fichiers"

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "secret.key"

    @property
    def checks_dir(self) -> Path:
        """Markers of start-up checks that passed (engine.schema_checks.check_against_schema)."""
        return self.data_dir / "verifications"


def load_settings(environ: dict[str, str] | None = None, database: str | Path | None = None) -> Settings:
    """Settings from the environment; `database` (the --base option) wins over it."""
    env = os.environ if environ is None else environ
    explicit_db = database or env.get("PILOTAGE_BASE")
    # A base chosen by path keeps its kept files and secret beside it unless told otherwise.
    default_dir = Path(explicit_db).resolve().parent if explicit_db else REPO_DIR / "data" / "local"
    data_dir = Path(env.get("PILOTAGE_DONNEES") or default_dir)
    db = Path(explicit_db or data_dir / "pilotage.duckdb")
    max_upload_mb = int(env.get("PILOTAGE_TAILLE_MAX_MO") or 50)
    return Settings(
        data_dir=data_dir,
        database=db,
        busy_timeout_s=float(env.get("PILOTAGE_ATTENTE_BASE") or 30),
        max_upload_mb=max_upload_mb,
        max_rows=int(env.get("PILOTAGE_LIGNES_MAX") or 1_000_000),
        structure=(env.get("PILOTAGE_STRUCTURE") or "").strip(),
        max_uncompressed_mb=int(env.get("PILOTAGE_DECOMPRESSE_MAX_MO") or 20 * max_upload_mb),
        read_memory_mb=int(env.get("PILOTAGE_LECTURE_MEMOIRE_MO") or 2048),
        read_timeout_s=float(env.get("PILOTAGE_LECTURE_DELAI_S") or 120),
    )
