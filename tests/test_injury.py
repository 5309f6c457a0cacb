"""Injury, regeneration and transplantation: cell conservation, radiobiology, graft dose,
the sparing of quiescent stem cells, and clear messages for bad input."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hemasim.analysis.endpoints import evaluate_endpoints
from hemasim.analysis.standard import standard_endpoints
from hemasim.cli.main import app
from hemasim.experiments.readouts import (
    engraftment_day,
    first_day_at_or_above,
    low,
    parameter_value,
    trajectory,
)
from hemasim.models import scenario_model
from hemasim.models.hematopoiesis.populations import stages_of
from hemasim.scenario.injury import surviving_fraction
from hemasim.scenario.loading import ScenarioError, scenario_from_yaml_text
from hemasim.solve.simulate import simulate

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
MOUSE = "model: hematopoiesis\nspecies: mouse\n"
ROOT = Path(__file__).resolve().parents[1]


def run_text(text: str):
    scenario = scenario_from_yaml_text(text)
    return simulate(scenario_model(scenario), scenario)


def value(result, variable: str) -> np.ndarray:
    return trajectory(result, variable)[1]


def donor_hscs(result) -> np.ndarray:
    return sum(value(result, f"{name}__donor") for name in ("HSC_B", "HSC_A", "HSC_Q"))


def test_graft_cells_are_conserved_through_homing_and_lodging():
    # No loss in blood and (practically) no division: every infused HSC must still exist,
    # having moved from blood to marrow and from cycling into free niches.
    result = run_text(MOUSE + """\
name: conservation
duration: 3 d
output_step: 0.05 d
parameters: {homing_fraction: 1, hsc_mean_division_interval: 1e9}
irradiation: [{dose: 9.5 Gy, at: 0 d}]
transplants: [{at: 0.5 d, source: sorted_hspc, dose: 2e4 cells, donor: donor}]
""")
    total = donor_hscs(result)
    times = trajectory(result, "ANC")[0]
    after = times > 0.5 + 1e-9
    infused = total[after][0]
    assert infused > 0
    np.testing.assert_allclose(total[after], infused, rtol=1e-6)
    # the blood keeps only the egress equilibrium (egress x cycling HSCs x 3 min)
    assert value(result, "HSC_B__donor")[-1] < 1e-3 * infused
    assert value(result, "HSC_Q__donor")[-1] > 0.2 * infused        # and lodge in niches


def test_lethal_irradiation_without_graft_does_not_recover():
    result = run_text(MOUSE + """\
name: no-graft
duration: 30 d
output_step: 0.25 d
irradiation: [{dose: 9.5 Gy, at: 0 d}]
""")
    times, anc = trajectory(result, "ANC")
    steady = parameter_value(result, "anc_baseline")
    # blood neutrophils are radioresistant and drain over a week; then no recovery
    assert anc[times >= 7.0].max() < 0.5 * steady
    hscs = value(result, "HSC_number")
    assert hscs[-1] < 0.01 * parameter_value(result, "hsc_total")


def test_engraftment_is_monotone_in_graft_dose():
    days = []
    for dose in ("2e5", "1e6", "5e6"):
        result = run_text(MOUSE + f"""\
name: graft-{dose}
duration: 40 d
output_step: 0.25 d
irradiation: [{{dose: 9.5 Gy, at: 0 d}}]
transplants: [{{at: 1 d, source: bone_marrow, dose: {dose} cells, donor: donor}}]
""")
        days.append(engraftment_day(result, "ANC", 0.5, after=1.0))
    assert all(np.isfinite(days))
    assert days[0] > days[1] > days[2]


def test_quiescent_hscs_survive_5fu_better_than_cycling_ones():
    # Exchange between the quiescent and cycling pools switched off, so each pool's loss is
    # its own kill.
    result = run_text(MOUSE + """\
name: quiescent-sparing
duration: 3 d
output_step: 0.25 d
parameters: {hsc_activation_rate: 0}
doses: [{drug: fluorouracil, dose: 150 mg/kg, route: ip, at: 0 d}]
""")
    quiescent = value(result, "HSC_Q__host")
    cycling = value(result, "HSC_A__host")
    assert quiescent[-1] / quiescent[0] > 0.99
    assert cycling[-1] / cycling[0] < 0.8


def test_a_5fu_run_reports_when_the_marrow_is_emptiest():
    # 5-FU 150 mg/kg empties the mouse marrow, most on day 4 (literature 2.4, Stem Cell Res
    # Ther 2016); the run's endpoints give the cellularity nadir and its day.
    scenario = scenario_from_yaml_text(MOUSE + """\
