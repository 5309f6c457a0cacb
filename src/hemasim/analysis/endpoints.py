"""Per-patient endpoints of one variable's trajectories.

Every function takes either a (patient, time) DataArray (as ``hemasim.result.series`` returns)
or a result Dataset together with ``variable=``, and returns one float per patient in the
series' patient order. Endpoints are computed on the sampled time grid: extrema are sample
values, and threshold crossings are located by linear interpolation between samples.

A patient whose row contains any NaN (a failed solve) gets NaN for every endpoint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from hemasim.result import STATUS_OK, series

ENDPOINT_KINDS = (
    "nadir",
    "nadir_time",
    "peak",
    "peak_time",
    "time_below",
    "recovery_time",
    "auc",
    "first_sustained_above",
    "value_at",
    "engraftment",
    "recovery_fraction",
    "final_value",
    "peak_below",
)
"""Endpoint kinds understood by ``Endpoint`` and ``evaluate_endpoints``."""

TIME_KINDS = ("nadir_time", "peak_time", "recovery_time", "first_sustained_above",
              "engraftment", "recovery_fraction")
"""Kinds whose value is a day (reported as days since the endpoint's ``origin``)."""

THRESHOLD_KINDS = ("time_below", "recovery_time", "first_sustained_above", "engraftment",
                   "recovery_fraction", "peak_below")
"""Kinds that need a threshold; every other kind must have none."""


@dataclass(frozen=True)
class Endpoint:
    """Specification of one per-patient endpoint.

    Attributes:
        name: column name in the endpoint table (unique within one evaluation).
        variable: species or observable the endpoint is computed on.
        kind: one of ``ENDPOINT_KINDS``.
        threshold: threshold in the variable's unit; required for ``time_below``,
            ``recovery_time`` and ``first_sustained_above``, must be None otherwise.
        unit: unit text of the endpoint value, e.g. ``"1e9/L"`` for a nadir, ``"d"`` for a
            time, ``"1e9/L*d"`` for an AUC.
        after: start of the window in days for nadir, peak, recovery and sustained-above
            endpoints (samples before it are ignored); default 0. For ``value_at``, the
            day the value is read (interpolated between samples).
        consecutive_days: number of consecutive whole days for ``first_sustained_above``.
        before: end of the window in days for nadir and peak (samples after it are
            ignored); default: the end of the run. One cycle of a regimen is
            ``after=start, before=start + interval``.
        origin: day zero of a day-valued kind (``TIME_KINDS``), which is reported as days
            since it; default 0 (the start of the run). A graft's day gives the clinical
            day after transplant (engraftment on day +14).
    """

    name: str
    variable: str
    kind: str
    threshold: float | None = None
    unit: str = ""
    after: float = 0.0
    consecutive_days: int = 3
    before: float = math.inf
    origin: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ENDPOINT_KINDS:
            raise ValueError(f"endpoint {self.name!r}: kind must be one of {ENDPOINT_KINDS}")
        if self.kind in THRESHOLD_KINDS and self.threshold is None:
            raise ValueError(f"endpoint {self.name!r}: kind {self.kind!r} needs a threshold")
        if self.kind not in THRESHOLD_KINDS and self.threshold is not None:
            raise ValueError(f"endpoint {self.name!r}: kind {self.kind!r} takes no threshold")
        if self.consecutive_days < 1:
            raise ValueError(f"endpoint {self.name!r}: consecutive_days must be at least 1")


def nadir(
    data: xr.DataArray | xr.Dataset, *, variable: str | None = None, after: float = 0.0,
    before: float = math.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """Lowest sampled value in [``after``, ``before``] and the time of it, per patient.

    Args:
        data: (patient, time) series, or a result Dataset with ``variable``.
        variable: variable name when ``data`` is a result Dataset.
        after: window start in days (default 0: the nadir after treatment start).
        before: window end in days (default: end of the run).

    Returns:
        (value in the variable's unit, time in days); the first sample wins ties; NaN for
        patients with NaN samples or with no sample in the window.
    """
    times, values, valid = _prepared(data, variable)
    return _extreme(times, values, valid, after, np.argmin, before)


def peak(
    data: xr.DataArray | xr.Dataset, after: float = 0.0, *, variable: str | None = None,
    before: float = math.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """Highest sampled value in [``after``, ``before``] and the time of it, per patient.

    Args:
        data: (patient, time) series, or a result Dataset with ``variable``.
        after: window start in days.
        variable: variable name when ``data`` is a result Dataset.
        before: window end in days (default: end of the run).

    Returns:
        (value in the variable's unit, time in days); the first sample wins ties; NaN for
        patients with NaN samples or with no sample in the window.
    """
    times, values, valid = _prepared(data, variable)
    return _extreme(times, values, valid, after, np.argmax, before)


def value_at(data: xr.DataArray | xr.Dataset, day: float, *,
             variable: str | None = None) -> np.ndarray:
    """The value on ``day`` (linear interpolation between samples), per patient; NaN outside
    the sampled span or for patients with NaN samples (e.g. donor chimerism on day 100)."""
    times, values, valid = _prepared(data, variable)
    found = np.full(values.shape[0], np.nan)
    if times.size == 0 or not times[0] - 1e-9 <= day <= times[-1] + 1e-9:
        return found
    found[valid] = _interpolate_rows(times, values[valid], np.array([day]))[:, 0]
    return found


def time_below(
    data: xr.DataArray | xr.Dataset, threshold: float, *, variable: str | None = None
) -> np.ndarray:
    """Total time in days the series is strictly below ``threshold``, per patient.

    The series is taken as linear between samples over the whole sampled time span, so a
    crossing inside an interval counts the interpolated fraction of that interval.

    Args:
        data: (patient, time) series, or a result Dataset with ``variable``.
        threshold: threshold in the variable's unit.
        variable: variable name when ``data`` is a result Dataset.

    Returns:
        Days below threshold; NaN for patients with NaN samples.
    """
    times, values, valid = _prepared(data, variable)
    start, end = values[:, :-1], values[:, 1:]
    start_below, end_below = start < threshold, end < threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = (threshold - start) / (end - start)
    fraction = np.where(
        start_below & end_below,
        1.0,
        np.where(start_below, crossing, np.where(end_below, 1.0 - crossing, 0.0)),
    )
    total = np.sum(fraction * np.diff(times), axis=1)
    return np.where(valid, total, np.nan)


def recovery_time(
    data: xr.DataArray | xr.Dataset,
    threshold: float | np.ndarray,
    *,
    variable: str | None = None,
    after: float = 0.0,
) -> np.ndarray:
    """First time at or after the nadir at which the series is at or above ``threshold``.

    The nadir is the one of ``nadir(data, after=after)``. The crossing is located by linear
    interpolation between the last sample below and the first sample at or above the threshold.
    If the nadir itself is at or above the threshold (the series never fell below it), the
    result is the nadir time.

    Args:
        data: (patient, time) series, or a result Dataset with ``variable``.
        threshold: threshold in the variable's unit, one for all patients or one per patient.
        variable: variable name when ``data`` is a result Dataset.
        after: window start in days for the nadir.

    Returns:
        Time in days; NaN if the series never gets back to the threshold after the nadir, or
        for patients with NaN samples.
    """
    times, values, valid = _prepared(data, variable)
    thresholds = np.broadcast_to(np.asarray(threshold, dtype=float), (values.shape[0],))
    _, nadir_time = _extreme(times, values, valid, after, np.argmin)
    recovered = np.full(values.shape[0], np.nan)
    for patient_index in np.flatnonzero(~np.isnan(nadir_time)):
        nadir_index = int(np.searchsorted(times, nadir_time[patient_index]))
        threshold = thresholds[patient_index]
        row = values[patient_index, nadir_index:]
        at_or_above = np.flatnonzero(row >= threshold)
        if at_or_above.size == 0:
            continue
        first = nadir_index + int(at_or_above[0])
        if first == nadir_index:
            recovered[patient_index] = times[first]
            continue
        before, after_value = values[patient_index, first - 1], values[patient_index, first]
        fraction = (threshold - before) / (after_value - before)
        recovered[patient_index] = times[first - 1] + fraction * (times[first] - times[first - 1])
    return recovered


def auc(data: xr.DataArray | xr.Dataset, *, variable: str | None = None) -> np.ndarray:
    """Trapezoidal area under the series over the whole sampled time span, per patient.

    Args:
        data: (patient, time) series, or a result Dataset with ``variable``.
        variable: variable name when ``data`` is a result Dataset.

    Returns:
        Area in (variable unit) x day; NaN for patients with NaN samples.
    """
    times, values, valid = _prepared(data, variable)
    area = np.trapezoid(values, times, axis=1) if times.size > 1 else np.zeros(len(values))
    return np.where(valid, area, np.nan)


def first_sustained_above(
    data: xr.DataArray | xr.Dataset,
    threshold: float,
    consecutive_days: int = 3,
    *,
    variable: str | None = None,
    after: float = 0.0,
) -> np.ndarray:
    """First whole day of a run of ``consecutive_days`` whole days at or above ``threshold``.

    The series is evaluated at the whole days within the sampled span and at or after
    ``after`` (linear interpolation where a whole day is not a sample). This is the usual
    engraftment definition, e.g. ANC >= 0.5e9/L on 3 consecutive days.

    Args:
        data: (patient, time) series, or a result Dataset with ``variable``.
        threshold: threshold in the variable's unit.
        consecutive_days: length of the run in days (at least 1).
        variable: variable name when ``data`` is a result Dataset.
        after: first day considered, in days.

    Returns:
        The run's first day; NaN if no such run, or for patients with NaN samples.
    """
    if consecutive_days < 1:
        raise ValueError(f"consecutive_days must be at least 1, got {consecutive_days}")
    times, values, valid = _prepared(data, variable)
    first_result = np.full(values.shape[0], np.nan)
    if times.size == 0:
        return first_result
    first_day = math.ceil(max(times[0], after))
    last_day = math.floor(times[-1])
    if last_day - first_day + 1 < consecutive_days:
        return first_result
    days = np.arange(first_day, last_day + 1, dtype=np.float64)
    daily = _interpolate_rows(times, values, days)
    at_or_above = (daily >= threshold).astype(np.int64)
    run_counts = np.cumsum(at_or_above, axis=1)
    run_counts = np.concatenate([np.zeros((len(daily), 1), dtype=np.int64), run_counts], axis=1)
    sustained = (run_counts[:, consecutive_days:] - run_counts[:, :-consecutive_days]) == (
        consecutive_days
    )
    has_run = sustained.any(axis=1) & valid
    first_result[has_run] = days[np.argmax(sustained[has_run], axis=1)]
    return first_result


def recovery_to_baseline(data: xr.DataArray | xr.Dataset, fraction: float, *,
                         variable: str | None = None, after: float = 0.0) -> np.ndarray:
    """First time after the nadir at which the series is back at ``fraction`` of its own
    value at the first sample (e.g. 0.95: time to 95 % of baseline), per patient."""
    times, values, valid = _prepared(data, variable)
    return recovery_time(data, fraction * values[:, 0], variable=variable, after=after)


def engraftment(data: xr.DataArray | xr.Dataset, threshold: float, consecutive_days: int = 3,
                *, variable: str | None = None, after: float = 0.0) -> np.ndarray:
    """Engraftment day: the first of ``consecutive_days`` whole days at or above
    ``threshold`` counted from each patient's nadir after ``after`` (the clinical definition
    after transplant or myelosuppression, e.g. ANC >= 0.5 x10^9/L on 3 consecutive days).

    NaN for a patient whose count never fell below ``threshold`` after ``after``: there was
    no aplasia to engraft from (transplant registries record these patients as never below
    the threshold rather than giving them an engraftment day)."""
    if isinstance(data, xr.Dataset):
        data = series(data, variable)
    lowest, nadir_time = nadir(data, after=after)
    found = np.full(nadir_time.shape, np.nan)
    for index, start in enumerate(nadir_time):
        if np.isfinite(start) and lowest[index] < threshold:
            found[index] = first_sustained_above(data.isel(patient=[index]), threshold,
                                                 consecutive_days, after=float(start))[0]
    return found


def evaluate_endpoints(result: xr.Dataset, specs: list[Endpoint]) -> pd.DataFrame:
    """Evaluate endpoint specifications on every patient of a result.

    Args:
        result: a result Dataset from ``hemasim.result.make_result``.
        specs: endpoint specifications with unique names.

    Returns:
        DataFrame with one row per patient (result order): column ``patient`` (int64 id), then
        one float column per endpoint name in ``specs`` order; NaN for failed patients
        (status != 0) whatever their values.

    Raises:
        ValueError: if endpoint names repeat or equal ``"patient"``.
        KeyError: if an endpoint's variable is not in the result.
    """
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names) or "patient" in names:
        raise ValueError(f"endpoint names must be unique and not 'patient', got {names}")
    failed = result["status"].values != STATUS_OK
    table = {"patient": result["patient"].values.astype(np.int64)}
    for spec in specs:
        column = np.asarray(_evaluate(series(result, spec.variable), spec), dtype=np.float64)
        if spec.kind in TIME_KINDS:
            column = column - spec.origin
        table[spec.name] = np.where(failed, np.nan, column)
    return pd.DataFrame(table)


def endpoint_unit(spec: Endpoint, variable_unit: str) -> str:
    """Default unit of an endpoint given the unit of its variable.

    Args:
        spec: the endpoint specification; a non-empty ``spec.unit`` is returned unchanged.
        variable_unit: unit text of ``spec.variable``.

    Returns:
        The variable's unit for nadir and peak, ``"d"`` for times and durations, and
        ``"<unit>*d"`` for an AUC.
    """
    if spec.unit:
        return spec.unit
    if spec.kind in ("nadir", "peak", "value_at", "final_value"):
        return variable_unit
    if spec.kind == "auc":
        return f"{variable_unit}*d"
    return "d"


def _evaluate(trajectories: xr.DataArray, spec: Endpoint) -> np.ndarray:
    if spec.kind == "nadir":
        return nadir(trajectories, after=spec.after, before=spec.before)[0]
    if spec.kind == "nadir_time":
        return nadir(trajectories, after=spec.after, before=spec.before)[1]
    if spec.kind == "peak":
        return peak(trajectories, after=spec.after, before=spec.before)[0]
    if spec.kind == "peak_time":
        return peak(trajectories, after=spec.after, before=spec.before)[1]
    if spec.kind == "peak_below":
        highest = peak(trajectories, after=spec.after, before=spec.before)[0]
        return np.where(np.isnan(highest), np.nan, (highest < spec.threshold).astype(float))
    if spec.kind == "value_at":
        return value_at(trajectories, spec.after)
    if spec.kind == "final_value":
        times = trajectories["time"].values
        return value_at(trajectories, float(times[-1])) if times.size else np.array([])
    if spec.kind == "engraftment":
        return engraftment(trajectories, spec.threshold, spec.consecutive_days, after=spec.after)
    if spec.kind == "recovery_fraction":
        return recovery_to_baseline(trajectories, spec.threshold, after=spec.after)
    if spec.kind == "time_below":
        return time_below(trajectories, spec.threshold)
    if spec.kind == "recovery_time":
        return recovery_time(trajectories, spec.threshold, after=spec.after)
    if spec.kind == "auc":
        return auc(trajectories)
    return first_sustained_above(
        trajectories, spec.threshold, spec.consecutive_days, after=spec.after
    )


def _prepared(
    data: xr.DataArray | xr.Dataset, variable: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times (days), values (patient, time) and a per-patient all-samples-valid mask."""
    if isinstance(data, xr.Dataset):
        if variable is None:
            raise ValueError("a result Dataset needs variable= to pick the series")
        data = series(data, variable)
    elif variable is not None:
        raise ValueError("variable= is only used with a result Dataset")
    if set(data.dims) != {"patient", "time"}:
        raise ValueError(f"series must have dims (patient, time), got {data.dims}")
    ordered = data.transpose("patient", "time")
    values = np.asarray(ordered.values, dtype=np.float64)
    times = np.asarray(ordered["time"].values, dtype=np.float64)
    valid = ~np.isnan(values).any(axis=1)
    return times, values, valid


def _extreme(times, values, valid, after, arg_function,
             before: float = math.inf) -> tuple[np.ndarray, np.ndarray]:
    window = (times >= after) & (times <= before)
    extreme_value = np.full(values.shape[0], np.nan)
    extreme_time = np.full(values.shape[0], np.nan)
    if not window.any():
        return extreme_value, extreme_time
    windowed = np.where(valid[:, None], values[:, window], 0.0)
    index = arg_function(windowed, axis=1)
    extreme_value[valid] = windowed[valid, index[valid]]
    extreme_time[valid] = times[window][index[valid]]
    return extreme_value, extreme_time


def _interpolate_rows(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Linear interpolation of every row of ``values`` (sampled at ``times``) at ``at``."""
    if times.size == 1:
        return np.repeat(values, at.size, axis=1)
    upper = np.clip(np.searchsorted(times, at, side="right"), 1, times.size - 1)
    lower = upper - 1
    weight = (at - times[lower]) / (times[upper] - times[lower])
    return values[:, lower] * (1.0 - weight) + values[:, upper] * weight
