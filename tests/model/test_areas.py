"""Which areas get a profile, their file names, and how --district values find them."""

import pandas as pd
import pytest

from quartiersprofile.model.areas import (
    OVERVIEW_SLUG,
    UnknownAreaError,
    profile_areas,
    resolve_areas,
    slugify,
    uninhabited_ortsteile,
)

DISTRICTS = pd.DataFrame(
    [
        ("4012", "Bremerhaven", "stadt", ""),
        ("1", "Nord", "stadtbezirk", "4012"),
        ("2", "Süd", "stadtbezirk", "4012"),
        ("13", "Lehe", "stadtteil", "1"),
        ("23", "Surheide", "stadtteil", "2"),
        ("25", "Fischereihafen", "stadtteil", "2"),
        ("131", "Speckenbüttel", "ortsteil", "13"),
        ("134", "Goethestraße", "ortsteil", "13"),
        ("231", "Surheide", "ortsteil", "23"),
        ("251", "Fischereihafen", "ortsteil", "25"),
        ("252", "Luneplate", "ortsteil", "25"),
    ],
    columns=["code", "name", "level", "parent_code"],
)
POPULATION = pd.DataFrame(
    {"district": ["131", "134", "231", "251", "252"], "period": "2024", "population": [3000, 8000, 2900, 230, 0]}
)


@pytest.fixture
def areas():
    return profile_areas(DISTRICTS, POPULATION)


def test_every_inhabited_ortsteil_every_stadtteil_and_the_city_get_one_profile(areas):
    assert [(a.level, a.code) for a in areas] == [
        ("stadt", "4012"),
        ("stadtteil", "13"),
        ("stadtteil", "23"),
        ("stadtteil", "25"),
        ("ortsteil", "131"),
        ("ortsteil", "134"),
    ]


def test_a_stadtteil_with_one_inhabited_ortsteil_is_one_area(areas):
    fischereihafen = next(a for a in areas if a.code == "25")
    assert fischereihafen.members == ("251",)
    assert fischereihafen.also_code == "251"
    assert uninhabited_ortsteile(DISTRICTS, POPULATION) == ["Luneplate"]


def test_city_and_stadtteile_sum_their_inhabited_ortsteile(areas):
    assert areas[0].members == ("131", "134", "231", "251")
    assert areas[1].members == ("131", "134")


def test_file_names_carry_level_and_url_safe_name(areas):
    assert [a.slug for a in areas] == [
        "stadt-bremerhaven",
        "stadtteil-lehe",
        "stadtteil-surheide",
        "stadtteil-fischereihafen",
        "ortsteil-speckenbuettel",
        "ortsteil-goethestrasse",
    ]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Mitte-Süd", "mitte-sued"),
        ("../../etc/passwd", "etc-passwd"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("a/b\\c\x00d", "a-b-c-d"),
        ("\u202eevil", "evil"),
        ("x" * 500, "x" * 60),
    ],
)
def test_slugify_never_yields_a_path(name, slug):
    assert slugify(name) == slug


def test_resolve_by_code_name_and_the_merged_ortsteil_code(areas):
    found = resolve_areas(areas, ["Lehe", "134", "surheide", "231", "251"])
    assert [a.code for a in found] == ["13", "134", "23", "25"]


def test_unknown_district_names_what_was_expected(areas):
    with pytest.raises(UnknownAreaError, match="Unknown district 'Lehx'.*Meinten Sie: Lehe"):
        resolve_areas(areas, ["Lehx"])


def test_the_overview_file_name_is_never_a_profile_s(areas):
    assert OVERVIEW_SLUG not in {a.slug for a in areas}
    assert all(a.slug.startswith(f"{a.level}-") for a in areas)
