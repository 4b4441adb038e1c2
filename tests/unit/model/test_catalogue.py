"""The indicator catalogue: format validation, schema check, extension without Python, spec."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from indicator_fixtures import DATASETS, make_store, row
from spec import spec_text

from pilotage_qualite import engine
from pilotage_qualite.common.settings import INDICATORS_DIR
from pilotage_qualite.engine.schema_checks import check_against_schema, schema_problems
from pilotage_qualite.model.catalogue import CatalogueError
from pilotage_qualite.model.indicator_format import load_catalogue, parse_indicator_text
from pilotage_qualite.model.targets import target_problems

REPO = Path(__file__).resolve().parents[3]

MINIMAL = """\
- id: TST-01
  titre: Indicateur de test
  processus: Test
  pourquoi: Pour tester.
  definition: Nombre de réclamations reçues.
  pilote: Responsable qualité
  source: reclamations
  periode: {flux: date_reception}
  valeur: count(*)
  unite: nombre
"""


def test_shipped_catalogue_loads_and_passes_the_schema_check():
    cat = load_catalogue()
    assert len(cat) == 29
    assert len(set(cat.ids)) == len(cat.ids)
    check_against_schema(cat, DATASETS)  # raises on any problem
    # One file per process.
    by_file = {}
    for ind in cat:
        by_file.setdefault(ind.source_file, set()).add(ind.processus)
    assert all(len(p) == 1 for p in by_file.values()), by_file
    assert len(by_file) == 8


def test_minimal_definition_is_valid():
    (ind,) = parse_indicator_text(MINIMAL, "test.yaml")
    assert ind.id == "TST-01" and ind.n_min is None and ind.decimales == 0 and ind.sens is None
    assert ind.aggregates() == {"valeur": "count(*)", "effectif": "count(*)"}


def _broken(replace: str | None = None, add: str = "", drop: str | None = None) -> str:
    text = MINIMAL
    if drop:
        text = "\n".join(line for line in text.splitlines() if not line.strip().startswith(drop + ":")) + "\n"
    if replace:
        old, new = replace.split(" => ")
        assert old in text
        text = text.replace(old, new)
    return text + textwrap.indent(textwrap.dedent(add), "  ")


@pytest.mark.parametrize("text, field, reason", [
    (_broken(add="cibel: 3\n"), "cibel", "champ inconnu"),
    (_broken(drop="titre"), "titre", "champ obligatoire manquant"),
    (_broken(drop="pilote"), "pilote", "champ obligatoire manquant"),
    (_broken(add="sens: monte\n"), "sens", "« monte » inconnu"),
    (_broken(replace="{flux: date_reception} => {flow: date_reception}"), "periode.flow", "mode inconnu"),
    (_broken(replace="{flux: date_reception} => {flux: date_reception, stock: fin}"), "periode", "un seul des modes"),
    (_broken(replace="{flux: date_reception} => {stock: date_cloture IS NULL}"), "periode.stock", "doit utiliser fin"),
    (_broken(drop="periode"), "periode", "champ obligatoire manquant"),
    (_broken(add="cible: 3\n"), "cible", "une cible demande un sens"),
    (_broken(add="sens: hausse\ncible: 80\nseuil: 90\n"), "seuil", "doit être inférieur ou égal à la cible"),
    (_broken(add="sens: baisse\ncible: 10\nseuil: 5\n"), "seuil", "doit être supérieur ou égal à la cible"),
    (_broken(add="sens: baisse\ncible: dix\n"), "cible", "un nombre est attendu"),
    (_broken(add="sens: baisse\ncible: .inf\n"), "cible", "un nombre est attendu"),
    (_broken(replace='unite: nombre => unite: "%"', add="sens: baisse\ncible: 10\nseuil: 101\n"), "seuil",
     "un pourcentage est entre 0 et 100"),
    (_broken(replace="unite: nombre => unite: euros"), "unite", "« euros » inconnue"),
    (_broken(add="n_min: 0\n"), "n_min", "un entier au moins égal à 1"),
    (_broken(add="format: '0.0x'\n"), "format", "format attendu"),
    (_broken(add="dimensions: site\n"), "dimensions", "une liste de colonnes"),
    (_broken(add="dimensions: [Site]\n"), "dimensions[0]", "n'est pas un nom de colonne"),
    (_broken(replace="valeur: count(*) => valeur: count(*); DROP TABLE imports"), "valeur", "« ; » est interdit"),
    (_broken(replace="valeur: count(*) => valeur: count(*) -- commentaire"), "valeur", "commentaires SQL"),
    (_broken(replace="valeur: count(*) => valeur: count((*)"), "valeur", "parenthèses déséquilibrées"),
    (_broken(add="condition_numerateur: fondee\n"), "valeur", "à omettre avec condition_numerateur"),
    (_broken(replace="valeur: count(*) => condition_numerateur: fondee"), "unite", "est un pourcentage"),
    (_broken(add="mesures: {x: {source: activite, periode: {flux: date}, expression: count(*)}}\n"), "mesures",
     "réservées aux indicateurs composés"),
    (_broken(replace="valeur: count(*) => valeur: 2 * [REC-01]"), "valeur", "que dans un indicateur composé"),
    (_broken(replace="id: TST-01 => id: tst-01"), "id", "identifiant attendu en majuscules"),
])
def test_validation_names_file_indicator_and_field(text, field, reason):
    with pytest.raises(CatalogueError) as exc:
        parse_indicator_text(text, "mon_processus.yaml")
    message = str(exc.value)
    assert message.startswith("mon_processus.yaml : ")
    assert f"champ « {field} »" in message, message
    assert reason in message, message
    if field != "id":
        assert "indicateur TST-01" in message, message


def test_a_percentage_target_above_100_in_a_file_is_refused_as_on_the_catalogue_page(tmp_path):
    """One home for the target rules (model.targets): the file's loader and the page's form agree."""
    text = MINIMAL.replace("unite: nombre", 'unite: "%"') + "  sens: hausse\n  cible: 120\n"
    (tmp_path / "satisfaction.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(tmp_path)
    assert str(exc.value) == "satisfaction.yaml : indicateur TST-01 : champ « cible » : un pourcentage est entre 0 et 100"
    assert target_problems("hausse", "%", 120, None) == [("cible", "un pourcentage est entre 0 et 100")]
    assert target_problems("hausse", "%", 100, 85) == []


def test_composite_validation():
    composite = textwrap.dedent("""\
        - id: CMP-01
          titre: Composé
          processus: Test
          pourquoi: Pour tester.
          definition: Rapport.
          pilote: Qualité
          valeur: 2 * [XYZ-99]
          effectif: "[XYZ-99]"
          unite: ratio
        """)
    with pytest.raises(CatalogueError, match=r"x\.yaml : indicateur CMP-01 : champ « valeur » : l'indicateur \[XYZ-99\] n'existe pas"):
        _catalogue_with(composite)
    no_effectif = composite.replace('  effectif: "[XYZ-99]"\n', "").replace("XYZ-99", "REC-01")
    with pytest.raises(CatalogueError, match="champ « effectif » : champ obligatoire pour un indicateur composé"):
        _catalogue_with(no_effectif)
    wrong_dim = composite.replace("XYZ-99", "ACT-04") + "  dimensions: [registre]\n"
    with pytest.raises(CatalogueError, match=r"champ « dimensions » : \[ACT-04\] n'est pas ventilé par registre"):
        _catalogue_with(wrong_dim)
    cycle = composite.replace("XYZ-99", "CMP-02") + composite.replace("CMP-01", "CMP-02").replace("XYZ-99", "CMP-01")
    with pytest.raises(CatalogueError, match="références circulaires"):
        _catalogue_with(cycle)


def _catalogue_with(text: str, name: str = "x.yaml"):
    from pilotage_qualite.model.catalogue import build_catalogue

    shipped = load_catalogue()
    return build_catalogue([*shipped, *parse_indicator_text(text, name)])


def test_duplicate_id_and_unreadable_yaml(tmp_path):
    (tmp_path / "a.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(MINIMAL, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"b\.yaml : indicateur TST-01 : champ « id » : identifiant déjà utilisé dans a\.yaml"):
        load_catalogue(tmp_path)
    (tmp_path / "b.yaml").write_text("- id: [", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"b\.yaml : YAML illisible"):
        load_catalogue(tmp_path)
    (tmp_path / "b.yaml").write_text("processus: Test\nindicateurs: []\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"b\.yaml : champ « indicateurs »"):
        load_catalogue(tmp_path)
    with pytest.raises(CatalogueError, match="introuvable"):
        load_catalogue(tmp_path / "nope")


# --- schema check ------------------------------------------------------------------


def _copy_shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "indicators"
    shutil.copytree(INDICATORS_DIR, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, expected", [
    ("reclamations.yaml",
     "condition_numerateur: date_accuse_reception IS NOT NULL AND date_accuse_reception - date_reception <= 2",
     "condition_numerateur: date_accuse_reception IS NOT NULL AND date_accuse_reception - date_recepton <= 2",
     "reclamations.yaml : indicateur REC-02 : champ « condition_numerateur » : colonne « date_recepton » inconnue"),
    ("demandes.yaml", "periode: {flux: date_reception}", "periode: {flux: date_reseption}",
     "demandes.yaml : indicateur DEM-01 : champ « periode » : colonne « date_reseption » inconnue"),
    ("activite.yaml", "dimensions: [site, registre]", "dimensions: [site, registres]",
     "activite.yaml : indicateur ACT-01 : champ « dimensions[1] » : « registres » n'est pas une colonne du jeu « activite »"),
    ("formation_rh.yaml", "expression: sum(etp)", "expression: sum(etpp)",
     "formation_rh.yaml : indicateur FOR-01 : champ « mesures.etp.expression » : colonne « etpp » inconnue"),
    ("securite.yaml", "filtre: type = 'agression physique'", "filtre: typ = 'agression physique'",
     "securite.yaml : indicateur SEC-02 : champ « filtre » : colonne « typ » inconnue"),
    ("securite.yaml", "valeur: 1000.0 * [SEC-01] / heures", "valeur: 1000.0 * [SEC-01] / heure",
     "securite.yaml : indicateur SEC-03 : champ « valeur » : colonne « heure » inconnue"),
    ("documentation.yaml", "source: documents", "source: document",
     "documentation.yaml : indicateur DOC-01 : champ « source » : jeu de données « document » inconnu"),
    ("demandes.yaml", "valeur: median(date_cloture - date_reception)", "valeur: date_cloture - date_reception",
     "demandes.yaml : indicateur DEM-02 : champ « valeur » : l'expression doit être un agrégat"),
    ("documentation.yaml", "prochaine_revision: coalesce(date_prochaine_revision,",
     "prochaine_revision: coalesce(date_prochaine_revisio,",
     "documentation.yaml : indicateur DOC-01 : champ « calculs.prochaine_revision » : colonne « date_prochaine_revisio » inconnue"),
])
def test_schema_check_catches_typos_before_any_page_opens(tmp_path, file, old, new, expected):
    folder = _copy_shipped(tmp_path)
    _edit(folder / file, old, new)
    cat = load_catalogue(folder)  # the format itself is fine
    with pytest.raises(CatalogueError) as exc:
        check_against_schema(cat, DATASETS)
    assert expected in str(exc.value), str(exc.value)
    assert len(schema_problems(cat, DATASETS)) == 1


def test_schema_check_rejects_aggregates_in_a_composite_formula(tmp_path):
    folder = _copy_shipped(tmp_path)
    _edit(folder / "reclamations.yaml", "valeur: 1000.0 * [REC-01] / [ACT-01]", "valeur: 1000.0 * sum([REC-01]) / [ACT-01]")
    problems = schema_problems(load_catalogue(folder), DATASETS)
    assert problems and "REC-05" in problems[0] and "pas d'agrégat ici" in problems[0]


# --- adding an indicator needs no Python ----------------------------------------------

EXTRA = """\
# Two indicators of the quality lead's own, in the same format.
processus: Réclamations
pilote: Responsable qualité
indicateurs:
  - id: REC-06
    titre: Réclamations fondées
    pourquoi: Distinguer les réclamations justifiées des autres oriente les actions.
    definition: Part des réclamations reçues dans la période jugées fondées.
    source: reclamations
    periode: {flux: date_reception}
    filtre: fondee IS NOT NULL
    condition_numerateur: fondee
    unite: "%"
    sens: baisse
    cible: 20
    seuil: 40
    n_min: 2
    dimensions: [site]

  - id: ACT-05
    titre: Personnes rencontrées par intervention
    pourquoi: Indique la taille moyenne des groupes rencontrés.
    definition: Personnes rencontrées divisées par le nombre d'interventions, même période et même site.
    valeur: "[ACT-02] / [ACT-01]"
    numerateur: "[ACT-02]"
    denominateur: "[ACT-01]"
    effectif: "[ACT-01]"
    unite: ratio
    format: "0,0"
    dimensions: [site]
