"""The ``hemasim`` command line: thin calls of the public API (Typer + Rich)."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hemasim.cli.cache_command import cache_command
from hemasim.cli.console import NAME_COLUMN, console
from hemasim.cli.console import format_value as _format
from hemasim.cli.errors import fail, friendly
from hemasim.cli.experiment_commands import experiment, experiments, validate
from hemasim.cli.export_sbml import export_sbml_command
from hemasim.cli.parameter_option import parameter_changes
from hemasim.cli.summarize import summarize

app = typer.Typer(
    name="hemasim",
    help="Mechanistic simulator of the blood-forming system.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.command()
@friendly
def run(
    scenario_file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file; omitted: the built-in default (docetaxel, one cycle).",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Output directory [default: hemasim-run].", show_default=False)] = None,
    patients: Annotated[int | None, typer.Option(
        "--patients", min=1, help="Cohort size (default: the scenario's; 1 = typical).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0,
                                             help="Cohort seed (default: the scenario's).")]
    = None,
    chunk_size: Annotated[int | None, typer.Option(
        "--chunk-size", min=1, help="Patients solved and written together (default: "
        "automatic); results do not depend on it.", show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Local worker processes (default: all cores for cohorts "
        "above 1000 patients, else this process); results do not depend on it.",
        show_default=False)] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Run the chunks on an existing Dask cluster, e.g. "
        "tcp://10.0.0.5:8786.", show_default=False)] = None,
    resume: Annotated[Path | None, typer.Option(
        "--resume", help="Finish an interrupted large run in this directory.",
        show_default=False)] = None,
    parameters: Annotated[list[str] | None, typer.Option(
        "--parameter", "-p", help="Override a parameter of the scenario, NAME=VALUE: a "
        "number in the parameter's unit or a quantity with its unit, e.g. 'slope=10' or "
        "'MTT=100 h' (repeatable; checked as the file's 'parameters' are).",
        show_default=False)] = None,
) -> None:
    """Simulate a scenario; write timecourse, endpoints, run.json and figure.png.

    Up to 1000 patients the run is written in one piece at the end; larger cohorts are
    streamed chunk by chunk into timecourse/ and endpoints/ partitions and can be resumed.
    """
    from hemasim import api
    from hemasim.scenario.loading import (
        default_scenario_path,
        load_scenario,
        scenario_text_with_parameters,
    )
    from hemasim.streaming import STREAM_ABOVE_PATIENTS

    changes = parameter_changes(parameters)
    if resume is not None:
        if out is not None and out.resolve() != resume.resolve():
            fail(f"--out {out} and --resume {resume}: a resumed run stays in its directory")
        if changes:
            fail(f"--parameter and --resume {resume}: a resumed run keeps the parameters it "
                 "started with")
        _resume_run(resume, scenario_file, patients, seed, chunk_size, workers, scheduler)
        return
    out = Path("hemasim-run") if out is None else out
    path = scenario_file if scenario_file is not None else default_scenario_path()
    scenario = load_scenario(path, changes)
    model = api.model_for(scenario)
    patients = scenario.patients if patients is None else patients
    seed = scenario.seed if seed is None else seed
    if patients > STREAM_ABOVE_PATIENTS:
        _check_new_run_directory(out)
    else:
        from hemasim.io.run_directory import check_replaceable

        check_replaceable(out)  # before the simulation, not after it
    started = time.perf_counter()
    _prepare_compiled_model(model, scenario)
    if patients > STREAM_ABOVE_PATIENTS:
        from hemasim.io.partitions import RunDirectoryError
        from hemasim.solve.parallel import SchedulerUnreachable, available_cores

        workers = available_cores() if workers is None else workers
        try:
            streamed = _run_with_progress(
                patients, 0, lambda advance: api.stream_cohort(
                    model, scenario, out, patients=patients, seed=seed,
                    scenario_text=scenario_text_with_parameters(
                        Path(path).read_text(encoding="utf-8"), changes),
                    scenario_file=str(path), chunk_size=chunk_size, workers=workers,
                    scheduler=scheduler, progress=advance),
                interrupted=out)
        except (RunDirectoryError, SchedulerUnreachable) as error:
            fail(str(error))
        _report_streamed(model, streamed, time.perf_counter() - started)
        return
    from hemasim.solve.parallel import SchedulerUnreachable

    try:
        result = _run_with_progress(patients, 0, lambda advance: api.run_cohort(
            model, scenario, patients=patients, seed=seed, progress=advance,
            chunk_size=chunk_size, workers=workers or 1, scheduler=scheduler))
    except SchedulerUnreachable as error:
        fail(str(error))
    elapsed = time.perf_counter() - started
    failures = api.failed_patients(result)
    if len(failures) == patients:
        fail(_nothing_solved(path, failures))
    table, summary = api.endpoint_tables(model, result, scenario)
    _write_outputs(out, model, scenario, result, table, summary, elapsed, path, changes)
    _print_endpoints(model, table, summary, patients)
    for message in failures:
        console.print(f"[yellow]warning:[/] {message}")
    console.print(f"Wrote {out}/ ({', '.join(_run_files())}) in {elapsed:.1f} s")


def _nothing_solved(path: Path, failures: list[str]) -> str:
    """The error for a run in which no patient could be solved (nothing is written)."""
    reason = failures[0].split(" with ", 1)[0].split(": ", 1)[-1]
    who = "the patient" if len(failures) == 1 else f"all {len(failures)} patients"
    return (f"{path}: the {reason} for {who}, so nothing was written; a dose, graft, "
            "irradiation or parameter value far outside its usual range is the usual cause")


def _prepare_compiled_model(model, scenario) -> None:
    """Compile (first run) or load the model's numerical code once, here, before any worker
    starts, so that workers load it from the cache instead of compiling it side by side."""
    with console.status("Preparing the compiled model (compiled once per machine)..."):
        from hemasim.model.compile import compile_model
        from hemasim.solve.codegen import load_module
        from hemasim.solve.simulate import apply_overrides

        load_module(compile_model(apply_overrides(model, scenario)))


def _check_new_run_directory(out: Path) -> None:
    """A streamed run never replaces an existing directory: say what to do instead."""
    from hemasim.io.partitions import RunDirectoryError, check_new_run_directory

    try:
        check_new_run_directory(out)
    except RunDirectoryError as error:
        fail(str(error))


def _resume_run(directory: Path, scenario_file, patients, seed, chunk_size, workers,
                scheduler) -> None:
    from hemasim import api
    from hemasim.io.partitions import RunDirectoryError
    from hemasim.solve.parallel import SchedulerUnreachable, available_cores
    from hemasim.streaming import inspect_run

    started = time.perf_counter()
    expect = {"patients": patients, "seed": seed, "chunk_size": chunk_size}
    try:
        state = inspect_run(directory)
        if scenario_file is not None:
            from hemasim.scenario.loading import load_scenario

            expect["scenario"] = load_scenario(scenario_file)
        if not state.complete:
            _prepare_compiled_model(state.model, state.scenario)
        streamed = _run_with_progress(
            state.patients, state.patients_done, lambda advance: api.resume_cohort(
                directory, model=state.model, workers=available_cores() if workers is None
                else workers, scheduler=scheduler, progress=advance, expect=expect),
            interrupted=directory)
    except (RunDirectoryError, SchedulerUnreachable) as error:
        fail(str(error))
    if streamed.resumed_chunks == streamed.chunks and state.complete:
        console.print(f"{directory} is already complete; nothing to do")
    _report_streamed(state.model, streamed, time.perf_counter() - started)


def _report_streamed(model, streamed, elapsed: float) -> None:
    if streamed.failed == streamed.patients:
        fail(f"{streamed.path}: the solver failed for all {streamed.patients} patients, so the "
             "run holds no results; a dose, graft, irradiation or parameter value far outside "
             f"its usual range is the usual cause ({streamed.failures[0].split(' with ')[0]})")
    _print_endpoints(model, None, streamed.summary, streamed.patients)
    _print_fractions(streamed.fractions)
    if streamed.failed:
        console.print(f"[yellow]warning:[/] {streamed.failed} of {streamed.patients} patients "
                      "failed to solve; for example:")
        for message in streamed.failures[:3]:
            console.print(f"  {message}")
    console.print(f"Wrote {streamed.path}/ ({streamed.chunks} partitions in timecourse/ and "
                  f"endpoints/, summary.csv, summary.json, figure.png, run.json) in "
                  f"{elapsed:.1f} s")


def _print_fractions(fractions) -> None:
    if fractions is None or fractions.empty:
        return
    grid = Table(title="Patients meeting a threshold")
    for name in ("condition", "meaning", "patients", "of", "fraction"):
        grid.add_column(name, justify="left" if name in ("condition", "meaning") else "right",
                        **NAME_COLUMN)
    for row in fractions.itertuples(index=False):
        grid.add_row(row.condition, row.label, str(row.meeting), str(row.n),
                     _format(row.fraction))
    console.print(grid)


def _run_files() -> tuple[str, ...]:
    from hemasim.io.run_directory import RUN_FILES

    return RUN_FILES


def _run_with_progress(total: int, done: int, work, interrupted: Path | None = None):
    """Run ``work(advance)`` with a progress bar (patients done, rate, time left) that
    appears when the work lasts more than a second; ``advance(n)`` reports n more patients.

    If the work is interrupted (Ctrl-C) and ``interrupted`` names a streamed run directory,
    say how to finish it.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.0f} patients/s")

    progress = Progress("[progress.description]{task.description}", BarColumn(),
                        MofNCompleteColumn(), "patients", RateColumn(), TimeElapsedColumn(),
                        "left", TimeRemainingColumn(), console=console, transient=True)
    started = time.perf_counter()
    state = {"done": done, "shown": False, "task": None}

    def advance(count: int) -> None:
        state["done"] += count
        if not state["shown"] and time.perf_counter() - started > 1.0 and \
                state["done"] < total:
            progress.start()
            state["task"] = progress.add_task("Simulating", total=total,
                                              completed=state["done"])
            state["shown"] = True
        elif state["shown"]:
            progress.update(state["task"], completed=state["done"])

    try:
        return work(advance)
    except KeyboardInterrupt:
        if interrupted is not None:
            typer.echo(f"interrupted: finished chunks are kept in {interrupted}/; finish the "
                       f"run with: hemasim run --resume {interrupted}", err=True)
        raise
    finally:
        if state["shown"]:
            progress.stop()


