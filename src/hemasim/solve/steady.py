"""Steady states by root finding: damped Newton on the exact sparse Jacobian, per patient.

A steady state is a root of the right-hand side. Newton's method with the model's exact
(symbolic) Jacobian converges in a few iterations from a nearby start (for the integrated
model, the declared wild-type steady state); from far away it is damped so that states stay
non-negative and the residual falls. Where Newton does not converge, a long simulation
brings the state near the attractor first and Newton finishes from there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hemasim.model.compile import CompiledModel


@dataclass(frozen=True)
class SteadyStateSolution:
    """Roots found for a batch of parameter vectors.

    Attributes:
        states: (patients, states) in each species' unit.
        residual: (patients,) largest |dy/dt| / max(|y|, scale) at the root, per day.
        converged: (patients,) whether Newton met the tolerance.
        iterations: Newton iterations used, per patient.
    """

    states: np.ndarray
    residual: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray


def jacobian_matrices(compiled: CompiledModel, states: np.ndarray,
                      parameters: np.ndarray) -> np.ndarray:
    """Dense Jacobians d(dy/dt)/dy, (patients, states, states), at the given points."""
    from hemasim.solve.numpy_functions import numpy_functions

    jacobian = numpy_functions(compiled).jacobian
    n = compiled.n_states
    values = jacobian(*states.T, *parameters.T)
    matrices = np.zeros((states.shape[0], n, n))
    for (row, column), value in zip(compiled.jacobian_pattern(), values, strict=True):
        matrices[:, row, column] = value
    return matrices


def derivatives(compiled: CompiledModel, states: np.ndarray,
                parameters: np.ndarray) -> np.ndarray:
    """dy/dt, (patients, states), at the given points."""
    from hemasim.solve.numpy_functions import numpy_functions

    rhs = numpy_functions(compiled).rhs
    values = rhs(*states.T, *parameters.T)
    return np.stack([np.broadcast_to(np.asarray(v, dtype=float), states.shape[:1])
                     for v in values], axis=1)


ZERO_STATE_SCALE = 1e-12
"""Smallest magnitude (in a state's own unit) against which a derivative is judged."""

ROUND_OFF = 1e-20
"""States smaller than this after Newton's method are round-off of an exact zero (drug
amounts at rest) and are set to zero."""


def inert_states(jacobian: np.ndarray) -> np.ndarray:
    """Mask of states that neither change nor act on any other state: a zero row and column
    of ``jacobian`` (``(..., states, states)``), such as a tally of the cells collected by
    apheresis. They make the Jacobian singular and their zero eigenvalue says nothing about
    stability.
    """
    return (jacobian == 0).all(axis=-1) & (jacobian == 0).all(axis=-2)


def _without_round_off(states: np.ndarray) -> np.ndarray:
    return np.where(np.abs(states) < ROUND_OFF, 0.0, states)


def _scaled_residual(derivative: np.ndarray, states: np.ndarray,
                     scale: np.ndarray) -> np.ndarray:
    return np.max(np.abs(derivative) / np.maximum(np.abs(states), scale), axis=1)


def newton_steady_state(compiled: CompiledModel, start: np.ndarray, parameters: np.ndarray,
                        tolerance: float = 1e-10, max_iterations: int = 100,
                        ) -> SteadyStateSolution:
    """Damped Newton from ``start`` (patients x states) for each parameter vector.

    Args:
        compiled: the compiled model.
        start: initial guesses, (patients, states).
        parameters: full parameter vectors, (patients, parameters).
        tolerance: converged when every |dy/dt| <= tolerance * max(|y|, scale) per day,
            where scale is 1e-6 of the largest value of that state over the batch's start,
            and at least 1e-12 in the state's unit (so a state that should be zero, such as
            a drug amount, counts as converged when round-off leaves it a derivative of
            order 1e-30).
        max_iterations: Newton iterations at most.
    """
    y = np.array(start, dtype=float, copy=True)
    scale = np.maximum(1e-6 * np.max(np.abs(y), axis=0), ZERO_STATE_SCALE)
    iterations = np.zeros(y.shape[0], dtype=np.int64)
    f = derivatives(compiled, y, parameters)
    residual = _scaled_residual(f, y, scale)
    active = residual > tolerance
    for _ in range(max_iterations):
        if not active.any():
            break
        rows = np.flatnonzero(active)
        jac = jacobian_matrices(compiled, y[rows], parameters[rows])
        # an inert state (a tally) makes the Jacobian singular: hold it where it is
        patient, state = np.nonzero(inert_states(jac))
        jac[patient, state, state] = 1.0
        try:
            step = np.linalg.solve(jac, -f[rows][..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(j, -fr, rcond=None)[0]
                             for j, fr in zip(jac, f[rows], strict=True)])
        damping = np.ones(len(rows))
        for _attempt in range(30):
            trial = y[rows] + damping[:, None] * step
            trial = np.where(trial < 0, 0.5 * y[rows], trial)  # stay non-negative
            f_trial = derivatives(compiled, trial, parameters[rows])
            r_trial = _scaled_residual(f_trial, trial, scale)
            better = np.isfinite(r_trial) & (r_trial < residual[rows] * (1 - 1e-4 * damping)
                                             + 1e-300)
            accept = better | (damping < 1e-6)
            done = rows[accept]
            y[done], f[done], residual[done] = trial[accept], f_trial[accept], r_trial[accept]
            if accept.all():
                break
            damping = np.where(accept, damping, 0.5 * damping)
            keep = ~accept
            rows, step, damping = rows[keep], step[keep], damping[keep]
        iterations[active] += 1
        active = residual > tolerance
    return SteadyStateSolution(y, residual, residual <= tolerance, iterations)


def settle(compiled: CompiledModel, start: np.ndarray, parameters: np.ndarray,
           duration: float, rtol: float = 1e-8) -> np.ndarray:
    """States after simulating ``duration`` days from ``start`` with fixed parameters."""
    from hemasim.solve.codegen import load_module

    module = load_module(compiled)
    patients = start.shape[0]
    out = np.full((patients, 1, compiled.n_states), np.nan)
    status = np.zeros(patients, dtype=np.int64)
    stats = np.zeros((patients, 2), dtype=np.int64)
    no_jumps_int = np.zeros(0, dtype=np.int64)
    module.integrate_cohort(
        np.ascontiguousarray(start), np.array([0.0]), np.array([float(duration)]),
        np.ascontiguousarray(parameters[:, None, :]), no_jumps_int, no_jumps_int,
        no_jumps_int, np.zeros((patients, 0)), np.array([float(duration)]), rtol,
        np.full(compiled.n_states, 1e-12), 1e-4, 1_000_000, out, status, stats)
    return out[:, 0, :]


class SteadyStateError(RuntimeError):
    """No steady state was found for some parameter vectors."""


def find_steady_states(compiled: CompiledModel, start: np.ndarray, parameters: np.ndarray,
                       tolerance: float = 1e-10, settle_days: float = 3650.0,
                       attempts: int = 4) -> np.ndarray:
    """The steady state nearest ``start`` for each parameter vector (patients x states).

    Newton first; patients where it fails are simulated for ``settle_days`` (repeatedly, up
    to ``attempts`` times) and Newton is tried again from there. Raises
    ``SteadyStateError`` if some patients still have not converged.
    """
    solution = newton_steady_state(compiled, start, parameters, tolerance)
    states = _without_round_off(solution.states)
    failed = ~solution.converged
    current = np.array(start, dtype=float)
    for _ in range(attempts):
        if not failed.any():
            return states
        rows = np.flatnonzero(failed)
        current[rows] = settle(compiled, current[rows], parameters[rows], settle_days)
        retry = newton_steady_state(compiled, current[rows], parameters[rows], tolerance)
        states[rows] = _without_round_off(retry.states)
        failed[rows] = ~retry.converged
    if failed.any():
        raise SteadyStateError(f"no steady state found for {int(failed.sum())} of "
                               f"{len(failed)} parameter sets (residual "
                               f"{float(np.max(solution.residual[failed])):.3g} per day)")
    return states
