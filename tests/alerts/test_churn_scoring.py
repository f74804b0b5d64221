"""Scoring with the promoted model: churn_scores rows, the CSV, re-scoring, the read API."""
import csv
import datetime
import threading

import numpy as np
import pytest

from vigie.alerts.churn_features import build_features, site_buyers
from vigie.alerts.churn_queries import latest_scores, score_history
from vigie.alerts.churn_reasons import top_reasons
from vigie.alerts.churn_registry import load_promoted
from vigie.alerts.churn_scoring import _built_ahead, risk_band, score_clients
from vigie.alerts.churn_training import train_churn_model
from tests.churn_factories import customer, insert_customers, insert_transactions, transaction
from tests.churn_synthetic import generate

SITE = "shop.example.com"
KEY_PAGES = (("pricing", "/pricing**"), ("cancel", "/cancel**"), ("billing", "/billing**"))
END = datetime.date(2024, 7, 1)
TODAY = datetime.date(2025, 1, 1)
QUIET = dict(today=TODAY, progress=lambda line: None)


def test_risk_bands_follow_the_thresholds():
    assert [risk_band(p, 0.3, 0.6) for p in (0.0, 0.2999, 0.3, 0.5999, 0.6, 1.0)] == \
        ["low", "low", "medium", "medium", "high", "high"]


def test_scoring_writes_one_row_per_active_client_and_the_csv(store, tmp_path):
    generate(store, SITE, END, clients=300)
    insert_customers(store, [customer(SITE, "gone", created_at="2023-01-01",
                                      contract_status="ended", contract_ended_at="2024-06-01")])
    insert_transactions(store, [transaction(SITE, "gone", "2024-05-01 10:00:00")])
    train_churn_model(store, SITE, KEY_PAGES, str(tmp_path / "models"), as_of=END, horizon_days=60, **QUIET)
    out = str(tmp_path / "scores.csv")
    run = score_clients(store, SITE, 0.3, 0.6, as_of=END, out_csv=out, batch_size=70, **QUIET)
    assert run.clients == 300 and sum(run.bands.values()) == 300 and run.model_version == "v1"

    # The same numbers, recomputed here from the features and the saved model.
    _, model = load_promoted(store, SITE)
    frame = build_features(store, SITE, END, KEY_PAGES, today=TODAY)
    assert "gone" not in frame.index and len(frame) == 300
    expected_p = dict(zip(frame.index, model.probabilities(frame)))
    # Exact SHAP reasons for medium and high risk, Saabas for low risk.
    shap, saabas = model.contributions(frame), model.contributions(frame, exact=False)
    scores = {s.customer_id: s for s in latest_scores(store, SITE)}
    assert len(scores) == 300
    buyers = site_buyers(store, SITE, END)
    for i, (cid, row) in enumerate(frame.iterrows()):
        score = scores[cid]
        assert np.isclose(score.probability, expected_p[cid])
        assert score.risk_band == risk_band(expected_p[cid], 0.3, 0.6)
        contributions = saabas if score.risk_band == "low" else shap
        reasons = top_reasons(dict(zip(model.features, contributions[i])), row.to_dict(), buyers=buyers)
        assert list(score.reasons) == [t for _, t in reasons]
        assert list(score.reason_features) == [f for f, _ in reasons]
    assert {"low", "high"} <= {s.risk_band for s in scores.values()}
    high = [s for s in scores.values() if s.risk_band == "high"]
    assert high and all(s.reasons for s in high)
    assert latest_scores(store, SITE, risk_band="high") == sorted(high, key=lambda s: (-s.probability, s.customer_id))

    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["customer_id", "probability", "risk_band", "reasons"]
    assert len(rows) == 301
    for cid, probability, band, reasons in rows[1:]:
        assert float(probability) == round(scores[cid].probability, 4)
        assert band == scores[cid].risk_band and reasons == "; ".join(scores[cid].reasons)

    # Re-scoring the same date replaces the run; another date adds to the history.
    again = score_clients(store, SITE, 0.3, 0.6, as_of=END, **QUIET)
    assert again.scored_at > run.scored_at
    latest = latest_scores(store, SITE)
    assert len(latest) == 300 and {s.scored_at for s in latest} == {again.scored_at}
    earlier = END - datetime.timedelta(days=30)
    score_clients(store, SITE, 0.3, 0.6, as_of=earlier, exact_reasons=False, **QUIET)
    history = score_history(store, SITE, "c00000")
    assert [h.as_of for h in history] == [END - datetime.timedelta(days=30), END]
    assert history[-1].scored_at == again.scored_at
    assert len(latest_scores(store, SITE)) == 300

    # That run ranked its reasons by Saabas attributions: same probabilities, own reasons.
    frame = build_features(store, SITE, earlier, KEY_PAGES, today=TODAY)
    approx = model.contributions(frame, exact=False)
    first = frame.index[0]
    [fast] = [h for h in score_history(store, SITE, first) if h.as_of == earlier]
    assert np.isclose(fast.probability, model.probabilities(frame.iloc[:1])[0])
    assert list(fast.reasons) == [t for _, t in top_reasons(dict(zip(model.features, approx[0])),
                                                            frame.iloc[0].to_dict(),
                                                            buyers=site_buyers(store, SITE, earlier))]


def test_slices_are_built_ahead_in_a_second_thread_in_order(store):
    threads = []

    def build(clients):
        threads.append(threading.current_thread().name)
        if clients == "broken":
            raise ValueError("slice broken")
        return clients * 2

    assert list(_built_ahead(store, [1, 2, 3], build)) == [2, 4, 6]
    assert len(threads) == 3 and all(name.startswith("churn-features") for name in threads)
    assert list(_built_ahead(store, [], build)) == []
    # A failing slice reaches the caller, after the slices before it.
    got = []
    with pytest.raises(ValueError, match="slice broken"):
        for frame in _built_ahead(store, [5, "broken", 7], build):
            got.append(frame)
    assert got == [10]
    # The store still answers from this thread.
    assert store.query_value("SELECT 1") == 1
