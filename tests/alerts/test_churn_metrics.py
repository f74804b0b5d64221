"""The churn metrics' arithmetic, by hand: lift in the top decile, ROC AUC, Brier score."""
import pytest

from vigie.alerts.churn_metrics import MetricsError, evaluate, lift_top_decile


def test_lift_and_metrics_by_hand():
    labels = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]            # 2 churned of 10: rate 0.2
    scores = [0.9, 0.8, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2]
    assert lift_top_decile(labels, scores) == 5.0       # top 1 client churned: 1.0 / 0.2
    metrics = evaluate(labels, scores, scores)
    # 2 churned x 8 retained = 16 pairs: the 0.9 churner outranks all 8 retained, the
    # 0.2 churner outranks the seven at 0.1 but not the one at 0.8 -> 15 / 16.
    assert metrics["roc_auc"] == 15 / 16
    assert metrics["brier"] == pytest.approx((0.1 ** 2 + 0.8 ** 2 + 7 * 0.1 ** 2 + 0.8 ** 2) / 10)
    with pytest.raises(MetricsError, match="10 clients, 0 churned"):
        evaluate([0] * 10, scores)
