"""The compiled RODAS4 engine against a tight-tolerance scipy Radau solve."""

import numpy as np
import pytest

from hemasim.models import get_model
from hemasim.scenario.events import Dose, ParameterChange, Scenario, StateJump
from hemasim.solve.methods import Rodas4, ScipyReference
from hemasim.solve.simulate import simulate

MODEL = get_model("friberg2002-docetaxel")


def relative_deviation(values, reference):
    """|a - b| / |b|, with |b| floored at 1e-6 of the state's own peak (drug washed out)."""
    peak = np.nanmax(np.abs(reference), axis=1, keepdims=True)
    floor = np.maximum(1e-6 * peak, 1e-12)
    return np.abs(values - reference) / np.maximum(np.abs(reference), floor)


@pytest.mark.slow
def test_cohort_of_50_with_a_dose_agrees_with_scipy_on_every_state():
    scenario = Scenario(
        name="reference", model=MODEL.name, duration=21.0, output_step=0.25,
        events=(Dose("docetaxel", 0.0, 100.0, "mg", "per_m2", "iv", 1 / 24),),
    )
    engine = simulate(MODEL, scenario, Rodas4(rtol=1e-8, atol=1e-12), patients=50, seed=3)
    reference = simulate(MODEL, scenario, ScipyReference(rtol=1e-10, atol=1e-14),
                         patients=50, seed=3)
    assert (engine["status"].values == 0).all()
    np.testing.assert_array_equal(engine["parameter_value"].values,
                                  reference["parameter_value"].values)
    species = list(MODEL.species_names)
    a = engine["value"].sel(variable=species).values
    b = reference["value"].sel(variable=species).values
    assert relative_deviation(a, b).max() < 1e-5


def test_events_bolus_jump_and_window_agree_with_scipy():
    scenario = Scenario(
        name="events", model=MODEL.name, duration=10.0, output_step=0.5,
        events=(
            Dose("docetaxel", 1.0, 150.0, "mg"),
            ParameterChange("slope", start=0.0, end=4.0, scale=0.5),
            StateJump("Circ", 6.0, "scale", 0.5),
        ),
    )
    engine = simulate(MODEL, scenario, Rodas4(rtol=1e-9, atol=1e-12))
    reference = simulate(MODEL, scenario, ScipyReference())
    species = list(MODEL.species_names)
    a = engine["value"].sel(variable=species).values
    b = reference["value"].sel(variable=species).values
    assert relative_deviation(a, b).max() < 1e-5
    circ = engine["value"].sel(variable="Circ", patient=0)
    # the jump halves Circ at day 6, the reported value at t=6 is after the event
    before = circ.sel(time=5.5).item()
    assert circ.sel(time=6.0).item() == pytest.approx(
        reference["value"].sel(variable="Circ", patient=0, time=6.0).item(), rel=1e-6)
    assert circ.sel(time=6.0).item() < 0.6 * before


def test_states_stay_non_negative_under_a_huge_dose():
    scenario = Scenario(name="huge", model=MODEL.name, duration=21.0, output_step=0.1,
                        events=(Dose("docetaxel", 0.0, 2000.0, "mg"),))
    result = simulate(MODEL, scenario)
    assert (result["status"].values == 0).all()
    assert np.nanmin(result["value"].sel(variable=list(MODEL.species_names)).values) >= 0.0


def test_a_failing_patient_is_reported_and_does_not_discard_the_others():
    scenario = Scenario(name="budget", model=MODEL.name, duration=21.0, output_step=1.0,
                        events=(Dose("docetaxel", 0.0, 100.0, "mg", "per_m2", "iv", 1 / 24),))
    # A step budget that only some patients manage (about 230-270 step attempts are needed
    # here): the rest must be reported, not lost.
    result = simulate(MODEL, scenario, Rodas4(max_steps=245, parallel=False), patients=20,
                      seed=1)
    status = result["status"].values
    assert 0 < status.sum() < 20
    failed = int(np.flatnonzero(status)[0])
    message = str(result["message"].values[failed])
    assert f"patient {int(result.patient.values[failed])}" in message
    assert "Circ0=" in message and "MTT=" in message
    assert np.isnan(result["value"].values[failed]).all()
    assert np.isfinite(result["value"].values[status == 0]).all()


