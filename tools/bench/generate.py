"""Inputs of the benchmark: a large structure in a DuckDB base, and a large untidy xlsx export.

Everything is deterministic (seeded) and cached under ``tools/bench/cache/`` (git-ignored), keyed
by the scale, the seed, the DuckDB version, this file and the dataset declarations: a change
to any of them generates the inputs again.

The base is written directly with DuckDB SQL, not through the import pipeline: every dataset
is one ``INSERT … SELECT … FROM range(n)`` into ``historique_<jeu>`` whose values are
hash-based pseudo-random functions of the row number and the seed (``hash(i, 'column', seed)``),
plus one synthetic entry per dataset in the ``imports`` journal, so that the live views the
engine reads show the rows. The schema itself comes from :class:`Store` (``initialise``). The
rows are valid per the declarations: listed values come from the YAML files, required columns
are filled, numbers respect their bounds, keys are unique, and every date falls within the five
years ending in October 2026 (:func:`check_base` verifies all of it after generation).

The xlsx is an activity export as a real tool writes it: title lines above the header on row 4,
alias headers (« Date de l'intervention », « Équipe », « Type d'intervention »…), synonyms in
listed values, Excel date cells, some dates typed as text (« 14/03/2025 »), some durations
typed with a decimal comma (« 45,0 »), « Oui »/« Non », five extra columns the import ignores,
shared strings and a style sheet (written directly as SpreadsheetML: openpyxl would take
minutes for 1.5 million cells).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import random
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from xml.sax.saxutils import escape

# Light imports only: the benchmark's parent process imports this module and must stay small,
# because a child's peak RSS (os.wait4) counts the parent's memory at fork time. DuckDB and the
# store are imported where the base is built, in a child process (``python -m tools.bench.generate``).
from pilotage_qualite.common.settings import DATASETS_DIR, load_settings
from pilotage_qualite.model.datasets import Dataset, load_datasets

SEED = 60600
GENERATOR_VERSION = 1
START = date(2021, 11, 1)  # five years ending with October 2026
END = date(2026, 11, 1)  # excluded
LAST_DAY = END - timedelta(days=1)
N_DAYS = (END - START).days
STRUCTURE = "Association Médiation Rhône-Loire"
SITES = ("Lyon 8e", "Lyon 9e", "Saint-Étienne", "Villeurbanne", "Vénissieux", "Vaulx-en-Velin",
         "Bron", "Rillieux-la-Pape", "Givors", "Roanne")
FULL_ROWS = {"activite": 1_000_000}  # every other dataset: OTHER_ROWS
OTHER_ROWS = 100_000
XLSX_ROWS = 100_000
CACHE_DIR = Path(__file__).resolve().parent / "cache"

QUARTIERS = ("Centre", "Gare", "Les Tilleuls", "Le Plateau", "Les Minguettes", "Mas du Taureau",
             "Grand Clément", "La Duchère", "Montchat", "Bel Air", "Les Essarts", "Terraillon")
PUBLICS = ("Habitants", "Jeunes", "Locataires", "Familles", "Commerçants", "Personnes âgées",
           "Usagers des transports")
PARTENAIRES = ("CCAS", "Bailleur social", "Centre social", "Mission locale", "Police municipale",
               "Service propreté", "Maison de la justice et du droit", "Club de prévention")
CANALS = ("Téléphone", "Courriel", "Partenaire", "Accueil", "Courrier")
DEMANDEURS = ("Habitant", "Bailleur", "Partenaire", "Collectivité", "Commerçant")
OBJETS = ("Conflit de voisinage", "Nuisances sonores", "Occupation de hall", "Dépôts sauvages",
          "Demande d'information", "Tranquillité publique", "Accès aux droits", "Dégradations")
MOTIFS = ("Comportement d'un médiateur", "Absence d'intervention", "Délai de réponse",
          "Information erronée", "Nuisances non traitées", "Rendez-vous manqué", "Autre")
GRAVITES_TEXTE = ("faible", "moyenne", "élevée")
PROCESSUS = ("Accueil", "Intervention", "Réclamations", "Ressources humaines", "Documentation",
             "Pilotage", "Partenariats", "Sécurité")
INTITULES_FORMATION = ("Gestion des conflits", "Posture professionnelle", "Premiers secours",
                       "Écoute active", "Accès aux droits", "Analyse de pratiques", "Sécurité au travail",
                       "Outils numériques")
CONTRATS = ("CDI", "CDD", "Adulte-relais", "Contrat aidé")

# Spellings of the registre values in the untidy export (value -> how people write it).
REGISTRE_SPELLINGS = {
    "présence active de proximité": ("Présence active de proximité", "PAP", "Présence active",
                                     "présence active", "Présence de proximité"),
    "gestion de conflit": ("Gestion de conflit", "Gestion des conflits", "Médiation de conflit", "Conflit"),
    "veille sociale et technique": ("Veille sociale et technique", "Veille technique", "Veille sociale",
                                    "VEILLE"),
    "mise en relation": ("Mise en relation", "Orientation", "Mise en relation partenaire"),
    "information et sensibilisation": ("Information et sensibilisation", "Information", "Sensibilisation"),
    "accompagnement": ("Accompagnement",),
    "concertation": ("Concertation",),
}


# --- sizes and cache ---------------------------------------------------------------------------


def rows_for(scale: float) -> dict[str, int]:
    """Rows per dataset at a scale (1 = 1,000,000 activite rows and 100,000 in each other one)."""
    names = load_datasets().keys()
    return {name: max(1, round(FULL_ROWS.get(name, OTHER_ROWS) * scale)) for name in names}


def xlsx_rows_for(scale: float) -> int:
    return max(10, round(XLSX_ROWS * min(scale, 1.0)))


def cache_key(scale: float, seed: int) -> str:
    """Changes whenever the generated inputs could change."""
    digest = hashlib.sha256()
    digest.update(Path(__file__).read_bytes())
    for path in sorted(DATASETS_DIR.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(metadata.version("duckdb").encode())
    digest.update(f"{GENERATOR_VERSION}:{scale!r}:{seed}".encode())
    return f"s{scale:g}-seed{seed}-{digest.hexdigest()[:12]}"


@dataclass
class Inputs:
    folder: Path
    large_base: Path
    small_base: Path
    xlsx: Path
    rows_large: dict[str, int]
    rows_small: dict[str, int]
    xlsx_rows: int
    cached: bool
    generation_s: dict[str, float]


def _cached(folder: Path, cached: bool) -> Inputs | None:
    done = folder / "inputs.json"
    if not done.exists():
        return None
    info = json.loads(done.read_text(encoding="utf-8"))
    return Inputs(folder, folder / "large" / "base.duckdb", folder / "small" / "base.duckdb",
                  folder / "activite_export.xlsx", info["rows_large"], info["rows_small"],
                  info["xlsx_rows"], cached, info["generation_s"])


def ensure_inputs(scale: float = 1.0, seed: int = SEED, cache_dir: Path = CACHE_DIR) -> Inputs:
    """The benchmark's inputs, generated once per cache key (in a child process) and reused."""
    folder = Path(cache_dir) / cache_key(scale, seed)
    found = _cached(folder, cached=True)
    if found is not None:
        return found
    subprocess.run([sys.executable, "-m", "tools.bench.generate", "--scale", repr(scale), "--seed", str(seed),
                    "--cache", str(cache_dir)], check=True, cwd=Path(__file__).resolve().parents[2])
    found = _cached(folder, cached=False)
    if found is None:
        raise RuntimeError(f"generation did not complete in {folder}")
    return found