name: cellularity
duration: 14 d
output_step: 0.25 d
doses: [{drug: fluorouracil, dose: 150 mg/kg, route: ip, at: 0 d}]
""")
    model = scenario_model(scenario)
    result = simulate(model, scenario)
    table = evaluate_endpoints(result, standard_endpoints(model))
    time, cellularity = trajectory(result, "marrow_cellularity")
    assert float(table["marrow_cellularity_nadir"][0]) == pytest.approx(cellularity.min())
    assert 2 <= float(table["marrow_cellularity_nadir_day"][0]) <= 5
    assert cellularity.min() < 50


def test_methotrexate_kills_dividing_cells_while_above_its_marrow_threshold():
    # 15 mg/m2 i.v. (the first dose of short-course GVHD prophylaxis, Storb 1986): plasma
    # methotrexate starts near dose / V1 and falls below the 1e-8 M marrow threshold
    # (Chabner 1973) within about a day; while above it, dividing progenitors die and
    # quiescent HSCs are spared.
    result = run_text("""\
model: hematopoiesis
species: human
name: methotrexate
duration: 3 d
output_step: 0.05 d
subject: {weight: 70 kg, bsa: 1.8 m2}
parameters: {hsc_activation_rate: 0}
doses: [{drug: methotrexate, dose: 15 mg/m2, route: iv, at: 0 d}]
""")
    times, concentration = trajectory(result, "C_methotrexate")
    dose_umol = 15 * 1.8 / parameter_value(result, "methotrexate_molar_mass")
    volume = parameter_value(result, "methotrexate_volume")
    elimination = parameter_value(result, "methotrexate_clearance") / volume * 24  # 1/day
    first = np.flatnonzero(times > 0)[0]
    np.testing.assert_allclose(concentration[first],
                               dose_umol / volume * np.exp(-elimination * times[first]),
                               rtol=0.05)
    threshold = parameter_value(result, "methotrexate_half_maximal_kill_concentration")
    above = times[concentration > threshold]
    assert 0.5 < above.max() < 2.0
    progenitors = value(result, "CFU_GM__host")
    assert progenitors[-1] / progenitors[0] < 0.5
    quiescent = value(result, "HSC_Q__host")
    assert quiescent[-1] / quiescent[0] > 0.99


def _storb_methotrexate(graft_day: float) -> str:
    """Short-course methotrexate on days +1, +3, +6 and +11 after a graft on run day
    ``graft_day`` (Storb 1986), as YAML dose entries."""
    return (f"\n  - {{drug: methotrexate, dose: 15 mg/m2, route: iv, at: {graft_day + 1:g} d}}"
            f"\n  - {{drug: methotrexate, dose: 10 mg/m2, route: iv, at: {graft_day + 3:g} d,"
            f" every: 3 d, times: 2}}"
            f"\n  - {{drug: methotrexate, dose: 10 mg/m2, route: iv, at: {graft_day + 11:g} d}}")


def _without_and_with_methotrexate(scenario: str, doses: str, graft_day: float) -> list:
    """Runs of ``scenario`` with its ``doses`` entries, then with the Storb schedule added."""
    return [run_text(f"{scenario}doses:{extra or ' []'}\n")
            for extra in (doses, doses + _storb_methotrexate(graft_day))]


@pytest.mark.slow
def test_methotrexate_after_a_graft_delays_neutrophil_engraftment():
    # Short-course methotrexate kills the graft's dividing progenitors: neutrophil
    # engraftment comes later than without it. The graft is 2 x10^6 CD34+/kg so that both
    # arms pass through aplasia: with 4.5 x10^6 the model's ANC stays above 0.5 without
    # methotrexate, so there is no engraftment day to compare (see the
    # human-pbsc-transplant notes).
    results = _without_and_with_methotrexate("""\
