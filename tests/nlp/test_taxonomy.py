"""Taxonomy: the default Dorset codebook, JSON/CSV round trips and validation messages."""

import pytest

from engage.errors import EngageError
from engage.nlp.taxonomy import Portfolio, Taxonomy, TaxonomyError, Theme, load_default

DORSET_PORTFOLIOS = {
    "Prevention at scale",
    "Integrated community and primary care services",
    "One acute network",
    "Digital",
    "Leading and working differently",
}


def small_taxonomy() -> Taxonomy:
    return Taxonomy(
        [Portfolio("Access", "Reaching services"), Portfolio("People", "Staff and carers")],
        [
            Theme("Parking", "Access", "Car parks", ["car park", "parking fee"], ["No spaces."]),
            Theme("Kindness", "People", "How staff treat you", ["kind", "rude"], ["So kind."]),
        ],
        name="Small",
    )


def test_default_covers_the_five_dorset_portfolios_with_four_to_twelve_themes_each():
    # Community and primary care holds most of what residents raise (GP, pharmacy, dentistry,
    # carers, mental health, dementia…), so it has more themes than the others.
    taxonomy = load_default()
    assert set(taxonomy.portfolio_names) == DORSET_PORTFOLIOS
    for portfolio in taxonomy.portfolios:
        assert portfolio.description
        assert 4 <= len(taxonomy.themes_in(portfolio.name)) <= 12, portfolio.name


def test_default_themes_are_complete():
    taxonomy = load_default()
    assert len(set(taxonomy.theme_names)) == len(taxonomy.themes)
    for theme in taxonomy.themes:
        assert theme.description, theme.name
        assert 10 <= len(theme.seed_terms) <= 40, theme.name
        assert 2 <= len(theme.examples) <= 3, theme.name


@pytest.mark.parametrize(
    "name",
    [
        "GP access",
        "Waiting times",
        "Urgent and emergency care",
        "Mental health",
        "Staffing",
        "Being listened to",
        "Funding",
        "Online access",
        "Loneliness and isolation",
    ],
)
def test_default_has_the_themes_officers_meet(name):
    assert load_default().has_theme(name)


def test_default_is_a_fresh_copy_each_time():
    first = load_default()
    first.remove_theme("Funding")
    assert load_default().has_theme("Funding")


def test_json_round_trip(tmp_path):
    taxonomy = load_default()
    path = tmp_path / "codebook.json"
    taxonomy.to_json(path)
    assert Taxonomy.from_json(path) == taxonomy
    assert Taxonomy.from_json(taxonomy.to_json()) == taxonomy


def test_csv_round_trip_keeps_portfolio_descriptions(tmp_path):
    taxonomy = load_default()
    path = tmp_path / "codebook.csv"
    taxonomy.to_csv(path)
    again = Taxonomy.from_csv(path, name=taxonomy.name)
    assert again == taxonomy
    assert again.portfolio("Digital").description == taxonomy.portfolio("Digital").description


def test_csv_uses_the_documented_separators():
    text = small_taxonomy().to_csv()
    assert text.splitlines()[0] == "portfolio,theme,description,seed_terms,examples"
    assert "car park; parking fee" in text


def test_csv_written_by_hand_without_portfolio_rows():
    text = (
        "Portfolio,Theme,Description,Seed_terms,Examples\n"
        "Access,Parking,Car parks,car park;parking fee,Full again. | Costs too much.\n"
        "Access,Buses,Bus routes,bus;timetable,\n"
    )
    taxonomy = Taxonomy.from_csv(text)
    assert taxonomy.portfolio_names == ["Access"]
    assert taxonomy.theme("parking").examples == ["Full again.", "Costs too much."]
    assert taxonomy.theme("Buses").seed_terms == ["bus", "timetable"]


def test_csv_duplicate_theme_names_the_rows():
    text = "portfolio,theme\nAccess,Parking\nAccess,parking \n"
    with pytest.raises(EngageError, match=r"row 3.*'parking'.*row 2"):
        Taxonomy.from_csv(text)


def test_csv_empty_theme_name_names_the_row():
    text = "portfolio,theme,seed_terms\nAccess,Parking,car park\nAccess,,bus\n"
    with pytest.raises(EngageError, match="row 3: theme name is empty"):
        Taxonomy.from_csv(text)


def test_csv_unknown_portfolio_names_the_row():
    text = "portfolio,theme\nAccess,Parking\nAcute,Buses\n"
    with pytest.raises(EngageError, match="row 3: unknown portfolio 'Acute'"):
        Taxonomy.from_csv(text, portfolios=[Portfolio("Access")])


def test_csv_missing_columns_reported():
    with pytest.raises(EngageError, match="missing column.*theme"):
        Taxonomy.from_csv("portfolio,description\nAccess,x\n")


def test_constructor_validation_messages():
    with pytest.raises(EngageError, match="Theme 2 'Parking' repeats theme 1"):
        Taxonomy([Portfolio("A")], [Theme("Parking", "A"), Theme("Parking", "A")])
    with pytest.raises(EngageError, match="Theme 1 'Buses' names portfolio 'B'"):
        Taxonomy([Portfolio("A")], [Theme("Buses", "B")])
    with pytest.raises(EngageError, match="Theme 1 has an empty name"):
        Taxonomy([Portfolio("A")], [Theme("  ", "A")])
    with pytest.raises(EngageError, match="Portfolio 2 'a' repeats portfolio 1"):
        Taxonomy([Portfolio("A"), Portfolio("a")], [])


def test_add_theme_rejects_a_clash_and_leaves_taxonomy_unchanged():
    taxonomy = small_taxonomy()
    with pytest.raises(EngageError, match="repeats"):
        taxonomy.add_theme(Theme("KINDNESS", "People"))
    assert taxonomy.theme_names == ["Parking", "Kindness"]
    taxonomy.add_theme(Theme("Carers", "People", seed_terms=["carer"]))
    assert taxonomy.theme("carers").portfolio == "People"


def test_bad_json_and_missing_file_are_engage_errors(tmp_path):
    with pytest.raises(EngageError, match="not valid JSON"):
        Taxonomy.from_json("{not json")
    with pytest.raises(EngageError, match="not found"):
        Taxonomy.from_json(tmp_path / "absent.json")
    with pytest.raises(EngageError, match="portfolios"):
        Taxonomy.from_json('{"themes": []}')


def test_portfolio_terms_gather_theme_seeds():
    taxonomy = small_taxonomy()
    assert taxonomy.portfolio_terms("access") == ["car park", "parking fee"]


def test_seed_context_is_parsed_and_kept_through_a_csv_codebook():
    from engage.nlp.taxonomy import parse_seed

    seed = parse_seed("cut off (not near: phone, line) (only near: friends)")
    assert (seed.phrase, seed.not_near, seed.only_near) == ("cut off", ("phone", "line"),
                                                            ("friends",))
    assert parse_seed("waiting list") == parse_seed("waiting list ")
    taxonomy = Taxonomy([Portfolio("P")], [Theme("T", "P", "", ["cut off (not near: phone, line)",
                                                               "alone"])])
    again = Taxonomy.from_csv(taxonomy.to_csv())
    assert again.theme("T").seed_terms == ["cut off (not near: phone, line)", "alone"]
    assert again.theme("T").seed_phrases == ["cut off", "alone"]
    assert taxonomy.portfolio_terms("P") == ["cut off", "alone"]


def test_a_seed_that_is_only_context_is_refused():
    with pytest.raises(TaxonomyError, match="context but no words"):
        Taxonomy([Portfolio("P")], [Theme("T", "P", "", ["(not near: phone)"])])
