"""The MLflow steps of the book's chapters 6-7, run fast through bana_tools.ops.tracking.

A local store in a temporary folder (SQLite + artifact folder), telemetry off, no server and
no network: runs with params, metrics, tags and artifacts; search_runs; a finished and a failed
run; registration from a run and at logging time; aliases; loading by version and by alias with
identical predictions; an exact rebuild; the artifact checksum. One module-scoped store keeps
the whole file to a few seconds (creating the SQLite schema is the slow part).
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from bana_tools.data.readmissions import generate_readmissions
from bana_tools.ops.modeling import build_model, split_xy
from bana_tools.ops.tracking import (
    TELEMETRY_OFF,
    artifact_sha256,
    free_port,
    log_sklearn_model,
    model_files,
    model_requirements,
    server_command,
    telemetry_off,
    use_local_store,
)
from bana_tools.ops.versioning import content_hash

NAME = "readmission-risk"


@pytest.fixture(scope="module")
def data():
    df = generate_readmissions(rows=1200, seed=7)
    return df[df.admission_date < "2023-07-01"], df[df.admission_date >= "2023-07-01"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    telemetry_off()
    root = tmp_path_factory.mktemp("mlflow")
    st = use_local_store(root, "readmission")
    yield st
    import mlflow

    mlflow.set_tracking_uri(None)  # leave no global pointer to a deleted folder


@pytest.fixture(scope="module")
def logged(store, data):
    """Two candidate runs (logistic, boosting) and one failed run."""
    import mlflow

    train, valid = data
    X_valid, y_valid = split_xy(valid)
    infos = {}
    for name, params in [("logistic", {"kind": "logistic", "C": 1.0}),
                         ("boosting", {"kind": "boosting", "max_depth": 2, "max_iter": 30})]:
        with mlflow.start_run(run_name=name):
            mlflow.log_params({**params, "data_train": content_hash(train), "data_valid": content_hash(valid)})
            mlflow.set_tag("question", "unit test")
            model = build_model(**params).fit(*split_xy(train))
            from sklearn.metrics import roc_auc_score

            mlflow.log_metric("val_roc_auc", roc_auc_score(y_valid, model.predict_proba(X_valid)[:, 1]))
            mlflow.log_text("\n".join(X_valid.columns), "features.txt")
            infos[name] = (log_sklearn_model(model, X_valid.head(20)), model)
    with pytest.raises(TypeError), mlflow.start_run(run_name="typo"):
        build_model(kind="logistic", c=1.0)
    return infos


def test_telemetry_is_off_in_the_environment(store):
    for key, value in TELEMETRY_OFF.items():
        assert os.environ[key] == value
    assert store.tracking_uri.startswith("sqlite:///") and store.tracking_uri.endswith("mlflow.db")
    assert (store.root / "mlflow.db").exists()


def test_runs_record_params_metrics_tags_and_artifacts(store, logged, data):
    import mlflow

    runs = mlflow.search_runs(experiment_names=["readmission"])
    assert sorted(zip(runs["tags.mlflow.runName"], runs["status"], strict=True)) == [
        ("boosting", "FINISHED"), ("logistic", "FINISHED"), ("typo", "FAILED")]
    finished = mlflow.search_runs(experiment_names=["readmission"],
                                  filter_string="attributes.status = 'FINISHED'",
                                  order_by=["metrics.val_roc_auc DESC"])
    assert len(finished) == 2 and finished["metrics.val_roc_auc"].is_monotonic_decreasing
    assert set(finished["params.data_train"]) == {content_hash(data[0])}
    assert set(finished["tags.question"]) == {"unit test"}
    run_id = finished.run_id.iloc[0]
    assert [f.path for f in mlflow.MlflowClient().list_artifacts(run_id)] == ["features.txt"]
    files = {p.name for p in model_files(logged["logistic"][0].model_uri).iterdir()}
    assert {"MLmodel", "model.skops", "requirements.txt", "python_env.yaml"} <= files
    requirements = (model_files(logged["logistic"][0].model_uri) / "requirements.txt").read_text()
    for pin in model_requirements():
        assert pin in requirements


def test_registered_model_loads_by_version_and_alias_with_identical_predictions(store, logged, data):
    import mlflow

    client = mlflow.MlflowClient()
    info, model = logged["logistic"]
    v1 = mlflow.register_model(info.model_uri, NAME)
    v2 = mlflow.register_model(logged["boosting"][0].model_uri, NAME)
    assert (int(v1.version), int(v2.version)) == (1, 2)
    client.set_registered_model_alias(NAME, "champion", v1.version)
    client.set_registered_model_alias(NAME, "challenger", v2.version)
    X = split_xy(data[1])[0]
    by_version = mlflow.sklearn.load_model(f"models:/{NAME}/1")
    by_alias = mlflow.sklearn.load_model(f"models:/{NAME}@champion")
    np.testing.assert_array_equal(by_version.predict_proba(X), by_alias.predict_proba(X))
    np.testing.assert_array_equal(by_alias.predict_proba(X), model.predict_proba(X))
    # Rollback is moving an alias; the challenger's predictions differ from the champion's.
    client.set_registered_model_alias(NAME, "champion", v2.version)
    assert not np.array_equal(mlflow.sklearn.load_model(f"models:/{NAME}@champion").predict_proba(X),
                              by_version.predict_proba(X))
    client.set_registered_model_alias(NAME, "champion", v1.version)
    assert client.get_model_version_by_alias(NAME, "champion").version == v1.version
    assert client.get_model_version(NAME, "1").run_id == info.run_id


def test_version_rebuilds_exactly_from_its_recorded_ingredients(store, logged, data):
    import mlflow

    params = mlflow.get_run(logged["logistic"][0].run_id).data.params
    train = data[0]
    assert content_hash(train) == params["data_train"]
    rebuilt = build_model(kind=params["kind"], C=float(params["C"])).fit(*split_xy(train))
    X = split_xy(data[1])[0]
    np.testing.assert_array_equal(rebuilt.predict_proba(X), logged["logistic"][1].predict_proba(X))


def test_artifact_checksum_is_stable_and_detects_a_changed_file(store, logged):
    uri = logged["boosting"][0].model_uri
    before = artifact_sha256(uri)
    assert before == artifact_sha256(uri) and len(before) == 64
    import mlflow

    mlflow.sklearn.load_model(uri)  # loading must not change the fingerprint
    assert artifact_sha256(uri) == before
    skops = model_files(uri) / "model.skops"
    skops.write_bytes(skops.read_bytes() + b"\0")
    assert artifact_sha256(uri) != before


def test_server_command_binds_loopback_on_a_free_port(store):
    port = free_port()
    command = server_command(store, port)
    assert command[:4] == [sys.executable, "-m", "mlflow", "server"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == str(port)
    assert command[command.index("--backend-store-uri") + 1] == store.tracking_uri
