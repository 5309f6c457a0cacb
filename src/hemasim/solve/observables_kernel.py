# ruff: noqa: F821
"""Compiled evaluation of a model's observables; its source text is appended to each model's
generated module, after the RODAS4 kernel (``solve.codegen``).

Not imported directly: ``solve.codegen`` appends the model's straight-line
``observables_point(y, p, values)`` (every observable at one state, common subexpressions
shared) and ``N_OBSERVABLES``. The drivers here run it over a solved cohort, one output time
at a time, writing only the requested columns: no temporary array per subexpression, as the
numpy functions made, so a cohort's observables cost a fraction of its solve.

Semantics are those of the numpy evaluation they replace: a state that is NaN (a failed
patient) counts as 0 and an infinite one as the largest finite float (``numpy.nan_to_num``);
a share of an emptied pool (0/0) is NaN, without a warning (numba's numpy error model).
"""

import math

import numpy as np
from numba import njit, prange

LARGEST_FLOAT = np.finfo(np.float64).max


@njit(cache=True, error_model="numpy")
def observables_patient(states, parameters, output_segment, columns, out):
    """Observables of one patient at every output time.

    states: (times, states); parameters: (segments, parameters), the row in force at time t
    being ``output_segment[t]``; columns: observables to keep, in order; out: (times,
    len(columns)).
    """
    y = np.empty(states.shape[1])
    values = np.empty(max(1, N_OBSERVABLES))
    for t in range(states.shape[0]):
        for i in range(states.shape[1]):
            value = states[t, i]
            if math.isnan(value):
                value = 0.0
            elif math.isinf(value):
                value = LARGEST_FLOAT if value > 0 else -LARGEST_FLOAT
            y[i] = value
        observables_point(y, parameters[output_segment[t]], values)
        for k in range(columns.shape[0]):
            out[t, k] = values[columns[k]]


@njit(cache=True, error_model="numpy")
def observables_serial(states, parameters, output_segment, columns, out):
    """Every patient (first axis of states, parameters and out), one after another."""
    for patient in range(states.shape[0]):
        observables_patient(states[patient], parameters[patient], output_segment, columns,
                            out[patient])


@njit(cache=True, parallel=True, error_model="numpy")
def observables_parallel(states, parameters, output_segment, columns, out):
    """Every patient, spread over numba's threads (each writes its own rows of out)."""
    for patient in prange(states.shape[0]):
        observables_patient(states[patient], parameters[patient], output_segment, columns,
                            out[patient])
