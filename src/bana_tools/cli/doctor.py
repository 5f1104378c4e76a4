"""``bana doctor``: check that widgets, nbgrader and the kernel work in this environment."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="diagnose the Jupyter setup (widgets, nbgrader, kernel, browser for tests)",
        description="Check the setup a student needs. Exit 0 when healthy, 1 when broken.",
    )
    parser.add_argument("--json", action="store_true", help="print findings as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bana_tools import doctor

    findings = doctor.run_all()
    code = doctor.exit_code(findings)
    if args.json:
        print(json.dumps({"healthy": code == 0, "findings": [asdict(f) for f in findings]}, indent=2))
        return code
    width = max(len(f.name) for f in findings)
    for f in findings:
        fix = f"  -> fix: {f.fix}" if f.fix and f.status != "ok" else ""
        print(f"[{MARKS[f.status]}] {f.name:<{width}}  {f.detail}{fix}")
    problems = sum(f.status == "fail" for f in findings)
    print("healthy" if code == 0 else f"{problems} problem(s) a student needs fixed: see '-> fix:' above")
    return code
