"""The Kubernetes recipe (``autograding/hub/z2jh``) against the chart and the one-machine hub.

Not a deployment test: nothing here talks to a cluster. It checks that ``values.yaml``
parses and uses only keys that Zero to JupyterHub chart 4.4.0 accepts, that its Python
runs and gives JupyterHub the same groups, roles and formgrader service as
``bana_tools.hub.config.configure`` gives the one-machine hub, that the nbgrader config of
the user pods behaves like the one-machine one, that no password is written in it, and
that the grader manifest in the README agrees with the values.
"""

from __future__ import annotations

import re
import secrets
import sys
import types
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from traitlets.config import Config

from bana_tools.hub.config import configure
from bana_tools.hub.prepare import SHARED_NBGRADER_CONFIG
from bana_tools.hub.settings import HubSettings

Z2JH = Path(__file__).resolve().parents[1] / "autograding" / "hub" / "z2jh"
VALUES = Z2JH / "values.yaml"
README = Z2JH / "README.md"
DOCKERFILE = Z2JH / "Dockerfile"
COURSE = "bana7085"

#: The chart version these key lists were read from, and the JupyterHub in its hub image.
CHART_VERSION = "4.4.0"
CHART_APP_VERSION = "5.5.0"

# Keys that jupyterhub/values.schema.yaml of chart 4.4.0 (zero-to-jupyterhub-k8s, tag
# 4.4.0) allows, where the schema sets additionalProperties: false.
TOP_LEVEL_KEYS = {
    "enabled", "fullnameOverride", "nameOverride", "imagePullSecret", "imagePullSecrets",
    "hub", "proxy", "singleuser", "scheduling", "ingress", "httpRoute", "prePuller",
    "custom", "cull", "debug", "rbac", "global",
}
SECOND_LEVEL_KEYS = {
    "hub": {
        "activeServerLimit", "allowNamedServers", "annotations", "args",
        "authenticatePrometheus", "baseUrl", "command", "concurrentSpawnLimit", "config",
        "consecutiveFailureLimit", "containerSecurityContext", "cookieSecret", "db",
        "deploymentStrategy", "existingSecret", "extraConfig", "extraContainers", "extraEnv",
        "extraFiles", "extraPodSpec", "extraVolumeMounts", "extraVolumes", "fsGid", "image",
        "initContainers", "labels", "lifecycle", "livenessProbe", "loadRoles",
        "namedServerLimitPerUser", "networkPolicy", "nodeSelector", "pdb",
        "podSecurityContext", "readinessProbe", "redirectToServer", "resources",
        "revisionHistoryLimit", "service", "serviceAccount", "services", "shutdownOnLogout",
        "templatePaths", "templateVars", "tolerations",
    },
    "proxy": {
        "annotations", "chp", "deploymentStrategy", "https", "labels", "secretSync",
        "secretToken", "service", "traefik",
    },
    "singleuser": {
        "allowPrivilegeEscalation", "cloudMetadata", "cmd", "cpu", "defaultUrl", "events",
        "extraAnnotations", "extraContainers", "extraEnv", "extraFiles", "extraLabels",
        "extraNodeAffinity", "extraPodAffinity", "extraPodAntiAffinity", "extraPodConfig",
        "extraResource", "extraTolerations", "fsGid", "image", "initContainers",
        "lifecycleHooks", "memory", "networkPolicy", "networkTools", "nodeSelector",
        "podNameTemplate", "profileList", "serviceAccountName", "startTimeout", "storage",
        "uid",
    },
    "scheduling": {"corePods", "podPriority", "userPlaceholder", "userPods", "userScheduler"},
    "ingress": {
        "annotations", "enabled", "extraPaths", "hosts", "ingressClassName", "pathSuffix",
        "pathType", "tls",
    },
    "httpRoute": {"annotations", "enabled", "gateway", "hostnames"},
    "prePuller": {
        "annotations", "containerSecurityContext", "continuous", "extraImages",
        "extraTolerations", "hook", "labels", "pause", "pullProfileListImages", "resources",
        "revisionHistoryLimit",
    },
    "cull": {
        "adminUsers", "concurrency", "enabled", "every", "maxAge", "removeNamedServers",
        "timeout", "users",
    },
    "debug": {"enabled"},
    "rbac": {"create", "enabled"},
}
STORAGE_KEYS = {  # singleuser.storage
    "capacity", "dynamic", "extraLabels", "extraVolumeMounts", "extraVolumes",
    "homeMountPath", "static", "type",
}
IMAGE_KEYS = {"name", "tag", "pullPolicy", "pullSecrets"}  # singleuser.image
EXTRA_FILE_KEYS = {"mountPath", "data", "stringData", "binaryData", "mode"}


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    data = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _lookup(values: dict[str, Any], key: str, default: Any = None) -> Any:
    """What z2jh.get_config returns in the hub pod: a dotted key of the values."""
    node: Any = values
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def chart_config(values: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Config:
    """JupyterHub's config as the chart's jupyterhub_config.py assembles it from ``values``
    (the parts this course uses): services, roles, the pass-through hub.config sections,
    then every hub.extraConfig snippet in key order."""
    c = Config()
    env = values.get("singleuser", {}).get("extraEnv", {})
    c.KubeSpawner.environment = {k: v for k, v in env.items() if isinstance(v, str)}
    c.JupyterHub.services = []
    c.JupyterHub.load_roles = []
    for key, service in values["hub"].get("services", {}).items():
        c.JupyterHub.services.append({"name": key, **service, "api_token": "made-by-the-chart"})
    for key, role in values["hub"].get("loadRoles", {}).items():
        c.JupyterHub.load_roles.append({"name": key, **role})
    for section, settings in values["hub"].get("config", {}).items():
        c[section].update(settings)

    z2jh = types.ModuleType("z2jh")
    z2jh.get_config = lambda key, default=None: _lookup(values, key, default)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "z2jh", z2jh)
    for name, spec in values["hub"].get("extraEnv", {}).items():
        if isinstance(spec, dict) and "valueFrom" in spec:
            monkeypatch.setenv(name, secrets.token_urlsafe(32))  # what the Secret would hold
    for key, code in sorted(values["hub"].get("extraConfig", {}).items()):
        exec(compile(code, f"hub.extraConfig.{key}", "exec"), {"c": c})  # noqa: S102
    return c


