"""``bana data``: write synthetic course data to CSV.

- ``bana data readmission --rows N --seed S --out FILE.csv [--shift covariate|concept|both]
  [--shift-strength X]``: discharges with a 30-day readmission label.
- ``bana data requests --rows N --seed S --out FILE.csv``: a request log of the deployed
  model.
- ``bana data card``: print the data card (Markdown).

The same arguments always write the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

MAX_ROWS = 50_000_000


def _whole(text: str) -> int:
    """A whole number, zero or more (``1_000`` is fine)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more, not {value}")
    return value


def _rows(text: str) -> int:
    value = _whole(text)
    if value > MAX_ROWS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_ROWS:,}, not {value:,}")
    return value


def _strength(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
    if not 0.0 <= value <= 3.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 3, not {text}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "data",
        help="write synthetic readmission data or a model request log to CSV",
        description="Write the course's synthetic data to CSV (deterministic for a seed).",
    )
    kinds = parser.add_subparsers(title="datasets", dest="dataset", metavar="DATASET")
    kinds.required = True

    readm = kinds.add_parser(
        "readmission",
        help="hospital discharges with a 30-day readmission label",
        description="Write synthetic discharges (see 'bana data card' for the data card).",
    )
    readm.add_argument("--rows", type=_rows, default=10_000, help="number of discharges (default 10000)")
    readm.add_argument("--seed", type=_whole, default=0, help="random seed (default 0)")
    readm.add_argument("--out", required=True, help="CSV file to write ('-' for stdout)")
    readm.add_argument("--shift", choices=("covariate", "concept", "both"), default=None,
                       help="drift away from the reference hospital")
    readm.add_argument("--shift-strength", type=_strength, default=1.0,
                       help="magnitude of the shift, 0-3 (default 1)")
    readm.set_defaults(func=run)

    reqs = kinds.add_parser(
        "requests",
        help="request log of the deployed model (timestamps, latency, status)",
        description="Write a synthetic request log of the deployed readmission model.",
    )
    reqs.add_argument("--rows", type=_rows, default=5000, help="number of requests (default 5000)")
    reqs.add_argument("--seed", type=_whole, default=0, help="random seed (default 0)")
    reqs.add_argument("--days", type=float, default=7.0, help="length of the period in days (default 7)")
    reqs.add_argument("--out", required=True, help="CSV file to write ('-' for stdout)")
    reqs.set_defaults(func=run)

    card = kinds.add_parser("card", help="print the data card (Markdown)")
    card.set_defaults(func=run)


def _check_out(out: str) -> Path | None:
    from bana_tools.cli.output import writable_output

    if out == "-":
        return None
    return writable_output(out)


def run(args: argparse.Namespace) -> int:
    from bana_tools.cli.main import CliError

    if args.dataset == "card":
        from bana_tools.data.card import data_card

        sys.stdout.write(data_card())
        return 0

    path = _check_out(args.out)
    if args.dataset == "readmission":
        from bana_tools.data.readmissions import generate_readmissions

        df = generate_readmissions(args.rows, args.seed, shift=args.shift,
                                   shift_strength=args.shift_strength)
    else:
        if not 0 < args.days <= 366:
            raise CliError(f"--days must be more than 0 and at most 366, not {args.days:g}")
        from bana_tools.data.requests import request_log

        df = request_log(args.rows, args.seed, days=args.days)

    if path is None:
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    try:
        df.to_csv(path, index=False, lineterminator="\n")
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"wrote {len(df):,} rows to {path}", file=sys.stderr)
    return 0
