"""Tables on the command line show whole names, in a pipe and in a narrow terminal."""

import io

from rich.console import Console
from rich.table import Table

from hemasim.cli.console import NAME_COLUMN, PIPED_WIDTH, format_value, make_console

NAMES = ("chimerism_neutrophils__donor_day_30_after_graft",
         "chimerism_neutrophils__donor_day_100_after_graft")


def endpoint_table() -> Table:
    grid = Table()
    grid.add_column("endpoint", **NAME_COLUMN)
    for name in ("median", "5 %", "95 %", "unit", "n"):
        grid.add_column(name)
    for name in NAMES:
        grid.add_row(name, "99.73", "99.61", "99.82", "%", "20")
    return grid


def test_a_table_written_to_a_pipe_keeps_each_name_on_one_line(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    console = make_console()  # pytest captures stdout: not a terminal
    assert console.width == PIPED_WIDTH
    with console.capture() as captured:
        console.print(endpoint_table())
    lines = captured.get().splitlines()
    for name in NAMES:
        assert sum(name in line for line in lines) == 1, name


def test_a_narrow_terminal_folds_long_names_instead_of_cutting_them():
    stream = io.StringIO()
    Console(file=stream, width=60).print(endpoint_table())
    text = stream.getvalue()
    assert "…" not in text
    cells = "".join(line.split("│")[1].strip() for line in text.splitlines()
                    if line.startswith("│"))
    assert cells == "".join(NAMES)


def test_numbers_print_with_four_digits_and_missing_ones_as_a_dash():
    assert format_value(0.896312) == "0.8963"
    assert format_value(None) == "-" and format_value(float("nan")) == "-"
