"""Chapter 11 exercise: read a CI workflow and a branch's test history; work with Git.

Parts 1 and 2 are computed per student (:mod:`bana_tools.scenarios.ch11_git`): each student
gets their own GitHub Actions workflow for the readmission repository and a pull request to
reason about (which jobs run, how many runs the matrices make, which step GitHub would
refuse, as the workflow check of section 11.6.2 does), and their own branch history of CI
test results (which commit broke the build for good, how many commits stayed red, which test
is flaky). Part 3 covers the commands and the pull-request flow of sections 11.3-11.5
(ordering and matching questions with keys) and the branch protection reflection of the
chapter's exercise, graded by hand. Prompts are our own.
"""

from __future__ import annotations

from bana_tools.exercises.schema import (
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
    ShortText,
    SingleChoice,
    StudentIdQuestion,
)

#: Every job a student's workflow may contain (the scenario module uses these).
JOBS = ("lint", "unit-tests", "data-tests", "model-gate", "evaluate", "build-image",
        "deploy-staging", "drift-check", "docs")
#: The tests of the repository (the scenario module uses these).
TESTS = (
    "test_los_points_follow_the_lace_table",
    "test_acuity_points",
    "test_comorbidity_points",
    "test_validation_catches_impossible_ages",
    "test_model_beats_the_lace_baseline",
    "test_more_prior_admissions_raise_risk",
    "test_score_ignores_identifiers",
    "test_service_refuses_unknown_payer",
)

JOB_OPTIONS = tuple(Option(value=j, label=j) for j in JOBS)
TEST_OPTIONS = tuple(Option(value=t, label=t) for t in TESTS)

PR_STEPS: tuple[Option, ...] = (
    Option(value="open_pr", label="Open a pull request against main, saying what changes and why"),
    Option(value="commit", label="Edit, stage and commit the change in small steps"),
    Option(value="merge", label="Merge the pull request once the checks pass and it is approved"),
    Option(value="pull_main", label="Bring your local main up to date"),
    Option(value="fix_push", label="Push fixes for the review comments to the same branch"),
    Option(value="push_branch", label="Push the branch to GitHub"),
    Option(value="cleanup", label="Delete the branch and pull the new main"),
    Option(value="branch", label="Create a branch for the change and switch to it"),
    Option(value="checks_review", label="CI runs the checks and a colleague reviews the diff"),
)

SITUATIONS: tuple[Option, ...] = (
    Option(value="see_state", label="See which files you have changed and which are staged"),
    Option(value="staged_diff", label="Read, line by line, what you are about to commit"),
    Option(value="undo_shared", label="Undo a commit that is already on the shared main, "
           "without rewriting its history"),
    Option(value="discard_edit", label="Throw away your uncommitted edits to one file"),
    Option(value="who_changed", label="Find the commit that last changed each line of features.py"),
    Option(value="find_regression", label="Find which of 40 commits broke a test by halving "
           "the range again and again"),
    Option(value="join_project", label="Get your own copy of the team's repository with its "
           "whole history"),
    Option(value="new_branch", label="Start a new branch and move onto it"),
    Option(value="refused_push", label="Your push was refused because main on GitHub has moved "
           "on: download those commits and merge them in one command"),
    Option(value="parent_hash", label="Show the tree, parent and author of the latest commit"),
)

COMMANDS: tuple[Option, ...] = (
    Option(value="pull", label="git pull"),
    Option(value="reset_hard", label="git reset --hard HEAD~1"),
    Option(value="blame", label="git blame <file>"),
    Option(value="status", label="git status"),
    Option(value="switch_c", label="git switch -c <name>"),
    Option(value="fetch", label="git fetch"),
    Option(value="cat_file", label="git cat-file -p HEAD"),
    Option(value="revert", label="git revert <commit>"),
    Option(value="clone", label="git clone <address>"),
    Option(value="force_push", label="git push --force"),
    Option(value="diff_staged", label="git diff --staged"),
    Option(value="bisect", label="git bisect"),
    Option(value="restore", label="git restore <file>"),
)

