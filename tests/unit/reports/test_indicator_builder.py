"""The guided form's YAML: each text written by hand, and parsed back by the validator typed YAML goes through."""

from __future__ import annotations

import pytest

from pilotage_qualite.model.catalogue import Catalogue, CatalogueError
from pilotage_qualite.model.datasets import load_yaml, parse_dataset
from pilotage_qualite.model.indicator_format import parse_indicator_text
from pilotage_qualite.reports import indicator_builder as builder
from pilotage_qualite.reports.catalogue_edits import check_new_indicators

# A small register of complaints: a key, two dates in order, a listed value, a yes/no, a score, a number.
PLAINTES = parse_dataset(load_yaml("""
nom: plaintes
libelle: Plaintes
description: Plaintes reçues.
cle: [numero]
date_reference: date_reception
couverture: registre
colonnes:
  - {nom: numero, type: texte, requis: true, libelle: Numéro}
  - {nom: date_reception, type: date, requis: true, libelle: Reçue le}
  - {nom: site, type: texte, libelle: Site}
  - nom: origine
    type: choix
    libelle: Origine
    valeurs: [{valeur: habitant}, {valeur: partenaire}]
  - {nom: fondee, type: booleen, libelle: Fondée}
  - {nom: note, type: likert, libelle: Note}
  - {nom: cout, type: decimal, libelle: Coût}
  - {nom: date_cloture, type: date, libelle: Close le, pas_avant: date_reception}
"""), "plaintes.yaml")
DATASETS = {"plaintes": PLAINTES}
EMPTY = Catalogue(())
FICHE = {"titre": "Plaintes", "processus": "Réclamations", "pilote": "Qualité", "pourquoi": "Pour savoir."}


def choices(**fields) -> builder.Choices:
    return builder.Choices(**{"id": "PL-01", **FICHE, "source": "plaintes", "unite": "nombre", **fields})


def built(**fields) -> str:
    """The YAML written for these choices, after checking that the validator accepts it."""
    text = builder.indicator_yaml(DATASETS, choices(**fields))
    check_new_indicators(text, EMPTY, DATASETS)
    return text


def test_the_periods_offered_follow_the_dates_of_the_dataset():
    assert [o.code for o in builder.period_options(PLAINTES)] == [
        "flux:date_reception", "flux:date_cloture",
        "fenetre_12m:date_reception", "fenetre_12m:date_cloture",
        "ouvert:date_reception:date_cloture",  # the declaration puts Close le after Reçue le
        "avant:date_reception",
    ]
    assert builder.period_options(PLAINTES)[4].label == "Stock à la fin : « Reçue le » passée, « Close le » vide ou à venir"


def test_the_measures_offered_are_counts_shares_and_statistics_of_numbers_and_delays():
    assert [o.code for o in builder.measure_options(PLAINTES)] == [
        "nombre", "part", "somme:cout",
        "moyenne:note", "moyenne:cout", "moyenne:delai:date_reception:date_cloture",
        "mediane:note", "mediane:cout", "mediane:delai:date_reception:date_cloture",
    ]
    assert builder.unit_options("part") == ["%"]
    assert builder.unit_options("mediane:delai:date_reception:date_cloture") == ["jours", "nombre"]
    assert [o.code for o in builder.dimension_options(PLAINTES)] == ["site", "origine"]


def test_a_count_of_a_flow_with_a_listed_value_as_filter():
    text = built(periode="flux:date_reception", mesure="nombre",
                 filtre=(builder.Condition("origine", "=", "habitant"),), dimensions=("site",))
    assert text == """\
- id: PL-01
  titre: Plaintes
  processus: Réclamations
  pilote: Qualité
  pourquoi: Pour savoir.
  definition: Nombre de lignes « Plaintes » dont « Reçue le » tombe dans la période, où « Origine » est égal à habitant.
  source: plaintes
  periode: {flux: date_reception}
  filtre: origine = 'habitant'
  valeur: count(*)
  unite: nombre
  format: '0'
  dimensions: [site]
"""


