"""Chapter 5 exercise: ModelOps for the readmission model.

Three parts follow chapter 5: the model lifecycle and which ModelOps practice answers which
situation (sections 5.1-5.2), baselines computed on the student's own sample and a decision
from the student's model registry (sections 5.1.2, 5.1.6-5.1.8; data and expected values from
:mod:`bana_tools.scenarios.ch05_modelops`), and a plan for a two-person team with the hidden
feedback loop of section 5.2.8 (graded by hand). Prompts are our own.
"""

from __future__ import annotations

from bana_tools.exercises.schema import (
    ChecklistItem,
    ChecklistQuestion,
    CheckSpec,
    Exercise,
    LongText,
    MatchingQuestion,
    MultipleChoice,
    NotebookCell,
    NumberQuestion,
    Option,
    OrderingQuestion,
    Part,
    Scenario,
    SingleChoice,
    StudentIdQuestion,
)

#: Inputs of the scenario, shown to students in the notebook.
SCENARIO: dict[str, float | int | str] = {
    "rows": 3000,
    "cutoff": "2023-10-01",
    "min_gain": 0.03,
    "min_auc": 0.70,
}

PRACTICES: tuple[Option, ...] = (
    Option(value="rollback", label="Rolling back to an earlier registered version"),
    Option(value="baseline", label="Comparing with baselines"),
    Option(value="governance", label="Governance: a model card and an approval step"),
    Option(value="tracking", label="Experiment tracking"),
    Option(value="data_centric", label="Data-centric iteration (improving the data or labels)"),
    Option(value="monitoring", label="Monitoring the model's inputs, with alerts"),
    Option(value="error_analysis", label="Error analysis by group"),
    Option(value="registry", label="A model registry"),
    Option(value="retraining", label="An automated retraining pipeline"),
)

VERSION_OPTIONS: tuple[Option, ...] = tuple(
    Option(value=f"v{i}", label=f"v{i}") for i in range(1, 7)
)

CELLS = (
    NotebookCell(
        id="data-intro", kind="markdown",
        source="## Your data\n\nThe next cell loads two things generated from your student id: "
               "`discharges`, a sample of the course's readmission data (one row per hospital "
               "stay), and `registry`, the list of readmission-model versions your hospital "
               "has registered, one row per version with its validation AUC, whether it "
               "passed the pre-release audit, and its alias (`champion` is the version "
               "serving the nurses' worklist). The hospital's two bars are in `min_gain` and "
               "`min_auc`.",
    ),
    NotebookCell(
        id="load-data", kind="code",
        source="from bana_tools.scenarios import load\n\n"
               'data = load("ch05-modelops")\n'
               "discharges, registry = data.discharges, data.registry\n"
               "print(len(discharges), 'discharges; split at', data.cutoff, "
               "'| min_gain', data.min_gain, '| min_auc', data.min_auc)\n"
               "registry",
    ),
    NotebookCell(
        id="baselines-intro", kind="markdown",
        source="## 2a. Baselines\n\nSplit by time: train on the discharges admitted before "
               "`data.cutoff`, test on those admitted on or after it. On the test discharges, "
               "compute the readmission rate, the ROC AUC of the LACE index "
               "(`bana_tools.baselines.lace_score`) and the ROC AUC of the course's logistic "
               "regression fitted on the training discharges "
               "(`bana_tools.ops.modeling.build_model()` with `split_xy`, or "
               "`bana_tools.baselines.logistic_pipeline()`, with default settings). "
               "`sklearn.metrics.roc_auc_score` computes an AUC.",
    ),
    NotebookCell(id="baselines-work", kind="code",
                 source="# Your code: the time split, the base rate, the AUC of LACE and of the "
                        "logistic regression\n"),
    NotebookCell(
        id="registry-intro", kind="markdown",
        source="## 2b. The registry\n\nA version passes the release gate when its `val_auc` is "
               "at least `data.min_auc` and it passed the audit. Filter the registry with "
               "pandas to answer the two registry questions.",
    ),
    NotebookCell(id="registry-work", kind="code",
                 source="# Your code: versions that fail the gate; the version to roll back to\n"),
    NotebookCell(
        id="enter-intro", kind="markdown",
        source="## Enter your results\n\nType your answers into part 2 of the form. The "
               "self-check says whether each one matches your data; it never shows the "
               "expected value.",
    ),
)

