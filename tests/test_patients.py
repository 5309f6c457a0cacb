"""Seeded virtual patients: identical whatever the chunking, and distributed as declared."""

import numpy as np

from hemasim.api import run_cohort
from hemasim.models import get_model
from hemasim.scenario.events import Dose, Scenario
from hemasim.solve.cohort import sample_parameters
from hemasim.solve.simulate import simulate

MODEL = get_model("friberg2002-docetaxel")
SCENARIO = Scenario(name="c", model=MODEL.name, duration=21.0, output_step=0.5,
                    events=(Dose("docetaxel", 0.0, 100.0, "mg", "per_m2", "iv", 1 / 24),))


def test_patient_parameters_do_not_depend_on_cohort_size_or_chunking():
    whole = sample_parameters(MODEL, np.arange(100), seed=7)
    part = sample_parameters(MODEL, np.arange(60, 100), seed=7)
    np.testing.assert_array_equal(whole[60:], part)
    assert not np.array_equal(whole, sample_parameters(MODEL, np.arange(100), seed=8))


def test_log_scale_spread_matches_the_declared_omega():
    values = sample_parameters(MODEL, np.arange(4000), seed=11)
    for variability in MODEL.variability:
        column = MODEL.parameter_names.index(variability.parameter)
        typical = MODEL.parameter(variability.parameter).value
        logs = np.log(values[:, column] / typical)
        assert abs(logs.std() - variability.omega) < 0.05 * variability.omega + 0.01
        assert abs(np.median(logs)) < 0.05


def test_one_patient_is_the_typical_individual():
    result = simulate(MODEL, SCENARIO)
    np.testing.assert_array_equal(result["parameter_value"].values[0],
                                  MODEL.typical_parameters())


def test_chunked_cohort_equals_one_call(monkeypatch):
    import hemasim.api as api

    one = simulate(MODEL, SCENARIO, patients=30, seed=5)
    monkeypatch.setattr(api, "CHUNK_PATIENTS", 7)
    chunked = run_cohort(MODEL, SCENARIO, patients=30, seed=5)
    np.testing.assert_array_equal(one["value"].values, chunked["value"].values)
    np.testing.assert_array_equal(one.patient.values, chunked.patient.values)


def test_serial_and_parallel_engines_agree_exactly():
    from hemasim.solve.methods import Rodas4

    parallel = simulate(MODEL, SCENARIO, Rodas4(parallel=True), patients=8, seed=2)
    serial = simulate(MODEL, SCENARIO, Rodas4(parallel=False), patients=8, seed=2)
    np.testing.assert_array_equal(parallel["value"].values, serial["value"].values)


def test_observables_on_several_threads_equal_one_thread():
    from hemasim.model.compile import compile_model
    from hemasim.solve.simulate import evaluate_observables

    compiled = compile_model(MODEL)
    patients = 133
    rng = np.random.default_rng(7)
    states = rng.uniform(0.0, 5.0, (patients, 11, compiled.n_states))
    states[3] = np.nan  # a failed patient
    declared = sample_parameters(MODEL, np.arange(patients), 7, variability=True)
    parameters = np.zeros((patients, 1, compiled.n_parameters))
    parameters[:, 0, : declared.shape[1]] = declared
    compiled.fill_derived(parameters)
    segment = np.zeros(11, dtype=np.int64)
    one = evaluate_observables(compiled, states, parameters, output_segment=segment)
    three = evaluate_observables(compiled, states, parameters, output_segment=segment,
                                 threads=3)
    assert np.isfinite(one).all()
    np.testing.assert_array_equal(one, three)
