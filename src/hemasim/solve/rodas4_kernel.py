# ruff: noqa: F821
"""RODAS4 integrator kernel; its source text is prepended to each model's generated module.

Not imported directly: ``solve.codegen`` reads this file's text and appends the model's
straight-line ``rhs``, ``jacobian_values`` and ``lu_solve`` functions, ``N_STATES``,
``N_JACOBIAN``, ``N_MATRIX`` and the integer tables of its sparse LU (positions in the
factor storage, in elimination order), so numba compiles and caches one module per model
with no function-pointer indirection. ``build_matrix`` and ``lu_factor`` here are loops
driven by those tables (the Kinetic PreProcessor's ``KppDecomp`` with index vectors, Damian
et al. 2002): their compile time does not grow with the model, unlike unrolled elimination
code. The solve, called six times per step, stays straight-line code on scalars.

Method: the 6-stage, order-4(3), stiffly accurate L-stable Rosenbrock method RODAS4 of
Hairer & Wanner (Solving ODEs II, 2nd ed., 1996, section IV.7), in the formulation of the
Kinetic PreProcessor (Sandu et al. 1997, Atmos Environ 31:3459; coefficients as tabulated in
KPP/FATODE):

    G = I / (h * gamma) - J(y0)
    G k_i = f(y0 + sum_j a_ij k_j) + sum_j (c_ij / h) k_j
    y1 = y0 + sum_i m_i k_i,   error estimate = k_6

Each segment between events is autonomous, so no time-derivative term is needed. Output at
requested times uses cubic Hermite interpolation on (y0, f0, y1, f1); f1 is reused as the
next step's f0, so dense output costs nothing extra. Non-negativity: a step that drives a
state below -atol is rejected; tiny negatives within atol are set to zero.
"""

import math

import numpy as np
from numba import njit, prange

GAMMA = 0.25
A21 = 1.544
A31 = 0.9466785280815826
A32 = 0.2557011698983284
A41 = 3.314825187068521
A42 = 2.896124015972201
A43 = 0.9986419139977817
A51 = 1.221224509226641
A52 = 6.019134481288629
A53 = 12.53708332932087
A54 = -0.6878860361058950
C21 = -5.6688
C31 = -2.430093356833875
C32 = -0.2063599157091915
C41 = -0.1073529058151375
C42 = -9.594562251023355
C43 = -20.47028614809616
C51 = 7.496443313967647
C52 = -10.24680431464352
C53 = -33.99990352819905
C54 = 11.70890893206160
C61 = 8.083246795921522
C62 = -7.981132988064893
C63 = -31.52159432874371
C64 = 16.31930543123136
C65 = -6.058818238834054

STATUS_OK = 0
STATUS_MAX_STEPS = 1
STATUS_STEP_UNDERFLOW = 2
STATUS_SINGULAR = 3
STATUS_NOT_FINITE = 4


@njit(cache=True, error_model="numpy")
def build_matrix(jv, diagonal, a):
    """``a`` = the Rosenbrock matrix ``diagonal * I - J`` in LU storage (fill-in zeroed)."""
    for m in range(a.shape[0]):
        a[m] = 0.0
    for m in range(JACOBIAN_POSITION.shape[0]):
        a[JACOBIAN_POSITION[m]] = -jv[m]
    for k in range(DIAGONAL_POSITION.shape[0]):
        a[DIAGONAL_POSITION[k]] += diagonal


@njit(cache=True, error_model="numpy")
def lu_factor(a):
    """In-place LU factors of ``a`` for the fixed pattern, without pivoting (the Kinetic
    PreProcessor's sparse decomposition); False if a pivot is exactly zero.

    For pivot k, each sub-diagonal entry e of column k (``ELIMINATION_LOWER``) is divided by
    the pivot, then its multiple of row k's upper entries (``UPDATE_SOURCE``) is subtracted
    from the eliminated row (``UPDATE_TARGET``).
    """
    for k in range(DIAGONAL_POSITION.shape[0]):
        pivot = a[DIAGONAL_POSITION[k]]
        if pivot == 0.0:
            return False
        for e in range(ELIMINATION_START[k], ELIMINATION_START[k + 1]):
            lower = ELIMINATION_LOWER[e]
            a[lower] /= pivot
            factor = a[lower]
            for u in range(UPDATE_START[e], UPDATE_START[e + 1]):
                a[UPDATE_TARGET[u]] -= factor * a[UPDATE_SOURCE[u]]
    return True


