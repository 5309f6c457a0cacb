"""Documentation tables are generated from the declarations and must not drift."""

from pathlib import Path

import pytest

from hemasim.models import get_model
from hemasim.report.model_card import (
    ModelCardError,
    diagram,
    generate_block,
    models_named,
    parameter_table,
    refresh_text,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "models"


@pytest.mark.parametrize("document", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_generated_blocks_match_the_declarations(document):
    text = document.read_text()
    assert refresh_text(text) == text, (
        f"{document.name} is out of date: run python -m hemasim.report.model_card {document}")


def test_parameter_table_lists_every_parameter_with_unit_and_source():
    model = get_model("friberg2002-docetaxel")
    table = parameter_table(model)
    for parameter in model.parameters:
        assert f"`{parameter.name}`" in table
    assert "88.7 | h" in table and "friberg2002" in table and "bruno1996" in table


def test_friberg_blocks_still_name_a_fixed_model():
    assert models_named("friberg2002-docetaxel") == [get_model("friberg2002-docetaxel")]


def test_a_block_names_the_species_of_a_model_family():
    (mouse,) = models_named("hematopoiesis:mouse")
    assert mouse.species_kind == "mouse"
    human, mouse = models_named("hematopoiesis:human,mouse")
    assert (human.species_kind, mouse.species_kind) == ("human", "mouse")


def test_unknown_kind_and_several_models_for_a_single_model_kind_are_errors():
    with pytest.raises(ModelCardError, match="unknown generated block kind 'tables'"):
        generate_block("tables", "hematopoiesis:human")
    with pytest.raises(ModelCardError, match="takes one model"):
        generate_block("species", "hematopoiesis:human,mouse")


def test_parameter_comparison_shows_human_and_mouse_side_by_side():
    table = generate_block("parameters", "hematopoiesis:human,mouse")
    header = table.splitlines()[0]
    assert header == ("| parameter | unit | human value | mouse value | meaning | human source "
                      "| mouse source |")
    row = next(line for line in table.splitlines() if line.startswith("| `blood_volume` |"))
    assert "| L | 5 | 0.002 |" in row
    row = next(line for line in table.splitlines()
               if line.startswith("| `progenitor_egress_rate` |"))
    assert "Liles 2003" in row and "CFU-GM" in row
    for parameter in get_model("hematopoiesis", "mouse").parameters:
        assert f"`{parameter.name}`" in table


def test_derived_table_gives_formula_unit_and_meaning():
    table = generate_block("derived", "hematopoiesis:human")
    assert ("| `hsc_feedback_gain` | `hsc_self_renewal_max / hsc_self_renewal0 - 1` | 1 |"
            in table)
    assert len(table.splitlines()) == 2 + len(get_model("hematopoiesis").derived)


def test_diagram_is_generated_from_the_host_populations():
    model = get_model("hematopoiesis", "mouse")
    text = diagram(model)
    assert text == diagram(model)  # stable
    chart = text.split("```mermaid\n")[1].split("```")[0]
    assert chart.startswith("flowchart TB\n") and "__host" not in chart
    for species in model.species:
        assert f"    {species.name.removesuffix('__host')}" in chart
    for compartment in ("marrow niche", "marrow", "blood", "plasma"):
        assert f'["{compartment}"]' in chart
    assert '  HSC_A -->|"HSC differentiating division"| MPP\n' in chart
    assert "  EB3 --> RET\n" in chart
    assert '  MK3 -.->|"platelet shedding"| PLT\n' in chart
    assert '  CFU_E -.->|"erythroblasts from CFU-E"| EB1\n' in chart
    for link in ("EPO ==> CFU_E", "TPO ==> MKP", "TPO ==> HSC_A", "GCSF ==> CFU_GM",
                 "GCSF ==> NR", "IL6 ==> HSC_Q", "IL6 ==> CMP"):
        assert f"  {link}\n" in chart
    # committed progenitor pools are transit-amplifying: only HSCs and MPPs self-renew
    assert "HSC_A,MPP proliferating" in chart
    # the CMP and CFU-GM pools are chains of division stages; cells leave from the last
    assert "  CMP --> CMP_2\n" in chart
    assert '  CFU_GM_2 -.->|"CFU_GM_3 from CFU_GM_2 divisions"| CFU_GM_3\n' in chart
    assert "  GCSF ==> CFU_GM_2\n" in chart  # G-CSF acts on the cells already dividing
    assert '  CMP_3 -.->|"MkP from CMP under TPO"| MKP\n' in chart
    assert '  CFU_GM_3 -.->|"neutrophil precursors from CFU-GM"| NP1\n' in chart


def test_diagram_lists_the_cytokine_feedback_links():
    text = diagram(get_model("hematopoiesis", "human"))
    assert "- `EPO` acts on `CFU_E` (via `epo_signal`)" in text
    assert "- `TPO` acts on `HSC_A` (via `tpo_quiescence`)" in text
    assert "- `IL6` acts on `HSC_Q` (via `il6_activation`)" in text
    assert "- `RBC` -> `EPO` (via `Hb`)" in text
    assert "- `NR`, `NEU` -> `GCSF` (via `gcsf_receptor_mass`)" in text
    assert "- `MK1`, `MK2`, `MK3`, `PLT` -> `TPO` (via `tpo_receptor_mass`)" in text
    assert "-> `IL6` (via `progenitor_relative`)" in text


def test_diagram_of_a_chimera_shows_one_genotype():
    from hemasim.models.hematopoiesis.genotype import HOST, Genotype

    chimera = get_model("hematopoiesis", "mouse", (HOST, Genotype("donor", 0.5)))
    assert diagram(chimera) == diagram(get_model("hematopoiesis", "mouse"))
    assert "NEU__host" not in diagram(chimera, "donor")
    with pytest.raises(ModelCardError, match="no cell populations of genotype 'host'"):
        diagram(get_model("friberg2002-docetaxel"))
