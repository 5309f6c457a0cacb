"""Field types shared by the scenario file format: times, masses and areas with units,
short names, factors, the one-key rule error and the common base of every item.

Quantities stay text here (so a message can quote what was written); ``scenario.loading``
converts them. A rule that concerns one key of an item raises ``PydanticCustomError`` of type
``"scenario_rule"`` with that key in its context (``{"key": "until"}``), so the error can
point at the key rather than at the whole item.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

import pint
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from hemasim.units import TIME_UNIT, parse_quantity

RULE_ERROR = "scenario_rule"
"""pydantic error type of the cross-key rules; its context names the offending key."""

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

DIMENSION_WORDS: dict[str, str] = {
    "[time]": "a time",
    "[mass]": "a mass",
    "[length]": "a length",
    "[length] ** 2": "an area",
    "[length] ** 3": "a volume",
    "[substance]": "an amount of substance",
    "dimensionless": "a bare number",
    "1 / [time]": "a rate",
    "[length] ** 2 / [time] ** 2": "a radiation dose",
    "[mass] / [length] ** 3": "a mass concentration",
    "[substance] / [length] ** 3": "a molar concentration",
    "1 / [length] ** 3": "a count per volume",
    "[mass] / [length] ** 2": "a mass per area",
    "[length] ** 3 / [substance]": "a volume per amount of substance",
}


def describe_dimension(quantity: pint.Quantity) -> str:
    """Plain words for what a quantity measures, with an article (``"a mass"``, ``"an area"``).

    Args:
        quantity: any pint quantity; only its dimensionality is used.
    """
    key = str(quantity.dimensionality)
    return DIMENSION_WORDS.get(key, f"a quantity of dimension {key}")


def time_in_days(text: str) -> float:
    """A time written with a unit (``"21 d"``, ``"1 h"``), in days.

    Args:
        text: the time as written in the file.

    Raises:
        ValueError: with a one-line message when the text is not a time with a unit.
    """
    expected = "expected a time with a unit, e.g. '21 d' or '1 h'"
    try:
        quantity = parse_quantity(text)
    except pint.UndefinedUnitError as error:
        unknown = ", ".join(f"'{name}'" for name in error.unit_names)
        raise ValueError(f"{expected}; {unknown} is not a known unit (got '{text}')") from None
    except Exception:  # pint and its tokenizer raise several error types on gibberish
        raise ValueError(f"{expected} (got '{text}')") from None
    if quantity.dimensionless:
        raise ValueError(f"{expected} (got '{text}', a bare number)")
    try:
        value = float(quantity.to(TIME_UNIT).magnitude)
    except pint.DimensionalityError:
        raise ValueError(f"{expected} (got '{text}', {describe_dimension(quantity)})") from None
    if not math.isfinite(value):
        raise ValueError(f"expected a finite time (got '{text}')")
    return value


def quantity_check(kind: str, example: str, condition: str | None = None):
    """An after-validator checking that text is a quantity of one kind and sign.

    Args:
        kind: pint dimensionality text the quantity must have (``"[time]"``).
        example: a correct value shown in the message (``"21 d"``).
        condition: ``"non-negative"``, ``"positive"`` or ``None`` (any sign).
    """

    def check(text: str) -> str:
        if kind == "[time]":
            value = time_in_days(text)
        else:
            expected = f"expected {DIMENSION_WORDS[kind]} with a unit, e.g. '{example}'"
            try:
                quantity = parse_quantity(text)
            except Exception:  # pint raises several error types on text that is no quantity
                raise ValueError(f"{expected} (got '{text}')") from None
            if str(quantity.dimensionality) != kind:
                raise ValueError(f"{expected} (got '{text}', {describe_dimension(quantity)})")
            value = float(quantity.magnitude)
        if condition == "non-negative" and value < 0:
            raise ValueError(f"must not be negative (got '{text}')")
        if condition == "positive" and not value > 0:
            raise ValueError(f"must be greater than zero (got '{text}')")
        return text

    return check


def number_as_text(value: Any) -> Any:
    """Turn a bare YAML number into text so the unit check can say that the unit is missing."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    return value


def number_or_text(value: Any) -> Any:
    """Accept a finite number or non-empty text; anything else gets a plain message."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number or a number with a unit (got {value!r})")
    if isinstance(value, str) and not value.strip():
        raise ValueError("expected a number or a number with a unit (got empty text)")
    if isinstance(value, int | float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number (got {value!r})")
    return value


def short_name(text: str) -> str:
    if not NAME_PATTERN.match(text):
        raise ValueError(f"expected a short identifier of letters, digits, '-', '_' or '.', "
                         f"e.g. 'docetaxel-cycles' (got {text!r})")
    return text


def finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number (got {value!r})")
    return value


Time = Annotated[str, BeforeValidator(number_as_text),
                 AfterValidator(quantity_check("[time]", "21 d", "non-negative"))]
"""A time with a unit, zero or later (``"0 d"``, ``"12 h"``)."""

PositiveTime = Annotated[str, BeforeValidator(number_as_text),
                         AfterValidator(quantity_check("[time]", "21 d", "positive"))]
"""A time span with a unit, greater than zero (``"21 d"``)."""

Mass = Annotated[str, BeforeValidator(number_as_text),
                 AfterValidator(quantity_check("[mass]", "70 kg", "positive"))]
"""A body weight with a unit (``"70 kg"``)."""

Area = Annotated[str, BeforeValidator(number_as_text),
                 AfterValidator(quantity_check("[length] ** 2", "1.8 m2", "positive"))]
"""A body surface area with a unit (``"1.8 m2"``)."""

NumberOrQuantity = Annotated[str | float, BeforeValidator(number_or_text)]
"""A number in the target's own unit, or text with a unit to convert (``"90 h"``)."""

Factor = Annotated[float, Field(ge=0), AfterValidator(finite)]
"""A multiplying factor, zero or more (0 knocks out)."""


def rule_error(key: str, problem: str) -> PydanticCustomError:
    """An error for one key of the item being validated."""
    return PydanticCustomError(RULE_ERROR, "{problem}", {"problem": problem, "key": key})


class Spec(BaseModel):
    """Common configuration: unknown keys are errors, values are frozen, and an empty YAML
    value (``doses:`` with nothing after it) of an optional key means its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        optional = {field.alias or name for name, field in cls.model_fields.items()
                    if not field.is_required()}
        return {key: value for key, value in data.items()
                if not (value is None and key in optional)}
