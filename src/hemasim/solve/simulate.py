"""The front door: ``simulate(model, scenario, method)`` returns one labelled result.

Every CLI command, experiment, plot and file format goes through here (architecture: one
front door). The numerical work happens in a compiled kernel (``Rodas4``) or in scipy
(``ScipyReference``); this module prepares the inputs, evaluates the observables and
assembles the result with its provenance.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import xarray as xr

from hemasim.model.compile import CompiledModel, compile_model
from hemasim.model.model import Model
from hemasim.result import make_result
from hemasim.scenario.events import Scenario
from hemasim.solve.cohort import sample_parameters
from hemasim.solve.methods import Rodas4, ScipyReference
from hemasim.solve.numpy_functions import numpy_functions
from hemasim.solve.schedule import Schedule, build_schedule

STATUS_TEXT = {
    1: "too many steps",
    2: "step size underflow",
    3: "singular Rosenbrock matrix",
    4: "non-finite values",
}


def scenario_to_json(scenario: Scenario) -> str:
    """The scenario as JSON text for provenance (infinite window ends become null)."""

    def clean(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [clean(item) for item in value]
        return value

    data = dataclasses.asdict(scenario)
    data["events"] = [{"type": type(e).__name__, **dataclasses.asdict(e)}
                      for e in scenario.events]
    return json.dumps(clean(data), sort_keys=True)


def apply_overrides(model: Model, scenario: Scenario) -> Model:
    """The model with the scenario's parameter overrides (values in parameter units)."""
    if not scenario.parameters:
        return model
    return model.with_parameters(**{name: value for name, value, _ in scenario.parameters})


def initial_states(compiled: CompiledModel, parameters: np.ndarray) -> np.ndarray:
    """Initial state per patient (patients x states) from full parameter vectors."""
    initial = numpy_functions(compiled).initial
    columns = [np.broadcast_to(np.asarray(value, dtype=float), parameters.shape[:1])
               for value in initial(*parameters.T)]
    return np.ascontiguousarray(np.stack(columns, axis=1))


def evaluate_observables(compiled: CompiledModel, states: np.ndarray,
                         parameters: np.ndarray, *,
                         output_segment: np.ndarray | None = None,
                         columns: list[int] | None = None,
                         out: np.ndarray | None = None, threads: int = 1) -> np.ndarray:
    """Observables (patients x times x observables) from states and the parameters in force.

    Evaluated by the model's compiled module (``observables_kernel``), one patient and output
    time at a time, so no array of every patient's parameters at every output time is ever
    built (1000 mice x 366 days x 223 parameters would be 650 MiB). With ``threads`` > 1 the
    patients are spread over numba's threads; each writes its own rows, so the result does
    not depend on the number of threads.

    Args:
        states: (patients, times, states); NaN (failed patients) is evaluated as 0.
        parameters: (patients, times, parameters) in force at each time, or (patients,
            segments, parameters) when ``output_segment`` is given.
        output_segment: (times,) index of the segment in force at each output time.
        columns: observables to keep, in this order (default: all).
        out: array (patients, times, len(columns)) to write into (default: a new one).
        threads: more than 1: evaluate patients on numba's threads.
    """
    from hemasim.solve.codegen import load_module

    columns = list(range(len(compiled.observables))) if columns is None else list(columns)
    values = np.empty((*states.shape[:2], len(columns))) if out is None else out
    if not columns or states.shape[0] == 0:
        return values
    if output_segment is None:
        output_segment = np.arange(states.shape[1])
    module = load_module(compiled)
    evaluate = module.observables_parallel if threads > 1 else module.observables_serial
    evaluate(np.asarray(states, dtype=float), np.asarray(parameters, dtype=float),
             np.asarray(output_segment, dtype=np.int64), np.asarray(columns, dtype=np.int64),
             values)
    return values


def _threads(method: Rodas4 | ScipyReference) -> int:
    """Threads for the work around the solve: numba's thread count when the compiled engine
    runs patients in parallel, else 1."""
    if isinstance(method, Rodas4) and method.parallel:
        import numba

        return numba.get_num_threads()
    return 1


