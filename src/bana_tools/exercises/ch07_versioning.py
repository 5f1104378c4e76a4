"""Chapter 7 exercise: apply a promotion rule to a model registry, and trace the data.

Each student gets an own registry of ``readmission-risk`` (eight versions with their
validation metrics, status tags, checksums and data hashes) and four training extracts
(:mod:`bana_tools.scenarios.ch07_versioning`). They apply the promotion rule stated in the
introduction, find the promoted version's training table among the extracts by content
hash (:func:`bana_tools.ops.versioning.content_hash`, as in section 7.4.7), match registry
changes to what they do to versions and aliases, order the steps of a promotion, and design
the approval step (prompt 4 of section 7.6) in prose graded by hand. Prompts are our own.
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
    SingleChoice,
    StudentIdQuestion,
)

EXTRACT_OPTIONS: tuple[Option, ...] = tuple(
    Option(value=letter, label=f"Extract {letter}") for letter in "ABCD"
)

CELLS = (
    NotebookCell(
        id="data-intro", kind="markdown",
        source="## Your registry and extracts\n\n"
               "`data.registry` lists the eight registered versions of `readmission-risk`, one "
               "row each: `version`, the `run` it came from, its `aliases`, its "
               "`validation_status` tag, the content hashes of its training table "
               "(`data_train`) and validation table (`data_valid`), its validation PR AUC and "
               "ROC AUC, and the `sha256` recorded for its artifact files (empty when none was "
               "recorded).\n\n"
               "`data.extracts` holds four training tables, `A` to `D`, copied from a shared "
               "drive without labels saying what they are. `data.rule` repeats the promotion "
               "rule of the introduction.",
    ),
    NotebookCell(
        id="load-data", kind="code",
        source="from bana_tools.scenarios import load\n\n"
               'data = load("ch07-versioning")\n'
               "registry, extracts = data.registry, data.extracts\n"
               "print({name: table.shape for name, table in extracts.items()})\n"
               "registry",
    ),
    NotebookCell(
        id="rule-intro", kind="markdown",
        source="## 1. Apply the promotion rule\n\n"
               "Find the champion's row first; every condition compares a version with it. "
               "Then filter the registry with one boolean condition per clause of the rule "
               "(pandas comparisons combined with `&`). Look at the versions that fail: which "
               "clause stops each of them?",
    ),
    NotebookCell(id="rule-work", kind="code",
                 source="# Your code: the versions that meet every condition, and the one promoted\n"),
    NotebookCell(
        id="hash-intro", kind="markdown",
        source="## 2. Which table was it trained on?\n\n"
               "A version records its training data by content hash, so the way to recognise "
               "a table is to hash it the same way:\n\n"
               "```python\n"
               "from bana_tools.ops.versioning import content_hash\n"
               "content_hash(extracts[\"A\"])\n"
               "```\n\n"
               "Compare the four hashes with the promoted version's `data_train`. Then compare "
               "the extracts with each other (for example `(extracts[\"A\"] != extracts[\"B\"])"
               ".sum().sum()` counts the cells that differ).",
    ),
    NotebookCell(id="hash-work", kind="code",
                 source="# Your code: hash every extract and compare the tables\n"),
    NotebookCell(
        id="enter-intro", kind="markdown",
        source="## Enter your results\n\n"
               "Type your answers into the form above. The self-check tells you whether each "
               "computed answer matches your registry; it never shows the expected answer.",
    ),
)

EXERCISE = Exercise(
    id="ch07-versioning",
    title="Chapter 7: Model versioning",
    assignment="ch07",
    source="Textbook section 7.6 (exercise); registry and aliases from 7.2.6 and 7.4; "
           "content hashes and rebuilding from 7.4.7",
    intro=(
        "The readmission model's retraining pipeline has been registering new versions of "
        "`readmission-risk` for a while, and the registry now holds eight. Some were reviewed "
        "and some were not; one was scored on a newer validation quarter; one has no checksum. "
        "Your job is to decide, from the registry alone, which version should become the "
        "`champion`, and to find the exact table it learned from.\n\n"
        "**The hospital's promotion rule.** A registered version replaces the current champion "
        "only if all five hold: (1) its `validation_status` is `passed`; (2) it was scored on "
        "the same validation table as the champion (the same `data_valid` hash), so the numbers "
        "are comparable; (3) a SHA-256 of its artifact was recorded (`sha256` is not empty); "
        "(4) its validation PR AUC is at least 0.010 higher than the champion's; (5) its "
        "validation ROC AUC is not lower than the champion's. Every registered version counts, "
        "not only the one that carries the `challenger` alias. If several qualify, the one with "
        "the highest PR AUC is promoted.\n\n"
        "Your registry and extracts are your own: they are generated from your student id, so "
        "your answers differ from your classmates'. The last two parts ask about registry "
        "changes in general and about how you would run the approval at the hospital."
    ),
    parts=(
        Part(
            id="rule",
            title="1. The promotion rule",
            intro="Apply the rule to your registry (the code cells below the form).",
            questions=(
                StudentIdQuestion(
                    id="student_id", label="Student id",
                    prompt="Your student id (your university username). Your registry depends "
                    "on it; enter it before you load the data.",
                ),
                MultipleChoice(
                    id="eligible_versions", label="Versions that qualify",
                    prompt="Which versions meet all five conditions of the promotion rule? "
                    "(The current champion itself is not a candidate.)",
                    options=tuple(Option(value=f"v{n}", label=f"Version {n}") for n in range(1, 9)),
                    min_selected=1,
                ),
                NumberQuestion(
                    id="promoted_version", label="Promoted version",
                    prompt="Which version number does the rule make the new champion?",
                    minimum=1, maximum=8, decimals=0,
                ),
                NumberQuestion(
                    id="pr_auc_gain", label="PR AUC gain",
                    prompt="By how much does the promoted version's validation PR AUC exceed "
                    "the current champion's? (A difference of two registry values, e.g. 0.0213.)",
                    minimum=0, maximum=1, decimals=4,
                ),
            ),
        ),
        Part(
            id="data",
            title="2. The data behind the version",
            intro="Hash the four extracts and compare them with the registry.",
            questions=(
                SingleChoice(
                    id="promoted_extract", label="Training table of the promoted version",
                    prompt="Which extract is exactly the training table recorded for the "
                    "version you promoted?",
                    options=EXTRACT_OPTIONS,
                ),
                SingleChoice(
                    id="near_copy_extract", label="Extract one value away",
                    prompt="One extract differs from that training table in a single value "
                    "(a late-arriving readmission corrected one stay's label). Which one?",
                    options=EXTRACT_OPTIONS,
                ),
                LongText(
                    id="hash_refusal", label="Rebuilding from the corrected table",
                    prompt="Suppose someone rebuilds the promoted version from the corrected "
                    "extract, with the recorded parameters. What does the hash check of "
                    "section 7.4.7 do, why is that the right behaviour even though only one "
                    "value changed, and what should happen to the corrected table instead?",
                    min_words=50, max_words=220, points=2,
                    rubric="Says the rebuild stops before training because the hash differs "
                    "from the recorded one (1); explains that a rebuild on other data is a "
                    "different model that would only resemble the version, so an audit could "
                    "not rely on it (0.5); proposes registering the corrected table as a new "
                    "data version and, if wanted, training a new model version on it rather "
                    "than overwriting (0.5).",
                ),
            ),
        ),
        Part(
            id="changes",
            title="3. What a change does to the registry",
            questions=(
                MatchingQuestion(
                    id="change_consequence", label="Changes and the registry",
                    prompt="For each event, what should happen in the registry of "
                    "`readmission-risk`?",
                    items=(
                        Option(value="refit", label="The pipeline is fitted again on the latest "
                               "quarter's discharges, with unchanged settings."),
                        Option(value="signoff", label="A challenger already marked `passed` "
                               "ends its shadow period and the clinical lead approves it for "
                               "the worklist."),
                        Option(value="incident", label="Two days after a promotion, an upstream "
                               "feed change makes the new champion flag far more patients; the "
                               "team decides to go back."),
                        Option(value="scaler_fix", label="A bug in the pipeline's scaling step "
                               "is fixed and the pipeline is fitted again."),
                        Option(value="review", label="The validation review of a registered "
                               "version is completed, and it passed."),
                        Option(value="description", label="The registered model's description "
                               "names the wrong hospital."),
                        Option(value="lab_feature", label="A laboratory value is added to the "
                               "model's inputs."),
                        Option(value="new_server", label="The scoring service moves to a new "
                               "server; it still loads `models:/readmission-risk@champion`."),
                        Option(value="audit_query", label="An auditor asks which version scored "
                               "a patient discharged last March."),
                    ),
                    choices=(
                        Option(value="new_version", label="Register a new model version"),
                        Option(value="move_champion",
                               label="Move the champion alias to a version already registered"),
                        Option(value="metadata",
                               label="Edit tags or the description only (no new version, no "
                               "alias moves)"),
                        Option(value="nothing", label="Nothing in the registry changes"),
                    ),
                    key=("44d2460d53e3bc0bc2ee", "7592a96d13733f1f66c0", "ae35cdbb7742ab0d4c6f",
                         "87ddaf6691b5c7ad2568", "209628c2beadcf07f923", "e546459faf92eab34f9d",
                         "5af236e67256b36efb72", "23e48c8cd465ca9cbde6", "9be63b1dfca6fe3a6598"),
                ),
                OrderingQuestion(
                    id="promotion_steps", label="Steps of a promotion",
                    prompt="Put the steps that take a freshly retrained model to `champion` in "
                    "the order they happen, first to last.",
                    items=(
                        Option(value="champion", label="Move the champion alias to the new "
                               "version"),
                        Option(value="evaluate", label="Compare it with the champion on the same "
                               "validation table, then in shadow on live requests"),
                        Option(value="verify", label="The scoring service loads the champion "
                               "and checks its SHA-256 against the recorded tag"),
                        Option(value="register", label="Register the model as a new version, "
                               "linked to its run and data hashes"),
                        Option(value="approve", label="Record the approval: set "
                               "`validation_status` to `passed` and note who approved"),
                        Option(value="previous", label="Give the outgoing champion the "
                               "`previous` alias"),
                        Option(value="challenger", label="Point the challenger alias at the new "
                               "version"),
                    ),
                    key=("4b375ca0cd384dace28f", "1760a9229f8d7bd770ee", "31ea680cd7347cfe0494",
                         "07ac7999304019ab4ea4", "659644576315d88fd2a0", "c19327130af4064b43ed",
                         "9f930a43b8fa4f22354c"),
                ),
            ),
        ),
        Part(
            id="approval",
            title="4. The approval step",
            questions=(
                LongText(
                    id="approval_design", label="Approval design",
                    prompt="Design the approval that must happen before the `champion` alias "
                    "of `readmission-risk` moves. Who approves (and who may not approve their "
                    "own model)? Which tags and metrics must a version carry before it can be "
                    "considered, and what does the approver look at? What is recorded, where, "
                    "and how would an auditor find it a year later?",
                    min_words=100, max_words=350, points=4,
                    rubric="Names approvers with a reason and separates the author from the "
                    "approver (1); lists required evidence tied to the registry: validation "
                    "status, data hashes, same validation table, metrics with a margin, "
                    "checksum, model card or subgroup results (1); says what is recorded (who, "
                    "when, which version, evidence, decision) and where, e.g. tags and a "
                    "change log next to the alias move (1); explains how the record lets an "
                    "auditor or a rollback find the right version later (1).",
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch07_versioning", per_student=True),
    cells=CELLS,
    checks=(
        CheckSpec(id="eligible-set", title="Versions that meet the rule", points=3,
                  kind="computed_set", params={"question": "eligible_versions"}),
        CheckSpec(id="promoted-version", title="Version promoted to champion", points=2,
                  kind="computed_value", params={"question": "promoted_version"}),
        CheckSpec(id="gain-value", title="PR AUC gain over the champion", points=1,
                  kind="computed_value", params={"question": "pr_auc_gain", "tolerance": 0.0002}),
        CheckSpec(id="promoted-extract", title="Training table found by its hash", points=2,
                  kind="computed_choice", params={"question": "promoted_extract"}),
        CheckSpec(id="near-copy-extract", title="Extract that differs in one value", points=2,
                  kind="computed_choice", params={"question": "near_copy_extract"}),
        CheckSpec(id="hash-refusal-written", title="Hash check explained", points=1,
                  kind="min_words", params={"question": "hash_refusal", "n": 50}),
        CheckSpec(id="changes-matched", title="Changes matched to registry actions", points=4,
                  kind="matching_key", params={"question": "change_consequence"}),
        CheckSpec(id="promotion-order", title="Promotion steps in order", points=2,
                  kind="ordering_key", params={"question": "promotion_steps"}),
        CheckSpec(id="approval-written", title="Approval step described", points=1,
                  kind="min_words", params={"question": "approval_design", "n": 100}),
        CheckSpec(id="promoted-among-eligible", title="Promoted version is one that qualifies",
                  points=1, visibility="hidden"),
    ),
)
