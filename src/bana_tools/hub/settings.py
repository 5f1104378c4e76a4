"""The settings of a class hub, kept as ``hub.json`` in the hub's state folder.

One file says who is in the class and where everything lives, so the three places that
need it (preparing the folders, JupyterHub's configuration, the nbgrader configuration of
every user's server) cannot disagree.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bana_tools.pydantic_errors import first_error

#: File name of the settings inside the hub folder.
SETTINGS_NAME = "hub.json"

#: A user name every piece accepts: JupyterHub, a Unix account, nbgrader's student id
#: (no ``+`` or ``*``) and a URL path segment.
_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


class HubSettingsError(ValueError):
    """The settings file is missing or invalid (the message is one line)."""


class HubSettings(BaseModel):
    """Everything a class hub needs; see ``autograding/hub/README.md`` for each field."""

    model_config = ConfigDict(extra="forbid")

    course_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    #: The hub's state folder (JupyterHub's database and cookie secret, the shared
    #: configuration, the exchange unless set, users' homes in trial mode).
    hub_dir: Path
    students: list[str]
    instructors: list[str] = Field(min_length=1)
    #: Teaching assistants: they grade in the formgrader like instructors, without being
    #: hub admins (who may also open any user's server and manage the hub).
    assistants: list[str] = Field(default_factory=list)
    #: The account that owns the course folder and runs the formgrader service.
    grader: str = ""
    #: The course folder (nbgrader's ``CourseDirectory.root``), owned by ``grader``.
    course_dir: Path | None = None
    #: nbgrader's exchange folder, shared by every user (mode 0777, as nbgrader sets it).
    exchange_dir: Path | None = None
    #: The gradebook (``c.CourseDirectory.db_url``): PostgreSQL for a class.
    db_url: str = ""
    #: ``system``: every user is a Unix account and their server runs as that account
    #: (needs root; what a class uses). ``trial``: every server runs as the person who
    #: started the hub, each in its own folder: for trying the hub on a laptop.
    users: Literal["system", "trial"] = "trial"
    #: ``shared``: JupyterHub's shared-password login (one password for students, a longer
    #: one for instructors), for a trial or a test. ``pam``: Unix passwords.
    authenticator: Literal["shared", "pam"] = "shared"
    password: str = ""
    admin_password: str = ""
    ip: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    hub_port: int = Field(default=8081, ge=1, le=65535)
    service_port: int = Field(default=9999, ge=1, le=65535)
    #: A user's server listens on this plus the user's hub id (below Linux's ephemeral
    #: range, so two servers starting at once never draw the same port).
    user_port_base: int = Field(default=20000, ge=1024, le=60000)
    #: The Python every user's server and kernels run (must be readable by every user).
    python: Path = Field(default_factory=lambda: Path(sys.executable))
    #: configurable-http-proxy; empty: ``autograding/hub/node_modules`` or the PATH.
    proxy: str = ""
    #: Assignments released to students when the hub is prepared.
    release: list[str] = Field(default_factory=lambda: ["ch01"])
    #: A Python file run after our configuration, with ``c`` in scope (site settings: an
    #: authenticator, TLS, more services).
    extra_config: Path | None = None

    @field_validator("students", "instructors", "assistants")
    @classmethod
    def _names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not _NAME.match(name):
                raise ValueError(f"user name {name!r} must be lower case letters, digits, '_' "
                                 "or '-', starting with a letter, at most 32 characters")
        if len(set(names)) != len(names):
            raise ValueError("a user name is listed twice")
        return names

    @model_validator(mode="after")
    def _fill(self) -> HubSettings:
        if not self.grader:
            self.grader = f"grader-{self.course_id}"
        if not _NAME.match(self.grader):
            raise ValueError(f"grader account {self.grader!r} is not a valid user name")
        staff = set(self.instructors) | set(self.assistants) | {self.grader}
        overlap = set(self.students) & staff
        if overlap:
            raise ValueError(f"{sorted(overlap)[0]!r} is both a student and an instructor")
        both = set(self.instructors) & set(self.assistants)
        if both:
            raise ValueError(f"{sorted(both)[0]!r} is both an instructor and an assistant")
        self.hub_dir = self.hub_dir.resolve()
        if self.course_dir is None:
            self.course_dir = (self.hub_dir / "course") if self.users == "trial" \
                else Path("/home") / self.grader / self.course_id
        if self.exchange_dir is None:
            self.exchange_dir = self.hub_dir / "exchange"
        if self.authenticator == "shared" and (len(self.password) < 8 or len(self.admin_password) < 32):
            raise ValueError("the shared-password login needs a password of 8 characters or "
                             "more and an instructors' password of 32 or more")
        return self

    # --- who is who -------------------------------------------------------------------
    @property
    def staff(self) -> list[str]:
        """Everyone who grades: instructors, then assistants."""
        return [*self.instructors, *self.assistants]

    @property
    def formgrade_group(self) -> str:
        """The hub group nbgrader reads as the course's instructors and graders."""
        return f"formgrade-{self.course_id}"

    @property
    def student_group(self) -> str:
        """The hub group nbgrader reads as the course's students."""
        return f"nbgrader-{self.course_id}"

    @property
    def shared_config_dir(self) -> Path:
        """Jupyter configuration every user's server reads (``JUPYTER_CONFIG_PATH``)."""
        return self.hub_dir / "etc" / "jupyter"

    def home(self, user: str) -> Path:
        """Where ``user``'s server starts."""
        if self.users == "trial":
            return self.hub_dir / "home" / user
        return Path("/home") / user

    # --- file -------------------------------------------------------------------------
    def save(self) -> Path:
        self.hub_dir.mkdir(parents=True, exist_ok=True)
        path = self.hub_dir / SETTINGS_NAME
        path.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        path.chmod(0o600)  # it may hold the gradebook's password
        return path


def load_settings(path: Path | str) -> HubSettings:
    """Read ``hub.json`` (or the ``hub.json`` inside a folder); one-line errors."""
    path = Path(path)
    if path.is_dir():
        path = path / SETTINGS_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HubSettingsError(f"no hub settings at {path}; run 'bana course hub' first") from None
    except (OSError, ValueError) as exc:
        raise HubSettingsError(f"cannot read {path}: {exc}") from None
    try:
        return HubSettings.model_validate(data)
    except ValidationError as exc:
        raise HubSettingsError(f"{path}: {first_error(exc, whole='settings')}") from None
