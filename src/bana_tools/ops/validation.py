"""Declarative data validation for tables: rules as data, checks as pure functions.

A :class:`ColumnRule` says what one column must look like (present, type, range, allowed
values, missing share). :func:`validate_frame` checks a DataFrame against a list of rules
and returns a :class:`ValidationReport` listing every broken rule with the number of rows
that break it, so a pipeline can stop (or quarantine rows) with a message a person can act on.

The rules are pydantic models, so a rule set can be written in code, or loaded from JSON or
YAML and checked for typos before any data is touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "READMISSION_RULES",
    "ColumnRule",
    "Issue",
    "ValidationReport",
    "invalid_rows",
    "validate_frame",
]

Kind = Literal["integer", "number", "string", "date", "binary"]


class ColumnRule(BaseModel):
    """What one column must satisfy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    kind: Kind
    required: bool = True
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    max_missing: float = Field(default=0.0, ge=0.0, le=1.0)
    unique: bool = False

    @model_validator(mode="after")
    def _range_is_ordered(self) -> ColumnRule:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"{self.name}: min {self.min} is above max {self.max}")
        return self


class Issue(BaseModel):
    """One broken rule."""

    model_config = ConfigDict(frozen=True)

    column: str
    check: str
    failed_rows: int
    message: str


class ValidationReport(BaseModel):
    """The outcome of checking one table."""

    rows: int
    issues: list[Issue] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no rule is broken."""
        return not self.issues

    def summary(self) -> str:
        """One line per issue (or a single 'all checks passed' line)."""
        if self.ok:
            return f"{self.rows} rows: all checks passed"
        lines = [f"{self.rows} rows: {len(self.issues)} issue(s)"]
        lines += [f"  - {i.column} [{i.check}]: {i.message}" for i in self.issues]
        return "\n".join(lines)


def _bad_mask(df: pd.DataFrame, rule: ColumnRule) -> dict[str, pd.Series]:
    """Row masks (True = broken) for each check of ``rule`` on a present column."""
    import pandas as pd

    col = df[rule.name]
    present = col.notna()
    masks: dict[str, pd.Series] = {}
    if rule.kind in ("integer", "number", "binary"):
        num = pd.to_numeric(col, errors="coerce")
        masks["type"] = present & num.isna()
        if rule.kind == "integer":
            masks["type"] |= present & num.notna() & (num % 1 != 0)
        if rule.kind == "binary":
            masks["allowed"] = num.notna() & ~num.isin([0, 1])
        if rule.min is not None:
            masks["min"] = num.notna() & (num < rule.min)
        if rule.max is not None:
            masks["max"] = num.notna() & (num > rule.max)
    elif rule.kind == "date":
        parsed = pd.to_datetime(col, errors="coerce", format="%Y-%m-%d")
        masks["type"] = present & parsed.isna()
    if rule.allowed is not None:
        masks["allowed"] = present & ~col.astype(str).isin(rule.allowed)
    if rule.unique:
        masks["unique"] = present & col.duplicated(keep="first")
    return masks


def validate_frame(df: pd.DataFrame, rules: Sequence[ColumnRule]) -> ValidationReport:
    """Check ``df`` against ``rules``; never raises on bad data, reports it instead."""
    issues: list[Issue] = []
    n = len(df)
    for rule in rules:
        if rule.name not in df.columns:
            if rule.required:
                issues.append(Issue(column=rule.name, check="present", failed_rows=n,
                                    message="column is missing"))
            continue
        missing = int(df[rule.name].isna().sum())
        if n and missing / n > rule.max_missing:
            issues.append(Issue(
                column=rule.name, check="missing", failed_rows=missing,
                message=f"{missing} missing values ({missing / n:.1%}; at most {rule.max_missing:.1%} allowed)",
            ))
        for check, mask in _bad_mask(df, rule).items():
            bad = int(mask.sum())
            if bad:
                example = df.loc[mask, rule.name].iloc[0]
                example = example.item() if hasattr(example, "item") else example
                issues.append(Issue(
                    column=rule.name, check=check, failed_rows=bad,
                    message=f"{bad} row(s) fail the {check} check (e.g. {example!r})",
                ))
    return ValidationReport(rows=n, issues=issues)


def invalid_rows(df: pd.DataFrame, rules: Iterable[ColumnRule]) -> pd.Series:
    """A boolean mask of the rows that break at least one row-level rule (for quarantine)."""
    import pandas as pd

    bad = pd.Series(False, index=df.index)
    for rule in rules:
        if rule.name not in df.columns:
            continue
        if rule.max_missing == 0.0:
            bad |= df[rule.name].isna()
        for check, mask in _bad_mask(df, rule).items():
            if check != "unique":
                bad |= mask.fillna(False).astype(bool)
    return bad


#: The rules the readmission extracts must satisfy (see the data card).
READMISSION_RULES: tuple[ColumnRule, ...] = (
    ColumnRule(name="patient_id", kind="string", unique=True),
    ColumnRule(name="admission_date", kind="date"),
    ColumnRule(name="discharge_date", kind="date"),
    ColumnRule(name="age", kind="integer", min=18, max=110),
    ColumnRule(name="sex", kind="string", allowed=("F", "M")),
    ColumnRule(name="payer", kind="string", allowed=("medicare", "medicaid", "private", "self_pay")),
    ColumnRule(name="condition", kind="string",
               allowed=("ami", "heart_failure", "pneumonia", "copd", "hip_knee", "cabg", "other")),
    ColumnRule(name="emergent", kind="binary"),
    ColumnRule(name="length_of_stay", kind="integer", min=1, max=365),
    ColumnRule(name="charlson", kind="integer", min=0, max=37),
    ColumnRule(name="ed_visits_6m", kind="integer", min=0, max=100),
    ColumnRule(name="prior_admissions_12m", kind="integer", min=0, max=100),
    ColumnRule(name="discharge_disposition", kind="string",
               allowed=("home", "home_health", "skilled_nursing", "rehab", "against_advice")),
    ColumnRule(name="followup_scheduled", kind="binary"),
    ColumnRule(name="hemoglobin", kind="number", min=3, max=25, max_missing=0.05),
    ColumnRule(name="sodium", kind="number", min=100, max=180, max_missing=0.05),
    ColumnRule(name="readmitted_30d", kind="binary"),
)
