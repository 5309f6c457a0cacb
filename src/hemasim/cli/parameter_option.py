"""The ``--parameter NAME=VALUE`` option of ``run``, ``experiment`` and ``validate``: parameter
overrides from the command line, checked later as a scenario file's ``parameters`` are."""

from __future__ import annotations

from hemasim.cli.errors import fail

PARAMETER_HELP = ("Change a parameter in every arm, NAME=VALUE: a number in the parameter's "
                  "unit or a quantity with its unit, e.g. 'progenitor_density_feedback=8' or "
                  "'tpo_baseline=100 pg/mL' (repeatable). The published references stay.")


def parameter_changes(texts: list[str] | None) -> dict[str, str | float]:
    """``NAME=VALUE`` options as name -> value (a float, or text with a unit)."""
    changes: dict[str, str | float] = {}
    for text in texts or ():
        name, separator, value = (part.strip() for part in text.partition("="))
        if not separator or not name or not value:
            fail(f"--parameter {text!r}: expected NAME=VALUE, e.g. "
                 "'progenitor_density_feedback=8' or 'tpo_baseline=100 pg/mL'")
        if name in changes:
            fail(f"--parameter {text!r}: '{name}' is given twice")
        try:
            changes[name] = float(value)
        except ValueError:
            changes[name] = value
    return changes


def titled(title: str, changes: dict[str, str | float]) -> str:
    """``title``, followed by the changes ('(changed: name = value, ...)') when there are any."""
    if not changes:
        return title
    shown = ", ".join(f"{name} = {value:g}" if isinstance(value, float) else f"{name} = {value}"
                      for name, value in changes.items())
    return f"{title} (changed: {shown})"
