"""Chapter 10 exercise: how well tested is the readmission system?

Part 1 is a self-assessment with the ML Test Score rubric of Breck et al. (2017), cited in
section 10.3.1: the 28 tests in their four groups, each rated "not done", "done by hand" or
"automated", with evidence from the readmission system as Parts II-IV of the book build it.
The student then computes the score of their own ratings; the ``ml_test_score`` check (in
:mod:`bana_tools.scenarios.ch10_devops`) recomputes it from the saved checklist. Part 2
places failures and checks on the test layers and schedules of sections 10.3.2 and 10.4.2
(matching questions with keys). Part 3 is the reply to a sceptical colleague of the chapter's
exercise, graded by hand. Item labels and prompts are our own words; the test names of the
rubric are facts.
"""

from __future__ import annotations

from bana_tools.exercises.schema import (
    ChecklistItem,
    ChecklistQuestion,
    CheckSpec,
    Exercise,
    LongText,
    MatchingQuestion,
    NotebookCell,
    NumberQuestion,
    Option,
    Part,
    Scenario,
)

GROUPS = ("Features and data", "Model development", "ML infrastructure", "Monitoring")

#: (group, item id, label, help): the rubric's 28 tests, seven per group, in our words.
RUBRIC: tuple[tuple[str, str, str, str], ...] = (
    ("Features and data", "data_schema", "Expected feature values are written down as a schema",
     "Types, ranges and allowed categories of age, length of stay, payer...: the validation "
     "rules of chapter 4 are one form."),
    ("Features and data", "data_useful", "Every feature has shown that it helps",
     "Each input was checked (ablation, importance) to add predictive value."),
    ("Features and data", "data_cost", "Each feature's cost is known and worth paying",
     "Latency, memory, upstream dependencies and upkeep weighed against the gain."),
    ("Features and data", "data_banned", "Inputs that must not be used are kept out",
     "For example patient identifiers, or attributes a policy forbids as model inputs."),
    ("Features and data", "data_privacy", "The data pipeline protects patient privacy",
     "Access control, de-identification, synthetic data outside the hospital network."),
    ("Features and data", "data_new_feature", "A new feature can reach production quickly",
     "How long from an idea for a feature to a model that uses it?"),
    ("Features and data", "data_feature_code", "Code that builds features is tested",
     "Unit tests such as the LACE points test of section 10.3.2."),
    ("Model development", "model_review", "Model code and settings are reviewed and versioned",
     "Every change to the model's definition goes through review and into Git."),
    ("Model development", "model_offline_online", "Offline metrics track real-world impact",
     "Does a better PR AUC on held-out data mean fewer readmissions on the wards?"),
    ("Model development", "model_hyperparams", "Hyperparameters have been tuned",
     "Regularisation strength, tree depth...: searched, not left at defaults."),
    ("Model development", "model_staleness", "We know how fast the model goes stale",
     "How much quality is lost per month without retraining?"),
    ("Model development", "model_baseline", "The model beats a simpler baseline",
     "The LACE score is the obvious one."),
    ("Model development", "model_slices", "Quality holds on important subgroups",
     "Payer, age band, ward, admission type..."),
    ("Model development", "model_fairness", "The model was checked for unfair treatment of groups",
     "Error rates and flag rates compared across groups of patients."),
    ("ML infrastructure", "infra_reproducible", "Training can be reproduced",
     "Same code, data version and seed give the same model (chapter 7)."),
    ("ML infrastructure", "infra_model_unit", "Model-building code has unit tests",
     "The pipeline that builds and fits the model is tested in small pieces."),
    ("ML infrastructure", "infra_pipeline_integration", "The whole pipeline is tested end to end",
     "From an extract to a scored worklist, on a small sample."),
    ("ML infrastructure", "infra_quality_gate", "A model must pass a quality check before it serves",
     "A gate that blocks registration or promotion of a poor model."),
    ("ML infrastructure", "infra_debuggable", "One prediction can be traced step by step",
     "Someone can follow a single patient's features through to the score."),
    ("ML infrastructure", "infra_canary", "New models go through a canary first",
     "A small share of traffic before all of it (chapter 8)."),
    ("ML infrastructure", "infra_rollback", "A served model can be rolled back fast and safely",
     "How long does it take, and has it been practised?"),
    ("Monitoring", "mon_dependencies", "Changes in upstream data and libraries are announced to us",
     "Someone tells the team when an EHR extract or a library changes."),
    ("Monitoring", "mon_input_invariants", "Inputs are checked against the schema in training and serving",
     "The same rules run on training extracts and on live requests."),
    ("Monitoring", "mon_skew", "Training and serving compute features the same way",
     "No training-serving skew: one feature implementation, compared on real requests."),
    ("Monitoring", "mon_staleness", "An alert fires when the model gets too old",
     "The age of the production model is watched."),
    ("Monitoring", "mon_numeric", "Numerical trouble (NaN, infinity) is watched for",
     "In training and in the scores served."),
    ("Monitoring", "mon_compute", "Latency, throughput and memory are tracked for regressions",
     "The system metrics of chapters 2 and 9."),
    ("Monitoring", "mon_quality", "Prediction quality in production is tracked",
     "Recall and precision once outcomes arrive; drift before they do (chapter 9)."),
)

