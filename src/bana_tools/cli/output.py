"""Checks shared by the commands that write a file named on the command line."""

from __future__ import annotations

import os
from pathlib import Path


def writable_output(out: str, option: str = "--out") -> Path:
    """``out`` as a path that can be written, or a one-line :class:`CliError` saying why not.

    A missing folder is an error rather than something to create: a typo in the path should
    not leave a stray folder behind, and the student learns where the file did not go.
    """
    from bana_tools.cli.main import CliError

    path = Path(out)
    if path.is_dir():
        raise CliError(f"{option} is a folder, not a file: {out}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise CliError(f"cannot write {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CliError(f"cannot write {out}: permission denied")
    return path