def generate(scale: float, seed: int, cache_dir: Path, log=print) -> Path:
    """Generate the inputs of one cache key (what ``python -m tools.bench.generate`` runs)."""
    folder = Path(cache_dir) / cache_key(scale, seed)
    done = folder / "inputs.json"
    prefix = folder.name.rsplit("-", 1)[0] + "-"
    for stale in Path(cache_dir).glob(prefix + "*"):  # same scale and seed, older generator or schema
        if stale != folder and stale.is_dir():
            shutil.rmtree(stale)
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted generation
    folder.mkdir(parents=True)
    timings = {}
    rows_large, rows_small = rows_for(scale), rows_for(scale / 10)
    for label, rows in (("large", rows_large), ("small", rows_small)):
        log(f"  generating the {label} base ({rows['activite']:,} activite rows)…")
        start = time.perf_counter()
        build_base(folder / label / "base.duckdb", rows, seed)
        timings[f"base_{label}"] = round(time.perf_counter() - start, 2)
    n_xlsx = xlsx_rows_for(scale)
    log(f"  generating the xlsx export ({n_xlsx:,} rows × {len(XLSX_HEADER)} columns)…")
    start = time.perf_counter()
    write_activite_xlsx(folder / "activite_export.xlsx", n_xlsx, seed)
    timings["xlsx"] = round(time.perf_counter() - start, 2)
    done.write_text(json.dumps({"rows_large": rows_large, "rows_small": rows_small, "xlsx_rows": n_xlsx,
                                "generation_s": timings}, indent=2), encoding="utf-8")
    return folder


