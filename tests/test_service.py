"""The FastAPI scoring service (bana_tools.ops.service) and the replay of a request log through it."""

from __future__ import annotations

import socket
import subprocess
import sys
import warnings

import numpy as np
import pytest

from bana_tools.data.readmissions import generate_readmissions
from bana_tools.ops.modeling import build_model, split_xy
from bana_tools.ops.rollout import replay

with warnings.catch_warnings():  # starlette's TestClient may warn about its httpx backend
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from bana_tools.ops.service import create_app, discharge_payloads, serve_in_thread

VERSION = "readmission-risk:v1"


@pytest.fixture(scope="module")
def model():
    return build_model(kind="logistic", C=0.1).fit(*split_xy(generate_readmissions(rows=1500, seed=3)))


@pytest.fixture(scope="module")
def payloads():
    log = generate_readmissions(rows=60, seed=8, start="2024-01-01", days=30, id_prefix="R")
    return discharge_payloads(log.drop(columns="readmitted_30d"))


@pytest.fixture(scope="module")
def client(model):
    with TestClient(create_app(model, VERSION, threshold=0.2)) as c:
        yield c


def test_importing_ops_and_the_service_module_does_not_import_fastapi():
    code = ("import sys, bana_tools.ops, bana_tools.ops.service, bana_tools.ops.rollout; "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_payloads_are_json_ready(payloads):
    import json

    with_gap = generate_readmissions(rows=5, seed=8)
    with_gap.loc[1, "hemoglobin"] = np.nan  # a lab result not yet available
    rows = discharge_payloads(with_gap)
    json.dumps(rows, allow_nan=False)  # NaN is not JSON: missing values must be None
    assert rows[1]["hemoglobin"] is None and rows[0]["hemoglobin"] is not None
    assert isinstance(payloads[0]["age"], int)


def test_health_names_the_model_version(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "model_version": VERSION, "threshold": 0.2}


def test_a_valid_request_gets_a_score_a_decision_and_the_version(client, model, payloads):
    import pandas as pd

    response = client.post("/score", json=payloads[0])
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"patient_id", "risk", "threshold", "flag", "decision", "model_version"}
    assert body["patient_id"] == payloads[0]["patient_id"]
    assert body["model_version"] == VERSION and response.headers["x-model-version"] == VERSION
    expected = model.predict_proba(pd.DataFrame([payloads[0]])[list(split_xy_columns())])[0, 1]
    assert body["risk"] == pytest.approx(expected, abs=1e-4)
    assert body["flag"] == (body["risk"] >= 0.2)
    assert body["decision"] == ("call" if body["flag"] else "no call")


def split_xy_columns():
    from bana_tools.ops.modeling import CATEGORICAL, NUMERIC

    return NUMERIC + CATEGORICAL


def test_the_threshold_decides_the_flag(model, payloads):
    with TestClient(create_app(model, VERSION, threshold=0.01)) as low, \
         TestClient(create_app(model, VERSION, threshold=0.99)) as high:
        assert low.post("/score", json=payloads[0]).json()["decision"] == "call"
        assert high.post("/score", json=payloads[0]).json()["decision"] == "no call"


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"payer": "medicare_advantage"}, "payer", "'medicare', 'medicaid', 'private' or 'self_pay'"),
    ({"age": 7}, "age", "greater than or equal to 18"),
    ({"sex": "X"}, "sex", "'F' or 'M'"),
    ({"length_of_stay": 0}, "length_of_stay", "greater than or equal to 1"),
    ({"sodium": 300}, "sodium", "less than or equal to 180"),
    ({"charlson": "many"}, "charlson", "valid integer"),
    ({"charlson": None}, "charlson", "valid integer"),
])
def test_invalid_fields_get_a_422_that_names_the_field(client, payloads, change, field, words):
    response = client.post("/score", json={**payloads[0], **change})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [d["loc"] for d in detail] == [["body", field]]
    assert words in detail[0]["msg"]


def test_a_missing_field_and_a_non_object_are_refused(client, payloads):
    missing = {k: v for k, v in payloads[0].items() if k != "charlson"}
    response = client.post("/score", json=missing)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "charlson"]
    assert response.json()["detail"][0]["type"] == "missing"
    no_lab = client.post("/score", json={**payloads[0], "hemoglobin": None})
    assert no_lab.status_code == 200, "a missing lab result is allowed: the pipeline imputes it"
    assert client.post("/score", content=b"not json", headers={"content-type": "application/json"}).status_code == 422


def test_batch_scores_match_single_requests(client, payloads):
    batch = client.post("/score/batch", json=payloads[:10])
    assert batch.status_code == 200
    singles = [client.post("/score", json=p).json() for p in payloads[:10]]
    assert batch.json() == singles
    assert client.post("/score/batch", json=[]).json() == []
    bad = client.post("/score/batch", json=[payloads[0], {**payloads[1], "payer": "unknown"}])
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", 1, "payer"]


def test_openapi_documents_the_schema(client):
    spec = client.get("/openapi.json").json()
    assert {"/health", "/score", "/score/batch"} <= set(spec["paths"])
    payer = spec["components"]["schemas"]["Discharge"]["properties"]["payer"]
    assert set(payer["enum"]) == {"medicare", "medicaid", "private", "self_pay"}
    assert client.get("/docs").status_code == 200


def test_create_app_refuses_bad_settings(model):
    with pytest.raises(ValueError, match="threshold"):
        create_app(model, VERSION, threshold=1.5)
    with pytest.raises(TypeError, match="predict_proba"):
        create_app(object(), VERSION)
    with pytest.raises(ValueError, match="version"):
        create_app(model, "")


def test_replay_returns_the_services_scores_and_checks_the_version(client, model, payloads):
    import pandas as pd

    risks = replay(client, payloads, expected_version=VERSION, chunk=25)
    expected = model.predict_proba(pd.DataFrame(payloads)[list(split_xy_columns())])[:, 1]
    assert risks.shape == (len(payloads),)
    np.testing.assert_allclose(risks, expected, atol=1e-4)
    with pytest.raises(RuntimeError, match="expected answers from readmission-risk:v2"):
        replay(client, payloads[:3], expected_version="readmission-risk:v2")
    with pytest.raises(RuntimeError, match="refused requests 0-1: HTTP 422"):
        replay(client, [payloads[0], {**payloads[1], "age": 7}])


def test_served_by_uvicorn_on_loopback_answers_real_http_and_stops(model, payloads):
    import httpx

    app = create_app(model, VERSION, threshold=0.2)
    with serve_in_thread(app, timeout=10) as url:
        host, port = url.removeprefix("http://").split(":")
        assert host == "127.0.0.1"
        with httpx.Client(base_url=url, timeout=5) as http:
            assert http.get("/health").json()["model_version"] == VERSION
            answer = http.post("/score", json=payloads[0])
            assert answer.status_code == 200 and answer.json()["model_version"] == VERSION
            assert http.post("/score", json={**payloads[0], "payer": "x"}).status_code == 422
            risks = replay(http, payloads[:20], expected_version=VERSION, chunk=8)
            assert risks.shape == (20,)
    # stopped: nothing listens on the port any more
    with socket.socket() as probe:
        probe.settimeout(1)
        assert probe.connect_ex(("127.0.0.1", int(port))) != 0


def test_serve_in_thread_listens_only_on_loopback(model):
    with pytest.raises(ValueError, match="loopback"), serve_in_thread(create_app(model, VERSION), host="0.0.0.0"):
        pass