@njit(cache=True, error_model="numpy")
def _error_norm(err, y0, y1, rtol, atol):
    total = 0.0
    for i in range(err.shape[0]):
        scale = atol[i] + rtol * max(abs(y0[i]), abs(y1[i]))
        ratio = err[i] / scale
        total += ratio * ratio
    return math.sqrt(total / err.shape[0])


@njit(cache=True, error_model="numpy")
def integrate_segment(y, p, t0, t1, t_out, out, next_out, rtol, atol, h, max_steps, stats):
    """Integrate y (in place) from t0 to t1 with parameters p, writing outputs.

    Returns (status, next output index, last accepted step size). ``t_out`` is sorted;
    outputs with t0 < t < t1 are written here; outputs at t0 and t1 are written by the
    caller, after that time's events (reported values are right-continuous).
    """
    n = y.shape[0]
    f0 = np.empty(n)
    f1 = np.empty(n)
    ftmp = np.empty(n)
    ytmp = np.empty(n)
    ynew = np.empty(n)
    k1 = np.empty(n)
    k2 = np.empty(n)
    k3 = np.empty(n)
    k4 = np.empty(n)
    k5 = np.empty(n)
    k6 = np.empty(n)
    jv = np.empty(N_JACOBIAN)
    matrix = np.empty(N_MATRIX)
    t = t0
    span = t1 - t0
    if span <= 0.0:
        return STATUS_OK, next_out, h
    h = min(h, span)
    rhs(y, p, f0)
    while t < t1:
        if stats[0] >= max_steps:
            return STATUS_MAX_STEPS, next_out, h
        if h < 1e-14 * max(1.0, abs(t)):
            return STATUS_STEP_UNDERFLOW, next_out, h
        last = False
        if t + h >= t1 - 1e-12 * max(1.0, abs(t1)):
            h = t1 - t
            last = True
        jacobian_values(y, p, jv)
        accepted = False
        while not accepted:
            stats[0] += 1
            if stats[0] > max_steps:
                return STATUS_MAX_STEPS, next_out, h
            build_matrix(jv, 1.0 / (h * GAMMA), matrix)
            if not lu_factor(matrix):
                return STATUS_SINGULAR, next_out, h
            inv_h = 1.0 / h
            for i in range(n):
                k1[i] = f0[i]
            lu_solve(matrix, k1)
            for i in range(n):
                ytmp[i] = y[i] + A21 * k1[i]
            rhs(ytmp, p, ftmp)
            for i in range(n):
                k2[i] = ftmp[i] + C21 * inv_h * k1[i]
            lu_solve(matrix, k2)
            for i in range(n):
                ytmp[i] = y[i] + A31 * k1[i] + A32 * k2[i]
            rhs(ytmp, p, ftmp)
            for i in range(n):
                k3[i] = ftmp[i] + inv_h * (C31 * k1[i] + C32 * k2[i])
            lu_solve(matrix, k3)
            for i in range(n):
                ytmp[i] = y[i] + A41 * k1[i] + A42 * k2[i] + A43 * k3[i]
            rhs(ytmp, p, ftmp)
            for i in range(n):
                k4[i] = ftmp[i] + inv_h * (C41 * k1[i] + C42 * k2[i] + C43 * k3[i])
            lu_solve(matrix, k4)
            for i in range(n):
                ytmp[i] = y[i] + A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]
            rhs(ytmp, p, ftmp)
            for i in range(n):
                k5[i] = ftmp[i] + inv_h * (C51 * k1[i] + C52 * k2[i] + C53 * k3[i]
                                           + C54 * k4[i])
            lu_solve(matrix, k5)
            for i in range(n):
                ytmp[i] = ytmp[i] + k5[i]
            rhs(ytmp, p, ftmp)
            for i in range(n):
                k6[i] = ftmp[i] + inv_h * (C61 * k1[i] + C62 * k2[i] + C63 * k3[i]
                                           + C64 * k4[i] + C65 * k5[i])
            lu_solve(matrix, k6)
            negative = False
            for i in range(n):
                ynew[i] = ytmp[i] + k6[i]
                if ynew[i] < -atol[i]:
                    negative = True
            error = _error_norm(k6, y, ynew, rtol, atol)
            if not math.isfinite(error):
                stats[1] += 1
                h *= 0.25
                last = False
                if h < 1e-14 * max(1.0, abs(t)):
                    return STATUS_NOT_FINITE, next_out, h
                continue
            if error <= 1.0 and not negative:
                accepted = True
            else:
                stats[1] += 1
                factor = 0.5 if negative and error <= 1.0 else max(0.2, 0.9 * error ** -0.25)
                h *= factor
                last = False
                if h < 1e-14 * max(1.0, abs(t)):
                    return STATUS_STEP_UNDERFLOW, next_out, h
        for i in range(n):
            if ynew[i] < 0.0:
                ynew[i] = 0.0
        rhs(ynew, p, f1)
        t_new = t1 if last else t + h
        # dense output: cubic Hermite on (t, y, f0) - (t_new, ynew, f1)
        # outputs at the segment's end are written by the caller after the next event
        boundary = t1 - 1e-12 * max(1.0, abs(t1))
        while next_out < t_out.shape[0] and t_out[next_out] < boundary and \
                t_out[next_out] <= t_new + 1e-12 * max(1.0, t_new):
            step = t_new - t
            theta = (t_out[next_out] - t) / step
            if theta > 1.0:
                theta = 1.0
            h00 = (1.0 + 2.0 * theta) * (1.0 - theta) ** 2
            h10 = theta * (1.0 - theta) ** 2
            h01 = theta * theta * (3.0 - 2.0 * theta)
            h11 = theta * theta * (theta - 1.0)
            for i in range(n):
                value = h00 * y[i] + h10 * step * f0[i] + h01 * ynew[i] + h11 * step * f1[i]
                out[next_out, i] = value if value > 0.0 else 0.0
            next_out += 1
        error_factor = min(6.0, max(0.2, 0.9 * max(error, 1e-10) ** -0.25))
        for i in range(n):
            y[i] = ynew[i]
            f0[i] = f1[i]
        t = t_new
        h = h * error_factor
    return STATUS_OK, next_out, h


