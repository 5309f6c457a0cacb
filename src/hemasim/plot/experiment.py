"""The figure of a built-in experiment: every arm's time course, then model vs reference.

Top panels: one per figure variable, one line per arm (the main arm first); an arm run as a
cohort shows its median over patients and the shaded 5-95 % band. Bottom panel:
one row per target, its published range as a bar and the model's value as a dot; a green
dot passes, a red one fails. Ranges have different units, so each row is drawn on its own
scale: the range spans [0, 1] (an open range gets a unit-width bar with an arrow), and the
model value is placed on that scale.

Drawn on the Agg canvas without pyplot (no window, no global state).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from hemasim.io.atomic import atomic_destination
from hemasim.plot.timecourse import draw_cohort_band
from hemasim.result import series

DOTS_PER_INCH = 150


def _position(value: float, lower: float, upper: float) -> float:
    """Where ``value`` sits on the row's scale: the range is [0, 1]."""
    if not math.isfinite(value):
        return float("nan")
    if math.isfinite(lower) and math.isfinite(upper) and upper > lower:
        return (value - lower) / (upper - lower)
    if math.isfinite(lower) and not math.isfinite(upper):
        scale = abs(lower) if lower != 0 else 1.0
        return (value - lower) / scale
    if math.isfinite(upper):
        scale = abs(upper) if upper != 0 else 1.0
        return 1.0 + (value - upper) / scale
    return 0.5


def _draw_arm(axes, trajectories, label: str, colour: str) -> None:
    """One arm's line: its only patient, or a cohort's median with the 5-95 % band."""
    if trajectories.sizes["patient"] == 1:
        axes.plot(trajectories["time"].values, trajectories.values[0], label=label,
                  color=colour, linewidth=1.3)
        return
    draw_cohort_band(axes, trajectories, colour, f"{label}: ", linewidth=1.3)


def plot_experiment(outcome, path: str | os.PathLike) -> Path:
    """Draw an experiment's figure and save it as a PNG (atomically).

    Args:
        outcome: an ``ExperimentOutcome`` (arms and target results).
        path: destination PNG file.

    Returns:
        The destination as a ``Path``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    experiment = outcome.experiment
    arms = outcome.arms or {experiment.main_label: outcome.result}
    variables = list(experiment.figure_variables)
    results = outcome.target_results()
    heights = [2.2] * len(variables) + [0.35 * len(results) + 0.8]
    figure = Figure(figsize=(7.5, sum(heights)), layout="constrained")
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(len(heights), 1, height_ratios=heights)
    for row, variable in enumerate(variables):
        axes = figure.add_subplot(grid[row])
        for colour, (label, result) in enumerate(arms.items()):
            if variable not in result["variable"].values:
                continue
            _draw_arm(axes, series(result, variable), label, f"C{colour}")
        unit = next(iter(arms.values()))["unit"].sel(variable=variable).item() \
            if "unit" in next(iter(arms.values())) else ""
        axes.set_ylabel(f"{variable}\n[{unit}]" if unit else variable, fontsize=8)
        axes.tick_params(labelsize=7)
        axes.grid(alpha=0.3)
        if row == 0:
            axes.set_title(experiment.title, fontsize=9)
            if len(arms) > 1:
                axes.legend(fontsize=7)
        if row == len(variables) - 1:
            axes.set_xlabel("time [day]", fontsize=8)
    axes = figure.add_subplot(grid[-1])
    for y, item in enumerate(reversed(results)):
        target = item.target
        right = 1.0 if math.isfinite(target.upper) else 1.25
        left = 0.0 if math.isfinite(target.lower) else -0.25
        axes.plot([left, right], [y, y], color="0.6", linewidth=5, solid_capstyle="butt")
        x = _position(item.model, target.lower, target.upper)
        if math.isfinite(x):
            axes.plot([np.clip(x, -0.6, 1.6)], [y], "o",
                      color="tab:green" if item.passed else "tab:red", markersize=6)
        axes.text(1.65, y, f"{target.id}: {item.model:.3g} vs {target.describe_reference()}",
                  va="center", fontsize=6.5)
    axes.set_yticks([])
    axes.set_xlim(-0.7, 3.6)
    axes.set_xticks([0, 1])
    axes.set_xticklabels(["range low", "range high"], fontsize=7)
    axes.set_title("model (dot) vs published range (bar); green passes", fontsize=8)
    destination = Path(path)
    with atomic_destination(destination) as temporary:
        figure.savefig(temporary, dpi=DOTS_PER_INCH, format="png")
    return destination
