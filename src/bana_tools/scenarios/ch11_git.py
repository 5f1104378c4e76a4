"""Scenario of ``ch11-git``: a CI workflow and a branch's test history, per student.

``data`` gives each student (the seed comes from their id):

* ``workflow``: the text of a GitHub Actions workflow for the readmission repository, in the
  style of ``book/part4/ci-readmission.yml``, with six of the nine jobs of ``JOBS`` (the
  options of the declaration's question), each with its own ``if`` condition, ``needs`` and
  build matrix, and one step whose action has no version;
* ``event``: the pull request the student reasons about, as the ``github`` context would
  describe it (``event_name``, ``ref``, ``base_ref``, ``head_ref``);
* ``commits``: the branch's commits, oldest first (``position``, ``commit`` (40 hex
  characters), ``author``, ``message``);
* ``results``: the test results CI recorded for every commit (``commit``, ``attempt``,
  ``test``, ``outcome``). A commit with a failure on attempt 1 was re-run once (attempt 2).

``solve`` works only from that data: it parses the workflow text with PyYAML and evaluates
the jobs' conditions against the event (the way GitHub does for the expressions used here:
``==``, ``!=``, ``&&``, ``||``, ``startsWith``; a job whose ``needs`` did not run is
skipped), counts matrix combinations (``exclude`` removes combinations), and reads the test
history with pandas.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
from fnmatch import fnmatch
from typing import Any

from bana_tools.exercises.ch11_git import JOBS, TESTS
from bana_tools.grading.results import Outcome

_CHECKOUT = "actions/checkout@v4"
_PYTHON = "actions/setup-python@v5"
_INSTALL = 'pip install -c constraints.txt -e ".[dev]"'

#: job -> its steps: ("uses", action, with) or ("run", name, command).
_STEPS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "lint": (("uses", _CHECKOUT, ""), ("uses", _PYTHON, "py"), ("run", "Install ruff", "pip install ruff"),
             ("run", "Lint", "ruff check src tests")),
    "unit-tests": (("uses", _CHECKOUT, ""), ("uses", _PYTHON, "py"), ("run", "Install", _INSTALL),
                   ("run", "Unit tests", "pytest tests/unit -q")),
    "data-tests": (("uses", _CHECKOUT, ""), ("uses", _PYTHON, "py"), ("run", "Install", _INSTALL),
                   ("run", "Data validation tests", "pytest tests/data -q")),
    "model-gate": (("uses", _CHECKOUT, ""), ("uses", _PYTHON, "py"), ("run", "Install", _INSTALL),
                   ("run", "Small model against the LACE baseline",
                    "python -m readmission.train --rows 3000 --seed 1 --fail-below-baseline")),
    "evaluate": (("uses", _CHECKOUT, ""), ("uses", _PYTHON, "py"), ("run", "Install", _INSTALL),
                 ("run", "Retrain on the synthetic sample",
                  "python -m readmission.train --rows 20000 --seed 7 --report report.json"),
                 ("uses", "actions/upload-artifact@v4", "artifact")),
    "build-image": (("uses", _CHECKOUT, ""), ("uses", "docker/setup-buildx-action@v3", ""),
                    ("uses", "docker/build-push-action@v6", "image")),
    "deploy-staging": (("uses", _CHECKOUT, ""), ("run", "Deploy to staging", "./deploy.sh staging"),
                       ("run", "Service tests against staging", "pytest tests/service -q --base-url $STAGING_URL")),
    "drift-check": (("uses", _CHECKOUT, ""), ("uses", _PYTHON, "py"), ("run", "Install", _INSTALL),
                    ("run", "Drift of yesterday's discharges", "python -m readmission.drift --since yesterday")),
    "docs": (("uses", _CHECKOUT, ""), ("uses", _PYTHON, "py"), ("run", "Install", "pip install jupyter-book"),
             ("run", "Build the book", "jupyter-book build book")),
}

#: Conditions a job may carry; None is "no condition".
_CONDITIONS: tuple[str | None, ...] = (
    None, None, None, None,
    "github.event_name == 'pull_request'",
    "github.event_name == 'push'",
    "github.ref == 'refs/heads/main'",
    "github.event_name != 'schedule'",
    "github.base_ref == 'main'",
    "github.event_name == 'push' && github.ref == 'refs/heads/main'",
    "startsWith(github.head_ref, 'feature/')",
    "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'",
)
_MATRIX_JOBS = ("lint", "unit-tests", "data-tests", "model-gate", "docs")
_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
_OSES = ("ubuntu-latest", "windows-latest", "macos-latest")

_MESSAGES = (
    "Add LACE acuity points", "Add LACE comorbidity points", "Document the label definition",
    "Validate sodium units at ingestion", "Refuse unknown payer codes in the service",
    "Pin scikit-learn in constraints.txt", "Add long_stay as a separate feature",
    "Move the threshold into config.yaml", "Log the model version with every score",
    "Speed up the data tests with a 500-row sample", "Rename prior_admissions to prior_admissions_12m",
    "Compute emergency visits over six months", "Add a directional test for prior admissions",
    "Drop the patient id before training", "Update the model card for version 3",
    "Cache the fitted pipeline between tests",
)
_AUTHORS = ("Ada Analyst", "Ben Builder", "Cleo Clinician", "Dev Ops")
_BRANCHES = ("feature/los-points", "feature/long-stay", "feature/payer-codes", "fix/sodium-units",
             "fix/age-bands", "feature/ed-visits")


# --------------------------------------------------------------------------- the workflow


def _job_yaml(name: str, cond: str | None, needs: list[str], matrix: dict[str, Any] | None,
              unpinned: int | None) -> list[str]:
    lines = [f"  {name}:"]
    if needs:
        lines.append(f"    needs: {needs[0]}" if len(needs) == 1 else f"    needs: [{', '.join(needs)}]")
    if cond:
        lines.append(f"    if: {cond}")
    has_os = bool(matrix and "os" in matrix)
    lines.append("    runs-on: ${{ matrix.os }}" if has_os else "    runs-on: ubuntu-latest")
    if matrix:
        lines += ["    strategy:", "      matrix:"]
        versions = ", ".join(f'"{v}"' for v in matrix["python-version"])
        lines.append(f"        python-version: [{versions}]")
        if has_os:
            lines.append(f"        os: [{', '.join(matrix['os'])}]")
        if matrix.get("exclude"):
            lines.append("        exclude:")
            for combo in matrix["exclude"]:
                lines.append(f"          - os: {combo['os']}")
                lines.append(f"            python-version: \"{combo['python-version']}\"")
    lines.append("    steps:")
    for index, (kind, what, extra) in enumerate(_STEPS[name]):
        if kind == "uses":
            action = what.split("@")[0] if index == unpinned else what
            lines.append(f"      - uses: {action}")
            if extra == "py":
                version = "${{ matrix.python-version }}" if matrix else '"3.12"'
                lines += ["        with:", f"          python-version: {version}", "          cache: pip"]
            elif extra == "artifact":
                lines += ["        with:", "          name: evaluation-report", "          path: report.json"]
            elif extra == "image":
                lines += ["        with:", "          push: false", "          tags: readmission-scorer:ci"]
        else:
            lines += [f"      - name: {what}", f"        run: {extra}"]
    return lines


def _workflow(rng: random.Random) -> tuple[str, list[str]]:
    """A workflow text and its job names."""
    chosen = set(rng.sample(JOBS, 6))
    jobs = [j for j in JOBS if j in chosen]
    lines = ["# .github/workflows/ci.yml -- continuous integration for the readmission project.",
             "name: readmission-ci", "", "on:", "  push:", "    branches: [main]", "  pull_request:"]
    if rng.random() < 0.5:
        lines.append("    branches: [main]")
    if rng.random() < 0.6:
        lines += ["  schedule:", '    - cron: "0 3 * * *"']
    if rng.random() < 0.4:
        lines.append("  workflow_dispatch:")
    lines += ["", "permissions:", "  contents: read", "", "jobs:"]
    unpinned_job = rng.choice(jobs)
    for position, name in enumerate(jobs):
        earlier = jobs[:position]
        needs = rng.sample(earlier, min(len(earlier), rng.choice((1, 1, 2)))) if earlier and rng.random() < 0.45 else []
        needs = [j for j in jobs if j in needs]
        matrix = None
        if name in _MATRIX_JOBS and rng.random() < 0.6:
            versions = sorted(rng.sample(_PYTHONS, rng.choice((2, 2, 3))))
            matrix = {"python-version": versions}
            if rng.random() < 0.45:
                oses = sorted(rng.sample(_OSES, 2))
                matrix["os"] = oses
                if rng.random() < 0.5:
                    matrix["exclude"] = [{"os": rng.choice(oses), "python-version": rng.choice(versions)}]
        uses = [i for i, step in enumerate(_STEPS[name]) if step[0] == "uses"]
        unpinned = rng.choice(uses) if name == unpinned_job else None
        if position:
            lines.append("")
        lines += _job_yaml(name, rng.choice(_CONDITIONS), needs, matrix, unpinned)
    return "\n".join(lines) + "\n", jobs


def parse_workflow(text: str) -> dict[str, Any]:
    """The workflow as a dict, with YAML 1.1's boolean key ``True`` renamed back to ``on``."""
    import yaml

    workflow = yaml.safe_load(text)
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