model: hematopoiesis
species: human
name: gvhd-prophylaxis
duration: 40 d
output_step: 0.25 d
subject: {weight: 70 kg, bsa: 1.8 m2}
irradiation: [{dose: 12 Gy, at: 0 d}]
transplants: [{at: 1 d, source: mobilized_blood, dose: 2e6 cells/kg, counted: CD34,
               donor: donor}]
""", "", graft_day=1.0)
    days = [engraftment_day(result, "ANC", 0.5, after=1.0) for result in results]
    assert all(np.isfinite(days))
    assert days[1] > days[0] + 2


@pytest.mark.slow
def test_methotrexate_delays_marrow_engraftment_by_about_the_randomized_week():
    # Bolwell 2004 (randomized, marrow grafts): neutrophils engraft at a median 18 days with
    # short-course methotrexate and 11 with mycophenolate, 7 days apart. The lethal fraction
    # of divisions under the drug is identified from that difference, so the model's delay
    # for a busulfan-cyclophosphamide marrow graft (2.7e8 nucleated cells/kg, the EBMT median
    # dose) must be about a week.
    results = _without_and_with_methotrexate("""\
model: hematopoiesis
species: human
name: bolwell
duration: 45 d
output_step: 0.1 d
subject: {weight: 70 kg, bsa: 1.8 m2}
transplants: [{at: 7 d, source: bone_marrow, dose: 2.7e8 cells/kg, counted: nucleated,
               donor: donor}]
""", """
  - {drug: busulfan, dose: 0.8 mg/kg, route: iv, at: 0 d, infusion: 2 h, every: 6 h, times: 16}
  - {drug: cyclophosphamide, dose: 60 mg/kg, route: iv, at: 4 d, infusion: 1 h, every: 1 d,
     times: 2}""", graft_day=7.0)
    days = [first_day_at_or_above(result, "ANC", 0.5, low(result, "ANC", after=7.0)[1])
            for result in results]
    assert 5.0 <= days[1] - days[0] <= 9.0


def test_a_killed_progenitor_pool_refills_from_its_first_division_stage():
    # The CFU-GM pool is a chain of division stages: after a cytotoxic pulse the cohort
    # refilling it enters the first stage, so the last stage (and the neutrophil precursors
    # it feeds) lags behind, and the steady-state stages add up to the pool.
    result = run_text(MOUSE + """\
name: staged-refill
duration: 6 d
output_step: 0.25 d
doses: [{drug: fluorouracil, dose: 150 mg/kg, route: ip, at: 0 d}]
""")
    first, *_, last = (value(result, f"{stage}__host") for stage in stages_of("CFU_GM"))
    pool = sum(value(result, f"{stage}__host") for stage in stages_of("CFU_GM"))
    assert pool[0] == pytest.approx(parameter_value(result, "cfu_gm_count"), rel=1e-9)
    relative_first, relative_last = first / first[0], last / last[0]
    trough = int(np.argmin(relative_last))
    assert relative_first.min() < 0.1 and relative_last.min() < 0.1
    assert np.argmin(relative_first) < trough
    assert relative_first[trough] > 2 * relative_last[trough]


def test_gcsf_support_arms_hold_the_same_patients_and_the_kill_varies_between_them():
    # CH-6 compares arms of one cohort (paired): each patient has the same parameters in
    # both arms, and a patient whose docetaxel kill is stronger has a deeper ANC nadir.
    from hemasim.experiments import get_experiment
    from hemasim.scenario.loading import load_scenario

    support = get_experiment("docetaxel-gcsf-support")
    arms = [load_scenario(support.scenario_path(file)) for _, file in support.arm_files()]
    assert len({(arm.patients, arm.seed) for arm in arms}) == 1 and arms[0].patients >= 100
    results = [simulate(scenario_model(arm), arm, patients=6) for arm in arms]
    values = [r["parameter_value"].values for r in results]
    np.testing.assert_array_equal(values[0], values[1])
    kill = results[0]["parameter_value"].sel(parameter="docetaxel_kill_per_division").values
    assert kill.std() / kill.mean() > 0.1
    anc = results[0]["value"].sel(variable="ANC").values
    relative_nadir = anc.min(axis=1) / anc[:, 0]
    assert np.corrcoef(kill, relative_nadir)[0, 1] < -0.5


def test_linear_quadratic_survival_and_fractionation():
    assert surviving_fraction(1.0, 0.0, 0.0) == 1.0
    assert surviving_fraction(0.8, 0.05, 1e300) == 0.0  # no survivors, not an OverflowError
    single = surviving_fraction(0.8, 0.05, 12.0)
    fractionated = surviving_fraction(0.8, 0.05, 2.0) ** 6
    assert fractionated > single  # the quadratic term spares fractionated doses


def test_irradiation_scales_every_genotype_by_its_group():
    scenario = scenario_from_yaml_text(MOUSE + """\
