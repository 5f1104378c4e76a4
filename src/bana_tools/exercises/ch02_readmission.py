"""Chapter 2 exercise: plan an ML system that predicts hospital readmissions.

The five parts follow the textbook's section 2.8 (stakeholders, ML suitability against
the three criteria of section 2.2.1, metrics from section 2.3, value and feasibility from
sections 2.4-2.5, iteration and scope creep from section 2.6). Prompts are our own.
"""

from __future__ import annotations

from typing import Any

from bana_tools.exercises.columns import METRIC_COLUMNS_SHORT
from bana_tools.exercises.filler import filler
from bana_tools.exercises.schema import (
    CheckSpec,
    Column,
    Exercise,
    ListQuestion,
    LongText,
    Option,
    Part,
    RecordsQuestion,
    SingleChoice,
)

MEETS: tuple[Option, ...] = (
    Option(value="yes", label="Yes"),
    Option(value="partly", label="Partly"),
    Option(value="no", label="No"),
)

VERDICTS: tuple[Option, ...] = (
    Option(value="suitable", label="ML is a good fit"),
    Option(value="conditional", label="ML fits, if some conditions are met first"),
    Option(value="not_suitable", label="ML is not the right tool here"),
)

REQUIREMENT_AREAS: tuple[Option, ...] = (
    Option(value="data", label="Data"),
    Option(value="algorithm", label="Algorithm"),
    Option(value="infrastructure", label="Infrastructure"),
    Option(value="deployment", label="Deployment"),
    Option(value="scale", label="Scale"),
)

CRITERIA = (
    ("patterns", "Complex patterns",
     "Does predicting readmission require learning complex, non-linear patterns that fixed "
     "rules would miss?"),
    ("data", "Quality data",
     "Is there enough good, representative historical data to learn from?"),
    ("unseen", "Predicting new cases",
     "Will the system keep scoring new, unseen patients as they are discharged?"),
)


def _criterion_questions():
    for key, label, prompt in CRITERIA:
        yield SingleChoice(
            id=f"criterion_{key}", label=f"{label}: met?", prompt=prompt, options=MEETS,
        )
        yield LongText(
            id=f"criterion_{key}_why", label=f"{label}: reasoning",
            prompt="Why? Point to what you know (or would need to find out) about the hospital.",
            min_words=25, max_words=150, points=1,
            rubric="Reasoning uses facts about readmission data or care, not a generic claim.",
        )



#: Example answers for tests, demos and benchmarks (plain filler, not model solutions);
#: they pass every public and hidden check.
SAMPLE_ANSWERS: dict[str, Any] = {
    "stakeholders": [
        {"who": "Discharge nurses", "role": "end users", "needs": "a short daily list"},
        {"who": "Chief medical officer", "role": "sponsor", "needs": "fewer readmissions"},
        {"who": "Finance", "role": "budget owner", "needs": "penalty and cost figures"},
        {"who": "IT and data team", "role": "builders", "needs": "access to EHR data"},
    ],
    "stakeholder_questions": [
        "What happens today when a patient is judged high risk?",
        "How many patients can the follow-up team call each day?",
        "Which readmissions count: all causes, or planned ones too?",
    ],
    "assumptions": ["Readmissions to other hospitals are recorded",
                    "Discharge data is complete on the day of discharge"],
    "criterion_patterns": "yes",
    "criterion_patterns_why": "Risk depends on interacting factors. " + filler("patterns", 30),
    "criterion_data": "partly",
    "criterion_data_why": "Years of records exist but coding varies. " + filler("data", 30),
    "criterion_unseen": "yes",
    "criterion_unseen_why": "New patients are discharged daily. " + filler("new cases", 30),
    "verdict": "conditional",
    "alternative": "A LACE score checklist at discharge. " + filler("a rule-based score", 35),
    "alternative_limits": "It ignores interactions. " + filler("limits of fixed rules", 35),
    "metrics": [
        {"name": "Recall", "category": "model", "definition": "TP / (TP + FN)",
         "direction": "higher", "why": "missed readmissions are costly"},
        {"name": "p95 latency", "category": "system", "definition": "95th percentile ms",
         "direction": "lower", "why": "scores must be ready at discharge"},
        {"name": "Readmission rate", "category": "business",
         "definition": "readmitted within 30 days / discharges", "direction": "lower",
         "why": "the outcome the hospital is judged on"},
    ],
    "value": "Tangible and intangible value. " + filler("value to the hospital", 120),
    "tangible": ["Lower readmission penalties", "Fewer costly readmissions"],
    "intangible": ["Patient trust", "Staff confidence in discharge planning"],
    "requirements": [
        {"area": "data", "requirement": "EHR extracts at discharge",
         "gap": "lab results arrive late", "closing": "agree a data feed with IT"},
        {"area": "infrastructure", "requirement": "a scoring service",
         "gap": "no model hosting", "closing": "use the hospital cloud tenant"},
        {"area": "deployment", "requirement": "scores in the nurse worklist",
         "gap": "EHR vendor integration", "closing": "start with a daily report"},
    ],
    "why_iterative": "Feedback changes the plan. " + filler("iteration", 45),
    "change_example": "The recall target may rise after the pilot. " + filler("a change", 30),
    "scope_control": "Use a change log and milestones. " + filler("scope control", 35),
}