def local_config(values: dict[str, Any], tmp_path: Path) -> Config:
    """The one-machine hub's config for the same course and roster."""
    roster = values["custom"]["bana"]
    settings = HubSettings(course_id=COURSE, hub_dir=tmp_path, students=roster["students"],
                           instructors=roster["instructors"], users="trial",
                           authenticator="shared", password="x" * 8, admin_password="y" * 32)
    c = Config()
    configure(c, settings)
    return c


def _spawner(name: str) -> SimpleNamespace:
    return SimpleNamespace(user=SimpleNamespace(name=name))


# --- the file and the chart's keys ---------------------------------------------------------


def test_values_use_only_keys_the_chart_accepts(values):
    assert set(values) <= TOP_LEVEL_KEYS, set(values) - TOP_LEVEL_KEYS
    for section, allowed in SECOND_LEVEL_KEYS.items():
        keys = set(values.get(section) or {})
        assert keys <= allowed, f"{section}: {sorted(keys - allowed)} not in chart {CHART_VERSION}"
    singleuser = values["singleuser"]
    assert set(singleuser["storage"]) <= STORAGE_KEYS
    assert {"type", "homeMountPath"} <= set(singleuser["storage"])  # required by the schema
    assert set(singleuser["image"]) <= IMAGE_KEYS
    for key, spec in singleuser["extraFiles"].items():
        assert set(spec) <= EXTRA_FILE_KEYS and spec["mountPath"].startswith("/"), key
    # hub.config sections must be Configurable class names (the chart exits otherwise)
    assert all(section[:1].isupper() for section in values["hub"]["config"])
    # the chart drops JupyterHub.services from hub.config: services go in hub.services
    assert "services" not in values["hub"]["config"].get("JupyterHub", {})
    assert all(isinstance(code, str) for code in values["hub"]["extraConfig"].values())


def test_extra_config_compiles(values):
    for key, code in values["hub"]["extraConfig"].items():
        compile(code, f"hub.extraConfig.{key}", "exec")


# --- the same hub as on one machine -------------------------------------------------------


def test_same_groups_roles_and_service_as_the_one_machine_hub(values, tmp_path, monkeypatch):
    k8s = chart_config(values, monkeypatch)
    local = local_config(values, tmp_path)

    assert k8s.JupyterHub.load_groups == local.JupyterHub.load_groups
    assert set(k8s.JupyterHub.load_groups) == {f"nbgrader-{COURSE}", f"formgrade-{COURSE}"}

    def roles(c: Config) -> dict[str, dict[str, Any]]:
        return {role["name"]: {k: sorted(v) if isinstance(v, list) else v
                               for k, v in role.items()} for role in c.JupyterHub.load_roles}

    assert roles(k8s) == roles(local)
    assert [s["name"] for s in k8s.JupyterHub.services] == \
        [s["name"] for s in local.JupyterHub.services] == [COURSE]
    assert k8s.Authenticator.allowed_users == local.Authenticator.allowed_users
    assert k8s.Authenticator.admin_users == local.Authenticator.admin_users
    assert k8s.JupyterHub.authenticator_class == local.JupyterHub.authenticator_class