"""


def test_a_new_indicator_from_a_yaml_file_computes_without_python(tmp_path):
    (tmp_path / "mes_indicateurs.yaml").write_text(EXTRA, encoding="utf-8")
    cat = load_catalogue(INDICATORS_DIR, tmp_path)
    assert len(cat) == 31 and "REC-06" in cat and "ACT-05" in cat
    check_against_schema(cat, DATASETS)
    conn = make_store({
        "reclamations": [
            # June, fondée: R1 oui, R2 non, R3 oui (Saint-Étienne), R4 not judged (filtered out).
            {"numero": "R1", "date_reception": "2025-06-01", "site": "Lyon", "fondee": True},
            {"numero": "R2", "date_reception": "2025-06-02", "site": "Lyon", "fondee": False},
            {"numero": "R3", "date_reception": "2025-06-03", "site": "Saint-Étienne", "fondee": True},
            {"numero": "R4", "date_reception": "2025-06-04", "site": "Lyon"},
        ],
        "activite": [
            {"date": "2025-06-01", "site": "Lyon", "registre": "concertation", "nb_personnes": 4},
            {"date": "2025-06-02", "site": "Lyon", "registre": "concertation", "nb_personnes": 2},
            {"date": "2025-06-03", "site": "Saint-Étienne", "registre": "concertation", "nb_personnes": 9},
        ],
    })
    res = engine.compute(conn, cat, ["2025-06"], indicator_ids=["REC-06", "ACT-05"], workers=1)
    # REC-06: 2 fondées / 3 judged = 66.7 % > seuil 40 → non atteint. Lyon 1/2 = 50 %.
    r = row(res, "REC-06", "2025-06")
    assert r.valeur == pytest.approx(200 / 3) and r.effectif == 3 and r.statut == "non atteint"
    assert row(res, "REC-06", "2025-06", "site", "Lyon").valeur == 50
    # ACT-05: (4 + 2 + 9) / 3 = 5 people per intervention; Lyon 6 / 2 = 3, Saint-Étienne 9.
    a = row(res, "ACT-05", "2025-06")
    assert a.valeur == 5 and a.effectif == 3 and a.statut == "suivi"
    assert row(res, "ACT-05", "2025-06", "site", "Lyon").valeur == 3
    assert row(res, "ACT-05", "2025-06", "site", "Saint-Étienne").valeur == 9


# --- the catalogue matches indicators.md -------------------------------------------------


def _spec_rows(text: str) -> list[dict]:
    """Rows of the catalogue tables of indicators.md, with their section (process)."""
    rows, header, section = [], None, None
    for line in text.splitlines():
        if line.startswith("### "):
            section, header = line[4:].strip(), None
            continue
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        item = dict(zip(header, cells))
        if re.fullmatch(r"[A-Z]+-\d+", item.get("id", "")):
            item["section"] = section
            rows.append(item)
    return rows


def _none_or_number(cell: str):
    return None if cell in ("–", "-", "") else float(cell)


def test_catalogue_matches_indicators_md():
    spec = _spec_rows(spec_text("indicators.md"))
    cat = load_catalogue()
    assert sorted(r["id"] for r in spec) == sorted(cat.ids)
    previous_is_stock = False
    for r in spec:
        ind = cat[r["id"]]
        assert ind.titre == r["title"], r["id"]
        assert ind.processus == r["section"], r["id"]
        assert ind.unite == r["unit"], r["id"]
        assert ind.sens == (None if r["dir."] in ("–", "-") else r["dir."]), r["id"]
        assert ind.cible == _none_or_number(r["cible"]), r["id"]
        assert ind.seuil == _none_or_number(r["seuil"]), r["id"]
        dims = [] if r["dims"] in ("–", "-") else [d.strip() for d in r["dims"].split(",")]
        assert list(ind.dimensions) == dims, r["id"]
        n_min = r.get("n min")
        if n_min is None:
            m = re.search(r"n min (\d+)", r["definition"])
            n_min = m.group(1) if m else "–"
        # the status rules: 5 by default for a percentage, and for a median or a mean (revised 2026-12)
        central = r["definition"].startswith(("median", "mean"))
        expected_n_min = int(n_min) if n_min not in ("–", "-") else (5 if r["unit"] == "%" or central else None)
        assert ind.n_min == expected_n_min, r["id"]
        attributions = [ind.attribution] if ind.attribution else [m.attribution for m in ind.mesures]
        assert any(a.kind == "fenetre_12m" for a in attributions) == ("(12 m)" in r["title"]), r["id"]
        is_stock = r["definition"].startswith("stock") or "present at `fin`" in r["definition"]
        if r["definition"].startswith("same with"):  # "same with …": same attribution as the row above
            is_stock = previous_is_stock
        previous_is_stock = is_stock
        attributions = [ind.attribution.kind] if ind.attribution else [m.attribution.kind for m in ind.mesures]
        assert ("stock" in attributions) == is_stock, r["id"]
        refs = set(re.findall(r"\b[A-Z]{2,3}-\d{2}\b", r["definition"]))
        assert set(ind.references) == refs, r["id"]


def test_a_passed_schema_check_is_remembered_only_for_the_same_definitions(tmp_path):
    checks = tmp_path / "verifications"
    check_against_schema(load_catalogue(), DATASETS, verified_dir=checks)
    assert len(list(checks.iterdir())) == 1  # remembered: the next start-up skips the planning
    check_against_schema(load_catalogue(), DATASETS, verified_dir=checks)
    assert len(list(checks.iterdir())) == 1
    # A typo changes the fingerprint: the remembered pass does not cover it.
    folder = _copy_shipped(tmp_path / "copie")
    _edit(folder / "documentation.yaml", "prochaine_revision: coalesce(date_prochaine_revision,",
          "prochaine_revision: coalesce(date_prochaine_revisio,")
    with pytest.raises(CatalogueError, match="date_prochaine_revisio"):
        check_against_schema(load_catalogue(folder), DATASETS, verified_dir=checks)
    assert len(list(checks.iterdir())) == 1  # a failed check is never remembered


def test_processes_come_in_the_order_of_indicators_md_whatever_the_file_names():
    spec = spec_text("indicators.md")
    catalogue_part = spec.split("## The catalogue")[1].split("\n## ")[0]
    headings = re.findall(r"^### (.+)$", catalogue_part, flags=re.M)
    shown = list(dict.fromkeys(i.processus for i in load_catalogue()))
    # Titles differ slightly (« Formation et ressources humaines »): compare first words.
    assert [h.split()[0] for h in headings] == [p.split()[0] for p in shown]


def test_a_wrong_process_order_is_named(tmp_path):
    folder = _copy_shipped(tmp_path)
    _edit(folder / "demandes.yaml", "ordre: 2", "ordre: deux")
    with pytest.raises(CatalogueError, match="demandes.yaml : champ « ordre » : un nombre entier"):
        load_catalogue(folder)


def test_action_origins_of_a_process_are_checked(tmp_path):
    """`origines_actions` names values of the actions' « origine »: a typo is named at start-up."""
    shipped = load_catalogue()
    assert shipped["REC-03"].origines_actions == ("réclamation",) and shipped["DEM-01"].origines_actions == ()
    folder = _copy_shipped(tmp_path)
    _edit(folder / "reclamations.yaml", "origines_actions: [réclamation]", "origines_actions: [reclamation]")
    problems = schema_problems(load_catalogue(folder), DATASETS)
    assert problems == ["reclamations.yaml : champ « origines_actions » : « reclamation » n'est pas une origine "
                        "d'action (origines possibles : audit, autre, enquête de satisfaction, incident, "
                        "revue de direction, réclamation)"]
    _edit(folder / "reclamations.yaml", "origines_actions: [reclamation]", "origines_actions: réclamation")
    with pytest.raises(CatalogueError, match="reclamations.yaml : champ « origines_actions » : une liste"):
        load_catalogue(folder)
