"""Training out of time on synthetic clients, the promotion rule and the registry."""
import datetime
import os

import numpy as np
import pytest

from vigie.alerts.churn_features import build_features
from vigie.alerts.churn_model import ChurnModel
from vigie.alerts.churn_queries import promoted_model_card
from vigie.alerts.churn_registry import list_models, promoted_record, register_model
from vigie.alerts.churn_scoring import check_horizon, score_clients
from vigie.alerts.churn_candidates import NAMES
from vigie.alerts.churn_training import (TrainingError, earliest_as_of, feature_importance,
                                         train_churn_model)
from vigie.alerts.churn_registry import RegistryError
from tests.churn_factories import customer, insert_customers, insert_transactions, transaction
from tests.churn_synthetic import generate

SITE = "shop.example.com"
KEY_PAGES = (("pricing", "/pricing**"), ("cancel", "/cancel**"), ("billing", "/billing**"))
END = datetime.date(2024, 7, 1)
TODAY = datetime.date(2025, 1, 1)


def test_model_beats_recency_out_of_time_and_is_promoted(store, tmp_path):
    generate(store, SITE, END, clients=300)
    lines = []
    model = train_churn_model(store, SITE, KEY_PAGES, str(tmp_path), as_of=END, horizon_days=60,
                              today=TODAY, progress=lines.append)
    card = model.card
    assert card["version"] == "v1" and card["promoted"] is True
    # Two folds rolling back two horizons: fit at T-3H, measure at T-2H; fit at T-2H, measure at T-H.
    window = card["data_window"]
    assert [(f["training_features_before"], f["training_labels"], f["validation_features_before"],
             f["validation_labels"]) for f in window["folds"]] == [
        ("2024-01-03", ["2024-01-03", "2024-03-03"], "2024-03-03", ["2024-03-03", "2024-05-02"]),
        ("2024-03-03", ["2024-03-03", "2024-05-02"], "2024-05-02", ["2024-05-02", "2024-07-01"])]
    assert window["fold_note"] == "2 validation folds"
    assert window["training_features_before"] == "2024-03-03"
    assert window["evaluation_labels"] == ["2024-05-02", "2024-07-01"]
    # The model registered is the champion's recipe refitted on the latest complete window.
    assert window["refit_features_before"] == "2024-05-02"
    assert window["refit_labels"] == ["2024-05-02", "2024-07-01"] and window["refit_clients"] == 300
    metrics = card["metrics"]
    candidates = metrics["candidates"]
    assert set(candidates) == {"xgboost", "logistic", "paretonbd", "bgnbd"}
    for entry in candidates.values():
        assert {"roc_auc", "pr_auc", "brier", "ece", "lift_top_decile"} <= set(entry)
        assert [f["features_before"] for f in entry["folds"]] == ["2024-03-03", "2024-05-02"]
        assert entry["roc_auc"] == pytest.approx(np.mean([f["roc_auc"] for f in entry["folds"]]))
    assert len(candidates["xgboost"]["grid"]) == 4 and len(candidates["logistic"]["grid"]) == 3
    assert set(candidates["paretonbd"]["setting"]) == set()
    # The champion is the best on validation, so never worse than a classical model.
    best = max(candidates, key=lambda k: candidates[k]["roc_auc"])
    assert card["kind"] == model.kind == best
    assert metrics["model"]["roc_auc"] == candidates[best]["roc_auc"]
    assert metrics["model"]["roc_auc"] >= max(candidates[k]["roc_auc"] for k in ("paretonbd", "bgnbd"))
    assert card["champion_note"].startswith(f"{NAMES[best]} won: validation ROC AUC")
    assert card["promotion_note"].startswith(card["champion_note"])
    assert any(line.startswith(f"{card['champion_note']}; refitting it on the latest window (300 clients)")
               for line in lines)
    assert metrics["model"]["roc_auc"] > metrics["recency_baseline"]["roc_auc"]
    assert metrics["model"]["roc_auc"] > 0.9
    assert metrics["model"]["brier"] < metrics["recency_baseline"]["brier"]
    assert metrics["model"]["lift_top_decile"] > 1.5
    assert metrics["model"]["clients"] == 600 and "promoted" in lines[-1]
    # No class weight (it inverts when churners are the majority); leaves hold several clients.
    assert "scale_pos_weight" not in card["parameters"]
    assert all(s["min_child_weight"] > 1 for s in candidates["xgboost"]["grid"])
    assert card["parameters"]["calibration"] == "platt"
    # Calibration without mass ties: it separates every pair of clients the model
    # separates, and no probability is shared by more than 5 % of the clients.
    frame = build_features(store, SITE, END, KEY_PAGES, today=TODAY)
    probabilities = model.probabilities(frame)
    assert len(np.unique(probabilities)) == len(np.unique(model.margins(frame)))
    assert np.unique(probabilities, return_counts=True)[1].max() <= 0.05 * len(probabilities)
    assert 0 < probabilities.min() and probabilities.max() < 1
    assert 0 <= metrics["model"]["ece"] < 0.15
    curve = metrics["model"]["reliability"]
    assert sum(b["clients"] for b in curve) == 300 and all(b["low"] <= b["predicted"] <= b["high"] for b in curve)
    importance = card["feature_importance"]
    assert set(importance) == set(model.features) and sum(importance.values()) == pytest.approx(1, abs=1e-4)
    shares = list(importance.values())
    assert shares == sorted(shares, reverse=True) and shares[0] > 0

    path = os.path.join(tmp_path, SITE, "v1")
    assert sorted(os.listdir(path)) == ["calibration.json", "card.json", "model.json"]
    reloaded = ChurnModel.load(path)
    assert reloaded.card["version"] == "v1" and reloaded.kind == model.kind
    assert np.allclose(reloaded.probabilities(frame), probabilities)
    [record] = list_models(store, SITE)
    assert record.promoted and record.metrics == metrics and record.features == tuple(model.features)
    assert record.feature_importance == tuple(importance.items())
    assert promoted_model_card(store, SITE)["feature_importance"] == list(importance.items())
    assert promoted_model_card(store, SITE)["version"] == "v1"

    # Scoring for another horizon is refused unless asked for.
    with pytest.raises(RegistryError, match="trained for a 60-day horizon, not 91 days: train one with --horizon 91"):
        score_clients(store, SITE, 0.3, 0.6, as_of=END, today=TODAY, progress=lambda line: None,
                      horizon_days=91)
    check_horizon(record, 60)
    check_horizon(record, 91, allow_other_horizon=True)

    # A later model that failed its baseline is listed but leaves v1 in charge.
    reloaded.card = dict(reloaded.card, version="v2",
                         created_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc).isoformat())
    register_model(store, str(tmp_path), SITE, reloaded, promoted=False, note="worse")
    assert [r.version for r in list_models(store, SITE)] == ["v1", "v2"]
    assert promoted_record(store, SITE).version == "v1"