def test_user_pods_get_the_same_role_variable(values, tmp_path, monkeypatch):
    k8s = chart_config(values, monkeypatch)["KubeSpawner"]["environment"]["BANA_HUB_ROLE"]
    local = local_config(values, tmp_path)["Spawner"]["environment"]["BANA_HUB_ROLE"]
    roster = values["custom"]["bana"]
    for name in [*roster["students"], *roster["instructors"], "someone-else"]:
        assert k8s(_spawner(name)) == local(_spawner(name)), name
    assert k8s(_spawner(roster["students"][0])) == "student"


def test_the_formgrader_is_an_external_service(values, tmp_path, monkeypatch):
    (service,) = chart_config(values, monkeypatch).JupyterHub.services
    # no command: it would run in the hub pod, which has no nbgrader
    assert "command" not in service and urlsplit(service["url"]).port
    local = local_config(values, tmp_path).JupyterHub.services[0]
    for key in ("oauth_no_confirm", "display"):
        assert service[key] == local[key], key


def test_extra_config_refuses_a_missing_password(values, monkeypatch):
    monkeypatch.setitem(sys.modules, "z2jh", types.SimpleNamespace(
        get_config=lambda key, default=None: _lookup(values, key, default)))
    for name in values["hub"]["extraEnv"]:
        monkeypatch.delenv(name, raising=False)
    c = Config()
    with pytest.raises(KeyError):
        for code in values["hub"]["extraConfig"].values():
            exec(code, {"c": c})  # noqa: S102


# --- nbgrader in the pods -----------------------------------------------------------------


