"""Data validation of the readmission feeds with pandera, plus the quarantine split.

pandera does the checking: :func:`readmission_schema` declares what every column of an
extract must satisfy (type, range, allowed values, nulls, a unique ``encounter_id``, a
bounded share of missing laboratory values) and one check across columns (a discharge
never precedes its admission). Validating lazily gives every failure at once as a
DataFrame of *failure cases* (column, check, failing value, row index).

What pandera does not do is decide what to do with those failures. The small functions here
turn the failure cases into a :class:`ValidationReport` a person can act on
(:func:`validate_frame`), and split a batch into rows that can be scored and rows to hold
back (:func:`invalid_rows`, :func:`quarantine`). Only *row-level* failures quarantine a
row; *batch-level* ones (a missing or mistyped column, duplicated keys, too many missing
values) describe the delivery, not a row, and are for a person to fix.

pandera is imported on first use, so importing this module stays cheap.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pandera.pandas as pa

__all__ = [
    "BATCH_CHECKS",
    "READMISSION_SCHEMA",
    "Issue",
    "ValidationReport",
    "failure_cases",
    "invalid_rows",
    "quarantine",
    "readmission_schema",
    "validate_frame",
]

#: Checks whose failures describe the batch, not a row: they never quarantine a row.
BATCH_CHECKS: frozenset[str] = frozenset({"field_uniqueness", "column_in_dataframe", "max_missing_share"})

#: Allowed values of the categorical columns (see the data card).
PAYERS = ("medicare", "medicaid", "private", "self_pay")
CONDITIONS = ("ami", "heart_failure", "pneumonia", "copd", "hip_knee", "cabg", "other")
DISPOSITIONS = ("home", "home_health", "skilled_nursing", "rehab", "against_advice")


class Issue(BaseModel):
    """One broken check, with the number of rows that break it."""

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
        """True when no check is broken."""
        return not self.issues

    def summary(self) -> str:
        """One line per issue (or a single 'all checks passed' line)."""
        if self.ok:
            return f"{self.rows} rows: all checks passed"
        lines = [f"{self.rows} rows: {len(self.issues)} issue(s)"]
        lines += [f"  - {i.column} [{i.check}]: {i.message}" for i in self.issues]
        return "\n".join(lines)


def _iso_date() -> pa.Check:
    import pandas as pd
    import pandera.pandas as pa

    return pa.Check(lambda s: pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna(),
                    name="iso_date")


def _max_missing(share: float) -> pa.Check:
    """At most ``share`` of the column missing; when broken, every missing row is a failure case."""
    import pandera.pandas as pa

    return pa.Check(lambda s: s.notna() | (s.isna().mean() <= share), ignore_na=False,
                    name="max_missing_share", description=f"at most {share:.0%} missing")


def readmission_schema(*, max_missing_labs: float = 0.05) -> pa.DataFrameSchema:
    """The pandera schema every readmission extract must satisfy.

    Args:
        max_missing_labs: the largest share of missing haemoglobin or sodium results a batch
            may have before it counts as a broken laboratory interface.
    """
    import pandas as pd
    import pandera.pandas as pa

    def count(high: int) -> pa.Column:
        return pa.Column(int, pa.Check.in_range(0, high))

    def flag() -> pa.Column:
        return pa.Column(int, pa.Check.isin([0, 1]))

    def lab(low: float, high: float) -> pa.Column:
        return pa.Column(float, [pa.Check.in_range(low, high), _max_missing(max_missing_labs)],
                         nullable=True, coerce=True)

    def not_before_admission(df: pd.DataFrame) -> pd.Series:
        admit = pd.to_datetime(df["admission_date"], format="%Y-%m-%d", errors="coerce")
        out = pd.to_datetime(df["discharge_date"], format="%Y-%m-%d", errors="coerce")
        return ~(out < admit)          # unparseable dates are the iso_date check's business

    return pa.DataFrameSchema(
        {
            "encounter_id": pa.Column(str, pa.Check.str_length(min_value=1), unique=True,
                                      report_duplicates="exclude_first"),
            "patient_id": pa.Column(str, pa.Check.str_length(min_value=1)),
            "admission_date": pa.Column(str, _iso_date()),
            "discharge_date": pa.Column(str, _iso_date()),
            "age": pa.Column(int, pa.Check.in_range(18, 110)),
            "sex": pa.Column(str, pa.Check.isin(["F", "M"])),
            "payer": pa.Column(str, pa.Check.isin(list(PAYERS))),
            "condition": pa.Column(str, pa.Check.isin(list(CONDITIONS))),
            "emergent": flag(),
            "length_of_stay": pa.Column(int, pa.Check.in_range(1, 365)),
            "charlson": count(37),
            "ed_visits_6m": count(100),
            "prior_admissions_12m": count(100),
            "discharge_disposition": pa.Column(str, pa.Check.isin(list(DISPOSITIONS))),
            "followup_scheduled": flag(),
            "hemoglobin": lab(3, 25),
            "sodium": lab(100, 180),
            "readmitted_30d": pa.Column(int, pa.Check.isin([0, 1]), required=False),
        },
        checks=[pa.Check(not_before_admission, name="discharge_not_before_admission")],
        name="readmission_extract",
    )


#: The readmission schema with default settings, built on first access (see ``__getattr__``).
READMISSION_SCHEMA: pa.DataFrameSchema


@cache
def _default_schema() -> pa.DataFrameSchema:
    return readmission_schema()


def __getattr__(name: str) -> Any:
    # READMISSION_SCHEMA is built on first use, so importing the module does not import pandera.
    # READMISSION_RULES is its older name, kept for pages written before pandera.
    if name in ("READMISSION_SCHEMA", "READMISSION_RULES"):
        return _default_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def failure_cases(df: pd.DataFrame, schema: pa.DataFrameSchema | None = None) -> pd.DataFrame:
    """pandera's failure cases for ``df`` (empty when it passes), one row per failing value.

    Columns: ``column``, ``check``, ``failure_case`` (the value) and ``index`` (the row label,
    missing for batch-level failures such as a missing column). A check across columns is
    reported once per failing row, under the column ``"(row)"``.
    """
    import pandas as pd
    import pandera.pandas as pa

    schema = _default_schema() if schema is None else schema
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.copy()
    else:
        return pd.DataFrame(columns=["column", "check", "failure_case", "index"])
    frame_level = (cases["schema_context"] == "DataFrameSchema") & (cases["check"] != "column_in_dataframe")
    missing_col = cases["check"] == "column_in_dataframe"
    cases.loc[missing_col, "column"] = cases.loc[missing_col, "failure_case"]
    cases.loc[frame_level, "column"] = "(row)"
    cases.loc[frame_level, "failure_case"] = None
    # a column of the wrong type fails its dtype check; its value checks then say nothing useful
    wrong_type = cases.loc[cases["check"].str.startswith("dtype("), "column"]
    noise = cases["column"].isin(wrong_type) & ~cases["check"].str.startswith("dtype(")
    cases = cases[~noise].drop_duplicates(["column", "check", "index"])
    return cases[["column", "check", "failure_case", "index"]].reset_index(drop=True)


def validate_frame(df: pd.DataFrame, schema: pa.DataFrameSchema | None = None) -> ValidationReport:
    """Check ``df`` against ``schema`` (default: the readmission schema); never raises on bad data.

    Each broken check becomes one :class:`Issue` naming the column, the pandera check, the
    number of failing rows and an example value.
    """
    cases = failure_cases(df, schema)
    issues: list[Issue] = []
    for (column, check), group in cases.groupby(["column", "check"], sort=False):
        rows = int(group["index"].notna().sum()) or len(df)
        if check == "column_in_dataframe":
            message = "column is missing"
        elif group["index"].isna().all():
            message = f"column fails {check} (found {group['failure_case'].iloc[0]!r})"
        elif column == "(row)":
            message = f"{rows} row(s) fail (e.g. row {group['index'].iloc[0]})"
        elif check == "max_missing_share":
            message = f"{rows} missing values ({rows / len(df):.1%} of the batch)"
        else:
            example = group["failure_case"].iloc[0]
            example = example.item() if hasattr(example, "item") else example
            message = f"{rows} row(s) fail (e.g. {example!r})"
        issues.append(Issue(column=str(column), check=str(check), failed_rows=rows, message=message))
    return ValidationReport(rows=len(df), issues=issues)


def invalid_rows(df: pd.DataFrame, schema: pa.DataFrameSchema | None = None) -> pd.Series:
    """A boolean mask of the rows that break at least one row-level check (to quarantine).

    Batch-level failures (:data:`BATCH_CHECKS` and wrong column types, pandera's ``dtype(...)``
    checks) mark no row.
    """
    import pandas as pd

    cases = failure_cases(df, schema)
    batch = cases["check"].isin(BATCH_CHECKS) | cases["check"].str.startswith("dtype(")
    row_level = cases["index"].notna() & ~batch
    return pd.Series(df.index.isin(cases.loc[row_level, "index"].tolist()), index=df.index)


def quarantine(df: pd.DataFrame, schema: pa.DataFrameSchema | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``df`` into the rows that can be used and the rows held back (row-level failures)."""
    bad = invalid_rows(df, schema)
    return df[~bad], df[bad]
