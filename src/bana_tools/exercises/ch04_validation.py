"""Chapter 4 exercise: validate a delivery of the readmission extract with pandera.

Each student validates their own batch of the EHR extract (defects injected from their id,
:mod:`bana_tools.scenarios.ch04_validation`) with the chapter's schema and quarantine split
(:mod:`bana_tools.ops.validation`), reports which encounters are held back and which
problems belong to the whole batch, sorts failures into row-level and batch-level ones,
writes the note the on-call person would send, and drafts validation rules of their own as
a table. The computed answers are recomputed from the student's data at check time; no
expected value is stored here. Prompts are our own.
"""

from __future__ import annotations

from bana_tools.exercises.schema import (
    CheckSpec,
    Column,
    Exercise,
    ListQuestion,
    LongText,
    MatchingQuestion,
    MultipleChoice,
    NotebookCell,
    NumberQuestion,
    Option,
    Part,
    RecordsQuestion,
    Scenario,
    StudentIdQuestion,
)

#: Inputs of the scenario: a synthetic year of stays, cut to a three-week delivery.
SCENARIO: dict[str, int] = {"year_rows": 5000, "days": 21}

#: Columns of the scoring extract (the label is not delivered with it).
EXTRACT_COLUMNS: tuple[str, ...] = (
    "encounter_id", "patient_id", "admission_date", "discharge_date", "age", "sex", "payer",
    "condition", "emergent", "length_of_stay", "charlson", "ed_visits_6m",
    "prior_admissions_12m", "discharge_disposition", "followup_scheduled", "hemoglobin",
    "sodium",
)

RULE_KINDS: tuple[Option, ...] = (
    Option(value="minimum", label="Minimum value"),
    Option(value="maximum", label="Maximum value"),
    Option(value="allowed", label="Only these values"),
    Option(value="not_missing", label="Never missing"),
    Option(value="max_missing", label="At most this % missing in a batch"),
    Option(value="unique", label="Unique in the batch"),
    Option(value="format", label="Follows a format"),
    Option(value="cross_column", label="Consistent with another column"),
)

BATCH_ISSUES: tuple[Option, ...] = (
    Option(value="duplicate_encounters", label="The same encounter is delivered more than once"),
    Option(value="age_range", label="Ages outside the adult range"),
    Option(value="sodium_missing", label="Too many sodium results are missing"),
    Option(value="unknown_codes", label="Codes that are not on the allowed list"),
    Option(value="hemoglobin_missing", label="Too many haemoglobin results are missing"),
    Option(value="date_order", label="Discharges dated before their admissions"),
    Option(value="missing_column", label="A required column is absent from the file"),
)

FAILURE_LEVELS: tuple[Option, ...] = (
    Option(value="row", label="Row-level: hold the row back, score the rest"),
    Option(value="batch", label="Batch-level: the delivery is at fault, a person must act"),
)

FAILURES: tuple[Option, ...] = (
    Option(value="age_zero", label="After a registration-system upgrade, a handful of rows "
                                   "give the patient's age as 0."),
    Option(value="payer_new", label="Forty rows carry a payer code that is not on the list."),
    Option(value="sodium_gap", label="Sodium is empty for 12% of the night's stays."),
    Option(value="discharge_early", label="One stay is discharged two days before it was "
                                          "admitted."),
    Option(value="duplicate", label="An encounter id appears twice in the delivery."),
    Option(value="no_column", label="The file arrives without a haemoglobin column."),
    Option(value="hb_units", label="One row has a haemoglobin of 121 (grams per litre, not "
                                   "per decilitre)."),
    Option(value="text_age", label="The whole age column arrives as text (\"67\", \"71\", ...)."),
)

