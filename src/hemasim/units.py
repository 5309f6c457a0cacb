"""Units at the boundaries of hemasim.

Inside the numerical core every time is in days and every quantity is a plain float in the
unit its declaration names. pint is used only where text meets numbers: parameter and species
declarations, scenario files and observables. This module owns the one shared pint registry.

The registry adds the units hematology uses that pint does not know:

* ``cell`` / ``cells``: a dimensionless count, so ``cells/uL`` and ``1e9/L`` are compatible;
* ``IU`` (international unit of biological activity), so ``mIU/mL`` reads erythropoietin;
* ``m2`` / ``m^2`` written after a slash in doses (``100 mg/m2``) is read as square metres.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pint

TIME_UNIT = "day"
"""Canonical internal time unit: every rate is per day and every time in days."""

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.define("cell = [] = cells")
ureg.define("fraction = [] ")
# Hormones dosed and measured by biological activity (erythropoietin): WHO international units.
ureg.define("international_unit = [biological_activity] = IU")
Quantity = ureg.Quantity

_SQUARE_SHORTHAND = re.compile(r"(?<![\w.^*])([a-zA-Zµ]+)([23])(?![\w.])")


def normalise_unit_text(text: str) -> str:
    """Rewrite common shorthand so pint can read it.

    ``m2`` becomes ``m**2`` (``100 mg/m2``), ``10^9`` becomes ``1e9`` and ``x10^9`` prefixes are
    read as multipliers. The text is otherwise unchanged.
    """
    text = text.strip().replace("×", "x").replace("μ", "µ")
    text = re.sub(r"\bx?10\^(-?\d+)", r"1e\1", text)
    text = _SQUARE_SHORTHAND.sub(r"\1**\2", text)
    return text


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Quantity:
    """Parse a unit expression (``"1e9/L"``, ``"1/h"``, ``"mg/m2"``) into a pint Quantity.

    The magnitude carries any numeric scale in the unit (``1e9/L`` has magnitude 1e9).
    Raises ``pint.errors.UndefinedUnitError`` or ``ValueError`` on text that is not a unit.
    """
    if not text or not text.strip() or text.strip() == "1":
        return Quantity(1.0, "dimensionless")
    q = ureg.parse_expression(normalise_unit_text(text))
    if not isinstance(q, pint.Quantity):  # a bare number
        return Quantity(float(q), "dimensionless")
    return Quantity(float(q.magnitude), q.units)


def parse_quantity(text: str) -> pint.Quantity:
    """Parse a quantity with its unit (``"100 mg/m2"``, ``"1 h"``, ``"21 d"``)."""
    q = ureg.parse_expression(normalise_unit_text(text))
    if not isinstance(q, pint.Quantity):
        return Quantity(float(q), "dimensionless")
    return q


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Factor f such that a value in ``from_unit`` times f is the value in ``to_unit``.

    Raises ``pint.DimensionalityError`` when the two units measure different things.
    """
    return float((parse_unit(from_unit) / parse_unit(to_unit)).to("dimensionless").magnitude)


def base_factor(unit: str) -> float:
    """Factor converting a value in ``unit`` to pint's coherent base units (SI, counts as 1)."""
    return float(parse_unit(unit).to_base_units().magnitude)


def same_dimension(unit_a: str, unit_b: str) -> bool:
    """True when the two unit expressions measure the same kind of thing."""
    return parse_unit(unit_a).dimensionality == parse_unit(unit_b).dimensionality


def days(text_or_value: str | float) -> float:
    """A time given as text with a unit (``"1 h"``) or as a number of days, in days."""
    if isinstance(text_or_value, int | float):
        return float(text_or_value)
    return float(parse_quantity(text_or_value).to(TIME_UNIT).magnitude)
