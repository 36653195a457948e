"""Statistics, the second layer: plain vectorised functions that know no files, pictures or orchestration.

Owns: `estimates` (values with confidence intervals as in PHEindicatormethods, comparison with a benchmark,
trend test, pooling), `suppression` (the one small-number rule) and `checks` (argument checks shared by these
modules).

May import: `quartiersprofile.model`.
"""

from .estimates import (
    ESP2013,
    Estimate,
    Trend,
    compare_to_benchmark,
    dsr,
    mean,
    mean_from_summary,
    pool,
    proportion,
    rate,
    recent_trend,
)

__all__ = [
    "ESP2013",
    "Estimate",
    "Trend",
    "compare_to_benchmark",
    "dsr",
    "mean",
    "mean_from_summary",
    "pool",
    "proportion",
    "rate",
    "recent_trend",
]
