"""Example answers for every exercise, at three levels of completeness.

Exercises without a builder here get the simulator's complete answers
(:func:`bana_tools.course.answers_sim.complete_answers`, seeded, student "sample-student").
Used by tests, benchmarks and demos (for instance simulated submissions): ``complete``
answers pass every public and hidden check, ``partial`` answers fill about half of the
form, ``empty`` answers nothing. Texts are deliberately plain; they are test data, not
model solutions.
"""

from __future__ import annotations

from typing import Any, Literal

Quality = Literal["complete", "partial", "empty"]


def _words(topic: str, n: int) -> str:
    """A readable filler sentence about ``topic`` of at least ``n`` words."""
    base = (f"On {topic}, the team would first write down what it knows, then check each "
            "claim against hospital records and interviews with the people who do the work. ")
    extra = ("Every step is reviewed with clinical staff so the plan stays realistic and "
             "measurable over the coming months. ")
    text = base
    while len(text.split()) < n:
        text += extra
    return text.strip()


def _ch01() -> dict[str, Any]:
    principles = []
    for p, ex in [("modularity", "separate feature store and training services"),
                  ("scalability", "distributed training on a shared cluster"),
                  ("automation", "scheduled retraining pipelines with validation gates"),
                  ("monitoring", "dashboards of prediction drift with alerts")]:
        principles.append({"principle": p, "example": ex,
                           "contribution": f"{p.title()} lets teams ship changes faster."})
    return {
        "cases": ["uber-michelangelo"],
        "objectives": "Uber Michelangelo objectives. " + _words("business objectives", 50),
        "value": _words("value for the organisation and its riders and drivers", 70),
        "dataops": "Data ingestion and versioning first. " + _words("data pipelines", 45),
        "modelops": "Model registry and retraining cadence. " + _words("model lifecycle", 48),
        "devops": "Continuous deployment with shadow tests. " + _words("deployment", 52),
        "principles": principles,
    }


def _ch02() -> dict[str, Any]:
    return {
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
        "criterion_patterns_why": "Risk depends on interacting factors. " + _words("patterns", 30),
        "criterion_data": "partly",
        "criterion_data_why": "Years of records exist but coding varies. " + _words("data", 30),
        "criterion_unseen": "yes",
        "criterion_unseen_why": "New patients are discharged daily. " + _words("new cases", 30),
        "verdict": "conditional",
        "alternative": "A LACE score checklist at discharge. " + _words("a rule-based score", 35),
        "alternative_limits": "It ignores interactions. " + _words("limits of fixed rules", 35),
        "metrics": [
            {"name": "Recall", "category": "model", "definition": "TP / (TP + FN)",
             "direction": "higher", "why": "missed readmissions are costly"},
            {"name": "p95 latency", "category": "system", "definition": "95th percentile ms",
             "direction": "lower", "why": "scores must be ready at discharge"},
            {"name": "Readmission rate", "category": "business",
             "definition": "readmitted within 30 days / discharges", "direction": "lower",
             "why": "the outcome the hospital is judged on"},
        ],
        "value": "Tangible and intangible value. " + _words("value to the hospital", 120),
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
        "why_iterative": "Feedback changes the plan. " + _words("iteration", 45),
        "change_example": "The recall target may rise after the pilot. " + _words("a change", 30),
        "scope_control": "Use a change log and milestones. " + _words("scope control", 35),
    }


def _ch02_metrics() -> dict[str, Any]:
    rows = [
        ("Recall", "model", "TP / (TP + FN) at the chosen threshold", "ratio", "0.6", "0.5", "higher"),
        ("Precision", "model", "share of flagged patients who were in fact readmitted", "ratio", "0.3", "0.2", "higher"),
        ("p95 latency", "system", "95th percentile of response time", "ms", "300", "500", "lower"),
        ("Uptime", "system", "share of minutes the service answers", "%", "99.5", "99", "higher"),
        ("Readmission rate", "business", "30-day readmissions / discharges", "%", "12", "14", "lower"),
        ("Net savings", "business", "prevented x cost - programme cost", "USD", "250000", "0", "higher"),
    ]
    return {
        "metrics": [
            {"name": n, "category": c, "definition": d, "unit": u, "target": t, "alert": a,
             "direction": w, "why": f"{n} shows whether the system helps patients and budget"}
            for n, c, d, u, t, a, w in rows
        ],
        "north_star": "Net savings",
        "tradeoff": "Recall and precision pull apart. " + _words("the operating point", 70),
    }


def _ch02_pilot() -> dict[str, Any]:
    from bana_tools.exercises import get_exercise
    from bana_tools.scenarios import expected_for

    values = expected_for(get_exercise("ch02-pilot-metrics"), {})
    return {
        "recall": round(values["recall"], 4),
        "precision": round(values["precision"], 4),
        "p95_latency": round(values["p95_latency"], 1),
        "net_savings": round(values["net_savings"]),
        "best_threshold": values["best_threshold"],
        "interpretation": _words("the pilot's numbers and what they leave out", 70),
    }


_BUILDERS = {
    "ch01-case-study": _ch01,
    "ch02-readmission": _ch02,
    "ch02-metrics": _ch02_metrics,
    "ch02-pilot-metrics": _ch02_pilot,
}


def example_answers(exercise_id: str, quality: Quality = "complete") -> dict[str, Any]:
    """Answers to ``exercise_id`` of the given quality (a fresh dict each call)."""
    if quality == "empty":
        return {}
    builder = _BUILDERS.get(exercise_id)
    if builder is None:  # exercises without hand-written samples: the simulator's, seeded
        import random

        from bana_tools.course.answers_sim import complete_answers
        from bana_tools.exercises import get_exercise

        answers = complete_answers(get_exercise(exercise_id), random.Random(7), "sample-student")
    else:
        answers = builder()
    if quality == "partial":
        keys = list(answers)
        return {k: answers[k] for k in keys[: max(1, len(keys) // 2)]}
    return answers
