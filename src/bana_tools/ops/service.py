"""The readmission scoring service as a FastAPI app.

:func:`create_app` wraps a fitted pipeline (anything with ``predict_proba`` on a one-row
DataFrame of the readmission features) in a small HTTP API:

* ``GET /health`` -- is the service up, and which model version and threshold does it use;
* ``POST /score`` -- one discharge (validated by :class:`Discharge`) in, a :class:`RiskScore` out;
* ``POST /score/batch`` -- a list of discharges in one call, for the nightly worklist.

A request that breaks the schema (an unknown payer, an age of 7, a missing field) is refused
with FastAPI's standard 422 answer, whose ``detail`` names each bad field and says what was
expected; it never reaches the model. The endpoints are plain ``def`` functions: FastAPI runs
them in a worker thread, which suits CPU-bound scoring and keeps the event loop free.

:func:`serve_in_thread` runs an app with uvicorn on the loopback interface, on a free port,
in a background thread, and stops it on exit (the book and the tests use it).

fastapi and uvicorn are imported inside the functions, so importing this module (or
``bana_tools.ops``) stays cheap.
"""

# No `from __future__ import annotations` here: FastAPI reads the endpoint annotations at run
# time, and some of them name classes imported inside create_app.
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bana_tools.ops.scoring import DischargeRequest

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from fastapi import FastAPI

__all__ = ["Discharge", "Health", "RiskScore", "create_app", "discharge_payloads", "serve_in_thread"]

MAX_BATCH = 10_000

_EXAMPLE = {
    "patient_id": "R0000001", "age": 71, "sex": "F", "payer": "medicare", "condition": "heart_failure",
    "emergent": 1, "length_of_stay": 6, "charlson": 3, "ed_visits_6m": 1, "prior_admissions_12m": 1,
    "discharge_disposition": "home", "followup_scheduled": 0, "hemoglobin": 11.8, "sodium": 137,
}


class Discharge(DischargeRequest):
    """One discharge as the hospital's system sends it (the readmission features).

    The fields, ranges and categories are those of :class:`bana_tools.ops.scoring.DischargeRequest`,
    so the in-process service and the HTTP service accept exactly the same requests. Extra
    fields (dates, the outcome once known) are ignored.
    """

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [_EXAMPLE]})


class RiskScore(BaseModel):
    """The answer for one discharge."""

    patient_id: str
    risk: float = Field(ge=0.0, le=1.0, description="Predicted probability of readmission within 30 days.")
    threshold: float = Field(description="Risk at or above which the patient is flagged for a call.")
    flag: bool = Field(description="True when risk >= threshold.")
    decision: Literal["call", "no call"] = Field(description="What the transitional-care team should do.")
    model_version: str = Field(description="The model that produced this score, for the audit trail.")


class Health(BaseModel):
    """What a load balancer or an orchestrator's probe reads."""

    status: Literal["ok"]
    model_version: str
    threshold: float


def _answers(model: Any, requests: list[Discharge], version: str, threshold: float) -> list[RiskScore]:
    import pandas as pd

    rows = pd.DataFrame([r.model_dump() for r in requests])
    risks = model.predict_proba(rows)[:, 1]
    out = []
    for request, risk in zip(requests, risks, strict=True):
        flag = bool(risk >= threshold)
        out.append(RiskScore(patient_id=request.patient_id, risk=round(float(risk), 4), threshold=threshold,
                             flag=flag, decision="call" if flag else "no call", model_version=version))
    return out


def create_app(model: Any, version: str, threshold: float = 0.2) -> "FastAPI":
    """A FastAPI app serving ``model`` as ``version``, flagging risks at or above ``threshold``."""
    from fastapi import FastAPI, Response

    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
    if not callable(getattr(model, "predict_proba", None)):
        raise TypeError("model must have a predict_proba method (a fitted classifier or pipeline)")
    if not version:
        raise ValueError("version must name the model (for example 'readmission-risk:v1')")

    app = FastAPI(
        title="Readmission risk service",
        version=version,
        description="Scores one discharge, or a batch, for the risk of readmission within 30 days.",
    )
    app.state.model, app.state.version, app.state.threshold = model, version, threshold

    @app.get("/health", response_model=Health)
    def health() -> Health:
        return Health(status="ok", model_version=version, threshold=threshold)

    @app.post("/score", response_model=RiskScore)
    def score(discharge: Discharge, response: Response) -> RiskScore:
        response.headers["X-Model-Version"] = version
        return _answers(model, [discharge], version, threshold)[0]

    @app.post("/score/batch", response_model=list[RiskScore])
    def score_batch(discharges: list[Discharge], response: Response) -> list[RiskScore]:
        response.headers["X-Model-Version"] = version
        if not discharges:
            return []
        if len(discharges) > MAX_BATCH:
            from fastapi import HTTPException

            raise HTTPException(status_code=413, detail=f"at most {MAX_BATCH} discharges per batch")
        return _answers(model, discharges, version, threshold)

    return app


def discharge_payloads(frame: "pd.DataFrame") -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-ready dicts (missing values as ``None``, numpy scalars as Python)."""
    records = frame.to_dict("records")
    return [{k: (None if isinstance(v, float) and math.isnan(v) else (v.item() if hasattr(v, "item") else v))
             for k, v in row.items()} for row in records]


@contextmanager
def serve_in_thread(app: "FastAPI", *, host: str = "127.0.0.1", timeout: float = 10.0) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port in a background thread; yield its base URL.

    The socket is bound before the server starts (port 0: the system picks a free port), so
    no other process can take the port in between. On exit the server is asked to stop and
    the thread is joined; every wait is bounded by ``timeout`` seconds.
    """
    import socket
    import threading

    import uvicorn

    if host not in {"127.0.0.1", "localhost"}:
        raise ValueError("serve_in_thread only listens on the loopback interface (127.0.0.1)")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the server stopped before it started")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server did not start within {timeout} s")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
        if thread.is_alive():  # pragma: no cover - uvicorn ignored should_exit
            raise TimeoutError(f"the server did not stop within {timeout} s")
