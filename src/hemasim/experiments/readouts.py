"""Read-out helpers shared by the built-in experiments: one number from one trajectory.

Each function takes a result Dataset of one patient and returns a float (NaN when the event
does not happen in the run), so an experiment's read-out function is a short dict of calls.
Thresholds and windows are in the variable's unit and in days of the run.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from hemasim.analysis.endpoints import (
    engraftment,
    nadir,
    peak,
    time_below,
    value_at,
)


def trajectory(result: xr.Dataset, variable: str) -> tuple[np.ndarray, np.ndarray]:
    """(times in days, values) of ``variable`` for the first patient."""
    values = result["value"].sel(variable=variable).isel(patient=0).values
    return result["time"].values, np.asarray(values, dtype=float)


def parameter_value(result: xr.Dataset, name: str) -> float:
    """The first patient's value of a declared parameter (its own unit), e.g. the
    steady-state ``anc_baseline`` to compare with after an injury at time zero."""
    return float(result["parameter_value"].sel(parameter=name).isel(patient=0))


def baseline(result: xr.Dataset, variable: str) -> float:
    """Value at time zero."""
    return float(trajectory(result, variable)[1][0])


def low(result: xr.Dataset, variable: str, after: float = 0.0,
        before: float = math.inf) -> tuple[float, float]:
    """(lowest value, its day) in [after, before]."""
    value, day = nadir(result, variable=variable, after=after, before=before)
    return float(value[0]), float(day[0])


def high(result: xr.Dataset, variable: str, after: float = 0.0,
         before: float = math.inf) -> tuple[float, float]:
    """(highest value, its day) in [after, before]."""
    value, day = peak(result, variable=variable, after=after, before=before)
    return float(value[0]), float(day[0])


def at_day(result: xr.Dataset, variable: str, day: float) -> float:
    """Value on ``day`` (interpolated)."""
    return float(value_at(result, day, variable=variable)[0])


def first_day_at_or_above(result: xr.Dataset, variable: str, level: float,
                          after: float = 0.0) -> float:
    """First time at or after ``after`` when ``variable`` reaches ``level`` (linear
    interpolation between samples); NaN if it never does."""
    times, values = trajectory(result, variable)
    inside = np.flatnonzero((times >= after) & (values >= level))
    if inside.size == 0:
        return float("nan")
    k = int(inside[0])
    if k == 0 or times[k - 1] < after:
        return float(times[k])
    fraction = (level - values[k - 1]) / (values[k] - values[k - 1])
    return float(times[k - 1] + fraction * (times[k] - times[k - 1]))


def engraftment_day(result: xr.Dataset, variable: str, level: float, after: float) -> float:
    """Engraftment: first of 3 consecutive days at or above ``level`` after the nadir that
    follows ``after`` (the clinical definition; Champlin 2000), in days of the run."""
    return float(engraftment(result, level, 3, variable=variable, after=after)[0])


def cohort_days_below(result: xr.Dataset, variable: str, level: float) -> np.ndarray:
    """Days spent below ``level`` over the run, one value per patient."""
    return np.asarray(time_below(result, level, variable=variable), dtype=float)