CELLS = (
    NotebookCell(
        id="data-intro", kind="markdown",
        source="## Your batch\n\nThe next cell loads *your* delivery of the EHR extract: the "
               "stays admitted over three weeks, one row per encounter, without the "
               "readmission label (the batch is about to be scored). Your classmates have "
               "different stays and different problems, so compare methods with them, not "
               "answers. It also imports the chapter's validation helpers.",
    ),
    NotebookCell(
        id="load-data", kind="code",
        source="from bana_tools.scenarios import load\n"
               "from bana_tools.ops.validation import invalid_rows, quarantine, "
               "readmission_schema, validate_frame\n\n"
               'data = load("ch04-validation")\n'
               "batch = data.batch\n"
               "print(len(batch), 'rows in your batch')\n"
               "batch.head()",
    ),
    NotebookCell(
        id="validate-intro", kind="markdown",
        source="## 1. Validate, then quarantine\n\nBuild the chapter's schema with "
               "`readmission_schema()` and validate the whole batch with `validate_frame`; "
               "its `summary()` lists every broken check with the number of rows involved. "
               "Then split the batch with `quarantine`, exactly as section 4.4.4 does for the "
               "scoring run. Read the report before you trust the split: which of the broken "
               "checks describe single rows, and which describe the delivery?",
    ),
    NotebookCell(id="validate-work", kind="code",
                 source="# Your code: validate the batch and print the report's summary\n"),
    NotebookCell(id="quarantine-work", kind="code",
                 source="# Your code: split the batch with quarantine(); count both parts and\n"
                        "# print the encounter ids of the rows held back\n"),
    NotebookCell(
        id="enter-intro", kind="markdown",
        source="## Enter your results\n\nType the encounter ids one per item, and the counts, "
               "into the form above. The self-check says whether each answer matches what "
               "your batch gives; it never shows the expected values.",
    ),
)

