"""The standard endpoints of a run, derived from the model's main read-out and thresholds."""

from __future__ import annotations

from hemasim.analysis.endpoints import Endpoint
from hemasim.model.model import Model


def _slug(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").split())


def standard_endpoints(model: Model) -> list[Endpoint]:
    """Nadir, peak and AUC of the main read-out, plus one endpoint per declared threshold.

    The main read-out is the model's first plot variable. A ``below`` threshold gives the
    days spent below it; an ``above`` threshold gives the first day back at or above it after
    the nadir.
    """
    variable = model.plot_variables[0]
    unit = model.unit_of(variable)
    endpoints = [
        Endpoint(f"{variable}_nadir", variable, "nadir", unit=unit),
        Endpoint(f"{variable}_nadir_day", variable, "nadir_time", unit="d"),
        Endpoint(f"{variable}_peak", variable, "peak", unit=unit),
        Endpoint(f"{variable}_peak_day", variable, "peak_time", unit="d"),
        Endpoint(f"{variable}_auc", variable, "auc", unit=f"{unit}*d"),
    ]
    for threshold in model.thresholds:
        label = _slug(threshold.label)
        if threshold.direction == "below":
            endpoints.append(Endpoint(f"days_{label}", threshold.variable, "time_below",
                                      threshold=threshold.value, unit="d"))
        else:
            endpoints.append(Endpoint(f"day_{label}", threshold.variable, "recovery_time",
                                      threshold=threshold.value, unit="d"))
    return endpoints
