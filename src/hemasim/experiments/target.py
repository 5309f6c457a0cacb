"""Published reference values and how a model's number is judged against them."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A published observation a built-in experiment must reproduce.

    Attributes:
        id: target id of ``shared/validation/targets.md`` (``"CH-1"``), with a suffix when one
            target has several read-outs (``"CH-1 nadir"``).
        observable: what is measured, in words with its unit.
        lower, upper: the range that counts as a pass, in ``unit``.
        unit: unit of the range and of the model value.
        source: the publication (and table/figure) the range comes from.
        reference: the range as the source states it, for display.
    """

    id: str
    observable: str
    lower: float
    upper: float
    unit: str
    source: str
    reference: str = ""

    def passes(self, value: float) -> bool:
        """True when ``value`` is finite and inside [lower, upper]."""
        return math.isfinite(value) and self.lower <= value <= self.upper

    def describe_reference(self) -> str:
        return self.reference or f"{self.lower:g}-{self.upper:g} {self.unit}"


@dataclass(frozen=True)
class TargetResult:
    """A model value next to its target."""

    target: Target
    experiment: str
    model: float

    @property
    def passed(self) -> bool:
        return self.target.passes(self.model)

    def as_row(self) -> dict:
        """The row ``hemasim validate --json`` prints."""
        return {
            "id": self.target.id,
            "experiment": self.experiment,
            "observable": self.target.observable,
            "reference": self.target.describe_reference(),
            "model": None if not math.isfinite(self.model) else round(float(self.model), 6),
            "pass": bool(self.passed),
            "source": self.target.source,
        }
