"""Apheresis items of a scenario file, resolved into parameter windows.

A leukapheresis processing V blood volumes over a duration T removes blood CD34+ cells at
``V / T * CE`` per unit time (well-mixed blood; Neyrinck 2015, "Calculations in apheresis":
yield = CE x processed volume x CD34+ concentration). Blood keeps being refilled from the
marrow by the model's own egress while the collection runs, which is why CD34+ falls only
by about a third during a collection (Cull 2002) rather than emptying.
"""

from __future__ import annotations

from collections.abc import Callable

from hemasim.model.model import Model
from hemasim.scenario.events import ParameterChange
from hemasim.scenario.fields import time_in_days
from hemasim.scenario.schema import ApheresisSpec

ErrorFactory = Callable[[str, str], Exception]
TimeReader = Callable[[str, str], float]


def apheresis_windows(key: str, spec: ApheresisSpec, model: Model, time: TimeReader,
                      error: ErrorFactory) -> list[ParameterChange]:
    """The processing-rate window (and the efficiency window, when given) of one collection.

    Args:
        key: the item's key in the file, for messages (``apheresis[0]``).
        spec: the item.
        model: the scenario's model (must be the integrated model).
        time: reads an event time (days) and checks it falls inside the run.
        error: builds the loader's error for a key and a problem.
    """
    if model.name != "hematopoiesis":
        raise error(key, f"model '{model.name}' has no blood stem cells to collect; use the "
                         "'hematopoiesis' model")
    start = time(f"{key}.at", spec.at)
    duration = time_in_days(spec.duration)
    end = start + duration
    windows = [ParameterChange("apheresis_rate", start, end,
                               value=spec.blood_volumes / duration)]
    if spec.collection_efficiency is not None:
        windows.append(ParameterChange("apheresis_collection_efficiency", start, end,
                                       value=spec.collection_efficiency))
    return windows