def _nbgrader_config_text(values: dict[str, Any]) -> str:
    (spec,) = [f for f in values["singleuser"]["extraFiles"].values()
               if f["mountPath"].endswith("/nbgrader_config.py")]
    # Jupyter (and so nbgrader) reads /etc/jupyter in every pod
    assert spec["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    return spec["stringData"]


def _run_nbgrader_config(text: str, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Config:
    for name in ("BANA_HUB_ROLE", "JUPYTERHUB_USER", "BANA_GRADEBOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    c = Config()
    exec(compile(text, "nbgrader_config.py", "exec"), {"get_config": lambda: c})  # noqa: S102
    return c


def _exchange_mount(values: dict[str, Any]) -> str:
    (mount,) = values["singleuser"]["storage"]["extraVolumeMounts"]
    return mount["mountPath"]


def test_user_pods_nbgrader_config_matches_the_one_machine_hub(values, monkeypatch):
    text = _nbgrader_config_text(values)
    compile(text, "nbgrader_config.py", "exec")
    exchange = _exchange_mount(values)
    local_text = SHARED_NBGRADER_CONFIG.format(course_id=COURSE, exchange=exchange,
                                               course_dir="/srv/nbgrader/course")
    for env in ({"BANA_HUB_ROLE": "student", "JUPYTERHUB_USER": "student02"},
                {"BANA_HUB_ROLE": "staff", "JUPYTERHUB_USER": "prof"},
                {}):
        k8s = _run_nbgrader_config(text, monkeypatch, env)
        local = _run_nbgrader_config(local_text, monkeypatch, env)
        assert k8s == local, env
        assert k8s.CourseDirectory.course_id == COURSE
        assert k8s.Exchange.root == exchange
    student = _run_nbgrader_config(text, monkeypatch, {"BANA_HUB_ROLE": "student",
                                                       "JUPYTERHUB_USER": "student02"})
    assert student.CourseDirectory.student_id == "student02"
    assert student.Authenticator.plugin_class == "nbgrader.auth.JupyterHubAuthPlugin"
    assert "db_url" not in student.CourseDirectory


def test_grader_gradebook_comes_from_the_environment(values, monkeypatch):
    text = _nbgrader_config_text(values)
    url = "postgresql://grader@db.invalid:5432/" + COURSE
    grader = _run_nbgrader_config(text, monkeypatch, {"BANA_HUB_ROLE": "grader",
                                                      "BANA_GRADEBOOK_URL": url})
    assert grader.CourseDirectory.db_url == url
    assert grader.CourseDirectory.root == "/srv/nbgrader/course"
    assert "plugin_class" not in grader.Authenticator  # nbgrader's default, as on one machine
    with pytest.raises(RuntimeError, match="BANA_GRADEBOOK_URL"):
        _run_nbgrader_config(text, monkeypatch, {"BANA_HUB_ROLE": "grader"})


# --- no secrets in the file ---------------------------------------------------------------


def test_no_password_or_token_is_written_in_the_values(values):
    text = VALUES.read_text(encoding="utf-8")
    assert not re.search(r"\w+://[^\s/@:]+:[^\s/@]+@", text), "a URL with a password"
    for key in ("apiToken", "api_token", "secretToken", "cookieSecret", "cookie_secret",
                "user_password", "admin_password", "db_url", "password"):
        for match in re.finditer(rf"^\s*{key}\s*:\s*(\S.*)$", text, re.MULTILINE):
            pytest.fail(f"{key} has a literal value: {match.group(1)[:20]}...")
    assert "db" not in values["hub"] or "password" not in values["hub"]["db"]
    for name, spec in values["hub"]["extraEnv"].items():
        assert "secretKeyRef" in spec["valueFrom"], name  # passwords only from Secrets
    # the gradebook URL reaches no user pod
    assert "BANA_GRADEBOOK_URL" not in str(values["singleuser"].get("extraEnv", {}))


# --- the grader manifest of the README and the image --------------------------------------


@pytest.fixture(scope="module")
def manifest() -> dict[str, dict[str, Any]]:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    docs = [doc for block in blocks for doc in yaml.safe_load_all(block) if doc]
    return {f"{doc['kind']}/{doc['metadata']['name']}": doc for doc in docs}


def test_readme_grader_manifest_agrees_with_the_values(values, manifest):
    url = urlsplit(values["hub"]["services"][COURSE]["url"])
    service = manifest[f"Service/{url.hostname}"]
    assert [p["port"] for p in service["spec"]["ports"]] == [url.port]
    pod = manifest[f"Deployment/{url.hostname}"]["spec"]["template"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    # the hub's network policy only lets labelled pods reach its API
    assert pod["metadata"]["labels"]["hub.jupyter.org/network-access-hub"] == "true"
    (container,) = pod["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["JUPYTERHUB_SERVICE_NAME"]["value"] == COURSE
    assert env["JUPYTERHUB_SERVICE_PREFIX"]["value"] == f"/services/{COURSE}/"
    assert urlsplit(env["JUPYTERHUB_SERVICE_URL"]["value"]).port == url.port
    assert env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"] == \
        {"name": "hub", "key": f"hub.services.{COURSE}.apiToken"}
    assert env["BANA_HUB_ROLE"]["value"] == "grader"
    assert env["BANA_GRADEBOOK_URL"]["valueFrom"]["secretKeyRef"] == \
        {"name": f"{COURSE}-gradebook", "key": "db-url"}
    assert "value" not in env["BANA_GRADEBOOK_URL"]
    # same exchange claim and path as the user pods, and the same nbgrader config file
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    (user_volume,) = values["singleuser"]["storage"]["extraVolumes"]
    claim = user_volume["persistentVolumeClaim"]["claimName"]
    assert volumes[mounts[_exchange_mount(values)]]["persistentVolumeClaim"]["claimName"] == claim
    assert manifest[f"PersistentVolumeClaim/{claim}"]["spec"]["accessModes"] == ["ReadWriteMany"]
    config_volume = volumes[mounts["/etc/jupyter/nbgrader_config.py"]]["secret"]
    assert config_volume["secretName"] == "singleuser"
    assert {i["key"] for i in config_volume["items"]} <= set(values["singleuser"]["extraFiles"])
    # the course folder is mounted by the grader and by no user pod
    assert "/srv/nbgrader/course" in mounts
    assert all(m["mountPath"] != "/srv/nbgrader/course"
               for m in values["singleuser"]["storage"]["extraVolumeMounts"])
    # the grader owns the inbox: it must not be the users' account
    assert pod["spec"]["securityContext"]["runAsUser"] != values["singleuser"]["uid"]
    assert container["image"].split(":")[0] == values["singleuser"]["image"]["name"]


def test_readme_names_the_chart_version_and_says_it_is_a_recipe():
    text = README.read_text(encoding="utf-8")
    assert f"--version {CHART_VERSION}" in text
    assert "not tested here" in text
    assert f"chart {CHART_VERSION}" in VALUES.read_text(encoding="utf-8")


def test_dockerfile_installs_the_project_with_the_hubs_jupyterhub():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "pip install -c constraints.txt ." in text
    assert f"ARG JUPYTERHUB_VERSION={CHART_APP_VERSION}" in text
    assert re.search(r"useradd --uid 1000 --gid 100 .*jovyan", text)
    assert "--uid 1100" in text
    pins = (Path(__file__).resolve().parents[1] / "constraints.txt").read_text(encoding="utf-8")
    assert re.search(r"^jupyterhub==", pins, re.MULTILINE), "the pin the Dockerfile replaces"
