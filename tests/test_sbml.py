"""SBML export: libsbml's consistency check, and libRoadRunner reproducing hemasim's numbers.

The round trip: a model (and a scenario's events) is exported, loaded in libRoadRunner and
simulated with tight tolerances (CVODE, rtol 1e-10, atol 1e-14); hemasim simulates the
same scenario with its compiled RODAS4 (rtol 1e-10, atol 1e-14). Every species and reported
observable must agree to 1e-5 relative at every output time. The relative deviation of a
variable is taken against max(|hemasim value|, 1e-6 x its largest |value| over the run), so
a drug amount that has decayed to 1e-30 mg is not divided by itself.
"""

from __future__ import annotations

import libsbml
import numpy as np
import pytest
import roadrunner
from typer.testing import CliRunner

from hemasim.cli.main import app
from hemasim.io.sbml import consistency_problems, export_sbml, sbml_document
from hemasim.io.sbml_math import unit_components
from hemasim.models import get_model, model_names
from hemasim.scenario.events import Dose, Scenario, StateJump
from hemasim.scenario.loading import default_scenario, scenario_from_dict
from hemasim.solve.methods import Rodas4
from hemasim.solve.simulate import simulate

roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)  # CVODE's notes at event times

TIGHT = Rodas4(rtol=1e-10, atol=1e-14)
RELATIVE_TOLERANCE = 1e-5

# Every kind of event the exporter writes: a bolus, an infusion, a regimen, scale and value
# windows (overlapping), a knockout window, and add/scale/set state jumps at one time.
RICH_SCENARIO = {
    "name": "rich", "model": "friberg2002-docetaxel", "duration": "30 d",
    "output_step": "0.1 d", "parameters": {"MTT": "100 h"},
    "doses": [
        {"drug": "docetaxel", "dose": "75 mg/m2", "at": "1 d"},
        {"drug": "docetaxel", "dose": "2 mg/kg", "at": "1 d", "infusion": "2 h"},
        {"drug": "docetaxel", "dose": "50 mg", "at": "10 d", "every": "3 d", "times": 3},
    ],
    "parameter_changes": [
        {"parameter": "slope", "scale": 0.5, "from": "0 d", "until": "12 d"},
        {"parameter": "slope", "value": "3 L/umol", "from": "11 d", "until": "15 d"},
        {"parameter": "gamma", "scale": 0, "from": "5 d", "until": "20 d"},
    ],
    "state_changes": [
        {"species": "Circ", "at": "5 d", "add": "2 1e9/L"},
        {"species": "Circ", "at": "5 d", "scale": 0.5},
        {"species": "T1", "at": "8 d", "set": 1.0},
    ],
}


def roadrunner_run(sbml: str, variables: list[str], times: np.ndarray) -> np.ndarray:
    """Trajectories (times x variables) of an SBML model in libRoadRunner, tight tolerances."""
    runner = roadrunner.RoadRunner(sbml)
    runner.integrator.relative_tolerance = 1e-10
    runner.integrator.absolute_tolerance = 1e-14
    runner.integrator.maximum_num_steps = 1_000_000
    runner.timeCourseSelections = ["time", *variables]
    return np.asarray(runner.simulate(times=times))[:, 1:]


def max_relative_deviation(found: np.ndarray, reference: np.ndarray) -> float:
    """Largest |found - reference| / max(|reference|, 1e-6 max |reference| of the variable,
    1e-12): a variable that is zero all along (the apheresis product without apheresis) is
    judged against 1e-12 in its unit, not against round-off."""
    floor = 1e-6 * np.max(np.abs(reference), axis=0)
    scale = np.maximum(np.abs(reference), np.maximum(floor, 1e-12))
    return float(np.max(np.abs(found - reference) / scale))


def assert_round_trip(model, scenario: Scenario, start: str | None = None) -> None:
    result = simulate(model, scenario, TIGHT, patients=1)
    variables = [str(v) for v in result["variable"].values]
    expected = result["value"].values[0]
    assert np.isfinite(expected).all()
    found = roadrunner_run(export_sbml(model, scenario, start=start), variables,
                           result["time"].values)
    deviation = max_relative_deviation(found, expected)
    assert deviation < RELATIVE_TOLERANCE, f"{scenario.name}: {deviation:.3g}"


def assert_consistent(document: libsbml.SBMLDocument) -> None:
    problems = consistency_problems(document)
    assert problems == [], problems


# -- units ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("1/h", [(libsbml.UNIT_KIND_SECOND, -1.0, 3600.0)]),
    ("mg", [(libsbml.UNIT_KIND_GRAM, 1.0, 0.001)]),
    ("1e9/L", [(libsbml.UNIT_KIND_DIMENSIONLESS, 1.0, 1e9), (libsbml.UNIT_KIND_LITRE, -1.0, 1.0)]),
    ("ng/mL", [(libsbml.UNIT_KIND_GRAM, 1.0, 1e-9), (libsbml.UNIT_KIND_LITRE, -1.0, 0.001)]),
    ("mIU/mL", [(libsbml.UNIT_KIND_DIMENSIONLESS, 1.0, 0.001),
                (libsbml.UNIT_KIND_LITRE, -1.0, 0.001)]),
    ("1e6 cell", [(libsbml.UNIT_KIND_DIMENSIONLESS, 1.0, 1e6)]),
])
def test_unit_definitions_keep_the_declared_scale(text, expected):
    assert unit_components(text) == expected


# -- libsbml consistency ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["friberg2002-docetaxel", "friberg2002-paclitaxel"])
def test_friberg_models_pass_libsbml_consistency_with_units(name):
    assert_consistent(sbml_document(get_model(name)))