EXERCISE = Exercise(
    id="ch02-readmission",
    title="Chapter 2: planning a readmission-prediction system",
    assignment="ch02",
    source="Textbook section 2.8 (exercise); criteria from 2.2.1; metrics from 2.3",
    intro=(
        "A hospital wants to flag patients at high risk of coming back within 30 days of "
        "discharge, so that care teams can step in before they do. Before anyone trains a "
        "model, plan the project the way chapter 2 describes. The Mount Sinai case study "
        "cited in section 2.8 is a useful real example to draw on."
    ),
    parts=(
        Part(
            id="stakeholders",
            title="1. Stakeholders",
            questions=(
                RecordsQuestion(
                    id="stakeholders",
                    label="Stakeholders",
                    prompt="Who has a stake in this system? For each, give their role and "
                    "what they need from it.",
                    row_label="Stakeholder",
                    min_rows=3, max_rows=15,
                    columns=(
                        Column(id="who", label="Who", placeholder="e.g. discharge nurses"),
                        Column(id="role", label="Role in the project"),
                        Column(id="needs", label="What they need", kind="long_text"),
                    ),
                    points=2,
                    rubric="Covers clinical staff, management/finance and IT or data owners; "
                    "needs are specific to each group.",
                ),
                ListQuestion(
                    id="stakeholder_questions",
                    label="Questions for stakeholders",
                    prompt="Which questions would you ask them to pin down the business "
                    "problem?",
                    item_label="Question",
                    placeholder="e.g. What happens today when a patient is flagged?",
                    min_items=3, max_items=20, points=2,
                    rubric="Questions are open and would change the design if answered "
                    "differently (decision, users, risks, current process).",
                ),
                ListQuestion(
                    id="assumptions",
                    label="Assumptions that may surface",
                    prompt="Which assumptions might these conversations bring to light?",
                    item_label="Assumption",
                    placeholder="e.g. readmissions to other hospitals are recorded",
                    min_items=2, max_items=20, points=1,
                    rubric="Assumptions about data, users or expected accuracy, stated so "
                    "they could be tested.",
                ),
            ),
        ),
        Part(
            id="suitability",
            title="2. Is ML suitable?",
            intro="Judge the problem against the three criteria of section 2.2.1, then decide.",
            questions=(
                *_criterion_questions(),
                SingleChoice(
                    id="verdict", label="Verdict",
                    prompt="Taking the three criteria together, what is your verdict?",
                    options=VERDICTS,
                ),
                LongText(
                    id="alternative", label="Non-ML alternative",
                    prompt="Describe one approach without ML that the hospital could use "
                    "instead.",
                    min_words=30, max_words=150, points=1,
                    rubric="A concrete alternative (rule, score, checklist, report).",
                ),
                LongText(
                    id="alternative_limits", label="Limits of the alternative",
                    prompt="Where does that alternative fall short of an ML approach?",
                    min_words=30, max_words=150, points=1,
                    rubric="Limits compared with ML, not just 'it is worse'.",
                ),
            ),
        ),
        Part(
            id="metrics",
            title="3. Metrics",
            intro="Define at least three metrics: one model, one system and one business "
            "metric, each with why it matters.",
            questions=(
                RecordsQuestion(
                    id="metrics",
                    label="Performance metrics",
                    prompt="Which metrics will tell you whether the system works?",
                    row_label="Metric",
                    min_rows=3, max_rows=15,
                    columns=METRIC_COLUMNS_SHORT,
                    widget="metrics",
                    points=2,
                    rubric="Why-it-matters ties each metric to a decision or a risk for "
                    "the hospital.",
                ),
            ),
        ),
        Part(
            id="value",
            title="4. Value and feasibility",
            questions=(
                LongText(
                    id="value",
                    label="Value paragraph",
                    prompt="In one paragraph, what would this system be worth to the "
                    "hospital? Cover benefits you can put a number on and benefits you "
                    "cannot.",
                    min_words=100, max_words=300, points=3,
                    rubric="Both tangible and intangible benefits, with at least one way "
                    "to measure or estimate them.",
                ),
                ListQuestion(id="tangible", label="Tangible benefits",
                             prompt="List the tangible benefits.", item_label="Benefit",
                             min_items=1),
                ListQuestion(id="intangible", label="Intangible benefits",
                             prompt="List the intangible benefits.", item_label="Benefit",
                             min_items=1),
                RecordsQuestion(
                    id="requirements",
                    label="Technical requirements",
                    prompt="Which technical requirements should you understand early? For "
                    "each, note a likely gap and how you would close it.",
                    row_label="Requirement",
                    min_rows=3, max_rows=15,
                    columns=(
                        Column(id="area", label="Area", kind="choice", options=REQUIREMENT_AREAS),
                        Column(id="requirement", label="Requirement", kind="long_text"),
                        Column(id="gap", label="Likely gap", kind="long_text"),
                        Column(id="closing", label="How to close it", kind="long_text"),
                    ),
                    points=2,
                    rubric="Gaps are plausible for a hospital; closing actions are concrete.",
                ),
            ),
        ),
        Part(
            id="iteration",
            title="5. Iteration and scope",
            questions=(
                LongText(
                    id="why_iterative", label="Why iterative",
                    prompt="Why will building this system be an iterative process?",
                    min_words=40, max_words=200, points=1,
                    rubric="Links iteration to learning from data, feedback or changing needs.",
                ),
                LongText(
                    id="change_example", label="A change that could happen",
                    prompt="Give one concrete thing that could change during the project "
                    "(a metric, a requirement, the problem itself).",
                    min_words=25, max_words=150, points=1,
                    rubric="Specific to readmissions.",
                ),
                LongText(
                    id="scope_control", label="Keeping scope in check",
                    prompt="How would you handle that change without letting the scope "
                    "creep?",
                    min_words=30, max_words=200, points=2,
                    rubric="Milestones, a decision process with stakeholders, or a change "
                    "log; not 'just say no'.",
                ),
            ),
        ),
    ),
    checks=(
        CheckSpec(id="stakeholders-listed", title="At least three stakeholders, fully described",
                  points=2, kind="rows_complete",
                  params={"question": "stakeholders", "min_rows": 3}),
        CheckSpec(id="questions-listed", title="At least three questions for stakeholders",
                  points=1, kind="min_items", params={"question": "stakeholder_questions", "n": 3}),
        CheckSpec(id="assumptions-listed", title="At least two assumptions", points=1,
                  kind="min_items", params={"question": "assumptions", "n": 2}),
        CheckSpec(id="criteria-judged", title="All three criteria judged with reasons", points=3,
                  kind="all_answered",
                  params={"questions": ["criterion_patterns", "criterion_data", "criterion_unseen",
                                        "criterion_patterns_why", "criterion_data_why",
                                        "criterion_unseen_why"]}),
        CheckSpec(id="verdict-given", title="A verdict and a non-ML alternative", points=2,
                  kind="all_answered",
                  params={"questions": ["verdict", "alternative", "alternative_limits"]}),
        CheckSpec(id="metrics-three-kinds", title="Model, system and business metric present",
                  points=3, kind="covers_choices",
                  params={"question": "metrics", "column": "category",
                          "required": ["model", "system", "business"]}),
        CheckSpec(id="metrics-complete", title="Every metric row is filled in", points=1,
                  kind="rows_complete", params={"question": "metrics", "min_rows": 3}),
        CheckSpec(id="metrics-match-catalog", title="Categories agree with the metric catalog",
                  points=2, kind="metric_catalog", params={"question": "metrics"}),
        CheckSpec(id="value-length", title="Value paragraph of 100+ words", points=1,
                  kind="min_words", params={"question": "value", "n": 100}),
        CheckSpec(id="benefits-both", title="Tangible and intangible benefits listed", points=1,
                  kind="all_answered", params={"questions": ["tangible", "intangible"]}),
        CheckSpec(id="requirements-complete", title="Three requirements with gaps and fixes",
                  points=2, kind="rows_complete",
                  params={"question": "requirements", "min_rows": 3}),
        CheckSpec(id="iteration-answered", title="Iteration, change and scope answered",
                  points=2, kind="all_min_words",
                  params={"questions": ["why_iterative", "change_example", "scope_control"],
                          "n": 25}),
        CheckSpec(id="verdict-consistent", title="Verdict agrees with the criteria", points=1,
                  visibility="hidden"),
        CheckSpec(id="requirements-cover-data", title="A data requirement is included",
                  points=1, visibility="hidden"),
        CheckSpec(id="prose-not-duplicated", title="Long answers are not copies of each other",
                  points=1, visibility="hidden"),
    ),
    sample_answers=SAMPLE_ANSWERS,
)
