"""Marrow-blood trafficking: cells conserved through egress, homing, loss and apheresis;
CXCR4 blockade raising blood HSPCs within hours; the pathway at rest leaving the steady state
exactly as it was; knockouts of pathway components; clear messages for bad input."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hemasim.cli.main import app
from hemasim.experiments.readouts import trajectory
from hemasim.models import get_model, scenario_model
from hemasim.models.hematopoiesis.genotype import Genotype
from hemasim.models.hematopoiesis.populations import PROGENITOR_STAGES
from hemasim.scenario.loading import ScenarioError, scenario_from_yaml_text
from hemasim.solve.simulate import simulate

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
MOUSE = "name: t\nmodel: hematopoiesis\nspecies: mouse\n"

# Mouse steady state before the trafficking pathway existed (commit 1919ea6, the same
# parameter values): the pathway at rest must not move it.
MOUSE_STEADY_STATE_BEFORE = {
    "ANC": 1.000000000000002, "WBC": 6.650000000000003, "platelets": 1200.0000000000002,
    "Hb": 14.994000000000005, "SKL_per_uL": 0.08345052083333332,
    "CFU_GM_per_mL": 41.666666666666835, "HSC_number": 15000.234375,
}


def run_text(text: str):
    scenario = scenario_from_yaml_text(text)
    return simulate(scenario_model(scenario), scenario)


def value(result, variable: str) -> np.ndarray:
    return trajectory(result, variable)[1]


def test_without_a_mobilizing_agent_the_pathway_rests_and_counts_are_unchanged():
    result = run_text(MOUSE + "start: steady_state\nduration: 20 d\noutput_step: 1 d\n")
    for variable, before in MOUSE_STEADY_STATE_BEFORE.items():
        np.testing.assert_allclose(value(result, variable), before, rtol=1e-7,
                                   err_msg=variable)
    for variable in ("marrow_SDF1", "marrow_HO1", "plasma_S1P", "C5a"):
        np.testing.assert_allclose(value(result, variable), 100.0, rtol=1e-9,
                                   err_msg=variable)


@pytest.mark.parametrize("genotypes", [(Genotype("host"),),
                                       (Genotype("host", 0.5), Genotype("donor", 0.5))])
def test_cells_are_conserved_through_egress_homing_clearance_and_apheresis(genotypes):
    model = get_model("hematopoiesis", "mouse", genotypes)
    moves = [p for p in model.processes
             if any(word in p.name for word in ("egress", "homing", "apheresis"))]
    # egress, homing, apheresis of 4 pools; the staged CMP and CFU-GM pools send cells to
    # blood from each of their division stages
    assert len(moves) == len(genotypes) * (12 + 2 * (PROGENITOR_STAGES - 1))
    for process in moves:
        # every move of HSPCs conserves cells: what leaves one pool enters another.
        # Coefficients count cells whatever the species' units (cells or millions): the
        # compiler converts each rate into each species' own unit, so a coefficient that
        # also converted units would convert twice.
        assert sum(process.changes.values()) == 0, process.name
    losses = [p for p in model.processes if "loss in blood" in p.name]
    assert all(list(p.changes.values()) == [-1] for p in losses)
    assert all("blood_loss_fraction" in p.rate for p in losses)


def test_neutrophil_egress_moves_reserve_cells_into_blood_one_for_one():
    model = get_model("hematopoiesis", "mouse")
    release = next(p for p in model.processes if p.name.startswith("neutrophil release"))
    assert release.changes == {"NR__host": -1, "NEU__host": 1}
    assert "neutrophil_egress__host" in release.rate


def test_blocking_cxcr4_raises_blood_hspcs_within_hours():
    result = run_text(MOUSE + "duration: 12 h\noutput_step: 0.05 h\n"
                      "doses:\n  - {drug: plerixafor, dose: 5 mg/kg, route: ip, at: 0 d}\n")
    times = trajectory(result, "CFU_GM_per_mL")[0] * 24
    cfu = value(result, "CFU_GM_per_mL")
    skl = value(result, "SKL_per_uL")
    one_hour = np.argmin(abs(times - 1.0))
    assert cfu[one_hour] > 5 * cfu[0]
    assert skl[one_hour] > 5 * skl[0]
    # and the blood empties again as the drug is cleared
    assert cfu[-1] < 0.2 * cfu.max()


def test_cxcr4_knockout_window_also_releases_hspcs():
    # a genetic or antibody block of CXCR4, without plerixafor
    result = run_text(MOUSE + "duration: 1 d\noutput_step: 0.05 d\nparameter_changes:\n"
                      "  - {parameter: cxcr4__host, scale: 0, from: 0.2 d}\n")
    skl = value(result, "SKL_per_uL")
    assert skl[-1] > 3 * skl[0]


def test_apheresis_collects_what_it_removes_and_blood_refills():
    result = run_text(MOUSE + "duration: 1 d\noutput_step: 0.01 d\n"
                      "doses:\n  - {drug: plerixafor, dose: 5 mg/kg, route: ip, at: 0 d}\n"
                      "apheresis:\n  - {at: 0.5 h, blood_volumes: 2, duration: 2 h}\n")
    collected = value(result, "CD34_collected_per_kg")
    assert collected[0] == 0.0
    assert collected[-1] > 0.0
    times = trajectory(result, "CD34_collected_per_kg")[0] * 24
    after = times > 2.6
    np.testing.assert_allclose(collected[after], collected[-1], rtol=1e-9)


def test_whole_animal_inos_knockout_removes_both_copies():
    scenario = scenario_from_yaml_text(MOUSE + "duration: 1 d\nknockouts:\n"
                                       "  - {component: inos}\n")
    overrides = {name: value for name, value, _ in scenario.parameters}
    assert overrides["inos_production"] == 0.0
    assert overrides["inos__host"] == 0.0


def test_donor_only_knockout_touches_the_donor_cells_only():
    scenario = scenario_from_yaml_text(
        MOUSE + "duration: 1 d\ngenotypes:\n  - {name: donor}\n"
        "knockouts:\n  - {component: inos, genotype: donor}\n")
    overrides = {name: value for name, value, _ in scenario.parameters}
    assert overrides == {"body_weight": 0.025, "inos__donor": 0.0}


def test_an_unknown_pathway_component_lists_the_known_ones(tmp_path: Path):
    with pytest.raises(ScenarioError) as caught:
        scenario_from_yaml_text(MOUSE + "duration: 1 d\nknockouts:\n  - {component: inos2}\n")
    message = str(caught.value)
    assert "knockouts[0].component" in message and "'inos2'" in message
    for known in ("cxcr4", "inos", "ho1", "c3", "c5", "s1p", "sdf1", "il6", "gcsf_receptor"):
        assert known in message
    path = tmp_path / "bad.yaml"
    path.write_text(MOUSE + "duration: 1 d\nknockouts:\n  - {component: hox1}\n")
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "known components" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_environment_only_component_in_one_genotype_is_refused():
    with pytest.raises(ScenarioError, match="belongs to the animal"):
        scenario_from_yaml_text(MOUSE + "duration: 1 d\ngenotypes:\n  - {name: donor}\n"
                                "knockouts:\n  - {component: c5, genotype: donor}\n")


def test_apheresis_needs_the_integrated_model():
    with pytest.raises(ScenarioError, match="apheresis"):
        scenario_from_yaml_text("name: t\nmodel: friberg2002-docetaxel\nduration: 2 d\n"
                                "apheresis:\n  - {at: 1 d, blood_volumes: 2}\n")