def _solve_rodas4(compiled: CompiledModel, schedule: Schedule, y0: np.ndarray,
                  method: Rodas4, out: np.ndarray) -> np.ndarray:
    """Solve every patient into ``out`` (patients, times, columns), whose first
    ``n_states`` columns receive the states; returns each patient's status (0: solved).

    ``out`` may hold more columns than states (the result's observables follow them), so the
    states need no copy; it need not be initialised: the rows of a failed patient are
    unspecified."""
    from hemasim.solve.codegen import load_module

    module = load_module(compiled)
    n_patients = y0.shape[0]
    status = np.zeros(n_patients, dtype=np.int64)
    stats = np.zeros((n_patients, 2), dtype=np.int64)
    atol = np.full(compiled.n_states, method.atol)
    arguments = (
        y0, schedule.segment_start, schedule.segment_end,
        np.ascontiguousarray(schedule.segment_parameters), schedule.jump_segment,
        schedule.jump_state, schedule.jump_mode, np.ascontiguousarray(schedule.jump_value),
        schedule.output_times, float(method.rtol), atol, float(method.initial_step),
        int(method.max_steps),
    )
    if method.parallel:
        module.integrate_cohort(*arguments, out, status, stats)
    else:
        for patient in range(n_patients):
            status[patient] = module.integrate_patient(
                y0[patient], *arguments[1:3], arguments[3][patient], *arguments[4:7],
                arguments[7][patient], *arguments[8:], out[patient], stats[patient])
    return status


def _solve_scipy(compiled: CompiledModel, schedule: Schedule, y0: np.ndarray,
                 method: ScipyReference, out: np.ndarray) -> np.ndarray:
    """As ``_solve_rodas4``, with scipy's ``solve_ivp`` patient by patient."""
    from scipy.integrate import solve_ivp

    functions = numpy_functions(compiled)
    rhs, jacobian = functions.rhs, functions.jacobian
    entries = compiled.jacobian_pattern()
    n = compiled.n_states
    times = schedule.output_times
    status = np.zeros(y0.shape[0], dtype=np.int64)
    for patient in range(y0.shape[0]):
        y = y0[patient].copy()
        for segment, (t0, t1) in enumerate(zip(schedule.segment_start, schedule.segment_end,
                                                strict=True)):
            for k in np.flatnonzero(schedule.jump_segment == segment):
                i, mode = schedule.jump_state[k], schedule.jump_mode[k]
                value = schedule.jump_value[patient, k]
                y[i] = y[i] * value if mode == 0 else (y[i] + value if mode == 1 else value)
            p = schedule.segment_parameters[patient, segment]
            at_start = np.isclose(times, t0, rtol=0, atol=1e-12)
            out[patient, at_start, :n] = y
            inside = (times > t0 + 1e-12) & (times <= t1 + 1e-12)

            def f(_t, state, p=p):
                return np.asarray(rhs(*state, *p), dtype=float)

            def jac(_t, state, p=p):
                matrix = np.zeros((n, n))
                for (i, j), value in zip(entries, jacobian(*state, *p), strict=True):
                    matrix[i, j] = value
                return matrix

            count = int(inside.sum())
            evaluate_at = times[inside]
            if count == 0 or evaluate_at[-1] < t1 - 1e-12:
                evaluate_at = np.append(evaluate_at, t1)
            solution = solve_ivp(f, (t0, t1), y, method=method.method, t_eval=evaluate_at,
                                 rtol=method.rtol, atol=method.atol, jac=jac)
            if not solution.success:
                status[patient] = 2
                break
            out[patient, inside, :n] = solution.y[:, :count].T
            y = solution.y[:, -1].copy()
    return status


