"""quartiersprofile.stats.social_index: the Gesundheits- und Sozialindex against hand calculations on small tables."""

import math

import numpy as np
import pandas as pd
import pytest

from quartiersprofile.stats.social_index import social_index


def frame(rows, columns=("x", "y")):
    return pd.DataFrame(rows, index=[f"a{i}" for i in range(len(rows))], columns=list(columns), dtype=float)


def even(table, people=1000.0):
    return pd.Series(people, index=table.index)


def weighted_z(column, weights):
    """Population-weighted z-scores, written out with np.average."""
    mean = np.average(column, weights=weights)
    return (column - mean) / math.sqrt(np.average((column - mean) ** 2, weights=weights))


def test_equal_weight_index_matches_hand_calculation():
    # x: mean 4, SD sqrt(5); y (higher is better): mean 5, SD sqrt(5); oriented z of y is -(y - 5) / sqrt(5).
    table = frame([[1, 8], [3, 4], [5, 6], [7, 2]])
    result = social_index(
        table, even(table), {"x": "higher_is_worse", "y": "higher_is_better"}, classes=(0.0,)
    )  # two classes: four areas cannot fill five quintiles
    # mean oriented z: -3/sqrt(5), 0, 0, 3/sqrt(5); its weighted SD is sqrt(0.9), so the rescaled
    # equal-weight index is -3 / sqrt(4.5) = -sqrt(2), 0, 0, +sqrt(2).
    assert result.equal_score.to_numpy() == pytest.approx([-math.sqrt(2), 0, 0, math.sqrt(2)], abs=1e-12)
    assert result.centre.to_dict() == pytest.approx({"x": 4.0, "y": 5.0})
    assert result.spread.to_dict() == pytest.approx({"x": math.sqrt(5), "y": math.sqrt(5)})
    assert result.orientation.to_dict() == {"x": 1.0, "y": -1.0}
    # x and oriented y correlate 0.8: the first component of [[1, .8], [.8, 1]] has equal weights 1/sqrt(2),
    # eigenvalue 1.8, and so equals the equal-weight index.
    assert result.weights.to_numpy() == pytest.approx([1 / math.sqrt(2)] * 2)
    assert result.eigenvalue == pytest.approx(1.8) and result.explained == pytest.approx(0.9)
    assert result.loadings.to_numpy() == pytest.approx([math.sqrt(0.9)] * 2)
    assert result.score.to_numpy() == pytest.approx(result.equal_score.to_numpy())
    assert result.rank["a3"] == 1 and result.rank["a0"] == 4
    assert result.agreement == pytest.approx(1.0)


def test_population_weighted_standardisation():
    table = frame([[2, 10], [4, 30], [9, 20], [5, 70], [1, 40]])
    people = pd.Series([500, 1500, 800, 3000, 1200], index=table.index, dtype=float)
    result = social_index(table, people, {"x": "higher_is_worse", "y": "higher_is_worse"}, min_population=0)
    for column in table:
        mean = np.average(table[column], weights=people)
        assert result.centre[column] == pytest.approx(mean)
        assert result.spread[column] == pytest.approx(
            math.sqrt(np.average((table[column] - mean) ** 2, weights=people))
        )
    expected_equal = (weighted_z(table.x, people) + weighted_z(table.y, people)) / 2
    expected_equal = weighted_z(expected_equal, people)
    assert result.equal_score.to_numpy() == pytest.approx(expected_equal.to_numpy())
    # the component score is on the documented scale: weighted mean 0 and weighted SD 1
    assert np.average(result.score, weights=people) == pytest.approx(0, abs=1e-12)
    assert np.average(result.score**2, weights=people) == pytest.approx(1)


def test_pca_of_perfectly_correlated_indicators():
    x = np.array([1.0, 2, 3, 4, 6, 9])
    table = pd.DataFrame({"a": x, "b": 2 * x + 1, "c": 10 - x}, index=list("uvwxyz"))
    polarity = {"a": "higher_is_worse", "b": "higher_is_worse", "c": "higher_is_better"}
    result = social_index(table, even(table), polarity)
    assert result.weights.to_numpy() == pytest.approx([1 / math.sqrt(3)] * 3)
    assert result.loadings.to_numpy() == pytest.approx([1.0, 1.0, 1.0])
    assert result.eigenvalue == pytest.approx(3.0)
    assert result.explained == pytest.approx(1.0)
    assert result.score.to_numpy() == pytest.approx((x - x.mean()) / x.std())
    assert result.rank.tolist() == [6, 5, 4, 3, 2, 1]


def test_sign_follows_burden_whatever_the_eigenvector_sign():
    rng = np.random.default_rng(5)
    common = rng.normal(size=30)
    table = pd.DataFrame(
        {
            "p": common + rng.normal(0, 0.3, 30),
            "q": common + rng.normal(0, 0.5, 30),
            "r": -common + rng.normal(0, 0.4, 30),
        }
    )
    table.index = [f"o{i}" for i in range(30)]
    worse = {"p": "higher_is_worse", "q": "higher_is_worse", "r": "higher_is_better"}
    result = social_index(table, even(table), worse)
    assert result.loadings.sum() > 0 and (result.loadings > 0).all()
    assert np.corrcoef(result.score, common)[0, 1] > 0.9  # higher score = more of the burden dimension
    turned = social_index(table, even(table), {k: "higher_is_better" if v == "higher_is_worse" else
                                                      "higher_is_worse" for k, v in worse.items()})  # fmt: skip
    assert turned.score.to_numpy() == pytest.approx(-result.score.to_numpy())
    assert turned.loadings.to_numpy() == pytest.approx(result.loadings.to_numpy())
    assert result.agreement > 0.95 and result.rank_agreement > 0.9


