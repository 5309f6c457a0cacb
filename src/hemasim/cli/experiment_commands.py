"""The experiment commands: list the built-in experiments, run one, validate them (all or some).

Each prints model vs published reference per target and exits 1 when a target fails, so a
script or CI can use the exit status.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hemasim.cli.console import NAME_COLUMN, console, make_console
from hemasim.cli.console import format_value as _format
from hemasim.cli.errors import fail, friendly
from hemasim.cli.parameter_option import PARAMETER_HELP, parameter_changes, titled


@friendly
def experiments() -> None:
    """List the built-in in-silico experiments."""
    from hemasim.experiments import EXPERIMENTS

    grid = Table(title="Experiments")
    grid.add_column("name")
    grid.add_column("title")
    grid.add_column("targets")
    for experiment in EXPERIMENTS.values():
        ids = sorted({t.id.split(" ")[0] for t in experiment.targets})
        grid.add_row(experiment.name, experiment.title, ", ".join(ids))
    console.print(grid)


@friendly
def experiment(
    name: Annotated[str, typer.Argument(help="Experiment name (see 'hemasim experiments').")],
    out: Annotated[Path | None, typer.Option("--out", help="Write its run directory here.")]
    = None,
    parameters: Annotated[list[str] | None, typer.Option(
        "--parameter", "-p", help=PARAMETER_HELP, show_default=False)] = None,
) -> None:
    """Run one built-in experiment and print model vs published reference.

    With --parameter, every arm runs with the changed values and is compared with the same
    published references: a what-if for a hypothesis.
    """
    from hemasim.experiments import get_experiment

    chosen = get_experiment(name)
    changes = parameter_changes(parameters)
    if out is not None:
        from hemasim.io.run_directory import check_replaceable

        check_replaceable(out)  # before the experiment runs, not after it
    with console.status(f"Running {chosen.name}..."):
        outcome = chosen.run(changes)
    rows = [r.as_row() for r in outcome.target_results()]
    _print_validation(rows, title=titled(f"{chosen.name}: {chosen.title}", changes))
    _print_predictions(outcome.prediction_rows())
    if out is not None:
        _write_experiment(out, outcome, rows, changes)
        console.print(f"Wrote {out}/")
    if not all(row["pass"] for row in rows):
        raise typer.Exit(1)


def _write_experiment(out: Path, outcome, rows, changes: dict[str, str | float]) -> None:
    from hemasim.io.results import write_parquet
    from hemasim.io.run_directory import write_run_directory
    from hemasim.plot.experiment import plot_experiment
    from hemasim.result import provenance

    record = dict(provenance(outcome.result), experiment=outcome.experiment.name)
    record["scenario"] = json.loads(record["scenario"])
    record["arms"] = {label: file for label, file in outcome.experiment.arm_files()}
    record["parameters_changed"] = changes
    writers = {
        "timecourse.parquet": lambda target: write_parquet(outcome.result, target),
        "validation.json": lambda target: target.write_text(json.dumps(rows, indent=2) + "\n"),
        "figure.png": lambda target: plot_experiment(outcome, target),
    }
    for label, result in list(outcome.arms.items())[1:]:
        slug = "".join(c if c.isalnum() else "-" for c in label).strip("-")
        writers[f"timecourse-{slug}.parquet"] = (
            lambda target, result=result: write_parquet(result, target))
    write_run_directory(out, writers, record)


def _applicable_changes(chosen, changes: dict[str, str | float]
                        ) -> dict[str, dict[str, str | float]]:
    """Experiment name -> the changes its models have parameters for: a hematopoiesis
    parameter leaves the Friberg experiments as they are. A name no chosen experiment's model
    has is refused (a typo must not pass as a hypothesis with no effect)."""
    if not changes:
        return {experiment.name: {} for experiment in chosen}
    from hemasim.model.expressions import suggest

    known = {experiment.name: experiment.parameter_names() for experiment in chosen}
    everywhere = set().union(*known.values())
    for name in changes:
        if name not in everywhere:
            fail(f"--parameter {name}: no chosen experiment's model has a parameter "
                 f"'{name}'{suggest(name, sorted(everywhere))}")
    return {experiment.name: {name: value for name, value in changes.items()
                              if name in known[experiment.name]} for experiment in chosen}


def _print_predictions(rows: list[dict]) -> None:
    if not rows:
        return
    grid = Table(title="Model predictions (no published value to compare with)")
    for name in ("id", "observable", "model", "direction", "rationale"):
        grid.add_column(name, justify="right" if name == "model" else "left", **NAME_COLUMN)
    for row in rows:
        grid.add_row(row["id"], row["observable"], _format(row["model"]), row["direction"],
                     row["rationale"])
    console.print(grid)


def _print_validation(rows: list[dict], title: str) -> None:
    grid = Table(title=title)
    for name in ("id", "experiment", "observable", "reference", "model", "pass"):
        grid.add_column(name, justify="right" if name == "model" else "left", **NAME_COLUMN)
    for row in rows:
        verdict = "[green]pass[/]" if row["pass"] else "[red]FAIL[/]"
        grid.add_row(row["id"], row["experiment"], row["observable"], row["reference"],
                     _format(row["model"]), verdict)
    console.print(grid)


@friendly
def validate(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows.")] = False,
    names: Annotated[list[str] | None, typer.Option(
        "--experiment", "-e", help="Validate only this experiment (repeatable); default: all.")]
    = None,
    parameters: Annotated[list[str] | None, typer.Option(
        "--parameter", "-p", help=PARAMETER_HELP, show_default=False)] = None,
) -> None:
    """Run the built-in experiments; one row per target; exit 1 if any target fails.

    With --parameter, every experiment runs with the changed values: which published
    targets a hypothesis keeps, gains or loses.
    """
    from hemasim.experiments import EXPERIMENTS, get_experiment

    chosen = [get_experiment(name) for name in dict.fromkeys(names)] if names else list(
        EXPERIMENTS.values())
    changes = parameter_changes(parameters)
    applied = _applicable_changes(chosen, changes)
    rows = []
    progress = Progress(TextColumn("{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(),
                        console=make_console(stderr=True), transient=True)
    with progress:
        task = progress.add_task("validating", total=len(chosen))
        for experiment in chosen:
            progress.update(task, description=f"validating {experiment.name}")
            rows += [r.as_row() for r in
                     experiment.run(applied[experiment.name]).target_results()]
            progress.advance(task)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    else:
        _print_validation(rows, title=titled("Validation against published references",
                                             changes))
        passed = sum(row["pass"] for row in rows)
        console.print(f"{passed} of {len(rows)} targets pass")
    if not all(row["pass"] for row in rows):
        raise typer.Exit(1)