def _recency_tells_all(store):
    """Churners stopped long ago, the others buy every week: recency is perfect."""
    rows, customers = [], []
    for n in range(40):
        cid = f"r{n:02d}"
        customers.append(customer(SITE, cid, created_at="2023-01-01"))
        last = datetime.date(2024, 7, 1) if n % 2 else datetime.date(2023, 6, 1) + datetime.timedelta(days=n)
        day = datetime.date(2023, 1, 2) + datetime.timedelta(days=n % 5)
        while day < last:
            rows.append(transaction(SITE, cid, day.isoformat() + " 12:00:00", 50 + n))
            day += datetime.timedelta(days=7)
    insert_customers(store, customers)
    insert_transactions(store, rows)


def test_a_model_that_does_not_beat_recency_is_recorded_not_promoted(store, tmp_path):
    _recency_tells_all(store)
    model = train_churn_model(store, SITE, KEY_PAGES, str(tmp_path), as_of=END, horizon_days=30,
                              today=TODAY, progress=lambda line: None)
    assert model.card["metrics"]["recency_baseline"]["roc_auc"] == 1.0
    assert model.card["promoted"] is False
    assert "does not beat the recency baseline's 1.000" in model.card["promotion_note"]
    [record] = list_models(store, SITE)
    assert not record.promoted
    assert promoted_record(store, SITE) is None
    with pytest.raises(RegistryError, match="no promoted churn model"):
        score_clients(store, SITE, 0.3, 0.6, as_of=END, today=TODAY, progress=lambda line: None)


def test_a_horizon_longer_than_the_history_names_the_earliest_feasible_date(store, tmp_path):
    """30 clients, first purchases on 2024-01-01 .. 2024-01-30: the 30th client
    arrives on 2024-01-30, so a 182-day horizon can start training (as_of -
    2 x 182 days) on 2024-01-31 at the earliest: as_of 2025-01-29."""
    insert_customers(store, [customer(SITE, f"h{n:02d}", created_at="2023-12-01") for n in range(30)])
    insert_transactions(store, [transaction(SITE, f"h{n:02d}", f"2024-01-{n + 1:02d} 10:00:00")
                                for n in range(30)])
    assert earliest_as_of(store, SITE, 182) == datetime.date(2025, 1, 29)
    # Two validation folds need a third horizon: from then on, not before.
    assert earliest_as_of(store, SITE, 182, folds=2) == datetime.date(2025, 7, 30)
    with pytest.raises(TrainingError, match="the earliest feasible --as-of for this horizon is 2025-01-29"):
        train_churn_model(store, SITE, KEY_PAGES, str(tmp_path), as_of=datetime.date(2025, 1, 28),
                          horizon_days=182, today=datetime.date(2025, 6, 1), progress=lambda line: None)
    assert list_models(store, SITE) == []


def test_too_little_data_is_refused_with_the_counts(store, tmp_path):
    insert_customers(store, [customer(SITE, "a", created_at="2023-01-01")])
    insert_transactions(store, [transaction(SITE, "a", "2024-01-05 10:00:00")])
    with pytest.raises(TrainingError, match="fewer than 30 clients with a purchase"):
        train_churn_model(store, SITE, KEY_PAGES, str(tmp_path), as_of=END, horizon_days=60,
                          today=TODAY, progress=lambda line: None)
    with pytest.raises(TrainingError, match="in the future"):
        train_churn_model(store, SITE, KEY_PAGES, str(tmp_path), as_of=TODAY + datetime.timedelta(days=1),
                          horizon_days=60, today=TODAY, progress=lambda line: None)
    assert list_models(store, SITE) == []


def test_feature_importance_is_the_normalised_total_gain():
    import numpy as np
    import xgboost
    # The label is x0 > 0; x1 is constant, so no tree can split on it.
    x = np.array([[v, 1.0] for v in (-3, -2, -1, 1, 2, 3)] * 5)
    y = (x[:, 0] > 0).astype(float)
    booster = xgboost.train({"objective": "binary:logistic", "max_depth": 2, "seed": 0},
                            xgboost.DMatrix(x, label=y, feature_names=["x0", "x1"]), num_boost_round=5)
    assert feature_importance(booster, ["x0", "x1"]) == {"x0": 1.0, "x1": 0.0}
