"""``bana start``: serve the course (exercises and the built book) in JupyterLab."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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


def port_in_use(ip: str, port: int) -> bool:
    """Whether something listens on ``port`` at ``ip``.

    The probe binds as servers do, with ``SO_REUSEADDR``: a connection left in TIME_WAIT for a
    minute by a server that has stopped does not keep the next server out, so it does not count.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ip, port))
        except OSError:
            return True
        return False


def free_port(ip: str, first: int, tries: int = 50) -> int:
    """The first port from ``first`` on which nothing listens at ``ip``."""
    from bana_tools.cli.main import CliError

    for port in range(first, first + tries):
        if not port_in_use(ip, port):
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


def _urls(root: Path, base: str, token: str) -> list[str]:
    lines = [
        f"  JupyterLab : {base}/lab?token={token}",
        f"  Exercises  : {base}/lab/tree/exercises?token={token}",
    ]
    if (root / "book" / "_build" / "html" / "index.html").exists():
        lines.append(f"  Book       : {base}/bana/book/index.html?token={token}")
    else:
        lines.append("  Book       : not built yet (run 'make book')")
    return lines


def wait_until_ready(proc: subprocess.Popen, base: str, token: str, timeout: float = 180) -> bool:
    """Poll the server's status API until it answers; False if it exited or timed out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as reply:
                if reply.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    return False


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
    urls = _urls(root, base, token)
    print("bana-tools course is starting (Ctrl-C to stop):", *urls, sep="\n", flush=True)

    proc = subprocess.Popen(lab_command(root, args.ip, port, token))
    # JupyterLab handles Ctrl-C itself (the terminal sends it to both processes); this
    # process only relays SIGTERM and waits, so stopping works the same as before.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, _frame: proc.send_signal(signum))
    if wait_until_ready(proc, base, token):
        # JupyterLab's start-up log pushes the first lines out of sight: say it again.
        print("", "bana-tools course is ready. Open:", *urls, "(Ctrl-C to stop)", "",
              sep="\n", flush=True)
    code = proc.wait()
    return 128 - code if code < 0 else code