# --- SQL value helpers ------------------------------------------------------------------------


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Gen:
    """SQL expressions of deterministic pseudo-random values of the row number ``i``."""

    def __init__(self, seed: int, stream: str):
        self.seed = seed
        self.stream = stream  # the dataset: its values are independent of the other datasets'

    def u(self, salt: str) -> str:
        """Uniform in [0, 1)."""
        return f"((hash(i, {_lit(self.stream + '.' + salt)}, {self.seed}) % 1000003)::DOUBLE / 1000003)"

    def int(self, salt: str, lo: int, hi: int) -> str:
        """Uniform integer in [lo, hi]."""
        return f"({lo} + CAST(floor({self.u(salt)} * {hi - lo + 1}) AS INTEGER))"

    def pick(self, salt: str, values, weights=None) -> str:
        """One of ``values``; with integer ``weights``, each value is repeated that many times."""
        values = list(values)
        if weights is not None and len(weights) == len(values):
            values = [v for v, w in zip(values, weights) for _ in range(w)]
        items = ", ".join(_lit(v) for v in values)
        return f"([{items}][1 + CAST(floor({self.u(salt)} * {len(values)}) AS INTEGER)])"

    def chance(self, salt: str, p: float) -> str:
        return f"({self.u(salt)} < {p})"

    def day(self, salt: str) -> str:
        """A day of the five-year window; activity grows a little over time (sqrt)."""
        return f"(DATE '{START}' + CAST(floor(sqrt({self.u(salt)}) * {N_DAYS}) AS INTEGER))"

    def after(self, base: str, salt: str, mean_days: float, cap: int = 720) -> str:
        """A day after ``base``: exponential delay of the given mean (capped)."""
        delay = f"least({cap}, CAST(floor(-ln(1 - {self.u(salt)}) * {mean_days}) AS INTEGER))"
        return f"({base} + {delay})"

    def site(self, salt: str = "site") -> str:
        # Larger teams first: weights 10, 9 … 1.
        return self.pick(salt, SITES, list(range(len(SITES), 0, -1)))


def _in_window(expr: str) -> str:
    """NULL when a derived date falls after the window (not happened yet)."""
    return f"(CASE WHEN ({expr}) <= DATE '{LAST_DAY}' THEN ({expr}) END)"


def _choices(datasets: dict[str, Dataset], dataset: str, column: str) -> list[str]:
    return [c.value for c in datasets[dataset].column(column).choices]


def _staff_code(expr: str) -> str:
    """A pseudonym like the import's (« S- » + 10 hex digits), a bijection of the number."""
    return f"('S-' || printf('%010X', ({expr}) * 42470972311 % 1099511627776))"


# --- dataset SQL ------------------------------------------------------------------------------