_ATOM = re.compile(r"""^\s*(?:(?P<left>[\w.]+)\s*(?P<op>==|!=)\s*'(?P<right>[^']*)'"""
                   r"""|startsWith\(\s*(?P<subject>[\w.]+)\s*,\s*'(?P<prefix>[^']*)'\s*\))\s*$""")


def evaluate_condition(condition: Any, context: dict[str, str]) -> bool:
    """Evaluate a job's ``if`` (the subset of GitHub's expression syntax used here) against
    ``context`` (``{"github.event_name": ..., ...}``). No condition is true."""
    if condition is None or condition == "":
        return True
    if isinstance(condition, bool):
        return condition
    text = str(condition).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    results = []
    for alternative in text.split("||"):
        ok = True
        for atom in alternative.split("&&"):
            match = _ATOM.match(atom)
            if match is None:
                raise ValueError(f"unsupported expression: {atom.strip()!r}")
            if match["op"]:
                value = context.get(match["left"], "")
                ok &= (value == match["right"]) if match["op"] == "==" else (value != match["right"])
            else:
                ok &= context.get(match["subject"], "").startswith(match["prefix"])
        results.append(ok)
    return any(results)


def _context(event: dict[str, str]) -> dict[str, str]:
    return {f"github.{k}": str(v) for k, v in event.items()}


