"""Parquet and netCDF result files: layout, exact round trips and atomic replacement."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xarray as xr

from hemasim.io import results as result_files
from hemasim.io.results import read_netcdf, read_parquet, write_netcdf, write_parquet
from hemasim.result import make_result, provenance

PROVENANCE = {
    "model": "friberg2002",
    "model_hash": "0123abcd",
    "scenario": json.dumps({"dose_mg": 100.0, "cycles": [0, 21, 42]}),
    "scenario_name": "docetaxel q21d",
    "engine": "scipy-lsoda",
    "rtol": 1e-6,
    "atol": 1e-9,
    "seed": 42,
    "hemasim_version": "0.1.0",
    "created": "2024-05-06T07:08:09+00:00",
}


def cohort_result(value_offset: float = 0.0):
    """Patients with unsorted ids 9, 3, 5 (5 failed); variables in non-alphabetical order."""
    times = np.array([0.0, 0.1, 1.0 / 3.0, 7.25, 21.0])
    rng = np.random.default_rng(0)
    values = rng.lognormal(size=(3, times.size, 3)) + value_offset
    values[2] = np.nan
    return make_result(
        values=values,
        times=times,
        variables=["Prol", "Circ", "ANC"],
        units=["1e9/L", "1e9/L", "cells/uL"],
        kinds=["species", "species", "observable"],
        patient_ids=np.array([9, 3, 5]),
        parameter_names=["ktr", "slope", "gamma"],
        parameter_units=["1/d", "L/mg", "1"],
        parameter_values=np.array(
            [[0.1, 1.0 / 3.0, 0.16], [0.2, np.nan, 0.17], [np.inf, -np.inf, 1e-300]]
        ),
        status=[0, 0, 1],
        messages=["", "", "solver: step size too small (t=3.2 d)"],
        provenance=dict(PROVENANCE),
    )


def test_parquet_long_table_layout_and_metadata(tmp_path):
    result = cohort_result()
    path = write_parquet(result, tmp_path / "cohort.parquet")
    assert path == tmp_path / "cohort.parquet"

    table = pq.read_table(path)
    assert table.schema.names == ["patient", "time_d", "variable", "value", "unit"]
    assert [field.type for field in table.schema] == [
        pa.int64(),
        pa.float64(),
        pa.string(),
        pa.float64(),
        pa.string(),
    ]
    assert table.num_rows == 3 * 5 * 3
    frame = table.to_pandas()
    assert frame["patient"].iloc[:15].tolist() == [9] * 15
    assert frame["variable"].iloc[:4].tolist() == ["Prol", "Circ", "ANC", "Prol"]
    assert frame["time_d"].iloc[:4].tolist() == [0.0, 0.0, 0.0, 0.1]
    row = frame[(frame.patient == 3) & (frame.time_d == 7.25) & (frame.variable == "ANC")]
    assert row["value"].item() == result["value"].sel(patient=3, time=7.25, variable="ANC")
    assert row["unit"].item() == "cells/uL"
    assert frame[frame.patient == 5]["value"].isna().all()

    metadata = pq.read_schema(path).metadata
    assert json.loads(metadata[b"hemasim"]) == provenance(result)
    layout = json.loads(metadata[b"hemasim.layout"])
    assert layout["status"] == [0, 0, 1]
    assert layout["parameter_value"][2] == ["Infinity", "-Infinity", 1e-300]


def test_parquet_round_trip_is_identical(tmp_path):
    result = cohort_result()
    restored = read_parquet(write_parquet(result, tmp_path / "cohort.parquet"))
    xr.testing.assert_identical(restored, result)
    assert restored["patient"].values.tolist() == [9, 3, 5]
    assert restored["variable"].values.tolist() == ["Prol", "Circ", "ANC"]
    assert restored["time"].values[2] == 1.0 / 3.0
    assert restored.attrs == result.attrs


def test_parquet_round_trip_over_several_row_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(result_files, "ROWS_PER_ROW_GROUP", 20)
    result = cohort_result()
    path = write_parquet(result, tmp_path / "cohort.parquet")
    assert pq.ParquetFile(path).num_row_groups == 3
    xr.testing.assert_identical(read_parquet(path), result)


def test_netcdf_round_trip_is_identical(tmp_path):
    result = cohort_result()
    path = write_netcdf(result, tmp_path / "cohort.nc")
    restored = read_netcdf(path)
    xr.testing.assert_identical(restored, result)
    assert restored["message"].values.tolist() == result["message"].values.tolist()
    assert type(restored.attrs["seed"]) is int
    assert type(restored.attrs["rtol"]) is float


def test_round_trip_without_patients_or_parameters(tmp_path):
    empty = make_result(
        values=np.empty((0, 2, 1)),
        times=[0.0, 1.0],
        variables=["ANC"],
        units=["1e9/L"],
        kinds=["observable"],
        patient_ids=np.array([], dtype=np.int64),
        parameter_names=[],
        parameter_units=[],
        parameter_values=np.empty((0, 0)),
        status=np.array([], dtype=np.int8),
        messages=[],
        provenance=dict(PROVENANCE),
    )
    xr.testing.assert_identical(read_parquet(write_parquet(empty, tmp_path / "e.parquet")), empty)
    xr.testing.assert_identical(read_netcdf(write_netcdf(empty, tmp_path / "e.nc")), empty)


def test_failed_parquet_write_leaves_existing_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "cohort.parquet"
    original = cohort_result()
    write_parquet(original, path)
    original_bytes = path.read_bytes()

    def fail_mid_write(self, table, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail_mid_write)
    with pytest.raises(OSError, match="disk full"):
        write_parquet(cohort_result(value_offset=100.0), path)
    monkeypatch.undo()

    assert path.read_bytes() == original_bytes
    xr.testing.assert_identical(read_parquet(path), original)
    assert [entry.name for entry in tmp_path.iterdir()] == ["cohort.parquet"]


def test_failed_netcdf_write_leaves_existing_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "cohort.nc"
    original = cohort_result()
    write_netcdf(original, path)
    original_bytes = path.read_bytes()

    def write_half_then_fail(self, target, *args, **kwargs):
        with open(target, "wb") as handle:
            handle.write(original_bytes[: len(original_bytes) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_netcdf(cohort_result(value_offset=100.0), path)
    monkeypatch.undo()

    assert path.read_bytes() == original_bytes
    assert [entry.name for entry in tmp_path.iterdir()] == ["cohort.nc"]


def test_successful_write_replaces_existing_file(tmp_path):
    path = tmp_path / "cohort.parquet"
    write_parquet(cohort_result(), path)
    replacement = cohort_result(value_offset=100.0)
    write_parquet(replacement, path)
    xr.testing.assert_identical(read_parquet(path), replacement)


def test_read_parquet_rejects_foreign_and_incomplete_files(tmp_path):
    foreign = tmp_path / "foreign.parquet"
    pq.write_table(pa.table({"patient": [1], "value": [2.0]}), foreign)
    with pytest.raises(ValueError, match="no hemasim metadata"):
        read_parquet(foreign)

    complete = pq.read_table(write_parquet(cohort_result(), tmp_path / "cohort.parquet"))
    truncated = tmp_path / "truncated.parquet"
    pq.write_table(complete.slice(0, complete.num_rows - 1), truncated)
    with pytest.raises(ValueError, match="1 missing, 0 repeated"):
        read_parquet(truncated)

    wrong_unit = complete.set_column(
        4, "unit", pa.array(["mg"] * complete.num_rows, type=pa.string())
    )
    mislabelled = tmp_path / "mislabelled.parquet"
    pq.write_table(wrong_unit, mislabelled)
    with pytest.raises(ValueError, match="unit differs"):
        read_parquet(mislabelled)
