"""High-level calls shared by the CLI and by users' scripts: run a scenario, cite a model."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import xarray as xr

from hemasim.analysis.cohort import summarise
from hemasim.analysis.endpoints import evaluate_endpoints
from hemasim.analysis.standard import standard_endpoints
from hemasim.model.model import Model
from hemasim.models import scenario_model
from hemasim.result import concat_patients
from hemasim.scenario.events import Scenario
from hemasim.solve.methods import Rodas4
from hemasim.solve.simulate import simulate

CHUNK_PATIENTS = 1000
"""Patients solved per call when a cohort is run in chunks (results do not depend on it)."""


def run_cohort(model: Model, scenario: Scenario, *, patients: int, seed: int,
               method: Rodas4 | None = None,
               progress: Callable[[int], None] | None = None) -> xr.Dataset:
    """Simulate ``patients`` virtual patients in chunks and join them.

    Args:
        model: the model.
        scenario: the scenario.
        patients: cohort size (1 = the typical patient).
        seed: cohort seed.
        method: solver method (default ``Rodas4()``).
        progress: called with the number of patients finished after each chunk.
    """
    chunks = []
    for first in range(0, patients, CHUNK_PATIENTS):
        size = min(CHUNK_PATIENTS, patients - first)
        chunks.append(simulate(model, scenario, method, patients=size, seed=seed,
                               first_patient=first, variability=patients > 1))
        if progress is not None:
            progress(size)
    result = chunks[0] if len(chunks) == 1 else concat_patients(chunks)
    result.attrs["patients"] = patients
    return result


def endpoint_tables(model: Model, result: xr.Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-patient endpoints and the cohort summary (median, 5-95 %) for a result."""
    specs = standard_endpoints(model)
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
