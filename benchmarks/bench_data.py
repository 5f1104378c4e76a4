"""Benchmark: generating synthetic readmission data, vectorised against a per-row loop.

Run: ``.venv/bin/python benchmarks/bench_data.py [--rows 1000000] [--naive-rows 20000]``

Prints, side by side, the wall time, rows per second and peak traced memory of

- ``generate_readmissions`` (numpy, vectorised) for ``--rows`` rows, and of writing them as
  CSV; and
- a naive baseline: the same generative steps written as a Python loop over rows with the
  standard ``random`` module, building a list of dicts and then a DataFrame -- what a
  first, straightforward implementation looks like. It runs on ``--naive-rows`` rows and
  its time and memory are scaled linearly to ``--rows`` (both grow linearly in the row
  count), so the comparison is like for like without waiting minutes.

Each measurement runs in a fresh interpreter; peak memory is that process's peak resident
set size (``resource.getrusage``) minus the peak of a process that only imports the
libraries, so it counts what the task allocates. (``tracemalloc`` was tried first: it
slows pandas' per-element string work more than tenfold and distorts the times.)
"""

from __future__ import annotations

import argparse
import io
import json
import math
import platform
import random
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from bana_tools.data.readmissions import CONDITIONS, DISPOSITIONS, PAYERS, generate_readmissions


def naive_generate(rows: int, seed: int) -> pd.DataFrame:
    """The baseline: one Python loop iteration per discharge (same steps, no numpy)."""
    rnd = random.Random(seed)
    payer_p = [0.45, 0.20, 0.29, 0.06]
    cond_p = [0.05, 0.08, 0.07, 0.06, 0.06, 0.02, 0.66]
    emergent_p = [0.95, 0.88, 0.90, 0.90, 0.03, 0.35, 0.62]
    los_mean = [4.2, 5.0, 4.8, 4.2, 2.3, 8.0, 4.2]

    def poisson(lam: float) -> int:
        # Knuth's multiplication method: fine for the small means used here
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rnd.random()
            if p <= limit:
                return k
            k += 1

    records: list[dict[str, Any]] = []
    for i in range(rows):
        z = rnd.gauss(0, 1)
        payer = rnd.choices(range(4), payer_p)[0]
        u = rnd.gauss(0, 1)
        raw_age = 66 + abs(11 * u + 3 * z) if payer == 0 else (42, 50, 40)[payer - 1] + 12 * u + 3 * z
        age = int(min(100, max(18, round(raw_age))))
        sex = "F" if rnd.random() < 0.55 else "M"
        cond = rnd.choices(range(7), cond_p)[0]
        emergent = int(rnd.random() < emergent_p[cond])
        charlson = min(15, poisson(math.exp(-0.35 + 0.028 * (age - 60) + 0.55 * z)))
        ed = min(20, poisson(math.exp(-1.35 + 0.55 * z)))
        prior = min(15, poisson(math.exp(-1.1 + 0.55 * z + 0.06 * charlson)))
        los = min(60, max(1, math.ceil(rnd.gammavariate(2.2, los_mean[cond] / 2.2))))
        disp = rnd.choices(range(5), (0.66, 0.21, 0.07, 0.05, 0.01))[0]
        follow = int(rnd.random() < 0.6)
        hb = round(min(18.5, max(6.0, 13.4 - 0.6 * z + 1.4 * rnd.gauss(0, 1))), 1)
        na = int(round(min(156, max(118, 139.5 - 0.8 * z + 3.2 * rnd.gauss(0, 1)))))
        logit = (-3.37 + 0.36 * math.log(los) + 0.38 * emergent + 0.15 * min(charlson, 8)
                 + 0.26 * min(ed, 6) + 0.22 * min(prior, 6) + 0.01 * (age - 60)
                 - 0.3 * follow + 0.45 * rnd.gauss(0, 1) + 0.25 * z)
        readmitted = int(rnd.random() < 1 / (1 + math.exp(-logit)))
        records.append({
            "patient_id": f"P{i + 1:07d}", "age": age, "sex": sex, "payer": PAYERS[payer],
            "condition": CONDITIONS[cond], "emergent": emergent, "length_of_stay": los,
            "charlson": charlson, "ed_visits_6m": ed, "prior_admissions_12m": prior,
            "discharge_disposition": DISPOSITIONS[disp], "followup_scheduled": follow,
            "hemoglobin": hb, "sodium": na, "readmitted_30d": readmitted,
        })
    return pd.DataFrame.from_records(records)