def _write_outputs(out, model, scenario, result, table, summary, elapsed, path,
                   changes) -> None:
    from hemasim import api
    from hemasim.io.results import write_parquet
    from hemasim.io.run_directory import write_run_directory
    from hemasim.plot.timecourse import plot_timecourse
    from hemasim.result import provenance

    thresholds = {}
    for threshold in model.thresholds:
        thresholds.setdefault(threshold.variable, threshold.value)
    endpoints_json = {
        "patients": table.to_dict(orient="records"),
        "summary": summary.to_dict(orient="records"),
    }

    def write_json(target: Path) -> None:
        target.write_text(json.dumps(endpoints_json, indent=2, default=_json_number) + "\n")

    record = dict(provenance(result))
    record["scenario"] = json.loads(record["scenario"])
    from hemasim.streaming import threshold_records

    record.update(scenario_file=str(path), parameters_changed=changes,
                  references=api.references_text(model),
                  endpoint_units=dict(zip(summary["endpoint"], summary["unit"], strict=True)),
                  thresholds=threshold_records(model))
    title = f"{scenario.name}: {model.title}"
    write_run_directory(out, {
        "timecourse.parquet": lambda target: write_parquet(result, target),
        "endpoints.csv": lambda target: table.to_csv(target, index=False),
        "endpoints.json": write_json,
        "figure.png": lambda target: plot_timecourse(result, list(model.plot_variables),
                                                     target, title=title,
                                                     thresholds=thresholds),
    }, record)


