"""Chapter 12 exercise: who does the readmission model miss, and what should the hospital do?

Every student scores their own quarter of discharges with the hospital's model
(:mod:`bana_tools.scenarios.ch12_fairness`) and repeats the subgroup error analysis of
section 12.3.6: recall by sex, payer and age band, the gaps, the group missed most. Then
they name fairness criteria and sources of bias, match stakeholders to what each needs to
know, rate the programme's responsible-AI practices with evidence, and explain the gap to
the hospital's leadership in a memo graded by hand. Prompts are our own.
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
    Part,
    Scenario,
    SingleChoice,
    StudentIdQuestion,
)

#: Inputs of the scenario: the sample size, the model's training year, the review tolerance.
SCENARIO: dict[str, float | int] = {
    "rows": 4000,
    "train_rows": 8000,
    "train_seed": 12,
    "tolerance": 0.05,
}

GROUPS: tuple[Option, ...] = (
    Option(value="F", label="Sex: F"),
    Option(value="M", label="Sex: M"),
    Option(value="medicare", label="Payer: medicare"),
    Option(value="medicaid", label="Payer: medicaid"),
    Option(value="private", label="Payer: private"),
    Option(value="self_pay", label="Payer: self_pay"),
    Option(value="18-44", label="Age band: 18-44"),
    Option(value="45-64", label="Age band: 45-64"),
    Option(value="65-79", label="Age band: 65-79"),
    Option(value="80+", label="Age band: 80+"),
)

ATTRIBUTES: tuple[Option, ...] = (
    Option(value="sex", label="Sex"),
    Option(value="payer", label="Payer"),
    Option(value="age_band", label="Age band"),
    Option(value="none", label="None of them"),
)

CRITERIA: tuple[Option, ...] = (
    Option(value="demographic_parity", label="Demographic parity (equal flag rates)"),
    Option(value="equal_opportunity", label="Equal opportunity (equal recall)"),
    Option(value="equalised_odds", label="Equalised odds (equal recall and equal false "
                                         "positive rates)"),
    Option(value="calibration", label="Calibration within groups"),
)

CRITERION_STATEMENTS: tuple[Option, ...] = (
    Option(value="same_chance_called",
           label="Among patients who will be back within 30 days, the share who get a call "
                 "should not depend on their insurance."),
    Option(value="same_list_share",
           label="Every age band should have the same share of its discharges on the call "
                 "list."),
    Option(value="score_means_same",
           label="A score of 0.30 should mean about a 30% chance of readmission for women and "
                 "men alike."),
    Option(value="both_error_rates",
           label="Patients who will be readmitted, and patients who will not, should each be "
                 "called at the same rate in every payer group."),
    Option(value="nurse_trust",
           label="A nurse weighing a self-pay patient at 25% risk against a Medicare patient "
                 "at 25% should be comparing like with like."),
    Option(value="missed_equal",
           label="The share of readmissions the programme fails to catch should be the same in "
                 "every age band."),
)

BIASES: tuple[Option, ...] = (
    Option(value="measurement_bias", label="Measurement bias"),
    Option(value="proxy_variable", label="A proxy variable"),
    Option(value="historical_bias", label="Historical bias"),
    Option(value="sampling_bias", label="Sampling bias"),
    Option(value="label_bias", label="Label bias"),
    Option(value="feedback_loop", label="A feedback loop"),
)

BIAS_SITUATIONS: tuple[Option, ...] = (
    Option(value="elsewhere",
           label="Readmissions to other hospitals never reach the outcome column, and self-pay "
                 "patients more often return somewhere else."),
    Option(value="insurance",
           label="Insurance type carries information about income, housing and help at home "
                 "that the record itself does not hold."),
    Option(value="coding",
           label="Patients who rarely see a doctor have fewer diagnoses coded, so their "
                 "comorbidity index reads low for how ill they are."),
    Option(value="suburban",
           label="The model was trained at an insured suburban hospital and now scores the "
                 "patients of a safety-net hospital."),
    Option(value="retrain",
           label="Flagged patients are called and come back less often; a model retrained on "
                 "those outcomes learns that their profile is low risk."),
    Option(value="past_support",
           label="For years, patients from some neighbourhoods left hospital with less "
                 "support, and the data record their outcomes under that regime."),
)

NEEDS: tuple[Option, ...] = (
    Option(value="per_group_metrics",
           label="Recall per group with its uncertainty, and the tolerance that triggers a "
                 "review"),
    Option(value="plain_notice",
           label="In plain words, that a model helps decide who gets a call, and whom to ask "
                 "about it"),
    Option(value="criterion_tradeoff",
           label="Which fairness criterion was chosen, why, and what it gives up"),
    Option(value="flag_meaning",
           label="What a flag means, its main reasons, and how to override it and say why"),
    Option(value="legal_basis",
           label="Whether the data and the group attributes may lawfully be used, and what "
                 "must be documented"),
    Option(value="decision_cost",
           label="Who is being missed, what closing the gap would cost in calls, and the "
                 "decision that is theirs to take"),
)

STAKEHOLDERS: tuple[Option, ...] = (
    Option(value="nurses", label="The follow-up nurses"),
    Option(value="leadership", label="The hospital's leadership"),
    Option(value="compliance", label="Compliance and legal"),
    Option(value="patients", label="Patients"),
    Option(value="data_team", label="The data science team"),
    Option(value="ethics_committee", label="The ethics committee"),
)

LEVELS: tuple[Option, ...] = (
    Option(value="none", label="Not in place"),
    Option(value="planned", label="Planned"),
    Option(value="in_place", label="In place"),
)

PRACTICES: tuple[ChecklistItem, ...] = (
    ChecklistItem(id="subgroup_audit", label="Subgroup metrics computed before every release",
                  group="Evaluation"),
    ChecklistItem(id="criterion_written",
                  label="A fairness criterion chosen and written down, with who chose it",
                  group="Evaluation"),
    ChecklistItem(id="label_check",
                  label="The label checked for readmissions that go missing more in some groups",
                  group="Evaluation"),
    ChecklistItem(id="model_card", label="A model card with per-group results and known limits",
                  group="Documentation"),
    ChecklistItem(id="override_log", label="Nurses can override a flag, and the reason is kept",
                  group="Oversight"),
    ChecklistItem(id="patient_notice",
                  label="Patients are told that a model helps prioritise follow-up calls",
                  group="Oversight"),
    ChecklistItem(id="fairness_monitoring",
                  label="Recall gaps recomputed on every labelled cohort, with alert levels",
                  group="Oversight"),
    ChecklistItem(id="named_owner", label="A named owner who answers for the model and can "
                                          "switch it off", group="Accountability"),
)

CELLS = (
    NotebookCell(
        id="data-intro", kind="markdown",
        source="## Your data\n\n"
               "`data.scored` is one quarter of discharges scored by the hospital's model: "
               "each row has the patient's age, sex and payer, the 30-day outcome "
               "(`readmitted_30d`) and the model's `risk`. A discharge is flagged for a call "
               "when `risk >= data.threshold`, the operating threshold of your quarter. "
               "`data.tolerance` is the recall gap the hospital has agreed to review. Your "
               "quarter depends on the student id you enter in the form.",
    ),
    NotebookCell(
        id="load-data", kind="code",
        source="from bana_tools.scenarios import load\n\n"
               'data = load("ch12-fairness")\n'
               "scored, threshold = data.scored, data.threshold\n"
               "print(f'{len(scored)} discharges; threshold {threshold}; review tolerance "
               "{data.tolerance}')\n"
               "scored.head()",
    ),
    NotebookCell(
        id="groups-intro", kind="markdown",
        source="## 1. Recall by group\n\n"
               "Flag the discharges at your threshold, then compute recall (the share of "
               "readmitted patients who were flagged) overall and per group of `sex`, `payer` "
               "and age band (`bana_tools.ops.fairness.age_band`). `subgroup_report` and "
               "`gaps` from the same module do it with fairlearn, as in section 12.3.6; a "
               "pandas `groupby` gives the same recall. The gap of an attribute is its "
               "highest group recall minus its lowest.",
    ),
    NotebookCell(id="groups-work", kind="code",
                 source="# Your code: recall overall and by sex, payer and age band; the gaps\n"
                        "from bana_tools.ops.fairness import age_band, gaps, subgroup_report\n"),
    NotebookCell(
        id="enter-intro", kind="markdown",
        source="## Enter your results\n\n"
               "Type your numbers into the form as ratios between 0 and 1 (three decimals or "
               "more). The self-check says whether each matches what your data gives; it "
               "never shows the expected value.",
    ),
)

EXERCISE = Exercise(
    id="ch12-fairness",
    title="Chapter 12: who does the readmission model miss?",
    assignment="ch12",
    source="Textbook section 12.6 (exercise); subgroup analysis from 12.3.6; criteria from "
           "12.3.5; sources of bias from 12.3.4; accountability from 12.4",
    intro=(
        "The follow-up programme calls the patients the readmission model flags. A model can "
        "be accurate overall and still miss some patients far more often than others, and "
        "that is who goes without a call. You will audit one quarter of scored discharges "
        "(your own, picked by your student id): compute recall by sex, payer and age band, "
        "find the gaps and the group missed most, then name the fairness criteria and the "
        "sources of bias at stake, say what each stakeholder needs to know, rate the "
        "programme's responsible-AI practices, and explain your findings to the hospital's "
        "leadership."
    ),
    parts=(
        Part(
            id="audit",
            title="1. Recall by group",
            intro="Compute these in the notebook cells below the form, at your quarter's "
                  "threshold (`data.threshold`).",
            questions=(
                StudentIdQuestion(
                    id="student_id", label="Student id",
                    prompt="Your student id. It picks your quarter of data; enter it before "
                    "you load the data.",
                ),
                NumberQuestion(
                    id="recall_overall", label="Recall overall",
                    prompt="Recall over all discharges of the quarter: the share of readmitted "
                    "patients who were flagged.",
                    unit="ratio", minimum=0, maximum=1, decimals=3,
                ),
                NumberQuestion(
                    id="recall_gap_sex", label="Recall gap by sex",
                    prompt="The recall gap between the sexes (higher recall minus lower).",
                    unit="ratio", minimum=0, maximum=1, decimals=3,
                ),
                NumberQuestion(
                    id="recall_gap_payer", label="Recall gap by payer",
                    prompt="The largest recall gap between payer groups (highest minus "
                    "lowest).",
                    unit="ratio", minimum=0, maximum=1, decimals=3,
                ),
                NumberQuestion(
                    id="recall_gap_age", label="Recall gap by age band",
                    prompt="The largest recall gap between the age bands 18-44, 45-64, 65-79 "
                    "and 80+ (highest minus lowest).",
                    unit="ratio", minimum=0, maximum=1, decimals=3,
                ),
                SingleChoice(
                    id="lowest_recall_group", label="Group missed most",
                    prompt="Of all ten groups (two sexes, four payers, four age bands), which "
                    "has the lowest recall?",
                    options=GROUPS,
                ),
                MultipleChoice(
                    id="gaps_over_tolerance", label="Gaps to review",
                    prompt="Which attributes have a recall gap larger than the hospital's "
                    "review tolerance (`data.tolerance`)?",
                    help="Choose every attribute over the tolerance, or the last option if "
                    "there is none.",
                    options=ATTRIBUTES, min_selected=1,
                ),
            ),
        ),
        Part(
            id="concepts",
            title="2. Criteria and causes",
            questions=(
                MatchingQuestion(
                    id="fairness_criteria", label="Fairness criteria",
                    prompt="Each line is a requirement someone might put to the programme. "
                    "Match it to the fairness criterion it states.",
                    items=CRITERION_STATEMENTS, choices=CRITERIA,
                    key=("b6a50e49e17c962094c6", "8867b1fce77fb1ba44d0", "c5a4ecc76bddadb5fd72",
                         "c333536800ed4b04f3ff", "1c419399ce86774da0e7", "57f8b90aebe44a1c6571"),
                ),
                MatchingQuestion(
                    id="bias_sources", label="Sources of bias",
                    prompt="Each line describes how the readmission model could come to treat "
                    "groups differently. Match it to the source of bias it illustrates.",
                    items=BIAS_SITUATIONS, choices=BIASES,
                    key=("56f1febbcc6771175f8a", "72fe9cad79d1940dc0ca", "fb805790d1f1c2ed0658",
                         "1262ac3ddabe676776a5", "5f48f0354a85c4e01ed9", "21dc08137c99ebcce778"),
                ),
            ),
        ),
        Part(
            id="people",
            title="3. People and practices",
            questions=(
                MatchingQuestion(
                    id="stakeholder_needs", label="Stakeholders and what they need",
                    prompt="Your analysis has to reach several audiences. Match each to what "
                    "it most needs to hear from you.",
                    items=STAKEHOLDERS, choices=NEEDS,
                    key=("81453e8968884be7fb52", "6de88196470c2b08bc3b", "611ea2d29f23ff116edc",
                         "633472cb9df4b0aac1ae", "9c97af9805564e8b2c49", "8830ab5e5a99b59a3919"),
                ),
                ChecklistQuestion(
                    id="practices", label="Responsible-AI practices",
                    prompt="Rate how far the readmission programme has each practice, as you "
                    "understand the case from chapters 2-12. For anything planned or in place, "
                    "give the evidence: the artefact, the meeting or the number that shows it.",
                    items=PRACTICES, levels=LEVELS,
                    evidence_label="Evidence or next step",
                ),
            ),
        ),
        Part(
            id="memo",
            title="4. Explaining the gap",
            questions=(
                LongText(
                    id="leadership_memo", label="Memo to leadership",
                    prompt="Write a memo to the hospital's leadership about your audit. Say, "
                    "with your numbers, who the programme misses and by how much; how sure "
                    "you are (group sizes matter); where the gap probably comes from; which "
                    "fairness criterion you recommend and why; and one or two remedies with "
                    "what each would cost (calls, nurse time, accuracy elsewhere) and who must "
                    "decide.",
                    min_words=150, max_words=400, points=5,
                    rubric="Uses the student's own gaps and names the group missed most, in "
                    "words a non-specialist follows (e.g. 'of every ten readmitted patients "
                    "aged 18-44, about N were called'). Addresses uncertainty: small groups "
                    "such as self-pay have few readmissions. Gives a plausible cause (fewer "
                    "measured risk factors, payer as a proxy, a label that misses readmissions "
                    "elsewhere). Recommends a criterion (equal opportunity is natural for an "
                    "offer of help) and acknowledges what it trades off. Remedies are concrete "
                    "(per-group thresholds, better features or label, monitoring the gap) with "
                    "their cost in calls or capacity, and leaves the decision to named owners. "
                    "5 = all, specific and honest about limits; 3 = numbers and one remedy; "
                    "1 = generic.",
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch12_fairness", params=SCENARIO,
                      per_student=True),
    cells=CELLS,
    checks=(
        CheckSpec(id="recall-overall", title="Recall overall", points=1, kind="computed_value",
                  params={"question": "recall_overall", "tolerance": 0.002}),
        CheckSpec(id="gap-sex", title="Recall gap by sex", points=2, kind="computed_value",
                  params={"question": "recall_gap_sex", "tolerance": 0.002}),
        CheckSpec(id="gap-payer", title="Recall gap by payer", points=2, kind="computed_value",
                  params={"question": "recall_gap_payer", "tolerance": 0.002}),
        CheckSpec(id="gap-age", title="Recall gap by age band", points=2, kind="computed_value",
                  params={"question": "recall_gap_age", "tolerance": 0.002}),
        CheckSpec(id="lowest-group", title="Group with the lowest recall", points=2,
                  kind="computed_choice", params={"question": "lowest_recall_group"}),
        CheckSpec(id="gaps-to-review", title="Gaps over the tolerance", points=2,
                  kind="computed_set", params={"question": "gaps_over_tolerance"}),
        CheckSpec(id="criteria-matched", title="Requirements matched to fairness criteria",
                  points=2, kind="matching_key", params={"question": "fairness_criteria"}),
        CheckSpec(id="biases-matched", title="Situations matched to sources of bias", points=2,
                  kind="matching_key", params={"question": "bias_sources"}),
        CheckSpec(id="stakeholders-matched", title="Stakeholders matched to what they need",
                  points=2, kind="matching_key", params={"question": "stakeholder_needs"}),
        CheckSpec(id="practices-rated", title="Every practice rated", points=1,
                  kind="checklist_complete", params={"question": "practices"}),
        CheckSpec(id="practices-evidence", title="Evidence for the practices claimed", points=2,
                  kind="checklist_evidence", params={"question": "practices", "min_words": 5}),
        CheckSpec(id="memo-written", title="Memo of 150+ words", points=1, kind="min_words",
                  params={"question": "leadership_memo", "n": 150}),
        CheckSpec(id="evidence-distinct", title="Evidence is not copied from item to item",
                  points=1, visibility="hidden"),
    ),
)
