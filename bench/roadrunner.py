"""Benchmark: hemasim vs a libRoadRunner loop vs a scipy LSODA loop, same patients, same SBML.

For each model (Friberg 2002 docetaxel, 21 days, one 1-h infusion of 100 mg/m2; the
integrated hematopoiesis model, human, 365 days from each patient's steady state, with a
docetaxel 100 mg/m2 1-h infusion on day 1 when the model accepts docetaxel) and N virtual
patients drawn from the model's variability (seeded), in one process on one machine:

* **hemasim**: ``simulate(model, scenario, Rodas4(rtol, atol))`` in chunks of 1000 patients,
  end to end (parameter sampling, steady-state root finding, the compiled RODAS4 solve,
  observables and the labelled result); also the compiled kernel alone on prepared inputs;
* **libRoadRunner**: the model exported by ``hemasim.io.sbml`` once, loaded once; per
  patient ``reset()``, set the patient's values (varied parameters, derived quantities and
  initial state, computed beforehand by hemasim), ``simulate(times=...)`` with CVODE at the
  same tolerances, selecting the same variables hemasim reports;
* **scipy**: ``solve_ivp(method="LSODA")`` per patient and per event segment, with
  hemasim's generated right-hand side and exact Jacobian (numba-compiled; the same
  equations as the SBML, as the round-trip tests check), on a subsample of the patients
  (``--scipy-patients``), since it is far slower; its rate is that subsample's.

Every engine is pinned to one core (``os.sched_setaffinity`` on every thread of this
process, what ``taskset -c`` does, and one numba thread); hemasim is then also run on all
cores. Compile and warm-up times are reported apart: hemasim's model build (sympy), code
generation and numba compilation in an empty cache (``--warm-cache`` uses the normal
cache), and libRoadRunner's loading (LLVM) of the SBML.

Accuracy: on ``--accuracy-patients`` patients (a subsample: the first ones), each engine's
states at the output times at the benchmark tolerances are compared with a tight reference
(libRoadRunner/CVODE at rtol 1e-12, atol 1e-16); hemasim at rtol 1e-12 is compared with the
same reference to show how well the reference itself is pinned down. hemasim is also run
at the loosest of rtol 1e-3, 1e-4, 1e-5 whose deviation is no worse than libRoadRunner's at
the benchmark tolerances ("equal accuracy"). The relative deviation
of a value is |x - ref| / max(|ref|, 1e-6 x the largest |ref| of that state for that
patient, atol); ``max_rel_dev`` is the largest over patients, times and states.

    python bench/roadrunner.py                           # 10,000 patients, a table
    python bench/roadrunner.py --patients 2000 --json    # + one JSON object on stdout

This is a benchmark, not a test: it asserts nothing about the numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from machine_info import cpu_name

# This file is called roadrunner.py: drop its own folder from the import path, or
# "import roadrunner" would import this script instead of libRoadRunner.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

CHUNK = 1000
REFERENCE_RTOL, REFERENCE_ATOL = 1e-12, 1e-16


# -- pinning -----------------------------------------------------------------------------------
def pin(cores: set[int]) -> None:
    """Restrict every thread of this process (numba's pool included) to ``cores``."""
    for task in os.listdir("/proc/self/task"):
        try:
            os.sched_setaffinity(int(task), cores)
        except OSError:  # a thread that has just ended
            pass


def numba_threads(count: int) -> None:
    import numba

    numba.set_num_threads(min(count, numba.config.NUMBA_NUM_THREADS))


# -- the two workloads -------------------------------------------------------------------------
@dataclass
class Workload:
    """A model, its scenario and everything each engine needs for the same N patients."""

    key: str
    model: object
    scenario: object
    compiled: object
    sbml: str
    declared: np.ndarray      # (patients, declared parameters), each in its unit
    full: np.ndarray          # (patients, all parameters) at time 0, derived included
    y0: np.ndarray            # (patients, states) initial states
    schedule: object          # hemasim's segments and jumps for these patients
    variables: list[str]      # what hemasim reports: species, then reported observables
    prepare_s: float          # model build (sympy) and SBML export, seconds


def _scenario(key: str, model):
    from hemasim.scenario.events import Dose, Scenario
    from hemasim.scenario.loading import default_scenario

    if key == "friberg":
        return default_scenario()
    events = ()
    if "docetaxel" in model.drugs:
        target = model.dosing_target("docetaxel", "iv")
        # on day 1: hemasim finds a steady state with the parameters of the first segment
        events = (Dose("docetaxel", 1.0, 100.0, "mg", "per_m2", target.route, 1.0 / 24),)
    return Scenario(name="integrated-human-year" + ("-docetaxel" if events else ""),
                    model=model.name, duration=365.0, output_step=1.0, events=events,
                    species="human", start="steady_state")


def prepare(key: str, patients: int, seed: int) -> Workload:
    from hemasim.io.sbml import export_sbml
    from hemasim.model.compile import compile_model
    from hemasim.models import get_model
    from hemasim.solve.cohort import sample_parameters
    from hemasim.solve.schedule import build_schedule
    from hemasim.solve.simulate import apply_overrides, initial_states

    started = time.perf_counter()
    model = (get_model("friberg2002-docetaxel") if key == "friberg"
             else get_model("hematopoiesis", "human"))
    scenario = _scenario(key, model)
    model = apply_overrides(model, scenario)
    compiled = compile_model(model)
    sbml = export_sbml(model, scenario)
    prepare_s = time.perf_counter() - started
    declared = sample_parameters(model, np.arange(patients), seed, variability=True)
    schedule = build_schedule(compiled, scenario, declared)
    full = np.ascontiguousarray(schedule.segment_parameters[:, 0, :])
    y0 = initial_states(compiled, full)
    if scenario.start == "steady_state":
        from hemasim.solve.steady import find_steady_states

        y0 = find_steady_states(compiled, y0, full)
    variables = [*model.species_names, *(o.name for o in model.observables if o.reported)]
    return Workload(key, model, scenario, compiled, sbml, declared, full, y0, schedule,
                    variables, prepare_s)


# -- hemasim -----------------------------------------------------------------------------------
def hemasim_compile(work: Workload, rtol: float, atol: float) -> float:
    """Seconds to generate and compile the model's module and solve one patient."""
    from hemasim.solve.codegen import load_module
    from hemasim.solve.methods import Rodas4
    from hemasim.solve.simulate import simulate

    started = time.perf_counter()
    load_module(work.compiled)
    simulate(work.model, work.scenario, Rodas4(rtol=rtol, atol=atol), patients=1, seed=0,
             variability=False)
    return time.perf_counter() - started


def hemasim_end_to_end(work: Workload, patients: int, seed: int, rtol: float,
                       atol: float) -> float:
    """Seconds for ``simulate`` over all patients in chunks (results dropped)."""
    from hemasim.solve.methods import Rodas4
    from hemasim.solve.simulate import simulate

    method = Rodas4(rtol=rtol, atol=atol, max_steps=1_000_000)
    started = time.perf_counter()
    for first in range(0, patients, CHUNK):
        size = min(CHUNK, patients - first)
        result = simulate(work.model, work.scenario, method, patients=size, seed=seed,
                          first_patient=first, variability=True)
        del result
    return time.perf_counter() - started


def hemasim_kernel(work: Workload, rows: np.ndarray, rtol: float, atol: float
                   ) -> tuple[float, np.ndarray]:
    """Seconds of the compiled cohort kernel alone on prepared inputs, and its states."""
    from hemasim.solve.codegen import load_module

    module = load_module(work.compiled)
    s = work.schedule
    out = np.full((len(rows), len(s.output_times), work.compiled.n_states), np.nan)
    status = np.zeros(len(rows), dtype=np.int64)
    stats = np.zeros((len(rows), 2), dtype=np.int64)
    started = time.perf_counter()
    module.integrate_cohort(
        np.ascontiguousarray(work.y0[rows]), s.segment_start, s.segment_end,
        np.ascontiguousarray(s.segment_parameters[rows]), s.jump_segment, s.jump_state,
        s.jump_mode, np.ascontiguousarray(s.jump_value[rows]), s.output_times, float(rtol),
        np.full(work.compiled.n_states, atol), 1e-4, 1_000_000, out, status, stats)
    return time.perf_counter() - started, out


# -- libRoadRunner -----------------------------------------------------------------------------
class RoadRunnerLoop:
    """One loaded libRoadRunner model, simulated patient after patient."""

    def __init__(self, work: Workload, rtol: float, atol: float):
        import roadrunner

        roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)
        started = time.perf_counter()
        self.runner = roadrunner.RoadRunner(work.sbml)
        self.load_s = time.perf_counter() - started
        integrator = self.runner.integrator
        integrator.relative_tolerance = rtol
        integrator.absolute_tolerance = atol
        integrator.maximum_num_steps = 1_000_000
        model = work.model
        varied = [v.parameter for v in model.variability]
        derived = [d.name for d in model.derived]
        columns = [work.compiled.parameter_names.index(name) for name in (*varied, *derived)]
        # the patient's values: varied parameters, derived quantities, initial state
        self.keys = [*varied, *derived, *model.species_names]
        self.values = np.concatenate([work.full[:, columns], work.y0], axis=1).tolist()
        self.times = work.schedule.output_times
        self.species = len(model.species_names)
        self.runner.timeCourseSelections = ["time", *work.variables]

    def run(self, rows) -> tuple[float, np.ndarray]:
        """Seconds for the patients ``rows``, and their states (rows x times x states)."""
        runner, keys, times = self.runner, self.keys, self.times
        states = np.empty((len(rows), len(times), self.species))
        started = time.perf_counter()
        for k, row in enumerate(rows):
            runner.reset()
            runner.setValues(keys, self.values[row])
            result = runner.simulate(times=times)
            states[k] = np.asarray(result)[:, 1:1 + self.species]
        return time.perf_counter() - started, states