def _dataset_sql(name: str, n: int, rows: dict[str, int], seed: int, ds: dict[str, Dataset]) -> str:
    """SELECT i, <declared columns> FROM range(n): the generated rows of one dataset."""
    g = _Gen(seed, name)
    q = lambda col: _choices(ds, name, col)  # noqa: E731
    if name == "activite":
        registres = q("registre")
        base = f"""
            SELECT i, {g.day('date')} AS date, {g.site()} AS site,
                   {g.pick('registre', registres, [34, 14, 16, 10, 14, 8, 4])} AS registre,
                   {g.pick('quartier', QUARTIERS)} AS quartier, {g.pick('public', PUBLICS)} AS public,
                   1 + CAST(floor(pow({g.u('personnes')}, 3) * 14) AS BIGINT) AS nb_personnes,
                   5 * {g.int('duree', 2, 24)} AS duree_min, {g.u('orientation')} AS _o
            FROM range({n}) t(i)"""
        return f"""
            SELECT i, date, site, registre, quartier, public, nb_personnes, duree_min,
                   (registre = 'mise en relation' OR _o < 0.07) AS orientation,
                   CASE WHEN registre = 'mise en relation' OR _o < 0.07 THEN {g.pick('partenaire', PARTENAIRES)} END
                       AS partenaire
            FROM ({base})"""
    if name == "presence":
        return f"""
            SELECT i, date, site, heures_planifiees,
                   round(heures_planifiees * (0.78 + 0.27 * {g.u('realise')}) * 4) / 4 AS heures_realisees
            FROM (SELECT i, {g.day('date')} AS date, {g.site()} AS site,
                         {g.int('planifie', 14, 30)} / 4.0 AS heures_planifiees FROM range({n}) t(i))"""
    if name == "demandes":
        return f"""
            SELECT *, CASE WHEN date_cloture IS NOT NULL THEN 'clôturée' WHEN date_prise_en_charge IS NOT NULL
                           THEN 'en cours' ELSE 'reçue' END AS statut FROM (
            SELECT i, 'D-' || lpad(CAST(i + 1 AS VARCHAR), 7, '0') AS numero, date_reception, site,
                   {g.pick('canal', CANALS)} AS canal, {g.pick('demandeur', DEMANDEURS)} AS demandeur,
                   {g.pick('objet', OBJETS)} AS objet,
                   {_in_window(g.after('date_reception', 'pec', 2, 30))} AS date_prise_en_charge,
                   CASE WHEN NOT {g.chance('ouverte', 0.06)} THEN {_in_window(g.after('date_reception', 'cloture', 14))}
                   END AS date_cloture
            FROM (SELECT i, {g.day('date')} AS date_reception, {g.site()} AS site FROM range({n}) t(i)))"""
    if name == "reclamations":
        return f"""
            SELECT i, numero, date_reception, site, origine, canal, motif, gravite, date_accuse_reception,
                   date_reponse, CASE WHEN date_reponse IS NOT NULL THEN {_in_window(g.after('date_reponse', 'cloture', 6, 60))}
                   END AS date_cloture, fondee, action
            FROM (SELECT i, 'R-' || lpad(CAST(i + 1 AS VARCHAR), 7, '0') AS numero, date_reception, site,
                         {g.pick('origine', q('origine'), [60, 25, 10, 5])} AS origine, {g.pick('canal', CANALS)} AS canal,
                         {g.pick('motif', MOTIFS)} AS motif, {g.pick('gravite', GRAVITES_TEXTE, [60, 30, 10])} AS gravite,
                         CASE WHEN NOT {g.chance('sans_ar', 0.05)} THEN {_in_window(g.after('date_reception', 'ar', 1.5, 20))}
                         END AS date_accuse_reception,
                         CASE WHEN NOT {g.chance('sans_reponse', 0.07)} THEN {_in_window(g.after('date_reception', 'reponse', 11))}
                         END AS date_reponse,
                         {g.chance('fondee', 0.4)} AS fondee,
                         CASE WHEN {g.chance('action', 0.15)} THEN 'PA-' || lpad(CAST({g.int('num_action', 1, rows['actions'])} AS VARCHAR), 6, '0')
                         END AS action
                  FROM (SELECT i, {g.day('date')} AS date_reception, {g.site()} AS site FROM range({n}) t(i)))"""
    if name == "satisfaction":
        return f"""
            SELECT i, {g.day('date')} AS date, {g.pick('public', q('public'), [80, 20])} AS public, {g.site()} AS site,
                   CAST(CASE WHEN {g.chance('sans_avis', 0.05)} THEN NULL
                             ELSE 1 + floor(pow({g.u('note')}, 0.55) * 4) END AS TINYINT) AS satisfaction_globale
            FROM range({n}) t(i)"""
    if name == "incidents":
        types = q("type")
        return f"""
            SELECT i, {g.day('date')} AS date, {g.site()} AS site,
                   {g.pick('type', types, [45, 8, 15, 10, 12, 10])} AS type,
                   {g.pick('gravite', ['1', '2', '3', '4'], [50, 30, 15, 5])}::BIGINT AS gravite,
                   CASE WHEN {g.chance('arret', 0.1)} THEN {g.int('jours', 1, 30)} ELSE 0 END AS jours_arret,
                   CASE WHEN {g.chance('action', 0.1)} THEN 'PA-' || lpad(CAST({g.int('num_action', 1, rows['actions'])} AS VARCHAR), 6, '0')
                   END AS action
            FROM range({n}) t(i)"""
    if name == "audits":
        constats = q("constat")
        return f"""
            SELECT i, audit, type_audit, date, processus, constat, description,
                   CASE WHEN constat LIKE 'non-conformité%' AND NOT {g.chance('non_levee', 0.12)}
                        THEN {_in_window(g.after('date', 'levee', 70))} END AS date_levee, action
            FROM (SELECT i, 'AUD-' || lpad(CAST(i // 25 + 1 AS VARCHAR), 5, '0') AS audit,
                         {g.pick('type_audit', q('type_audit'), [70, 10, 10, 10])} AS type_audit,
                         {g.day('date')} AS date, {g.pick('processus', PROCESSUS)} AS processus,
                         {g.pick('constat', constats, [5, 25, 25, 30, 15])} AS constat,
                         'Constat n° ' || CAST(i + 1 AS VARCHAR) AS description,
                         CASE WHEN {g.chance('action', 0.3)} THEN 'PA-' || lpad(CAST({g.int('num_action', 1, rows['actions'])} AS VARCHAR), 6, '0')
                         END AS action
                  FROM range({n}) t(i))"""
    if name == "actions":
        efficacites = q("efficacite")
        return f"""
            SELECT i, numero, intitule, origine, site, pilote, date_ouverture, echeance, date_realisation,
                   CASE WHEN date_realisation IS NOT NULL THEN 'réalisée'
                        WHEN {g.chance('abandon', 0.05)} THEN 'abandonnée'
                        WHEN {g.chance('en_cours', 0.6)} THEN 'en cours' ELSE 'à faire' END AS statut,
                   CASE WHEN date_realisation IS NOT NULL AND NOT {g.chance('non_evaluee', 0.3)}
                        THEN {g.pick('efficacite', efficacites, [70, 15, 15])} END AS efficacite
            FROM (SELECT i, 'PA-' || lpad(CAST(i + 1 AS VARCHAR), 6, '0') AS numero,
                         'Action d''amélioration n° ' || CAST(i + 1 AS VARCHAR) AS intitule,
                         {g.pick('origine', q('origine'), [30, 25, 15, 15, 10, 5])} AS origine,
                         {g.site()} AS site, {g.pick('pilote', ['Responsable qualité', 'Coordinateur', 'Direction'])} AS pilote,
                         date_ouverture, least(date_ouverture + {g.int('delai', 30, 180)}, DATE '{LAST_DAY}') AS echeance,
                         CASE WHEN NOT {g.chance('pas_realisee', 0.2)} THEN {_in_window(g.after('date_ouverture', 'realisation', 80))}
                         END AS date_realisation
                  FROM (SELECT i, {g.day('ouverture')} AS date_ouverture FROM range({n}) t(i)))"""
    if name == "effectifs":
        return f"""
            SELECT i, {_staff_code('i + 1')} AS salarie,
                   {g.pick('fonction', q('fonction'), [75, 12, 13])} AS fonction, {g.site()} AS site,
                   date_entree,
                   CASE WHEN NOT {g.chance('present', 0.45)} THEN {_in_window(g.after('date_entree', 'sortie', 500, 1800))}
                   END AS date_sortie,
                   {g.pick('contrat', CONTRATS, [50, 25, 20, 5])} AS contrat,
                   {g.pick('etp', ['1', '0.8', '0.5'], [75, 15, 10])}::DOUBLE AS etp,
                   {g.chance('certifie', 0.55)} AS certifie,
                   CASE WHEN NOT {g.chance('integration', 0.12)} THEN {_in_window(g.after('date_entree', 'fin_integration', 60, 200))}
                   END AS date_fin_integration
            FROM (SELECT i, {g.day('entree')} AS date_entree FROM range({n}) t(i))"""
    if name == "formations":
        return f"""
            SELECT i, {_staff_code(g.int('salarie', 1, rows['effectifs']))} AS salarie, {g.day('date')} AS date,
                   {g.pick('intitule', INTITULES_FORMATION)} AS intitule, {g.pick('type', q('type'))} AS type,
                   {g.int('heures', 2, 28)} / 2.0 AS heures,
                   {g.pick('statut', q('statut'), [85, 10, 5])} AS statut
            FROM range({n}) t(i)"""
    if name == "documents":
        return f"""
            SELECT i, code, titre, version, date_revision,
                   CASE WHEN NOT {g.chance('sans_prochaine', 0.3)}
                        THEN least(CAST(date_revision + INTERVAL 24 MONTH AS DATE), DATE '{LAST_DAY}') END
                        AS date_prochaine_revision,
                   {g.pick('statut', q('statut'), [85, 8, 7])} AS statut
            FROM (SELECT i, 'DOC-' || lpad(CAST(i + 1 AS VARCHAR), 6, '0') AS code,
                         'Procédure n° ' || CAST(i + 1 AS VARCHAR) AS titre,
                         'v' || CAST({g.int('version', 1, 6)} AS VARCHAR) AS version,
                         {g.day('revision')} AS date_revision FROM range({n}) t(i))"""
    raise ValueError(f"jeu de données sans générateur : {name}")


def build_base(path: Path, rows: dict[str, int], seed: int = SEED) -> None:
    """A base with ``rows[name]`` live rows in each dataset (schema by the Store)."""
    from pilotage_qualite.startup import open_store
    from pilotage_qualite.store.database import APPLIED, history_table

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    store = open_store(load_settings(environ={}, database=path))
    datasets = store.datasets
    stamp = datetime(2026, 11, 3, 8, 12)
    with store.transaction() as conn:
        for import_id, (name, dataset) in enumerate(datasets.items(), start=1):
            n = rows[name]
            select = _dataset_sql(name, n, rows, seed, datasets)
            generated = {d[0] for d in conn.execute(f"SELECT * FROM ({select}) LIMIT 0").description}
            missing = [c.name for c in dataset.columns if c.name not in generated]
            if any(dataset.column(c).required for c in missing):
                raise ValueError(f"{name} : colonnes requises sans générateur : {', '.join(missing)}")
            # A column declared since this generator was written (optional): left empty.
            values = ", ".join(f'"{c.name}"' if c.name in generated else "NULL" for c in dataset.columns)
            quoted = ", ".join(f'"{c.name}"' for c in dataset.columns)
            conn.execute(f"INSERT INTO {history_table(name)} ({quoted}, _import_id, _ligne, _remplace_par) "
                         f"SELECT {values}, {import_id}, i + 5, NULL FROM ({select})")
            conn.execute(
                "INSERT INTO imports (id, jeu, fichier, empreinte, taille, feuille, ligne_entete, utilisateur, date, "
                "lignes_lues, lignes_ajoutees, lignes_remplacees, lignes_rejetees, colonnes_ignorees, "
                "colonnes_personnelles, etat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [import_id, name, f"banc_{name}.xlsx", hashlib.sha256(f"{name}:{n}:{seed}".encode()).hexdigest(),
                 0, "Feuil1", 4, "banc d'essai", stamp, n, n, 0, 0, "[]", "[]", APPLIED])
            _record_coverage(conn, dataset, import_id, stamp.date())
    check_base(path, rows)