EXERCISE = Exercise(
    id="ch05-modelops",
    title="Chapter 5: ModelOps for the readmission model",
    assignment="ch05",
    source="Textbook section 5.5 (exercise); sections 5.1-5.3",
    intro=(
        "The readmission data now arrive every night, validated and versioned. This exercise is "
        "about the models built from them. In part 1 you put the stages of a model's life in "
        "order and link situations the hospital's team ran into to the ModelOps practice that "
        "handles each. In part 2 you work in the code cells of this notebook on data generated "
        "from your student id: you measure the baselines a readmission model has to beat, and "
        "you use a model registry to decide which version to fall back to when the live one "
        "fails. In part 3 you plan which practices a two-person team should set up first, and "
        "explain the feedback loop the model creates once nurses act on its scores."
    ),
    parts=(
        Part(
            id="lifecycle",
            title="1. The model lifecycle",
            questions=(
                OrderingQuestion(
                    id="lifecycle_order", label="Lifecycle stages in order",
                    prompt="Put these stages of the readmission model's life in the order a new "
                    "model goes through them, first stage first.",
                    items=(
                        Option(value="register", label="Record the approved version with its "
                               "data version, code commit and metrics"),
                        Option(value="monitor", label="Watch inputs, scores and outcomes; an "
                               "alert opens the next round"),
                        Option(value="train", label="Train candidate models, logging every run"),
                        Option(value="deploy", label="Put the version into service with a way "
                               "back to the previous one"),
                        Option(value="baseline", label="Agree on the baselines and the metric a "
                               "candidate has to beat"),
                        Option(value="evaluate", label="Analyse the errors of the best candidate "
                               "and audit it before release"),
                    ),
                    key=("19c3bf6207f84a1d72c3", "d7196955d091873f339a", "5a3117e623ed7ec392c0",
                         "e2931c57af291bd62546", "9f172c58bed8e0411108", "e2fd13969592ea3b9a0f"),
                ),
                MatchingQuestion(
                    id="practice_match", label="Situation to practice",
                    prompt="Which ModelOps practice is the one that deals with each situation?",
                    help="Every practice fits exactly one situation.",
                    items=(
                        Option(value="lost_settings", label="Two candidates were trained last "
                               "month, and nobody can say which settings gave the AUC quoted in "
                               "the board's slides."),
                        Option(value="which_model", label="The on-call engineer is asked which "
                               "model produced this morning's worklist, and which data it "
                               "learned from."),
                        Option(value="payer_shift", label="For two months nobody noticed that "
                               "the share of Medicaid patients in the nightly batch had doubled "
                               "after a new payer contract."),
                        Option(value="bad_release", label="Since yesterday's release the "
                               "worklist puts nearly every hip-replacement patient at the top, "
                               "and the nurses need a sensible list tomorrow."),
                        Option(value="recall_slipping", label="Recall at the threshold has "
                               "slipped for three months; the team wants a new version trained "
                               "on the newest labelled discharges to start without anyone "
                               "having to remember it."),
                        Option(value="sign_off", label="The quality office must approve any "
                               "version before it influences care, and wants its intended use "
                               "and known limits in writing."),
                        Option(value="snf_misses", label="The model misses many readmissions "
                               "among patients discharged to skilled nursing facilities, and "
                               "the team wants to know why."),
                        Option(value="auc_meaning", label="A manager asks whether an AUC of "
                               "0.71 is good news or bad news."),
                        Option(value="planned_chemo", label="Planned admissions for "
                               "chemotherapy are being counted as readmissions in the label."),
                    ),
                    choices=PRACTICES,
                    key=("bd7bc2c211e5842ffce1", "8709a345b88af714fb01", "03cc95d64722d78411d5",
                         "3a59c648970949d08f6b", "e99b1411285e54735e6e", "fc3bdc87ed265fa1b678",
                         "04cd8b8e376bf56a8fbb", "963eb6198af162a59324", "f518ed8113438593a404"),
                ),
            ),
        ),
        Part(
            id="evidence",
            title="2. Baselines and the registry",
            intro="Load your data in the code cells of this notebook and compute each answer "
            "there.",
            questions=(
                StudentIdQuestion(
                    id="student_id", label="Student id",
                    prompt="Your student id. Your sample and your registry, and so the answers "
                    "the checks expect, are generated from it.",
                ),
                NumberQuestion(
                    id="base_rate", label="Test readmission rate",
                    prompt="The share of test discharges (admitted on or after the cut-off "
                    "date) that were readmitted within 30 days. The trivial baseline gives "
                    "everyone this risk.",
                    unit="ratio", minimum=0, maximum=1, decimals=4,
                ),
                NumberQuestion(
                    id="lace_auc", label="LACE AUC",
                    prompt="ROC AUC of the LACE index on the test discharges.",
                    unit="ratio", minimum=0, maximum=1, decimals=3,
                ),
                NumberQuestion(
                    id="model_auc", label="Logistic regression AUC",
                    prompt="ROC AUC on the test discharges of the course's logistic regression "
                    "fitted on the training discharges.",
                    unit="ratio", minimum=0, maximum=1, decimals=3,
                ),
                SingleChoice(
                    id="beats_lace", label="Gain over LACE",
                    prompt="The hospital will only run a model that beats the LACE index by at "
                    "least min_gain in AUC on the test discharges. Does yours?",
                    options=(Option(value="yes", label="Yes, by at least min_gain"),
                             Option(value="no", label="No, the gain is smaller than min_gain")),
                ),
                MultipleChoice(
                    id="gate_failures", label="Versions failing the gate",
                    prompt="Which registered versions fail the release gate (a validation AUC "
                    "below min_auc, or a failed audit)?",
                    options=VERSION_OPTIONS,
                ),
                SingleChoice(
                    id="rollback_to", label="Version to roll back to",
                    prompt="The champion starts producing nonsense scores. The rule is to fall "
                    "back to the most recently registered version that is older than the "
                    "champion and passes the gate. Which version is it?",
                    options=VERSION_OPTIONS,
                ),
            ),
        ),
        Part(
            id="plan",
            title="3. A plan for a small team",
            questions=(
                ChecklistQuestion(
                    id="adoption", label="When to set each practice up",
                    prompt="The hospital's data science team has two people. For each practice, "
                    "say when you would put it in place, and why then.",
                    items=(
                        ChecklistItem(id="tracking", label="Experiment tracking",
                                      group="Making models"),
                        ChecklistItem(id="data_versions", label="Training data pinned to a "
                                      "version id", group="Making models"),
                        ChecklistItem(id="error_analysis", label="Error analysis and a "
                                      "pre-release audit", group="Making models"),
                        ChecklistItem(id="registry", label="Model registry with aliases",
                                      group="Running models"),
                        ChecklistItem(id="rollback", label="Rollback and the LACE fallback",
                                      group="Running models"),
                        ChecklistItem(id="input_monitoring", label="Monitoring of inputs and "
                                      "scores", group="Running models"),
                        ChecklistItem(id="outcome_monitoring", label="Monitoring of outcomes "
                                      "once labels mature", group="Running models"),
                        ChecklistItem(id="retraining", label="Automated retraining",
                                      group="Running models"),
                        ChecklistItem(id="model_card", label="Model card and approval step",
                                      group="Governance"),
                    ),
                    levels=(
                        Option(value="postpone", label="Postpone"),
                        Option(value="later", label="Within the first year"),
                        Option(value="before_release", label="Before the first release"),
                        Option(value="first", label="From the first week"),
                    ),
                    evidence_label="Why then",
                    points=2,
                    rubric="Cheap, high-value practices (tracking, data versions, registry, "
                    "rollback to LACE) come early; heavy automation (retraining) can wait; the "
                    "reasons refer to the team's size, the risk to patients and the 30-day "
                    "delay of labels.",
                ),
                LongText(
                    id="feedback_loop", label="The feedback loop",
                    prompt="Once nurses call the patients the model ranks highest, how does the "
                    "model change the data its next version learns from? What would you record "
                    "at deployment time so that retraining can allow for it?",
                    min_words=80, max_words=300, points=4,
                    rubric="Explains that calls prevent some readmissions of high-scored "
                    "patients, so naive retraining learns they are lower risk; proposes "
                    "recording each patient's score, model version, threshold and whether and "
                    "when they were contacted (and ideally a small randomly untargeted group) so "
                    "that the effect can be separated from the risk.",
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch05_modelops", params=SCENARIO,
                      per_student=True),
    cells=CELLS,
    checks=(
        CheckSpec(id="lifecycle-ordered", title="Lifecycle stages in order", points=2,
                  kind="ordering_key", params={"question": "lifecycle_order"}),
        CheckSpec(id="practices-matched", title="Situations matched to practices", points=3,
                  kind="matching_key", params={"question": "practice_match"}),
        CheckSpec(id="base-rate-value", title="Test readmission rate", points=1,
                  kind="computed_value", params={"question": "base_rate", "tolerance": 0.001}),
        CheckSpec(id="lace-auc-value", title="AUC of the LACE index", points=2,
                  kind="computed_value", params={"question": "lace_auc", "tolerance": 0.005}),
        CheckSpec(id="model-auc-value", title="AUC of the logistic regression", points=2,
                  kind="computed_value", params={"question": "model_auc", "tolerance": 0.01}),
        CheckSpec(id="beats-lace-choice", title="Gain over LACE judged", points=1,
                  kind="computed_choice", params={"question": "beats_lace"}),
        CheckSpec(id="gate-set", title="Versions failing the release gate", points=2,
                  kind="computed_set", params={"question": "gate_failures"}),
        CheckSpec(id="rollback-choice", title="Version to roll back to", points=2,
                  kind="computed_choice", params={"question": "rollback_to"}),
        CheckSpec(id="plan-rated", title="Every practice placed in time", points=1,
                  kind="checklist_complete", params={"question": "adoption"}),
        CheckSpec(id="plan-reasons", title="A reason for every practice not postponed",
                  points=2, kind="checklist_evidence",
                  params={"question": "adoption", "min_words": 5}),
        CheckSpec(id="feedback-written", title="Feedback loop explained", points=1,
                  kind="min_words", params={"question": "feedback_loop", "n": 80}),
        CheckSpec(id="rollback-passes-gate", title="Rollback target is not a failing version",
                  points=1, visibility="hidden"),
    ),
)
