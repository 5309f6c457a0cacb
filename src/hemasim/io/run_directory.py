"""A run's output directory, written whole or not at all.

Everything is written into a fresh temporary directory beside the destination, which then
takes the destination's name in one rename. An existing run in the destination is moved
aside first and deleted only after the new one is in place, so a reader never sees a
half-written run and an interrupted write leaves the old run intact. Only a previous run is
ever replaced: a destination that is a file, or a directory holding anything hemasim did not
write there, is refused (``check_replaceable``), so an ``--out`` pointing at a user's own
folder deletes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

RUN_FILES = ("timecourse.parquet", "endpoints.csv", "endpoints.json", "run.json", "figure.png")


class OutputDirectoryError(ValueError):
    """An output destination that hemasim may not replace (it holds the user's own files)."""


def check_replaceable(destination: str | os.PathLike) -> None:
    """Refuse a destination that exists and is not a previous hemasim run.

    A missing destination or an empty directory is fine; an existing directory is replaced
    only when its ``run.json`` lists every entry in it (a run hemasim wrote whole).

    Raises:
        OutputDirectoryError: naming the destination and what is in the way.
    """
    destination = Path(destination)
    if not destination.exists():
        _check_creatable(destination)
        return
    if not destination.is_dir():
        raise OutputDirectoryError(f"{destination}: exists and is not a directory; choose "
                                   "another output directory")
    entries = sorted(entry.name for entry in destination.iterdir())
    if not entries:
        return
    try:
        record = read_run_record(destination)
    except (FileNotFoundError, ValueError):
        record = None
    listed = set(record.get("files") or RUN_FILES) if isinstance(record, dict) else set()
    foreign = [name for name in entries if name not in listed]
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise OutputDirectoryError(
            f"{destination}: exists and holds files hemasim did not write there ({shown}); "
            "it is replaced only when it is a previous run: choose another output directory "
            "or move them")


def _check_creatable(destination: Path) -> None:
    """Refuse a new destination whose nearest existing ancestor is a file or not writable."""
    ancestor = destination.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputDirectoryError(f"{destination}: cannot be created, because {ancestor} is "
                                   "a file, not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputDirectoryError(f"{destination}: cannot be created, because {ancestor} is "
                                   "not writable")


def write_run_directory(destination: str | os.PathLike,
                        writers: dict[str, Callable[[Path], object]],
                        run_record: dict) -> Path:
    """Write a run directory atomically.

    Args:
        destination: the run directory to create or replace.
        writers: file name -> function that writes that file at the path it is given.
        run_record: content of ``run.json`` (provenance); ``complete: true`` is added last.

    Returns:
        The destination path.
    """
    destination = Path(destination)
    check_replaceable(destination)
    staging = destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
    except OSError as error:
        raise OutputDirectoryError(f"{destination}: cannot be written ({error.strerror or error})"
                                   ) from error
    try:
        for name, write in writers.items():
            write(staging / name)
        record = dict(run_record, files=sorted([*writers, "run.json"]), complete=True)
        (staging / "run.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        previous = None
        if destination.exists():
            previous = destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:8]}.old")
            os.replace(destination, previous)
        os.replace(staging, destination)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return destination


def read_run_record(directory: str | os.PathLike) -> dict:
    """The ``run.json`` of a run directory (FileNotFoundError when it is not a run)."""
    path = Path(directory) / "run.json"
    if not path.is_file():
        raise FileNotFoundError(f"{directory}: not a hemasim run directory (no run.json)")
    return json.loads(path.read_text())