def _record_coverage(conn, dataset, import_id: int, extracted_on) -> None:
    """What the synthetic import covers, by the import's own rule (registers extracted on the stamp's day)."""
    from pilotage_qualite.model.coverage import default_span
    from pilotage_qualite.store.database import BY_RULE, history_table

    bounds = ", ".join(f'min("{d}"), max("{d}")' for d in dataset.event_dates)
    days = conn.execute(f"SELECT {bounds} FROM {history_table(dataset.name)} WHERE _import_id = ?",
                        [import_id]).fetchone()
    span = default_span(dataset.coverage_mode, days, extraction=extracted_on, imported_on=extracted_on)
    if span is not None:
        conn.execute("INSERT INTO couvertures VALUES (?, ?, ?, ?, NULL, ?)",
                     [import_id, dataset.name, span.first_day, span.last_day, BY_RULE])


def check_base(path: Path, rows: dict[str, int]) -> None:
    """The generated rows are valid per the declarations (raises AssertionError otherwise)."""
    import duckdb

    datasets = load_datasets()
    problems = []
    with duckdb.connect(str(path)) as conn:
        for name, dataset in datasets.items():
            checks = {"lignes": f"count(*) <> {rows[name]}"}
            for col in dataset.columns:
                c = f'"{col.name}"'
                if col.required and col.type != "likert":
                    checks[f"{col.name} requis"] = f"count(*) FILTER (WHERE {c} IS NULL) > 0"
                if col.type == "choix":
                    listed = ", ".join(_lit(ch.value) for ch in col.choices)
                    checks[f"{col.name} hors liste"] = f"count(*) FILTER (WHERE {c} NOT IN ({listed})) > 0"
                if col.type == "date":
                    checks[f"{col.name} hors fenêtre"] = (
                        f"count(*) FILTER (WHERE {c} < DATE '{START}' OR {c} > DATE '{LAST_DAY}') > 0")
                if col.type in ("entier", "decimal"):
                    if col.minimum is not None:
                        checks[f"{col.name} < min"] = f"count(*) FILTER (WHERE {c} < {col.minimum}) > 0"
                    if col.maximum is not None:
                        checks[f"{col.name} > max"] = f"count(*) FILTER (WHERE {c} > {col.maximum}) > 0"
                if col.type == "likert":
                    checks[f"{col.name} hors 1-4"] = f"count(*) FILTER (WHERE {c} NOT BETWEEN 1 AND 4) > 0"
            if dataset.key:
                keys = ", ".join(f'"{k}"' for k in dataset.key)
                checks["clé en double"] = f"count(DISTINCT ({keys})) <> count(*)"
            select = ", ".join(f"{sql} AS c{k}" for k, sql in enumerate(checks.values()))
            found = conn.execute(f"SELECT {select} FROM {name}").fetchall()[0]
            problems += [f"{name} : {label}" for label, bad in zip(checks, found) if bad]
    if problems:
        raise AssertionError("base de banc d'essai invalide : " + "; ".join(problems))


