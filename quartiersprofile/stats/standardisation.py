"""Indirect standardisation: the standardised mortality ratio (SMR) against a reference population, as
PHEindicatormethods' calculate_ISRatio (exact Poisson limits below 10 observed events, Byar's method from 10).

Used where direct standardisation (`estimates.dsr`) is unstable: small areas with few deaths per age band.
"""

from __future__ import annotations

import numpy as np

from .checks import (
    broadcast,
    check,
    check_confidence,
    check_positive_number,
    scalar_or_array,
)
from .estimates import Estimate, poisson_limits


def _estimate(value, lower, upper, method, confidence):
    """Build an Estimate, turning 0-d results into Python floats."""
    return Estimate(scalar_or_array(value), scalar_or_array(lower), scalar_or_array(upper), method, confidence)


def expected_events(population, reference_events, reference_population):
    """Expected events by indirect standardisation: sum over age bands (last axis) of reference rate x population.

    NaN anywhere in an area's bands gives NaN (PHE instead counts a missing value as 0).
    """
    population, reference_events, reference_population = _expected_inputs(
        population, reference_events, reference_population
    )
    return scalar_or_array(np.sum(reference_events / reference_population * population, axis=-1))


def _expected_inputs(population, reference_events, reference_population):
    """Check and broadcast the inputs of an indirect standardisation."""
    population = np.asarray(population, dtype=float)
    if population.ndim == 0:
        raise ValueError("population needs an age band axis (the last axis)")
    try:
        population, reference_events, reference_population = broadcast(
            population, reference_events, reference_population
        )
    except ValueError:
        raise ValueError(
            f"reference_deaths and reference_population must have one value per age band ({population.shape[-1]}) "
            "or the shape of population"
        ) from None
    check(population < 0, "population must not be negative")
    check(reference_events < 0, "reference deaths (events) must not be negative")
    check(reference_population <= 0, "reference population must be greater than 0 in every age band")
    return population, reference_events, reference_population


def smr(observed, population, reference_deaths, reference_population, confidence=0.95, multiplier=100):
    """Standardised mortality ratio (indirectly standardised ratio), as PHEindicatormethods calculate_ISRatio.

    population: the area's population per age band (last axis, leading axes for areas). reference_deaths,
    reference_population: the standard population's deaths and population per band (same bands; one vector
    for all areas, or one per area). observed: either deaths per age band (the shape of population; summed)
    or total deaths per area (the shape of population without its last axis) - as PHE, which takes either.

    expected = sum(reference_deaths / reference_population * population); value = observed / expected x
    multiplier (100: England = 100; PHE's refvalue, default 1 there). Limits: exact Poisson limits of the
    observed count below 10 events (chi-square / gamma quantiles, Armitage & Berry), Byar's method from 10,
    divided by expected. Value and limits are NaN where nothing is expected (expected = 0).
    """
    confidence = check_confidence(confidence)
    check_positive_number("multiplier", multiplier)
    population, reference_deaths, reference_population = _expected_inputs(
        population, reference_deaths, reference_population
    )
    observed = np.asarray(observed, dtype=float)
    if observed.shape == population.shape:
        observed = observed.sum(axis=-1)
    elif observed.shape != population.shape[:-1]:
        raise ValueError(
            f"observed must have the shape of population {population.shape} (deaths per age band) or "
            f"{population.shape[:-1]} (total deaths per area), got {observed.shape}"
        )
    check(observed < 0, "observed deaths must not be negative")
    expected = np.sum(reference_deaths / reference_population * population, axis=-1)
    lower_count, upper_count = poisson_limits(observed, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(expected > 0, multiplier / expected, np.nan)
    return _estimate(
        observed * scale, lower_count * scale, upper_count * scale, "exact Poisson (< 10 events), Byar", confidence
    )
