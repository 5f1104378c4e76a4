"""``bana start``: serve the course (exercises and the built book) in JupyterLab."""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "start",
        help="start JupyterLab on the course folder and print its URLs",
        description=(
            "Start JupyterLab (headless, loopback only) on the course folder, with the built "
            "book served at /bana/book/. Runs until stopped with Ctrl-C."
        ),
    )
    parser.add_argument("--root", default=".", help="course folder (default: current folder)")
    parser.add_argument("--port", type=int, default=8888, help="first port to try (default 8888)")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--token", default=None, help="access token (default: a new random one)")
    parser.set_defaults(func=run)


def free_port(ip: str, first: int, tries: int = 50) -> int:
    """The first port from ``first`` on which nothing listens at ``ip``."""
    from bana_tools.cli.main import CliError

    for port in range(first, first + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((ip, port))
            except OSError:
                continue
            return port
    raise CliError(f"no free port between {first} and {first + tries - 1} on {ip}")


def lab_command(root: Path, ip: str, port: int, token: str) -> list[str]:
    """The ``jupyter lab`` command line ``bana start`` runs."""
    return [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.jpserver_extensions=bana_tools.jupyter_server_ext=True",
        # Offline and quiet: no "get notified about Jupyter news?" prompt, no news feed or
        # PyPI update check fetched from the internet while a student works.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
    ]


def run(args: argparse.Namespace) -> int:
    from bana_tools.cli.main import CliError

    root = Path(args.root).resolve()
    if not root.is_dir():
        raise CliError(f"course folder not found: {root}")
    if not 0 < args.port < 65536:
        raise CliError(f"--port must be between 1 and 65535, not {args.port}")
    port = free_port(args.ip, args.port)
    token = args.token or secrets.token_hex(24)
    base = f"http://{args.ip}:{port}"
    print("bana-tools course is starting (Ctrl-C to stop):", flush=True)
    print(f"  JupyterLab : {base}/lab?token={token}")
    print(f"  Exercises  : {base}/lab/tree/exercises?token={token}")
    if (root / "book" / "_build" / "html" / "index.html").exists():
        print(f"  Book       : {base}/bana/book/index.html?token={token}")
    else:
        print("  Book       : not built yet (run 'make book')")
    sys.stdout.flush()
    cmd = lab_command(root, args.ip, port, token)
    os.execv(cmd[0], cmd)
    return 0  # pragma: no cover - execv does not return
