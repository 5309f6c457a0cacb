"""High-level calls shared by the CLI and by users' scripts: run a scenario, cite a model."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import xarray as xr

from hemasim.analysis.cohort import summarise
from hemasim.analysis.endpoints import evaluate_endpoints
from hemasim.analysis.standard import run_endpoints
from hemasim.model.model import Model
from hemasim.models import scenario_model
from hemasim.result import concat_patients
from hemasim.scenario.events import Scenario
from hemasim.solve.methods import Rodas4

CHUNK_PATIENTS = 1000
"""Patients solved per call when a cohort is run in chunks (results do not depend on it)."""


def run_cohort(model: Model, scenario: Scenario, *, patients: int, seed: int,
               method: Rodas4 | None = None,
               progress: Callable[[int], None] | None = None,
               chunk_size: int | None = None, workers: int = 1,
               scheduler: str | None = None) -> xr.Dataset:
    """Simulate ``patients`` virtual patients in chunks and join them in memory.

    For cohorts too large for memory, use ``stream_cohort`` (chunks go to disk as they
    finish). The result is the same whatever ``chunk_size``, ``workers`` or ``scheduler``.

    Args:
        model: the model.
        scenario: the scenario.
        patients: cohort size (1 = the typical patient).
        seed: cohort seed.
        method: solver method (default ``Rodas4()``).
        progress: called with the number of patients finished after each chunk.
        chunk_size: patients per chunk (default ``CHUNK_PATIENTS``).
        workers: local worker processes; 1 solves in this process (numba over all cores).
        scheduler: address of a Dask scheduler (``tcp://HOST:PORT``) to solve the chunks on.
    """
    from hemasim.io.partitions import plan_chunks
    from hemasim.solve.parallel import run_tasks
    from hemasim.streaming import chunk_tasks, solve_chunk

    method = method or Rodas4()
    tasks = chunk_tasks(model, scenario, plan_chunks(patients, chunk_size or CHUNK_PATIENTS),
                        method=method, seed=seed, variability=patients > 1, encode=False,
                        threads=workers == 1 and scheduler is None)
    chunks: dict[int, xr.Dataset] = {}

    def collect(task, output) -> None:
        chunks[task.index] = output.result
        if progress is not None:
            progress(task.patients)

    run_tasks(solve_chunk, tasks, collect, workers=workers, scheduler=scheduler)
    ordered = [chunks[index] for index in sorted(chunks)]
    result = ordered[0] if len(ordered) == 1 else concat_patients(ordered)
    result.attrs["patients"] = patients
    return result


def stream_cohort(*args, **kwargs):
    """Run a cohort chunk by chunk into a partitioned run directory; see
    ``hemasim.streaming.stream_cohort``."""
    from hemasim.streaming import stream_cohort as stream

    return stream(*args, **kwargs)


def resume_cohort(*args, **kwargs):
    """Finish an interrupted partitioned run; see ``hemasim.streaming.resume_cohort``."""
    from hemasim.streaming import resume_cohort as resume

    return resume(*args, **kwargs)


def endpoint_tables(model: Model, result: xr.Dataset, scenario: Scenario | None = None
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-patient endpoints and the cohort summary (median, 5-95 %) for a result: the
    model's standard endpoints, then those ``scenario`` adds (``Scenario.endpoints``)."""
    specs = run_endpoints(model, scenario)
    table = evaluate_endpoints(result, specs)
    summary = summarise(table, {spec.name: spec.unit for spec in specs})
    return table, summary


def model_for(scenario: Scenario) -> Model:
    """The registered model a scenario names, for its species and genotypes."""
    return scenario_model(scenario)


def references_text(model: Model) -> list[str]:
    """Formatted references behind a model, model-level first."""
    return [reference.formatted() for reference in model.all_references()]


def failed_patients(result: xr.Dataset) -> list[str]:
    """Messages of the patients whose solve failed."""
    status = result["status"].values
    return [str(m) for m in result["message"].values[np.flatnonzero(status)]]