CELLS = (
    NotebookCell(
        id="data-intro", kind="markdown",
        source="## Your data\n\n"
               "The next cell loads your own copy of the readmission repository's CI set-up "
               "(it depends on your student id):\n\n"
               "- `data.workflow`: the text of `.github/workflows/ci.yml`;\n"
               "- `data.event`: the pull request you reason about, as GitHub's `github` "
               "context describes it (`event_name`, `ref`, `base_ref`, `head_ref`);\n"
               "- `data.commits`: the commits of a branch, oldest first;\n"
               "- `data.results`: the test results CI recorded for each commit. A commit "
               "whose first run (`attempt` 1) had a failure was run once more (`attempt` 2).",
    ),
    NotebookCell(
        id="load-data", kind="code",
        source="from bana_tools.scenarios import load\n\n"
               'data = load("ch11-git")\n'
               "print(data.workflow)\n"
               "print(data.event)\n"
               "data.commits",
    ),
    NotebookCell(
        id="workflow-intro", kind="markdown",
        source="## 1. The workflow on a pull request\n\n"
               "Parse the workflow with `yaml.safe_load` (remember what PyYAML does to the key "
               "`on`, section 11.6.2). A job runs on the pull request when the workflow is "
               "triggered by it, the job's `if` condition is true in the `github` context of "
               "`data.event`, and every job it `needs` ran too (a job whose dependency was "
               "skipped is skipped). A job with a `strategy.matrix` runs once per combination "
               "of the matrix values, minus the combinations listed under `exclude`.",
    ),
    NotebookCell(id="workflow-work", kind="code",
                 source="import yaml\n\n"
                        "# Your code: parse data.workflow, decide which jobs run on data.event,\n"
                        "# count their runs, and find the step whose action has no version\n"),
    NotebookCell(
        id="history-intro", kind="markdown",
        source="## 2. The branch's test history\n\n"
               "Join `data.results` to `data.commits` to put the results in commit order. "
               "The result of a commit is its last attempt. Look for the tests that still "
               "fail at the tip of the branch and where they started failing for good, and "
               "for a test that failed and then passed on the same commit.",
    ),
    NotebookCell(id="history-work", kind="code",
                 source="# Your code: the breaking commit, the red commits, the flaky test\n"),
)