def _child(task: str, rows: int, seed: int) -> dict[str, float]:
    """Run one task in this (fresh) process: wall seconds and peak RSS in MiB."""
    generate_readmissions(100, 0)  # import and warm up, as in real use
    start = time.perf_counter()
    if task == "vectorised":
        generate_readmissions(rows, seed)
    elif task == "csv":
        df = generate_readmissions(rows, seed)
        start = time.perf_counter()
        df.to_csv(io.StringIO(), index=False, lineterminator="\n")
    elif task == "naive":
        naive_generate(rows, seed)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": seconds, "peak_mib": peak}


def run_child(task: str, rows: int, seed: int) -> dict[str, float]:
    """Run ``task`` in a fresh interpreter so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", task, "--rows", str(rows), "--seed", str(seed)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", choices=("baseline", "vectorised", "csv", "naive"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.rows, args.seed)))
        return 0

    base = run_child("baseline", 0, args.seed)["peak_mib"]
    vec = run_child("vectorised", args.rows, args.seed)
    csv = run_child("csv", args.rows, args.seed)
    naive = run_child("naive", args.naive_rows, args.seed)
    scale = args.rows / args.naive_rows
    rate = float(generate_readmissions(args.naive_rows, args.seed)["readmitted_30d"].mean())
    naive_rate = float(naive_generate(args.naive_rows, args.seed)["readmitted_30d"].mean())
    figures = {
        "rows": args.rows,
        "baseline_peak_mib": base,
        "vectorised": {"seconds": vec["seconds"], "rows_per_s": args.rows / vec["seconds"],
                       "peak_mib": vec["peak_mib"] - base},
        "vectorised_plus_csv": {"seconds": csv["seconds"], "rows_per_s": args.rows / csv["seconds"],
                                "peak_mib": csv["peak_mib"] - base},
        "naive_loop": {
            "measured_rows": args.naive_rows,
            "seconds": naive["seconds"] * scale,
            "rows_per_s": args.naive_rows / naive["seconds"],
            "peak_mib": (naive["peak_mib"] - base) * scale,
        },
        "readmission_rate": rate,
        "naive_readmission_rate": naive_rate,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    figures["speed_up"] = figures["naive_loop"]["seconds"] / figures["vectorised"]["seconds"]
    figures["memory_ratio"] = figures["naive_loop"]["peak_mib"] / max(
        figures["vectorised"]["peak_mib"], 1e-9)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    out = io.StringIO()
    out.write(f"Generating {args.rows:,} synthetic discharges (seed {args.seed}); "
              f"Python {figures['python']}, numpy {figures['numpy']}, pandas {figures['pandas']}\n"
              f"peak MiB = peak resident memory of a fresh process minus {base:.0f} MiB for the "
              "interpreter with numpy, pandas and bana_tools loaded\n\n")
    out.write(f"{'':36}{'time (s)':>10}{'rows/s':>14}{'peak MiB':>11}\n")
    rows = [
        ("generate_readmissions (vectorised)", figures["vectorised"]),
        ("write those rows as CSV", figures["vectorised_plus_csv"]),
        (f"naive per-row loop (x{scale:g} of {args.naive_rows:,})", figures["naive_loop"]),
    ]
    for name, f in rows:
        out.write(f"{name:36}{f['seconds']:>10.2f}{f['rows_per_s']:>14,.0f}{f['peak_mib']:>11.0f}\n")
    out.write(f"\nvectorised generation is {figures['speed_up']:.0f}x faster than the loop and "
              f"peaks at {figures['vectorised']['peak_mib']:.0f} MiB against the loop's "
              f"{figures['naive_loop']['peak_mib']:.0f} MiB (ratio {figures['memory_ratio']:.2f}); "
              "readmission rate on "
              f"{args.naive_rows:,} rows {rate:.3f} (loop {naive_rate:.3f}, simplified model).\n")
    print(out.getvalue(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
