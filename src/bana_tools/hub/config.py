"""JupyterHub's configuration for the course, from :class:`~.settings.HubSettings`.

* **Who gets in.** JupyterHub's shared-password login (one password for students and a
  longer one for instructors; trials and tests) or PAM (Unix passwords); only the roster's
  users are allowed; instructors are hub admins, teaching assistants are not.
* **Where servers run.** ``system``: each user's JupyterLab runs as their own Unix account
  (``LocalProcessSpawner``), so Unix permissions keep students out of each other's files,
  the course folder and the exchange's inbox. ``trial``: every server runs as whoever
  started the hub, each in its own folder (``SimpleLocalProcessSpawner``).
* **nbgrader.** Groups ``nbgrader-<course>`` (students) and ``formgrade-<course>``
  (instructors and assistants) are what nbgrader's ``JupyterHubAuthPlugin`` reads;
  each server's token may read its own user's groups for that. Every server reads the
  shared ``nbgrader_config.py`` written by :mod:`.prepare` (``JUPYTER_CONFIG_PATH``).
* **Formgrader.** A hub-managed service named after the course, run as the grader
  account in the course folder; the ``formgrade-<course>`` group may open it. JupyterHub
  4.1 and later forbid framing a server's pages (``frame-ancestors 'none'``), which blanks
  the formgrader tab inside JupyterLab (nbgrader issue 1870). We keep that protection and
  use nbgrader's documented way round it: the formgrader opens as a page of its own, at
  ``/services/<course>/formgrader``, linked from the hub's Services menu.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from bana_tools.hub.settings import HubSettings


def proxy_command(settings: HubSettings) -> list[str]:
    """configurable-http-proxy: the settings' path, the course's npm install, or PATH."""
    if settings.proxy:
        return [settings.proxy]
    from bana_tools.course.layout import repo_root

    local = repo_root() / "autograding" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return [str(local)]
    found = shutil.which("configurable-http-proxy")
    return [found or "configurable-http-proxy"]


def search_path(settings: HubSettings) -> str:
    """``PATH`` of users' servers and terminals: the course's Python (with ``bana`` and
    ``nbgrader``) first."""
    return os.pathsep.join([str(Path(settings.python).parent), "/usr/local/bin", "/usr/bin", "/bin"])


def user_port(base: int) -> Any:
    """A ``pre_spawn_hook`` giving each user's server a port of its own, ``base`` plus the
    user's id. JupyterHub's default (a random free port, found by binding port 0 and closing
    it) lets two servers that start at the same time draw the same port: under load the
    second server fails, and the hub routes its user to the first user's server."""

    def hook(spawner: Any) -> None:
        spawner.port = base + int(spawner.user.id)

    return hook


def user_environment(settings: HubSettings) -> dict[str, Any]:
    """Environment of every user's server (and so of their kernels and terminals)."""
    students = set(settings.students)
    return {
        "JUPYTER_CONFIG_PATH": str(settings.shared_config_dir),
        "PATH": search_path(settings),
        # read by the shared nbgrader_config.py: a student's submissions carry their hub
        # name even in trial mode, where every server runs as one Unix account
        "BANA_HUB_ROLE": lambda spawner: "student" if spawner.user.name in students else "staff",
    }


def configure(c: Any, settings: HubSettings) -> None:
    """Apply ``settings`` to JupyterHub's config object ``c``."""
    hub_dir = settings.hub_dir
    c.JupyterHub.ip = settings.ip
    c.JupyterHub.port = settings.port
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.JupyterHub.db_url = f"sqlite:///{hub_dir / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(hub_dir / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(hub_dir / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.command = proxy_command(settings)
    c.ConfigurableHTTPProxy.pid_file = str(hub_dir / "jupyterhub-proxy.pid")
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.hub_port + 1}"

    # --- who gets in ---------------------------------------------------------------
    if settings.authenticator == "shared":
        c.JupyterHub.authenticator_class = "shared-password"
        c.SharedPasswordAuthenticator.user_password = settings.password
        c.SharedPasswordAuthenticator.admin_password = settings.admin_password
    else:
        c.JupyterHub.authenticator_class = "pam"
    c.Authenticator.allowed_users = set(settings.students) | set(settings.staff)
    c.Authenticator.admin_users = set(settings.instructors)

    # --- where servers run ---------------------------------------------------------
    python = str(settings.python)
    if settings.users == "system":
        c.JupyterHub.spawner_class = "localprocess"
    else:
        c.JupyterHub.spawner_class = "simple"
        c.SimpleLocalProcessSpawner.home_dir_template = str(hub_dir / "home" / "{username}")
    c.Spawner.cmd = [python, "-m", "jupyterhub.singleuser"]
    # trial servers run as whoever started the hub; Jupyter refuses root unless told
    root_trial = settings.users == "trial" and os.geteuid() == 0
    c.Spawner.args = ["--allow-root"] if root_trial else []
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = "~"
    c.Spawner.environment = user_environment(settings)
    c.Spawner.pre_spawn_hook = user_port(settings.user_port_base)
    c.Spawner.http_timeout = 120
    c.Spawner.start_timeout = 180

    # --- nbgrader's groups, and what a server's token may do -----------------------
    course = settings.course_id
    c.JupyterHub.load_groups = {
        settings.student_group: {"users": list(settings.students)},
        settings.formgrade_group: {"users": settings.staff},
    }
    c.JupyterHub.load_roles = [
        {
            "name": "server",  # each user's server token: its own groups, for nbgrader
            "scopes": ["users:activity!user", "access:servers!user",
                       "read:users:name!user", "read:users:groups!user"],
        },
        {
            "name": settings.formgrade_group,
            "groups": [settings.formgrade_group],
            "scopes": [f"access:services!service={course}", "list:services",
                       f"read:services!service={course}"],
        },
        {
            "name": f"{course}-service",  # the formgrader adds students to the course group
            "services": [course],
            "scopes": ["list:users", "read:users", "read:groups", "groups"],
        },
    ]

    # --- the formgrader, as a service run by the grader account ---------------------
    service: dict[str, Any] = {
        "name": course,
        "url": f"http://127.0.0.1:{settings.service_port}",
        "command": [python, "-m", "jupyterhub.singleuser", "--ServerApp.root_dir="
                    + str(Path(settings.course_dir)), *(["--allow-root"] if root_trial else [])],
        "cwd": str(settings.course_dir),
        "environment": {
            "JUPYTER_CONFIG_PATH": str(settings.shared_config_dir),
            "PATH": search_path(settings),
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            "BANA_HUB_ROLE": "grader",
        },
        "oauth_no_confirm": True,
        "display": True,
    }
    if settings.users == "system":
        service["user"] = settings.grader
    c.JupyterHub.services = [service]

    if settings.extra_config is not None:
        code = Path(settings.extra_config).read_text(encoding="utf-8")
        exec(compile(code, str(settings.extra_config), "exec"), {"c": c})  # noqa: S102 - the site's own file
