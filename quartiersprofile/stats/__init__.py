"""Statistics, the second layer: plain vectorised functions that know no files, pictures or orchestration.

Owns: `estimates` (values with confidence intervals as in PHEindicatormethods, comparison with a benchmark,
trend test, pooling), `life_tables` (life expectancy), `standardisation` (SMR), `inequality` (SII, RII),
`suppression` (the one small-number rule), `social_index` and `index_uncertainty` (the Gesundheits- und
Sozialindex), `neighbours` (similar areas), `targets`, `change` (between two periods), `projection` (the
population projection with back-tested prediction intervals) and `checks` (argument checks shared by these
modules).

May import: `quartiersprofile.model`.
"""

from .estimates import (
    ESP2013,
    Estimate,
    Trend,
    compare_to_benchmark,
    dsr,
    dsr_variance,
    mean,
    mean_from_summary,
    pool,
    proportion,
    rate,
    recent_trend,
    weighted_trend,
)
from .inequality import InequalityEstimate, sii
from .life_tables import LifeExpectancyEstimate, life_expectancy
from .standardisation import expected_events, smr

__all__ = [
    "ESP2013",
    "Estimate",
    "Trend",
    "compare_to_benchmark",
    "dsr",
    "dsr_variance",
    "mean",
    "mean_from_summary",
    "pool",
    "proportion",
    "rate",
    "recent_trend",
    "weighted_trend",
    "InequalityEstimate",
    "LifeExpectancyEstimate",
    "expected_events",
    "life_expectancy",
    "sii",
    "smr",
]
