"""``bana data``: deterministic files, one-line errors with exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bana_tools.cli.main import COMMAND_MODULES, main
from bana_tools.data.readmissions import COLUMNS, generate_readmissions


def bana(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bana_tools", *args], capture_output=True,
                          text=True, timeout=120)


def test_module_is_registered() -> None:
    assert "bana_tools.cli.data" in COMMAND_MODULES


def test_readmission_file_is_the_same_bytes_for_a_seed(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    assert main(["data", "readmission", "--rows", "1500", "--seed", "8", "--out", str(first)]) == 0
    assert main(["data", "readmission", "--rows", "1500", "--seed", "8", "--out", str(second)]) == 0
    assert main(["data", "readmission", "--rows", "1500", "--seed", "9", "--out", str(other)]) == 0
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()
    df = pd.read_csv(first)
    assert list(df.columns) == list(COLUMNS) and len(df) == 1500
    expected = generate_readmissions(1500, 8).to_csv(index=False, lineterminator="\n")
    assert first.read_text() == expected


def test_readmission_with_shift_differs_from_reference(tmp_path: Path) -> None:
    ref, moved = tmp_path / "ref.csv", tmp_path / "moved.csv"
    main(["data", "readmission", "--rows", "2000", "--seed", "1", "--out", str(ref)])
    code = main(["data", "readmission", "--rows", "2000", "--seed", "1", "--out", str(moved),
                 "--shift", "both", "--shift-strength", "2"])
    assert code == 0
    assert pd.read_csv(moved)["age"].mean() > pd.read_csv(ref)["age"].mean()


def test_requests_file(tmp_path: Path) -> None:
    out = tmp_path / "log.csv"
    assert main(["data", "requests", "--rows", "800", "--seed", "2", "--out", str(out)]) == 0
    log = pd.read_csv(out, parse_dates=["timestamp"])
    assert len(log) == 800 and {"latency_ms", "status", "model_version"} <= set(log.columns)


def test_stdout_and_card(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "readmission", "--rows", "3", "--out", "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("encounter_id,patient_id,") and len(lines) == 4
    assert main(["data", "card"]) == 0
    assert "# Data card" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--rows", "-5"], "must be zero or more"),
        (["--rows", "many"], "must be a whole number"),
        (["--seed", "-1"], "must be zero or more"),
        (["--shift", "seasonal"], "invalid choice"),
        (["--shift", "concept", "--shift-strength", "9"], "between 0 and 3"),
        (["--out", "{missing}/x.csv"], "does not exist"),
        (["--out", "{file}/x.csv"], "does not exist"),
        (["--out", "{dir}"], "is a folder"),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(tmp_path: Path, args: list[str], needle: str) -> None:
    blocker = tmp_path / "plain.txt"
    blocker.write_text("not a folder")
    places = {"missing": str(tmp_path / "nope"), "file": str(blocker), "dir": str(tmp_path)}
    args = [a.format(**places) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "x.csv")]
    result = bana("data", "readmission", "--rows", "10", *args) if "--rows" not in args else bana(
        "data", "readmission", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_requests_bad_days_is_one_line() -> None:
    result = bana("data", "requests", "--rows", "10", "--days", "0", "--out", "-")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--days" in result.stderr


def test_missing_dataset_is_one_line() -> None:
    result = bana("data")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