EXERCISE = Exercise(
    id="ch11-git",
    title="Chapter 11: Git, GitHub and a CI workflow",
    assignment="ch11",
    source="Textbook sections 11.3-11.5 (Git basics, synchronising, branches and pull "
           "requests), 11.6 (CI with GitHub Actions), 11.8 (exercise)",
    intro=(
        "The readmission team keeps its feature code, tests and pipeline definitions in a Git "
        "repository on GitHub, and every pull request runs a GitHub Actions workflow. You get "
        "your own version of that workflow and of one branch's CI history: parse them in the "
        "code cells and enter what they tell you. Then put the pull-request workflow in order, "
        "pick the Git command for each situation, and write the branch protection rules you "
        "would set for the team."
    ),
    parts=(
        Part(
            id="workflow",
            title="1. The workflow on a pull request",
            questions=(
                StudentIdQuestion(
                    id="student_id", label="Student id",
                    prompt="Your student id. Your workflow and test history depend on it; "
                           "use the same id every time.",
                ),
                MultipleChoice(
                    id="jobs_on_pr", label="Jobs that run",
                    prompt="Which jobs of your workflow run for the pull request in "
                           "`data.event`?",
                    help="Jobs that are not in your workflow are never right.",
                    options=JOB_OPTIONS, min_selected=1,
                ),
                NumberQuestion(
                    id="job_runs_on_pr", label="Job runs",
                    prompt="How many job runs does that pull request start in total, counting "
                           "every combination of a matrix as one run?",
                    minimum=0, maximum=100, decimals=0,
                ),
                SingleChoice(
                    id="unpinned_job", label="Job GitHub would refuse",
                    prompt="One step of your workflow uses an action without a version, which "
                           "GitHub refuses. In which job is it? (For the two questions above, "
                           "assume it has been fixed.)",
                    options=JOB_OPTIONS,
                ),
            ),
        ),
        Part(
            id="history",
            title="2. The branch's test history",
            questions=(
                ShortText(
                    id="breaking_commit", label="Breaking commit",
                    prompt="Some tests still fail at the tip of the branch. Which commit made "
                           "them fail for good? Give its hash (the first 7 characters are "
                           "enough).",
                    placeholder="e.g. 1a2b3c4", max_chars=40,
                ),
                NumberQuestion(
                    id="red_commits", label="Red commits",
                    prompt="On how many commits were the checks still red after the re-run "
                           "(at least one failed test on the commit's last attempt)?",
                    minimum=0, maximum=100, decimals=0,
                ),
                SingleChoice(
                    id="flaky_test", label="Flaky test",
                    prompt="Which test is flaky: it failed on a commit and passed when the "
                           "same commit was run again?",
                    options=TEST_OPTIONS,
                ),
            ),
        ),
        Part(
            id="git",
            title="3. Working with Git and GitHub",
            questions=(
                OrderingQuestion(
                    id="pr_steps", label="Pull-request workflow",
                    prompt="Put the life of one change, in a team that protects main, in "
                           "order (first step first).",
                    items=PR_STEPS,
                    key=("d987e1dbcb44ce9369a8", "66da8c2938d66d08ad3f", "9f933fd0dd3e54929c7c",
                         "7504af6485a9ed132b99", "4b64bfb86955e729a9ff", "3abad64e0956eb827396",
                         "11b5a0c44b456e64811e", "2bc0eeaf67a2403a46c0", "1678c7cebca4ff70e5ce"),
                ),
                MatchingQuestion(
                    id="commands", label="The command for the job",
                    prompt="Which command does each of these? (Some commands are not needed.)",
                    items=SITUATIONS, choices=COMMANDS,
                    key=("543b00fab96312a2451c", "746554f89412f2bc363a", "0f45fc46150dd12d4044",
                         "32b24ec2446f93f4edd2", "d15d0638ae040b0169fe", "41a5626b9044b1d3e0c8",
                         "9352c05603370fab0425", "5d370325b1bd88a1221d", "a329b13336a95c83e4da",
                         "52a56cf6e7e3678b0254"),
                ),
                LongText(
                    id="protection", label="Branch protection for main",
                    prompt="You are one of four people on the readmission team. Which "
                           "protection rules would you set on main? For each, say what it "
                           "guards against, and say which rule would have stopped each of the "
                           "mistakes the chapter shows: a push straight to main, a change that "
                           "contradicted the published LACE table, and a data extract in a "
                           "commit.",
                    min_words=80, max_words=350, points=4,
                    rubric="Rules: pull request required, at least one approving review, "
                           "required status checks (tests, lint) passing and up to date, no "
                           "force-push or deletion, optionally code owners and signed or "
                           "linear history. Each rule tied to a risk. Maps the three mistakes "
                           "correctly: direct push -> required PR; LACE change -> required "
                           "checks plus review; data extract -> pre-commit hook or CI check "
                           "(protection alone does not stop it; history is permanent). "
                           "Sensible for four people (e.g. one reviewer, admins included).",
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch11_git", per_student=True),
    cells=CELLS,
    checks=(
        CheckSpec(id="jobs-on-pr", title="Jobs that run on the pull request", points=3,
                  kind="computed_set", params={"question": "jobs_on_pr"}),
        CheckSpec(id="job-runs", title="Job runs, matrices included", points=2,
                  kind="computed_value", params={"question": "job_runs_on_pr", "tolerance": 0.01}),
        CheckSpec(id="unpinned-job", title="The step GitHub would refuse", points=2,
                  kind="computed_choice", params={"question": "unpinned_job"}),
        CheckSpec(id="breaking-commit", title="The commit that broke the build", points=2,
                  kind="commit_hash", params={"question": "breaking_commit"}),
        CheckSpec(id="red-commits", title="Commits still red after the re-run", points=2,
                  kind="computed_value", params={"question": "red_commits", "tolerance": 0.01}),
        CheckSpec(id="flaky-test", title="The flaky test", points=2,
                  kind="computed_choice", params={"question": "flaky_test"}),
        CheckSpec(id="pr-steps-ordered", title="Pull-request workflow in order", points=3,
                  kind="ordering_key", params={"question": "pr_steps"}),
        CheckSpec(id="commands-matched", title="Commands matched to situations", points=3,
                  kind="matching_key", params={"question": "commands"}),
        CheckSpec(id="protection-written", title="Branch protection rules written", points=1,
                  kind="min_words", params={"question": "protection", "n": 80}),
    ),
)