def _json_number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else None


def _print_endpoints(model, table, summary, patients: int) -> None:
    if patients == 1:
        grid = Table(title=f"Endpoints ({model.name}, typical patient)")
        grid.add_column("endpoint", **NAME_COLUMN)
        grid.add_column("value", justify="right")
        grid.add_column("unit")
        units = dict(zip(summary["endpoint"], summary["unit"], strict=True))
        for column in table.columns:
            if column == "patient":
                continue
            grid.add_row(column, _format(float(table[column].iloc[0])), units.get(column, ""))
    else:
        grid = Table(title=f"Endpoints ({model.name}, {patients} patients: median and "
                     f"90 % band)")
        grid.add_column("endpoint", **NAME_COLUMN)
        for name in ("median", "5 %", "95 %", "unit", "n"):
            grid.add_column(name, justify="left" if name == "unit" else "right")
        for row in summary.itertuples(index=False):
            grid.add_row(row.endpoint, _format(row.median), _format(row.p05),
                         _format(row.p95), row.unit, str(row.n))
    console.print(grid)
    if patients > 1 and table is not None and "poor_mobilizer" in table.columns:
        poor = table["poor_mobilizer"].dropna()
        if len(poor):
            console.print(f"Poor mobilizers (peak blood CD34+ < 20 /uL): {int(poor.sum())} of "
                          f"{len(poor)} ({100 * poor.mean():.1f} %)")