@njit(cache=True, error_model="numpy")
def integrate_patient(y0, segment_start, segment_end, segment_parameters, jump_segment,
                      jump_state, jump_mode, jump_value, t_out, rtol, atol, h_initial,
                      max_steps, out, stats):
    """Solve one patient over all segments; jumps apply at the start of their segment.

    jump_mode: 0 scale, 1 add, 2 set. Returns a status code (0 ok).
    """
    y = y0.copy()
    next_out = 0
    n_jumps = jump_segment.shape[0]
    jump = 0
    for segment in range(segment_start.shape[0]):
        t0 = segment_start[segment]
        while jump < n_jumps and jump_segment[jump] == segment:
            k = jump_state[jump]
            if jump_mode[jump] == 0:
                y[k] = y[k] * jump_value[jump]
            elif jump_mode[jump] == 1:
                y[k] = y[k] + jump_value[jump]
            else:
                y[k] = jump_value[jump]
            if y[k] < 0.0:
                y[k] = 0.0
            jump += 1
        while next_out < t_out.shape[0] and t_out[next_out] <= t0 + 1e-12 * max(1.0, t0):
            for i in range(y.shape[0]):
                out[next_out, i] = y[i]
            next_out += 1
        h = h_initial
        status, next_out, h = integrate_segment(
            y, segment_parameters[segment], t0, segment_end[segment], t_out, out, next_out,
            rtol, atol, h, max_steps, stats)
        if status != STATUS_OK:
            return status
    end = segment_end[segment_end.shape[0] - 1]
    while next_out < t_out.shape[0] and t_out[next_out] <= end + 1e-12 * max(1.0, end):
        for i in range(y.shape[0]):
            out[next_out, i] = y[i]
        next_out += 1
    return STATUS_OK


@njit(cache=True, parallel=True, error_model="numpy")
def integrate_cohort(y0, segment_start, segment_end, segment_parameters, jump_segment,
                     jump_state, jump_mode, jump_value, t_out, rtol, atol, h_initial,
                     max_steps, out, status, stats):
    """Solve every patient (rows of y0) in parallel over the available cores.

    segment_parameters: (patients, segments, parameters); jump_value: (patients, jumps);
    out: (patients, times, states); status: (patients,); stats: (patients, 2) steps, rejects.
    """
    for patient in prange(y0.shape[0]):
        status[patient] = integrate_patient(
            y0[patient], segment_start, segment_end, segment_parameters[patient],
            jump_segment, jump_state, jump_mode, jump_value[patient], t_out, rtol, atol,
            h_initial, max_steps, out[patient], stats[patient])
