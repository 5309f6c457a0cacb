"""Turning expected errors into one clear line and exit status 2, without a traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import typer

USAGE_ERROR = 2


def fail(message: str) -> None:
    """Print ``error: message`` on stderr and exit with status 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(USAGE_ERROR)


def expected_errors() -> tuple[type[BaseException], ...]:
    from hemasim.build_cache import CacheDirectoryError
    from hemasim.experiments import UnknownExperimentError
    from hemasim.io.run_directory import OutputDirectoryError
    from hemasim.model.model import ModelError
    from hemasim.models import UnknownModelError
    from hemasim.scenario.loading import ScenarioError

    return (ScenarioError, UnknownModelError, UnknownExperimentError, ModelError,
            OutputDirectoryError, CacheDirectoryError,
            FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError)


def friendly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a CLI command so that expected errors exit with status 2 and one message."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except expected_errors() as error:
            text = str(error)
            if isinstance(error, OSError) and error.filename and error.strerror:
                text = f"{error.filename}: {error.strerror}"
            fail(text)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper
