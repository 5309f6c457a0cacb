"""``hemasim export-sbml MODEL``: a model (and a scenario's events) as SBML Level 3 Version 2."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hemasim.cli.errors import fail, friendly


@friendly
def export_sbml_command(
    model_name: Annotated[str, typer.Argument(
        metavar="MODEL", help="Model name (see 'hemasim models').", show_default=False)],
    species: Annotated[str | None, typer.Option(
        "--species", help="human or mouse, for the integrated model (default: the "
        "scenario's, else human).", show_default=False)] = None,
    scenario_file: Annotated[Path | None, typer.Option(
        "--scenario", help="Scenario YAML file whose doses, infusions, parameter windows and "
        "state changes become SBML events.", show_default=False)] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Write the SBML here (default: standard output).",
        show_default=False)] = None,
) -> None:
    """Write a model as SBML L3V2: units, sources as notes, steady-state or declared initial
    values, and a scenario's interventions as events; checked with libsbml."""
    from hemasim.io.sbml import consistency_problems, sbml_document
    from hemasim.models import get_model, model_names

    if model_name not in model_names():
        get_model(model_name)  # raises UnknownModelError listing the models
    if species is not None and species not in ("human", "mouse"):
        fail(f"--species: expected 'human' or 'mouse', found '{species}'")
    scenario = None
    genotypes = None
    if scenario_file is not None:
        from hemasim.scenario.loading import load_scenario

        scenario = load_scenario(scenario_file)
        if scenario.model != model_name:
            fail(f"{scenario_file}: model: the scenario is for '{scenario.model}', not "
                 f"'{model_name}'")
        if species is not None and scenario.species not in (None, species):
            fail(f"--species {species}: the scenario {scenario_file} is for "
                 f"'{scenario.species}'")
        species = species or scenario.species
        genotypes = scenario.genotypes or None
    try:
        model = get_model(model_name, species, genotypes)
    except ValueError as error:
        fail(f"--species: {error}")
    document = sbml_document(model, scenario)
    problems = consistency_problems(document)
    errors = [p for p in problems if p[0] in ("Error", "Fatal")]
    import libsbml

    text = libsbml.writeSBMLToString(document)
    if output is None:
        typer.echo(text, nl=False)
    else:
        from hemasim.io.atomic import atomic_destination

        if output.is_dir():
            fail(f"{output}: is a directory; give a file name for the SBML document")
        with atomic_destination(output) as temporary:  # an old file is replaced whole
            temporary.write_text(text, encoding="utf-8")
        sbml = document.getModel()
        typer.echo(f"Wrote {output}: SBML L3V2 model '{sbml.getId()}' with "
                   f"{sbml.getNumSpecies()} species, {sbml.getNumParameters()} parameters, "
                   f"{sbml.getNumRules()} rules and {sbml.getNumEvents()} events; libsbml "
                   f"consistency check: {len(errors)} errors, {len(problems) - len(errors)} "
                   "warnings", err=True)
    for severity, identifier, message in problems:
        typer.echo(f"libsbml {severity.lower()} {identifier}: {message.splitlines()[0]}",
                   err=True)
    if errors:
        raise typer.Exit(1)