name: tbi
duration: 5 d
genotypes: [{name: donor, initial_fraction: 0.5}]
irradiation: [{dose: 4 Gy, at: 1 d, fractions: 2, every: 12 h}]
""")
    jumps = [e for e in scenario.events if getattr(e, "species", "").startswith("HSC_Q__")]
    assert sorted({j.species for j in jumps}) == ["HSC_Q__donor", "HSC_Q__host"]
    assert sorted({j.time for j in jumps}) == [1.0, 1.5]
    assert jumps[0].value == pytest.approx(np.exp(-1.05 * 2.0))


def test_graft_composition_follows_the_donor_marrow():
    scenario = scenario_from_yaml_text("""\
name: pbsc
model: hematopoiesis
species: human
duration: 30 d
transplants: [{at: 1 d, source: mobilized_blood, dose: 5e6 cells/kg}]
""")
    added = {e.species: e.value for e in scenario.events}
    # CD34+ dose x 70 kg, split over HSC, MPP, CMP and CFU-GM (1e6 cells) plus HSCs (cells)
    cd34 = (added["HSC_B__donor"] / 1e6 + added["MPP_B__donor"] + added["CMP_B__donor"]
            + added["CFU_GM_B__donor"])
    assert cd34 == pytest.approx(5e6 * 70 / 1e6, rel=1e-9)
    # its T cells spread through the lymphoid organs: blood keeps 2 % of them (Westermann &
    # Pabst 1992), 2 % of 5e6 CD34+/kg x 70 kg x 50 T cells per CD34+ cell (1e9 cells)
    assert added["T_GRAFT__donor"] == pytest.approx(0.02 * 5e6 * 70 * 50 / 1e9, rel=1e-9)
    assert "T__donor" not in added  # the T cells the donor's cells make later start at 0


def test_a_whole_marrow_graft_carries_one_marrow_of_stem_cells():
    # A graft dosed in nucleated cells is a sample of the measured marrow (466 x10^6 cells
    # in a C57BL/6J mouse, Colvin 2004), so a whole mouse marrow carries the donor's whole
    # HSC pool (15,000) and MPP pool.
    scenario = scenario_from_yaml_text("""\
name: whole-marrow
model: hematopoiesis
species: mouse
duration: 5 d
transplants: [{at: 1 d, source: bone_marrow, dose: 466e6 cells}]
""")
    added = {e.species: e.value for e in scenario.events}
    model = scenario_model(scenario)
    assert added["HSC_B__donor"] == pytest.approx(model.parameter("hsc_total").value)
    assert added["MPP_B__donor"] == pytest.approx(model.parameter("mpp_count").value)


@pytest.mark.parametrize(
    ("text", "key", "phrase"),
    [
        ("transplants: [{at: 1 d, source: bone_marrow}]", "transplants[0].dose", "required"),
        ("irradiation: [{dose: 9.5, at: 0 d}]", "irradiation[0].dose", "radiation dose"),
        ("irradiation: [{dose: 9.5 mg, at: 0 d}]", "irradiation[0].dose", "radiation dose"),
        ("doses: [{drug: cisplatin, dose: 5 mg/kg}]", "doses[0].drug", "unknown drug"),
        ("doses: [{drug: docetaxel, dose: 5 mg/kg, route: sc}]", "doses[0].route",
         "cannot be given by route"),
        ("doses: [{drug: fluorouracil, dose: 5 mg/kg, route: im}]", "doses[0].route", "iv"),
        ("doses: [{drug: filgrastim, dose: 5 ug/kg, route: sc, every: 0 d, times: 3}]",
         "doses[0].every", "greater than zero"),
        ("doses: [{drug: filgrastim, dose: 5 ug/kg, route: sc, every: -1 d, times: 3}]",
         "doses[0].every", "greater than zero"),
        ("irradiation: [{dose: 12 Gy, fractions: 6, every: 0 h}]", "irradiation[0].every",
         "greater than zero"),
        ("transplants: [{dose: -5 cells}]", "transplants[0].dose", "positive"),
        ("irradiation: [{dose: 6 Gy, every: 12 h}]", "irradiation[0].fractions",
         "'fractions' is 1"),
        ("doses: [{drug: busulfan, dose: 0.8 mg/kg, infusion: 8 h, every: 6 h, times: 4}]",
         "doses[0].infusion", "would overlap"),
    ],
    ids=["graft-without-dose", "radiation-without-gray", "radiation-wrong-unit",
         "unknown-drug", "route-not-for-drug", "unknown-route", "zero-interval",
         "negative-interval", "zero-fraction-interval", "negative-graft",
         "interval-without-fractions", "overlapping-infusions"],
)
def test_bad_injury_input_exits_2_naming_the_key(tmp_path: Path, text, key, phrase):
    path = tmp_path / "bad.yaml"
    path.write_text(MOUSE + "name: bad\nduration: 20 d\n" + text + "\n")
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert key in result.output and phrase in result.output, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_transplant_into_a_model_without_genotypes_is_refused():
    with pytest.raises(ScenarioError, match="transplants"):
        scenario_from_yaml_text("""\
