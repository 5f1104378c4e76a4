"""Synthetic hospital discharges with 30-day readmission outcomes (the course's running case).

:func:`generate_readmissions` draws one row per discharge from a fixed, documented
generative model, vectorised with numpy and seeded with a :class:`numpy.random.Generator`,
so the same arguments always give the same table (and the same CSV bytes).

How a row is made
-----------------
1. A latent *frailty* ``z ~ N(0, 1)`` (never shown) ties the patient's features together:
   frail patients are older, carry more comorbidity, visit the emergency department (ED)
   more often, stay longer and are readmitted more.
2. Payer, then age given payer (Medicare mostly 65+), sex, condition group (the CMS
   Hospital Readmissions Reduction Program conditions and "other"), emergent admission
   given condition, Charlson comorbidity index, ED visits in the prior 6 months,
   admissions in the prior 12 months, length of stay, discharge disposition, follow-up
   appointment, and haemoglobin and sodium at discharge.
3. The readmission log-odds add up effects of the four LACE components (length of stay,
   acuity, comorbidity, ED visits; van Walraven et al. 2010), prior admissions, age,
   payer, condition, disposition, follow-up, anaemia and hyponatraemia, plus an
   unobserved part of frailty. That unobserved part is what keeps models realistic: the
   LACE score reaches a ROC AUC near 0.68, a logistic regression on all columns near 0.73.

The intercept is fixed (not re-fitted per sample), so a shifted population shows its own,
different readmission rate. See :mod:`bana_tools.data.card` for the published figures the
model is calibrated to.

Shift
-----
``shift="covariate"`` moves who is admitted (older, frailer, more Medicare, more heart
failure and COPD) but keeps the risk model; ``shift="concept"`` keeps the population but
changes the risk model (a transitional-care programme that makes a scheduled follow-up
protect much more, and ED visits predict less); ``shift="both"`` does both.
``shift_strength`` scales every change linearly: 0 changes nothing, 1 is the documented
default magnitude, 2 doubles it (values up to 3 are accepted). Every random draw is the same
whatever the shift, so a shifted table differs from the unshifted one of the same seed only
through the shift itself.

Patients and encounters
-----------------------
Each row is one hospital stay (an *encounter*) with its own ``encounter_id``, unique in the
table. A patient can have more than one stay: when a readmitted patient's next admission
falls inside the generated period, most of the time (``_SAME_HOSPITAL`` = 80%; the rest are
readmitted elsewhere) a later row that fits is given the same ``patient_id``. A row fits if it
is admitted 0-30 days after the discharge, has the same sex, an age 0 or 1 year higher and at
least one prior admission in the last 12 months. The links are drawn from a second random
stream seeded from the same seed, so every other column is exactly what it would be without
them, and a patient who was not readmitted within 30 days never reappears within 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "COLUMNS",
    "CONDITIONS",
    "DISPOSITIONS",
    "PAYERS",
    "SHIFTS",
    "Shift",
    "generate_readmissions",
]

Shift = Literal["covariate", "concept", "both"]
SHIFTS: tuple[str, ...] = ("covariate", "concept", "both")
MAX_SHIFT_STRENGTH = 3.0

PAYERS: tuple[str, ...] = ("medicare", "medicaid", "private", "self_pay")
CONDITIONS: tuple[str, ...] = (
    "ami",        # acute myocardial infarction
    "heart_failure",
    "pneumonia",
    "copd",       # chronic obstructive pulmonary disease
    "hip_knee",   # elective total hip or knee replacement
    "cabg",       # coronary artery bypass graft surgery
    "other",
)
DISPOSITIONS: tuple[str, ...] = ("home", "home_health", "skilled_nursing", "rehab", "against_advice")

#: Column order of the generated table.
COLUMNS: tuple[str, ...] = (
    "encounter_id",
    "patient_id",
    "admission_date",
    "discharge_date",
    "age",
    "sex",
    "payer",
    "condition",
    "emergent",
    "length_of_stay",
    "charlson",
    "ed_visits_6m",
    "prior_admissions_12m",
    "discharge_disposition",
    "followup_scheduled",
    "hemoglobin",
    "sodium",
    "readmitted_30d",
)

# --------------------------------------------------------------------- parameters
# Payer mix of adult discharges (roughly the national mix of expected payers).
_PAYER_P = np.array([0.45, 0.20, 0.29, 0.06])
# Condition mix; CMS programme conditions are over-represented relative to all
# discharges so that each has enough rows for per-condition exercises.
_COND_P = np.array([0.05, 0.08, 0.07, 0.06, 0.06, 0.02, 0.66])
# Probability that the admission is emergent, by condition.
_EMERGENT_P = np.array([0.95, 0.88, 0.90, 0.90, 0.03, 0.35, 0.62])
# Mean length of stay (days) by condition, before patient effects.
_LOS_MEAN = np.array([4.2, 5.0, 4.8, 4.2, 2.3, 8.0, 4.2])
# Log-odds of readmission by condition (relative to "other").
_COND_LOGIT = np.array([0.10, 0.40, 0.15, 0.35, -1.05, -0.10, 0.0])
# Log-odds by payer (relative to private).
_PAYER_LOGIT = np.array([0.22, 0.45, -0.15, 0.20])
# Log-odds by disposition (relative to home).
_DISP_LOGIT = np.array([0.0, 0.15, 0.30, 0.10, 0.75])


@dataclass(frozen=True)
class _Drift:
    """Magnitudes of the two kinds of shift at ``shift_strength`` = 1."""

    # covariate drift
    medicare_share: float = 0.12      # payer mass moved to Medicare from private
    age_years: float = 3.0            # older patients
    frailty_sd: float = 0.30          # sicker: frailty mean moves up by this many SDs
    hf_copd_share: float = 0.04       # extra heart-failure and COPD admissions
    # concept drift
    followup_logit: float = -0.60     # follow-up protects more (programme effect)
    ed_visit_factor: float = 0.5      # ED visits predict half as much (per unit strength)


_DRIFT = _Drift()

# Share of readmissions that come back to this hospital (and so appear in its extract).
_SAME_HOSPITAL = 0.80
# Stream key of the second random stream that links repeat stays (see _repeat_patients).
_LINK_STREAM = 30


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _categorical(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    """Draw ``n`` category codes with row-wise or shared probabilities (inverse CDF)."""
    u = rng.random(n)
    cum = np.cumsum(probs, axis=-1)
    if cum.ndim == 1:
        return np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(probs) - 1)
    cum = cum / cum[:, -1:]
    return np.minimum((u[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)


def _repeat_patients(
    seed: int,
    admit: np.ndarray,
    discharge: np.ndarray,
    sex: np.ndarray,
    age: np.ndarray,
    prior_adm: np.ndarray,
    readmitted: np.ndarray,
) -> np.ndarray:
    """Patient number (1, 2, ...) of each row; rows are in admission order.

    A readmitted row's patient comes back, with probability ``_SAME_HOSPITAL``, as a later
    row drawn at random among those admitted 0-30 days after the discharge with the same
    sex, an age 0-1 year higher and a prior admission. When two stays draw the same later
    row, the earlier stay keeps it and the other patient counts as readmitted elsewhere.
    Patients are numbered in order of their first stay. Vectorised: no loop over rows.
    """
    n = len(admit)
    if n == 0:
        return np.arange(0)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), _LINK_STREAM]))
    come_back = rng.random(n) < _SAME_HOSPITAL
    pick = rng.random(n)
    day = admit.astype(np.int64)
    out_day = discharge.astype(np.int64)
    span = int(out_day.max() - day.min()) + 64           # keeps (group, day) keys apart
    group = (sex == "F").astype(np.int64) * 1000 + age.astype(np.int64)

    cand = np.flatnonzero(prior_adm >= 1)
    cand_key = group[cand] * span + (day[cand] - day.min())
    by_key = np.argsort(cand_key, kind="stable")
    cand, cand_key = cand[by_key], cand_key[by_key]

    src = np.flatnonzero((readmitted == 1) & come_back)
    windows = []
    for years in (0, 1):                                 # same age, or one birthday later
        start = (group[src] + years) * span + (out_day[src] - day.min())
        windows.append((np.searchsorted(cand_key, start, side="left"),
                        np.searchsorted(cand_key, start + 30, side="right")))
    (lo0, hi0), (lo1, hi1) = windows
    size0, size1 = hi0 - lo0, hi1 - lo1
    total = size0 + size1
    has = total > 0
    k = np.minimum((pick[src] * total).astype(np.int64), np.maximum(total - 1, 0))
    slot = np.where(k < size0, lo0 + k, lo1 + (k - size0))
    src, target = src[has], cand[slot[has]]
    first_claim = np.unique(target, return_index=True)[1]  # earliest stay wins a contested row
    src, target = src[first_claim], target[first_claim]

    parent = np.arange(n)
    parent[target] = src
    while True:                                          # follow chains of stays to the first
        grand = parent[parent]
        if np.array_equal(grand, parent):
            break
        parent = grand
    first = parent == np.arange(n)
    return np.cumsum(first)[parent]


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """``prefix`` + zero-padded ``numbers``, as an object array of str."""
    text = np.asarray(numbers).astype(np.str_)
    if len(text) == 0:
        return text.astype(object)
    return np.char.add(prefix, np.char.zfill(text, width)).astype(object)


def _check(rows: int, shift: str | None, shift_strength: float) -> None:
    if isinstance(rows, bool) or not isinstance(rows, int | np.integer):
        raise TypeError(f"rows must be an integer, not {type(rows).__name__}")
    if rows < 0:
        raise ValueError(f"rows must be zero or more, not {rows}")
    if shift is not None and shift not in SHIFTS:
        raise ValueError(f"unknown shift {shift!r} (choose covariate, concept or both)")
    if not 0.0 <= float(shift_strength) <= MAX_SHIFT_STRENGTH:
        raise ValueError(
            f"shift_strength must be between 0 and {MAX_SHIFT_STRENGTH:g}, not {shift_strength}"
        )


def generate_readmissions(
    rows: int = 10_000,
    seed: int = 0,
    *,
    shift: Shift | None = None,
    shift_strength: float = 1.0,
    start: str = "2023-01-01",
    days: int = 365,
    id_prefix: str = "P",
    encounter_prefix: str | None = None,
) -> pd.DataFrame:
    """Generate ``rows`` synthetic discharges with a 30-day readmission outcome.

    Args:
        rows: number of discharges (0 or more).
        seed: seed of the :class:`numpy.random.Generator`; the same arguments give the
            same table, row for row.
        shift: ``None`` (the reference hospital), ``"covariate"``, ``"concept"`` or
            ``"both"``; see the module docstring.
        shift_strength: magnitude of the shift, from 0 (none) to 3; 1 is the documented
            default. At strength 1 covariate drift moves 12 points of payer mix from private
            to Medicare, adds 3 years of age and 0.3 SD of frailty, and adds 4 points of
            heart-failure/COPD admissions; concept drift lowers the log-odds of patients
            with a follow-up appointment by 0.6 more and halves the effect of ED visits
            (strength 2 quarters it).
        start: first admission date (ISO); admissions are spread over ``days`` days.
        days: length of the admission period in days (1 or more).
        id_prefix: prefix of the patient ids (``P0000001``, ...); use another prefix for
            a second hospital so ids do not collide.
        encounter_prefix: prefix of the encounter ids; by default ``"E"`` (``E0000001``,
            ...) with the default ``id_prefix``, else ``id_prefix + "E"`` (``QE0000001``),
            so a second hospital's encounters do not collide either.

    Returns:
        A DataFrame with the columns of :data:`COLUMNS`, one row per stay, sorted by
        admission date. ``encounter_id`` is unique and numbered in admission order;
        ``patient_id`` is numbered in order of each patient's first stay and repeats for a
        patient readmitted to this hospital within the period (see the module docstring).
        Yes/no columns (``emergent``, ``followup_scheduled``, ``readmitted_30d``) are 0/1
        integers; dates are ISO strings (``YYYY-MM-DD``).

    Raises:
        ValueError: for negative ``rows``, an unknown ``shift`` or a strength out of range.
    """
    _check(rows, shift, shift_strength)
    if days < 1:
        raise ValueError(f"days must be 1 or more, not {days}")
    n = int(rows)
    s = float(shift_strength)
    cov = s if shift in ("covariate", "both") else 0.0
    con = s if shift in ("concept", "both") else 0.0
    d = _DRIFT
    rng = np.random.default_rng(seed)

    # 1. latent frailty (moves up under covariate drift)
    z = rng.standard_normal(n) + cov * d.frailty_sd

    # 2. payer
    payer_p = _PAYER_P.copy()
    moved = min(cov * d.medicare_share, payer_p[2] - 0.05)
    payer_p[0] += moved
    payer_p[2] -= moved
    payer = _categorical(rng, payer_p, n)

    # age given payer (Medicare: 65+ apart from ~9% under 65 with disability)
    u_age = rng.standard_normal(n)
    under65 = rng.random(n) < 0.09
    age = np.where(
        payer == 0,
        np.where(under65, 52.0 + 7.0 * u_age, 66.0 + np.abs(11.0 * u_age + 3.0 * z)),
        np.select([payer == 1, payer == 2], [42.0, 50.0], 40.0) + 12.0 * u_age + 3.0 * z,
    )
    age = np.clip(np.rint(age + cov * d.age_years), 18, 100).astype(np.int64)

    sex = np.where(rng.random(n) < 0.55, "F", "M")

    # condition (older patients have more cardiac and lung disease)
    cond_p = np.broadcast_to(_COND_P, (n, len(_COND_P))).copy()
    older = np.clip((age - 50) / 40.0, 0.0, 1.0)
    cond_p[:, 0:4] *= (0.5 + older)[:, None]
    cond_p[:, 5] *= 0.5 + older
    cond_p[:, 1] += cov * d.hf_copd_share / 2
    cond_p[:, 3] += cov * d.hf_copd_share / 2
    condition = _categorical(rng, cond_p, n)

    emergent = (rng.random(n) < _EMERGENT_P[condition]).astype(np.int64)

    # comorbidity and prior use (all driven by frailty)
    chf_or_copd = np.isin(condition, (1, 3))
    charlson_mean = np.exp(-0.35 + 0.028 * (age - 60) + 0.55 * z) + 1.0 * chf_or_copd
    charlson = np.minimum(rng.poisson(charlson_mean), 15).astype(np.int64)
    ed_mean = np.exp(-1.35 + 0.55 * z + np.select([payer == 1, payer == 3], [0.45, 0.35], 0.0))
    ed_visits = np.minimum(rng.poisson(ed_mean), 20).astype(np.int64)
    prior_mean = np.exp(-1.1 + 0.55 * z + 0.06 * charlson)
    prior_adm = np.minimum(rng.poisson(prior_mean), 15).astype(np.int64)

    # length of stay: gamma around a condition mean, longer when frail or emergent
    los_mean = _LOS_MEAN[condition] * np.exp(0.18 * z + 0.15 * emergent + 0.004 * (age - 60))
    los = np.ceil(rng.gamma(2.2, los_mean / 2.2)).astype(np.int64)
    los = np.clip(los, 1, 60)

    # discharge disposition: multinomial logit via the Gumbel-max trick
    util = np.zeros((n, len(DISPOSITIONS)))
    util[:, 1] = -1.6 + 0.03 * (age - 60) + 0.3 * z + 0.08 * los
    util[:, 2] = -3.2 + 0.06 * (age - 60) + 0.6 * z + 0.10 * los
    util[:, 3] = -3.0 + 0.03 * (age - 60) + 1.6 * (condition == 4) + 0.05 * los
    util[:, 4] = -4.2 + 0.4 * (payer == 3) + 0.4 * (payer == 1) - 0.02 * (age - 60)
    disposition = np.argmax(util + rng.gumbel(size=(n, len(DISPOSITIONS))), axis=1)

    # follow-up appointment scheduled before discharge
    fu_logit = (0.45 - 0.5 * (payer == 3) - 0.25 * (payer == 1) - 1.5 * (disposition == 4)
                + 0.4 * np.isin(condition, (0, 1, 5)))
    followup = (rng.random(n) < _sigmoid(fu_logit)).astype(np.int64)

    # labs at discharge
    female = sex == "F"
    hemoglobin = np.round(np.clip(
        13.4 - 1.1 * female - 0.6 * z - 0.35 * np.minimum(charlson, 6) / 2
        + 1.4 * rng.standard_normal(n), 6.0, 18.5), 1)
    sodium = np.rint(np.clip(
        139.5 - 0.8 * z - 0.8 * chf_or_copd + 3.2 * rng.standard_normal(n), 118, 156)
    ).astype(np.int64)

    # 3. readmission risk
    lace_l = np.log(los)
    ed_effect = 0.26 * d.ed_visit_factor**con
    logit = (
        -3.37
        + 0.36 * lace_l
        + 0.38 * emergent
        + 0.15 * np.minimum(charlson, 8)
        + ed_effect * np.minimum(ed_visits, 6)
        + 0.22 * np.minimum(prior_adm, 6)
        + 0.010 * (age - 60)
        + _PAYER_LOGIT[payer]
        + _COND_LOGIT[condition]
        + _DISP_LOGIT[disposition]
        + (-0.30 + con * d.followup_logit) * followup
        + 0.25 * (hemoglobin < 12.0)
        + 0.20 * (sodium < 135)
        + 0.45 * rng.standard_normal(n)   # unobserved frailty and chance
        + 0.25 * z
    )
    readmitted = (rng.random(n) < _sigmoid(logit)).astype(np.int64)

    # dates, then sort by admission and number the patients
    offset = rng.integers(0, days, size=n)
    order = np.argsort(offset, kind="stable")
    start_day = np.datetime64(start, "D")
    admit = start_day + offset
    discharge = admit + los

    width = max(7, len(str(n)))
    patient_no = _repeat_patients(seed, admit[order], discharge[order], sex[order], age[order],
                                  prior_adm[order], readmitted[order])
    if encounter_prefix is None:
        encounter_prefix = "E" if id_prefix == "P" else f"{id_prefix}E"
    columns = {
        "encounter_id": _ids(encounter_prefix, np.arange(1, n + 1), width),
        "patient_id": _ids(id_prefix, patient_no, width),
        "admission_date": np.datetime_as_string(admit[order], unit="D").astype(object),
        "discharge_date": np.datetime_as_string(discharge[order], unit="D").astype(object),
        "age": age[order],
        "sex": sex[order].astype(object),
        "payer": np.asarray(PAYERS, dtype=object)[payer[order]],
        "condition": np.asarray(CONDITIONS, dtype=object)[condition[order]],
        "emergent": emergent[order],
        "length_of_stay": los[order],
        "charlson": charlson[order],
        "ed_visits_6m": ed_visits[order],
        "prior_admissions_12m": prior_adm[order],
        "discharge_disposition": np.asarray(DISPOSITIONS, dtype=object)[disposition[order]],
        "followup_scheduled": followup[order],
        "hemoglobin": hemoglobin[order],
        "sodium": sodium[order],
        "readmitted_30d": readmitted[order],
    }
    return pd.DataFrame(columns)