def test_generated_sparse_lu_solves_the_rosenbrock_matrix_of_the_integrated_model():
    # The table-driven factorisation and the straight-line solve, on the integrated model's
    # pattern (with fill-in), against a dense solve of diagonal * I - J with random entries.
    from hemasim.model.compile import compile_model
    from hemasim.solve.codegen import load_module, sparse_layout

    compiled = compile_model(get_model("hematopoiesis"))
    layout = sparse_layout(compiled.n_states, compiled.jacobian_pattern())
    fill = set(layout.positions) - {(layout.rank[i], layout.rank[j])
                                    for i, j in compiled.jacobian_pattern()}
    assert any(i != j for i, j in fill)  # the pattern does create fill-in
    module = load_module(compiled)
    generator = np.random.default_rng(7)
    values = generator.uniform(-1.0, 1.0, len(compiled.jacobian))
    diagonal = 3.0 * compiled.n_states
    dense = diagonal * np.eye(compiled.n_states)
    for (row, column), value in zip(compiled.jacobian_pattern(), values, strict=True):
        dense[row, column] -= value
    matrix = np.empty(module.N_MATRIX)
    module.build_matrix(np.ascontiguousarray(values), diagonal, matrix)
    assert module.lu_factor(matrix)
    right_side = generator.normal(size=compiled.n_states)
    solution = right_side.copy()
    module.lu_solve(matrix, solution)
    np.testing.assert_allclose(solution, np.linalg.solve(dense, right_side), rtol=1e-10,
                               atol=1e-12)


def test_compiled_observables_equal_sympys_own_evaluation():
    # The compiled module evaluates the observables; sympy's lambdify of the same
    # expressions is an independent path. The integrated model's 100-odd observables hold
    # sums, shares (0/0 is NaN in both) and saturating feedbacks; a failed patient (NaN
    # states) counts as 0.
    import sympy

    from hemasim.model.compile import compile_model
    from hemasim.solve.simulate import evaluate_observables

    model = get_model("hematopoiesis")
    compiled = compile_model(model)
    generator = np.random.default_rng(11)
    steady = compiled.parameter_vector(model.typical_parameters())
    parameters = np.broadcast_to(steady, (2, 3, compiled.n_parameters)).copy()
    parameters[..., : len(model.parameters)] *= generator.uniform(0.8, 1.2, (2, 1, 1))
    compiled.fill_derived(parameters.reshape(-1, compiled.n_parameters))
    states = generator.uniform(0.0, 3.0, (2, 3, compiled.n_states))
    states[0, 1] = np.nan
    states[1, 2, :10] = 0.0
    found = evaluate_observables(compiled, states, parameters)
    reference = sympy.lambdify([*compiled.state_symbols, *compiled.parameter_symbols],
                               list(compiled.observables), "numpy")
    for patient in range(2):
        for time in range(3):
            with np.errstate(divide="ignore", invalid="ignore"):
                expected = np.array(reference(*np.nan_to_num(states[patient, time]),
                                              *parameters[patient, time]), dtype=float)
            np.testing.assert_allclose(found[patient, time], expected, rtol=1e-12)


def test_observables_of_a_patient_do_not_depend_on_the_cohort_or_the_form_of_the_input():
    from hemasim.model.compile import compile_model
    from hemasim.solve.simulate import evaluate_observables

    compiled = compile_model(MODEL)
    patients = 65
    generator = np.random.default_rng(11)
    states = generator.uniform(0.1, 2.0, (patients, 5, compiled.n_states))
    parameters = np.broadcast_to(compiled.parameter_vector(MODEL.typical_parameters()),
                                 (patients, 5, compiled.n_parameters)).copy()
    parameters[..., 0] *= generator.uniform(0.5, 1.5, (patients, 1))
    together = evaluate_observables(compiled, states, parameters)
    assert together.shape == (patients, 5, len(MODEL.observables))
    for patient in (0, 63, 64):
        alone = evaluate_observables(compiled, states[patient:patient + 1],
                                     parameters[patient:patient + 1])
        np.testing.assert_array_equal(together[patient], alone[0])
    # Parameters given per segment (two segments, the second from time 3 on) with the
    # segment in force at each time, a subset of columns and a preallocated output: the
    # same values as the per-time form.
    segments = np.stack([parameters[:, 0, :], parameters[:, 0, :] * 1.1], axis=1)
    output_segment = np.array([0, 0, 0, 1, 1])
    columns = [len(MODEL.observables) - 1, 0]
    out = np.full((patients, 5, 2), np.nan)
    evaluate_observables(compiled, states, segments, output_segment=output_segment,
                         columns=columns, out=out)
    per_time = evaluate_observables(compiled, states, segments[:, output_segment, :])
    np.testing.assert_array_equal(out, per_time[..., columns])
