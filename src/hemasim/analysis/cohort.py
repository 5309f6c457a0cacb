"""Cohort summaries: endpoint distributions and per-time bands over patients.

Percentiles use numpy's default (linear interpolation between order statistics). NaN entries
(failed patients, endpoints that never happened) are left out and not counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

SUMMARY_COLUMNS = ("endpoint", "unit", "n", "median", "p05", "p95", "mean")
"""Columns of the table ``summarise`` returns, in order."""


def summarise(endpoint_table: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """Summarise each endpoint column of an endpoint table over patients.

    Args:
        endpoint_table: as returned by ``evaluate_endpoints``: a ``patient`` column and one
            numeric column per endpoint.
        units: unit text of every endpoint column, by column name.

    Returns:
        DataFrame with columns ``SUMMARY_COLUMNS`` and one row per endpoint, in column order:
        n is the number of non-NaN values (int); median, p05 (5th percentile), p95 (95th
        percentile) and mean are over those values, in the endpoint's unit, NaN when n is 0.

    Raises:
        ValueError: if an endpoint column has no unit in ``units``.
    """
    endpoint_names = [name for name in endpoint_table.columns if name != "patient"]
    missing = [name for name in endpoint_names if name not in units]
    if missing:
        raise ValueError(f"no unit given for endpoints {missing}")
    rows = []
    for name in endpoint_names:
        column = endpoint_table[name].to_numpy(dtype=np.float64)
        finite = column[~np.isnan(column)]
        if finite.size:
            median, p05, p95 = np.percentile(finite, [50.0, 5.0, 95.0])
            mean = float(np.mean(finite))
        else:
            median = p05 = p95 = mean = np.nan
        rows.append(
            {
                "endpoint": name,
                "unit": units[name],
                "n": int(finite.size),
                "median": float(median),
                "p05": float(p05),
                "p95": float(p95),
                "mean": mean,
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)).astype({"n": np.int64})


def timecourse_band(series: xr.DataArray) -> xr.Dataset:
    """Median and 5-95 % band over patients at every sampled time.

    Args:
        series: (patient, time) DataArray, e.g. from ``hemasim.result.series``; NaN rows
            (failed patients) are left out.

    Returns:
        Dataset over ``time`` with data variables ``median``, ``p05``, ``p95`` (in the series'
        unit, NaN where no patient has a value) and ``n`` (int64, patients with a value at
        that time); attrs ``units`` copied from the series and ``patients`` (int, patients with
        no NaN sample).
    """
    if set(series.dims) != {"patient", "time"}:
        raise ValueError(f"series must have dims (patient, time), got {series.dims}")
    values = np.asarray(series.transpose("patient", "time").values, dtype=np.float64)
    present = ~np.isnan(values)
    count = present.sum(axis=0)
    quantiles = np.full((3, values.shape[1]), np.nan)
    any_present = count > 0
    if np.any(any_present):
        quantiles[:, any_present] = np.nanpercentile(
            values[:, any_present], [50.0, 5.0, 95.0], axis=0
        )
    attrs = {"patients": int(np.sum(present.all(axis=1)))}
    if "units" in series.attrs:
        attrs["units"] = series.attrs["units"]
    return xr.Dataset(
        data_vars={
            "median": ("time", quantiles[0]),
            "p05": ("time", quantiles[1]),
            "p95": ("time", quantiles[2]),
            "n": ("time", count.astype(np.int64)),
        },
        coords={"time": series["time"]},
        attrs=attrs,
    )
