"""Make a hub's folders and configuration from its settings (idempotent).

* the hub folder (readable by every user: their servers read the shared configuration
  there) and the exchange (mode 0777, as ``nbgrader release_assignment`` sets it: anyone
  may drop a submission into an inbox nobody but the grader can list);
* ``etc/jupyter/nbgrader_config.py``, read by every user's server: the course id, the
  exchange, nbgrader's ``JupyterHubAuthPlugin``; and ``jupyter_server_config.py`` beside it
  (terminals keep the course's ``PATH``);
* with ``users = "system"`` and ``create_users``: a Unix account (home mode 0700) for every
  student, instructor, assistant and the grader account, made with ``useradd`` when missing;
* the course folder, owned by the grader account (mode 0700: students cannot read the
  gradebook, submissions or the settings that hold the gradebook's password): source
  notebooks, ``nbgrader_config.py`` with the gradebook URL, then ``generate_assignment``
  and ``release_assignment`` of the settings' ``release`` list, run as the grader account.
"""

from __future__ import annotations

import os
import pwd
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bana_tools.hub.settings import HubSettings

#: The hub's lines in the course's ``nbgrader_config.py`` (between the two markers, which
#: a later run of ``bana course hub`` rewrites; every other line is the instructor's).
COURSE_CONFIG_TAIL = """
# --- class hub (written by `bana course hub`, which rewrites these lines) ---
c.Exchange.root = {exchange!r}
c.CourseDirectory.db_url = {db_url!r}
# --- end of the class hub's lines ---
"""

#: The nbgrader configuration every user's server reads (``JUPYTER_CONFIG_PATH``).
SHARED_NBGRADER_CONFIG = '''"""nbgrader settings shared by every server of the class hub (written by `bana course hub`)."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
if os.environ.get("BANA_HUB_ROLE") in ("student", "staff"):
    # who may fetch and submit: the hub's nbgrader-<course> and formgrade-<course> groups
    # (the grader account's service and shell keep nbgrader's default: the roster is the hub's)
    c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"
if os.environ.get("BANA_HUB_ROLE") == "student" and os.environ.get("JUPYTERHUB_USER"):
    # submissions carry the student's hub name (in trial mode every server is one account)
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
if os.environ.get("BANA_HUB_ROLE") == "grader":
    c.CourseDirectory.root = {course_dir!r}
'''


#: Jupyter Server settings shared by every server of the hub.
SHARED_SERVER_CONFIG = '''"""Jupyter Server settings shared by every server of the class hub (written by `bana course hub`)."""

import os

from jupyter_core.paths import jupyter_runtime_dir

c = get_config()  # noqa: F821 - provided by Jupyter Server
# Kernels talk to their server over Unix sockets in the user's runtime folder, not loopback
# TCP ports. A TCP port is drawn at random and then bound by the kernel; two users' servers
# starting kernels at the same moment can draw the same one, and the second kernel dies and
# is restarted on new ports while its student's connection still waits on the old ones.
# Sockets in the user's own folder cannot clash, and no other account can reach them. A
# socket's path has at most 107 bytes: a home folder too long for that keeps TCP.
_longest_socket = os.path.join(jupyter_runtime_dir(), f"kernel-{'0' * 36}-ipc-99")
if len(os.fsencode(_longest_socket)) <= 107:
    c.KernelManager.transport = "ipc"
# Terminals start an interactive bash that keeps the server's PATH (the course's Python,
# with bana and nbgrader, first); a login shell would reset PATH from /etc/profile.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash", "-i"]}
# On a class server many kernels start at once (everyone opens the exercise when the
# lecture says so): give a new kernel three minutes, not one, to answer its first request
# before its connection is given up.
c.MappingKernelManager.kernel_info_timeout = 180
'''


class PrepareError(RuntimeError):
    """A step of preparing the hub failed (one line)."""


def _run(cmd: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, text=True, check=False,
                          timeout=600)
    if proc.returncode != 0:
        lines = (proc.stderr.strip() or proc.stdout.strip() or "no output").splitlines()
        raised = [ln for ln in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b", ln)]
        logged = [ln for ln in lines if "ERROR" in ln and "above traceback" not in ln]
        shown = [c for c in cmd if c not in ("runuser", "-u", "--")][:5]
        raise PrepareError(f"{' '.join(shown)} failed: {(raised or logged or lines)[-1].strip()}")


def as_user(settings: HubSettings, user: str) -> list[str]:
    """The command prefix that runs a command as ``user`` (nothing in trial mode)."""
    if settings.users == "system" and os.geteuid() == 0 and pwd.getpwuid(os.geteuid()).pw_name != user:
        return ["runuser", "-u", user, "--"]
    return []


def ensure_system_users(settings: HubSettings, create: bool) -> list[str]:
    """Check (and with ``create``, make) a Unix account for everyone in the class."""
    made: list[str] = []
    for name in [settings.grader, *settings.staff, *settings.students]:
        try:
            pwd.getpwnam(name)
        except KeyError:
            if not create:
                raise PrepareError(f"no Unix account {name!r}; create the class's accounts "
                                   "or pass --create-users") from None
            _run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name])
            made.append(name)
        home = Path(pwd.getpwnam(name).pw_dir)
        if home.is_dir():
            home.chmod(0o700)
    return made


