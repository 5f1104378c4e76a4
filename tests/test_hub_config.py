"""The class hub's settings, JupyterHub configuration and `bana course hub` errors, without
starting a hub (tests/test_class_hub.py starts real ones)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

from bana_tools.hub import CONFIG_FILE
from bana_tools.hub.config import configure
from bana_tools.hub.prepare import SHARED_NBGRADER_CONFIG, write_shared_config
from bana_tools.hub.settings import HubSettings, HubSettingsError, load_settings

STUDENT_PW = "s" * 8
ADMIN_PW = "a" * 32


def settings(tmp_path: Path, **overrides) -> HubSettings:
    data = {"course_id": "bana7085", "hub_dir": tmp_path / "hub", "students": ["ada", "alan"],
            "instructors": ["prof"], "password": STUDENT_PW, "admin_password": ADMIN_PW}
    data.update(overrides)
    return HubSettings.model_validate(data)


def bana(*args: str, cwd: Path | None = None, home: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **({"HOME": str(home)} if home else {}))
    return subprocess.run([sys.executable, "-m", "bana_tools", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd, env=env)


@pytest.mark.parametrize("change, words", [
    ({"students": ["Ada"]}, "lower case"),
    ({"students": ["ada+1"]}, "lower case"),
    ({"students": ["ada", "ada"]}, "listed twice"),
    ({"students": ["prof"]}, "both a student and an instructor"),
    ({"assistants": ["ada"]}, "both a student and an instructor"),
    ({"assistants": ["prof"]}, "both an instructor and an assistant"),
    ({"instructors": []}, "at least 1"),
    ({"password": "short"}, "8 characters"),
    ({"admin_password": "a" * 31}, "32 or more"),
    ({"course_id": "BANA 7085"}, "pattern"),
    ({"port": 70000}, "65535"),
])
def test_bad_settings_are_refused_with_the_reason(tmp_path, change, words):
    with pytest.raises(ValueError, match=words):
        settings(tmp_path, **change)


def test_settings_fill_the_grader_and_folders_and_round_trip(tmp_path):
    trial = settings(tmp_path)
    assert trial.grader == "grader-bana7085"
    assert trial.course_dir == (tmp_path / "hub" / "course").resolve()
    assert trial.exchange_dir == (tmp_path / "hub" / "exchange").resolve()
    system = settings(tmp_path, users="system")
    assert system.course_dir == Path("/home/grader-bana7085/bana7085")
    path = trial.save()
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # it holds passwords
    assert load_settings(path.parent) == trial


def test_a_broken_settings_file_is_one_line(tmp_path):
    with pytest.raises(HubSettingsError, match="no hub settings"):
        load_settings(tmp_path)
    (tmp_path / "hub.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(HubSettingsError, match="cannot read"):
        load_settings(tmp_path)
    (tmp_path / "hub.json").write_text(json.dumps({"course_id": "x", "hub_dir": "h",
                                                   "students": [], "instructors": ["p"],
                                                   "colour": "red"}), encoding="utf-8")
    with pytest.raises(HubSettingsError, match="colour") as err:
        load_settings(tmp_path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("users", ["trial", "system"])
def test_configuration_gives_nbgrader_its_groups_roles_and_service(tmp_path, users):
    s = settings(tmp_path, users=users, assistants=["ta"])
    c = Config()
    configure(c, s)
    hub = c.JupyterHub
    assert hub.load_groups == {"nbgrader-bana7085": {"users": ["ada", "alan"]},
                               "formgrade-bana7085": {"users": ["prof", "ta"]}}
    assert c.Authenticator.allowed_users == {"ada", "alan", "prof", "ta"}
    assert c.Authenticator.admin_users == {"prof"}  # an assistant grades, but is no admin
    roles = {r["name"]: r for r in hub.load_roles}
    # a server's token reads only its own user's groups (nbgrader's JupyterHubAuthPlugin)
    assert "read:users:groups!user" in roles["server"]["scopes"]
    assert not any(scope.startswith(("admin", "read:users!", "groups")) for scope in roles["server"]["scopes"])
    assert roles["formgrade-bana7085"]["groups"] == ["formgrade-bana7085"]
    assert "access:services!service=bana7085" in roles["formgrade-bana7085"]["scopes"]
    (service,) = hub.services
    assert service["name"] == "bana7085" and service["url"].endswith(f":{s.service_port}")
    assert service["environment"]["BANA_HUB_ROLE"] == "grader"
    assert ("user" in service) == (users == "system")
    assert hub.spawner_class == ("localprocess" if users == "system" else "simple")
    assert hub.authenticator_class == "shared-password"
    assert c.SharedPasswordAuthenticator.user_password == STUDENT_PW
    env = c.Spawner.environment
    assert env["JUPYTER_CONFIG_PATH"] == str(s.shared_config_dir)

    class Spawned:  # what JupyterHub passes to a callable environment value
        def __init__(self, name):
            self.user = type("U", (), {"name": name})()

    assert env["BANA_HUB_ROLE"](Spawned("ada")) == "student"
    assert env["BANA_HUB_ROLE"](Spawned("prof")) == "staff"
    assert env["BANA_HUB_ROLE"](Spawned("ta")) == "staff"
    # every user's server has a port of its own (no two spawns draw the same random port)
    ports = set()
    for uid in (1, 2, 300):
        spawner = type("S", (), {"user": type("U", (), {"id": uid})(), "port": 0})()
        c.Spawner.pre_spawn_hook(spawner)
        ports.add(spawner.port)
    assert ports == {s.user_port_base + 1, s.user_port_base + 2, s.user_port_base + 300}


def test_pam_login_and_site_settings(tmp_path):
    extra = tmp_path / "site.py"
    extra.write_text("c.JupyterHub.port = 8443\n", encoding="utf-8")
    c = Config()
    configure(c, settings(tmp_path, authenticator="pam", password="", admin_password="",
                          extra_config=extra))
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.JupyterHub.port == 8443  # the site's file runs last


def _shared_nbgrader_config(env: dict[str, str], s: HubSettings) -> Config:
    c = Config()
    text = SHARED_NBGRADER_CONFIG.format(course_id=s.course_id, exchange=str(s.exchange_dir),
                                         course_dir=str(s.course_dir))
    saved = dict(os.environ)
    try:
        os.environ.update(env)
        exec(compile(text, "nbgrader_config.py", "exec"), {"get_config": lambda: c})
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return c


def test_the_shared_nbgrader_config_follows_each_role(tmp_path):
    s = settings(tmp_path)
    student = _shared_nbgrader_config({"BANA_HUB_ROLE": "student", "JUPYTERHUB_USER": "ada"}, s)
    assert student.CourseDirectory.student_id == "ada"  # even when servers share an account
    assert student.Authenticator.plugin_class == "nbgrader.auth.JupyterHubAuthPlugin"
    assert "root" not in student.CourseDirectory
    grader = _shared_nbgrader_config({"BANA_HUB_ROLE": "grader"}, s)
    assert grader.CourseDirectory.root == str(s.course_dir)
    assert "plugin_class" not in grader.Authenticator  # the roster is the hub's; no hub API needed
    for c in (student, grader):
        assert c.CourseDirectory.course_id == "bana7085"
        assert c.Exchange.root == str(s.exchange_dir)
    path = write_shared_config(s)
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    server = Config()
    exec(compile((path.parent / "jupyter_server_config.py").read_text(encoding="utf-8"),
                 "jupyter_server_config.py", "exec"), {"get_config": lambda: server})
    assert server.ServerApp.terminado_settings == {"shell_command": ["/bin/bash", "-i"]}
    assert server.MappingKernelManager.kernel_info_timeout == 180
    assert oct(s.hub_dir.stat().st_mode & 0o777) == "0o755"  # every account reads it


def test_kernels_use_sockets_unless_the_home_folder_is_too_long(tmp_path, monkeypatch):
    """Kernels of different users cannot draw the same TCP port if they use Unix sockets;
    a runtime folder whose socket paths would pass 107 bytes keeps TCP."""
    text = write_shared_config(settings(tmp_path)).parent / "jupyter_server_config.py"
    # the folder need not exist: the config only measures the paths its sockets would have
    for runtime, transport in (("/home/ada/.local/share/jupyter/runtime", "ipc"),
                               ("/home/" + "a" * 40 + "/.local/share/jupyter/runtime", None)):
        monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
        server = Config()
        exec(compile(text.read_text(encoding="utf-8"), "jupyter_server_config.py", "exec"),
             {"get_config": lambda server=server: server})
        assert server.KernelManager.get("transport") == transport, runtime


def test_the_jupyterhub_config_file_loads_the_settings(tmp_path):
    s = settings(tmp_path)
    path = s.save()
    c = Config()
    os.environ["BANA_HUB_SETTINGS"] = str(path)
    try:
        exec(compile(CONFIG_FILE.read_text(encoding="utf-8"), str(CONFIG_FILE), "exec"),
             {"get_config": lambda: c})
    finally:
        del os.environ["BANA_HUB_SETTINGS"]
    assert c.JupyterHub.port == s.port and c.JupyterHub.services[0]["name"] == "bana7085"


@pytest.mark.parametrize("args, words", [
    (["--students", "0"], "between 1 and 999"),
    (["--roster", "no-such-roster.txt"], "cannot read the roster"),
    (["--password", "short"], "8 characters"),
    (["--port", "99999"], "65535"),
])
def test_bad_hub_options_give_one_line_and_exit_2(tmp_path, args, words):
    out = bana("course", "hub", "--dir", str(tmp_path / "hub"), "--prepare-only", *args,
               cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and words in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


def test_a_roster_with_a_bad_name_is_refused(tmp_path):
    (tmp_path / "roster.txt").write_text("# students\nada\nGrace Hopper\n", encoding="utf-8")
    out = bana("course", "hub", "--dir", str(tmp_path / "hub"), "--prepare-only",
               "--roster", str(tmp_path / "roster.txt"), cwd=tmp_path)
    assert out.returncode == 2 and "'Grace Hopper'" in out.stderr and "Traceback" not in out.stderr


def test_system_users_need_root(tmp_path, monkeypatch):
    from bana_tools.hub import prepare

    monkeypatch.setattr(prepare.os, "geteuid", lambda: 1000)  # as a user who is not root
    with pytest.raises(prepare.PrepareError, match="must be started as root"):
        prepare.prepare(settings(tmp_path, users="system"))
    assert not (tmp_path / "hub").exists()  # nothing made before the refusal


def test_prepare_only_makes_a_trial_hub_and_keeps_its_passwords(tmp_path):
    out = bana("course", "hub", "--prepare-only", "--students", "3", cwd=tmp_path, home=tmp_path)
    assert out.returncode == 0, out.stderr
    hub = tmp_path / "bana-hub"  # the default folder
    s = load_settings(hub)
    assert s.students == ["student01", "student02", "student03"] and s.users == "trial"
    assert f"students {s.password}; instructors {s.admin_password}" in out.stdout
    assert (s.course_dir / "release" / "ch01" / "ch01-case-study.ipynb").exists()
    assert (s.exchange_dir / "bana7085" / "outbound" / "ch01" / "ch01-case-study.ipynb").exists()
    assert "postgresql" not in (s.course_dir / "nbgrader_config.py").read_text(encoding="utf-8")
    # the instructor edits the course; the hub is prepared again for a longer roster
    config = s.course_dir / "nbgrader_config.py"
    config.write_text(config.read_text(encoding="utf-8") + "c.Execute.timeout = 99\n", encoding="utf-8")
    source = s.course_dir / "source" / "ch01" / "ch01-case-study.ipynb"
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "id": "mine", "metadata": {},
                        "source": "Case (edited)"})
    source.write_text(json.dumps(nb), encoding="utf-8")
    released = s.exchange_dir / "bana7085" / "outbound" / "ch01" / "ch01-case-study.ipynb"
    before = released.stat().st_mtime_ns
    again = bana("course", "hub", "--prepare-only", "--students", "4", "--db-url",
                 "sqlite:////tmp/elsewhere.db", cwd=tmp_path, home=tmp_path)
    assert again.returncode == 0, again.stderr
    s2 = load_settings(hub)
    assert s2.students[-1] == "student04"
    assert (s2.password, s2.admin_password) == (s.password, s.admin_password)
    text = config.read_text(encoding="utf-8")
    assert "c.Execute.timeout = 99" in text  # the instructor's line is kept
    assert text.count("c.CourseDirectory.db_url") == 1 and "/tmp/elsewhere.db" in text
    assert "Case (edited)" in source.read_text(encoding="utf-8")
    assert released.stat().st_mtime_ns == before  # not released again