# -- scipy LSODA -------------------------------------------------------------------------------
def scipy_loop(work: Workload, rows, rtol: float, atol: float) -> tuple[float, np.ndarray]:
    """Seconds for solve_ivp(LSODA) over the patients ``rows``, and their states."""
    from scipy.integrate import solve_ivp

    from hemasim.solve.codegen import load_module

    module = load_module(work.compiled)
    n = work.compiled.n_states
    pattern = work.compiled.jacobian_pattern()
    jac_rows = np.array([i for i, _ in pattern], dtype=np.int64)
    jac_columns = np.array([j for _, j in pattern], dtype=np.int64)
    s = work.schedule
    times = s.output_times

    def rhs(_t, y, p):
        dy = np.empty(n)
        module.rhs(np.ascontiguousarray(y), p, dy)
        return dy

    def jacobian(_t, y, p):
        values = np.empty(max(1, len(pattern)))
        module.jacobian_values(np.ascontiguousarray(y), p, values)
        matrix = np.zeros((n, n))
        matrix[jac_rows, jac_columns] = values[: len(pattern)]
        return matrix

    states = np.full((len(rows), len(times), n), np.nan)
    started = time.perf_counter()
    for k, row in enumerate(rows):
        y = work.y0[row].copy()
        for segment, (t0, t1) in enumerate(zip(s.segment_start, s.segment_end, strict=True)):
            for j in np.flatnonzero(s.jump_segment == segment):
                i, mode, value = s.jump_state[j], s.jump_mode[j], s.jump_value[row, j]
                y[i] = y[i] * value if mode == 0 else (y[i] + value if mode == 1 else value)
            p = np.ascontiguousarray(s.segment_parameters[row, segment])
            states[k, np.isclose(times, t0, rtol=0, atol=1e-12)] = y
            inside = (times > t0 + 1e-12) & (times <= t1 + 1e-12)
            evaluate = times[inside]
            count = len(evaluate)
            if count == 0 or evaluate[-1] < t1 - 1e-12:
                evaluate = np.append(evaluate, t1)
            solution = solve_ivp(rhs, (t0, t1), y, method="LSODA", t_eval=evaluate,
                                 rtol=rtol, atol=atol, jac=jacobian, args=(p,))
            states[k, inside] = solution.y[:, :count].T
            y = solution.y[:, -1].copy()
    return time.perf_counter() - started, states


