"""Drive a class hub on loopback the way its users do, for tests and the load benchmark.

* :func:`python_for_everyone`: this environment's Python, runnable by every Unix account
  (students' servers run it);
* :class:`ClassHub`: starts ``bana course hub`` from saved settings and stops it;
* :class:`HubDriver`: the Hub's REST API (start a user's server, make a user's token) and
  each user's server API through the proxy (nbgrader's assignment list, kernels), the
  calls JupyterLab makes when a student clicks Fetch, types in the form, and Submit.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import sysconfig
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from bana_tools.hub.settings import HubSettings

#: Extra hub configuration for the driver: a service whose token may start servers and
#: make tokens for users (what an admin's token can do).
DRIVER_CONFIG = '''
c.JupyterHub.services.append({{"name": "bana-test-driver", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{
    "name": "bana-test-driver", "services": ["bana-test-driver"],
    "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
}})
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports (held open together while chosen)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def runs_for(user: str, python: Path) -> bool:
    """Whether ``user`` can run ``python`` and import the package."""
    proc = subprocess.run(["runuser", "-u", user, "--", str(python), "-c", "import bana_tools"],
                          capture_output=True, text=True, check=False, cwd="/")
    return proc.returncode == 0


@contextmanager
def python_for_everyone() -> Iterator[Path]:
    """This environment's Python, runnable by every Unix account while the block runs.

    The students' and grader's servers run this interpreter and this environment's
    packages. When a folder on the way to them lets only its owner through (a Python
    installed under root's home, mode 0700), that folder is opened for traversal only
    (``o+x``: others may pass through to world-readable files, not list it) and put back
    as it was afterwards. Run one hub at a time (the class-hub test or the load benchmark):
    the first to finish closes the folders again under the other's servers."""
    import bana_tools

    targets = [Path(os.path.realpath(sys.executable)), Path(sys.executable),
               Path(sysconfig.get_paths()["purelib"]), Path(bana_tools.__file__).parent]
    opened: dict[Path, int] = {}
    try:
        for target in targets:
            for folder in [*reversed(target.parents)]:
                mode = folder.stat().st_mode
                if folder not in opened and not mode & stat.S_IXOTH:
                    opened[folder] = stat.S_IMODE(mode)
                    folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
        python = Path(sys.executable)
        if not runs_for("nobody", python):
            raise RuntimeError(f"other accounts cannot run {python} with this environment's "
                               "packages: are its files readable by everyone?")
        yield python
    finally:
        for folder, mode in opened.items():
            folder.chmod(mode)


def run_as(user: str, args: Sequence[str], *, cwd: Path, python: Path,
           timeout: float = 900) -> subprocess.CompletedProcess:
    """Run ``args`` as the Unix account ``user`` in ``cwd``, in a login-like environment."""
    entry = pwd.getpwnam(user)
    env = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
           "PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin"}
    return subprocess.run([shutil.which("runuser") or "runuser", "-u", user, "--", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def delete_users(names: Sequence[str]) -> None:
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        subprocess.run(["pkill", "-KILL", "-u", name], check=False, capture_output=True)
        subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)


def _tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _check_running(proc: subprocess.Popen, log: Path, deadline: float, timeout: float) -> None:
    if proc.poll() is not None:
        raise RuntimeError(f"the hub exited ({proc.returncode}):\n{_tail(log)}")
    if time.monotonic() > deadline:
        raise RuntimeError(f"the hub did not answer in {timeout:.0f} s:\n{_tail(log)}")


def wait_for_hub(base: str, proc: subprocess.Popen, log: Path, deadline: float,
                 timeout: float) -> None:
    """Wait until the hub at ``base`` answers its API; fail with the end of ``log`` if
    ``proc`` (what started it) exits first or ``deadline`` passes."""
    while True:
        _check_running(proc, log, deadline, timeout)
        try:
            if requests.get(f"{base}/hub/api/", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)


def login_token(base: str, user: str, password: str) -> str:
    """Log in at the hub's login page as ``user``, then make an API token with the session
    (what a person does on the hub's Token page)."""
    session = requests.Session()
    session.get(f"{base}/hub/login", timeout=60).raise_for_status()
    xsrf = session.cookies.get("_xsrf", "")
    reply = session.post(f"{base}/hub/login", timeout=60, allow_redirects=False,
                         data={"username": user, "password": password, "_xsrf": xsrf})
    if reply.status_code != 302 or "/hub/login" in reply.headers.get("Location", ""):
        raise RuntimeError(f"{user} could not log in: {reply.status_code}")
    reply = session.post(f"{base}/hub/api/users/{user}/tokens", json={"note": "test"}, timeout=60,
                         headers={"X-XSRFToken": session.cookies.get("_xsrf", xsrf)})
    reply.raise_for_status()
    return reply.json()["token"]


class ClassHub:
    """A running class hub: ``bana course hub`` started from ``settings`` (saved first, with
    a driver service whose token acts as an admin), or from a shell command as a person
    types it (:meth:`from_command`; then an instructor logs in to get a token)."""

    def __init__(self, settings: HubSettings) -> None:
        self.token = secrets.token_hex(32)
        extra = settings.hub_dir / "driver_config.py"
        settings.hub_dir.mkdir(parents=True, exist_ok=True)
        extra.write_text(DRIVER_CONFIG.format(token=self.token), encoding="utf-8")
        extra.chmod(0o600)
        self.settings = settings.model_copy(update={"extra_config": extra})
        self.proc: subprocess.Popen | None = None
        self.log = settings.hub_dir / "hub.log"
        self.prepare_output = ""

    @classmethod
    def from_command(cls, command: str, *, hub_dir: Path, cwd: Path, env: dict[str, str],
                     log: Path, timeout: float = 600) -> ClassHub:
        """Run ``command`` (bash) in the background; once the hub answers, read its
        settings from ``hub_dir`` and log in as its first instructor for a token."""
        hub = cls.__new__(cls)
        hub.log = log
        with log.open("w", encoding="utf-8") as out:
            hub.proc = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=cwd, env=env,
                                        stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while not (hub_dir / "jupyterhub.pid").exists():
            hub._check_alive(deadline, timeout)
            time.sleep(0.5)
        from bana_tools.hub.settings import load_settings

        hub.settings = load_settings(hub_dir)
        hub._wait_until_up(deadline, timeout)
        instructor = hub.settings.instructors[0]
        hub.token = login_token(hub.url, instructor, hub.settings.admin_password)
        return hub

    def _check_alive(self, deadline: float, timeout: float) -> None:
        assert self.proc is not None
        _check_running(self.proc, self.log, deadline, timeout)

    def _wait_until_up(self, deadline: float, timeout: float) -> None:
        assert self.proc is not None
        wait_for_hub(self.url, self.proc, self.log, deadline, timeout)

    @property
    def url(self) -> str:
        return f"http://{self.settings.ip}:{self.settings.port}"

    def start(self, *, create_users: bool = False, timeout: float = 300) -> ClassHub:
        self.settings.save()
        command = [sys.executable, "-m", "bana_tools", "course", "hub",
                   "--dir", str(self.settings.hub_dir)]
        if create_users:
            command.append("--create-users")
        with self.log.open("w", encoding="utf-8") as log:
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self._wait_until_up(time.monotonic() + timeout, timeout)
        return self

    def tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        import signal

        os.killpg(self.proc.pid, signal.SIGTERM)  # JupyterHub stops users' servers on exit
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


class HubDriver:
    """The REST calls a user's browser makes, through the hub's proxy."""

    def __init__(self, hub: ClassHub) -> None:
        self.hub = hub
        self.course = hub.settings.course_id
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {hub.token}"
        self._tokens: dict[str, str] = {}

    # --- the Hub's API ----------------------------------------------------------------
    def hub_api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.hub.url}/hub/api{path}", timeout=60, **kwargs)

    def start_server(self, user: str, timeout: float = 300) -> None:
        response = self.hub_api("POST", f"/users/{user}/server")
        if response.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"starting {user}'s server: {response.status_code} {response.text}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.hub_api("GET", f"/users/{user}").json()
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"{user}'s server was not ready in {timeout:.0f} s")
        # ready, and reachable through the proxy: under load the proxy's route can lag the
        # hub's "ready", and until then /user/<name>/ is answered by the hub itself (as a
        # browser would see: a page that waits for the server)
        while time.monotonic() < deadline:
            reply = self.user_api(user, "GET", "/api/status")
            if reply.ok and "started" in reply.text:
                return
            time.sleep(0.5)
        raise RuntimeError(f"{user}'s server did not answer through the proxy in {timeout:.0f} s")

    def token(self, user: str) -> str:
        """A token of ``user`` (what their browser's login cookie stands for)."""
        if user not in self._tokens:
            response = self.hub_api("POST", f"/users/{user}/tokens", json={"note": "test"})
            response.raise_for_status()
            self._tokens[user] = response.json()["token"]
        return self._tokens[user]

    # --- a user's server --------------------------------------------------------------
    def user_api(self, user: str, method: str, path: str, *, as_user: str | None = None,
                 **kwargs: Any) -> requests.Response:
        """``path`` on ``user``'s server, authenticated as ``as_user`` (default: ``user``)."""
        headers = {"Authorization": f"token {self.token(as_user or user)}"}
        return requests.request(method, f"{self.hub.url}/user/{user}{path}", headers=headers,
                                timeout=120, **kwargs)

    def assignments(self, user: str) -> list[dict[str, Any]]:
        reply = self.user_api(user, "GET", "/assignments", params={"course_id": self.course})
        reply.raise_for_status()
        body = reply.json()
        if not body.get("success"):
            raise RuntimeError(f"{user}'s assignment list failed: {body.get('value')}")
        return body["value"]

    def assignment_action(self, user: str, action: str, assignment: str) -> list[dict[str, Any]]:
        """``fetch``, ``submit`` or ``fetch_feedback``, as the Assignments tab does."""
        reply = self.user_api(user, "POST", f"/assignments/{action}",
                              data={"course_id": self.course, "assignment_id": assignment})
        reply.raise_for_status()
        body = reply.json()
        if not body.get("success"):
            raise RuntimeError(f"{user}: {action} {assignment} failed: {body.get('value')}")
        return body["value"]

    def run_code(self, user: str, code: str, timeout: float = 120) -> str:
        """Run ``code`` in a new kernel of ``user``'s server; returns its stdout."""
        import websocket

        reply = self.user_api(user, "POST", "/api/kernels", json={})
        reply.raise_for_status()
        kernel = reply.json()["id"]
        ws_url = self.hub.url.replace("http://", "ws://") + f"/user/{user}/api/kernels/{kernel}/channels"
        ws = websocket.create_connection(ws_url, timeout=timeout,
                                         header=[f"Authorization: token {self.token(user)}"])
        try:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                           "session": uuid.uuid4().hex, "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": code, "silent": False, "store_history": False,
                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
            }))
            out: list[str] = []
            error = ""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    error = "\n".join(msg["content"]["traceback"][-3:])
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    break
            if error:
                raise RuntimeError(f"code failed in {user}'s kernel: {error}")
            return "".join(out)
        finally:
            ws.close()
            self.user_api(user, "DELETE", f"/api/kernels/{kernel}")

    def run_in_terminal(self, prefix: str, commands: Sequence[str], *, as_user: str,
                        timeout: float = 900) -> list[tuple[int, str]]:
        """Type ``commands`` into a new terminal of the server at ``prefix`` (e.g.
        ``/services/bana7085``) as ``as_user``; returns each command's exit status and output."""
        import re

        import websocket

        auth = {"Authorization": f"token {self.token(as_user)}"}
        reply = requests.post(f"{self.hub.url}{prefix}/api/terminals", headers=auth, timeout=60)
        reply.raise_for_status()
        name = reply.json()["name"]
        ws_url = self.hub.url.replace("http://", "ws://") + f"{prefix}/terminals/websocket/{name}"
        ws = websocket.create_connection(ws_url, timeout=timeout,
                                         header=[f"Authorization: {auth['Authorization']}"])
        results: list[tuple[int, str]] = []
        try:
            for command in commands:
                marker = uuid.uuid4().hex[:12]
                ws.send(json.dumps(["stdin", f"{command}; echo {marker}=$?\r"]))
                seen = ""
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    message = json.loads(ws.recv())
                    if message[0] == "stdout":
                        seen += message[1]
                        found = re.search(rf"{marker}=(\d+)", seen)
                        if found:
                            results.append((int(found.group(1)), seen))
                            break
                else:
                    raise RuntimeError(f"{command!r} did not finish in {timeout:.0f} s:\n{seen[-2000:]}")
        finally:
            ws.close()
            requests.delete(f"{self.hub.url}{prefix}/api/terminals/{name}", headers=auth, timeout=60)
        return results
