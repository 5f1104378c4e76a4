"""Chapter 9 exercise: run the drift monitor on your own week, then read what it says.

Every student gets a training reference and one logged week of discharges of their own
(:mod:`bana_tools.scenarios.ch09_monitoring`: the generator's covariate shift at a strength
drawn from the student's seed, and for some students a recalibrated sodium analyser).
Students compute PSI and the KS statistic with :mod:`bana_tools.ops.drift` as in section
9.4, say which features the report flags and how loud the week is, sort symptoms into kinds
of change, order the response to an alert, write alert rules and explain their week in a
note graded by hand. Prompts are our own.
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

#: Inputs of the scenario (sizes as in section 9.4.2; alpha for the whole batch).
SCENARIO: dict[str, float | int | str] = {
    "reference_rows": 4000,
    "batch_rows": 600,
    "week_start": "2024-03-04",
    "alpha": 0.01,
}

#: The monitored inputs (the same ten as section 9.4.5), as options of the drift question.
FEATURES: tuple[Option, ...] = (
    Option(value="age", label="age"),
    Option(value="charlson", label="charlson"),
    Option(value="length_of_stay", label="length_of_stay"),
    Option(value="ed_visits_6m", label="ed_visits_6m"),
    Option(value="prior_admissions_12m", label="prior_admissions_12m"),
    Option(value="sodium", label="sodium"),
    Option(value="hemoglobin", label="hemoglobin"),
    Option(value="payer", label="payer"),
    Option(value="condition", label="condition"),
    Option(value="sex", label="sex"),
    Option(value="none", label="None of them: every feature is ok"),
)

STATUSES: tuple[Option, ...] = (
    Option(value="ok", label="OK: nothing to report"),
    Option(value="warn", label="WARN: at least one warning, no alert"),
    Option(value="alert", label="ALERT: at least one feature at the alert level"),
)

CAUSES: tuple[Option, ...] = (
    Option(value="data_drift", label="Data drift: the patients changed"),
    Option(value="concept_drift", label="Concept drift: what the features mean for risk changed"),
    Option(value="pipeline_fault", label="A pipeline or data-quality fault"),
    Option(value="seasonality", label="A seasonal pattern"),
)

SYMPTOMS: tuple[Option, ...] = (
    Option(value="geriatric_ward",
           label="Since a geriatric ward opened in the spring, the share of patients over 80 "
                 "has grown month after month, and predicted and observed readmission rates "
                 "still agree."),
    Option(value="followup_programme",
           label="No input's PSI has moved above 0.05, yet once the outcomes arrive, patients "
                 "who had a follow-up booked come back much less often than their scores said."),
    Option(value="zero_hemoglobin",
           label="In Tuesday's batch every haemoglobin value is exactly 0; Monday's values "
                 "looked normal."),
    Option(value="winter_pneumonia",
           label="The PSI of condition climbs every December, with more pneumonia and COPD "
                 "admissions, and is back near zero by April."),
    Option(value="half_batch",
           label="Last night's batch held 40 discharges instead of the usual 85; the call list "
                 "was pleasantly short and nobody complained."),
    Option(value="payer_contract",
           label="After the hospital signed a new insurance contract, the Medicare share went "
                 "from 45% to 58% of discharges and has stayed there."),
)

STEPS: tuple[Option, ...] = (
    Option(value="ask_owners",
           label="Ask the people who know the population (admissions, the wards, the "
                 "laboratory) whether the change is real, and why it happened"),
    Option(value="decide_record",
           label="Decide with the model's owners (keep, move the threshold, retrain through the "
                 "usual quality gates, or fall back to LACE) and write the decision down"),
    Option(value="locate_shift",
           label="Read the drift report and the PSI table: which features moved, and in "
                 "which bins"),
    Option(value="check_feed",
           label="Rule out a fault in the feed: did the extract run, are the row counts, "
                 "missing values and units as usual?"),
    Option(value="measure_impact",
           label="Measure what it does to the model's output: score PSI, flag rate, length of "
                 "the call list against the nurses' capacity"),
)

LAYERS: tuple[Option, ...] = (
    Option(value="service", label="Service (the software)"),
    Option(value="inputs", label="Inputs (data drift)"),
    Option(value="outputs", label="Outputs (scores and flags)"),
    Option(value="outcomes", label="Outcomes (once labels arrive)"),
)

CELLS = (
    NotebookCell(
        id="data-intro", kind="markdown",
        source="## Your data\n\n"
               "`data.reference` holds the discharges the live model was trained on, outcomes "
               "included. `data.current` is one week of discharges as the scoring job logged "
               "them; their outcomes are not known yet. Your week is your own: it depends on "
               "the student id you enter in the form. `data.features` lists the ten inputs the "
               "monitor watches; `data.psi_warn`, `data.psi_alert` and `data.alpha` are the "
               "chapter's levels (PSI 0.1 and 0.25; a 1% false-warning rate for the whole "
               "batch, split over the ten tests).",
    ),
    NotebookCell(
        id="load-data", kind="code",
        source="from bana_tools.scenarios import load\n\n"
               'data = load("ch09-monitoring")\n'
               "reference, current = data.reference, data.current\n"
               "print(f'{len(reference)} reference discharges; {len(current)} in the "
               "current week')\n"
               "current.head()",
    ),
    NotebookCell(
        id="psi-intro", kind="markdown",
        source="## 1. PSI and KS, feature by feature\n\n"
               "Compute the population stability index of `age`, `payer` and `sodium` (current "
               "week against the reference), and the KS statistic *D* of `age`. "
               "`bana_tools.ops.drift` has `psi`, `psi_table` and `ks_test`; `psi_table` shows "
               "the bins, so you can also check one PSI by hand from its formula.",
    ),
    NotebookCell(id="psi-work", kind="code",
                 source="# Your code: PSI of age, payer and sodium; the KS statistic of age\n"
                        "from bana_tools.ops.drift import ks_test, psi, psi_table\n"),
    NotebookCell(
        id="report-intro", kind="markdown",
        source="## 2. The drift report\n\n"
               "Run the chapter's report over the ten monitored features with "
               "`drift_report(reference, current, data.features, alpha=data.alpha)` and turn "
               "it into messages with `alerts`. Which features are not `ok`, and what is the "
               "most severe status of the week?",
    ),
    NotebookCell(id="report-work", kind="code",
                 source="# Your code: the drift report and its alerts for your week\n"
                        "from bana_tools.ops.drift import alerts, drift_report\n"),
    NotebookCell(
        id="enter-intro", kind="markdown",
        source="## Enter your results\n\n"
               "Type your numbers into the form (to three decimals or more). The self-check "
               "says whether each one matches what your data gives; it never shows the "
               "expected value.",
    ),
)

EXERCISE = Exercise(
    id="ch09-monitoring",
    title="Chapter 9: watching the readmission model for drift",
    assignment="ch09",
    source="Textbook section 9.6 (exercise); PSI, KS and chi-square from 9.2.3; alerts and "
           "runbooks from 9.2.6; the weekly monitor of 9.4.5",
    intro=(
        "The readmission model has been live for a while, and the team's monitor compares "
        "each week of logged discharges with the data the model was trained on. This week's "
        "batch has just come in. You will run the monitor on your own week (your data depend "
        "on your student id), compute its statistics, decide what fires, and then step back: "
        "tell kinds of change apart, put the response to an alert in order, write alert "
        "rules for the whole system and explain your week to the team. Use the chapter's "
        "levels: PSI of 0.1 or more warns, 0.25 or more alerts, and a significant test "
        "(KS for continuous features, chi-square for the others) warns."
    ),
    parts=(
        Part(
            id="statistics",
            title="1. Your week, feature by feature",
            intro="Compute these in the notebook cells below the form, from `data.reference` "
                  "and `data.current`.",
            questions=(
                StudentIdQuestion(
                    id="student_id", label="Student id",
                    prompt="Your student id. It picks your week of data; enter it before you "
                    "load the data.",
                ),
                NumberQuestion(
                    id="psi_age", label="PSI of age",
                    prompt="Population stability index of `age`, current week against the "
                    "reference (bins at the reference's deciles).",
                    minimum=0, maximum=20, decimals=3,
                ),
                NumberQuestion(
                    id="psi_payer", label="PSI of payer",
                    prompt="Population stability index of `payer` (one bin per payer).",
                    minimum=0, maximum=20, decimals=3,
                ),
                NumberQuestion(
                    id="psi_sodium", label="PSI of sodium",
                    prompt="Population stability index of `sodium` at discharge.",
                    minimum=0, maximum=20, decimals=3,
                ),
                NumberQuestion(
                    id="ks_age", label="KS statistic of age",
                    prompt="The two-sample Kolmogorov-Smirnov statistic D of `age`: the "
                    "largest vertical gap between the two empirical distribution functions.",
                    unit="ratio", minimum=0, maximum=1, decimals=3,
                ),
            ),
        ),
        Part(
            id="report",
            title="2. What fires",
            intro="Run the drift report over the ten monitored features with the chapter's "
                  "levels (`drift_report(..., alpha=data.alpha)`, Bonferroni-corrected).",
            questions=(
                MultipleChoice(
                    id="drifted_features", label="Features not ok",
                    prompt="Which monitored features does the report mark WARN or ALERT for "
                    "your week?",
                    help="Choose every feature whose status is not ok, or the last option if "
                    "there is none.",
                    options=FEATURES, min_selected=1,
                ),
                SingleChoice(
                    id="batch_status", label="Status of the week",
                    prompt="What is the most severe status the monitor raises for your week?",
                    options=STATUSES,
                ),
                LongText(
                    id="week_note", label="Note to the team",
                    prompt="Write the note you would post in the team's monitoring channel "
                    "about your week. Say what the monitor found (quote your numbers), whether "
                    "you think the patients changed or the way something is measured changed, "
                    "what you would check first, who needs to hear about it, and what it could "
                    "mean for the nurses' call list. If your week is quiet, say what a quiet "
                    "week does and does not prove.",
                    min_words=90, max_words=300, points=4,
                    rubric="Quotes the student's own PSI/KS results and statuses and reads them "
                    "correctly (PSI as size, the test as significance). Tells a population "
                    "change (several related features moving together: age, payer, comorbidity) "
                    "from a measurement change (one lab value moving alone, e.g. sodium) and "
                    "proposes a check that would separate them. Names an owner and a first "
                    "action; links the shift to flag rate and nurse capacity. For a quiet week: "
                    "notes that concept drift and label problems stay invisible until outcomes "
                    "arrive. 4 = all of this, specific to the data; 2 = correct but generic; "
                    "0-1 = numbers misread or missing.",
                ),
            ),
        ),
        Part(
            id="signals",
            title="3. Reading the signals",
            questions=(
                MatchingQuestion(
                    id="symptom_causes", label="Symptoms and causes",
                    prompt="Each line is something the readmission team might observe. Match "
                    "each to the kind of change it most likely is.",
                    items=SYMPTOMS, choices=CAUSES,
                    key=("294cbf8c0a98895f0df5", "223c671e1d9abf163f6c", "4e14345f61f02f42f374",
                         "89a6367717abf6d2cc06", "342cdba052028cd27fbe", "69906a1892234c23f162"),
                ),
                OrderingQuestion(
                    id="alert_response", label="Responding to an alert",
                    prompt="The monitor has just raised an ALERT on a weekly batch. Put the "
                    "response in the order a runbook should follow, first step first.",
                    help="Cheap checks that could make the later steps unnecessary belong "
                    "early.",
                    items=STEPS,
                    key=("fe05830d0538957ebf73", "1475d5171e10cceda973", "44ca3c898700f5f86188",
                         "28dba9441d76c42d3673", "b6c9bfff42e499bcb9c6"),
                ),
            ),
        ),
        Part(
            id="rules",
            title="4. Alert rules",
            intro="Brainstorm what could go wrong with the readmission system after "
                  "deployment, and write one rule for each risk.",
            questions=(
                RecordsQuestion(
                    id="alert_rules", label="Alert rules",
                    prompt="Write at least four alert rules covering all four layers of "
                    "monitoring. For each: what is measured, its layer, the level that warns, "
                    "the level that alerts, and who is told.",
                    row_label="Rule",
                    min_rows=4, max_rows=12,
                    columns=(
                        Column(id="signal", label="What is measured",
                               placeholder="e.g. PSI of age against the training data"),
                        Column(id="layer", label="Layer", kind="choice", options=LAYERS),
                        Column(id="warn", label="Warning level", kind="number"),
                        Column(id="alert", label="Alert level", kind="number"),
                        Column(id="owner", label="Who is told",
                               placeholder="e.g. the data scientist on duty"),
                    ),
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch09_monitoring", params=SCENARIO,
                      per_student=True),
    cells=CELLS,
    checks=(
        CheckSpec(id="psi-age", title="PSI of age", points=2, kind="computed_value",
                  params={"question": "psi_age", "tolerance": 0.002, "relative": 0.01}),
        CheckSpec(id="psi-payer", title="PSI of payer", points=2, kind="computed_value",
                  params={"question": "psi_payer", "tolerance": 0.002, "relative": 0.01}),
        CheckSpec(id="psi-sodium", title="PSI of sodium", points=2, kind="computed_value",
                  params={"question": "psi_sodium", "tolerance": 0.002, "relative": 0.01}),
        CheckSpec(id="ks-age", title="KS statistic of age", points=2, kind="computed_value",
                  params={"question": "ks_age", "tolerance": 0.002}),
        CheckSpec(id="drifted-features", title="Features the report flags", points=3,
                  kind="computed_set", params={"question": "drifted_features"}),
        CheckSpec(id="batch-status", title="Most severe status of the week", points=2,
                  kind="computed_choice", params={"question": "batch_status"}),
        CheckSpec(id="note-written", title="Note to the team of 90+ words", points=1,
                  kind="min_words", params={"question": "week_note", "n": 90}),
        CheckSpec(id="symptoms-matched", title="Symptoms matched to kinds of change", points=3,
                  kind="matching_key", params={"question": "symptom_causes"}),
        CheckSpec(id="response-ordered", title="Response to an alert in order", points=2,
                  kind="ordering_key", params={"question": "alert_response"}),
        CheckSpec(id="rules-complete", title="At least four complete alert rules", points=2,
                  kind="rows_complete", params={"question": "alert_rules", "min_rows": 4}),
        CheckSpec(id="rules-cover-layers", title="Rules cover all four layers", points=1,
                  kind="covers_choices",
                  params={"question": "alert_rules", "column": "layer",
                          "required": ["service", "inputs", "outputs", "outcomes"]}),
        CheckSpec(id="verdicts-consistent", title="PSI values, flagged features and status agree",
                  points=1, visibility="hidden"),
    ),
)