# -- accuracy ----------------------------------------------------------------------------------
def max_relative_deviation(found: np.ndarray, reference: np.ndarray,
                           absolute_floor: float) -> float:
    """Largest |found - ref| / max(|ref|, 1e-6 x max |ref| of the state for the patient,
    ``absolute_floor``).

    The absolute floor (the benchmark's atol) keeps states that stay at round-off around
    zero in the reference (drugs never given, such as plerixafor in a docetaxel run) from
    dividing by ~1e-300: no engine controls such a state's error below its atol."""
    floor = 1e-6 * np.max(np.abs(reference), axis=1, keepdims=True)
    scale = np.maximum(np.abs(reference), np.maximum(floor, absolute_floor))
    return float(np.max(np.abs(found - reference) / scale))


# -- one model ---------------------------------------------------------------------------------
def bench_model(key: str, args, all_cores: set[int], log) -> dict:
    one_core = {min(all_cores)}
    pin(one_core)
    numba_threads(1)
    log(f"[{key}] preparing {args.patients} patients (model build, SBML export, "
        "initial states)...")
    work = prepare(key, args.patients, args.seed)
    patients = np.arange(args.patients)
    accuracy_rows = patients[: min(args.accuracy_patients, args.patients)]
    scipy_rows = patients[: min(args.scipy_patients, args.patients)]

    log(f"[{key}] hemasim: compile and warm-up...")
    compile_s = hemasim_compile(work, args.rtol, args.atol)
    hemasim_kernel(work, patients[:1], args.rtol, args.atol)  # compiles the cohort kernel
    log(f"[{key}] hemasim, one core, end to end...")
    hemasim_s = hemasim_end_to_end(work, args.patients, args.seed, args.rtol, args.atol)
    log(f"[{key}] hemasim, one core, kernel only...")
    kernel_s, _ = hemasim_kernel(work, patients, args.rtol, args.atol)

    log(f"[{key}] libRoadRunner: load and {args.patients} patients on one core...")
    loop = RoadRunnerLoop(work, args.rtol, args.atol)
    loop.run(patients[:1])  # warm-up
    roadrunner_s, _ = loop.run(patients)

    log(f"[{key}] scipy LSODA: {len(scipy_rows)} patients on one core...")
    scipy_loop(work, patients[:1], args.rtol, args.atol)  # warm-up
    scipy_s, _ = scipy_loop(work, scipy_rows, args.rtol, args.atol)

    log(f"[{key}] accuracy on {len(accuracy_rows)} patients...")
    reference_loop = RoadRunnerLoop(work, REFERENCE_RTOL, REFERENCE_ATOL)
    _, reference = reference_loop.run(accuracy_rows)
    _, hemasim_states = hemasim_kernel(work, accuracy_rows, args.rtol, args.atol)
    _, hemasim_tight = hemasim_kernel(work, accuracy_rows, REFERENCE_RTOL, REFERENCE_ATOL)
    _, roadrunner_states = loop.run(accuracy_rows)
    _, scipy_states = scipy_loop(work, accuracy_rows, args.rtol, args.atol)

    deviation = {
        "hemasim": max_relative_deviation(hemasim_states, reference, args.atol),
        "roadrunner": max_relative_deviation(roadrunner_states, reference, args.atol),
        "scipy_lsoda": max_relative_deviation(scipy_states, reference, args.atol),
    }
    log(f"[{key}] hemasim at equal accuracy: the loosest rtol no less accurate than "
        "libRoadRunner...")
    equal = None
    for loose in (1e-3, 1e-4, 1e-5):
        if loose <= args.rtol:
            continue
        _, states = hemasim_kernel(work, accuracy_rows, loose, args.atol)
        loose_deviation = max_relative_deviation(states, reference, args.atol)
        if loose_deviation <= deviation["roadrunner"]:
            seconds = hemasim_end_to_end(work, args.patients, args.seed, loose, args.atol)
            rate_loose = args.patients / seconds
            equal = {"rtol": loose, "max_rel_dev": float(f"{loose_deviation:.3g}"),
                     "hemasim_per_s": round(rate_loose, 1),
                     "ratio": round(rate_loose / (args.patients / roadrunner_s), 2)}
            break

    pin(all_cores)
    numba_threads(len(all_cores))
    log(f"[{key}] hemasim on {len(all_cores)} cores, end to end...")
    hemasim_kernel(work, patients[: 2 * len(all_cores)], args.rtol, args.atol)  # warm threads
    all_cores_s = hemasim_end_to_end(work, args.patients, args.seed, args.rtol, args.atol)

    rate = {
        "hemasim": args.patients / hemasim_s,
        "hemasim_kernel": args.patients / kernel_s,
        "roadrunner": args.patients / roadrunner_s,
        "scipy_lsoda": len(scipy_rows) / scipy_s,
    }
    return {
        "model": work.model.name + (f" ({work.model.species_kind})" if key != "friberg"
                                    else ""),
        "scenario": work.scenario.name,
        "days": work.scenario.duration,
        "output_times": len(work.schedule.output_times),
        "states": work.compiled.n_states,
        "model_hash": work.model.content_hash,
        "patients": args.patients,
        "scipy_patients": len(scipy_rows),
        "accuracy_patients": len(accuracy_rows),
        "hemasim_per_s": round(rate["hemasim"], 1),
        "hemasim_kernel_per_s": round(rate["hemasim_kernel"], 1),
        "hemasim_all_cores_per_s": round(args.patients / all_cores_s, 1),
        "roadrunner_per_s": round(rate["roadrunner"], 1),
        "scipy_lsoda_per_s": round(rate["scipy_lsoda"], 2),
        "ratio": round(rate["hemasim"] / rate["roadrunner"], 2),
        "ratio_kernel": round(rate["hemasim_kernel"] / rate["roadrunner"], 2),
        "ratio_scipy": round(rate["hemasim"] / rate["scipy_lsoda"], 1),
        "max_rel_dev": {engine: float(f"{value:.3g}") for engine, value in deviation.items()},
        "equal_accuracy": equal,
        "reference_check": float(
            f"{max_relative_deviation(hemasim_tight, reference, args.atol):.3g}"),
        "compile_s": {
            "hemasim_model_build": round(work.prepare_s, 2),
            "hemasim_codegen_numba": round(compile_s, 2),
            "roadrunner_load": round(loop.load_s, 2),
        },
    }


