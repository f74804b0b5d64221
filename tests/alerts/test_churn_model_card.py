"""Feature importance keeps its order, largest share first, in card.json, in
`churn_models` and wherever they are read back, whatever the feature names."""
import datetime
import json
import os

import numpy as np

from vigie.alerts.churn_model import CARD_FILE, ChurnModel, ordered_importance
from vigie.alerts.churn_queries import promoted_model_card
from vigie.alerts.churn_registry import list_models, register_model

SITE = "shop.example.com"
FEATURES = ["a_rare", "m_main", "z_second"]
# Alphabetical order is not the order of the shares.
IMPORTANCE = {"m_main": 0.7, "z_second": 0.2, "a_rare": 0.1}
LARGEST_FIRST = [["m_main", 0.7], ["z_second", 0.2], ["a_rare", 0.1]]


def _model():
    import xgboost
    x = np.array([[i % 2, i % 3, i % 5] for i in range(30)], dtype=float)
    booster = xgboost.train({"objective": "binary:logistic", "max_depth": 2, "seed": 0},
                            xgboost.DMatrix(x, label=x[:, 1] > 0, feature_names=FEATURES), num_boost_round=3)
    card = {"site": SITE, "version": "v1", "features": FEATURES, "feature_importance": dict(IMPORTANCE),
            "created_at": datetime.datetime(2024, 7, 1, tzinfo=datetime.timezone.utc).isoformat(),
            "parameters": {"max_depth": 2}, "data_window": {"horizon_days": 60}, "metrics": {}}
    return ChurnModel(booster, {"method": "platt", "a": 1.0, "b": 0.0}, FEATURES, card)


def test_ordered_importance_sorts_by_share_then_name():
    assert ordered_importance(IMPORTANCE) == LARGEST_FIRST
    assert ordered_importance([("b", 0.5), ("a", 0.5), ("c", 0.0)]) == [["a", 0.5], ["b", 0.5], ["c", 0.0]]
    assert ordered_importance({}) == [] and ordered_importance(None) == []


def test_card_json_stores_importance_as_ordered_pairs(tmp_path):
    _model().save(str(tmp_path))
    with open(os.path.join(tmp_path, CARD_FILE), encoding="utf-8") as f:
        on_disk = json.load(f)
    assert on_disk["feature_importance"] == LARGEST_FIRST
    assert ChurnModel.load(str(tmp_path)).card["feature_importance"] == LARGEST_FIRST


def test_a_card_saved_as_a_mapping_reads_back_largest_first(tmp_path):
    _model().save(str(tmp_path))
    path = os.path.join(tmp_path, CARD_FILE)
    with open(path, encoding="utf-8") as f:
        card = json.load(f)
    # How cards were written before: an object, keys sorted alphabetically.
    with open(path, "w", encoding="utf-8") as f:
        json.dump(dict(card, feature_importance=IMPORTANCE), f, sort_keys=True)
    assert ChurnModel.load(str(tmp_path)).card["feature_importance"] == LARGEST_FIRST


def test_the_registry_and_the_dashboard_card_read_it_largest_first(store, tmp_path):
    register_model(store, str(tmp_path), SITE, _model(), promoted=True, note="test")
    [record] = list_models(store, SITE)
    assert record.feature_importance == tuple(tuple(pair) for pair in LARGEST_FIRST)
    assert promoted_model_card(store, SITE)["feature_importance"] == [tuple(pair) for pair in LARGEST_FIRST]
