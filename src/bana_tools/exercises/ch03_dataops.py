"""Chapter 3 exercise: DataOps for the readmission data.

Three parts follow chapter 3: which DataOps practice answers which problem and in which order a
pipeline runs them (sections 3.1-3.4), a quality profile of the student's own damaged extract
(section 3.2.3; data and expected values from :mod:`bana_tools.scenarios.ch03_dataops`), and
validation rules with a failure policy plus the audit question of section 3.4 (graded by hand).
Prompts are our own.
"""

from __future__ import annotations

from bana_tools.exercises.schema import (
    CheckSpec,
    Column,
    Exercise,
    LongText,
    MatchingQuestion,
    MultipleChoice,
    NotebookCell,
    NumberQuestion,
    Option,
    OrderingQuestion,
    Part,
    RecordsQuestion,
    Scenario,
    SingleChoice,
    StudentIdQuestion,
)

#: Inputs of the scenario (the damage itself is drawn from each student's seed).
SCENARIO: dict[str, float | int] = {"rows": 1500, "max_missing_share": 0.05}

PRACTICES: tuple[Option, ...] = (
    Option(value="validation", label="Validation: automated checks that run before anyone uses the data"),
    Option(value="lineage", label="Lineage: a record of which inputs and code made each dataset, and what used it"),
    Option(value="sampling", label="Sampling: how training and test sets are drawn, and where imbalance is handled"),
    Option(value="leakage", label="Leakage guard: features computed only from what was known at prediction time"),
    Option(value="ingestion", label="Ingestion design: delivery rhythm, source contracts, a cut-off for late data"),
    Option(value="versioning", label="Data versioning: an identified, unchangeable copy of each dataset"),
    Option(value="dedup_key", label="Processing: removing duplicates and joining on the right key"),
)

FAMILIES: tuple[Option, ...] = (
    Option(value="schema", label="Schema check"),
    Option(value="content", label="Content check"),
    Option(value="cross_field", label="Cross-field check"),
    Option(value="cross_dataset", label="Cross-dataset check"),
    Option(value="statistical", label="Statistical check"),
)

LEVELS: tuple[Option, ...] = (
    Option(value="row", label="Row-level (one record is wrong)"),
    Option(value="batch", label="Batch-level (the delivery is wrong)"),
)

TRAINING_POLICY: tuple[Option, ...] = (
    Option(value="stop", label="Stop the run"),
    Option(value="drop_log", label="Drop the failing rows and log them"),
    Option(value="warn", label="Log a warning and carry on"),
)

SCORING_POLICY: tuple[Option, ...] = (
    Option(value="quarantine", label="Set the failing rows aside and score the rest"),
    Option(value="hold", label="Hold the whole batch and alert a person"),
)

RULE_OPTIONS: tuple[Option, ...] = (
    Option(value="encounter_unique", label="Every encounter_id appears only once"),
    Option(value="labs_missing", label="At most 5% of the haemoglobin values and at most 5% of "
                                       "the sodium values are missing"),
    Option(value="dates_order", label="No discharge is dated before its admission"),
    Option(value="age_range", label="Every age lies between 18 and 110"),
    Option(value="payer_known", label="Every payer is one of medicare, medicaid, private, self_pay"),
)

CELLS = (
    NotebookCell(
        id="data-intro", kind="markdown",
        source="## Your extract\n\nThe next cell loads last night's discharge extract as the "
               "hospital delivered it: one row per hospital stay, keyed by `encounter_id`, with "
               "`patient_id` as an attribute (a patient who came back has several stays). The "
               "columns are those of the course's readmission data (see the data card). Your "
               "extract is yours alone: it is generated from your student id and then damaged "
               "the way real deliveries get damaged. Work on it **as delivered**: do not clean "
               "it before you have answered the questions that ask about the raw rows.",
    ),
    NotebookCell(
        id="load-data", kind="code",
        source="from bana_tools.scenarios import load\n\n"
               'data = load("ch03-dataops")\n'
               "extract = data.extract\n"
               "print(extract.shape, '| tolerated share of missing lab values:', "
               "data.max_missing_share)\n"
               "extract.head()",
    ),
    NotebookCell(
        id="profile-intro", kind="markdown",
        source="## 2. Profile the extract\n\nUseful pandas tools: `Series.duplicated()`, "
               "`pd.to_datetime(...)`, `DataFrame.isna().mean()`, `Series.between(...)`, "
               "`Series.isin(...)` and `groupby(...).nunique()`. Count the extra copies of a "
               "repeated encounter (a row whose `encounter_id` already appeared above it), not "
               "the first copy.",
    ),
    NotebookCell(id="profile-work", kind="code",
                 source="# Your code: repeated encounter ids, discharges before admission,\n"
                        "# missing laboratory values, ages and payers\n"),
    NotebookCell(
        id="clean-intro", kind="markdown",
        source="Two stays of the same patient are not duplicates. Count the patients with two "
               "or more different encounters, then clean: keep one copy of each encounter and "
               "set aside the rows that break a row-level rule.",
    ),
    NotebookCell(id="clean-work", kind="code",
                 source="# Your code: patients with several stays; rows left after cleaning\n"),
    NotebookCell(
        id="enter-intro", kind="markdown",
        source="## Enter your results\n\nType your numbers into part 2 of the form. The "
               "self-check says whether each one matches what your extract gives; it never "
               "shows the expected value.",
    ),
)

