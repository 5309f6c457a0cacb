"""Time-course figures of a result: one panel per variable, time in days on the x axis.

matplotlib is imported inside the functions (importing this module stays cheap) and figures
are drawn on the Agg canvas directly, without pyplot, so no window is ever opened and no global
figure state is touched.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from hemasim.analysis.cohort import timecourse_band
from hemasim.io.atomic import atomic_destination
from hemasim.result import series

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DOTS_PER_INCH = 150
PANEL_WIDTH_INCHES = 7.0
PANEL_HEIGHT_INCHES = 2.6


def draw_cohort_band(axes, trajectories: xr.DataArray, colour: str, label_prefix: str = "",
                     **line_style) -> int:
    """Draw a cohort's median over its successfully solved patients and the shaded 5-95 %
    band; returns how many patients they cover.

    Args:
        axes: matplotlib Axes to draw on.
        trajectories: (patient, time) series of one variable.
        colour: matplotlib colour of the line and the band.
        label_prefix: text before ``median, 90 % band (n=N)`` in the legend.
        line_style: further keyword arguments of the median line (e.g. ``linewidth``).
    """
    band = timecourse_band(trajectories)
    times = trajectories["time"].values
    axes.fill_between(times, band["p05"].values, band["p95"].values, color=colour, alpha=0.25,
                      linewidth=0)
    axes.plot(times, band["median"].values, color=colour,
              label=f"{label_prefix}median, 90 % band (n={band.attrs['patients']})",
              **line_style)
    return int(band.attrs["patients"])


def timecourse_figure(
    result: xr.Dataset,
    variables: list[str],
    title: str | None = None,
    thresholds: dict[str, float] | None = None,
) -> Figure:
    """Draw the time-course figure without saving it.

    Args:
        result: a result Dataset from ``hemasim.result.make_result``.
        variables: variables to draw, one panel each, top to bottom.
        title: figure title, or None for none.
        thresholds: horizontal reference lines, value in the variable's unit by variable
            name; variables not drawn are ignored.

    Returns:
        A matplotlib Figure on an Agg canvas. With one patient each panel shows its line
        (label ``"patient <id>"``); with more, the median over patients whose solve
        succeeded and the shaded 5-95 % band (label ``"median, 90 % band (n=N)"``).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not variables:
        raise ValueError("plot_timecourse needs at least one variable")
    thresholds = thresholds or {}
    figure = Figure(
        figsize=(PANEL_WIDTH_INCHES, PANEL_HEIGHT_INCHES * len(variables)),
        layout="constrained",
    )
    FigureCanvasAgg(figure)
    axes_list = figure.subplots(len(variables), 1, sharex=True, squeeze=False)[:, 0]
    single_patient = result.sizes["patient"] == 1
    for axes, variable in zip(axes_list, variables, strict=True):
        trajectories = series(result, variable)
        unit = trajectories.attrs["units"]
        times = trajectories["time"].values
        if single_patient:
            patient_id = int(trajectories["patient"].values[0])
            axes.plot(times, trajectories.values[0], color="C0", label=f"patient {patient_id}")
            drawn = not np.all(np.isnan(trajectories.values[0]))
        else:
            drawn = draw_cohort_band(axes, trajectories, "C0") > 0
        if not drawn:
            axes.text(
                0.5,
                0.5,
                "no successful solve",
                transform=axes.transAxes,
                ha="center",
                va="center",
            )
        if variable in thresholds:
            axes.axhline(
                thresholds[variable],
                color="C3",
                linestyle="--",
                linewidth=1.0,
                label=f"threshold {thresholds[variable]:g} {unit}",
            )
        axes.set_ylabel(f"{variable} [{unit}]")
        axes.legend(loc="best", fontsize="small")
        axes.grid(True, alpha=0.3)
        _readable_scale(axes)
    axes_list[-1].set_xlabel("time [d]")
    if title is not None:
        figure.suptitle(title)
    return figure


def plot_timecourse(
    result: xr.Dataset,
    variables: list[str],
    path: str | os.PathLike,
    title: str | None = None,
    thresholds: dict[str, float] | None = None,
) -> Path:
    """Draw the time-course figure and save it as a PNG at 150 dpi, atomically.

    Args:
        result: a result Dataset from ``hemasim.result.make_result``.
        variables: variables to draw, one panel each, top to bottom.
        path: destination PNG file; its directory must exist. An existing file is replaced
            only once the new image is complete.
        title: figure title, or None for none.
        thresholds: horizontal reference lines, value in the variable's unit by variable name.

    Returns:
        The destination as a ``Path``.
    """
    destination = Path(path)
    figure = timecourse_figure(result, variables, title=title, thresholds=thresholds)
    with atomic_destination(destination) as temporary:
        figure.savefig(temporary, dpi=DOTS_PER_INCH, format="png")
    return destination


def _readable_scale(axes) -> None:
    """Plain tick labels, and at least +/- 5 % around a series that hardly moves (a steady
    state), so that round-off is not drawn as a trend on an offset axis."""
    axes.ticklabel_format(axis="y", useOffset=False)
    low, high = axes.get_ylim()
    middle = 0.5 * (low + high)
    span = max(abs(middle) * 0.05, 1e-12)
    if high - low < 2 * span:
        axes.set_ylim(middle - span, middle + span)