LEVELS: tuple[Option, ...] = (
    Option(value="not_done", label="Not done (0)"),
    Option(value="manual", label="Done by hand, results written up (0.5)"),
    Option(value="automated", label="Automated, runs again and again (1)"),
)

LAYERS: tuple[Option, ...] = (
    Option(value="service", label="Service (API) test"),
    Option(value="differential", label="Differential test against the production model"),
    Option(value="lint", label="Lint / static analysis"),
    Option(value="data", label="Data validation test"),
    Option(value="monitoring", label="Monitoring in production"),
    Option(value="unit", label="Unit test of feature code"),
    Option(value="invariance", label="Invariance test"),
    Option(value="gate", label="Quality gate against a baseline"),
    Option(value="directional", label="Directional test"),
)

FAILURES: tuple[Option, ...] = (
    Option(value="lace_refactor", label="After a tidy-up of the LACE helper, a five-day stay "
           "gets 3 points instead of 4."),
    Option(value="bad_extract", label="This month's extract gives every patient of one ward an "
           "age of 0."),
    Option(value="worse_than_lace", label="A retrained model ranks patients less well than the "
           "plain LACE score."),
    Option(value="prior_admissions_sign", label="Trained on a mislabelled extract, the model "
           "gives patients with more earlier admissions a lower risk."),
    Option(value="date_feature", label="Someone puts the admission date in the feature list; the "
           "same patient now scores differently on a Monday and a Friday."),
    Option(value="candidate_disagrees", label="On the same reference discharges, a new model "
           "version flags a very different set of patients than the one in use."),
    Option(value="unknown_payer", label="The scoring endpoint returns a risk for a request with a "
           "payer code it has never heard of, instead of refusing it."),
    Option(value="winter_mix", label="Over the winter the patient mix moves and flagged "
           "patients come back less often than they used to."),
    Option(value="undefined_name", label="A misspelt variable in a rarely used error branch would "
           "crash the service the day that branch runs."),
)

WHEN: tuple[Option, ...] = (
    Option(value="every_change", label="On every push and pull request"),
    Option(value="nightly", label="On a nightly schedule"),
    Option(value="promotion", label="Before a model version is promoted to production"),
)

CHECKS_TO_PLACE: tuple[Option, ...] = (
    Option(value="differential", label="Compare the candidate with the production model on the "
           "fixed reference discharges"),
    Option(value="feature_units", label="Unit tests of the feature functions (a few seconds)"),
    Option(value="full_retrain", label="Retrain on three years of discharges and evaluate "
           "(about an hour on a large machine)"),
    Option(value="ruff", label="Lint the code with ruff"),
    Option(value="subgroups", label="Quality and flag rates on patient subgroups, signed off by "
           "the clinical lead"),
    Option(value="small_model", label="Directional and invariance tests on a small model fitted "
           "to 3,000 synthetic rows"),
    Option(value="drift_report", label="Drift report of yesterday's discharges against the "
           "training data"),
    Option(value="rules_sample", label="Validation rules checked on a 50-row sample"),
)

