"""Large cohorts: solve patients in chunks, anywhere, and stream each chunk to disk.

``stream_cohort`` runs a cohort into a partitioned run directory (layout and guarantees in
``hemasim.io.partitions``); ``resume_cohort`` finishes one that was interrupted. Chunks are
solved by ``solve_chunk``, a pure function of its ``ChunkTask``: in this process, on local
worker processes or on a Dask cluster (``hemasim.solve.parallel``). Each worker returns the
chunk's trajectories and endpoints as Parquet bytes; only this process writes files, so the
workers need no shared disk.

Patient ``i`` draws its parameters from ``SeedSequence(seed, spawn_key=(i,))`` and is solved
on its own, so every partition's content is the same whatever the chunk size, the number of
workers or where they run, and a resumed run ends byte-identical to an uninterrupted one.

The closing files are made from the stored partitions, never from memory: the endpoint
summary with DuckDB (``hemasim.analysis.cohort_store``) and the figure from the first
``FIGURE_PATIENTS`` patients (patient ids 0, 1, ...; every patient is an independent draw, so
they are a random sample of the cohort).
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from hemasim.analysis.endpoints import evaluate_endpoints
from hemasim.analysis.standard import run_endpoints, standard_endpoints
from hemasim.model.model import Model
from hemasim.scenario.events import Scenario
from hemasim.solve.methods import Rodas4, ScipyReference
from hemasim.solve.parallel import SchedulerUnreachable

STREAM_ABOVE_PATIENTS = 1000
"""Cohorts larger than this are streamed to a partitioned run directory by ``hemasim run``;
smaller ones are written in one piece (``timecourse.parquet``, ``endpoints.csv``, ...)."""

CHUNK_VALUES = 5_000_000
"""Target number of values (patients x times x variables) per chunk when no chunk size is
given: about 40 MB of trajectories, a few hundred MB at the peak of writing them."""

MAX_CHUNK_PATIENTS = 1000
"""Largest automatic chunk size."""

FIGURE_PATIENTS = 10_000
"""Patients (the first ones, by id) whose trajectories make a streamed run's figure."""


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to solve one chunk.

    Attributes:
        index: chunk number (0-based).
        first: id of the chunk's first patient.
        patients: patients in the chunk.
        model: the model (the scenario's overrides are applied by ``simulate``).
        scenario: the scenario.
        method: the solver method.
        seed: cohort seed.
        variability: draw patients from the model's variability (False: typical patient).
        encode: return Parquet bytes (streaming) rather than the result Dataset.
        threads: let numba spread the chunk's patients over this process's cores (only
            when the chunk runs in the calling process; workers use one thread each).
    """

    index: int
    first: int
    patients: int
    model: Model
    scenario: Scenario
    method: Rodas4 | ScipyReference
    seed: int
    variability: bool
    encode: bool = True
    threads: bool = False


@dataclass(frozen=True)
class ChunkOutput:
    """What a worker sends back for one chunk.

    Attributes:
        index, first, patients: as in the task.
        timecourse: the chunk's result as Parquet bytes (``encode=True``), else None.
        endpoints: the chunk's endpoint table as Parquet bytes (``encode=True``), else None.
        result: the chunk's result Dataset (``encode=False``), else None.
        failed: patients whose solve failed.
        failures: their messages (at most 10).
    """

    index: int
    first: int
    patients: int
    timecourse: bytes | None
    endpoints: bytes | None
    result: xr.Dataset | None
    failed: int
    failures: tuple[str, ...]


_PREPARED: set[str] = set()
_PREPARE_LOCK = threading.Lock()


def solve_chunk(task: ChunkTask) -> ChunkOutput:
    """Solve one chunk and compute its endpoints (runs on a worker; pure in its task)."""
    from hemasim.solve.simulate import apply_overrides, simulate

    method = task.method
    if not task.threads and getattr(method, "parallel", False):
        method = dataclasses.replace(method, parallel=False)
    key = apply_overrides(task.model, task.scenario).content_hash
    if key not in _PREPARED:
        # The first chunk in a process builds the model's numerical code; threads of one
        # Dask worker must not build it at the same time.
        with _PREPARE_LOCK:
            if key not in _PREPARED:
                simulate(task.model, task.scenario, method, patients=1, seed=task.seed,
                         first_patient=task.first, variability=task.variability)
                _PREPARED.add(key)
    result = simulate(task.model, task.scenario, method, patients=task.patients,
                      seed=task.seed, first_patient=task.first, variability=task.variability)
    status = result["status"].values
    failures = tuple(str(m) for m in result["message"].values[np.flatnonzero(status)][:10])
    failed = int(np.count_nonzero(status))
    if not task.encode:
        return ChunkOutput(task.index, task.first, task.patients, None, None, result, failed,
                           failures)
    from hemasim.io.partitions import endpoints_table_bytes
    from hemasim.io.results import write_parquet

    specs = run_endpoints(task.model, task.scenario)
    table = evaluate_endpoints(result, specs)
    with tempfile.TemporaryDirectory(prefix="hemasim-chunk-") as scratch:
        path = Path(scratch) / "chunk.parquet"
        write_parquet(result, path)
        timecourse = path.read_bytes()
    endpoints = endpoints_table_bytes(table, {spec.name: spec.unit for spec in specs})
    return ChunkOutput(task.index, task.first, task.patients, timecourse, endpoints, None,
                       failed, failures)


def default_chunk_size(model: Model, scenario: Scenario) -> int:
    """Patients per chunk so that a chunk holds about ``CHUNK_VALUES`` values (at most
    ``MAX_CHUNK_PATIENTS``, at least 1). Results do not depend on it."""
    times = len(scenario.output_times())
    variables = len(model.species) + sum(1 for o in model.observables if o.reported)
    return int(max(1, min(MAX_CHUNK_PATIENTS, CHUNK_VALUES // max(1, times * variables))))


def chunk_tasks(model: Model, scenario: Scenario, chunks, *,
                method: Rodas4 | ScipyReference, seed: int,
                variability: bool, encode: bool, threads: bool) -> list[ChunkTask]:
    """Tasks for the given chunks (objects with ``index``, ``first`` and ``patients``)."""
    return [ChunkTask(chunk.index, chunk.first, chunk.patients, model, scenario, method, seed,
                      variability, encode, threads) for chunk in chunks]


# -- streaming into a run directory ---------------------------------------------------------
@dataclass(frozen=True)
class StreamedRun:
    """A finished partitioned run.

    Attributes:
        path: the run directory.
        patients: cohort size.
        chunks: number of partitions.
        resumed_chunks: chunks that were already written before this call.
        failed: patients whose solve failed.
        failures: the first few failure messages.
        summary: endpoint distributions (``SUMMARY_COLUMNS``).
        fractions: shares of patients meeting the default conditions (``FRACTION_COLUMNS``).
    """

    path: Path
    patients: int
    chunks: int
    resumed_chunks: int
    failed: int
    failures: tuple[str, ...]
    summary: pd.DataFrame
    fractions: pd.DataFrame


def stream_cohort(model: Model, scenario: Scenario, directory, *, patients: int, seed: int,
                  scenario_text: str, scenario_file: str = "",
                  method: Rodas4 | ScipyReference | None = None,
                  chunk_size: int | None = None, workers: int = 1,
                  scheduler: str | None = None,
                  progress: Callable[[int], None] | None = None) -> StreamedRun:
    """Run a cohort chunk by chunk into a new partitioned run directory.

    Args:
        model: the model.
        scenario: the scenario.
        directory: the run directory to create (must not exist, or be empty).
        patients: cohort size.
        seed: cohort seed.
        scenario_text: the scenario's YAML, stored so that ``resume_cohort`` can reload it.
        scenario_file: where the scenario was read from (recorded in ``run.json``).
        method: solver method (default ``Rodas4()``; ``ScipyReference`` works too).
        chunk_size: patients per chunk; default ``default_chunk_size``.
        workers: local worker processes (1: in this process, numba over all cores).
        scheduler: Dask scheduler address, to run the chunks on that cluster instead.
        progress: called with the number of patients of each chunk as it is written.

    Returns:
        The finished run.
    """
    from hemasim.io.partitions import PartitionedRun
    from hemasim.solve.simulate import apply_overrides

    method = method or Rodas4()
    chunk_size = chunk_size or default_chunk_size(model, scenario)
    effective = apply_overrides(model, scenario)
    manifest = {"patients": int(patients), "chunk_size": int(chunk_size), "seed": int(seed),
                "model": model.name, "model_hash": effective.content_hash,
                "variability": patients > 1,
                "method": {"type": type(method).__name__,
                           **{key: value for key, value in dataclasses.asdict(method).items()
                              if key != "parallel"}}}
    specs = run_endpoints(model, scenario)
    record = {"model": model.name, "model_hash": effective.content_hash,
              "scenario_name": scenario.name, "scenario_file": str(scenario_file),
              "patients": int(patients), "seed": int(seed), "chunk_size": int(chunk_size),
              "endpoint_units": {spec.name: spec.unit for spec in specs},
              "thresholds": threshold_records(model)}
    run = PartitionedRun.create(directory, manifest, record, scenario_text)
    try:
        with run:
            return _complete(run, model, scenario, method, workers, scheduler, progress)
    except SchedulerUnreachable:
        if not run.done:  # nothing was computed: leave no unfinished run behind
            shutil.rmtree(run.path, ignore_errors=True)
        raise


@dataclass(frozen=True)
class RunState:
    """Where a partitioned run stands (read without taking its lock).

    Attributes:
        path: the run directory.
        scenario: its scenario (from its ``scenario.yaml``).
        model: the registered model the scenario names.
        patients: cohort size.
        patients_done: patients in the chunks written so far.
        complete: whether ``run.json`` says the run is finished.
    """

    path: Path
    scenario: Scenario
    model: Model
    patients: int
    patients_done: int
    complete: bool


def inspect_run(directory) -> RunState:
    """Read where a partitioned run stands (for a progress bar before resuming it).

    Raises:
        hemasim.io.partitions.RunDirectoryError: if it is not a partitioned run.
    """
    from hemasim.io.partitions import (
        MANIFEST_FILE,
        RUN_RECORD_FILE,
        SCENARIO_FILE,
        RunDirectoryError,
        read_chunk_log,
        read_json,
    )
    from hemasim.models import scenario_model
    from hemasim.scenario.loading import scenario_from_yaml_text

    path = Path(directory)
    if not path.is_dir():
        raise RunDirectoryError(f"{path}: no such run directory to resume")
    record = read_json(path / RUN_RECORD_FILE, path)
    if record.get("layout") != "partitioned":
        raise RunDirectoryError(f"{path}: a run written in one piece (up to "
                                f"{STREAM_ABOVE_PATIENTS} patients); there is nothing to "
                                "resume")
    manifest = read_json(path / MANIFEST_FILE, path)
    scenario = scenario_from_yaml_text((path / SCENARIO_FILE).read_text(encoding="utf-8"),
                                       record.get("scenario_file") or None)
    done = {entry["index"]: entry["patients"] for entry in read_chunk_log(path)}
    return RunState(path, scenario, scenario_model(scenario), int(manifest["patients"]),
                    sum(done.values()), bool(record.get("complete")))


def resume_cohort(directory, *, model: Model | None = None, workers: int = 1,
                  scheduler: str | None = None,
                  progress: Callable[[int], None] | None = None,
                  expect: dict | None = None) -> StreamedRun:
    """Finish a partitioned run that was interrupted (or check that it is finished).

    Args:
        directory: the run directory.
        model: the model it was started with; default the registered model its scenario
            names (as ``hemasim run`` uses).
        workers, scheduler, progress: as in ``stream_cohort``.
        expect: what the caller expects (``patients``, ``seed``, ``chunk_size``, and
            ``scenario``: a Scenario); a mismatch raises instead of mixing two cohorts.

    Returns:
        The finished run; the same files as an uninterrupted run would have written.

    Raises:
        hemasim.io.partitions.RunDirectoryError: if the directory is not a partitioned run,
            is being written by another process, or disagrees with ``expect``.
    """
    from hemasim.io.partitions import SCENARIO_FILE, PartitionedRun, RunDirectoryError
    from hemasim.scenario.loading import scenario_from_yaml_text
    from hemasim.solve.simulate import apply_overrides

    run = PartitionedRun.open(directory)
    with run:
        scenario = scenario_from_yaml_text(
            (run.path / SCENARIO_FILE).read_text(encoding="utf-8"),
            run.record.get("scenario_file") or None)
        if model is None:
            from hemasim.models import scenario_model

            model = scenario_model(scenario)
        expect = dict(expect or {})
        given = expect.pop("scenario", None)
        if given is not None and _scenario_identity(given) != _scenario_identity(scenario):
            raise RunDirectoryError(f"{run.path}: the run was started with another scenario "
                                    f"(see {run.path / SCENARIO_FILE}); resume it without "
                                    "naming a scenario file")
        actual = dict(run.manifest, model_hash=apply_overrides(model, scenario).content_hash)
        for key, value in expect.items():
            if value is not None and key in ("patients", "seed", "chunk_size") \
                    and actual.get(key) != value:
                raise RunDirectoryError(
                    f"{run.path}: the run has {key} {run.manifest.get(key)!r}, not {value!r}; "
                    "resume it with its own settings (leave the option out)")
        if actual["model_hash"] != run.manifest["model_hash"]:
            raise RunDirectoryError(f"{run.path}: the model differs from the one the run was "
                                    "started with (another hemasim version or model file)")
        method = _method_from(run.manifest["method"])
        resumed = len(run.done)
        if run.complete:
            return _result(run, resumed)
        return _complete(run, model, scenario, method, workers, scheduler, progress)


def _complete(run, model: Model, scenario: Scenario, method: Rodas4 | ScipyReference,
              workers: int, scheduler: str | None, progress) -> StreamedRun:
    resumed = len(run.done)
    chunks = {chunk.index: chunk for chunk in run.chunks()}
    tasks = chunk_tasks(model, scenario, run.pending(), method=method,
                        seed=run.manifest["seed"], variability=run.manifest["variability"],
                        encode=True, threads=workers == 1 and scheduler is None)

    def write(task: ChunkTask, output: ChunkOutput) -> None:
        run.write_chunk(chunks[task.index], output.timecourse, output.endpoints, output.failed,
                        list(output.failures))
        if progress is not None:
            progress(task.patients)

    from hemasim.solve.parallel import run_tasks

    run_tasks(solve_chunk, tasks, write, workers=workers, scheduler=scheduler)
    summary, fractions = _finish(run, model, scenario)
    return _result(run, resumed, summary, fractions)


def _finish(run, model: Model, scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write summary.csv, summary.json, figure.png and the final run.json; return the
    summary and the fractions."""
    from hemasim.analysis.cohort_store import (
        endpoint_summary,
        open_cohort,
        threshold_fractions,
    )
    from hemasim.io.partitions import (
        TIMECOURSE_DIRECTORY,
        partition_files,
        read_sample,
    )
    from hemasim.plot.timecourse import plot_timecourse

    cohort = open_cohort(run.path, allow_partial=True)
    summary = endpoint_summary(cohort)
    fractions = threshold_fractions(cohort)
    first_partition = partition_files(run.path, TIMECOURSE_DIRECTORY)[0]
    provenance = _partition_provenance(first_partition)
    patients = int(run.manifest["patients"])
    provenance["patients"] = patients
    sample = min(patients, FIGURE_PATIENTS)
    thresholds = {}
    for threshold in model.thresholds:
        thresholds.setdefault(threshold.variable, threshold.value)
    band = (f"all {patients} patients" if sample == patients
            else f"patients 0-{sample - 1} of {patients}")
    title = f"{scenario.name}: {model.title}\nmedian and 5-95 % band of {band}"

    def figure(target: Path) -> None:
        result = read_sample(run.path, list(model.plot_variables), sample, provenance)
        plot_timecourse(result, list(model.plot_variables), target, title=title,
                        thresholds=thresholds)

    summary_json = {"patients": patients, "failed_patients": run.failed_patients(),
                    "summary": summary.to_dict(orient="records"),
                    "fractions": fractions.to_dict(orient="records")}
    record = dict(run.record)
    record.update(provenance)
    record["scenario"] = json.loads(record["scenario"])
    record["failed_patients"] = run.failed_patients()
    from hemasim import api

    record["references"] = api.references_text(model)
    run.finish({
        "summary.csv": lambda target: summary.to_csv(target, index=False),
        "summary.json": lambda target: target.write_text(
            json.dumps(finite_json(summary_json), indent=2) + "\n"),
        "figure.png": figure,
    }, record)
    return summary, fractions


def _result(run, resumed: int, summary: pd.DataFrame | None = None,
            fractions: pd.DataFrame | None = None) -> StreamedRun:
    from hemasim.analysis.cohort_store import (
        endpoint_summary,
        open_cohort,
        threshold_fractions,
    )

    if summary is None or fractions is None:
        cohort = open_cohort(run.path)
        summary, fractions = endpoint_summary(cohort), threshold_fractions(cohort)
    return StreamedRun(run.path, int(run.manifest["patients"]), len(run.chunks()), resumed,
                       run.failed_patients(), tuple(run.failure_messages()), summary,
                       fractions)


def _method_from(settings: dict):
    """The solver method a manifest describes (``type`` and its fields)."""
    fields = dict(settings)
    kind = {"Rodas4": Rodas4, "ScipyReference": ScipyReference}[fields.pop("type", "Rodas4")]
    return kind(**fields)


def _scenario_identity(scenario: Scenario) -> str:
    """The scenario as JSON, wherever it was read from."""
    from hemasim.solve.simulate import scenario_to_json

    return scenario_to_json(dataclasses.replace(scenario, source=None))


def _partition_provenance(path: Path) -> dict:
    import pyarrow.parquet as pq

    return json.loads(pq.read_schema(path).metadata[b"hemasim"])


def threshold_records(model: Model) -> list[dict]:
    """The model's thresholds with the standard endpoint each one gives (``standard_endpoints``
    appends one endpoint per threshold, in declaration order, after the five of the main
    read-out)."""
    threshold_specs = standard_endpoints(model)[-len(model.thresholds):] \
        if model.thresholds else []
    return [{"variable": threshold.variable, "value": float(threshold.value),
             "label": threshold.label, "direction": threshold.direction, "endpoint": spec.name}
            for threshold, spec in zip(model.thresholds, threshold_specs, strict=True)]


def finite_json(value):
    """``value`` with every non-finite float (NaN, inf) replaced by None, numpy scalars by
    Python numbers, so that ``json.dumps`` writes standard JSON (null)."""
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