EXERCISE = Exercise(
    id="ch03-dataops",
    title="Chapter 3: DataOps for the readmission data",
    assignment="ch03",
    source="Textbook section 3.6 (exercise); sections 3.1-3.4",
    intro=(
        "You are the data lead of the readmission project. The model will learn from two years "
        "of discharges and will score every discharge the morning after it happens, so each "
        "night's extract from the hospital's systems has to arrive, be cleaned, be checked and "
        "be filed away before anyone relies on it. In part 1 you link problems the team has "
        "met to the DataOps practice that deals with each, and put the steps of the nightly "
        "pipeline in order. In part 2 you profile an extract of your own (generated from your "
        "student id, with problems of its own) in the code cells of this notebook. In part 3 "
        "you write validation rules with what the pipeline should do when each one fails, and "
        "answer an auditor."
    ),
    parts=(
        Part(
            id="practices",
            title="1. DataOps practices",
            questions=(
                MatchingQuestion(
                    id="practice_match", label="Problem to practice",
                    prompt="Each situation below happened on a readmission project. Which "
                    "DataOps practice is the one that deals with it?",
                    help="Every practice fits exactly one situation.",
                    items=(
                        Option(value="late_claims", label="Readmissions at other hospitals only "
                               "become known when the payer's claim arrives, up to two months "
                               "later, so last month's discharges look as if almost nobody "
                               "came back."),
                        Option(value="rare_label", label="About one discharge in seven ends in "
                               "a readmission, and the test set has to show the rate the nurses "
                               "will really face."),
                        Option(value="two_stays", label="An analyst finds two rows with the "
                               "same patient_id and wants to delete one as a duplicate."),
                        Option(value="prior_count", label="'Admissions in the past 12 months' "
                               "was counted on today's table, so for a readmitted patient it "
                               "includes the readmission itself."),
                        Option(value="lab_outage", label="In tonight's extract a third of the "
                               "sodium results are empty because the laboratory interface went "
                               "down for the evening."),
                        Option(value="audit_table", label="An auditor asks for the exact table "
                               "the January model learned from, unchanged since that day."),
                        Option(value="dropped_codes", label="One site's interface lost secondary "
                               "diagnoses for six weeks; the team must find every feature table, "
                               "model and worklist built on those records."),
                    ),
                    choices=PRACTICES,
                    key=("5232ec8b6e2f15c59846", "bfab42df01258a2472ab", "66483fae7f553922217f",
                         "24a6502dbd71a45acfa8", "1d02f4a5b2dddab74f5d", "5bed47a50a2adcd72403",
                         "5a6df585146d4f058ac4"),
                ),
                MatchingQuestion(
                    id="family_match", label="Rule to validation family",
                    prompt="Which family of validation check (section 3.3.2) does each rule "
                    "belong to?",
                    help="A family can be used more than once.",
                    items=(
                        Option(value="date_parses", label="discharge_date can be read as a "
                               "date in every row"),
                        Option(value="age_range", label="age lies between 18 and 110"),
                        Option(value="payer_codes", label="payer is one of the four agreed "
                               "codes"),
                        Option(value="dates_order", label="a discharge is never dated before "
                               "its admission"),
                        Option(value="los_match", label="length_of_stay equals the number of "
                               "days from admission to discharge"),
                        Option(value="outcomes_known", label="every encounter in the claims "
                               "outcomes feed also appears in the discharge extract"),
                        Option(value="medicare_share", label="the share of Medicare patients "
                               "is within five points of last quarter's"),
                    ),
                    choices=FAMILIES,
                    key=("b8dc3e0fff1a86c01b9d", "332b66fb3647d25b71e3", "e3f0c7eaca0eb7661fec",
                         "af60c45bd7b54e25ded9", "00d6051c937f98d98465", "cd5061e8eb99e6b9e456",
                         "4c93963ccc5e95d46010"),
                ),
                OrderingQuestion(
                    id="pipeline_order", label="Pipeline steps in order",
                    prompt="Put the steps that lead from the hospital's systems to a trained or "
                    "scoring model in the order they happen, first step first.",
                    items=(
                        Option(value="validate", label="Run the schema, content and cross-field "
                               "checks on the processed table"),
                        Option(value="ingest", label="Pull last night's discharges from the EHR "
                               "replica and load the newest claims file"),
                        Option(value="version", label="Store the table under its content hash, "
                               "with a record of its inputs and the code commit"),
                        Option(value="contract", label="Agree with each source's owner which "
                               "fields arrive, what they mean and when they arrive"),
                        Option(value="consume", label="Train or score the model, writing the "
                               "dataset's version id into the run record"),
                        Option(value="process", label="Remove repeated encounters, map codes to "
                               "one form and compute the features"),
                    ),
                    key=("9c446541923d162a59f0", "4cb42049f8aa948562a6", "2a6963711a0af93d9b9b",
                         "1415c833ef26765dce44", "f9d8b9a2aa08c9c2364d", "f337e90d4f62402c87d6"),
                ),
            ),
        ),
        Part(
            id="profile",
            title="2. Profile your extract",
            intro="Load your extract in the code cells of this notebook and compute each number "
            "with pandas. Use the extract as delivered unless a question says otherwise.",
            questions=(
                StudentIdQuestion(
                    id="student_id", label="Student id",
                    prompt="Your student id. Your extract, and so the numbers the checks "
                    "expect, are generated from it.",
                ),
                NumberQuestion(
                    id="duplicate_rows", label="Repeated encounters",
                    prompt="How many rows repeat an encounter_id that already appears on an "
                    "earlier row? Count only the extra copies.",
                    unit="rows", minimum=0, maximum=5000, decimals=0,
                ),
                NumberQuestion(
                    id="discharge_before_admission", label="Discharge before admission",
                    prompt="How many rows have a discharge_date earlier than their "
                    "admission_date?",
                    unit="rows", minimum=0, maximum=5000, decimals=0,
                ),
                SingleChoice(
                    id="broken_lab", label="Laboratory column with most gaps",
                    prompt="Which laboratory column has the larger share of missing values?",
                    options=(Option(value="hemoglobin", label="hemoglobin"),
                             Option(value="sodium", label="sodium")),
                ),
                NumberQuestion(
                    id="missing_share", label="Share missing",
                    prompt="The share of missing values in that column, over every row of the "
                    "extract as delivered (a ratio between 0 and 1).",
                    unit="ratio", minimum=0, maximum=1, decimals=4,
                ),
                NumberQuestion(
                    id="repeat_patients", label="Patients with several stays",
                    prompt="How many patients have two or more different encounters in the "
                    "extract? (These are genuine repeat stays, not duplicates.)",
                    unit="patients", minimum=0, maximum=5000, decimals=0,
                ),
                MultipleChoice(
                    id="failing_rules", label="Rules the extract breaks",
                    prompt="Which of these rules does your extract break?",
                    help="The tolerated share of missing laboratory values is in "
                    "data.max_missing_share.",
                    options=RULE_OPTIONS,
                ),
                NumberQuestion(
                    id="clean_rows", label="Rows left after cleaning",
                    prompt="Keep one copy of each encounter, then set aside every row that "
                    "breaks a row-level rule (a discharge before its admission, an age outside "
                    "18-110, an unknown payer). How many rows are left? A missing laboratory "
                    "value alone does not set a row aside.",
                    unit="rows", minimum=0, maximum=5000, decimals=0,
                ),
            ),
        ),
        Part(
            id="rules",
            title="3. Rules, policies and the auditor",
            questions=(
                RecordsQuestion(
                    id="rules", label="Validation rules",
                    prompt="Write six or more validation rules for the nightly readmission "
                    "extract, from at least four of the five families. For each, say whether a "
                    "failure belongs to a row or to the whole batch, and what the pipeline does "
                    "when it fails while building a training set and while scoring the "
                    "morning's discharges.",
                    help="Give a limit when the rule has one (110 for a maximum age, 0.05 for "
                    "a share of missing values).",
                    row_label="Rule",
                    min_rows=6, max_rows=12,
                    columns=(
                        Column(id="rule", label="Rule", placeholder="e.g. sodium between 100 "
                               "and 180 mmol/L"),
                        Column(id="family", label="Family", kind="choice", options=FAMILIES),
                        Column(id="limit", label="Limit", kind="number", required=False),
                        Column(id="level", label="Failure level", kind="choice", options=LEVELS),
                        Column(id="training", label="When training", kind="choice",
                               options=TRAINING_POLICY),
                        Column(id="scoring", label="When scoring", kind="choice",
                               options=SCORING_POLICY),
                    ),
                    points=2,
                    rubric="Rules are specific to the readmission columns and testable; levels "
                    "are right (uniqueness, missing shares and statistical rules describe the "
                    "batch); training stops on anything that would bias the model; scoring "
                    "quarantines bad rows but still serves the rest.",
                ),
                LongText(
                    id="audit", label="Answering the auditor",
                    prompt="An auditor asks which data trained the model that was live on 15 "
                    "January, and wants the answer within the hour. Which versioning and "
                    "lineage records would you need to have been keeping, and how would you "
                    "go from the date to the data?",
                    min_words=80, max_words=300, points=4,
                    rubric="Links the date to a deployed model version (registry or deployment "
                    "log), the model to its training run, and the run to dataset version ids "
                    "(content hashes) and code commits; the dataset ids to their raw inputs via "
                    "lineage records; says the records are written by the pipeline, not by "
                    "hand, and kept for as long as audits require.",
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch03_dataops", params=SCENARIO,
                      per_student=True),
    cells=CELLS,
    checks=(
        CheckSpec(id="practices-matched", title="Problems matched to practices", points=2,
                  kind="matching_key", params={"question": "practice_match"}),
        CheckSpec(id="families-matched", title="Rules matched to validation families", points=2,
                  kind="matching_key", params={"question": "family_match"}),
        CheckSpec(id="pipeline-ordered", title="Pipeline steps in order", points=2,
                  kind="ordering_key", params={"question": "pipeline_order"}),
        CheckSpec(id="duplicates-value", title="Repeated encounters counted", points=2,
                  kind="computed_value", params={"question": "duplicate_rows", "tolerance": 0.5}),
        CheckSpec(id="dates-value", title="Discharges before admission counted", points=1,
                  kind="computed_value",
                  params={"question": "discharge_before_admission", "tolerance": 0.5}),
        CheckSpec(id="lab-choice", title="Laboratory column with most gaps", points=1,
                  kind="computed_choice", params={"question": "broken_lab"}),
        CheckSpec(id="missing-value", title="Share of missing values", points=2,
                  kind="computed_value", params={"question": "missing_share", "tolerance": 0.002}),
        CheckSpec(id="repeat-value", title="Patients with several stays", points=2,
                  kind="computed_value", params={"question": "repeat_patients", "tolerance": 0.5}),
        CheckSpec(id="rules-broken", title="Rules the extract breaks", points=2,
                  kind="computed_set", params={"question": "failing_rules"}),
        CheckSpec(id="clean-value", title="Rows left after cleaning", points=2,
                  kind="computed_value", params={"question": "clean_rows", "tolerance": 0.5}),
        CheckSpec(id="rules-complete", title="Six complete validation rules", points=2,
                  kind="rows_complete", params={"question": "rules", "min_rows": 6}),
        CheckSpec(id="rules-families", title="Rules from at least four families", points=1,
                  kind="distinct_choices",
                  params={"question": "rules", "column": "family", "n": 4}),
        CheckSpec(id="audit-written", title="Answer to the auditor written", points=1,
                  kind="min_words", params={"question": "audit", "n": 80}),
        CheckSpec(id="policies-consistent", title="Batch-level rules do not quarantine rows",
                  points=1, visibility="hidden"),
        CheckSpec(id="profile-consistent", title="Broken rules agree with the numbers entered",
                  points=1, visibility="hidden"),
    ),
)
