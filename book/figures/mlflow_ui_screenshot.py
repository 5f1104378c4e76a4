"""Screenshot of the MLflow UI for chapter 6 (book/part3/figures/ch06-mlflow-ui.png).

What it does, all on this machine and offline:

1. builds a small local MLflow store in a temporary folder (SQLite database + artifact
   folder, telemetry off) with the same candidate readmission models as section 6.4;
2. starts ``mlflow server`` on 127.0.0.1 on a free port with that store;
3. opens the experiment's runs page in headless Chromium (Playwright), with every request
   to a host other than 127.0.0.1 blocked and counted, so the picture proves the UI needs
   no CDN or other outside asset;
4. writes the PNG and stops the server.

The PNG is committed, so the book build does not need a browser. Regenerate with::

    .venv/bin/python book/figures/mlflow_ui_screenshot.py
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from bana_tools.ops.tracking import telemetry_off

telemetry_off()  # before mlflow is imported anywhere

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "part3" / "figures" / "ch06-mlflow-ui.png"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
CANDIDATES = [
    {"kind": "logistic", "C": 0.01},
    {"kind": "logistic", "C": 0.1},
    {"kind": "logistic", "C": 1.0},
    {"kind": "boosting", "max_depth": 2, "learning_rate": 0.1, "max_iter": 100},
    {"kind": "boosting", "max_depth": 4, "learning_rate": 0.1, "max_iter": 200},
]


def build_store(root: Path) -> tuple[object, str]:
    """A store with one run per candidate, logged as in section 6.4 (params, validation metrics,
    tags, feature list; no model files, which the runs page does not show)."""
    import mlflow
    from sklearn.metrics import average_precision_score, roc_auc_score

    from bana_tools.data.readmissions import generate_readmissions
    from bana_tools.ops.modeling import build_model, split_xy
    from bana_tools.ops.tracking import use_local_store

    store = use_local_store(root, "readmission")
    data = generate_readmissions(rows=5000, seed=42)
    train = data[data.admission_date < "2023-07-01"]
    valid = data[(data.admission_date >= "2023-07-01") & (data.admission_date < "2023-10-01")]
    X_train, y_train = split_xy(train)
    X_valid, y_valid = split_xy(valid)
    for params in CANDIDATES:
        name = f"{params['kind']}-" + (f"C{params['C']}" if params["kind"] == "logistic" else f"depth{params['max_depth']}")
        with mlflow.start_run(run_name=name):
            mlflow.log_params(params)
            mlflow.set_tags({"question": "which model family ranks best?", "split": "time-based"})
            model = build_model(**params).fit(X_train, y_train)
            risk = model.predict_proba(X_valid)[:, 1]
            mlflow.log_metrics({"val_roc_auc": round(roc_auc_score(y_valid, risk), 4),
                                "val_pr_auc": round(average_precision_score(y_valid, risk), 4)})
            mlflow.log_text("\n".join(X_train.columns), "features.txt")
    experiment_id = mlflow.get_experiment_by_name("readmission").experiment_id
    return store, experiment_id


def wait_for(url: str, timeout: float = 120.0) -> None:
    """Poll ``url`` until it answers 200 or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def tidy(page) -> None:
    """Close the side panels that are not about runs (best effort: the UI changes often)."""
    for name in ("Model training",):
        button = page.get_by_text(name, exact=True)
        if button.count():
            button.first.click()
    close = page.locator("[aria-label*='Close' i]")
    for i in range(close.count()):
        if close.nth(i).is_visible():
            close.nth(i).click()
            break
    # Show the logged parameters and metrics instead of the source and model columns.
    page.get_by_text("Columns", exact=True).first.click()
    menu = page.locator("[role=dialog], [role=menu]").first
    for label in ("Dataset", "Source", "Models", "Metrics", "Parameters"):
        item = menu.get_by_text(label, exact=False).first
        if item.count():
            item.click()
    page.keyboard.press("Escape")


def screenshot(url: str, out: Path) -> list[str]:
    """Save a PNG of ``url``; return the outside requests that were blocked."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []

    def only_loopback(route, request) -> None:
        if urlparse(request.url).hostname in {"127.0.0.1", "localhost"} or request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 560})
        page.route("**/*", only_loopback)
        page.goto(url, wait_until="load", timeout=120_000)
        page.get_by_text("logistic-C0.1").first.wait_for(timeout=60_000)
        tidy(page)
        page.wait_for_timeout(1500)  # let the table finish laying out
        page.screenshot(path=str(out))
        browser.close()
    return blocked


def main() -> int:
    from bana_tools.ops.tracking import free_port, server_command

    with tempfile.TemporaryDirectory(prefix="bana-mlflow-ui-") as tmp:
        store, experiment_id = build_store(Path(tmp))
        port = free_port()
        server = subprocess.Popen(server_command(store, port), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True, env=os.environ.copy())
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/health")
            blocked = screenshot(f"{base}/#/experiments/{experiment_id}/runs", OUT)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(f"wrote {OUT.relative_to(HERE.parent.parent)}; outside requests blocked: {len(blocked)}")
    for url in blocked:
        print("  blocked:", url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
