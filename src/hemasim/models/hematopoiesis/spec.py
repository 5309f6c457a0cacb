"""A parameter of the integrated model as declared: name, unit, meaning and bounds."""

from __future__ import annotations

from typing import NamedTuple


class ParameterSpec(NamedTuple):
    """What a parameter means and its unit; its value and source live in the data files.

    Attributes:
        name: parameter name.
        unit: unit text (the data files must give the same).
        meaning: one line.
        bounds: allowed range of values.
    """

    name: str
    unit: str
    meaning: str
    bounds: tuple[float, float] = (0.0, float("inf"))


FRACTION = (0.0, 1.0)
