"""Reading scenario files: the examples, regimens, unit conversion, and every error message."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from hemasim.scenario.events import Dose, ParameterChange, StateJump
from hemasim.scenario.loading import (
    ScenarioError,
    default_scenario,
    default_scenario_path,
    load_scenario,
    scenario_from_dict,
    scenario_from_yaml_text,
)
from hemasim.scenario.schema import allowed_keys, scenario_json_schema

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HEADER = "name: test\nmodel: friberg2002-docetaxel\nduration: 21 d\n"


def with_dose(line: str) -> str:
    """A docetaxel scenario whose single dose item is the flow mapping ``line``."""
    return HEADER + f"doses:\n  - {line}\n"


def problem_of(text: str, source: str = "test.yaml") -> ScenarioError:
    """The error raised for scenario text (fails the test when none is raised)."""
    with pytest.raises(ScenarioError) as caught:
        scenario_from_yaml_text(text, source)
    return caught.value


# -- the shipped scenarios ------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda path: path.name)
def test_every_example_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.source == str(path)
    assert scenario.name == path.stem
    assert scenario.description
    if scenario.model.startswith("friberg2002"):
        assert any(isinstance(event, Dose) for event in scenario.events)
    assert all(event.time <= scenario.duration for event in scenario.events
               if isinstance(event, Dose))


def test_examples_cover_the_four_documented_scenarios() -> None:
    names = {path.stem for path in EXAMPLES.glob("*.yaml")}
    assert {"docetaxel-cycles", "docetaxel-single-cycle", "paclitaxel-cycles",
            "docetaxel-knockout-window"} <= names


def test_default_scenario_is_one_docetaxel_cycle() -> None:
    assert default_scenario_path().is_file()
    scenario = default_scenario()
    assert scenario.model == "friberg2002-docetaxel"
    assert scenario.duration == 21.0
    assert scenario.output_step == pytest.approx(0.05)
    assert scenario.subject.bsa_m2 == pytest.approx(1.8)
    assert scenario.events == (Dose("docetaxel", 0.0, 100.0, "mg", "per_m2", "iv", 1 / 24),)
    assert "Friberg" in scenario.description and "4713" in scenario.description
    assert "Bruno" in scenario.description


def test_single_cycle_example_matches_the_default() -> None:
    example = load_scenario(EXAMPLES / "docetaxel-single-cycle.yaml")
    default = default_scenario()
    assert (example.model, example.duration, example.output_step, example.events,
            example.subject) == (default.model, default.duration, default.output_step,
                                 default.events, default.subject)


def test_docetaxel_cycles_expand_to_four_infusions_three_weeks_apart() -> None:
    scenario = load_scenario(EXAMPLES / "docetaxel-cycles.yaml")
    assert scenario.duration == 84.0
    assert scenario.output_step == pytest.approx(0.1)
    assert [dose.time for dose in scenario.events] == [0.0, 21.0, 42.0, 63.0]
    for dose in scenario.events:
        assert (dose.drug, dose.amount, dose.unit, dose.basis, dose.route) == (
            "docetaxel", 100.0, "mg", "per_m2", "iv")
        assert dose.duration == pytest.approx(1 / 24)


def test_paclitaxel_cycles_are_three_hour_infusions() -> None:
    scenario = load_scenario(EXAMPLES / "paclitaxel-cycles.yaml")
    assert scenario.model == "friberg2002-paclitaxel"
    assert scenario.duration == 63.0
    assert [(dose.drug, dose.time, dose.amount, dose.duration) for dose in scenario.events] == [
        ("paclitaxel", time, 175.0, pytest.approx(0.125)) for time in (0.0, 21.0, 42.0)]


def test_knockout_example_halves_the_slope_in_the_first_cycle_only() -> None:
    scenario = load_scenario(EXAMPLES / "docetaxel-knockout-window.yaml")
    windows = [event for event in scenario.events if isinstance(event, ParameterChange)]
    assert windows == [ParameterChange("slope", start=0.0, end=21.0, scale=0.5)]


# -- conversions ----------------------------------------------------------------------------
def test_regimen_starts_at_its_first_time_and_keeps_its_interval() -> None:
    text = with_dose("{drug: docetaxel, dose: 75 mg/m2, at: 12 h, every: 1 week, times: 3}")
    scenario = scenario_from_yaml_text(text)
    assert [dose.time for dose in scenario.events] == pytest.approx([0.5, 7.5, 14.5])
    assert all(dose.duration == 0.0 for dose in scenario.events)  # no infusion: a bolus


def test_infusion_of_one_hour_is_a_twenty_fourth_of_a_day() -> None:
    scenario = scenario_from_yaml_text(with_dose("{drug: docetaxel, dose: 150 mg, "
                                                 "infusion: 1 h}"))
    (dose,) = scenario.events
    assert dose.duration == pytest.approx(1 / 24)
    assert (dose.amount, dose.unit, dose.basis) == (150.0, "mg", "absolute")


@pytest.mark.parametrize(("text", "amount", "unit", "basis"), [
    ("10 ug/kg", 10.0, "ug", "per_kg"),
    ("100 mg/m2", 100.0, "mg", "per_m2"),
    ("100 mg / m^2", 100.0, "mg", "per_m2"),
    ("2.5e2 mg/m**2", 250.0, "mg", "per_m2"),
    ("0.5 g", 0.5, "g", "absolute"),
])
def test_dose_keeps_amount_unit_text_and_basis(text: str, amount: float, unit: str,
                                               basis: str) -> None:
    (dose,) = scenario_from_yaml_text(with_dose(f"{{drug: docetaxel, dose: '{text}'}}")).events
    assert (dose.amount, dose.unit, dose.basis) == (amount, unit, basis)


def test_parameter_overrides_are_converted_to_the_parameter_unit() -> None:
    text = HEADER + "parameters: {MTT: 4 d, gamma: 0.2, Circ0: '5000 cells/uL', slope: 9}\n"
    scenario = scenario_from_yaml_text(text)
    assert dict((name, value) for name, value, _ in scenario.parameters) == pytest.approx(
        {"MTT": 96.0, "gamma": 0.2, "Circ0": 5.0, "slope": 9.0})
    assert all(unit is None for _, _, unit in scenario.parameters)


def test_parameter_window_value_is_converted_and_open_ended_by_default() -> None:
    text = HEADER + "parameter_changes:\n  - {parameter: slope, value: 4000 mL/umol, from: 2 d}\n"
    (change,) = scenario_from_yaml_text(text).events
    assert change == ParameterChange("slope", start=2.0, end=math.inf, value=4.0)


def test_state_changes_are_converted_to_the_species_unit() -> None:
    text = HEADER + ("state_changes:\n"
                     "  - {species: Circ, at: 5 d, scale: 0.5}\n"
                     "  - {species: Circ, at: 6 d, add: 1000 cells/uL}\n"
                     "  - {species: Prol, at: 7 d, set: 2}\n")
    assert scenario_from_yaml_text(text).events == (
        StateJump("Circ", 5.0, "scale", 0.5),
        StateJump("Circ", 6.0, "add", pytest.approx(1.0)),
        StateJump("Prol", 7.0, "set", 2.0),
    )


def test_defaults_of_optional_keys() -> None:
    scenario = scenario_from_dict({"name": "bare", "model": "friberg2002-paclitaxel",
                                   "duration": "2 weeks"})
    assert scenario.duration == 14.0
    assert scenario.output_step == pytest.approx(0.1)
    assert (scenario.subject.weight_kg, scenario.subject.bsa_m2) == (70.0, 1.8)
    assert (scenario.patients, scenario.seed, scenario.events, scenario.source) == (1, 0, (),
                                                                                    None)


def test_empty_optional_key_means_its_default() -> None:
    scenario = scenario_from_yaml_text(HEADER + "doses:\nparameters:\n")
    assert scenario.events == () and scenario.parameters == ()


def test_subject_units_are_converted() -> None:
    scenario = scenario_from_yaml_text(HEADER + "subject: {weight: 25 g, bsa: 60 cm2}\n")
    assert scenario.subject.weight_kg == pytest.approx(0.025)
    assert scenario.subject.bsa_m2 == pytest.approx(0.006)


# -- the JSON Schema ------------------------------------------------------------------------
def test_json_schema_describes_every_key() -> None:
    schema = scenario_json_schema()
    objects = [schema, *schema["$defs"].values()]
    for definition in objects:
        for key, entry in definition["properties"].items():
            assert entry.get("description"), key
    assert set(schema["properties"]) == set(allowed_keys(()))
    assert "from" in schema["$defs"]["ParameterChangeSpec"]["properties"]
    assert schema["required"] == ["name", "model", "duration"]


# -- errors ---------------------------------------------------------------------------------
def test_error_is_one_line_naming_file_key_and_problem() -> None:
    error = ScenarioError("a.yaml", "doses[0].dose", "expected a mass")
    assert str(error) == "a.yaml: doses[0].dose: expected a mass"
    assert str(ScenarioError(None, "", "empty")) == "<scenario>: empty"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert (caught.value.file, caught.value.key) == (str(path), "")
    assert "file not found" in caught.value.problem


def test_malformed_yaml_names_the_line() -> None:
    error = problem_of("name: x\nmodel: [friberg\nduration: 21 d\n")
    assert (error.file, error.key) == ("test.yaml", "")
    assert "malformed YAML at line" in error.problem
    assert "\n" not in str(error)


def test_duplicate_key_is_reported_with_its_line() -> None:
    error = problem_of(HEADER + "duration: 3 d\n")
    assert "line 4" in error.problem and "'duration' is given twice" in error.problem


def test_top_level_must_be_a_mapping() -> None:
    error = problem_of("- name: x\n")
    assert error.key == "" and "top level must be a mapping" in error.problem


def test_unknown_key_suggests_the_allowed_one() -> None:
    error = problem_of(with_dose("{drug: docetaxel, dsoe: 100 mg}"))
    assert error.key == "doses[0].dsoe"
    assert error.problem == "unknown key (did you mean 'dose'?)"


def test_unknown_key_without_a_close_match_lists_the_allowed_keys() -> None:
    error = problem_of(HEADER + "colour: blue\n")
    assert error.key == "colour"
    assert "allowed keys: name, description, model, duration" in error.problem


def test_missing_required_key() -> None:
    error = problem_of("name: x\nmodel: friberg2002-docetaxel\n")
    assert (error.key, error.problem) == ("duration", "missing required key")


def test_unknown_model_lists_the_known_ones() -> None:
    error = problem_of("name: x\nmodel: friberg2002-docetaxol\nduration: 21 d\n")
    assert error.key == "model"
    assert "did you mean 'friberg2002-docetaxel'?" in error.problem
    assert "known models: friberg2002-docetaxel, friberg2002-paclitaxel" in error.problem


def test_unknown_drug_lists_the_accepted_drugs() -> None:
    error = problem_of(with_dose("{drug: paclitaxel, dose: 100 mg}"))
    assert error.key == "doses[0].drug"
    assert "unknown drug 'paclitaxel'" in error.problem
    assert "accepts: docetaxel" in error.problem


def test_route_the_model_does_not_accept() -> None:
    error = problem_of(with_dose("{drug: docetaxel, dose: 100 mg, route: oral}"))
    assert error.key == "doses[0].route" and "routes: iv" in error.problem


def test_dose_without_a_unit() -> None:
    error = problem_of(with_dose("{drug: docetaxel, dose: 100}"))
    assert error.key == "doses[0].dose"
    assert "expected a mass with a unit, e.g. '100 mg/m2'" in error.problem


def test_dose_with_the_wrong_dimension() -> None:
    error = problem_of(with_dose("{drug: docetaxel, dose: 100 mL}"))
    assert error.key == "doses[0].dose"
    assert "expected a mass" in error.problem and "volume" in error.problem


def test_time_without_a_unit() -> None:
    error = problem_of(with_dose("{drug: docetaxel, dose: 100 mg, at: 3}"))
    assert error.key == "doses[0].at"
    assert "expected a time with a unit" in error.problem


def test_time_with_the_wrong_dimension() -> None:
    error = problem_of(with_dose("{drug: docetaxel, dose: 100 mg, infusion: 1 mg}"))
    assert error.key == "doses[0].infusion" and "a mass" in error.problem


def test_negative_time() -> None:
    error = problem_of(with_dose("{drug: docetaxel, dose: 100 mg, at: -1 d}"))
    assert error.key == "doses[0].at" and "must not be negative" in error.problem


@pytest.mark.parametrize("interval", ["0 d", "-7 d"])
def test_interval_must_be_positive(interval: str) -> None:
    error = problem_of(with_dose(f"{{drug: docetaxel, dose: 100 mg, every: {interval}, "
                                 "times: 2}"))
    assert error.key == "doses[0].every" and "must be greater than zero" in error.problem


def test_duration_must_be_positive() -> None:
    error = problem_of("name: x\nmodel: friberg2002-docetaxel\nduration: 0 d\n")
    assert error.key == "duration" and "greater than zero" in error.problem


def test_repeated_doses_need_an_interval() -> None:
    error = problem_of(with_dose("{drug: docetaxel, dose: 100 mg, times: 3}"))
    assert error.key == "doses[0].every" and "required" in error.problem


def test_regimen_must_end_before_the_end_of_the_run() -> None:
    text = with_dose("{drug: docetaxel, dose: 100 mg, every: 7 d, times: 3}")
    assert [dose.time for dose in scenario_from_yaml_text(text).events] == [0, 7, 14]
    error = problem_of(with_dose("{drug: docetaxel, dose: 100 mg, every: 7 d, times: 4}"))
    assert error.key == "doses[0].times"
    assert "administration 4 of 4 at day 21 is at or after the end" in error.problem


def test_event_after_the_end() -> None:
    error = problem_of(HEADER + "state_changes:\n  - {species: Circ, at: 22 d, scale: 0}\n")
    assert error.key == "state_changes[0].at" and "after the end of the run" in error.problem


def test_parameter_window_starting_after_the_end() -> None:
    error = problem_of(HEADER + "parameter_changes:\n  - {parameter: slope, scale: 0, "
                                "from: 30 d}\n")
    assert error.key == "parameter_changes[0].from" and "after the end" in error.problem


def test_unknown_parameter_suggests_a_name() -> None:
    error = problem_of(HEADER + "parameters: {MTTT: 90 h}\n")
    assert error.key == "parameters.MTTT"
    assert "unknown parameter 'MTTT'" in error.problem and "did you mean 'MTT'?" in error.problem


def test_unknown_species_suggests_a_name() -> None:
    error = problem_of(HEADER + "state_changes:\n  - {species: circ, at: 1 d, scale: 0}\n")
    assert error.key == "state_changes[0].species" and "did you mean 'Circ'?" in error.problem


def test_parameter_override_with_the_wrong_dimension() -> None:
    error = problem_of(HEADER + "parameters: {MTT: 90 mg}\n")
    assert error.key == "parameters.MTT"
    assert "'90 mg' is a mass, but parameter 'MTT' is in 'h'" in error.problem


def test_parameter_override_outside_the_plausible_range() -> None:
    error = problem_of(HEADER + "parameters: {MTT: 90 d}\n")
    assert error.key == "parameters.MTT" and "outside the plausible range" in error.problem


@pytest.mark.parametrize(("change", "given"), [("scale: 0, value: 3", "'scale' and 'value'"),
                                               ("from: 1 d", "neither")])
def test_parameter_change_needs_exactly_one_of_scale_and_value(change: str, given: str) -> None:
    error = problem_of(HEADER + f"parameter_changes:\n  - {{parameter: slope, {change}}}\n")
    assert error.key == "parameter_changes[0]"
    assert "exactly one of 'scale' and 'value'" in error.problem and given in error.problem


def test_parameter_window_must_end_after_it_starts() -> None:
    text = HEADER + "parameter_changes:\n  - {parameter: slope, scale: 0, from: 5 d, until: 5 d}\n"
    error = problem_of(text)
    assert error.key == "parameter_changes[0].until" and "after 'from'" in error.problem


def test_data_without_source_names_no_file() -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({"name": "x", "model": "friberg2002-docetaxel", "duration": 21})
    assert caught.value.file is None
    assert str(caught.value).startswith("<scenario>: duration: expected a time with a unit")


GENOTYPES = "name: g\nmodel: hematopoiesis\nspecies: mouse\nduration: 2 d\ngenotypes: "


def test_a_declared_host_keeps_the_share_the_other_genotypes_leave() -> None:
    # Declaring the host to give its own cells a modifier must not empty the animal.
    scenario = scenario_from_yaml_text(
        GENOTYPES + "[{name: host, modifiers: {inos: 0}}, {name: clone, initial_fraction: 0.2}]\n")
    assert [(g.name, g.initial_fraction) for g in scenario.genotypes] == [
        ("host", pytest.approx(0.8)), ("clone", 0.2)]
    assert scenario.genotypes[0].modifiers == (("inos", 0.0),)


def test_a_host_share_other_than_what_the_others_leave_is_refused() -> None:
    error = problem_of(GENOTYPES + "[{name: host, initial_fraction: 0.1}]\n")
    assert error.key == "genotypes[0].initial_fraction"
    assert "leave 'initial_fraction' out for the host" in error.problem


def test_an_output_step_too_fine_for_memory_is_refused_before_the_run() -> None:
    # 0.0001 d over a year is 3.65 million time points per patient (several GB).
    error = problem_of(HEADER.replace("21 d", "365 d") + "output_step: 0.0001 d\n")
    assert error.key == "output_step" and "3,650,001 time points" in error.problem
    # ten years at hourly resolution still fits
    text = HEADER.replace("21 d", "3650 d") + "output_step: 1 h\n"
    assert scenario_from_yaml_text(text).output_step == pytest.approx(1 / 24)


def test_command_line_parameters_override_the_files_own_and_survive_storing() -> None:
    from hemasim.scenario.loading import scenario_text_with_parameters

    text = HEADER + "parameters: {MTT: 90 h, gamma: 0.2}\n"
    scenario = scenario_from_yaml_text(text, parameters={"MTT": "100 h", "slope": 9.0})
    assert dict((n, v) for n, v, _ in scenario.parameters) == pytest.approx(
        {"MTT": 100.0, "gamma": 0.2, "slope": 9.0})
    stored = scenario_text_with_parameters(text, {"MTT": "100 h"})
    assert scenario_from_yaml_text(stored).parameters == scenario_from_yaml_text(
        text, parameters={"MTT": "100 h"}).parameters
    assert scenario_text_with_parameters(text, {}) == text


def test_a_window_value_outside_the_parameters_range_is_refused_as_an_override_is() -> None:
    # a negative thrombopoietin baseline in a window used to run with a division by zero
    error = problem_of(GENOTYPES.replace("genotypes: ", "") + "parameter_changes: "
                       "[{parameter: tpo_baseline, value: -5, from: 1 d}]\n")
    assert error.key == "parameter_changes[0].value" and "plausible range" in error.problem
    # a scale that pushes a fraction above 1 too
    error = problem_of(GENOTYPES.replace("genotypes: ", "") + "parameter_changes: "
                       "[{parameter: hsc_quiescent_fraction, scale: 2, from: 1 d}]\n")
    assert error.key == "parameter_changes[0].scale" and "[0, 1]" in error.problem
    # the scale applies to the run's own value: with an override of 0.4 it fits
    scenario = scenario_from_yaml_text(
        GENOTYPES.replace("genotypes: ", "") + "parameters: {hsc_quiescent_fraction: 0.4}\n"
        "parameter_changes: [{parameter: hsc_quiescent_fraction, scale: 2, from: 1 d}]\n")
    assert scenario.events[0].scale == 2


def test_a_negative_genotype_modifier_is_refused_naming_it() -> None:
    error = problem_of(GENOTYPES + "[{name: clone, initial_fraction: 0.1, "
                                   "modifiers: {self_renewal: -1}}]\n")
    assert error.key == "genotypes[0].modifiers.self_renewal"
    assert "must not be negative" in error.problem
