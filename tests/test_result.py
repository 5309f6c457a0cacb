"""The result constructor, its validation and its accessors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from hemasim.result import concat_patients, make_result, provenance, series

TIMES = np.array([0.0, 1.0, 2.5, 4.0])
PROVENANCE = {
    "model": "friberg2002",
    "model_hash": "0123abcd",
    "scenario": json.dumps({"dose_mg": 100, "schedule": "q21d"}),
    "scenario_name": "docetaxel q21d",
    "engine": "scipy-lsoda",
    "rtol": 1e-6,
    "atol": 1e-9,
    "seed": 42,
    "hemasim_version": "0.1.0",
}


def build(patient_ids=(5000, 5001, 5002), status=(0, 0, 1), times=TIMES, **overrides):
    """Three patients, two variables (Circ, ANC), two parameters; the last patient failed."""
    patient_count = len(patient_ids)
    values = np.empty((patient_count, len(times), 2))
    for index in range(patient_count):
        values[index, :, 0] = 5.0 + index + np.asarray(times)
        values[index, :, 1] = 1000.0 * (5.0 + index + np.asarray(times))
    failed = np.asarray(status) == 1
    values[failed] = np.nan
    arguments = {
        "values": values,
        "times": times,
        "variables": ["Circ", "ANC"],
        "units": ["1e9/L", "cells/uL"],
        "kinds": ["species", "observable"],
        "patient_ids": np.asarray(patient_ids),
        "parameter_names": ["ktr", "slope"],
        "parameter_units": ["1/d", "L/mg"],
        "parameter_values": np.arange(2.0 * patient_count).reshape(patient_count, 2),
        "status": status,
        "messages": ["" if code == 0 else "step size too small" for code in status],
        "provenance": dict(PROVENANCE),
    }
    arguments.update(overrides)
    return make_result(**arguments)


def test_layout_dimensions_types_and_coordinates():
    result = build()
    assert dict(result.sizes) == {"patient": 3, "time": 4, "variable": 2, "parameter": 2}
    assert result["value"].dims == ("patient", "time", "variable")
    assert result["value"].dtype == np.float64
    assert result["parameter_value"].dims == ("patient", "parameter")
    assert result["status"].dtype == np.int8
    assert result["message"].values.tolist() == ["", "", "step size too small"]
    assert result["patient"].dtype == np.int64
    assert result["patient"].values.tolist() == [5000, 5001, 5002]
    assert result["time"].attrs == {"units": "d"}
    assert result["unit"].dims == ("variable",)
    assert result["unit"].values.tolist() == ["1e9/L", "cells/uL"]
    assert result["kind"].values.tolist() == ["species", "observable"]
    assert result["parameter_unit"].values.tolist() == ["1/d", "L/mg"]
    assert result["value"].sel(patient=5001, variable="Circ", time=2.5).item() == 8.5
    assert np.all(np.isnan(result["value"].sel(patient=5002).values))


def test_provenance_attributes_are_completed_and_json_serialisable():
    result = build()
    attrs = provenance(result)
    assert attrs["patients"] == 3
    assert attrs["seed"] == 42 and attrs["rtol"] == 1e-6
    assert "created" not in attrs  # no timestamp: identical runs give identical files
    assert json.loads(json.dumps(attrs)) == attrs
    attrs["model"] = "changed"
    assert result.attrs["model"] == "friberg2002"


def test_extra_provenance_is_kept():
    result = build(provenance={**PROVENANCE, "created": "2024-01-02T03:04:05+00:00"})
    assert result.attrs["created"] == "2024-01-02T03:04:05+00:00"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"values": np.zeros((3, 4))}, "3 dimensions"),
        ({"times": [0.0, 1.0, 1.0, 4.0]}, "strictly increasing"),
        ({"values": np.full((3, 3, 2), np.nan)}, "times must have length 3"),
        ({"variables": ["Circ", "Circ"]}, "variables must be unique"),
        ({"units": ["1e9/L"]}, "units must have length 2"),
        ({"kinds": ["species", "derived"]}, "kinds must be one of"),
        ({"patient_ids": np.array([1, 1, 2])}, "patient_ids must be unique"),
        ({"patient_ids": np.array([1.0, 2.0, 3.0])}, "patient_ids must be integers"),
        ({"parameter_values": np.zeros((3, 3))}, "parameter_values must have shape"),
        ({"status": [0, 2, 1]}, "status must be 0"),
        ({"messages": ["", None, "x"]}, "messages must all be strings"),
        ({"provenance": {**PROVENANCE, "patients": 7}}, "patients=7"),
        ({"provenance": {**PROVENANCE, "seed": None}}, "'seed' must be a str, int or float"),
        ({"provenance": {**PROVENANCE, "seed": True}}, "'seed' must be a str, int or float"),
        ({"provenance": {**PROVENANCE, "rtol": float("nan")}}, "'rtol' must be finite"),
        ({"provenance": {k: v for k, v in PROVENANCE.items() if k != "engine"}}, "'engine'"),
    ],
)
def test_invalid_input_is_rejected_with_a_clear_message(overrides, message):
    with pytest.raises(ValueError, match=message):
        build(**overrides)


def test_failed_patient_with_values_is_rejected():
    values = np.ones((3, 4, 2))
    with pytest.raises(ValueError, match=r"failed patients must have all-NaN values.*\[5002\]"):
        build(values=values)


def test_series_selects_one_variable_with_its_unit():
    result = build()
    anc = series(result, "ANC")
    assert anc.dims == ("patient", "time")
    assert anc.name == "ANC"
    assert anc.attrs == {"units": "cells/uL", "kind": "observable"}
    np.testing.assert_array_equal(anc.sel(patient=5000).values, 1000.0 * (5.0 + TIMES))
    assert set(anc.coords) == {"patient", "time"}
    with pytest.raises(KeyError, match="available: \\['Circ', 'ANC'\\]"):
        series(result, "Platelets")


def test_concat_patients_joins_chunks_in_order_and_updates_count():
    first = build(patient_ids=(5000, 5001), status=(0, 1))
    second = build(patient_ids=(7, 8, 9), status=(0, 0, 0))
    joined = concat_patients([first, second])
    assert joined["patient"].values.tolist() == [5000, 5001, 7, 8, 9]
    assert joined.attrs["patients"] == 5
    assert joined["status"].values.tolist() == [0, 1, 0, 0, 0]
    assert joined["message"].values.tolist()[1] == "step size too small"
    xr.testing.assert_identical(joined.sel(patient=[7, 8, 9]).drop_attrs(), second.drop_attrs())
    assert joined["unit"].values.tolist() == ["1e9/L", "cells/uL"]
    assert first.attrs["patients"] == 2


def test_concat_patients_rejects_overlap_and_mismatch():
    first = build(patient_ids=(1, 2), status=(0, 0))
    with pytest.raises(ValueError, match="more than one chunk"):
        concat_patients([first, build(patient_ids=(2, 3), status=(0, 0))])
    with pytest.raises(ValueError, match="'time'"):
        concat_patients([first, build(patient_ids=(3, 4), status=(0, 0), times=TIMES + 1)])
    other_model = build(
        patient_ids=(3, 4), status=(0, 0), provenance={**PROVENANCE, "model_hash": "ffff"}
    )
    with pytest.raises(ValueError, match="model_hash"):
        concat_patients([first, other_model])
    with pytest.raises(ValueError, match="at least one"):
        concat_patients([])