def _triggered(workflow: dict[str, Any], event: dict[str, str]) -> bool:
    triggers = workflow.get("on")
    name = event["event_name"]
    if isinstance(triggers, str):
        return triggers == name
    if isinstance(triggers, list):
        return name in triggers
    if not isinstance(triggers, dict) or name not in triggers:
        return False
    spec = triggers[name] or {}
    branches = spec.get("branches") if isinstance(spec, dict) else None
    if branches and name == "pull_request":
        return any(fnmatch(event["base_ref"], pattern) for pattern in branches)
    return True


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def jobs_that_run(workflow: dict[str, Any], event: dict[str, str]) -> list[str]:
    """The jobs that run for ``event``, in file order: the workflow is triggered, the job's
    condition holds, and every job it needs ran."""
    if not _triggered(workflow, event):
        return []
    jobs = workflow["jobs"]
    context = _context(event)
    memo: dict[str, bool] = {}

    def runs(name: str) -> bool:
        if name not in memo:
            job = jobs[name]
            memo[name] = evaluate_condition(job.get("if"), context) and all(runs(n) for n in _needs(job))
        return memo[name]

    return [name for name in jobs if runs(name)]


def matrix_size(job: dict[str, Any]) -> int:
    """Number of runs of ``job``: combinations of its matrix minus the excluded ones (1
    without a matrix)."""
    matrix = dict((job.get("strategy") or {}).get("matrix") or {})
    exclude = matrix.pop("exclude", []) or []
    if matrix.pop("include", None):
        raise ValueError("matrix include is not supported here")
    if not matrix:
        return 1
    keys = list(matrix)
    combos = [dict(zip(keys, values, strict=True)) for values in itertools.product(*(matrix[k] for k in keys))]

    def excluded(combo: dict[str, Any]) -> bool:
        return any(all(str(combo.get(k)) == str(v) for k, v in rule.items()) for rule in exclude)

    return sum(1 for combo in combos if not excluded(combo))


def unpinned_jobs(workflow: dict[str, Any]) -> list[str]:
    """Jobs with a step whose action names no version (no ``@``)."""
    return [name for name, job in workflow["jobs"].items()
            if any("uses" in step and "@" not in str(step["uses"]) for step in job.get("steps") or [])]


# --------------------------------------------------------------------------- the test history


