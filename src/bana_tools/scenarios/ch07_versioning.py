"""Scenario of ``ch07-versioning``: one student's model registry and four training extracts.

Every student gets the registry of ``readmission-risk`` as a table of eight versions (the
table section 7.4.5 builds with ``registry_table()``, plus the validation metrics and the
content hash of each version's validation table) and four training extracts found on a
shared drive. The promotion rule of the exercise (:data:`RULE`, stated in the exercise's
introduction and in ``data()["rule"]``) picks the challenger that becomes ``champion``;
the extracts are matched to registry entries by their content hashes, computed with
:func:`bana_tools.ops.versioning.content_hash` as in section 7.4.7.

The registry is built so that the naive answer (the highest PR AUC) is wrong: the best
numbers belong to versions that fail one condition of the rule (still pending, failed,
scored on another validation table, no artifact checksum, or a lower ROC AUC). One extract
is the promoted version's training table; one is the same table with a single value changed
(a late readmission corrected one stay's label), so only the hash tells them apart.
"""

from __future__ import annotations

from typing import Any

#: The promotion rule, the same for every student.
RULE: dict[str, Any] = {
    "status": "passed",
    "min_pr_auc_gain": 0.010,
    "roc_auc_not_below_champion": True,
    "same_validation_table": True,
    "checksum_recorded": True,
}
VERSIONS = 8
EXTRACTS: tuple[str, ...] = ("A", "B", "C", "D")
_ROWS = 300

#: Why a version fails the rule (its role in the puzzle), with the status it shows.
_FAILS = ("pending", "failed", "other_valid", "no_checksum", "lower_roc")


def _tables(seed: int) -> tuple[list[Any], Any, Any, Any]:
    """Four training tables, one unrelated table and two validation tables."""
    from bana_tools.data.readmissions import generate_readmissions

    periods = [("2022-07-01", 182), ("2023-01-01", 181), ("2022-10-01", 273), ("2023-04-01", 91)]
    train = [generate_readmissions(_ROWS, seed + 11 * k + 1, start=start, days=days)
             for k, (start, days) in enumerate(periods)]
    unrelated = generate_readmissions(_ROWS, seed + 97, start="2023-07-01", days=91)
    valid = generate_readmissions(_ROWS, seed + 101, start="2023-07-01", days=92)
    newer = generate_readmissions(_ROWS, seed + 103, start="2023-10-01", days=92)
    return train, unrelated, valid, newer