# --- the untidy xlsx -------------------------------------------------------------------------

XLSX_HEADER = ("Date de l'intervention", "Heure", "Équipe", "Type d'intervention", "Quartier", "Public",
               "Nb personnes rencontrées", "Durée (min)", "Orientation partenaire", "Partenaire",
               "N° fiche", "Saisie le", "Distance (km)", "Commentaire", "Véhicule")
_EXCEL_EPOCH = date(1899, 12, 30)


def _col_letter(index: int) -> str:
    letters, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


class _SharedStrings:
    def __init__(self):
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, text: str) -> int:
        self.count += 1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in self.index)
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                f'count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>')


def _activite_rows(n: int, seed: int):
    """The export's rows as Python values: str, int, float, date, datetime or None."""
    rng = random.Random(seed)
    spellings = list(REGISTRE_SPELLINGS.items())
    weights = [34, 14, 16, 10, 14, 8, 4]
    for k in range(n):
        day = START + timedelta(days=int(math.sqrt(rng.random()) * N_DAYS))
        site = SITES[min(len(SITES) - 1, int(rng.random() ** 1.3 * len(SITES)))]
        value, written = rng.choices(spellings, weights)[0]
        registre = rng.choice(written)
        if rng.random() < 0.0003:
            registre = "Maraude"  # outside the list: rejected, as in real exports
        orientation = value == "mise en relation" or rng.random() < 0.07
        minutes = 5 * rng.randint(2, 24)
        if rng.random() < 0.04:
            date_cell = day.strftime("%d/%m/%Y")  # typed as text
        else:
            date_cell = day
        duration = f"{minutes},0" if rng.random() < 0.1 else minutes  # decimal comma, as text
        distance = rng.randint(0, 80) / 10
        yield (date_cell, f"{rng.randint(9, 20):02d}:{rng.choice((0, 15, 30, 45)):02d}", site, registre,
               rng.choice(QUARTIERS), rng.choice(PUBLICS), 1 + int(rng.random() ** 3 * 14), duration,
               "Oui" if orientation else "Non", rng.choice(PARTENAIRES) if orientation else None,
               f"INT-{k + 1:07d}", datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.randint(17, 21)),
               f"{distance:.1f}".replace(".", ",") if rng.random() < 0.5 else distance,
               "RAS" if rng.random() < 0.05 else None,
               "Oui" if rng.random() < 0.3 else "Non")


