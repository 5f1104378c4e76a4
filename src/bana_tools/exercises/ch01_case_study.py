"""Chapter 1 exercise: read an industry case study and take its ML system apart.

Follows the structure of the textbook's section 1.6 (objectives and value; DataOps,
ModelOps and DevOps; the design principles), with prompts written for this course.
"""

from __future__ import annotations

from typing import Any

from bana_tools.exercises.filler import filler
from bana_tools.exercises.schema import (
    CheckSpec,
    Column,
    Exercise,
    LongText,
    MultipleChoice,
    Option,
    Part,
    RecordsQuestion,
)

CASE_STUDIES: tuple[Option, ...] = (
    Option(value="netflix", label="Netflix: recommendations"),
    Option(value="uber-michelangelo", label="Uber: Michelangelo"),
    Option(value="spotify", label="Spotify: recommendations"),
    Option(value="airbnb-bighead", label="Airbnb: Bighead"),
    Option(value="google-tfx", label="Google: TFX"),
    Option(value="linkedin", label="LinkedIn: ML productivity"),
    Option(value="facebook-fblearner", label="Facebook: FBLearner Flow"),
    Option(value="twitter", label="Twitter: recommendation algorithm"),
)

PRINCIPLES: tuple[Option, ...] = (
    Option(value="modularity", label="Modularity"),
    Option(value="scalability", label="Scalability"),
    Option(value="automation", label="Automation"),
    Option(value="monitoring", label="Monitoring"),
)


#: Example answers for tests, demos and benchmarks (plain filler, not model solutions);
#: they pass every public and hidden check.
SAMPLE_ANSWERS: dict[str, Any] = {
    "cases": ["uber-michelangelo"],
    "objectives": "Uber Michelangelo objectives. " + filler("business objectives", 50),
    "value": filler("value for the organisation and its riders and drivers", 70),
    "dataops": "Data ingestion and versioning first. " + filler("data pipelines", 45),
    "modelops": "Model registry and retraining cadence. " + filler("model lifecycle", 48),
    "devops": "Continuous deployment with shadow tests. " + filler("deployment", 52),
    "principles": [
        {"principle": p, "example": example, "contribution": f"{p.title()} lets teams ship changes faster."}
        for p, example in [("modularity", "separate feature store and training services"),
                           ("scalability", "distributed training on a shared cluster"),
                           ("automation", "scheduled retraining pipelines with validation gates"),
                           ("monitoring", "dashboards of prediction drift with alerts")]
    ],
}


EXERCISE = Exercise(
    id="ch01-case-study",
    title="Chapter 1: an ML system in the wild",
    assignment="ch01",
    source="Textbook section 1.6 (exercise) and 1.3-1.4 (design principles, lifecycle)",
    intro=(
        "Pick at least one of the eight industry write-ups listed in section 1.6 and read it "
        "with a designer's eye. You will not know every tool they mention; focus on what the "
        "system is for, how data, models and code move to production, and where the design "
        "principles of chapter 1 show up."
    ),
    parts=(
        Part(
            id="choose",
            title="1. Your case study",
            questions=(
                MultipleChoice(
                    id="cases",
                    label="Case studies read",
                    prompt="Which case study (or studies) did you read?",
                    help="Choose one or more. Your answers below should be about these.",
                    options=CASE_STUDIES,
                    min_selected=1,
                ),
            ),
        ),
        Part(
            id="value",
            title="2. Objectives and value",
            questions=(
                LongText(
                    id="objectives",
                    label="Business objectives",
                    prompt="What is the ML system meant to achieve for the business? Name the "
                    "main objective(s) as concretely as the write-up allows.",
                    min_words=40, max_words=200, points=2,
                    rubric="Names a concrete business objective (not just 'use ML'); ties it "
                    "to the company's product.",
                ),
                LongText(
                    id="value",
                    label="Value for organisation and customers",
                    prompt="How does the system create value, first for the organisation and "
                    "then for its customers or users? Keep the two apart.",
                    min_words=60, max_words=250, points=3,
                    rubric="Separates value to the organisation from value to customers; at "
                    "least one example for each.",
                ),
            ),
        ),
        Part(
            id="ops",
            title="3. DataOps, ModelOps, DevOps",
            intro="One answer per practice. Say what the organisation does, then why.",
            questions=(
                LongText(
                    id="dataops",
                    label="DataOps",
                    prompt="DataOps: how does data get in, get processed and get versioned, "
                    "given that the catalogue and users' tastes keep moving?",
                    min_words=40, max_words=200, points=2,
                    rubric="Mentions ingestion or processing and versioning/freshness of data.",
                ),
                LongText(
                    id="modelops",
                    label="ModelOps",
                    prompt="ModelOps: how are models retrained, versioned and experimented "
                    "with over their life?",
                    min_words=40, max_words=200, points=2,
                    rubric="Covers at least two of retraining, versioning, experimentation.",
                ),
                LongText(
                    id="devops",
                    label="DevOps",
                    prompt="DevOps: how do models reach production continuously, and which "
                    "automation, tests and monitoring keep the system reliable?",
                    min_words=40, max_words=200, points=2,
                    rubric="Describes CI/CD for models and at least one test or monitor.",
                ),
            ),
        ),
        Part(
            id="principles",
            title="4. Design principles",
            intro="Add one row per example. Cover all four principles.",
            questions=(
                RecordsQuestion(
                    id="principles",
                    label="Design principle examples",
                    prompt="For modularity, scalability, automation and monitoring, give an "
                    "example from the case study and explain how it helps the system succeed.",
                    row_label="Example",
                    min_rows=4,
                    max_rows=12,
                    columns=(
                        Column(id="principle", label="Principle", kind="choice",
                               options=PRINCIPLES),
                        Column(id="example", label="Example from the case", kind="long_text"),
                        Column(id="contribution", label="How it helps", kind="long_text"),
                    ),
                    points=3,
                    rubric="Examples are specific to the case; explanations link the "
                    "principle to an outcome (speed, cost, reliability, quality).",
                ),
            ),
        ),
    ),
    checks=(
        CheckSpec(id="case-chosen", title="At least one case study chosen", points=1,
                  kind="min_selected", params={"question": "cases", "n": 1}),
        CheckSpec(id="objectives-length", title="Objectives answered at length", points=1,
                  kind="min_words", params={"question": "objectives", "n": 40}),
        CheckSpec(id="value-length", title="Value answered at length", points=1,
                  kind="min_words", params={"question": "value", "n": 60}),
        CheckSpec(id="ops-answered", title="DataOps, ModelOps and DevOps answered", points=3,
                  kind="all_min_words",
                  params={"questions": ["dataops", "modelops", "devops"], "n": 40}),
        CheckSpec(id="principles-covered", title="All four principles have an example",
                  points=2, kind="covers_choices",
                  params={"question": "principles", "column": "principle",
                          "required": ["modularity", "scalability", "automation", "monitoring"]}),
        CheckSpec(id="principles-complete", title="Every example row is filled in", points=1,
                  kind="rows_complete", params={"question": "principles", "min_rows": 4}),
        CheckSpec(id="ops-distinct", title="The three practice answers differ", points=1,
                  visibility="hidden"),
        CheckSpec(id="principle-examples-distinct", title="Examples are not repeated",
                  points=1, visibility="hidden"),
    ),
    sample_answers=SAMPLE_ANSWERS,
)