def _build(params: dict[str, Any], seed: int) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    from bana_tools.ops.versioning import content_hash

    seed = int(seed)
    rng = np.random.default_rng([seed, 7])
    train, unrelated, valid, newer = _tables(seed)
    train_hash = [content_hash(t) for t in train]
    valid_hash, newer_hash = content_hash(valid), content_hash(newer)

    champ_pr = round(float(rng.uniform(0.26, 0.31)), 4)
    champ_roc = round(float(rng.uniform(0.69, 0.73)), 4)
    gain = float(RULE["min_pr_auc_gain"])
    winner_pr = champ_pr + float(rng.uniform(gain + 0.008, gain + 0.025))

    # roles of the seven versions other than the champion
    fails = list(rng.permutation(_FAILS))
    n_low = int(rng.integers(0, 3))                       # other eligible versions, below the winner
    roles: list[tuple[str, str]] = [("winner", "")]
    roles += [("decoy_high", fails[0]), ("decoy_high", fails[1]), ("decoy", fails[2])]
    roles += [("eligible", "")] * n_low
    roles += [("short", "")] * (7 - len(roles))

    used: set[float] = {champ_pr}

    def distinct(value: float) -> float:
        value = round(value, 4)
        while value in used:
            value = round(value + 0.0001, 4)
        used.add(value)
        return value

    entries: list[dict[str, Any]] = []
    a, b = (int(i) for i in rng.choice(4, size=2, replace=False))
    for role, fail in roles:
        if role == "winner":
            pr = winner_pr
        elif role == "decoy_high":
            pr = winner_pr + float(rng.uniform(0.003, 0.02))
        elif role == "eligible":
            pr = float(rng.uniform(champ_pr + gain + 0.001, winner_pr - 0.002))
        elif role == "short":
            pr = float(rng.uniform(champ_pr - 0.012, champ_pr + gain - 0.002))
        else:
            pr = float(rng.uniform(champ_pr - 0.01, winner_pr + 0.01))
        if fail == "lower_roc":
            roc = champ_roc - float(rng.uniform(0.004, 0.02))
        else:
            roc = champ_roc + float(rng.uniform(0.001, 0.015))
        entries.append({
            "role": role, "fail": fail, "val_pr_auc": distinct(pr), "val_roc_auc": round(roc, 4),
            "validation_status": {"pending": "pending", "failed": "failed"}.get(fail, "passed"),
            "data_valid": newer_hash if fail == "other_valid" else valid_hash,
            "has_checksum": fail != "no_checksum",
        })
    # the best-scoring decoy was trained on extract table b, the winner on table a
    entries[0]["table"] = a
    top_decoy = max((e for e in entries if e["role"] == "decoy_high"), key=lambda e: e["val_pr_auc"])
    top_decoy["table"] = b
    for e in entries:
        e.setdefault("table", int(rng.integers(0, 4)))

    champion = {"role": "champion", "fail": "", "val_pr_auc": champ_pr, "val_roc_auc": champ_roc,
                "validation_status": "passed", "data_valid": valid_hash, "has_checksum": True,
                "table": int(rng.integers(0, 4))}
    # versions older than the champion lost to it back then: none of them qualifies now.
    # The one just before it is the previous champion: passed, and a little weaker.
    shuffled = [entries[i] for i in rng.permutation(len(entries))]
    champ_at = int(rng.integers(1, 4))
    previous = next(e for e in shuffled if e["role"] == "short")
    used.discard(previous["val_pr_auc"])
    previous["val_pr_auc"] = distinct(champ_pr - float(rng.uniform(0.002, 0.012)))
    older = [e for e in shuffled if e["role"] in ("short", "decoy", "decoy_high")
             and e is not previous][:champ_at - 1] + [previous]
    order = older + [champion] + [e for e in shuffled if all(e is not o for o in older)]

    rows = []
    for number, e in enumerate(order, start=1):
        kind = str(rng.choice(["logistic", "boosting"]))
        checksum = "".join(rng.choice(list("0123456789abcdef"), 16)) + "..." if e["has_checksum"] else ""
        aliases = "champion" if e["role"] == "champion" else ""
        rows.append({
            "version": number,
            "run": f"{kind}-{rng.integers(100, 1000)}",
            "aliases": aliases,
            "validation_status": e["validation_status"],
            "data_train": train_hash[e["table"]],
            "data_valid": e["data_valid"],
            "val_pr_auc": e["val_pr_auc"],
            "val_roc_auc": e["val_roc_auc"],
            "sha256": checksum,
        })
    registry = pd.DataFrame(rows)
    if champ_at >= 1:
        registry.loc[champ_at - 1, "aliases"] = "previous"
    if registry.loc[VERSIONS - 1, "aliases"] == "":
        registry.loc[VERSIONS - 1, "aliases"] = "challenger"

    # the extracts: the winner's table, a one-value correction of it, the top decoy's
    # table, and a table no version was trained on; shuffled into A-D
    corrected = train[a].copy()
    row = int(rng.integers(0, len(corrected)))
    corrected.iloc[row, corrected.columns.get_loc("readmitted_30d")] = (
        1 - int(corrected["readmitted_30d"].iloc[row]))
    pieces = {"exact": train[a], "near_copy": corrected, "decoy": train[b], "unrelated": unrelated}
    letters = [str(x) for x in rng.permutation(EXTRACTS)]
    extracts = {letter: pieces[name].reset_index(drop=True)
                for letter, name in sorted(zip(letters, pieces, strict=True))}
    which = dict(zip(pieces, letters, strict=True))
    return {"registry": registry, "extracts": extracts, "rule": dict(RULE), "_which": which,
            "_roles": [e["role"] for e in order]}


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The registry table, the four training extracts (``A``-``D``) and the rule."""
    built = _build(params, seed)
    return {k: v for k, v in built.items() if not k.startswith("_")}


def eligible(registry: Any, rule: dict[str, Any] = RULE) -> Any:
    """The rows of ``registry`` that the promotion rule lets replace the champion."""
    champ = registry[registry["aliases"].str.split(", ").apply(lambda a: "champion" in a)].iloc[0]
    ok = (
        (registry["version"] != champ["version"])
        & (registry["validation_status"] == rule["status"])
        & (registry["val_pr_auc"] >= champ["val_pr_auc"] + rule["min_pr_auc_gain"] - 1e-9)
    )
    if rule["roc_auc_not_below_champion"]:
        ok &= registry["val_roc_auc"] >= champ["val_roc_auc"]
    if rule["same_validation_table"]:
        ok &= registry["data_valid"] == champ["data_valid"]
    if rule["checksum_recorded"]:
        ok &= registry["sha256"].str.len() > 0
    return registry[ok], champ


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """Eligible versions, the version promoted, its gain, and the extracts' identities."""
    from bana_tools.ops.versioning import content_hash

    built = _build(params, seed)
    registry, extracts = built["registry"], built["extracts"]
    ok, champ = eligible(registry, built["rule"])
    best = ok.loc[ok["val_pr_auc"].idxmax()]
    hashes = {letter: content_hash(table) for letter, table in extracts.items()}
    exact = [letter for letter, h in hashes.items() if h == best["data_train"]]
    base = extracts[exact[0]]
    one_off = [letter for letter, table in extracts.items()
               if table.shape == base.shape and int((table != base).to_numpy().sum()) == 1]
    return {
        "eligible_versions": [f"v{int(v)}" for v in ok["version"]],
        "promoted_version": int(best["version"]),
        "pr_auc_gain": round(float(best["val_pr_auc"] - champ["val_pr_auc"]), 4),
        "promoted_extract": str(exact[0]),
        "near_copy_extract": str(one_off[0]),
        "_champion": int(champ["version"]),
        "_which": built["_which"],
        "_roles": built["_roles"],
        "_hashes": hashes,
    }
