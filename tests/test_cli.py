"""The ``bana`` command's own behaviour: help, unknown commands, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bana_tools.cli.main import COMMAND_MODULES, build_parser


def bana(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bana_tools", *args],
                          capture_output=True, text=True, timeout=120)


def test_every_registered_command_has_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    assert len(commands) >= len(COMMAND_MODULES)
    for name in commands:
        out = bana(name, "--help")
        assert out.returncode == 0, (name, out.stderr)
        assert f"bana {name}" in out.stdout


@pytest.mark.parametrize("args", [["no-such-command"], ["doctor", "--no-such-flag"]])
def test_bad_arguments_give_one_line_and_exit_2(args):
    out = bana(*args)
    assert out.returncode == 2
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_no_command_prints_help_and_exits_2():
    out = bana()
    assert out.returncode == 2
    assert "commands:" in out.stdout