def test_quintile_classes_and_cut_points():
    table = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) ** 1.5}, index=[f"o{i}" for i in range(10)])
    result = social_index(table, even(table), {"a": "higher_is_worse", "b": "higher_is_worse"})
    # ranks 1-2 (highest burden) -> class 5, ..., ranks 9-10 -> class 1
    assert result.index_class.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert len(result.cut_points) == 4 and list(result.cut_points) == sorted(result.cut_points)
    fixed = social_index(table, even(table), {"a": "higher_is_worse", "b": "higher_is_worse"},
                                 classes=(-1, -0.5, 0.5, 1))  # fmt: skip
    expected = 1 + np.searchsorted([-1, -0.5, 0.5, 1], fixed.score.to_numpy(), side="right")
    assert fixed.index_class.tolist() == expected.tolist()
    assert fixed.cut_points == (-1.0, -0.5, 0.5, 1.0)


@pytest.mark.parametrize(
    ("polarity", "message"),
    [
        ({"x": "higher_is_worse", "y": "neutral"}, "neutral indicators cannot enter"),
        ({"x": "higher_is_worse", "y": "up"}, "polarity must be one of"),
        ({"x": "higher_is_worse"}, "polarity is missing for: y"),
    ],
)
def test_index_refuses_bad_polarity(polarity, message):
    table = frame([[1, 8], [3, 4], [5, 6], [7, 2]])
    with pytest.raises(ValueError, match=message):
        social_index(table, even(table), polarity, classes=(0.0,))


def test_index_argument_checks():
    table = frame([[1, 8], [3, 4], [5, 6], [7, 2]])
    polarity = {"x": "higher_is_worse", "y": "higher_is_worse"}
    with pytest.raises(ValueError, match="population is missing for: a3"):
        social_index(table, even(table).iloc[:3], polarity, classes=(0.0,))
    with pytest.raises(ValueError, match="same value in every area"):
        social_index(table.assign(y=1.0), even(table), polarity, classes=(0.0,))
    with pytest.raises(ValueError, match="at least two indicators"):
        social_index(table[["x"]], even(table), {"x": "higher_is_worse"}, classes=(0.0,))
    with pytest.raises(ValueError, match="fallback values are needed"):
        social_index(table, even(table), polarity, impute="fallback", classes=(0.0,))
    with pytest.raises(ValueError, match="five quintile classes need at least 5"):
        social_index(table, even(table), polarity)
    with pytest.raises(ValueError, match="cut points"):
        social_index(table, even(table), polarity, classes=(1, 0))


def test_exclusions_and_imputation_flags():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7])
    table = pd.DataFrame({"a": x, "b": 3 * x, "c": x + 4}, index=list("pqrstuv"))
    table.loc["q", "b"] = np.nan  # imputed
    table.loc["r", ["a", "b"]] = np.nan  # 2 of 3 missing: excluded
    people = pd.Series(1000.0, index=table.index)
    people["v"] = 250  # below 300: excluded
    polarity = dict.fromkeys("abc", "higher_is_worse")
    result = social_index(table, people, polarity)
    assert result.excluded.to_dict() == {
        "r": "more than 50% of the indicators missing",
        "v": "fewer than 300 inhabitants",
    }
    assert list(result.score.index) == list("pqstu")
    assert result.imputed.sum().sum() == 1 and result.imputed.loc["q", "b"]
    # the indicators are exact linear functions of one another: the component imputation recovers 3 * 2
    assert result.values.loc["q", "b"] == pytest.approx(6.0, rel=1e-8)
    mean = social_index(table, people, polarity, impute="mean")
    assert mean.values.loc["q", "b"] == pytest.approx(table.loc[["p", "s", "t", "u"], "b"].mean())
    parent = pd.DataFrame(np.nan, index=table.index, columns=table.columns)
    parent.loc["q", "b"] = 4.5
    fallback = social_index(table, people, polarity, impute="fallback", fallback=parent)
    assert fallback.values.loc["q", "b"] == 4.5


def test_component_imputation_never_changes_observed_values():
    rng = np.random.default_rng(11)
    table = pd.DataFrame(rng.normal(size=(12, 4)) + rng.normal(size=(12, 1)), columns=list("abcd"))
    table.index = [f"o{i}" for i in range(12)]
    table.iloc[2, 1] = table.iloc[5, 3] = np.nan
    result = social_index(table, even(table), dict.fromkeys("abcd", "higher_is_worse"))
    observed = table.notna().to_numpy()
    assert result.values.to_numpy()[observed] == pytest.approx(table.to_numpy()[observed])
