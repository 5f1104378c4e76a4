"""An in-process scoring service for the readmission model.

:class:`ScoringService` is what a web endpoint (FastAPI, Flask, a serverless function)
would wrap: it validates a JSON-like request against :class:`DischargeRequest` (pydantic),
scores it with a fitted pipeline and answers with a :class:`RiskResponse`. Keeping the
logic in a plain class lets the book and the tests call it directly, with no server.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["DischargeRequest", "InvalidRequest", "RiskResponse", "ScoringService"]


class DischargeRequest(BaseModel):
    """The features of one discharge, as the hospital's system sends them."""

    model_config = ConfigDict(extra="ignore")

    patient_id: str = Field(min_length=1)
    age: int = Field(ge=18, le=110)
    sex: Literal["F", "M"]
    payer: Literal["medicare", "medicaid", "private", "self_pay"]
    condition: Literal["ami", "heart_failure", "pneumonia", "copd", "hip_knee", "cabg", "other"]
    emergent: Literal[0, 1]
    length_of_stay: int = Field(ge=1, le=365)
    charlson: int = Field(ge=0, le=37)
    ed_visits_6m: int = Field(ge=0, le=100)
    prior_admissions_12m: int = Field(ge=0, le=100)
    discharge_disposition: Literal["home", "home_health", "skilled_nursing", "rehab", "against_advice"]
    followup_scheduled: Literal[0, 1]
    hemoglobin: float | None = Field(default=None, ge=3, le=25)
    sodium: float | None = Field(default=None, ge=100, le=180)


class RiskResponse(BaseModel):
    """The service's answer."""

    patient_id: str
    risk: float
    flag: bool
    model_version: str
    latency_ms: float


class InvalidRequest(ValueError):
    """The request did not pass validation; the message lists the bad fields."""


class ScoringService:
    """Validate, score, answer. ``model`` is a fitted pipeline with ``predict_proba``."""

    def __init__(self, model: Any, *, version: str, threshold: float = 0.2) -> None:
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
        self.model = model
        self.version = version
        self.threshold = threshold

    def health(self) -> dict[str, str]:
        """What a load balancer's health check would read."""
        return {"status": "ok", "model_version": self.version}

    def score(self, payload: dict[str, Any]) -> RiskResponse:
        """Score one request; raises :class:`InvalidRequest` on bad input."""
        import pandas as pd

        start = time.perf_counter()
        try:
            request = DischargeRequest.model_validate(payload)
        except ValidationError as err:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) or "request" for e in err.errors())
            raise InvalidRequest(f"invalid request: {fields}") from None
        row = pd.DataFrame([request.model_dump()])
        risk = float(self.model.predict_proba(row)[0, 1])
        return RiskResponse(
            patient_id=request.patient_id, risk=round(risk, 4), flag=risk >= self.threshold,
            model_version=self.version, latency_ms=round((time.perf_counter() - start) * 1000, 3),
        )
