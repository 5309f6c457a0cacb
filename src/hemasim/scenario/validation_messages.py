"""Pydantic validation errors of a scenario file as one plain-English problem and its key.

A validation error lists every problem pydantic found, in its own words and locations
(``("doses", 0, "dose")``, ``"Input should be greater than 0"``). The file's reader reports
one: unknown keys first, since a misspelt key also makes the right one look missing, then the
first of the others, as the key written the way the file writes it (``doses[0].dose``) and a
sentence that says what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from hemasim.model.expressions import suggest
from hemasim.scenario.fields import RULE_ERROR
from hemasim.scenario.schema import allowed_keys


def first_problem(error: ValidationError) -> tuple[str, str]:
    """(key, problem) of the problem to report from ``error``."""
    problems = sorted(error.errors(), key=lambda item: item["type"] != "extra_forbidden")
    location, problem = _problem_text(problems[0])
    return _key_text(location), problem


def _key_text(location: tuple[str | int, ...]) -> str:
    """``("doses", 0, "dose")`` -> ``"doses[0].dose"``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part != "[key]":
            text += f".{part}" if text else str(part)
    return text


def kind_of(value: Any) -> str:
    """Plain words for what a YAML value is."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the truth value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _problem_text(error: Any) -> tuple[tuple[str | int, ...], str]:
    """Location and plain-English problem of one pydantic error."""
    location = tuple(error["loc"])
    kind = error["type"]
    context = error.get("ctx") or {}
    given = kind_of(error.get("input"))
    if kind == "extra_forbidden":
        name = str(location[-1])
        allowed = allowed_keys(location[:-1])
        hint = suggest(name, allowed)
        return location, "unknown key" + (hint or f"; allowed keys: {', '.join(allowed)}")
    if kind == "missing":
        return location, "missing required key"
    if error.get("input", "") is None:
        return location, "no value given"
    if kind == RULE_ERROR:
        key = context.get("key")
        return (location + (key,) if key else location), str(context["problem"])
    if kind in {"value_error", "assertion_error"}:
        return location, str(context.get("error", error["msg"]))
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        keys = allowed_keys(location)
        listing = f" ({', '.join(keys)})" if keys else ""
        return location, f"expected a mapping of keys{listing}, got {given}"
    if kind == "list_type":
        return location, f"expected a list (one item per line starting with '- '), got {given}"
    if kind == "string_type":
        return location, f"expected text, got {given}"
    if kind.startswith("int_"):
        return location, f"expected a whole number, got {given}"
    if kind.startswith("float_"):
        return location, f"expected a number, got {given}"
    if kind == "greater_than_equal":
        bound = context.get("ge")
        if bound == 0:
            return location, f"must not be negative, got {given}"
        return location, f"must be at least {bound}, got {given}"
    if kind == "greater_than":
        return location, f"must be greater than {context.get('gt')}, got {given}"
    if kind == "literal_error":
        return location, f"expected one of {context.get('expected')}, got {given}"
    message = str(error["msg"])
    return location, message[:1].lower() + message[1:]
