"""Where a course's nbgrader settings and gradebook are, read as nbgrader reads them.

:func:`load_course_config` is the configuration ``nbgrader`` would use in the course
folder; :func:`course_db_url` the gradebook it names (SQLite or a server database), checked
to be there; :func:`submitted_students` who handed in an assignment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def load_course_config(course: Path) -> Any:
    """The configuration ``nbgrader`` would use in ``course`` (its config files, merged)."""
    from nbgrader.apps.baseapp import NbGrader

    here = os.getcwd()
    os.chdir(course)
    try:
        app = NbGrader()
        app.load_config_file()
        return app.config
    finally:
        os.chdir(here)


def course_db_url(course: Path, config: Any) -> str:
    """The course gradebook's database URL: ``c.CourseDirectory.db_url`` if set (SQLite,
    PostgreSQL or any database nbgrader supports), else ``gradebook.db`` in the course.

    A relative SQLite path is taken from the course folder, as nbgrader (run there) does.
    Raises ``NbgraderFailed`` (one line) for an SQLite gradebook that does not exist, or a
    server that cannot be reached or has no gradebook.
    """
    from nbgrader.api import Gradebook

    from bana_tools.course.merge import sqlite_url
    from bana_tools.course.nbgrader_run import NbgraderFailed

    url = config.CourseDirectory.get("db_url", "") if "CourseDirectory" in config else ""
    if not url or url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):]) if url else Path("gradebook.db")
        path = path if path.is_absolute() else course / path
        if not path.exists():
            raise NbgraderFailed(f"no gradebook at {path}; run 'nbgrader generate_assignment' first")
        return sqlite_url(path)
    try:
        with Gradebook(url) as gb:
            gb.assignments  # noqa: B018 - one query: is the server there, with nbgrader's tables?
    except Exception as exc:  # noqa: BLE001 - any driver's error, told in one line
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NbgraderFailed(f"cannot open the gradebook at {_safe_url(url)}: {reason}") from None
    return url


def _safe_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy can parse: say so as given
        return url.split("@")[-1]


def submitted_students(course: Path, assignment: str) -> list[str]:
    """Students with a submission of ``assignment`` in ``course/submitted``."""
    base = course / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())
