"""The console the commands print their tables to, and how they format a number in them.

A table printed into a pipe or a log file has no terminal width; Rich then assumes 80
columns and cuts long names with an ellipsis, so that ``chimerism_neutrophils__donor_day_30_
after_graft`` and its day-100 sibling print as the same ``chimerism_neutrophils__donor_…``.
Output that is not a terminal is therefore laid out at ``PIPED_WIDTH`` columns (``COLUMNS``
in the environment still wins), and name columns fold instead of being cut in a narrow
terminal (``NAME_COLUMN``).
"""

from __future__ import annotations

import math
import os
import sys

from rich.console import Console

PIPED_WIDTH = 200
"""Columns (characters) of a table written to a pipe or a file."""

NAME_COLUMN = {"overflow": "fold"}
"""``Table.add_column`` options for a column of names: wrapped onto a second line, never cut."""


def make_console(stderr: bool = False) -> Console:
    """A Rich console on stdout (or stderr) that is ``PIPED_WIDTH`` wide when not a terminal."""
    stream = sys.stderr if stderr else sys.stdout
    piped = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(stderr=stderr, width=PIPED_WIDTH if piped else None)


def format_value(value: float | None) -> str:
    """A table cell for a number: 4 significant digits, '-' for a missing or non-finite one."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.4g}"


console = make_console()
