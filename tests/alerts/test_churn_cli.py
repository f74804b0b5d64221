"""`vigie churn` as a real subprocess on a real ClickHouse server."""
import csv
import datetime
import os
import subprocess
import sys

import pytest

from tests.churn_synthetic import generate
from vigie.warehouse import open_store
from vigie.warehouse.migrations import migrate

SITE = "shop.example.com"


def run_vigie(store_url, model_dir, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env.update(VIGIE_STORE_URL=store_url, VIGIE_CHURN_MODEL_DIR=str(model_dir))
    return subprocess.run([sys.executable, "-m", "vigie", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_train_list_and_score_from_the_command_line(server_url, tmp_path):
    assert run_vigie(server_url, tmp_path, "sites", "add", SITE).returncode == 0
    store = open_store(server_url)
    migrate(store)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    generate(store, SITE, today, clients=300)

    trained = run_vigie(server_url, tmp_path, "churn", "train", "--site", SITE, "--horizon", "60")
    assert trained.returncode == 0, trained.stderr
    assert f"features as of {today - datetime.timedelta(days=180)} (training)" in trained.stdout
    assert f"features as of {today - datetime.timedelta(days=60)} (validation, then the refit)" in trained.stdout
    assert "validating the candidates on 2 fold(s)" in trained.stdout
    for name in ("Pareto/NBD", "BG/NBD", "logistic regression", "XGBoost"):
        assert f"  {name}: validation ROC AUC" in trained.stdout
    assert "model v1 (" in trained.stdout and "; promoted" in trained.stdout

    listed = run_vigie(server_url, tmp_path, "churn", "models", "--site", SITE)
    assert listed.returncode == 0
    header, v1, blank, title, columns, *candidates, why = listed.stdout.splitlines()
    assert header.startswith("version\tcreated\tpromoted\tchampion\tROC AUC")
    assert v1.startswith("v1\t") and "\tyes\t" in v1
    assert v1.endswith(f"{today - datetime.timedelta(days=60)}..{today}")
    assert title == "candidates of v1 on validation (2 validation folds):" and blank == ""
    assert columns == "candidate\tROC AUC\tPR AUC\tBrier\tECE\tlift@10%"
    assert sorted(c.split("\t")[0] for c in candidates) == ["bgnbd", "logistic", "paretonbd", "xgboost"]
    champion = candidates[0].split("\t")[0]
    assert v1.split("\t")[3] == champion and " won: validation ROC AUC" in why

    out = tmp_path / "scores.csv"
    scored = run_vigie(server_url, tmp_path, "churn", "score", "--site", SITE, "--horizon", "60",
                      "--out", str(out))
    assert scored.returncode == 0, scored.stderr
    assert f"scored 300 clients of {SITE} as of {today} with model v1" in scored.stdout
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 300
    assert store.query_value("SELECT count() FROM churn_scores WHERE site = %(s)s", {"s": SITE}) == 300
    other = run_vigie(server_url, tmp_path, "churn", "score", "--site", SITE, "--horizon", "91")
    assert other.returncode == 2 and "Traceback" not in other.stderr
    assert "trained for a 60-day horizon, not 91 days" in other.stderr
    allowed = run_vigie(server_url, tmp_path, "churn", "score", "--site", SITE, "--horizon", "91",
                        "--allow-other-horizon")
    assert allowed.returncode == 0, allowed.stderr
    store.close()


@pytest.mark.parametrize("args, message", [
    (["churn", "train", "--site", "nowhere.example.com"], "no site 'nowhere.example.com' is registered"),
    (["churn", "train", "--site", SITE, "--horizon", "0"], "'0' must be positive"),
    (["churn", "score", "--site", SITE, "--as-of", "2024-02-30"], "'2024-02-30' is not a date"),
    (["churn", "score", "--site", SITE, "--out", "/nonexistent-dir/x.csv"], "does not exist"),
    (["churn", "score", "--site", SITE], "has no promoted churn model yet"),
    (["churn", "train", "--site", SITE], "fewer than 30 clients with a purchase"),
    (["churn", "models", "--site", "not a domain"], "not a domain name"),
])
def test_bad_requests_get_one_clear_line(server_url, tmp_path, args, message):
    assert run_vigie(server_url, tmp_path, "sites", "add", SITE).returncode == 0
    result = run_vigie(server_url, tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
