"""``hemasim cache``: where the compiled-code cache is, how big, and removing what the
installed version no longer uses (``cache_inventory``)."""

from __future__ import annotations

from typing import Annotated

import typer

from hemasim.cli.errors import fail, friendly


def _megabytes(count: int) -> str:
    return f"{count / 2**20:.1f} MiB"


@friendly
def cache_command(
    prune: Annotated[bool, typer.Option(
        "--prune", help="Remove what other versions of hemasim (or of sympy, pint, numpy) "
        "made; the installed version never reads it.")] = False,
    clear: Annotated[bool, typer.Option(
        "--clear", help="Remove all compiled models and build entries; each model "
        "compiles again on its next run.")] = False,
) -> None:
    """Show the compiled-code cache (HEMASIM_CACHE_DIR, else ~/.cache/hemasim); --prune
    removes stale entries, --clear all of them."""
    from hemasim.cache_inventory import clear as clear_all
    from hemasim.cache_inventory import prune as prune_stale
    from hemasim.cache_inventory import take_inventory

    if prune and clear:
        fail("--prune and --clear: choose one (--clear removes everything --prune would)")
    inventory = take_inventory()
    typer.echo(f"cache: {inventory.directory}")
    typer.echo(f"  in use by this version: {len(inventory.current)} files, "
               f"{_megabytes(inventory.current_bytes)}")
    typer.echo(f"  stale (other versions, unfinished writes): {len(inventory.stale)} files, "
               f"{_megabytes(inventory.stale_bytes)}")
    if prune:
        typer.echo(f"removed the stale files: {_megabytes(prune_stale(inventory))} freed")
    elif clear:
        typer.echo(f"removed the compiled models and build entries: "
                   f"{_megabytes(clear_all(inventory))} freed")
    elif inventory.stale:
        typer.echo("hemasim cache --prune removes the stale files")
