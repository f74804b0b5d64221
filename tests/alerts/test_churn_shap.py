"""TreeSHAP by table look-up (churn_shap) against the definition and against XGBoost."""
import itertools
import json
import math

import numpy as np
import pytest
import xgboost

from vigie.alerts.churn_estimators import TreeEstimator
from vigie.alerts.churn_shap import ShapTables, UnsupportedTrees


def _train(x, y, depth, trees, **extra):
    params = dict(objective="binary:logistic", max_depth=depth, eta=0.3, tree_method="hist", nthread=1,
                  seed=0, **extra)
    return xgboost.train(params, xgboost.DMatrix(x, label=y, missing=np.nan), num_boost_round=trees)


def _data(rows, features, seed, missing=0.2):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features))
    x[rng.random(x.shape) < missing] = np.nan
    known = np.nan_to_num(x)
    y = (known[:, 0] + known[:, 1] * known[:, 2] - np.abs(known[:, 3 % features]) + rng.normal(size=rows) > 0)
    return x, y.astype(int)


def _expected(tree, node, row, known):
    """The tree's value when only the features in `known` are given: splits on
    other features average their children by training cover."""
    if tree["left_children"][node] == -1:
        return tree["split_conditions"][node]
    left, right = tree["left_children"][node], tree["right_children"][node]
    feature = tree["split_indices"][node]
    if feature in known:
        value = np.float32(row[feature])
        goes_left = tree["default_left"][node] if np.isnan(value) else value < np.float32(tree["split_conditions"][node])
        return _expected(tree, left if goes_left else right, row, known)
    cover = tree["sum_hessian"]
    return (cover[left] * _expected(tree, left, row, known)
            + cover[right] * _expected(tree, right, row, known)) / cover[node]


def _shapley_by_definition(booster, row, n_features):
    """Shapley values of f(S) = sum over trees of _expected, over every coalition."""
    trees = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    players = range(n_features)
    phi = np.zeros(n_features)
    for i in players:
        others = [j for j in players if j != i]
        for size in range(n_features):
            weight = math.factorial(size) * math.factorial(n_features - size - 1) / math.factorial(n_features)
            for coalition in itertools.combinations(others, size):
                with_i = sum(_expected(t, 0, row, {*coalition, i}) for t in trees)
                without = sum(_expected(t, 0, row, set(coalition)) for t in trees)
                phi[i] += weight * (with_i - without)
    return phi


def test_tables_give_the_shapley_values_of_the_definition():
    # Four features, deep trees: a feature split twice on one path, missing values.
    x, y = _data(400, 4, seed=1)
    booster = _train(x, y, depth=4, trees=3)
    tables = ShapTables(booster, 4)
    rows = x[:12]
    got = tables.contributions(rows)
    for row, values in zip(rows, got):
        assert np.allclose(values, _shapley_by_definition(booster, row, 4), atol=1e-5)
    assert np.isnan(rows).any()


@pytest.mark.parametrize("depth,trees", [(1, 10), (2, 40), (4, 60), (6, 15), (8, 3)])
def test_tables_match_xgboost_treeshap(depth, trees):
    x, y = _data(3000, 12, seed=depth)
    booster = _train(x, y, depth, trees)
    expected = booster.predict(xgboost.DMatrix(x[:500], missing=np.nan), pred_contribs=True)[:, :12]
    got = ShapTables(booster, 12).contributions(x[:500])
    assert got.shape == (500, 12)
    assert np.abs(got - expected).max() < 1e-5
    # The features the trees never split on get exactly nothing.
    unused = np.all(expected == 0, axis=0)
    assert np.all(got[:, unused] == 0)


def test_a_single_leaf_model_has_no_contributions():
    x = np.zeros((50, 3))
    booster = _train(x, np.r_[np.zeros(25), np.ones(25)], depth=3, trees=2)
    assert np.all(ShapTables(booster, 3).contributions(x[:5]) == 0)


@pytest.mark.parametrize("extra", [dict(depth=3, booster="dart", rate_drop=0.3), dict(depth=10)],
                         ids=["dart", "deeper than 8"])
def test_other_boosters_fall_back_to_xgboost_own_kernel(extra):
    x, y = _data(3000, 5, seed=3)
    booster = _train(x, y, trees=5, **extra)
    with pytest.raises(UnsupportedTrees):
        ShapTables(booster, 5)
    import pandas as pd
    features = [f"f{i}" for i in range(5)]
    frame = pd.DataFrame(x[:40], columns=features)
    estimator = TreeEstimator(booster, features)
    expected = booster.predict(xgboost.DMatrix(x[:40], missing=np.nan), pred_contribs=True)[:, :5]
    assert np.allclose(estimator.contributions(frame), expected)


def test_tree_estimator_uses_the_tables_for_exact_values():
    import pandas as pd
    x, y = _data(2000, 6, seed=4)
    features = [f"f{i}" for i in range(6)]
    booster = _train(x, y, depth=4, trees=30)
    estimator = TreeEstimator(booster, features)
    frame = pd.DataFrame(x[:200], columns=features)
    exact = estimator.contributions(frame)
    assert isinstance(estimator._shap, ShapTables)
    assert np.abs(exact - booster.predict(xgboost.DMatrix(x[:200], missing=np.nan),
                                          pred_contribs=True)[:, :6]).max() < 1e-5
    # Saabas attributions still come from XGBoost, and differ.
    approx = estimator.contributions(frame, exact=False)
    assert not np.allclose(approx, exact)
