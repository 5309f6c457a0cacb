"""Per-patient endpoints against analytic and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from scipy.special import erf

from hemasim.analysis.endpoints import (
    Endpoint,
    auc,
    endpoint_unit,
    engraftment,
    evaluate_endpoints,
    first_sustained_above,
    nadir,
    peak,
    recovery_time,
    time_below,
)
from hemasim.result import make_result, series

FINE_TIMES = np.linspace(0.0, 20.0, 2001)
HALF_WIDTH_BELOW_3 = 2.0 * math.sqrt(math.log(2.0))
"""5 - 4 exp(-((t-8)/2)^2) < 3  <=>  |t - 8| < 2 sqrt(ln 2)."""


def dip(times, depth=4.0):
    """Baseline 5, Gaussian dip of the given depth centred on day 8 with width 2 d."""
    return 5.0 - depth * np.exp(-(((times - 8.0) / 2.0) ** 2))


def dip_auc(end, depth=4.0):
    """Exact integral of ``dip`` from 0 to ``end``."""
    return 5.0 * end - depth * math.sqrt(math.pi) * (erf((end - 8.0) / 2.0) - erf(-4.0))


def as_series(rows, times):
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    return xr.DataArray(
        rows,
        dims=("patient", "time"),
        coords={"patient": np.arange(len(rows)), "time": np.asarray(times, dtype=float)},
        attrs={"units": "1e9/L"},
    )


def cohort_result():
    """Patients 11 (dip to 1), 12 (dip to 3.5), 13 (failed); ANC species and a bump observable."""
    anc = np.stack([dip(FINE_TIMES), dip(FINE_TIMES, depth=1.5), np.full(FINE_TIMES.size, np.nan)])
    bump = 1.0 + 3.0 * np.exp(-(((FINE_TIMES - 12.0) / 3.0) ** 2))
    bumps = np.stack([bump, 2.0 * bump, np.full(FINE_TIMES.size, np.nan)])
    return make_result(
        values=np.stack([anc, bumps], axis=-1),
        times=FINE_TIMES,
        variables=["ANC", "GCSF"],
        units=["1e9/L", "ng/mL"],
        kinds=["species", "observable"],
        patient_ids=np.array([11, 12, 13]),
        parameter_names=[],
        parameter_units=[],
        parameter_values=np.empty((3, 0)),
        status=[0, 0, 1],
        messages=["", "", "solver failed"],
        provenance={
            "model": "test",
            "model_hash": "0",
            "scenario": "{}",
            "scenario_name": "analytic",
            "engine": "none",
            "rtol": 1e-6,
            "atol": 1e-9,
            "seed": 0,
            "hemasim_version": "0.1.0",
        },
    )


def test_analytic_dip_nadir_time_below_recovery_and_auc():
    trajectories = as_series(dip(FINE_TIMES), FINE_TIMES)
    value, time = nadir(trajectories)
    assert value[0] == pytest.approx(1.0, abs=1e-12)
    assert time[0] == pytest.approx(8.0, abs=1e-12)
    assert time_below(trajectories, 3.0)[0] == pytest.approx(2 * HALF_WIDTH_BELOW_3, abs=1e-4)
    assert recovery_time(trajectories, 3.0)[0] == pytest.approx(8 + HALF_WIDTH_BELOW_3, abs=1e-4)
    assert auc(trajectories)[0] == pytest.approx(dip_auc(20.0), abs=1e-6)


def test_piecewise_linear_series_gives_exact_interpolated_crossings():
    trajectories = as_series([4.0, 2.0, 0.0, 2.0, 4.0], [0.0, 1.0, 2.0, 3.0, 4.0])
    assert time_below(trajectories, 3.0)[0] == pytest.approx(3.0)
    assert time_below(trajectories, 0.0)[0] == 0.0
    assert time_below(trajectories, 10.0)[0] == 4.0
    assert recovery_time(trajectories, 3.0)[0] == pytest.approx(3.5)
    assert auc(trajectories)[0] == pytest.approx(8.0)


def test_nadir_ignores_samples_before_time_zero_and_ties_take_the_first():
    trajectories = as_series([0.0, 3.0, 1.0, 2.0, 1.0], [-2.0, 0.0, 1.0, 2.0, 3.0])
    value, time = nadir(trajectories)
    assert (value[0], time[0]) == (1.0, 1.0)
    value, time = nadir(trajectories, after=-5.0)
    assert (value[0], time[0]) == (0.0, -2.0)


def test_peak_after_a_given_day():
    trajectories = as_series([9.0, 1.0, 4.0, 3.0, 6.0, 2.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    assert [array[0] for array in peak(trajectories)] == [9.0, 0.0]
    assert [array[0] for array in peak(trajectories, after=1.0)] == [6.0, 4.0]
    assert [array[0] for array in peak(trajectories, after=1.5)] == [6.0, 4.0]
    assert all(np.isnan(array[0]) for array in peak(trajectories, after=6.0))


def test_recovery_never_reached_and_never_needed():
    times = [0.0, 1.0, 2.0, 3.0]
    assert np.isnan(recovery_time(as_series([5.0, 2.0, 1.0, 2.5], times), 3.0)[0])
    assert recovery_time(as_series([5.0, 4.0, 3.5, 4.5], times), 3.0)[0] == 2.0


def test_first_sustained_above_on_whole_days():
    days = np.arange(11.0)
    anc = [5.0, 0.1, 0.2, 0.6, 0.4, 0.6, 0.7, 0.8, 0.3, 1.0, 1.0]
    trajectories = as_series(anc, days)
    assert first_sustained_above(trajectories, 0.5)[0] == 5.0
    assert first_sustained_above(trajectories, 0.5, consecutive_days=1)[0] == 0.0
    assert first_sustained_above(trajectories, 0.5, consecutive_days=1, after=0.5)[0] == 3.0
    assert np.isnan(first_sustained_above(trajectories, 0.5, consecutive_days=4)[0])
    assert np.isnan(first_sustained_above(trajectories, 6.0)[0])


def test_first_sustained_above_interpolates_whole_days_between_samples():
    # Samples every 1.5 d up to day 9, value = day / 1.5 between them.
    trajectories = as_series([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], np.arange(7) * 1.5)
    assert first_sustained_above(trajectories, 1.3)[0] == 2.0
    assert first_sustained_above(trajectories, 4.6)[0] == 7.0
    assert np.isnan(first_sustained_above(trajectories, 5.0)[0])


def test_patients_with_nan_samples_get_nan_endpoints():
    trajectories = as_series([[4.0, 2.0, 0.0, 2.0, 4.0], [np.nan] * 5], np.arange(5.0))
    for values in (
        *nadir(trajectories),
        *peak(trajectories),
        time_below(trajectories, 3.0),
        recovery_time(trajectories, 3.0),
        auc(trajectories),
        first_sustained_above(trajectories, 1.0, consecutive_days=1),
    ):
        assert not np.isnan(values[0])
        assert np.isnan(values[1])


def test_result_and_variable_name_give_the_same_as_the_series():
    result = cohort_result()
    np.testing.assert_array_equal(
        time_below(result, 3.0, variable="ANC"), time_below(series(result, "ANC"), 3.0)
    )
    with pytest.raises(ValueError, match="variable="):
        auc(result)


def test_evaluate_endpoints_table_with_a_failed_patient():
    result = cohort_result()
    specs = [
        Endpoint("anc_nadir", "ANC", "nadir", unit="1e9/L"),
        Endpoint("anc_nadir_day", "ANC", "nadir_time", unit="d"),
        Endpoint("days_below_3", "ANC", "time_below", threshold=3.0, unit="d"),
        Endpoint("recovery_3", "ANC", "recovery_time", threshold=3.0, unit="d"),
        Endpoint("anc_auc", "ANC", "auc", unit="1e9/L*d"),
        Endpoint("gcsf_peak", "GCSF", "peak", unit="ng/mL"),
        Endpoint("gcsf_peak_day", "GCSF", "peak_time", unit="d"),
        Endpoint("engraftment", "ANC", "first_sustained_above", threshold=4.9, unit="d", after=5.0),
    ]
    table = evaluate_endpoints(result, specs)
    assert table.columns.tolist() == ["patient", *[spec.name for spec in specs]]
    assert table["patient"].tolist() == [11, 12, 13]
    first, second, failed = (table.iloc[row] for row in range(3))
    assert first["anc_nadir"] == pytest.approx(1.0)
    assert second["anc_nadir"] == pytest.approx(3.5)
    assert first["anc_nadir_day"] == pytest.approx(8.0)
    assert first["days_below_3"] == pytest.approx(2 * HALF_WIDTH_BELOW_3, abs=1e-4)
    assert second["days_below_3"] == 0.0
    assert first["recovery_3"] == pytest.approx(8 + HALF_WIDTH_BELOW_3, abs=1e-4)
    assert second["recovery_3"] == pytest.approx(8.0)
    assert first["anc_auc"] == pytest.approx(dip_auc(20.0), abs=1e-6)
    assert second["anc_auc"] == pytest.approx(dip_auc(20.0, depth=1.5), abs=1e-6)
    assert first["gcsf_peak"] == pytest.approx(4.0)
    assert second["gcsf_peak"] == pytest.approx(8.0)
    assert first["gcsf_peak_day"] == pytest.approx(12.0)
    # 5 - 4 exp(-((t-8)/2)^2) >= 4.9 from t = 8 + 2 sqrt(ln 40) = 11.84, so whole day 12.
    assert first["engraftment"] == 12.0
    assert failed.drop("patient").isna().all()


def test_failed_status_forces_nan_even_for_a_series_given_values():
    result = cohort_result()
    result["status"][0] = 1
    result["value"][0] = np.nan
    table = evaluate_endpoints(result, [Endpoint("auc", "ANC", "auc")])
    assert table["auc"].isna().tolist() == [True, False, True]


def test_endpoint_specification_is_validated():
    with pytest.raises(ValueError, match="needs a threshold"):
        Endpoint("x", "ANC", "time_below")
    with pytest.raises(ValueError, match="takes no threshold"):
        Endpoint("x", "ANC", "auc", threshold=1.0)
    with pytest.raises(ValueError, match="kind must be one of"):
        Endpoint("x", "ANC", "minimum")
    with pytest.raises(ValueError, match="unique"):
        evaluate_endpoints(cohort_result(), [Endpoint("x", "ANC", "auc")] * 2)
    with pytest.raises(KeyError, match="Platelets"):
        evaluate_endpoints(cohort_result(), [Endpoint("x", "Platelets", "auc")])


def test_endpoint_unit_defaults_from_the_variable_unit():
    assert endpoint_unit(Endpoint("x", "ANC", "nadir"), "1e9/L") == "1e9/L"
    assert endpoint_unit(Endpoint("x", "ANC", "auc"), "1e9/L") == "1e9/L*d"
    assert endpoint_unit(Endpoint("x", "ANC", "recovery_time", threshold=0.5), "1e9/L") == "d"
    assert endpoint_unit(Endpoint("x", "ANC", "peak", unit="cells/uL"), "1e9/L") == "cells/uL"


def test_engraftment_needs_a_fall_below_the_threshold():
    # Patient 11 dips to 1, patient 12 only to 3.5: with a threshold of 2 only the first has
    # an aplasia to engraft from; the second gets no engraftment day (not its nadir day).
    # 5 - 4 exp(-((t-8)/2)^2) >= 2 from t = 8 + 2 sqrt(ln 4/3) = 9.07, so whole day 10.
    days = engraftment(cohort_result(), 2.0, 3, variable="ANC")
    assert days[0] == 10.0
    assert np.isnan(days[1]) and np.isnan(days[2])
    # with a threshold of 4 both fell below it
    assert np.isfinite(engraftment(cohort_result(), 4.0, 3, variable="ANC")[:2]).all()