def write_activite_xlsx(path: Path, n: int, seed: int = SEED) -> None:
    """An untidy activity export of ``n`` data rows × 15 columns (see the module docstring)."""
    strings = _SharedStrings()
    width = len(XLSX_HEADER)
    last_col = _col_letter(width - 1)
    letters = [_col_letter(j) for j in range(width)]
    out = io.StringIO()
    write = out.write

    def string_cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="s"><v>{strings(text)}</v></c>'

    def row_xml(r: int, values) -> str:
        cells = []
        for j, v in enumerate(values):
            if v is None:
                continue
            ref = f"{letters[j]}{r}"
            if isinstance(v, str):
                cells.append(string_cell(ref, v))
            elif isinstance(v, datetime):
                serial = (v - datetime(1899, 12, 30)).total_seconds() / 86400
                cells.append(f'<c r="{ref}" s="2"><v>{serial:.6f}</v></c>')
            elif isinstance(v, date):
                cells.append(f'<c r="{ref}" s="1"><v>{(v - _EXCEL_EPOCH).days}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{v!r}</v></c>')
        return f'<row r="{r}">{"".join(cells)}</row>'

    export_day = date(2026, 11, 3)
    write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          f'<dimension ref="A1:{last_col}{n + 4}"/><sheetViews><sheetView workbookViewId="0">'
          '<pane ySplit="4" topLeftCell="A5" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
          '<sheetFormatPr defaultRowHeight="15"/><sheetData>')
    write(f'<row r="1">{string_cell("A1", f"{STRUCTURE} — Export des interventions")}</row>')
    write(f'<row r="2">{string_cell("A2", f"Exporté le {export_day:%d/%m/%Y} à 08:12 — période du {START:%d/%m/%Y} au {LAST_DAY:%d/%m/%Y}")}</row>')
    write('<row r="4">' + "".join(string_cell(f"{letters[j]}4", h) for j, h in enumerate(XLSX_HEADER)) + "</row>")
    for k, values in enumerate(_activite_rows(n, seed)):
        write(row_xml(k + 5, values))
    write(f'</sheetData><autoFilter ref="A4:{last_col}{n + 4}"/>'
          '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
    sheet = out.getvalue()

    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                '<sheets><sheet name="Interventions" sheetId="1" r:id="rId1"/></sheets>'
                f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
                f"Interventions!$A$4:${last_col}${n + 4}</definedName></definedNames></workbook>")
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'styles" Target="styles.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm"/></numFmts>'
              '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
              '<fills count="2"><fill><patternFill patternType="none"/></fill>'
              '<fill><patternFill patternType="gray125"/></fill></fills>'
              '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
              '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
              '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
              '</styleSheet>')
    stamp = (2026, 11, 3, 8, 12, 0)
    parts = [("[Content_Types].xml", content_types), ("_rels/.rels", rels), ("xl/workbook.xml", workbook),
             ("xl/_rels/workbook.xml.rels", workbook_rels), ("xl/styles.xml", styles),
             ("xl/sharedStrings.xml", strings.xml()), ("xl/worksheets/sheet1.xml", sheet)]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partiel")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, text.encode("utf-8"))
    partial.replace(path)


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tools.bench.generate", description="Generate the benchmark's inputs.")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--cache", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    folder = generate(args.scale, args.seed, args.cache, log=lambda m: print(m, flush=True))
    print(f"  inputs in {folder}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
