"""The transwell chemotaxis model: conservation of cells, the iNOS -> HO-1 -| migration
directions (target MO-K2), basal migration without attractant and the HO-1 steady start."""

import math

import numpy as np
import pytest
import xarray as xr

from hemasim.experiments import get_experiment
from hemasim.models import get_model
from hemasim.models.trafficking_relations import ho1_induction, nitric_oxide
from hemasim.scenario.events import Scenario
from hemasim.solve.simulate import simulate

MODEL = get_model("transwell-chemotaxis")
ASSAY_HOURS = 4.0
VALUE = {parameter.name: parameter.value for parameter in MODEL.parameters}


def assay(**parameters: float) -> xr.Dataset:
    """A 4-h assay with parameter overrides (each in its own unit)."""
    scenario = Scenario(name="assay", model=MODEL.name, duration=ASSAY_HOURS / 24,
                        output_step=0.1 / 24,
                        parameters=tuple((name, float(value), None)
                                         for name, value in parameters.items()))
    return simulate(MODEL, scenario)


def series(result: xr.Dataset, variable: str) -> np.ndarray:
    return result["value"].sel(variable=variable, patient=0).values


def end(result: xr.Dataset, variable: str) -> float:
    return float(series(result, variable)[-1])


def expected_ho1(inos: float, inhibition: float = 0.0) -> float:
    """HO-1 steady state written out in numbers from the shared relations' formulas."""
    no = (1 - inhibition) * ((1 - VALUE["nos_constitutive_share"]) * inos
                             + VALUE["nos_constitutive_share"])
    return VALUE["ho1_no_independent_share"] + (1 - VALUE["ho1_no_independent_share"]) * no


def test_the_relations_are_the_shared_expressions_with_the_whole_animal_values():
    no = nitric_oxide("inos_expression", "1", "nos_inhibition")
    assert MODEL.species_named("HO1_protein").initial == ho1_induction("1", no)
    shared = {p.name: p for p in get_model("hematopoiesis").parameters}
    for name in ("nos_constitutive_share", "ho1_no_independent_share", "ho1_turnover_rate",
                 "ho1_chemotaxis_damping"):
        assert MODEL.parameter(name) == shared[name]


@pytest.mark.parametrize("inos", [0.3, 1.0, 3.0])
def test_cells_are_conserved(inos):
    result = assay(inos_expression=inos, s1p_concentration=100.0)
    total = series(result, "Upper") + series(result, "Lower")
    np.testing.assert_allclose(total, 1.0, rtol=0, atol=1e-10)
    assert np.all(np.diff(series(result, "Lower")) > 0)


def test_migration_falls_and_ho1_rises_with_inos_expression():
    levels = [0.0, 0.3, 1.0, 3.0, 10.0]
    results = [assay(inos_expression=inos) for inos in levels]
    migrated = [end(r, "percent_migrated") for r in results]
    ho1 = [end(r, "HO1") for r in results]
    no = [end(r, "NO") for r in results]
    assert all(a > b for a, b in zip(migrated, migrated[1:], strict=False)), migrated
    assert all(a < b for a, b in zip(ho1, ho1[1:], strict=False)), ho1
    assert all(a < b for a, b in zip(no, no[1:], strict=False)), no
    control = results[levels.index(1.0)]
    assert end(control, "HO1") == pytest.approx(100.0)
    assert end(control, "NO") == pytest.approx(100.0)


def test_a_nos_inhibitor_acts_like_less_inos():
    control = assay()
    inhibited = assay(nos_inhibition=0.5)
    assert end(inhibited, "HO1") < end(control, "HO1")
    assert end(inhibited, "percent_migrated") > end(control, "percent_migrated")


def test_control_line_migrates_by_the_first_order_law_in_the_typical_range():
    k = VALUE["basal_migration_rate"] + VALUE["directed_migration_rate"] * (
        300.0 / (300.0 + VALUE["sdf1_half_maximal_concentration"]))
    migrated = end(assay(), "percent_migrated")
    assert migrated == pytest.approx(100 * (1 - math.exp(-k * ASSAY_HOURS)), rel=1e-6)
    assert 10.0 <= migrated <= 30.0


@pytest.mark.parametrize("inos", [0.3, 1.0, 3.0])
def test_without_attractant_only_basal_migration_whatever_the_ho1(inos):
    result = assay(inos_expression=inos, sdf1_concentration=0.0, s1p_concentration=0.0)
    basal = 100 * (1 - math.exp(-VALUE["basal_migration_rate"] * ASSAY_HOURS))
    assert end(result, "percent_migrated") == pytest.approx(basal, rel=1e-6)


def test_s1p_adds_to_sdf1():
    assert end(assay(s1p_concentration=100.0), "percent_migrated") > end(
        assay(), "percent_migrated")


@pytest.mark.parametrize(("inos", "inhibition"), [(0.3, 0.0), (1.0, 0.0), (3.0, 0.0),
                                                  (3.0, 0.5)])
def test_ho1_starts_and_stays_at_its_induced_steady_state(inos, inhibition):
    result = assay(inos_expression=inos, nos_inhibition=inhibition)
    ho1 = series(result, "HO1_protein")
    assert ho1[0] == pytest.approx(expected_ho1(inos, inhibition), rel=1e-12)
    np.testing.assert_allclose(ho1, ho1[0], rtol=1e-9)


def test_experiment_transwell_inos_reproduces_mo_k2():
    outcome = get_experiment("transwell-inos").run()
    results = outcome.target_results()
    assert [r.target.id[:6] for r in results] == ["MO-K2a", "MO-K2b", "MO-K2c", "MO-K2d"]
    assert all(r.passed for r in results), [(r.target.id, r.model) for r in results]