def machine() -> dict[str, object]:
    cpu = cpu_name()
    versions = {"python": platform.python_version()}
    for name in ("numba", "scipy", "roadrunner", "libsbml"):
        try:
            module = __import__(name)
            versions[name] = (getattr(module, "__version__", None)
                              or module.getLibSBMLDottedVersion())
        except Exception:  # noqa: BLE001 - a version is only informative
            versions[name] = None
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), **versions}


def _commit() -> str:
    """Short hash of HEAD, with ``*`` when the working tree has uncommitted changes."""
    try:
        def git(*arguments: str) -> str:
            return subprocess.run(["git", *arguments], capture_output=True, text=True,
                                  cwd=Path(__file__).parent, check=True).stdout.strip()

        return git("rev-parse", "--short", "HEAD") + ("*" if git("status", "--porcelain")
                                                      else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def table(results: list[dict]) -> str:
    lines = [f"{'model':<28} {'engine':<24} {'sims/s':>10} {'vs RR':>7} {'max rel dev':>12}"]
    for r in results:
        dev = r["max_rel_dev"]
        rows = [
            ("hemasim, 1 core", r["hemasim_per_s"], r["ratio"], dev["hemasim"]),
            ("hemasim kernel, 1 core", r["hemasim_kernel_per_s"], r["ratio_kernel"], None),
            ("hemasim, all cores", r["hemasim_all_cores_per_s"],
             r["hemasim_all_cores_per_s"] / r["roadrunner_per_s"], None),
            ("libRoadRunner, 1 core", r["roadrunner_per_s"], 1.0, dev["roadrunner"]),
            (f"scipy LSODA, 1 core ({r['scipy_patients']})", r["scipy_lsoda_per_s"],
             r["scipy_lsoda_per_s"] / r["roadrunner_per_s"], dev["scipy_lsoda"]),
        ]
        for engine, rate, ratio, deviation in rows:
            deviation_text = "" if deviation is None else f"{deviation:.2g}"
            lines.append(f"{r['model']:<28} {engine:<24} {rate:>10.1f} {ratio:>7.2f} "
                         f"{deviation_text:>12}")
        equal = r["equal_accuracy"]
        if equal:
            lines.append(f"{r['model']:<28} {'hemasim rtol ' + format(equal['rtol'], 'g'):<24} "
                         f"{equal['hemasim_per_s']:>10.1f} {equal['ratio']:>7.2f} "
                         f"{equal['max_rel_dev']:>12.2g}")
        compile_s = r["compile_s"]
        lines.append(f"{'':<28} compile: model build {compile_s['hemasim_model_build']} s, "
                     f"codegen+numba {compile_s['hemasim_codegen_numba']} s, roadrunner load "
                     f"{compile_s['roadrunner_load']} s; reference check "
                     f"{r['reference_check']:.2g}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000, help="cohort size (10000)")
    parser.add_argument("--seed", type=int, default=1, help="cohort seed (1)")
    parser.add_argument("--rtol", type=float, default=1e-6,
                        help="relative tolerance of every engine (1e-6, libRoadRunner's "
                        "default)")
    parser.add_argument("--atol", type=float, default=1e-12,
                        help="absolute tolerance of every engine (1e-12, libRoadRunner's "
                        "default)")
    parser.add_argument("--scipy-patients", type=int, default=200,
                        help="patients solved by the scipy loop (200)")
    parser.add_argument("--accuracy-patients", type=int, default=20,
                        help="patients compared with the tight reference (20)")
    parser.add_argument("--models", default="friberg,integrated",
                        help="comma-separated: friberg, integrated (both)")
    parser.add_argument("--warm-cache", action="store_true",
                        help="use the normal compiled-code cache instead of an empty one")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.models.split(",") if k.strip()]
    if args.patients < 1 or not keys or any(k not in ("friberg", "integrated") for k in keys):
        parser.error("--patients must be >= 1 and --models a list of friberg, integrated")

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    # CVODE's notes ("t + h = t at an event") bypass libRoadRunner's logger and go to file
    # descriptor 1: send it to stderr while the engines run, so stdout holds only the result
    sys.stdout.flush()
    stdout = os.dup(1)
    os.dup2(2, 1)
    date = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    all_cores = set(os.sched_getaffinity(0))
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="hemasim-bench-rr-") as cache:
        if not args.warm_cache:
            os.environ["HEMASIM_CACHE_DIR"] = cache
            os.environ.pop("NUMBA_CACHE_DIR", None)
        results = [bench_model(key, args, all_cores, log) for key in keys]
    summary = {
        "date": date,
        "commit": _commit(),
        "machine": machine(),
        "load_average_1min": {"before": round(load_before[0], 2),
                              "after": round(os.getloadavg()[0], 2)},
        "rtol": args.rtol,
        "atol": args.atol,
        "cold_cache": not args.warm_cache,
        "models": results,
    }
    sys.stdout.flush()
    os.dup2(stdout, 1)
    os.close(stdout)
    first = results[0]
    for name in ("model", "patients", "hemasim_per_s", "roadrunner_per_s", "ratio",
                 "max_rel_dev"):
        summary[name] = first[name]
    print(table(results), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