def test_scenario_events_pass_libsbml_consistency():
    model = get_model("friberg2002-docetaxel")
    document = sbml_document(model, scenario_from_dict(RICH_SCENARIO))
    assert_consistent(document)
    sbml = document.getModel()
    assert sbml.getNumEvents() == 12  # days 0, 1, 1 + 2 h, 5, 8, 10, 11, 12, 13, 15, 16, 20
    assert sbml.getParameter("slope").getConstant() is False
    assert sbml.getParameter("slope__declared").getValue() == pytest.approx(8.58)
    assert sbml.getParameter("MTT").getValue() == pytest.approx(100.0)  # the override


def test_parameters_carry_units_meaning_and_source():
    document = sbml_document(get_model("friberg2002-docetaxel"))
    sbml = document.getModel()
    mtt = sbml.getParameter("MTT")
    assert sbml.getUnitDefinition(mtt.getUnits()).getName() == "h"
    notes = mtt.getNotesString()
    assert "mean transit time" in notes and "friberg2002" in notes
    resources = [mtt.getCVTerm(0).getResourceURI(i)
                 for i in range(mtt.getCVTerm(0).getNumResources())]
    assert resources == ["https://identifiers.org/doi:10.1200/JCO.2002.02.140"]
    assert sbml.getTimeUnits() == "u_day"


# -- libRoadRunner round trip: Friberg --------------------------------------------------------
def test_friberg_without_a_dose_matches_hemasim():
    model = get_model("friberg2002-docetaxel")
    scenario = Scenario(name="no-dose", model=model.name, duration=21.0, output_step=0.25,
                        parameters=(("Circ0", 3.0, None),))
    assert_round_trip(model, scenario)


def test_friberg_with_the_default_infusion_matches_hemasim():
    model = get_model("friberg2002-docetaxel")
    assert_round_trip(model, default_scenario())


def test_friberg_with_a_bolus_matches_hemasim():
    model = get_model("friberg2002-docetaxel")
    scenario = Scenario(name="bolus", model=model.name, duration=21.0, output_step=0.05,
                        events=(Dose("docetaxel", 0.0, 100.0, "mg", "per_m2"),))
    assert_round_trip(model, scenario)


def test_friberg_with_every_kind_of_event_matches_hemasim():
    model = get_model("friberg2002-docetaxel")
    assert_round_trip(model, scenario_from_dict(RICH_SCENARIO))


# -- libRoadRunner round trip: the integrated model ---------------------------------------
def _perturbed(model, species: str) -> Scenario:
    """A dose of the model's first drug (when it has drugs) and a halving of a stem-cell
    pool, from the steady state, followed for 60 days."""
    events: list = [StateJump(model.species[0].name, 2.0, "scale", 0.5)]
    for target in model.dosing:
        unit = model.species_named(target.species).unit
        events.insert(0, Dose(target.drug, 1.0, 10.0, unit, route=target.route))
        break
    return Scenario(name="perturbed", model=model.name, duration=60.0, output_step=0.5,
                    events=tuple(events), species=species, start="steady_state")


@pytest.mark.parametrize("species", ["human", "mouse"])
def test_integrated_model_passes_libsbml_consistency(species):
    assert_consistent(sbml_document(get_model("hematopoiesis", species)))


def test_integrated_human_at_steady_state_stays_there_in_roadrunner():
    model = get_model("hematopoiesis", "human")
    scenario = Scenario(name="year", model=model.name, duration=365.0, output_step=5.0,
                        species="human", start="steady_state")
    assert_round_trip(model, scenario)


@pytest.mark.parametrize("species", ["human", "mouse"])
def test_integrated_model_with_a_dose_matches_hemasim(species):
    model = get_model("hematopoiesis", species)
    assert_round_trip(model, _perturbed(model, species))


# -- command line ----------------------------------------------------------------------------
def test_cli_unknown_model_lists_the_models_and_exits_2():
    result = CliRunner().invoke(app, ["export-sbml", "no-such-model"])
    assert result.exit_code == 2
    assert "unknown model 'no-such-model'" in result.output
    for name in model_names():
        assert name in result.output
    assert "Traceback" not in result.output


def test_cli_writes_a_consistent_file_with_the_scenario_events(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nmodel: friberg2002-docetaxel\nduration: 21 d\n"
                        "doses:\n  - {drug: docetaxel, dose: 100 mg/m2}\n")
    out = tmp_path / "model.xml"
    result = CliRunner().invoke(app, ["export-sbml", "friberg2002-docetaxel", "--scenario",
                                      str(scenario), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output
    document = libsbml.readSBMLFromFile(str(out))
    assert document.getLevel() == 3 and document.getVersion() == 2
    assert document.getModel().getNumEvents() == 1
    assert document.getModel().getParameter("dose_1").getValue() == pytest.approx(180.0)


def test_cli_refuses_a_directory_as_the_sbml_file_and_leaves_no_partial_file(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    result = CliRunner().invoke(app, ["export-sbml", "friberg2002-docetaxel", "-o", str(folder)])
    assert result.exit_code == 2 and "is a directory" in result.output
    assert "Traceback" not in result.output
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    # an existing file is replaced whole, with no temporary file left beside it
    target = tmp_path / "model.xml"
    target.write_text("old")
    assert CliRunner().invoke(app, ["export-sbml", "friberg2002-docetaxel", "-o",
                                    str(target)]).exit_code == 0
    assert target.read_text().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.xml", "models"]
