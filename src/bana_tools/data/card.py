"""The data card of the synthetic readmission data, as Markdown for the book and notebooks.

:func:`data_card` returns the card; with ``citations="myst"`` the sources are MyST
``{cite}`` roles whose keys are in ``book/_data_card_refs.bib``, with ``"text"`` they are
written out as author-year text. This module imports nothing outside the standard library.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["CITATIONS", "data_card"]

#: Citation key -> short author-year text.
CITATIONS: dict[str, str] = {
    "vanwalraven2010lace": "van Walraven et al. 2010",
    "weiss2021hcup278": "Weiss and Jiang 2021, HCUP Statistical Brief #278",
    "bailey2019hcup248": "Bailey et al. 2019, HCUP Statistical Brief #248",
    "cms2024hrrp": "CMS, Hospital Readmissions Reduction Program",
    "charlson1987comorbidity": "Charlson et al. 1987",
}

_CARD = """\
# Data card: synthetic hospital readmissions

**What it is.** One row per adult discharge from a fictional general hospital, with the
patient's characteristics at discharge and whether they were readmitted, for any cause,
within 30 days (`readmitted_30d`). Every row is made up by a seeded generator
(`bana_tools.data.generate_readmissions`); no real patient stands behind any row, so the
data can be shared, published and regenerated freely.

**Why it exists.** The course follows a hospital that wants to predict readmissions so a
transitional-care team can call, visit or schedule follow-up for the patients most at
risk. Students need data with realistic base rates and realistic (that is, modest)
predictability to practise defining and computing model, system and business metrics.

**How to get it.** `bana data readmission --rows 50000 --seed 7 --out discharges.csv`, or
in Python `generate_readmissions(rows=50_000, seed=7)`. The same seed always gives the same
rows (and the same CSV bytes). A 5,000-row sample ships with the package as
`bana_tools/data/sample_readmissions.csv` (seed 2023).

## Columns

| column | meaning |
|---|---|
| `encounter_id` | made-up identifier of the hospital stay, `E0000001`, ... in order of admission; unique, one per row (the key to join feeds on) |
| `patient_id` | made-up identifier of the patient, `P0000001`, ... in order of first admission; repeats when a patient readmitted within 30 days comes back to this hospital within the period |
| `admission_date`, `discharge_date` | ISO dates; discharge = admission + length of stay |
| `age` | years, 18-100 |
| `sex` | `F` or `M` |
| `payer` | expected payer: `medicare`, `medicaid`, `private`, `self_pay` |
| `condition` | principal condition group: `other`, or one of the conditions of the federal readmission penalty programme {cms}: `ami` acute myocardial infarction, `heart_failure`, `pneumonia`, `copd`, `hip_knee` elective total hip or knee replacement, `cabg` coronary artery bypass graft |
| `emergent` | 1 if the admission was emergent or urgent (unplanned), 0 if elective |
| `length_of_stay` | days in hospital, 1 or more |
| `charlson` | Charlson comorbidity index {charlson} |
| `ed_visits_6m` | emergency-department visits in the 6 months before admission |
| `prior_admissions_12m` | inpatient admissions in the 12 months before admission |
| `discharge_disposition` | `home`, `home_health`, `skilled_nursing`, `rehab`, `against_advice` (left against medical advice) |
| `followup_scheduled` | 1 if a follow-up appointment was booked before discharge |
| `hemoglobin` | haemoglobin at discharge, g/dL |
| `sodium` | serum sodium at discharge, mmol/L |
| `readmitted_30d` | 1 if readmitted within 30 days of discharge (the label) |

## What it is calibrated to

| quantity | published figure | this generator (200,000 rows, seeds 1-2) |
|---|---|---|
| 30-day all-cause readmission rate, adults, all payers | about 14% in 2018 {hcup278} | 14.1% |
| same, Medicare | about 17% {hcup248} | 17.4% |
| same, Medicaid / uninsured / private | highest to lowest after Medicare; private about 9% {hcup248} | 14.2% / 11.5% / 9.3% |
| average cost of a readmission | about $15,200 in 2018 {hcup278} | used as the default `cost_per_readmission` of `bana_tools.metrics.business.CostModel` |
| ROC AUC of the LACE index | about 0.68 in its validation cohort {lace} | about 0.685 |
| ROC AUC of a logistic regression on all columns | published readmission models mostly reach 0.70-0.76 | about 0.72 |

Risk rises with each of the four LACE components -- **L**ength of stay, **A**cuity
(emergent admission), **C**omorbidity (Charlson index) and **E**mergency-department visits
in the previous six months {lace} -- and also with prior admissions, age, anaemia
(haemoglobin below 12 g/dL), low sodium (below 135 mmol/L), leaving against medical advice
and discharge to a nursing facility; a scheduled follow-up lowers it. Heart failure and
COPD carry the highest condition rates, elective hip and knee replacement the lowest.

## How it is made

A hidden frailty score links the columns: frailer patients are older, sicker, more often
in the emergency department and in hospital for longer. The readmission probability is a
logistic function of the columns above plus an unobserved share of frailty and chance.
That unobserved share is deliberate: real discharge data never records everything that
drives a readmission, and it keeps the models here at the accuracy real models reach.

**Repeat patients.** Each row is one stay. When a readmitted patient comes back to this
hospital within the generated period (four times in five; the rest are readmitted
elsewhere), a later stay that fits (admitted 0-30 days after the discharge, same sex, age 0-1
year higher, at least one prior admission) carries the same `patient_id`. So `patient_id` is
not unique; `encounter_id` is. The links come from a separate random stream, so every other
column is the same as it would be without them.

**Shift.** `shift="covariate"` admits an older, frailer population with more Medicare
patients and more heart failure and COPD (the risk model is unchanged; the readmission rate
rises to about 18% at strength 1). `shift="concept"` keeps the population but changes the
risk model: a transitional-care programme makes a booked follow-up far more protective and
ED visits less telling (the rate falls to about 11% at strength 1). `shift="both"` combines
them. `shift_strength` (0-3, default 1) scales every change.

## Limits

- It is synthetic. Relations between columns are simplified and chosen by us; use it to
  learn methods, never to draw clinical conclusions.
- The condition mix over-represents the CMS programme conditions so each has enough rows.
- Published rates differ by year, population and definition (for instance, whether planned
  readmissions count); the figures above are the targets we chose, not exact truths.
- Costs are national averages; a real hospital's costs, intervention prices and effects
  differ, which is why every business metric takes them as explicit parameters.
"""


def data_card(citations: Literal["text", "myst"] = "text") -> str:
    """The data card as Markdown.

    Args:
        citations: ``"text"`` writes sources as "(van Walraven et al. 2010)"; ``"myst"``
            writes MyST roles such as ``{cite}`vanwalraven2010lace```, for the book (the keys
            are in ``book/_data_card_refs.bib``).

    Raises:
        ValueError: for another ``citations`` value.
    """
    keys = {
        "lace": "vanwalraven2010lace",
        "hcup278": "weiss2021hcup278",
        "hcup248": "bailey2019hcup248",
        "cms": "cms2024hrrp",
        "charlson": "charlson1987comorbidity",
    }
    if citations == "text":
        refs = {name: f"({CITATIONS[key]})" for name, key in keys.items()}
    elif citations == "myst":
        refs = {name: "{cite}`" + key + "`" for name, key in keys.items()}
    else:
        raise ValueError(f"citations must be 'text' or 'myst', not {citations!r}")
    return _CARD.format(**refs)
