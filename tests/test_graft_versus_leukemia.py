"""Alloreactivity of a graft: an allogeneic donor's T cells kill stem and progenitor cells
that carry the recipient's antigens (graft-versus-leukemia); syngeneic grafts do not."""

import pytest

from hemasim.experiments.readouts import trajectory
from hemasim.models import scenario_model
from hemasim.scenario.loading import scenario_from_yaml_text
from hemasim.solve.simulate import simulate

GRAFT = """\
model: hematopoiesis
name: graft-match
duration: 120 d
output_step: 1 d
transplants: [{at: 1 d, source: mobilized_blood, dose: 5e6 cells/kg, donor: donor%s}]
"""


def donor_modifiers(text: str) -> dict[str, float]:
    scenario = scenario_from_yaml_text(text)
    return {g.name: dict(g.modifiers) for g in scenario.genotypes}["donor"]


@pytest.mark.parametrize(("species", "match", "antigens"), [
    ("human", "", 0.0),                       # clinical grafts come from another person
    ("mouse", "", None),                      # inbred and congenic mice
    ("human", ", match: syngeneic", None),   # an identical twin, or the patient's own cells
    ("mouse", ", match: allogeneic", 0.0),
])
def test_the_match_decides_whether_the_donor_lacks_the_recipient_antigens(
        species, match, antigens):
    modifiers = donor_modifiers(f"species: {species}\n" + GRAFT % match)
    assert modifiers.get("recipient_antigens") == antigens


def test_allogeneic_donor_t_cells_clear_recipient_cells_and_spare_their_own():
    results = {}
    for match in ("allogeneic", "syngeneic"):
        scenario = scenario_from_yaml_text(GRAFT % f", match: {match}")
        results[match] = simulate(scenario_model(scenario), scenario)

    def last(match: str, variable: str) -> float:
        return float(trajectory(results[match], variable)[1][-1])

    host_hscs = {m: last(m, "HSC_Q__host") + last(m, "HSC_A__host") for m in results}
    donor_share = {m: last(m, "chimerism_neutrophils__donor") for m in results}
    # without conditioning, a syngeneic graft stays a small minority; alloreactive T cells
    # empty the host's niches and the donor takes over
    assert host_hscs["allogeneic"] < 0.2 * host_hscs["syngeneic"]
    assert donor_share["allogeneic"] > 50.0 > 5 * donor_share["syngeneic"]
    # the recipient's own lymphocytes carry its antigens too: its T cells are cleared
    host_t = {m: last(m, "T__host") for m in results}
    assert host_t["allogeneic"] < 0.2 * host_t["syngeneic"]
    # the donor's own cells are not attacked: its stem cells only gain
    donor_hscs = {m: last(m, "HSC_Q__donor") + last(m, "HSC_A__donor") for m in results}
    assert donor_hscs["allogeneic"] > donor_hscs["syngeneic"]


def test_only_the_grafts_own_t_cells_attack_not_those_the_donor_makes_later():
    # A T-cell-depleted (sorted) graft infuses no mature T cells; the T cells its stem cells
    # make mature in the recipient's thymus and are tolerant of its antigens, so an
    # allogeneic sorted graft fares exactly as a syngeneic one.
    sorted_graft = GRAFT.replace("mobilized_blood, dose: 5e6 cells/kg",
                                 "sorted_hspc, dose: 1e6 cells/kg")
    results = {}
    for match in ("allogeneic", "syngeneic"):
        scenario = scenario_from_yaml_text(sorted_graft % f", match: {match}")
        results[match] = simulate(scenario_model(scenario), scenario)
    made_later = trajectory(results["allogeneic"], "T__donor")[1][-1]
    assert made_later > 0
    host = {m: trajectory(results[m], "HSC_Q__host")[1][-1] for m in results}
    assert host["allogeneic"] == pytest.approx(host["syngeneic"], rel=1e-6)
