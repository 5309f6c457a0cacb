"""``hemasim summarize RUN_DIR``: endpoint distributions of a stored cohort (DuckDB)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hemasim.cli.errors import fail, friendly


@friendly
def summarize(
    run_directory: Annotated[Path, typer.Argument(
        help="A run directory written by 'hemasim run'.", show_default=False)],
    where: Annotated[list[str] | None, typer.Option(
        "--where", help="A condition whose share of patients to report, e.g. "
        "'ANC_nadir < 0.5' (repeatable). Default: the model's toxicity thresholds.",
        show_default=False)] = None,
    partial: Annotated[bool, typer.Option(
        "--partial", help="Summarise the finished chunks of an unfinished run.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Endpoint distributions (median, 5-95 %) and shares of patients meeting thresholds,
    read from the stored endpoints without loading any trajectory."""
    from hemasim.analysis.cohort_store import (
        CohortStoreError,
        endpoint_summary,
        open_cohort,
        parse_condition,
        stored_patients,
        threshold_fractions,
    )
    from hemasim.cli.console import NAME_COLUMN, console
    from hemasim.cli.console import format_value as _format
    from hemasim.cli.main import _print_fractions

    try:
        cohort = open_cohort(run_directory, allow_partial=partial)
        conditions = None if not where else [parse_condition(text) for text in where]
        summary = endpoint_summary(cohort)
        fractions = threshold_fractions(cohort, conditions)
        rows = stored_patients(cohort)
    except CohortStoreError as error:
        fail(str(error))
    planned = int(cohort.record.get("patients", rows))
    if as_json:
        from hemasim.streaming import finite_json

        typer.echo(json.dumps(finite_json({
            "run": str(run_directory), "complete": cohort.complete, "patients": rows,
            "planned_patients": planned, "summary": summary.to_dict(orient="records"),
            "fractions": fractions.to_dict(orient="records")}), indent=2))
        return
    state = "" if cohort.complete else f", UNFINISHED: {rows} of {planned} patients so far"
    grid = Table(title=f"Endpoints of {run_directory} ({cohort.record.get('model', '?')}, "
                       f"{rows} patients{state})")
    grid.add_column("endpoint", **NAME_COLUMN)
    for name in ("median", "5 %", "95 %", "mean", "unit", "n"):
        grid.add_column(name, justify="left" if name == "unit" else "right")
    for row in summary.itertuples(index=False):
        grid.add_row(row.endpoint, _format(row.median), _format(row.p05), _format(row.p95),
                     _format(row.mean), row.unit, str(row.n))
    console.print(grid)
    _print_fractions(fractions)
