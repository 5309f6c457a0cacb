"""Cohort summaries on data whose percentiles are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from hemasim.analysis.cohort import summarise, timecourse_band


def test_summarise_percentiles_ignore_failed_patients():
    table = pd.DataFrame(
        {
            "patient": np.arange(103),
            "nadir": [*np.arange(101.0), np.nan, np.nan],
            "recovery": [*np.full(100, np.nan), 2.0, 4.0, 9.0],
            "never": np.full(103, np.nan),
        }
    )
    summary = summarise(table, {"nadir": "1e9/L", "recovery": "d", "never": "d"})
    assert summary.columns.tolist() == ["endpoint", "unit", "n", "median", "p05", "p95", "mean"]
    assert summary["endpoint"].tolist() == ["nadir", "recovery", "never"]
    nadir, recovery, never = (summary.iloc[row] for row in range(3))
    assert nadir["unit"] == "1e9/L"
    assert nadir["n"] == 101
    assert (nadir["median"], nadir["p05"], nadir["p95"]) == pytest.approx((50.0, 5.0, 95.0))
    assert nadir["mean"] == pytest.approx(50.0)
    # Three values 2, 4, 9: linear interpolation at ranks 0.1 and 1.9.
    assert recovery["n"] == 3
    assert (recovery["median"], recovery["p05"], recovery["p95"]) == pytest.approx((4.0, 2.2, 8.5))
    assert recovery["mean"] == pytest.approx(5.0)
    assert never["n"] == 0
    assert never[["median", "p05", "p95", "mean"]].isna().all()
    assert summary["n"].dtype == np.int64


def test_summarise_needs_every_unit():
    table = pd.DataFrame({"patient": [1], "nadir": [1.0], "auc": [2.0]})
    with pytest.raises(ValueError, match=r"\['auc'\]"):
        summarise(table, {"nadir": "1e9/L"})


def test_timecourse_band_over_patients_per_time():
    times = np.array([0.0, 1.0, 2.0])
    levels = np.arange(101.0)
    values = np.vstack([levels[:, None] * np.array([1.0, 2.0, 3.0]), np.full((1, 3), np.nan)])
    values[0, 2] = np.nan  # one sample missing at day 2 only
    trajectories = xr.DataArray(
        values,
        dims=("patient", "time"),
        coords={"patient": np.arange(102), "time": times},
        attrs={"units": "1e9/L"},
    )
    band = timecourse_band(trajectories)
    np.testing.assert_allclose(band["median"].values[:2], [50.0, 100.0])
    np.testing.assert_allclose(band["p05"].values[:2], [5.0, 10.0])
    np.testing.assert_allclose(band["p95"].values[:2], [95.0, 190.0])
    # Day 2 without patient 0: levels 1..100 times 3.
    assert band["median"].values[2] == pytest.approx(3 * 50.5)
    assert band["n"].values.tolist() == [101, 101, 100]
    assert band.attrs == {"units": "1e9/L", "patients": 100}
    np.testing.assert_array_equal(band["time"].values, times)


def test_timecourse_band_with_no_successful_patient_is_nan():
    trajectories = xr.DataArray(
        np.full((2, 3), np.nan),
        dims=("patient", "time"),
        coords={"patient": [1, 2], "time": [0.0, 1.0, 2.0]},
    )
    band = timecourse_band(trajectories)
    assert band["median"].isnull().all()
    assert band["n"].values.tolist() == [0, 0, 0]
