"""Chapter 8 exercise: judge a shadow period and a canary release from a request log.

Each student gets an own request log with the answers of the current readmission model and
of a retrained candidate (:mod:`bana_tools.scenarios.ch08_deployment`). They compare the two
in shadow and replay a canary release with the rollback rule of section 8.5.7, using the
chapter's own code (:mod:`bana_tools.ops.rollout`), then match situations to deployment
patterns, order the ladder of automation, and argue two decisions in prose graded by hand
(prompts 1 and 4 of section 8.7). Prompts are our own.
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
    OrderingQuestion,
    Part,
    Scenario,
    SingleChoice,
    StudentIdQuestion,
)

CELLS = (
    NotebookCell(
        id="data-intro", kind="markdown",
        source="## Your request log\n\n"
               "`data.log` has one row per scoring request of a quarter, in time order: the "
               "`patient_id`, and for each of the two models (`current_...` and "
               "`candidate_...`) the risk it answered, its latency in milliseconds and whether "
               "the call failed (a failed call has no risk). `data.threshold` is the flagging "
               "threshold, `data.rule` the settings of the rollback rule, `data.fractions` the "
               "candidate's share of patients at each canary stage and `data.salt` the salt of "
               "the routing hash.",
    ),
    NotebookCell(
        id="load-data", kind="code",
        source="from bana_tools.scenarios import load\n\n"
               'data = load("ch08-deployment")\n'
               "log = data.log\n"
               "print(len(log), 'requests; threshold', data.threshold)\n"
               "print('rollback rule:', data.rule)\n"
               "print('canary shares:', data.fractions)\n"
               "log.head()",
    ),
    NotebookCell(
        id="shadow-intro", kind="markdown",
        source="## 1. The shadow period\n\n"
               "Wrap each model's columns in an `Outputs` object (arrays aligned with the log) "
               "and compare them with `simulate_shadow`, as section 8.5.7 does:\n\n"
               "```python\n"
               "from bana_tools.ops.rollout import Outputs, RollbackRule, simulate_canary, simulate_shadow\n"
               "current = Outputs(score=log[\"current_risk\"].to_numpy(),\n"
               "                  latency_ms=log[\"current_latency_ms\"].to_numpy(),\n"
               "                  error=log[\"current_error\"].to_numpy())\n"
               "```",
    ),
    NotebookCell(id="shadow-work", kind="code",
                 source="# Your code: Outputs for both models, then the shadow comparison\n"),
    NotebookCell(
        id="canary-intro", kind="markdown",
        source="## 2. The canary release\n\n"
               "Replay the canary with `simulate_canary`: the patient ids route the requests, "
               "the rule is `RollbackRule(**data.rule)`, and the stages and salt come from "
               "`data.fractions` and `data.salt`. Read the `decision` column stage by stage, "
               "and the `to_candidate` column for how many requests the candidate answered.",
    ),
    NotebookCell(id="canary-work", kind="code",
                 source="# Your code: the canary table, its decision, the stage and the reason\n"),
    NotebookCell(
        id="enter-intro", kind="markdown",
        source="## Enter your results\n\n"
               "Type your answers into the form above. The self-check says whether each "
               "computed answer matches your log; it never shows the expected answer.",
    ),
)

EXERCISE = Exercise(
    id="ch08-deployment",
    title="Chapter 8: Model deployment",
    assignment="ch08",
    source="Textbook section 8.7 (exercise); modes and ladder from 8.2; update strategies and "
           "the roll-out simulation from 8.5",
    intro=(
        "The readmission model is live, and the team has retrained it. Before the new version "
        "answers for every discharge, it ran next to the current model in shadow, and then a "
        "canary release was replayed on the same quarter of requests. You have the log of both "
        "models' answers: decide what the shadow period shows, and whether the canary would "
        "have promoted the candidate or rolled it back.\n\n"
        "Use the rule of section 8.5.7: roll back once the candidate has answered at least 30 "
        "requests and its error rate is above 1%, its 95th-percentile latency is above 250 ms, "
        "or its share of flagged patients (risk at or above 0.2) moves away from the current "
        "model's by more than 5 points plus two standard errors. The canary sends 5%, 25%, 50% "
        "and then all patients to the candidate, in four equal stages of the log. Compute with "
        "the chapter's own functions in `bana_tools.ops.rollout`.\n\n"
        "Your log is your own: it is generated from your student id, and classmates get "
        "different candidates. The last two parts ask you to choose deployment patterns for "
        "situations at the hospital and to argue for a mode of inference."
    ),
    parts=(
        Part(
            id="shadow",
            title="1. Shadow period",
            intro="Both models scored every request; only the current model's answers were used.",
            questions=(
                StudentIdQuestion(
                    id="student_id", label="Student id",
                    prompt="Your student id (your university username). Your log depends on "
                    "it; enter it before you load the data.",
                ),
                NumberQuestion(
                    id="shadow_flag_rate_candidate", label="Candidate flag rate in shadow",
                    prompt="In the shadow comparison, what share of the requests it answered "
                    "does the candidate flag (risk at or above the threshold)? Failed calls "
                    "do not count, as in `simulate_shadow`.",
                    unit="ratio", minimum=0, maximum=1, decimals=3,
                ),
                NumberQuestion(
                    id="shadow_agreement", label="Flag agreement in shadow",
                    prompt="On the requests both models answered, in what share do they agree "
                    "on whether to flag the patient?",
                    unit="ratio", minimum=0, maximum=1, decimals=3,
                ),
            ),
        ),
        Part(
            id="canary",
            title="2. Canary release",
            questions=(
                SingleChoice(
                    id="canary_decision", label="Canary outcome",
                    prompt="Did the canary reach full traffic, or did the rule roll the "
                    "candidate back?",
                    options=(
                        Option(value="promote", label="Promoted: it reached full traffic"),
                        Option(value="rollback", label="Rolled back before the end"),
                    ),
                ),
                NumberQuestion(
                    id="rollback_stage", label="Rollback stage",
                    prompt="At the end of which stage (1-4) did the rule roll the candidate "
                    "back? Enter 0 if it was never rolled back.",
                    minimum=0, maximum=4, decimals=0,
                ),
                SingleChoice(
                    id="rollback_reason", label="What triggered it",
                    prompt="Which limit of the rule did the candidate break?",
                    options=(
                        Option(value="none", label="None: no rollback"),
                        Option(value="error_rate", label="Error rate"),
                        Option(value="latency", label="95th-percentile latency"),
                        Option(value="flag_rate", label="Change in flag rate"),
                    ),
                ),
                NumberQuestion(
                    id="candidate_requests", label="Requests answered by the candidate",
                    prompt="Over the whole canary, how many requests did the candidate answer "
                    "(failed ones included)? This is how many patients it reached.",
                    minimum=0, maximum=5000, decimals=0,
                ),
                LongText(
                    id="canary_note", label="Note to the clinical lead",
                    prompt="Write a short note to the clinical lead about your canary. What "
                    "did the rule see at the stage where it decided (or at the last stage)? "
                    "Could it have decided earlier, and what limited it? Name one change to "
                    "the rule or the stages you would propose, and what that change would "
                    "cost the nurses or the patients.",
                    min_words=60, max_words=250, points=3,
                    rubric="Uses the numbers of the student's own canary table (stage, share, "
                    "requests, the rate or latency that decided) (1); explains what limits an "
                    "earlier decision: few requests in a small slice, the minimum of 30, the "
                    "noise allowance, or no comparison left at full traffic (1); proposes a "
                    "concrete change and weighs its cost: false rollbacks, more patients "
                    "exposed, slower roll-out (1).",
                ),
            ),
        ),
        Part(
            id="patterns",
            title="3. Choosing a pattern",
            questions=(
                MatchingQuestion(
                    id="pattern_match", label="Situations and patterns",
                    prompt="Match each situation at the hospital with the deployment pattern "
                    "that fits it best.",
                    items=(
                        Option(value="worklist", label="Every morning at seven, the "
                               "transitional-care nurses need yesterday's discharges ranked by "
                               "risk."),
                        Option(value="discharge_screen", label="A risk score has to appear on "
                               "the discharge screen while the clinician waits, within a few "
                               "hundred milliseconds."),
                        Option(value="notes_summary", label="A large model reads all the notes "
                               "of a stay; an answer may take minutes, and the caller picks it "
                               "up later."),
                        Option(value="silent_month", label="A retrained model should score "
                               "every real discharge for a month while nobody acts on its "
                               "scores, to be compared with outcomes later."),
                        Option(value="small_share", label="A new version answers for 5% of "
                               "patients first, then 25% and 50%, with automatic checks between "
                               "the steps."),
                        Option(value="new_format", label="A release changes the response "
                               "format, so old and new cannot answer side by side; traffic "
                               "switches at once, and the old environment stays up to switch "
                               "back."),
                        Option(value="patch", label="A security patch of the web framework "
                               "leaves every prediction unchanged; the service's three copies "
                               "are replaced one after another."),
                        Option(value="impact", label="Management wants to know whether the new "
                               "model lowers readmissions, with patients split at random "
                               "between the versions for several months."),
                    ),
                    choices=(
                        Option(value="batch", label="Batch inference"),
                        Option(value="online", label="Online inference"),
                        Option(value="async", label="Asynchronous inference"),
                        Option(value="shadow", label="Shadow deployment"),
                        Option(value="canary", label="Canary release"),
                        Option(value="blue_green", label="Blue-green deployment"),
                        Option(value="rolling", label="Rolling update"),
                        Option(value="ab_test", label="A/B test"),
                    ),
                    key=("24a5bcb43c910bb50880", "1cf70f1b84279c210fa4", "60c5004bc3b10f36841b",
                         "08eaf218be4a32a718dd", "9434b738a1abd0aa57b1", "2401a52eefbf00a4e641",
                         "b5defb591511be2e681e", "0bd86a3d5c41a4a7b3aa"),
                ),
                OrderingQuestion(
                    id="automation_ladder", label="Ladder of automation",
                    prompt="Order the degrees of automation from the least to the most "
                    "automated.",
                    items=(
                        Option(value="assistance", label="The nurses see the model's ranking "
                               "and decide whom to call"),
                        Option(value="full", label="The model decides every case; people "
                               "monitor it"),
                        Option(value="human_only", label="The nurses decide alone, as today"),
                        Option(value="partial", label="The model decides the clear cases; the "
                               "nurses decide the uncertain ones"),
                        Option(value="shadow", label="The model scores every case, but nobody "
                               "sees its scores"),
                    ),
                    key=("971276a80153ff53dd7d", "b957db40336df1a35470", "d892d0581c61e737ec11",
                         "3b7efff7f907ff22a37b", "0a65df5395b5e66426e7"),
                ),
            ),
        ),
        Part(
            id="mode",
            title="4. Batch, online, or both",
            questions=(
                LongText(
                    id="mode_choice", label="Mode of inference and fallbacks",
                    prompt="Should the readmission model run as a nightly batch job, as an "
                    "online service, or both? Say which requirement of section 8.1 settles it "
                    "for each use, and describe the fallback for each mode: what the nurses or "
                    "the discharge screen get when the model cannot answer, and how they know.",
                    min_words=80, max_words=300, points=3,
                    rubric="Ties each mode to a use and a deciding requirement (latency for "
                    "the discharge screen, completion time and cost for the worklist) (1); "
                    "gives a concrete fallback for each mode, e.g. the LACE score or "
                    "yesterday's list (1); says how users learn that the fallback is in use, "
                    "e.g. a marked worklist, row counts and timestamps (1).",
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch08_deployment", params={"rows": 2400},
                      per_student=True),
    cells=CELLS,
    checks=(
        CheckSpec(id="shadow-flag-rate", title="Candidate flag rate in shadow", points=1,
                  kind="computed_value",
                  params={"question": "shadow_flag_rate_candidate", "tolerance": 0.002}),
        CheckSpec(id="shadow-agreement", title="Flag agreement in shadow", points=2,
                  kind="computed_value", params={"question": "shadow_agreement",
                                                 "tolerance": 0.002}),
        CheckSpec(id="canary-decision", title="Canary outcome", points=2,
                  kind="computed_choice", params={"question": "canary_decision"}),
        CheckSpec(id="rollback-stage", title="Stage of the rollback", points=2,
                  kind="computed_value", params={"question": "rollback_stage"}),
        CheckSpec(id="rollback-reason", title="Limit that triggered the rollback", points=2,
                  kind="computed_choice", params={"question": "rollback_reason"}),
        CheckSpec(id="candidate-requests", title="Requests answered by the candidate", points=2,
                  kind="computed_value", params={"question": "candidate_requests"}),
        CheckSpec(id="canary-note-written", title="Note on the canary written", points=1,
                  kind="min_words", params={"question": "canary_note", "n": 60}),
        CheckSpec(id="patterns-matched", title="Situations matched to patterns", points=4,
                  kind="matching_key", params={"question": "pattern_match"}),
        CheckSpec(id="ladder-order", title="Ladder of automation in order", points=2,
                  kind="ordering_key", params={"question": "automation_ladder"}),
        CheckSpec(id="mode-written", title="Mode of inference argued", points=1,
                  kind="min_words", params={"question": "mode_choice", "n": 80}),
        CheckSpec(id="canary-answers-consistent", title="Outcome, stage and reason agree",
                  points=1, visibility="hidden"),
    ),
)
