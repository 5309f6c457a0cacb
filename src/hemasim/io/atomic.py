"""Writing a file so that readers see either the old file or the complete new one."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_destination(destination: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; move it into place if the block succeeds.

    On any exception the temporary file is removed and ``destination`` is untouched.
    """
    temporary = destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.tmp")
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, destination)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
