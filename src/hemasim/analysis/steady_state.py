"""The steady state of a model: where it lies, whether it is stable, and normal ranges.

``steady_state(model)`` finds the root of the right-hand side for the model's typical
parameters (Newton on the exact Jacobian, with a long simulation as fallback), evaluates
every reported observable there and the Jacobian's eigenvalues (all with negative real
part: the steady state is locally stable).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hemasim.model.compile import compile_model
from hemasim.model.model import Model

# Normal ranges of the integrated model's read-outs: observable -> (low, high, source).
NORMAL_RANGES: dict[str, dict[str, tuple[float, float, str]]] = {
    "human": {
        "ANC": (1.8, 7.5, "clinical reference range"),
        "WBC": (4.0, 11.0, "clinical reference range"),
        "lymphocytes": (1.0, 4.0, "clinical reference range"),
        "lymphocyte_percent": (20, 45, "clinical reference range"),
        "monocytes": (0.2, 0.8, "clinical reference range"),
        "RBC": (4.2, 5.9, "clinical reference range"),
        "Hb": (12.0, 17.5, "clinical reference range"),
        "platelets": (150, 450, "Langlois 2017"),
        "reticulocyte_percent": (0.5, 2.5, "clinical reference range"),
        "CD34_per_uL": (2.0, 4.0, "Liles 2003"),
        "HSC_division_interval": (175, 350, "Catlin 2011 (25-50 weeks)"),
        "HSC_number": (5e4, 2e5, "Lee-Six 2018"),
        "GCSF": (0.01, 0.1, "Craig 2016; Scholz 2012"),
        "TPO": (28, 76, "Hou 1998 (52 +/- 2 SD)"),
        "EPO": (4, 26, "Grote Beverborg 2015"),
        "IL6": (0, 43.5, "Said 2021"),
    },
    "mouse": {
        "ANC": (0.5, 2.0, "C57BL/6 typical values"),
        "WBC": (4.0, 10.0, "Taconic; Silva-Santana 2020"),
        "lymphocyte_percent": (70, 90, "Taconic; mouse atlas"),
        "RBC": (9.0, 11.0, "Taconic FVB/N"),
        "Hb": (14.0, 17.0, "Taconic FVB/N"),
        "platelets": (900, 1600, "C57BL/6 typical values"),
        "reticulocyte_percent": (1.0, 6.0, "mouse typical values"),
        "HSC_number": (1e4, 2e4, "Abkowitz 2002; Busch 2015"),
        "HSC_division_interval": (14, 28, "Shepherd 2007 (2-4 weeks)"),
        "CFU_GM_per_mL": (20, 80, "G-CSF mobilization control arm"),
    },
}


@dataclass(frozen=True)
class SteadyState:
    """A model's steady state for its typical parameters.

    Attributes:
        model: the model.
        states: species name -> value (species unit).
        observables: reported observable name -> value (observable unit).
        eigenvalues: eigenvalues of the Jacobian at the steady state, per day.
        residual: largest scaled |dy/dt| at the root, per day.
    """

    model: Model
    states: dict[str, float]
    observables: dict[str, float]
    eigenvalues: np.ndarray
    residual: float

    @property
    def stable(self) -> bool:
        """All eigenvalues have negative real part."""
        return bool(np.all(self.eigenvalues.real < 0))

    @property
    def slowest_rate(self) -> float:
        """The real part closest to zero, per day (its inverse is the slowest return time)."""
        return float(np.max(self.eigenvalues.real))

    def rows(self) -> list[dict]:
        """One row per reported observable and cytokine, with its normal range if known."""
        ranges = NORMAL_RANGES.get(self.model.species_kind, {})
        items = [(o, self.observables[o.name]) for o in self.model.observables if o.reported]
        items += [(s, self.states[s.name]) for s in self.model.species
                  if s.compartment == "plasma"]
        found = []
        for item, value in items:
            low, high, source = ranges.get(item.name, (None, None, ""))
            found.append({"observable": item.name, "value": value, "unit": item.unit,
                          "meaning": item.meaning, "normal_low": low, "normal_high": high,
                          "within": None if low is None else bool(low <= value <= high),
                          "source": source})
        return found


def steady_state(model: Model) -> SteadyState:
    """Find the steady state of ``model`` at its typical parameters and check its stability."""
    from hemasim.solve.simulate import evaluate_observables, initial_states
    from hemasim.solve.steady import (
        find_steady_states,
        inert_states,
        jacobian_matrices,
        newton_steady_state,
    )

    compiled = compile_model(model)
    parameters = compiled.parameter_vector(model.typical_parameters())[None, :]
    start = initial_states(compiled, parameters)
    states = find_steady_states(compiled, start, parameters)
    check = newton_steady_state(compiled, states, parameters, max_iterations=0)
    jacobian = jacobian_matrices(compiled, states, parameters)[0]
    active = ~inert_states(jacobian)   # a tally's zero eigenvalue says nothing of stability
    eigenvalues = np.linalg.eigvals(jacobian[np.ix_(active, active)])
    values = evaluate_observables(compiled, states[:, None, :], parameters[:, None, :])[0, 0]
    return SteadyState(
        model=model,
        states=dict(zip(compiled.species_names, states[0].tolist(), strict=True)),
        observables=dict(zip(model.observable_names, values.tolist(), strict=True)),
        eigenvalues=eigenvalues,
        residual=float(check.residual[0]),
    )