name: t
model: friberg2002-docetaxel
duration: 21 d
transplants: [{at: 1 d, dose: 5e6 cells/kg}]
""")


def test_every_experiment_scenario_is_an_example_with_the_same_text():
    root = Path(__file__).resolve().parents[1]
    from hemasim.experiments import EXPERIMENTS

    for experiment in EXPERIMENTS.values():
        for _, file_name in experiment.arm_files():
            if file_name.startswith("steady-state"):
                continue
            packaged = experiment.scenario_path(file_name).read_text()
            assert (root / "examples" / file_name).read_text() == packaged, file_name


def test_an_aplasia_spends_days_below_the_platelet_transfusion_trigger():
    # Immune destruction of the stem cells (aplastic anemia) empties the marrow: platelets
    # fall through grade 4 (< 25 x10^9/L) and then below the prophylactic transfusion
    # trigger (10 x10^9/L, Rebulla 1997), so fewer days are spent below 10 than below 25; an
    # untreated run spends none.
    def days(changes):
        scenario = scenario_from_yaml_text(f"""\
model: hematopoiesis
species: human
name: aplasia
duration: 120 d
output_step: 0.5 d
parameter_changes: {changes}
""")
        model = scenario_model(scenario)
        table = evaluate_endpoints(simulate(model, scenario), standard_endpoints(model))
        return (float(table["days_platelet_transfusion_trigger"][0]),
                float(table["days_grade_4_thrombocytopenia"][0]))

    below_10, below_25 = days("[{parameter: immune_destruction_rate, value: 0.7, from: 0 d}]")
    assert 0 < below_10 < below_25
    assert days("[]") == (0.0, 0.0)


def test_a_leukemic_run_reports_its_marrow_blasts_and_the_day_they_reach_aml():
    # The leukemia example's clone (without its treatment): marrow blasts rise past the WHO
    # threshold for AML (20 %), and the run's endpoints say when; a run without a
    # maturation-blocked genotype has no blast endpoints.
    def endpoints(genotypes: str):
        scenario = scenario_from_yaml_text(f"""\
