"""Entry point of the ``bana`` command.

Each command group lives in its own module under :mod:`bana_tools.cli` and exposes
``register(subparsers)``; the module adds its parser(s) and sets ``func`` to a callable
taking the parsed :class:`argparse.Namespace` and returning an exit code. Modules are
imported only when ``main`` runs, and they import heavy libraries only inside ``func``.

Errors a user can fix are raised as :class:`CliError`; ``main`` prints them as one line on
stderr and exits with the error's code (2 for bad input), never with a traceback. Set
``BANA_DEBUG=1`` to see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from bana_tools import __version__

#: Command modules, in the order their commands appear in ``bana --help``.
COMMAND_MODULES: tuple[str, ...] = (
    "bana_tools.cli.doctor",
    "bana_tools.cli.start",
    "bana_tools.cli.data",
    "bana_tools.cli.exercises",
    "bana_tools.cli.course",
)


class CliError(Exception):
    """An error the user can fix: printed as one line, exits with ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are a single line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the full ``bana`` parser with every registered command."""
    parser = OneLineParser(
        prog="bana",
        description="Companion toolkit for 'Machine Learning Design for Business' (BANA 7085).",
    )
    parser.add_argument("--version", action="version", version=f"bana-tools {__version__}")
    subparsers = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", parser_class=OneLineParser
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``bana`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except CliError as exc:
        print(f"bana {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print(f"bana {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence for users
        if os.environ.get("BANA_DEBUG"):
            raise
        print(
            f"bana {args.command}: unexpected error: {type(exc).__name__}: {exc} "
            "(rerun with BANA_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
