"""Dataset declarations: the YAML files match the contract (datasets.md) and bad files fail clearly."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from spec import spec_text

from pilotage_qualite.common.settings import DATASETS_DIR
from pilotage_qualite.model.datasets import (
    COLUMN_TYPES,
    DeclarationError,
    load_dataset_file,
    load_datasets,
)

EXPECTED_DATASETS = {
    "activite", "presence", "demandes", "reclamations", "satisfaction", "formations",
    "effectifs", "audits", "actions", "incidents", "documents",
}


# --- parsing the contract ---------------------------------------------------------

def _split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on `sep` outside parentheses: "a (syn.: b, c), d" -> ["a (syn.: b, c)", "d"]."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _parse_values(notes: str) -> list[tuple[str, list[str]]]:
    """Listed values of a choix column: the notes part before "; aliases:"."""
    values_part = re.split(r";\s*aliases:", notes)[0]
    values = []
    for item in _split_top_level(values_part):
        match = re.fullmatch(r"(.+?)\s*\(syn\.:\s*(.+)\)", item)
        if match:
            values.append((match.group(1).strip(), _split_top_level(match.group(2))))
        else:
            values.append((item, []))
    return values


def _parse_spec() -> dict[str, dict[str, dict]]:
    """{dataset: {column: {type, required, key, default, aliases, values, notes}}} from datasets.md."""
    datasets: dict[str, dict[str, dict]] = {}
    current: dict[str, dict] | None = None
    for line in spec_text("datasets.md").splitlines():
        heading = re.match(r"^##\s+(\w+)\s+—", line)
        if heading:
            current = datasets.setdefault(heading.group(1), {})
            continue
        if line.startswith("## "):
            current = None
            continue
        if current is None or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = cells[0].strip("`").strip()
        if name == "column" or set(name) <= {"-"}:
            continue
        type_cell, notes = cells[1], cells[2] if len(cells) > 2 else ""
        words = re.findall(r"[a-z]+", type_cell)
        col_type = next(w for w in words if w in COLUMN_TYPES)
        default = re.search(r"default\s+([^,]+)", type_cell)
        aliases = re.search(r"aliases:\s*(.+)$", notes)
        current[name] = {
            "type": col_type,
            "required": "**req**" in type_cell,
            "key": "**key**" in type_cell,
            "default": default.group(1).strip() if default else None,
            "aliases": _split_top_level(aliases.group(1)) if aliases else [],
            "values": _parse_values(notes) if col_type == "choix" else [],
            "notes": notes,
        }
    # "same aliases as in formations"
    for columns in datasets.values():
        for spec in columns.values():
            same = re.search(r"same aliases as in (\w+)", spec["notes"])
            if same:
                other = datasets[same.group(1)]
                name = next(n for n, s in columns.items() if s is spec)
                spec["aliases"] = other[name]["aliases"]
    return datasets


SPEC_DATASETS = _parse_spec()
SPEC_COLUMNS = [(ds, col) for ds, cols in SPEC_DATASETS.items() for col in cols]


@pytest.fixture(scope="module")
def datasets():
    return load_datasets()


# --- (a) the declared files --------------------------------------------------------

def test_all_eleven_files_load(datasets):
    assert set(datasets) == EXPECTED_DATASETS
    assert {p.stem for p in DATASETS_DIR.glob("*.yaml")} == EXPECTED_DATASETS
    for name, dataset in datasets.items():
        assert dataset.source_file == f"{name}.yaml"
        assert dataset.label and dataset.description, name
        for column in dataset.columns:
            assert column.label != column.name, f"{name}.{column.name} : libellé français manquant"


def test_spec_parser_sees_every_dataset():
    # Guards the parser below: if the contract's layout changes, fail here rather than pass vacuously.
    assert set(SPEC_DATASETS) == EXPECTED_DATASETS
    assert len(SPEC_COLUMNS) > 80
    assert SPEC_DATASETS["activite"]["registre"]["values"][0] == (
        "présence active de proximité", ["présence active", "PAP", "présence de proximité"])
    assert SPEC_DATASETS["effectifs"]["salarie"]["aliases"] == SPEC_DATASETS["formations"]["salarie"]["aliases"]


# --- (b) declarations match the contract ------------------------------------------

@pytest.mark.parametrize("dataset_name", sorted(EXPECTED_DATASETS))
def test_columns_and_key_match_spec(datasets, dataset_name):
    spec = SPEC_DATASETS[dataset_name]
    dataset = datasets[dataset_name]
    assert dataset.column_names == list(spec), "same columns, in the contract's order"
    assert set(dataset.key) == {name for name, col in spec.items() if col["key"]}


@pytest.mark.parametrize(("dataset_name", "column_name"), SPEC_COLUMNS)
def test_column_matches_spec(datasets, dataset_name, column_name):
    spec = SPEC_DATASETS[dataset_name][column_name]
    column = datasets[dataset_name].column(column_name)
    assert column.type == spec["type"]
    assert column.required == spec["required"]
    missing_aliases = [a for a in spec["aliases"] if a not in column.aliases]
    assert not missing_aliases
    declared = {c.value: c.synonyms for c in column.choices}
    for value, synonyms in spec["values"]:
        assert value in declared, f"valeur « {value} » absente"
        assert set(synonyms) <= set(declared[value]), value
    assert len(declared) == len(spec["values"])


@pytest.mark.parametrize(
    ("dataset_name", "column_name"),
    [(ds, col) for ds, col in SPEC_COLUMNS if SPEC_DATASETS[ds][col]["default"]],
)
def test_defaults_match_spec(datasets, dataset_name, column_name):
    spec_default = SPEC_DATASETS[dataset_name][column_name]["default"]
    column = datasets[dataset_name].column(column_name)
    expected = {
        "booleen": lambda d: {"non": False, "oui": True}[d],
        "entier": int,
        "decimal": float,
        "choix": str,
    }[column.type](spec_default)
    assert column.default == expected
    assert type(column.default) is not bool or column.type == "booleen"


def test_columns_without_spec_default_have_none(datasets):
    for dataset_name, column_name in SPEC_COLUMNS:
        if not SPEC_DATASETS[dataset_name][column_name]["default"]:
            assert datasets[dataset_name].column(column_name).default is None, (dataset_name, column_name)


def test_specific_column_flags(datasets):
    keyless = {"activite", "presence", "satisfaction", "formations", "audits", "incidents"}
    for name in keyless:
        assert datasets[name].key == ()
        assert datasets[name].reference_date == "date"
    assert datasets["presence"].column("date").month_only_allowed
    hour_columns = {("presence", "heures_planifiees"), ("presence", "heures_realisees"),
                    ("formations", "heures")}
    pseudonymised = {("formations", "salarie"), ("effectifs", "salarie")}
    for name, dataset in datasets.items():
        for column in dataset.columns:
            assert column.hours_allowed == ((name, column.name) in hour_columns)
            assert column.pseudonymised == ((name, column.name) in pseudonymised)
            assert column.month_only_allowed == ((name, column.name) == ("presence", "date"))
            if column.type in ("entier", "decimal") and (name, column.name) != ("incidents", "gravite"):
                assert column.minimum == 0 and column.maximum is None
    gravite = datasets["incidents"].column("gravite")
    assert (gravite.minimum, gravite.maximum) == (1, 4)
    assert datasets["satisfaction"].extra_likert_questions
    assert not any(d.extra_likert_questions for n, d in datasets.items() if n != "satisfaction")
    assert datasets["satisfaction"].column("satisfaction_globale").description


def test_personal_name_header_maps_to_salarie(datasets):
    # "nom" is an alias of salarie, so a header naming the person is mapped (then pseudonymised).
    for name in ("formations", "effectifs"):
        assert "nom" in datasets[name].column("salarie").header_forms


def test_labels_are_natural_french(datasets):
    assert datasets["demandes"].column("date_reception").label == "Date de réception"
    assert datasets["activite"].column("nb_personnes").label == "Nombre de personnes"
    assert datasets["actions"].column("echeance").label == "Échéance"


# --- (c) broken declarations --------------------------------------------------------

VALID = """\
nom: essai
libelle: Essai
cle: [numero]
couverture: registre
colonnes:
  - nom: numero
    type: texte
    requis: true
  - nom: etat
    type: choix
    valeurs: [ouvert, fermé]