model: hematopoiesis
species: human
name: clone
duration: 620 d
output_step: 1 d
genotypes: {genotypes}
""")
        model = scenario_model(scenario)
        result = simulate(model, scenario)
        return evaluate_endpoints(result, standard_endpoints(model)), result

    table, result = endpoints(
        "[{name: clone, initial_fraction: 0.001, modifiers: {self_renewal: 1.1, "
        "progenitor_self_renewal: 1.04, progenitor_proliferation: 2, niche_affinity: 2, "
        "maturation: 0.1}}]")
    time, blasts = trajectory(result, "leukemic_blast_percent")
    day = float(table["day_AML_blasts"][0])
    assert float(table["leukemic_blast_percent_peak"][0]) > 20
    assert np.all(blasts[time < day] < 20)
    assert np.all(blasts[(time >= day) & (time < day + 3)] >= 20)
    normal, _ = endpoints("[{name: twin, initial_fraction: 0.5}]")
    assert not any("blast" in name for name in normal.columns)


def test_a_transplant_run_reports_engraftment_and_chimerism_counted_from_the_graft():
    # Clinical day 0 is the infusion: the run's endpoints must not leave the user to
    # subtract the graft day (day 21 of a run is engraftment on day +20 after a day-1 graft).
    from hemasim.analysis.endpoints import value_at
    from hemasim.api import endpoint_tables

    text = (ROOT / "examples" / "mouse-bmt.yaml").read_text() + (
        "endpoints:\n  - {read_out: chimerism_neutrophils__donor, at: 8 week, after: graft}\n"
        "  - {read_out: platelets, at: 14 d, name: platelets_day_14}\n")
    scenario = scenario_from_yaml_text(text)
    result = simulate(scenario_model(scenario), scenario)
    table, _ = endpoint_tables(scenario_model(scenario), result, scenario)
    row = table.iloc[0]
    graft_day = 1.0
    assert row["day_neutrophil_engraftment_after_graft"] == pytest.approx(
        engraftment_day(result, "ANC", 0.5, after=graft_day) - graft_day)
    assert row["chimerism_neutrophils__donor_day_30_after_graft"] == pytest.approx(
        value_at(result, 31.0, variable="chimerism_neutrophils__donor")[0])
    # a syngeneic graft after lethal irradiation makes the blood donor (TX-M1: > 90 %)
    assert row["chimerism_neutrophils__donor_day_56_after_graft"] > 90
    assert row["platelets_day_14"] == pytest.approx(
        value_at(result, 14.0, variable="platelets")[0])
    assert "chimerism_neutrophils__donor_day_100_after_graft" not in table  # run is 60 d


@pytest.mark.parametrize(("item", "key", "phrase"), [
    ("{read_out: ANK, at: 14 d}", "endpoints[0].read_out", "did you mean 'ANC'"),
    ("{read_out: ANC, at: 400 d}", "endpoints[0].at", "after its end"),
    ("{read_out: ANC, at: 60 d, after: graft}", "endpoints[0].at", "day 61 of the run"),
    ("{read_out: ANC, at: 14 d, name: ANC_nadir}", "endpoints[0].name", "already exists"),
])
def test_a_requested_endpoint_that_cannot_be_read_is_refused_naming_the_key(item, key, phrase):
    text = (ROOT / "examples" / "mouse-bmt.yaml").read_text() + f"endpoints:\n  - {item}\n"
    with pytest.raises(ScenarioError) as caught:
        scenario_from_yaml_text(text)
    assert caught.value.key == key and phrase in caught.value.problem
    without_graft = MOUSE + "name: t\nduration: 10 d\nendpoints: [{read_out: ANC, at: 1 d, " \
                            "after: graft}]\n"
    with pytest.raises(ScenarioError, match="none in 'transplants'"):
        scenario_from_yaml_text(without_graft)


HUMAN = "model: hematopoiesis\nspecies: human\nsubject: {weight: 70 kg, bsa: 1.8 m2}\n"


def test_cyclophosphamide_depletes_blood_lymphocytes_and_busulfan_spares_them():
    # Cyclophosphamide kills resting lymphocytes (why conditioning pairs it with busulfan,
    # which ablates the marrow but is little immunosuppressive); Mackall 1994 saw T cells
    # fall by 61-82 % and B cells by 97 % during intensive chemotherapy.
    regimens = {
        "cyclophosphamide": "dose: 60 mg/kg, route: iv, infusion: 1 h, every: 1 d, times: 2",
        "busulfan": "dose: 0.8 mg/kg, route: iv, infusion: 2 h, every: 6 h, times: 16"}
    left = {}
    for drug, regimen in regimens.items():
        result = run_text(HUMAN + f"name: {drug}\nduration: 6 d\noutput_step: 0.25 d\n"
                          f"doses: [{{drug: {drug}, at: 0 d, {regimen}}}]\n")
        lymphocytes = value(result, "lymphocytes")
        left[drug] = lymphocytes[-1] / lymphocytes[0]
    assert left["cyclophosphamide"] < 0.4
    assert left["busulfan"] > 0.9

