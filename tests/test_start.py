"""``bana start`` serves JupyterLab and the built book on loopback, headless."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support.lab import free_port


def read_urls(proc: subprocess.Popen, timeout: float = 60, after: str = "") -> dict[str, str]:
    """The addresses ``bana start`` prints (those after the line ``after``, if given)."""
    urls: dict[str, str] = {}
    seen = not after
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(urls) < 3:
        line = proc.stdout.readline()
        if not line:
            break
        if not seen:
            seen = after in line
            continue
        match = re.match(r"\s+(JupyterLab|Exercises|Book)\s+:\s+(http\S+)", line)
        if match:
            urls[match.group(1)] = match.group(2)
    return urls


def get(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"bana start exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    html = tmp_path / "book" / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("<html><body><h1>Course book home</h1></body></html>")
    (tmp_path / "exercises").mkdir()
    return tmp_path


def start(course: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(course / ".jupyter-config"))
    return subprocess.Popen(
        [sys.executable, "-m", "bana_tools", "start", "--root", str(course), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        start_new_session=True,
    )


def test_start_serves_lab_and_book(course):
    proc = start(course, free_port())
    try:
        urls = read_urls(proc)
        assert set(urls) == {"JupyterLab", "Exercises", "Book"}
        assert all(u.startswith("http://127.0.0.1:") for u in urls.values())
        status, body = get(urls["JupyterLab"], proc)
        assert status == 200 and "JupyterLab" in body
        # Offline and quiet: no news prompt, no news feed or update check from the internet.
        config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>\s*(\{.*?\})\s*</script>',
                                      body, re.S).group(1))
        assert config["news"] == {"disabled": True}
        base = urls["JupyterLab"].split("/lab?")[0]
        token = urls["JupyterLab"].split("token=")[1]
        status, body = get(f"{base}/lab/api/update?token={token}")
        assert status == 200 and json.loads(body)["notification"] is None
        status, body = get(urls["Book"])
        assert status == 200 and "Course book home" in body
        # Once the server answers, the addresses are printed again below JupyterLab's log.
        again = read_urls(proc, after="bana-tools course is ready")
        assert again == urls
        # Without the token the book is not served (urllib follows the redirect to login).
        status, body = get(urls["Book"].split("?")[0])
        assert "Course book home" not in body
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_start_rejects_a_missing_folder(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "bana_tools", "start", "--root", str(tmp_path / "nope")],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "course folder not found" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_port_is_free_once_its_server_stops_though_connections_linger():
    """A server that closed a connection leaves it in TIME_WAIT for a minute. The next
    ``bana start`` (or hub) may still listen there, so only a listener makes a port busy."""
    import socket

    from bana_tools.cli.start import free_port as first_free
    from bana_tools.cli.start import port_in_use

    port = free_port()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    assert port_in_use("127.0.0.1", port)
    assert first_free("127.0.0.1", port) != port
    accepted.close()  # the server closes first: its side of the connection is in TIME_WAIT
    time.sleep(0.2)
    client.close()
    server.close()
    with socket.socket() as plain, pytest.raises(OSError):  # without SO_REUSEADDR: fails
        plain.bind(("127.0.0.1", port))
    assert not port_in_use("127.0.0.1", port)
    assert first_free("127.0.0.1", port) == port
