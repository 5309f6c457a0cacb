"""Solver methods as values: what to integrate with and at which tolerances.

Methods are objects, not strings (architecture principle 1, after diffrax's
``diffeqsolve(term, solver)``): ``simulate(model, scenario, method=Rodas4(rtol=1e-8))``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rodas4:
    """The compiled engine: RODAS4 Rosenbrock per patient, patients in parallel (numba).

    Attributes:
        rtol: relative tolerance.
        atol: absolute tolerance, in each state's unit.
        max_steps: step attempts allowed per patient before it is reported as failed.
        initial_step: first step after each event, days.
        parallel: spread patients over all cores.
    """

    rtol: float = 1e-6
    atol: float = 1e-9
    max_steps: int = 200_000
    initial_step: float = 1e-4
    parallel: bool = True

    @property
    def name(self) -> str:
        return "rodas4-numba"


@dataclass(frozen=True)
class ScipyReference:
    """scipy.integrate.solve_ivp per patient, for reference solutions in tests.

    Attributes:
        rtol, atol: tolerances (tight by default).
        method: a solve_ivp method that copes with stiffness (``"Radau"``, ``"BDF"``,
            ``"LSODA"``).
    """

    rtol: float = 1e-10
    atol: float = 1e-12
    method: str = "Radau"

    @property
    def name(self) -> str:
        return f"scipy-{self.method}"