def write_shared_config(settings: HubSettings) -> Path:
    """``etc/jupyter/nbgrader_config.py`` (and the servers' ``jupyter_server_config.py``)
    under the hub folder, readable by everyone."""
    folder = settings.shared_config_dir
    folder.mkdir(parents=True, exist_ok=True)
    for part in (settings.hub_dir, settings.hub_dir / "etc", folder):
        part.chmod(0o755)
    path = folder / "nbgrader_config.py"
    path.write_text(SHARED_NBGRADER_CONFIG.format(
        course_id=settings.course_id, exchange=str(settings.exchange_dir),
        course_dir=str(settings.course_dir)), encoding="utf-8")
    path.chmod(0o644)
    server = folder / "jupyter_server_config.py"
    server.write_text(SHARED_SERVER_CONFIG, encoding="utf-8")
    server.chmod(0o644)
    return path


def prepare_exchange(settings: HubSettings) -> Path:
    exchange = Path(settings.exchange_dir)  # type: ignore[arg-type]
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o777)
    return exchange


def with_hub_lines(settings: HubSettings, current: str) -> str:
    """The course's ``nbgrader_config.py`` with this hub's lines (exchange and gradebook) in
    place of those an earlier run wrote, keeping every line the instructor set."""
    begin, end = (ln for ln in COURSE_CONFIG_TAIL.splitlines() if ln.startswith("# ---"))
    db_url = settings.db_url or f"sqlite:///{Path(settings.course_dir) / 'gradebook.db'}"  # type: ignore[arg-type]
    ours = COURSE_CONFIG_TAIL.format(exchange=str(settings.exchange_dir), db_url=db_url)
    found = re.search(rf"\n?{re.escape(begin)}\n.*?{re.escape(end)}\n", current, re.S)
    if found:
        return current[:found.start()] + ours + current[found.end():]
    return current.rstrip("\n") + "\n" + ours


def prepare_course(settings: HubSettings) -> Path:
    """The grader account's course folder, with the settings' assignments released.

    A new folder gets the source notebooks and the course's ``nbgrader_config.py``; on a
    later run (a roster changed, say) only the hub's lines of that file are rewritten, and
    only assignments not yet in the exchange are generated and released: the instructor's
    edits, the gradebook and the submissions stay as they are."""
    from bana_tools.course.build_source import build
    from bana_tools.course.config import course_config_text

    course = Path(settings.course_dir)  # type: ignore[arg-type]
    config = course / "nbgrader_config.py"
    if not config.exists():
        build(course)  # source notebooks and the course's nbgrader_config.py
        config.write_text(course_config_text(settings.course_id), encoding="utf-8")
    config.write_text(with_hub_lines(settings, config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    runner = as_user(settings, settings.grader)
    if runner:
        user = pwd.getpwnam(settings.grader)
        for root, dirs, files in os.walk(course):
            for name in [*dirs, *files]:
                os.chown(os.path.join(root, name), user.pw_uid, user.pw_gid)
        os.chown(course, user.pw_uid, user.pw_gid)
    course.chmod(0o700)
    config.chmod(0o600)
    env = {**os.environ, "HOME": str(settings.home(settings.grader)) if runner else os.environ.get("HOME", "/"),
           "PATH": f"{Path(settings.python).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("JUPYTERHUB_API_TOKEN", None)
    outbound = Path(settings.exchange_dir) / settings.course_id / "outbound"  # type: ignore[arg-type]
    for assignment in settings.release:
        if (outbound / assignment).is_dir():
            continue  # released by an earlier run
        _run([*runner, str(settings.python), "-m", "nbgrader", "generate_assignment", assignment,
              "--force"], cwd=course, env=env)
        _run([*runner, str(settings.python), "-m", "nbgrader", "release_assignment", assignment,
              "--Authenticator.plugin_class=nbgrader.auth.NoAuthPlugin"], cwd=course, env=env)
    return course


def prepare(settings: HubSettings, *, create_users: bool = False) -> list[str]:
    """Everything the hub needs before JupyterHub starts; returns what it did, for the log."""
    done: list[str] = []
    if settings.users == "system":
        if os.geteuid() != 0:
            raise PrepareError("a hub with system users must be started as root "
                               "(or use trial users: --users trial)")
        made = ensure_system_users(settings, create_users)
        if made:
            done.append(f"created {len(made)} Unix accounts")
    else:
        for user in [*settings.students, *settings.staff]:
            settings.home(user).mkdir(parents=True, exist_ok=True)
    settings.save()
    write_shared_config(settings)
    prepare_exchange(settings)
    done.append(f"exchange at {settings.exchange_dir}")
    course = prepare_course(settings)
    done.append(f"course folder {course} ({', '.join(settings.release)} released)")
    return done
