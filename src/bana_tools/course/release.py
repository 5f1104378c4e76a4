"""Keep the committed student notebooks (``exercises/``) equal to nbgrader's release.

``bana course release [--check]`` copies ``autograding/nbgrader_config.py`` and
``autograding/source`` to a temporary course, runs ``nbgrader generate_assignment`` for
every assignment there, and compares each release notebook with
``exercises/<assignment>/<exercise>.ipynb``: with ``--check`` it reports the ones that
differ (a test runs this), without it it copies the release notebooks over them.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bana_tools.course import layout


def release_notebooks(course: Path, workdir: Path) -> dict[str, Path]:
    """Run ``generate_assignment`` on a copy of ``course``; ``relative path -> release file``."""
    from bana_tools.course.nbgrader_run import run_nbgrader

    work = workdir / "course"
    work.mkdir(parents=True)
    shutil.copy(course / "nbgrader_config.py", work / "nbgrader_config.py")
    shutil.copytree(course / "source", work / "source")
    found: dict[str, Path] = {}
    for assignment in sorted(p.name for p in (work / "source").iterdir() if p.is_dir()):
        run_nbgrader(work, ["generate_assignment", assignment, "--force",
                            f"--Exchange.root={workdir / 'exchange'}"])
        for nb in sorted((work / "release" / assignment).glob("*.ipynb")):
            found[f"{assignment}/{nb.name}"] = nb
    return found


def sync_release(course: Path | None = None, exercises: Path | None = None,
                 check: bool = False) -> list[Path]:
    """Paths in ``exercises`` that differ from the release (written unless ``check``)."""
    root = layout.repo_root()
    course = course or root / layout.AUTOGRADING_DIRNAME
    exercises = exercises or root / layout.EXERCISES_DIRNAME
    changed: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="bana-release-") as tmp:
        for rel, nb in release_notebooks(course, Path(tmp)).items():
            target = exercises / rel
            new = nb.read_bytes()
            if not target.exists() or target.read_bytes() != new:
                changed.append(target)
                if not check:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(new)
    return changed