def _history(rng: random.Random, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    n = rng.randint(10, 14)
    messages = rng.sample(_MESSAGES, n)
    commits = []
    for position, message in enumerate(messages, start=1):
        digest = hashlib.sha1(f"bana-ch11:{seed}:{position}:{message}".encode()).hexdigest()
        commits.append({"position": position, "commit": digest, "author": rng.choice(_AUTHORS),
                        "message": message})
    broken_at = rng.randint(4, n - 2)                      # red from here to the tip
    tests = list(TESTS)
    rng.shuffle(tests)
    n_regressions = rng.choice((1, 1, 2))
    regressions, flaky = tests[:n_regressions], tests[n_regressions]
    early = tests[n_regressions + 1] if rng.random() < 0.75 else None
    early_from = rng.randint(1, broken_at - 3) if early else 0
    early_to = rng.randint(early_from, min(early_from + 2, broken_at - 2)) if early else -1
    flaky_at = set(rng.sample(range(1, n + 1), rng.randint(2, 4)))

    results = []
    for c in commits:
        p = c["position"]

        def fails(test: str, attempt: int, p: int = p) -> bool:
            if test in regressions:
                return p >= broken_at
            if test == early:
                return early_from <= p <= early_to
            return test == flaky and attempt == 1 and p in flaky_at

        first = {t: fails(t, 1) for t in TESTS}
        attempts = (1, 2) if any(first.values()) else (1,)
        for attempt in attempts:
            for test in TESTS:
                results.append({"commit": c["commit"], "attempt": attempt, "test": test,
                                "outcome": "failed" if fails(test, attempt) else "passed"})
    return commits, results


# --------------------------------------------------------------------------- data and solve


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The student's workflow, the pull-request event, and the branch's test history."""
    import pandas as pd

    rng = random.Random(f"ch11-git:{seed}")
    event: dict[str, str] = {}
    for _ in range(200):            # a workflow in which some, but not all, jobs run on the PR
        text, jobs = _workflow(rng)
        number = rng.randint(12, 240)
        event = {"event_name": "pull_request", "ref": f"refs/pull/{number}/merge",
                 "base_ref": "main", "head_ref": rng.choice(_BRANCHES)}
        running = jobs_that_run(parse_workflow(text), event)
        if 2 <= len(running) <= len(jobs) - 2:
            break
    commits, results = _history(rng, seed)
    return {
        "workflow": text,
        "event": event,
        "commits": pd.DataFrame(commits),
        "results": pd.DataFrame(results),
    }


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """Expected answers, from the data alone."""
    frames = data(params, seed)
    workflow = parse_workflow(frames["workflow"])
    running = jobs_that_run(workflow, frames["event"])
    unpinned = unpinned_jobs(workflow)

    commits, results = frames["commits"].sort_values("position"), frames["results"]
    final = results[results.attempt == results.groupby("commit").attempt.transform("max")]
    red = final[final.outcome == "failed"]
    tip = commits.commit.iloc[-1]
    still_red = set(red.loc[red.commit == tip, "test"])
    order = list(commits.commit)
    red_by_commit = red.groupby("commit").test.apply(set).to_dict()
    start = len(order) - 1
    while start > 0 and still_red <= red_by_commit.get(order[start - 1], set()):
        start -= 1
    per_commit = results.pivot_table(index=["commit", "test"], columns="attempt", values="outcome",
                                     aggfunc="first")
    flaky = sorted({test for (_, test), row in per_commit.iterrows()
                    if row.get(1) == "failed" and row.get(2) == "passed"})
    return {
        "jobs_on_pr": running,
        "job_runs_on_pr": sum(matrix_size(workflow["jobs"][j]) for j in running),
        "unpinned_job": unpinned[0] if len(unpinned) == 1 else "",
        "breaking_commit": order[start],
        "red_commits": int(red.commit.nunique()),
        "flaky_test": flaky[0] if len(flaky) == 1 else "",
        "_still_red": sorted(still_red),
    }


def commit_check(answers: dict[str, Any], *, exercise: Any, question: str,
                 min_chars: int = 7) -> Outcome:
    """A commit hash, or an unambiguous prefix of at least ``min_chars`` characters, of the
    commit the student's data calls for."""
    from bana_tools.scenarios import expected_for

    label = exercise.question(question).label
    given = "".join(str(answers.get(question) or "").split()).lower()
    if not given:
        return Outcome(0.0, f"{label}: not entered yet.")
    if not re.fullmatch(r"[0-9a-f]+", given) or len(given) < min_chars:
        return Outcome(0.0, f"{label}: give the commit's hash, at least its first {min_chars} "
                            "characters (0-9 and a-f).")
    values = expected_for(exercise, answers)
    if values is None:
        return Outcome(0.0, f"{label}: enter your student id in the form first: your data, "
                            "and so the expected commit, depend on it.")
    if str(values[question]).startswith(given):
        return Outcome(1.0, f"{label}: the commit your data points to.")
    return Outcome(0.0, f"{label}: not the commit your data points to; look for where the tests "
                        "that still fail at the tip started failing for good.")


CHECKS = {"commit_hash": commit_check}
