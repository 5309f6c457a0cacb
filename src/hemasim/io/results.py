"""Result files: one Parquet or one netCDF file per result, written atomically.

Parquet holds the trajectories as a long table, one row per (patient, time, variable)::

    patient int64 | time_d float64 | variable string | value float64 | unit string

rows ordered by patient (in the result's order), then time, then variable (result's order);
failed patients are present with NaN values. The file's key-value metadata carries the rest:

* ``hemasim``: the provenance attributes, as JSON (``json.loads`` gives ``provenance(result)``);
* ``hemasim.layout``: JSON with the coordinates in order (patient, time, variable, unit, kind,
  parameter, parameter_unit) and the per-patient parameter_value, status and message, so that
  ``read_parquet`` rebuilds the identical Dataset. Non-finite parameter values are written as
  the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``.

netCDF is the Dataset as xarray writes it with the h5netcdf engine.

Every writer writes to a temporary file in the destination's directory and moves it into place
with ``os.replace``, so an existing file is either left intact or replaced whole.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xarray as xr

from hemasim.io.atomic import atomic_destination
from hemasim.result import TIME_UNIT, make_result

PROVENANCE_METADATA_KEY = b"hemasim"
"""Parquet metadata key of the provenance JSON."""

LAYOUT_METADATA_KEY = b"hemasim.layout"
"""Parquet metadata key of the coordinates and per-patient data JSON."""

LAYOUT_FORMAT = "hemasim.result.long"
LAYOUT_FORMAT_VERSION = 1

PARQUET_SCHEMA = pa.schema(
    [
        ("patient", pa.int64()),
        ("time_d", pa.float64()),
        ("variable", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
    ]
)
"""Columns of the long Parquet table, without the metadata."""

ROWS_PER_ROW_GROUP = 1_000_000
"""Approximate Parquet row-group size; writing and checking proceed one group at a time."""

NETCDF_ENGINE = "h5netcdf"

_NON_FINITE_TEXT = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def write_parquet(result: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write a result as one long-format Parquet file, atomically.

    Args:
        result: a result Dataset from ``hemasim.result.make_result``.
        path: destination file; its directory must exist. An existing file is replaced only
            once the new one is complete.

    Returns:
        The destination as a ``Path``.
    """
    destination = Path(path)
    values = result["value"].transpose("patient", "time", "variable").values
    patient_ids = result["patient"].values
    times = result["time"].values
    variable_count = result.sizes["variable"]
    rows_per_patient = max(1, times.size * variable_count)
    patients_per_group = max(1, ROWS_PER_ROW_GROUP // rows_per_patient)

    schema = PARQUET_SCHEMA.with_metadata(
        {
            PROVENANCE_METADATA_KEY: json.dumps(_provenance_attrs(result)).encode(),
            LAYOUT_METADATA_KEY: json.dumps(_layout(result), allow_nan=False).encode(),
        }
    )
    variable_names = pa.array(result["variable"].values.tolist(), type=pa.string())
    variable_units = pa.array(result["unit"].values.tolist(), type=pa.string())

    with atomic_destination(destination) as temporary:
        with pq.ParquetWriter(temporary, schema, compression="zstd") as writer:
            for start in range(0, patient_ids.size, patients_per_group):
                stop = min(start + patients_per_group, patient_ids.size)
                count = stop - start
                variable_index = pa.array(
                    np.tile(np.arange(variable_count, dtype=np.int32), count * times.size)
                )
                table = pa.Table.from_arrays(
                    [
                        pa.array(np.repeat(patient_ids[start:stop], rows_per_patient)),
                        pa.array(np.tile(np.repeat(times, variable_count), count)),
                        variable_names.take(variable_index),
                        pa.array(values[start:stop].ravel()),
                        variable_units.take(variable_index),
                    ],
                    schema=schema,
                )
                writer.write_table(table)
    return destination


def read_parquet(path: str | os.PathLike) -> xr.Dataset:
    """Read a result written by ``write_parquet``.

    Args:
        path: a Parquet file written by ``write_parquet``.

    Returns:
        The result Dataset, identical to the one written.

    Raises:
        ValueError: if the file lacks hemasim metadata or its rows do not cover every
            (patient, time, variable) cell exactly once with the variable's unit.
    """
    parquet_file = pq.ParquetFile(path)
    metadata = parquet_file.schema_arrow.metadata or {}
    if PROVENANCE_METADATA_KEY not in metadata or LAYOUT_METADATA_KEY not in metadata:
        raise ValueError(f"{path} has no hemasim metadata; it was not written by write_parquet")
    provenance_attrs = json.loads(metadata[PROVENANCE_METADATA_KEY])
    layout = json.loads(metadata[LAYOUT_METADATA_KEY])
    if layout.get("format") != LAYOUT_FORMAT or layout.get("format_version") != 1:
        raise ValueError(
            f"{path} has layout format {layout.get('format')!r} version "
            f"{layout.get('format_version')!r}; expected {LAYOUT_FORMAT!r} version 1"
        )
    if layout["time_units"] != TIME_UNIT:
        raise ValueError(f"{path} has time in {layout['time_units']!r}, expected {TIME_UNIT!r}")

    patient_ids = np.asarray(layout["patient"], dtype=np.int64)
    times = np.asarray(layout["time"], dtype=np.float64)
    variables = layout["variable"]
    units = layout["unit"]
    shape = (patient_ids.size, times.size, len(variables))
    cell_count = math.prod(shape)

    flat_values = np.full(cell_count, np.nan)
    covered = np.zeros(cell_count, dtype=np.int64)
    patient_lookup = pd.Index(patient_ids)
    time_lookup = pd.Index(times)
    variable_lookup = pd.Index(variables)
    unit_lookup = pd.Index(units).unique()
    unit_position_of_variable = unit_lookup.get_indexer(units)
    for batch in parquet_file.iter_batches(
        batch_size=ROWS_PER_ROW_GROUP, columns=PARQUET_SCHEMA.names
    ):
        columns = {name: batch.column(name) for name in PARQUET_SCHEMA.names}
        if any(column.null_count for name, column in columns.items() if name != "value"):
            raise ValueError(f"{path} has missing patient, time, variable or unit entries")
        patient_index = patient_lookup.get_indexer(columns["patient"].to_numpy())
        time_index = time_lookup.get_indexer(columns["time_d"].to_numpy())
        variable_index = _dictionary_positions(columns["variable"], variable_lookup)
        if np.any(patient_index < 0) or np.any(time_index < 0) or np.any(variable_index < 0):
            raise ValueError(f"{path} has rows whose patient, time or variable is not declared")
        unit_index = _dictionary_positions(columns["unit"], unit_lookup)
        if np.any(unit_index != unit_position_of_variable[variable_index]):
            raise ValueError(f"{path} has rows whose unit differs from the variable's unit")
        cell = (patient_index * shape[1] + time_index) * shape[2] + variable_index
        flat_values[cell] = columns["value"].to_numpy(zero_copy_only=False)
        covered += np.bincount(cell, minlength=cell_count)
    if np.any(covered != 1):
        raise ValueError(
            f"{path} does not hold exactly one row per (patient, time, variable): "
            f"{int(np.sum(covered == 0))} missing, {int(np.sum(covered > 1))} repeated"
        )

    parameter_values = np.array(
        [[_decode_float(item) for item in row] for row in layout["parameter_value"]],
        dtype=np.float64,
    ).reshape(patient_ids.size, len(layout["parameter"]))
    return make_result(
        values=flat_values.reshape(shape),
        times=times,
        variables=variables,
        units=units,
        kinds=layout["kind"],
        patient_ids=patient_ids,
        parameter_names=layout["parameter"],
        parameter_units=layout["parameter_unit"],
        parameter_values=parameter_values,
        status=np.asarray(layout["status"], dtype=np.int64),
        messages=layout["message"],
        provenance=provenance_attrs,
    )


def write_netcdf(result: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write a result as one netCDF-4 file (h5netcdf engine), atomically.

    Args:
        result: a result Dataset from ``hemasim.result.make_result``.
        path: destination file; its directory must exist. An existing file is replaced only
            once the new one is complete.

    Returns:
        The destination as a ``Path``.
    """
    destination = Path(path)
    with atomic_destination(destination) as temporary:
        result.to_netcdf(temporary, engine=NETCDF_ENGINE)
    return destination


def read_netcdf(path: str | os.PathLike) -> xr.Dataset:
    """Read a result written by ``write_netcdf`` fully into memory (the file is closed).

    Args:
        path: a netCDF file written by ``write_netcdf``.

    Returns:
        The result Dataset, identical to the one written (rebuilt through ``make_result``, so
        string dtypes and attribute types are those of a fresh result).
    """
    with xr.open_dataset(
        path, engine=NETCDF_ENGINE, decode_times=False, decode_timedelta=False
    ) as stored:
        stored = stored.load()
    return make_result(
        values=stored["value"].transpose("patient", "time", "variable").values,
        times=stored["time"].values,
        variables=stored["variable"].values.tolist(),
        units=stored["unit"].values.tolist(),
        kinds=stored["kind"].values.tolist(),
        patient_ids=stored["patient"].values,
        parameter_names=stored["parameter"].values.tolist(),
        parameter_units=stored["parameter_unit"].values.tolist(),
        parameter_values=stored["parameter_value"].transpose("patient", "parameter").values,
        status=stored["status"].values.astype(np.int64),
        messages=stored["message"].values.tolist(),
        provenance=_provenance_attrs(stored),
    )


def _provenance_attrs(result: xr.Dataset) -> dict:
    attrs = {}
    for key, value in result.attrs.items():
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.reshape(()).item()
        if isinstance(value, np.generic):
            value = value.item()
        attrs[key] = value
    return attrs


def _layout(result: xr.Dataset) -> dict:
    parameter_values = result["parameter_value"].transpose("patient", "parameter").values
    return {
        "format": LAYOUT_FORMAT,
        "format_version": LAYOUT_FORMAT_VERSION,
        "time_units": result["time"].attrs.get("units", TIME_UNIT),
        "patient": result["patient"].values.tolist(),
        "time": result["time"].values.tolist(),
        "variable": result["variable"].values.tolist(),
        "unit": result["unit"].values.tolist(),
        "kind": result["kind"].values.tolist(),
        "parameter": result["parameter"].values.tolist(),
        "parameter_unit": result["parameter_unit"].values.tolist(),
        "parameter_value": [[_encode_float(item) for item in row] for row in parameter_values],
        "status": result["status"].values.astype(int).tolist(),
        "message": result["message"].values.tolist(),
    }


def _encode_float(number: float) -> float | str:
    number = float(number)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return number


def _decode_float(item: float | int | str) -> float:
    if isinstance(item, str):
        return _NON_FINITE_TEXT[item]
    return float(item)


def _dictionary_positions(column: pa.Array, lookup: pd.Index) -> np.ndarray:
    """Positions in ``lookup`` of each entry of a string column (-1 where absent)."""
    encoded = column.dictionary_encode()
    positions = lookup.get_indexer(encoded.dictionary.to_pylist())
    return positions[encoded.indices.to_numpy(zero_copy_only=False)]
