"""Population projection for the Ortsteile of Bremerhaven by sex and 5-year age band (Hamilton-Perry, annual steps).

The register gives the population on 31.12. by Ortsteil, sex and age band ("0-4", ..., "85-89", "90+") for a
few consecutive years, and nothing about births, deaths or moves. Cohort-change ratios need nothing more
(Hamilton & Perry 1962; Swanson, Schlottmann & Schmidt 2010; Baker et al. 2017):

* bands 5-9 to 90+ follow their cohort with a cohort-change ratio (CCR), the open band 90+ is "closed" by
  adding the cohort that enters it to the survivors already in it; the band 0-4 follows from the women aged
  15-49 through a child-woman ratio (CWR), split into girls and boys by the city's sex ratio at 0-4;
* the ratios of small areas are shrunk toward the city's with credibility weights w = n / (n + k)
  (Buehlmann & Straub 1970 for the CCRs, Marshall 1991 for the CWRs), k estimated from the data;
* the Ortsteile are scaled to the city's own projection (or an official one) per year, sex and band, so that
  they add up to it exactly; Stadtteile and the city are sums of their Ortsteile;
* prediction intervals come from back-tests on the register itself (Smith & Sincich 1988; Rayer, Smith &
  Tayman 2009): absolute log errors per area-size class and age group, scaled with the projection horizon.

Why one-year steps. Classic Hamilton-Perry moves every band up one band in a 5-year step, with ratios observed
over five years. Six annual stocks (2019-2024) hold exactly one such ratio and leave no year to test it on.
Here the step is one year. Who moves up a band within a year is the oldest single year of each band; the bands
are spread over single years by a straight line through each band's mean (`split_single_years`), so without
deaths or moves a band would hold itself minus its oldest year plus the oldest year of the band below a year
later (the open band 90+ keeps all of itself). The annual CCR is observed / expected, a ratio of sums over the
base years, which span the same five years as the one classic ratio. The projection keeps single years of age
inside: the launch population is spread over single years once, every single-year cohort then ages one year
per step and is multiplied by the CCR of the band it enters, and only the output is summed to 5-year bands.
This keeps cohorts together (re-spreading every year would smear a large cohort over ever more bands), and
with equal ratios in all bands it is exactly the 5-year step.
Age groups are given by their first and last year of age (inclusive; None for an open group), as
`model.age_bands.AGE_GROUPS`, and named from these bounds (`model.age_bands.age_group_label`). The method, the
back-test results and the references: docs/projection.md.

The parts: `base` (constants, checks, the population cube), `ratios`, `cohorts` (the projection),
`areas` (areas, age groups, size classes), `intervals` (back-tests and prediction intervals).
"""

from __future__ import annotations

from .areas import (  # noqa: F401  (the package's API)
    aggregate,
    group_label,
    group_weights,
    size_class_labels,
)
from .base import (  # noqa: F401  (the package's API)
    BAND_WIDTH,
    DEFAULT_BASE_YEARS,
    DEFAULT_GROUPS,
    DEFAULT_MOTHER_AGES,
    DEFAULT_SIZE_BOUNDS,
    OPEN_AGE,
    SCALINGS,
    TOTAL,
)
from .cohorts import (  # noqa: F401  (the package's API)
    _project_values,
    control_to_total,
    project,
)
from .intervals import (  # noqa: F401  (the package's API)
    ERROR_TABLE_GROUPS,
    ProjectionRun,
    backtest,
    backtest_error_table,
    error_quantiles,
    prediction_intervals,
    project_with_intervals,
    run_projection,
)
from .ratios import (  # noqa: F401  (the package's API)
    child_woman_ratios,
    cohort_change_ratios,
    shrink,
    shrinkage_constant,
    shrinkage_weight,
    split_single_years,
)