"""


def _write(tmp_path: Path, text: str, file_name: str = "essai.yaml") -> Path:
    path = tmp_path / file_name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_valid_small_declaration_loads(tmp_path):
    dataset = load_dataset_file(_write(tmp_path, VALID))
    assert dataset.name == "essai"
    assert dataset.key == ("numero",)
    assert [c.value for c in dataset.column("etat").choices] == ["ouvert", "fermé"]


BROKEN = {
    "unknown dataset field": (
        VALID + "couleur: bleu\n",
        "couleur", "champ inconnu",
    ),
    "unknown column field": (
        VALID.replace("    requis: true\n", "    requis: true\n    obligatoire: oui\n"),
        "colonnes[0].obligatoire", "champ inconnu",
    ),
    "bad type": (
        VALID.replace("type: texte", "type: text"),
        "colonnes.numero.type", "« text » inconnu",
    ),
    "key not a column": (
        VALID.replace("cle: [numero]", "cle: [reference]"),
        "cle", "« reference » n'est pas une colonne",
    ),
    "choix without values": (
        VALID.replace("    valeurs: [ouvert, fermé]\n", ""),
        "colonnes.etat.valeurs", "doit lister ses valeurs",
    ),
    "keyless without date_reference": (
        VALID.replace("cle: [numero]\n", ""),
        "date_reference", "sans clé",
    ),
    "date_reference not a date": (
        VALID.replace("cle: [numero]\n", "date_reference: numero\n"),
        "date_reference", "pas une colonne de type date",
    ),
    "missing required field": (
        VALID.replace("libelle: Essai\n", ""),
        "libelle", "champ obligatoire manquant",
    ),
    "no coverage mode": (
        VALID.replace("couverture: registre\n", ""),
        "couverture", "champ obligatoire manquant",
    ),
    "unknown coverage mode": (
        VALID.replace("couverture: registre", "couverture: mensuel"),
        "couverture", "« mensuel » inconnu : export",
    ),
    "planned flag on a text column": (
        VALID.replace("    requis: true\n", "    requis: true\n    prevue: true\n"),
        "colonnes.numero.prevue", "ne s'applique qu'aux dates",
    ),
    "two columns claim one header": (
        VALID.replace("    requis: true\n", "    requis: true\n    alias: [état]\n"),
        "colonnes.etat.alias", "déjà celui de la colonne « numero »",
    ),
    "value claimed twice": (
        VALID.replace("[ouvert, fermé]", "[ouvert, {valeur: fermé, synonymes: [Ouvert]}]"),
        "colonnes.etat.valeurs", "désigne à la fois",
    ),
    "default outside the list": (
        VALID.replace("    valeurs:", "    defaut: clos\n    valeurs:"),
        "colonnes.etat.defaut", "n'est pas une des valeurs",
    ),
    "boolean default written as text": (
        VALID + "  - nom: fait\n    type: booleen\n    defaut: non\n",
        "colonnes.fait.defaut", "true (oui) ou false (non)",
    ),
    "required flag written as text": (
        VALID.replace("requis: true", "requis: oui"),
        "colonnes.numero.requis", "true ou false",
    ),
    "name with accents": (
        VALID.replace("  - nom: etat", "  - nom: état"),
        "colonnes[1].nom", "minuscules sans accent",
    ),
    "hours on an integer column": (
        VALID + "  - nom: duree\n    type: entier\n    heures: true\n",
        "colonnes.duree.heures", "decimal",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_declaration_names_file_and_field(tmp_path, case):
    text, field_path, message = BROKEN[case]
    with pytest.raises(DeclarationError) as err:
        load_dataset_file(_write(tmp_path, text))
    assert str(err.value).startswith("essai.yaml : ")
    assert f"champ « {field_path} »" in str(err.value)
    assert message in str(err.value)


def test_yaml_syntax_error(tmp_path):
    path = _write(tmp_path, "nom: essai\nlibelle: Essai\ncolonnes:\n  - nom: numero\n   type: [texte\n")
    with pytest.raises(DeclarationError) as err:
        load_dataset_file(path)
    assert str(err.value).startswith("essai.yaml : YAML illisible (ligne ")


def test_name_must_match_file_name(tmp_path):
    with pytest.raises(DeclarationError) as err:
        load_dataset_file(_write(tmp_path, VALID, "autre.yaml"))
    assert str(err.value) == "autre.yaml : champ « nom » : « essai » doit être le nom du fichier"


def test_empty_file(tmp_path):
    with pytest.raises(DeclarationError) as err:
        load_dataset_file(_write(tmp_path, ""))
    assert str(err.value) == "essai.yaml : une liste de champs (clé: valeur) est attendue"


def test_not_utf8(tmp_path):
    path = tmp_path / "essai.yaml"
    path.write_bytes(VALID.replace("fermé", "ferm\xe9").encode("cp1252"))
    with pytest.raises(DeclarationError, match=r"^essai\.yaml : .*UTF-8"):
        load_dataset_file(path)


def test_error_in_one_file_of_a_folder_names_that_file(tmp_path):
    shutil.copytree(DATASETS_DIR, tmp_path, dirs_exist_ok=True)
    _write(tmp_path, VALID.replace("type: texte", "type: nombre"))
    with pytest.raises(DeclarationError, match=r"^essai\.yaml : champ « colonnes\.numero\.type »"):
        load_datasets(tmp_path)


def test_empty_folder(tmp_path):
    with pytest.raises(DeclarationError, match="aucun fichier de déclaration"):
        load_datasets(tmp_path)


# --- (d) a 12th dataset needs no Python ---------------------------------------------

def test_twelfth_dataset_is_just_a_yaml_file(tmp_path):
    shutil.copytree(DATASETS_DIR, tmp_path, dirs_exist_ok=True)
    _write(tmp_path, """\
        # Partner meetings. One row per meeting; no key, replaced by date window per site.
        nom: reunions_partenaires
        libelle: Réunions partenaires
        description: Réunions tenues avec les partenaires du territoire.
        date_reference: date
        couverture: export
        colonnes:
          - nom: date
            type: date
            requis: true
            libelle: Date de la réunion
          - nom: site
            type: texte
            requis: true
            libelle: Site
          - nom: nb_participants
            type: entier
            libelle: Nombre de participants
            alias: [participants]
            defaut: 1
        """, "reunions_partenaires.yaml")
    loaded = load_datasets(tmp_path)
    assert len(loaded) == 12
    new = loaded["reunions_partenaires"]
    assert new.reference_date == "date" and new.has_site
    assert new.column("nb_participants").header_forms == {"nb participants", "nombre de participants",
                                                           "participants"}
    assert set(loaded) - {"reunions_partenaires"} == EXPECTED_DATASETS
