"""Chapter 6 exercise: choose a run from a tracked experiment, the way section 6.4 does.

Each student reads their own table of tracked readmission runs, shaped like the output of
``mlflow.search_runs`` (:mod:`bana_tools.scenarios.ch06_tracking`), applies the selection
rule agreed in advance (finished runs on the agreed validation version, highest validation
PR AUC), and reports the chosen run, its validation score and the test score that would be
reported for it. The table hides the usual traps: a run validated on an older extract,
a failed run, and test scores that rank the runs differently. Then students sort what a
run should record into parameters, metrics, tags and artifacts, and write a tracking policy
for the team. Prompts are our own.
"""

from __future__ import annotations

from bana_tools.exercises.schema import (
    CheckSpec,
    Exercise,
    LongText,
    MatchingQuestion,
    NotebookCell,
    NumberQuestion,
    Option,
    Part,
    Scenario,
    ShortText,
    StudentIdQuestion,
)

#: Inputs of the scenario: the size of the synthetic year behind the data versions and the
#: range of the number of comparable runs.
SCENARIO: dict[str, int] = {"rows": 2000, "min_runs": 7, "max_runs": 9}

RECORD_PARTS: tuple[Option, ...] = (
    Option(value="param", label="Parameter"),
    Option(value="metric", label="Metric"),
    Option(value="tag", label="Tag"),
    Option(value="artifact", label="Artifact (a file)"),
    Option(value="never", label="Keep it out of the run record"),
)

THINGS_TO_LOG: tuple[Option, ...] = (
    Option(value="c_value", label="The regularisation strength C of the logistic regression"),
    Option(value="val_pr", label="Precision-recall AUC on the validation quarter"),
    Option(value="pipeline", label="The fitted pipeline, preprocessing included"),
    Option(value="question", label="The question the run was started to answer"),
    Option(value="patient_rows", label="Ten patients' records, names included, to help debug "
                                       "a prediction"),
    Option(value="threshold", label="The risk threshold above which a patient is flagged"),
    Option(value="train_secs", label="How many seconds the training took"),
    Option(value="git_commit", label="The Git commit of the training code"),
    Option(value="score_plot", label="A histogram of the validation risk scores"),
    Option(value="seed", label="The random seed of the model"),
)

CELLS = (
    NotebookCell(
        id="data-intro", kind="markdown",
        source="## Your runs\n\nThe next cell loads *your* readmission experiment: every run "
               "the team logged, one row per run, with the columns `mlflow.search_runs` "
               "returns (run id, status, start time, run name, `params.*` as text, "
               "`metrics.*`), newest first. `data.agreed` holds the content hashes of the "
               "training, validation and test tables everyone agreed to use, and "
               "`data.selection_metric` the metric runs are ranked on. Classmates have "
               "different runs.",
    ),
    NotebookCell(
        id="load-data", kind="code",
        source="from bana_tools.scenarios import load\n\n"
               'data = load("ch06-tracking")\n'
               "runs = data.runs\n"
               "print('agreed versions:', data.agreed)\n"
               "print('selection metric:', data.selection_metric)\n"
               "runs",
    ),
    NotebookCell(
        id="select-intro", kind="markdown",
        source="## 1. Apply the selection rule\n\nThe rule was written down before anyone "
               "looked at the results: among the runs that **finished** and were evaluated on "
               "the **agreed validation table** (`params.data_valid`), the one with the "
               "highest validation PR AUC wins. Filter the table the way a `filter_string` "
               "would, sort it the way `order_by` would, and read off the winner. Look at the "
               "test columns only after you have chosen.",
    ),
    NotebookCell(id="select-work", kind="code",
                 source="# Your code: keep the comparable runs, sort them by the selection "
                        "metric,\n# and show the chosen run's id, validation and test PR AUC\n"),
    NotebookCell(
        id="compare-intro", kind="markdown",
        source="## 2. What the test column would have done\n\nFor your written answer: which "
               "run would have won on the test score, and what would that choice have meant? "
               "Use the cell below to look.",
    ),
    NotebookCell(id="compare-work", kind="code",
                 source="# Your code: rank the comparable runs by test PR AUC and compare\n"),
    NotebookCell(
        id="enter-intro", kind="markdown",
        source="## Enter your results\n\nType the run id and the scores into the form above, "
               "as they appear in your table. The self-check says whether each answer matches "
               "what your table gives; it never shows the expected values.",
    ),
)

