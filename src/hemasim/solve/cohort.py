"""Virtual patients: parameter sets drawn from a model's declared variability.

Patient ``i`` of a cohort with seed ``s`` always gets the same parameters, whatever the
cohort size, the chunking or the machine: its random stream is
``SeedSequence(s, spawn_key=(i,))``, independent of every other patient's.
"""

from __future__ import annotations

import numpy as np

from hemasim.model.model import Model


def correlation_matrix(model: Model) -> np.ndarray:
    """Correlation matrix of the model's variability terms, in declaration order."""
    order = [v.parameter for v in model.variability]
    matrix = np.eye(len(order))
    for c in model.correlations:
        i, j = order.index(c.first), order.index(c.second)
        matrix[i, j] = matrix[j, i] = c.coefficient
    return matrix


def patient_etas(model: Model, patient_ids: np.ndarray, seed: int) -> np.ndarray:
    """Log-scale deviations (patients x variability terms) for the given patient ids."""
    omegas = np.array([v.omega for v in model.variability])
    if omegas.size == 0:
        return np.zeros((len(patient_ids), 0))
    cholesky = np.linalg.cholesky(correlation_matrix(model))
    etas = np.empty((len(patient_ids), omegas.size))
    for row, patient in enumerate(patient_ids):
        generator = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(int(patient),)))
        etas[row] = (cholesky @ generator.standard_normal(omegas.size)) * omegas
    return etas


def sample_parameters(model: Model, patient_ids: np.ndarray, seed: int,
                      variability: bool = True) -> np.ndarray:
    """Parameter values (patients x declared parameters), each in its parameter's unit.

    Args:
        model: the model whose typical values and variability are used.
        patient_ids: ids of the patients to draw (any non-negative integers).
        seed: cohort seed.
        variability: False gives every patient the typical values.
    """
    typical = model.typical_parameters()
    values = np.tile(typical, (len(patient_ids), 1))
    if not variability or not model.variability:
        return values
    etas = patient_etas(model, np.asarray(patient_ids), seed)
    columns = [model.parameter_names.index(v.parameter) for v in model.variability]
    values[:, columns] = typical[columns] * np.exp(etas)
    for column in columns:
        low, high = model.parameters[column].bounds
        values[:, column] = np.clip(values[:, column], low, high)
    return values