def test_a_share_of_an_open_stock_with_a_target_typed_the_french_way():
    text = built(periode="ouvert:date_reception:date_cloture", anciennete=30, mesure="part", unite="%",
                 condition=builder.Condition("fondee", "oui"), titre_court="Plaintes fondées",
                 sens="baisse", cible=20.0, seuil=32.5,
                 definition="Part des plaintes fondées parmi celles ouvertes depuis plus de 30 jours.")
    assert text == """\
- id: PL-01
  titre: Plaintes
  titre_court: Plaintes fondées
  processus: Réclamations
  pilote: Qualité
  pourquoi: Pour savoir.
  definition: Part des plaintes fondées parmi celles ouvertes depuis plus de 30 jours.
  source: plaintes
  periode: {stock: date_reception < fin - 30 AND (date_cloture IS NULL OR date_cloture >= fin)}
  condition_numerateur: fondee
  unite: '%'
  format: 0,0
  sens: baisse
  cible: 20
  seuil: 32.5
  dimensions: []
"""
    [indicator] = parse_indicator_text(text, "essai")
    assert (indicator.titre_court, indicator.cible, indicator.seuil) == ("Plaintes fondées", 20.0, 32.5)
    unwritten = choices(periode="ouvert:date_reception:date_cloture", anciennete=30, mesure="part", unite="%",
                        condition=builder.Condition("fondee", "oui"))
    assert builder.plain_definition(PLAINTES, unwritten) == (
        "Part des lignes « Plaintes » dont « Reçue le » est passée depuis plus de 30 jours et « Close le » vide "
        "ou pas encore arrivée à la fin de la période, pour lesquelles « Fondée » est oui.")


def test_a_median_delay_over_12_months_counts_only_the_rows_that_have_one():
    text = built(periode="fenetre_12m:date_cloture", mesure="mediane:delai:date_reception:date_cloture",
                 unite="jours", definition="Délai médian de clôture sur 12 mois.")
    assert """\
  definition: Délai médian de clôture sur 12 mois.
  source: plaintes
  periode: {fenetre_12m: date_cloture}
  valeur: median(date_cloture - date_reception)
  effectif: count(date_cloture - date_reception)
  unite: jours
  format: 0,0
""" in text


def test_a_sum_keeps_zero_for_an_empty_period_and_a_score_condition_reads_a_number():
    text = built(periode="avant:date_reception", mesure="somme:cout",
                 filtre=(builder.Condition("note", ">=", 3.0), builder.Condition("date_cloture", "vide")))
    assert "  periode: {stock: date_reception < fin}\n  filtre: note >= 3 AND date_cloture IS NULL\n" in text
    assert "  valeur: coalesce(sum(cout), 0)\n  unite: nombre\n  format: '0'\n" in text
    assert "où « Note » vaut au moins (≥) 3 et « Close le » est vide." in text


def test_different_keeps_empty_cells_and_quotes_are_doubled():
    text = built(periode="flux:date_reception", mesure="nombre",
                 filtre=(builder.Condition("site", "<>", "l'Isle"), builder.Condition("cout", "<", 2.5)))
    assert "  filtre: site IS DISTINCT FROM 'l''Isle' AND cout < 2.5\n" in text


def test_an_impossible_target_gets_the_validators_message_naming_the_field():
    text = builder.indicator_yaml(DATASETS, choices(periode="flux:date_reception", mesure="nombre",
                                                    sens="baisse", cible=5.0, seuil=2.0))
    with pytest.raises(CatalogueError, match=r"indicateur PL-01 : champ « seuil » : en baisse \(plus bas est "
                                             r"mieux\), le seuil \(2,00\) doit être supérieur ou égal"):
        check_new_indicators(text, EMPTY, DATASETS)


@pytest.mark.parametrize(("fields", "message"), [
    ({"mesure": "part"}, "Lignes comptées au numérateur : choisissez la colonne"),
    ({"mesure": "nombre", "filtre": (builder.Condition("origine", "=", ""),)},
     "Filtre : choisissez ou écrivez la valeur de « Origine »."),
    ({"mesure": "nombre", "filtre": (builder.Condition("fondee", ">=", 1.0),)},
     "Filtre : « vaut au moins (≥) » ne s'applique pas à « Fondée »."),
])
def test_incomplete_choices_are_named_in_french(fields, message):
    with pytest.raises(builder.BuilderError, match=message.replace("(", r"\(").replace(")", r"\)")):
        builder.indicator_yaml(DATASETS, choices(periode="flux:date_reception", **fields))


def test_the_next_code_follows_the_process_prefix():
    catalogue = Catalogue(tuple(parse_indicator_text(built(periode="flux:date_reception", mesure="nombre"), "x")))
    assert builder.next_id(catalogue, "Réclamations") == "PL-02"
    assert (builder.process_of(catalogue, "plaintes"), builder.pilot_of(catalogue, "Réclamations")) == (
        "Réclamations", "Qualité")
    assert builder.next_id(catalogue, "Nouveau processus") == ""
