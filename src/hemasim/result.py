"""The one result type of hemasim: an ``xarray.Dataset`` of patient trajectories.

Every simulation, whatever model or engine produced it, returns a Dataset with this layout::

    dims: patient, time, variable, parameter
    data_vars:
      value           (patient, time, variable) float64  NaN rows for patients whose solve failed
      parameter_value (patient, parameter)      float64  the patient's parameters (model units)
      status          (patient,)                int8     0 ok, 1 solver failure
      message         (patient,)                str      "" or the failure message
    coords:
      patient         int64 ids (a chunk may hold ids 5000..5999)
      time            float64, days (attrs units="d")
      variable        str, species and observable names
      unit            (variable,) str
      kind            (variable,) str, "species" or "observable"
      parameter       str
      parameter_unit  (parameter,) str
    attrs: provenance, JSON-serialisable scalars and strings (see ``PROVENANCE_KEYS``)

``make_result`` is the only constructor; it validates shapes and values so that every consumer
(analysis, io, plot) can rely on the layout without checking it again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import xarray as xr

STATUS_OK = 0
"""Status code of a patient whose solve succeeded."""

STATUS_FAILED = 1
"""Status code of a patient whose solve failed; its ``value`` rows are NaN."""

VARIABLE_KINDS = ("species", "observable")
"""Allowed entries of the ``kind`` coordinate."""

TIME_UNIT = "d"
"""Unit written in the ``units`` attribute of the ``time`` coordinate."""

PROVENANCE_KEYS = (
    "model",
    "model_hash",
    "scenario",
    "scenario_name",
    "engine",
    "rtol",
    "atol",
    "seed",
    "patients",
    "hemasim_version",
)
"""Attributes every result carries. ``patients`` is filled in when absent.