EXERCISE = Exercise(
    id="ch04-validation",
    title="Chapter 4: validating a delivery of the readmission extract",
    assignment="ch04",
    source="Textbook section 4.4.4 (validation with pandera, quarantine), 4.7 (exercise)",
    intro=(
        "Every night the EHR extract lands, and before the readmission model scores a single "
        "patient, the pipeline of section 4.4 checks the delivery against a pandera schema. "
        "Rows that break a row-level rule are held back; the rest are scored. Problems that "
        "belong to the delivery as a whole are for a person to fix. In this exercise you run "
        "that step on a batch of your own, which contains a few defects, then sort failures "
        "into the two kinds, write the note the person on call would send, and draft "
        "validation rules of your own."
    ),
    parts=(
        Part(
            id="batch",
            title="1. Validate your batch",
            intro="Work in the code cells below the form. Your batch depends on your student id.",
            questions=(
                StudentIdQuestion(
                    id="student_id", label="Student id",
                    prompt="Your student id (your university username). It selects your batch; "
                    "use the same id every time.",
                ),
                ListQuestion(
                    id="quarantined_ids", label="Encounters held back",
                    prompt="Which encounters does `quarantine()` hold back from tonight's "
                    "scoring run? Give their encounter ids.",
                    help="One encounter id per item, as in the batch (for example E0001234). "
                    "Order does not matter.",
                    item_label="Encounter id", placeholder="E0001234",
                    min_items=1, max_items=60, max_chars=40,
                ),
                NumberQuestion(
                    id="n_quarantined", label="Rows held back",
                    prompt="How many rows of the batch are held back?",
                    unit="rows", minimum=0, maximum=5000, decimals=0,
                ),
                NumberQuestion(
                    id="n_kept", label="Rows scored",
                    prompt="How many rows can be scored tonight?",
                    unit="rows", minimum=0, maximum=5000, decimals=0,
                ),
                MultipleChoice(
                    id="batch_issues", label="Batch-level problems",
                    prompt="Which problems in your batch are batch-level failures, the kind "
                    "that holds back no row but needs a person? Tick every one your report "
                    "shows, and nothing else.",
                    help="Some options are row-level problems; they may well be in your batch, "
                    "but they are not the answer here.",
                    options=BATCH_ISSUES, min_selected=1,
                ),
            ),
        ),
        Part(
            id="levels",
            title="2. Row or batch?",
            questions=(
                MatchingQuestion(
                    id="failure_level", label="Failure levels",
                    prompt="For each failure a nightly delivery could show, decide whether it "
                    "is a row-level problem (quarantine the row) or a batch-level one (the "
                    "delivery itself is broken).",
                    items=FAILURES, choices=FAILURE_LEVELS,
                    key=("6970a0f696dd304c594e", "09105abbfa7940439eeb", "ffb9d1fda309143442c2",
                         "bab8ca1467b9a6d7dba3", "42e6640e2afcfb9020f1", "e88b6bc51ab80c5b8e65",
                         "74279a0910e4d320394b", "9363f1d8d68d63fa3fdf"),
                ),
                LongText(
                    id="on_call_note", label="Note to the team",
                    prompt="You are on call tonight. Write the message you would post for the "
                    "data team about your batch: which checks failed, what the pipeline did "
                    "with tonight's scoring run, whom you would ask to fix what, and whether "
                    "this batch may also go into the next training set. Give your reasons.",
                    min_words=80, max_words=300, points=4,
                    rubric="Names the batch-level failures of this student's batch and who owns "
                    "each source (laboratory interface, EHR extract); separates scoring "
                    "(quarantine the bad rows, score the rest) from training (stop on any "
                    "issue); uses counts consistent with part 1; asks the source to fix the "
                    "cause instead of patching quietly; if duplicates occur, treats keeping one "
                    "copy as the pipeline owner's decision.",
                ),
            ),
        ),
        Part(
            id="rules",
            title="3. Rules of your own",
            intro="The chapter's schema is one set of rules. Write rules you would add or "
            "tighten for this hospital, as a table a clinician could review: one row per rule.",
            questions=(
                RecordsQuestion(
                    id="rules", label="Validation rules",
                    prompt="Write at least four validation rules for the extract, covering at "
                    "least three different columns. Give a number in the threshold column for a "
                    "minimum, a maximum or a missing share (as a percentage), and the allowed "
                    "values, the format or the other column in the detail column where the "
                    "rule needs one.",
                    row_label="Rule",
                    min_rows=4, max_rows=30,
                    columns=(
                        Column(id="column", label="Column", kind="choice",
                               options=tuple(Option(value=c, label=c) for c in EXTRACT_COLUMNS)),
                        Column(id="rule", label="Rule", kind="choice", options=RULE_KINDS),
                        Column(id="threshold", label="Threshold", kind="number", required=False,
                               help="for a minimum, a maximum or a missing share (in %)"),
                        Column(id="detail", label="Detail", required=False,
                               placeholder="e.g. home, rehab, ... or admission_date",
                               help="allowed values, a format, or the other column"),
                        Column(id="catches", label="What it catches", kind="long_text",
                               placeholder="the failure this rule would reveal"),
                    ),
                    points=2,
                    rubric="Rules are clinically plausible (adult ages, physiological lab "
                    "ranges, a stay length tied to the dates) and go beyond restating the "
                    "chapter's schema; thresholds are sensible; each 'what it catches' names a "
                    "real way a feed breaks.",
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch04_validation", params=SCENARIO,
                      per_student=True),
    cells=CELLS,
    checks=(
        CheckSpec(id="quarantined-ids", title="Encounters held back", points=4,
                  kind="computed_set", params={"question": "quarantined_ids"}),
        CheckSpec(id="quarantined-count", title="Number of rows held back", points=2,
                  kind="computed_value", params={"question": "n_quarantined"}),
        CheckSpec(id="kept-count", title="Number of rows scored", points=2,
                  kind="computed_value", params={"question": "n_kept"}),
        CheckSpec(id="batch-issues", title="Batch-level problems of the batch", points=2,
                  kind="computed_set", params={"question": "batch_issues"}),
        CheckSpec(id="failure-levels", title="Failures sorted into row and batch level",
                  points=3, kind="matching_key", params={"question": "failure_level"}),
        CheckSpec(id="note-written", title="Note to the team written", points=1,
                  kind="min_words", params={"question": "on_call_note", "n": 80}),
        CheckSpec(id="rules-complete", title="At least four complete rules", points=2,
                  kind="rows_complete", params={"question": "rules", "min_rows": 4}),
        CheckSpec(id="rules-columns", title="Rules cover three or more columns", points=1,
                  kind="ch04_rules_cover_columns", params={"question": "rules", "n": 3}),
        CheckSpec(id="rules-details", title="Thresholds and details where rules need them",
                  points=1, kind="ch04_rules_have_details", params={"question": "rules"}),
        CheckSpec(id="counts-consistent", title="Counts agree with the ids and the batch",
                  points=1, visibility="hidden"),
    ),
)