EXERCISE = Exercise(
    id="ch06-tracking",
    title="Chapter 6: choosing a run from a tracked experiment",
    assignment="ch06",
    source="Textbook section 6.3 (what to track), 6.4.5-6.4.6 (comparing runs, choosing on "
           "validation), 6.5.4 (comparability), 6.7 (exercise)",
    intro=(
        "The readmission team has logged a few weeks of training runs in MLflow. Before anyone "
        "looked at a result, they agreed how the model would be chosen: compare finished runs "
        "on the agreed validation table, rank them by validation PR AUC, and score the test "
        "table once, for the chosen run. Somebody has since scored every run on the test "
        "table anyway. In this exercise you apply the agreed rule to a table of runs of your "
        "own, decide what a run record should hold, and write the team's tracking policy."
    ),
    parts=(
        Part(
            id="choose",
            title="1. Choose a run",
            intro="Work in the code cells below the form. Your runs depend on your student id.",
            questions=(
                StudentIdQuestion(
                    id="student_id", label="Student id",
                    prompt="Your student id (your university username). It selects your runs; "
                    "use the same id every time.",
                ),
                NumberQuestion(
                    id="n_comparable", label="Comparable runs",
                    prompt="How many runs in your table can be compared under the rule "
                    "(finished, and evaluated on the agreed validation table)?",
                    unit="runs", minimum=0, maximum=100, decimals=0,
                ),
                ShortText(
                    id="chosen_run", label="Chosen run",
                    prompt="The run id of the run the rule picks.",
                    help="Copy it from the run_id column; the first 8 characters are enough "
                    "if no other run starts with them.",
                    placeholder="e.g. 3f9c2a71...", max_chars=64,
                ),
                NumberQuestion(
                    id="chosen_val_score", label="Its validation PR AUC",
                    prompt="The chosen run's validation PR AUC, as logged (three or four "
                    "decimals).",
                    unit="ratio", minimum=0, maximum=1, decimals=4,
                ),
                NumberQuestion(
                    id="chosen_test_score", label="Its test PR AUC",
                    prompt="The test PR AUC you would report for the chosen model (three or "
                    "four decimals).",
                    unit="ratio", minimum=0, maximum=1, decimals=4,
                ),
            ),
        ),
        Part(
            id="record",
            title="2. What goes in a run record",
            questions=(
                MatchingQuestion(
                    id="what_to_log", label="Where each item goes",
                    prompt="A training run in MLflow records parameters, metrics, tags and "
                    "artifacts. Where does each of these belong, if anywhere?",
                    items=THINGS_TO_LOG, choices=RECORD_PARTS,
                    key=("4fd49e32a5f17a3ef4c3", "fb617fcd68d7ab65afb7", "9eebdb2dc78af52bee9d",
                         "a759e59b8567006e2402", "874931c2ef95dcfa2115", "4555795f9442ebb7b80f",
                         "c2bd2abdac2a1ced0be8", "2c635ae05cf9330325af", "30200d0a2759a6cbad88",
                         "9ca9b8508e0b881e370d"),
                ),
            ),
        ),
        Part(
            id="policy",
            title="3. A tracking policy",
            questions=(
                LongText(
                    id="policy", label="Policy and reasons",
                    prompt="First, use your own table: which run would have been chosen on "
                    "the test score, and why would that choice, or a choice that includes "
                    "the run on the older validation extract, mislead the hospital? Then "
                    "write the team's tracking policy in a few points: what every run record "
                    "must contain, what it must never contain, and when the test table may "
                    "be scored.",
                    min_words=100, max_words=350, points=5,
                    rubric="Uses the student's table (names the best-by-test run or its "
                    "scores, the stale data version); explains that choosing on test turns "
                    "the test set into a selection set and inflates the reported score, and "
                    "that scores on different validation versions are not comparable; the "
                    "policy names data versions (content hashes), parameters, metrics under "
                    "split-specific names, code version and environment; forbids patient-level "
                    "data in run records; allows scoring the test set once, for the chosen run.",
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch06_tracking", params=SCENARIO,
                      per_student=True),
    cells=CELLS,
    checks=(
        CheckSpec(id="comparable-count", title="Number of comparable runs", points=1,
                  kind="computed_value", params={"question": "n_comparable"}),
        CheckSpec(id="chosen-run", title="The run the selection rule picks", points=4,
                  kind="ch06_chosen_run", params={"question": "chosen_run"}),
        CheckSpec(id="chosen-val-score", title="Validation PR AUC of the chosen run", points=2,
                  kind="computed_value",
                  params={"question": "chosen_val_score", "tolerance": 0.0006}),
        CheckSpec(id="chosen-test-score", title="Test PR AUC reported for the chosen run",
                  points=2, kind="computed_value",
                  params={"question": "chosen_test_score", "tolerance": 0.0006}),
        CheckSpec(id="record-matching", title="Items sorted into the run record", points=4,
                  kind="matching_key", params={"question": "what_to_log"}),
        CheckSpec(id="policy-written", title="Policy written", points=1,
                  kind="min_words", params={"question": "policy", "n": 100}),
        CheckSpec(id="not-chosen-on-test", title="The choice was not made on test scores",
                  points=1, visibility="hidden"),
        CheckSpec(id="scores-of-named-run", title="Scores entered belong to the run named",
                  points=1, visibility="hidden"),
    ),
)