@app.command()
@friendly
def models() -> None:
    """List the built-in models."""
    from hemasim.models import MODELS

    grid = Table(title="Models")
    for name in ("name", "title", "species", "parameters", "drugs"):
        grid.add_column(name)
    from hemasim.models import MODEL_FAMILIES, get_model

    for model in MODELS.values():
        grid.add_row(model.name, model.title, str(len(model.species)),
                     str(len(model.parameters)), ", ".join(model.drugs))
    for name in MODEL_FAMILIES:
        model = get_model(name)
        grid.add_row(name, model.title.replace(" (human)", " (--species human|mouse)"),
                     str(len(model.species)), str(len(model.parameters)),
                     ", ".join(model.drugs))
    console.print(grid)


@app.command("steady-state")
@friendly
def steady_state_command(
    species: Annotated[str, typer.Option("--species", help="human or mouse.")] = "human",
    model_name: Annotated[str, typer.Option("--model", help="Model name.")] = "hematopoiesis",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find the steady state (root finding) and print every read-out next to its normal range."""
    from hemasim.analysis.steady_state import steady_state
    from hemasim.models import get_model

    if species not in ("human", "mouse"):
        fail(f"--species: expected 'human' or 'mouse', found '{species}'")
    try:
        model = get_model(model_name, species)
    except ValueError as error:
        fail(f"--species: {error}")
    with console.status("Finding the steady state..."):
        found = steady_state(model)
    rows = found.rows()
    if as_json:
        typer.echo(json.dumps({"model": model.name, "species": species,
                               "stable": found.stable, "slowest_rate_per_day":
                               found.slowest_rate, "residual": found.residual,
                               "observables": rows}, indent=1))
        return
    grid = Table(title=f"Steady state of {model.title}")
    for column in ("read-out", "value", "unit", "normal range", "", "source"):
        grid.add_column(column, **NAME_COLUMN)
    for row in rows:
        normal = ("-" if row["normal_low"] is None
                  else f"{row['normal_low']:g}-{row['normal_high']:g}")
        mark = {None: "", True: "ok", False: "OUT"}[row["within"]]
        grid.add_row(row["observable"], _format(row["value"]), row["unit"], normal, mark,
                     row["source"])
    console.print(grid)
    typer.echo(f"stable: {found.stable} (slowest return rate {-found.slowest_rate:.3g} per day,"
               f" i.e. {-1 / found.slowest_rate:.0f} days); residual {found.residual:.1e}")


@app.command()
@friendly
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from hemasim.scenario.schema import scenario_json_schema

    typer.echo(json.dumps(scenario_json_schema(), indent=2))


@app.command()
@friendly
def cite(target: Annotated[str, typer.Argument(help="A model name or a run directory.")]
         ) -> None:
    """Print the references behind a model or a run."""
    from hemasim import api
    from hemasim.io.run_directory import read_run_record
    from hemasim.models import get_model

    if Path(target).is_dir():
        record = read_run_record(target)
        model = get_model(record["model"])
        typer.echo(f"Run {target}: model {model.name} ({record.get('model_hash', '?')}), "
                   f"engine {record.get('engine')}, hemasim {record.get('hemasim_version')}")
    else:
        model = get_model(target)
    for line in api.references_text(model):
        typer.echo(f"- {line}")


app.command()(experiments)
app.command()(experiment)
app.command()(validate)
app.command("summarize")(summarize)
app.command("export-sbml")(export_sbml_command)
app.command("cache")(cache_command)


def main() -> None:  # pragma: no cover - console-script entry
    try:
        app()
    except SystemExit:
        raise
    except Exception as error:  # noqa: BLE001 - last resort: never a traceback for users
        fail(f"unexpected error: {error}")