def simulate(model: Model, scenario: Scenario, method: Rodas4 | ScipyReference | None = None,
             *, patients: int | None = None, seed: int | None = None,
             first_patient: int = 0, variability: bool | None = None) -> xr.Dataset:
    """Simulate a scenario for one patient or a cohort.

    Args:
        model: the model (the scenario's parameter overrides are applied to it).
        scenario: interventions, duration and output times.
        method: ``Rodas4()`` (default, compiled) or ``ScipyReference()``.
        patients: cohort size; default the scenario's. One patient is the typical
            individual unless ``variability`` is True.
        seed: cohort seed; default the scenario's.
        first_patient: id of the first patient (patients are ``first_patient ...``), so a
            large cohort can be solved in chunks with identical results.
        variability: draw parameters from the model's variability; default True when
            ``patients > 1``.

    Returns:
        The result Dataset (patient x time x variable) with units and provenance; patients
        whose solve failed have NaN values, status 1 and a message naming their parameters.
    """
    method = method or Rodas4()
    patients = scenario.patients if patients is None else patients
    seed = scenario.seed if seed is None else seed
    if patients < 1:
        raise ValueError(f"patients must be at least 1, got {patients}")
    variability = patients > 1 if variability is None else variability
    model = apply_overrides(model, scenario)
    compiled = compile_model(model)
    ids = np.arange(first_patient, first_patient + patients, dtype=np.int64)
    declared = sample_parameters(model, ids, seed, variability)
    schedule = build_schedule(compiled, scenario, declared)
    y0 = initial_states(compiled, schedule.segment_parameters[:, 0, :])
    if scenario.start == "steady_state":
        from hemasim.solve.steady import find_steady_states

        # the steady state before time zero: no infusion running, no window applied yet
        untreated = np.zeros((patients, compiled.n_parameters))
        untreated[:, : declared.shape[1]] = declared
        compiled.fill_derived(untreated)
        y0 = find_steady_states(compiled, initial_states(compiled, untreated), untreated)
    reported = [i for i, o in enumerate(model.observables) if o.reported]
    shown = [model.observables[i] for i in reported]
    # one array for the result: the solver writes the states into its first columns and the
    # observables are evaluated into the rest (a year of 1000 integrated patients is 0.5 GB;
    # a copy of it cost as much time as the observables)
    n = compiled.n_states
    values = np.empty((patients, len(schedule.output_times), n + len(reported)))
    solve = _solve_rodas4 if isinstance(method, Rodas4) else _solve_scipy
    status = solve(compiled, schedule, y0, method, values)
    failed = status != 0
    evaluate_observables(compiled, values[..., :n], schedule.segment_parameters,
                         output_segment=schedule.output_segment, columns=reported,
                         out=values[..., n:], threads=_threads(method))
    values[failed] = np.nan  # their rows were left unspecified by the solver
    messages = [
        "" if code == 0 else (
            f"patient {patient}: solver failed ({STATUS_TEXT.get(int(code), code)}) with "
            + ", ".join(f"{name}={value:.6g}" for name, value in
                        zip(model.parameter_names, declared[row], strict=True)))
        for row, (patient, code) in enumerate(zip(ids, status, strict=True))
    ]
    from hemasim import __version__

    provenance = {
        "model": model.name,
        "model_hash": model.content_hash,
        "scenario": scenario_to_json(scenario),
        "scenario_name": scenario.name,
        "engine": method.name,
        "rtol": float(method.rtol),
        "atol": float(method.atol),
        "seed": int(seed),
        "patients": int(patients),
        "hemasim_version": __version__,
    }
    return make_result(
        values=values,
        times=schedule.output_times,
        variables=[*model.species_names, *(o.name for o in shown)],
        units=[*(s.unit for s in model.species), *(o.unit for o in shown)],
        kinds=["species"] * len(model.species) + ["observable"] * len(shown),
        patient_ids=ids,
        parameter_names=list(model.parameter_names),
        parameter_units=[p.unit for p in model.parameters],
        parameter_values=declared,
        status=failed.astype(np.int8),
        messages=messages,
        provenance=provenance,
    )