CELLS = (
    NotebookCell(
        id="score-intro", kind="markdown",
        source="## How the ML Test Score is computed\n\n"
               "Each of the 28 tests earns 0 points if it is not done, 0.5 if it is done by "
               "hand with the results written up and shared, and 1 if it runs automatically, "
               "again and again. Add up the points of each group's seven tests. The ML Test "
               "Score is the **smallest** of the four sums: a system is only as ready as its "
               "weakest area. The cell below loads the points of each level and the tests "
               "of each group.",
    ),
    NotebookCell(
        id="load-table", kind="code",
        source="from bana_tools.scenarios import load\n\n"
               'table = load("ch10-devops")\n'
               "print(table.level_points)\n"
               "for group, tests in table.groups.items():\n"
               "    print(group, '->', ', '.join(tests))",
    ),
    NotebookCell(
        id="score-work", kind="code",
        source="import json\n"
               "from pathlib import Path\n\n"
               "# Your ratings, as the form saved them (run the form below first, then this cell).\n"
               'saved = Path("answers/ch10-devops.json")\n'
               'answers = json.loads(saved.read_text())["answers"] if saved.exists() else {}\n'
               'ratings = answers.get("ml_test_checklist", {})  # test id -> {"level": ..., "evidence": ...}\n\n'
               "# Your code: the points of each group, then your ML Test Score\n",
    ),
)

