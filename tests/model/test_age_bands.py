"""The 5-year age bands of the population table and the age-band specs of the catalogue
(quartiersprofile.model.age_bands)."""

import doctest
import math

import pytest

from quartiersprofile.model import age_bands
from quartiersprofile.model.age_bands import AGE_BANDS, band_limits, is_age_spec, select_age_bands


def test_age_bands():
    assert len(AGE_BANDS) == 19 and AGE_BANDS[0] == "0-4" and AGE_BANDS[-1] == "90+"
    assert select_age_bands("0-64")[-1] == "60-64" and len(select_age_bands("0-64")) == 13
    assert select_age_bands("65+") == AGE_BANDS[13:]
    with pytest.raises(ValueError):
        select_age_bands("0-63")


@pytest.mark.parametrize("empty", [None, "", math.nan])
def test_an_empty_spec_means_all_bands(empty):
    assert select_age_bands(empty) == AGE_BANDS


@pytest.mark.parametrize("spec", ["5-10", "3-9", "0-95", "90-94", "abc", "65", "-4"])
def test_specs_off_the_band_limits_are_rejected(spec):
    with pytest.raises(ValueError, match="invalid age_bands"):
        select_age_bands(spec)
    assert not is_age_spec(spec)


def test_band_limits():
    assert band_limits("0-4") == (0, 4.0)
    assert band_limits("85-89") == (85, 89.0)
    assert band_limits("90+") == (90, math.inf)
    assert is_age_spec("0-64") and is_age_spec("90+") and is_age_spec("15-44")


def test_docstring_examples():
    assert doctest.testmod(age_bands).failed == 0