There is deliberately no wall-clock timestamp: the same model, scenario, seed and engine give
byte-identical result files, whatever the machine or the day."""

MATCHING_PROVENANCE_KEYS = ("model", "model_hash", "scenario", "engine", "rtol", "atol")
"""Attributes that chunks must share to be joined by ``concat_patients``."""


def make_result(
    *,
    values: np.ndarray,
    times: Sequence[float] | np.ndarray,
    variables: Sequence[str],
    units: Sequence[str],
    kinds: Sequence[str],
    patient_ids: Sequence[int] | np.ndarray,
    parameter_names: Sequence[str],
    parameter_units: Sequence[str],
    parameter_values: np.ndarray,
    status: Sequence[int] | np.ndarray,
    messages: Sequence[str],
    provenance: dict,
) -> xr.Dataset:
    """Build a validated result Dataset.

    Args:
        values: trajectories, shape (patients, times, variables), in each variable's unit;
            rows of failed patients (status 1) must be entirely NaN.
        times: sample times in days, strictly increasing and finite, length = times.
        variables: unique species and observable names, length = variables.
        units: unit text of each variable (e.g. ``"1e9/L"``), same order as ``variables``.
        kinds: ``"species"`` or ``"observable"`` for each variable.
        patient_ids: unique integer patient ids, length = patients.
        parameter_names: unique parameter names, length = parameters (may be 0).
        parameter_units: unit text of each parameter, same order as ``parameter_names``.
        parameter_values: shape (patients, parameters), in each parameter's unit.
        status: per patient, 0 (ok) or 1 (solver failure).
        messages: per patient, ``""`` or the failure message.
        provenance: attributes as listed in ``PROVENANCE_KEYS``; every value must be a string,
            an int or a finite float (no None, no bool, no containers). ``patients``
            defaults to the number of patients and must equal it when given.

    Returns:
        The result Dataset described in this module's docstring.

    Raises:
        ValueError: on any shape, type or consistency violation, naming the offending field.
    """
    value_array = np.asarray(values, dtype=np.float64)
    if value_array.ndim != 3:
        raise ValueError(
            f"values must have 3 dimensions (patient, time, variable), got shape "
            f"{value_array.shape}"
        )
    patient_count, time_count, variable_count = value_array.shape

    time_array = _one_dimensional(times, "times", np.float64, time_count)
    if not np.all(np.isfinite(time_array)):
        raise ValueError("times must all be finite")
    if time_count > 1 and not np.all(np.diff(time_array) > 0):
        raise ValueError("times must be strictly increasing")

    variable_array = _string_array(variables, "variables", variable_count)
    _require_unique(variable_array, "variables")
    unit_array = _string_array(units, "units", variable_count)
    kind_array = _string_array(kinds, "kinds", variable_count)
    unknown_kinds = sorted(set(kind_array.tolist()) - set(VARIABLE_KINDS))
    if unknown_kinds:
        raise ValueError(f"kinds must be one of {VARIABLE_KINDS}, got {unknown_kinds}")

    patient_array = _integer_array(patient_ids, "patient_ids", patient_count)
    _require_unique(patient_array, "patient_ids")

    parameter_name_array = _string_array(parameter_names, "parameter_names", None)
    parameter_count = parameter_name_array.size
    _require_unique(parameter_name_array, "parameter_names")
    parameter_unit_array = _string_array(parameter_units, "parameter_units", parameter_count)
    parameter_value_array = np.asarray(parameter_values, dtype=np.float64)
    if parameter_value_array.shape != (patient_count, parameter_count):
        raise ValueError(
            f"parameter_values must have shape (patients, parameters) = "
            f"{(patient_count, parameter_count)}, got {parameter_value_array.shape}"
        )

    status_array = _integer_array(status, "status", patient_count).astype(np.int8)
    unknown_status = sorted(set(status_array.tolist()) - {STATUS_OK, STATUS_FAILED})
    if unknown_status:
        raise ValueError(
            f"status must be {STATUS_OK} (ok) or {STATUS_FAILED} (failed), got {unknown_status}"
        )
    failed = status_array == STATUS_FAILED
    if np.any(~np.isnan(value_array[failed])):
        bad = patient_array[failed & ~np.all(np.isnan(value_array), axis=(1, 2))]
        raise ValueError(
            f"failed patients must have all-NaN values; patients {bad.tolist()[:10]} do not"
        )
    message_array = _string_array(messages, "messages", patient_count)

    attrs = _validated_provenance(provenance, patient_count)

    return xr.Dataset(
        data_vars={
            "value": (("patient", "time", "variable"), value_array),
            "parameter_value": (("patient", "parameter"), parameter_value_array),
            "status": ("patient", status_array),
            "message": ("patient", message_array),
        },
        coords={
            "patient": ("patient", patient_array),
            "time": ("time", time_array, {"units": TIME_UNIT}),
            "variable": ("variable", variable_array),
            "unit": ("variable", unit_array),
            "kind": ("variable", kind_array),
            "parameter": ("parameter", parameter_name_array),
            "parameter_unit": ("parameter", parameter_unit_array),
        },
        attrs=attrs,
    )


def series(result: xr.Dataset, variable: str) -> xr.DataArray:
    """One variable's trajectories as a (patient, time) DataArray.

    Args:
        result: a result Dataset from ``make_result``.
        variable: name of a species or observable in ``result.variable``.

    Returns:
        DataArray named ``variable`` with dims (patient, time), values in the variable's unit,
        attrs ``units`` (the unit text) and ``kind``. Failed patients are NaN rows.

    Raises:
        KeyError: if the variable is not in the result.
    """
    names = result["variable"].values.tolist()
    if variable not in names:
        raise KeyError(f"variable {variable!r} not in result; available: {names}")
    selected = result["value"].sel(variable=variable)
    unit = str(selected["unit"].values)
    kind = str(selected["kind"].values)
    trajectory = selected.drop_vars(["variable", "unit", "kind"]).transpose("patient", "time")
    trajectory.name = variable
    trajectory.attrs = {"units": unit, "kind": kind}
    return trajectory


def provenance(result: xr.Dataset) -> dict:
    """The result's provenance attributes as a plain dict of Python str/int/float values.

    Args:
        result: a result Dataset.

    Returns:
        A new dict (mutating it does not change the result). ``scenario`` stays a JSON string.
    """
    return {key: _python_scalar(value) for key, value in result.attrs.items()}


def concat_patients(results: list[xr.Dataset]) -> xr.Dataset:
    """Join result chunks along the patient dimension, in the order given.

    Args:
        results: one or more result Datasets with identical time grids, variables, units,
            kinds, parameters and the provenance keys in ``MATCHING_PROVENANCE_KEYS``, and
            pairwise disjoint patient ids.

    Returns:
        One result Dataset holding every patient; attrs are those of the first chunk with
        ``patients`` updated to the total count.

    Raises:
        ValueError: if no chunk is given, chunks disagree on layout or provenance, or a patient
            id occurs in more than one chunk.
    """
    if not results:
        raise ValueError("concat_patients needs at least one result")
    first = results[0]
    for index, chunk in enumerate(results[1:], start=1):
        for coordinate in ("time", "variable", "unit", "kind", "parameter", "parameter_unit"):
            if not np.array_equal(first[coordinate].values, chunk[coordinate].values):
                raise ValueError(f"chunk {index} has a different {coordinate!r} coordinate")
        for key in MATCHING_PROVENANCE_KEYS:
            if first.attrs.get(key) != chunk.attrs.get(key):
                raise ValueError(
                    f"chunk {index} has provenance {key}={chunk.attrs.get(key)!r}, "
                    f"first chunk has {first.attrs.get(key)!r}"
                )
    joined = xr.concat(
        results,
        dim="patient",
        data_vars="minimal",
        coords="minimal",
        compat="equals",
        join="exact",
        combine_attrs="override",
    )
    patient_ids = joined["patient"].values
    if np.unique(patient_ids).size != patient_ids.size:
        values, counts = np.unique(patient_ids, return_counts=True)
        raise ValueError(f"patient ids occur in more than one chunk: {values[counts > 1][:10]}")
    joined.attrs = dict(first.attrs)
    joined.attrs["patients"] = int(patient_ids.size)
    return joined


def _one_dimensional(data, name: str, dtype, length: int | None) -> np.ndarray:
    array = np.asarray(data, dtype=dtype)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if length is not None and array.size != length:
        raise ValueError(f"{name} must have length {length}, got {array.size}")
    return array


def _string_array(data, name: str, length: int | None) -> np.ndarray:
    items = list(data)
    not_strings = [item for item in items if not isinstance(item, str)]
    if not_strings:
        raise ValueError(f"{name} must all be strings, got {not_strings[:3]}")
    return _one_dimensional(np.array([str(item) for item in items], dtype=str), name, str, length)


def _integer_array(data, name: str, length: int) -> np.ndarray:
    array = np.asarray(data)
    if array.size == 0:
        array = array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be integers, got dtype {array.dtype}")
    return _one_dimensional(array, name, np.int64, length)


def _require_unique(array: np.ndarray, name: str) -> None:
    values, counts = np.unique(array, return_counts=True)
    if np.any(counts > 1):
        raise ValueError(f"{name} must be unique; repeated: {values[counts > 1].tolist()[:10]}")


def _validated_provenance(provenance_attrs: dict, patient_count: int) -> dict:
    attrs = dict(provenance_attrs)
    if attrs.setdefault("patients", patient_count) != patient_count:
        raise ValueError(
            f"provenance patients={attrs['patients']!r} but values hold {patient_count} patients"
        )
    missing = [key for key in PROVENANCE_KEYS if key not in attrs]
    if missing:
        raise ValueError(f"provenance is missing keys {missing}")
    validated = {}
    for key, value in attrs.items():
        if not isinstance(key, str):
            raise ValueError(f"provenance keys must be strings, got {key!r}")
        scalar = _python_scalar(value)
        if isinstance(scalar, bool) or not isinstance(scalar, str | int | float):
            raise ValueError(
                f"provenance {key!r} must be a str, int or float, got {type(value).__name__}"
            )
        if isinstance(scalar, float) and not math.isfinite(scalar):
            raise ValueError(f"provenance {key!r} must be finite, got {scalar}")
        validated[key] = scalar
    return validated


def _python_scalar(value):
    """Numpy scalars (as netCDF readers return them) become Python scalars; others pass."""
    if isinstance(value, np.ndarray) and value.shape in ((), (1,)):
        value = value.reshape(()).item()
    if isinstance(value, np.generic):
        value = value.item()
    return value