EXERCISE = Exercise(
    id="ch10-devops",
    title="Chapter 10: how well tested is the readmission system?",
    assignment="ch10",
    source="Textbook section 10.3 (CI/CD and the layers of an ML test suite), 10.4 "
           "(challenges), 10.6 (exercise); the ML Test Score rubric of Breck et al. (2017)",
    intro=(
        "The readmission system of this book now has validation rules, tracked experiments, a "
        "registry, a scoring service, a canary roll-out, drift monitoring and a small test "
        "suite. How close is it to production-ready? Rate it with Google's ML Test Score "
        "rubric, compute its score, decide which checks belong at which stage of the "
        "pipeline, and answer a colleague who thinks tests slow the team down. Rate the "
        "system as the book builds it, or as your own project runs it if you have followed "
        "along with one; either way, point to evidence."
    ),
    parts=(
        Part(
            id="self-assessment",
            title="1. The ML Test Score",
            intro="Rate each of the 28 tests and say what in the readmission system supports "
                  "your rating (a chapter, a file, a command, a test name). Then compute the "
                  "score your ratings give.",
            questions=(
                ChecklistQuestion(
                    id="ml_test_checklist", label="ML Test Score checklist",
                    prompt="For each test, how far does the readmission system go?",
                    help="0.5 needs written-up results someone else could read; 1 needs a "
                         "job, hook or pipeline that runs it without anyone remembering to.",
                    items=tuple(ChecklistItem(id=i, label=label, help=hint, group=group)
                                for group, i, label, hint in RUBRIC),
                    levels=LEVELS,
                    evidence_label="Evidence from the readmission system",
                ),
                NumberQuestion(
                    id="ml_test_score", label="Your ML Test Score",
                    prompt="The ML Test Score of your ratings: sum the points within each of "
                           "the four groups, then take the smallest sum.",
                    help="A score of 0 reads as a research project; above 5 is exceptional.",
                    minimum=0, maximum=7, decimals=1,
                ),
                LongText(
                    id="next_steps", label="What to automate next",
                    prompt="Which group limits your score, and which two tests would you work "
                           "on first to raise it? Say what you would build for each and why "
                           "those two come first for a hospital.",
                    min_words=60, max_words=250, points=3,
                    rubric="Names the weakest group consistently with the ratings; the two "
                           "tests are in it (or justified otherwise); each comes with a concrete "
                           "mechanism (CI job, scheduled workflow, gate, alert) and a reason "
                           "tied to patient risk or cost.",
                ),
            ),
        ),
        Part(
            id="stages",
            title="2. What catches what, and when",
            intro="Section 10.3.2 lists the layers of an ML test suite; section 10.4.2 says "
                  "which run on every change and which less often.",
            questions=(
                MatchingQuestion(
                    id="catches", label="Which check catches it",
                    prompt="Each of these problems reaches a pull request or production. Which "
                           "check would catch it first?",
                    items=FAILURES, choices=LAYERS,
                    key=("c6eabcc89642a5e3e3fe", "c8f42ee4a8a021fda95e", "65af56aea4c096447c5f",
                         "bfc8a9a9cbc58cb393f9", "84bbea3136bd09b288de", "27cf7069d9bbea005fe1",
                         "664fd3ebd9d040675d84", "8bf74bd4e2ee92b8964d", "38c772525877a4259df7"),
                ),
                MatchingQuestion(
                    id="schedule", label="When to run it",
                    prompt="When should each check run?",
                    help="Cheap and fast: on every change. Slow or costly: on a schedule. "
                         "Checks about replacing what patients are scored with today: when a "
                         "model is about to be promoted.",
                    items=CHECKS_TO_PLACE, choices=WHEN,
                    key=("486338b424e4ae408928", "21b4e7342f4978dcd2df", "19dadc4dbdb039589168",
                         "acd7203001bb431a78c6", "3e28dece5cfd527af8e6", "df4c454a44222cb691a5",
                         "82c224acffa6ef7d67e0", "896f5747c2e7d5f76d1b"),
                ),
            ),
        ),
        Part(
            id="reply",
            title="3. Do tests slow us down?",
            questions=(
                LongText(
                    id="reply", label="Reply to a sceptical colleague",
                    prompt="A data scientist on the team says that writing tests slows them "
                           "down. Reply in a short message grounded in the readmission case: "
                           "what could go wrong without tests, what the tests cost, and where "
                           "you would agree with them.",
                    min_words=80, max_words=300, points=4,
                    rubric="Names at least one concrete readmission failure a test would have "
                           "caught (wrong LACE points, bad extract, reversed effect, identifier "
                           "leak) and its cost to patients or the hospital; weighs the time "
                           "tests take against rework and incidents (faster releases, safe "
                           "refactoring, audit trail); concedes something real (flaky or slow "
                           "tests, tolerances are judgement calls) and proposes how to keep "
                           "tests cheap (layering, small data, fixed seeds).",
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch10_devops", per_student=False),
    cells=CELLS,
    checks=(
        CheckSpec(id="checklist-rated", title="All 28 tests rated", points=2,
                  kind="checklist_complete", params={"question": "ml_test_checklist"}),
        CheckSpec(id="checklist-evidence", title="Evidence for every test you claim", points=3,
                  kind="checklist_evidence",
                  params={"question": "ml_test_checklist", "min_words": 5}),
        CheckSpec(id="score-computed", title="Score computed from your ratings", points=2,
                  kind="ml_test_score", params={"question": "ml_test_score"}),
        CheckSpec(id="next-steps-written", title="Next steps written", points=1,
                  kind="min_words", params={"question": "next_steps", "n": 60}),
        CheckSpec(id="catches-matched", title="Problems matched to the checks that catch them",
                  points=4, kind="matching_key", params={"question": "catches"}),
        CheckSpec(id="schedule-matched", title="Checks matched to when they run", points=3,
                  kind="matching_key", params={"question": "schedule"}),
        CheckSpec(id="reply-written", title="Reply written", points=1,
                  kind="min_words", params={"question": "reply", "n": 80}),
        CheckSpec(id="answers-distinct", title="The two written answers are not copies",
                  points=1, visibility="hidden"),
    ),
)
