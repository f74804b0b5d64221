"""Each rule kind from hand-built rows, on both backends, and the rules API."""
import pytest

from vigie.alerts.conditions import SiteData, evaluate
from vigie.alerts.rules import RuleError, add_rule, get_rule, list_rules, remove_rule
from tests.alert_factories import SITE, add_customers, add_purchases, add_score
from tests.factories import at

NOW = at("2024-06-01 00:00:00")


def hits(store, rule):
    found = evaluate(SiteData(store, rule.site, NOW), rule)
    return {cid: hit.value for cid, hit in found.items()}


def test_risk_above_reads_each_clients_latest_score(store, site):
    add_customers(store, ("c1", "2023-01-01", "active"), ("c5", "2023-01-01", "ended"))
    add_score(store, "c1", "2024-05-01", 0.2)
    add_score(store, "c1", "2024-05-25", 0.8, ["No visit for 40 days"])
    add_score(store, "c2", "2024-05-01", 0.9)
    add_score(store, "c2", "2024-05-25", 0.4)
    add_score(store, "c3", "2024-05-25", 0.7)     # exactly the threshold counts
    add_score(store, "c4", "2024-06-02", 0.95)    # scored after `now`: not seen yet
    add_score(store, "c5", "2024-05-25", 0.99)    # contract ended: already gone
    rule = add_rule(store, site, "risk_above", threshold=0.7, severity="high")
    assert hits(store, rule) == {"c1": 0.8, "c3": 0.7}
    found = evaluate(SiteData(store, site, NOW), rule)
    assert found["c1"].detail == "churn probability 80% (threshold 70%)"


def test_risk_rising_compares_the_two_latest_scores(store, site):
    for cid, first, second in (("c1", 0.20, 0.40), ("c2", 0.50, 0.60), ("c4", 0.30, 0.46),
                               ("c5", 0.70, 0.20)):
        add_score(store, cid, "2024-05-01", first)
        add_score(store, cid, "2024-05-08", second)
    add_score(store, "c1", "2024-04-01", 0.90)    # older than the two latest: ignored
    add_score(store, "c3", "2024-05-08", 0.90)    # one score: nothing to compare with
    rule = add_rule(store, site, "risk_rising", threshold=15)
    assert hits(store, rule) == {"c1": 20.0, "c4": 16.0}
    detail = evaluate(SiteData(store, site, NOW), rule)["c4"].detail
    assert detail == "churn probability rose from 30% to 46% (+16 points)"


def test_no_purchase_for_months(store, site):
    add_customers(store, ("c1", "2023-01-01", "active"), ("c2", "2023-01-01", "active"),
                  ("c3", "2023-12-01", "active"), ("c4", "2024-04-01", "active"),
                  ("c5", "2023-01-01", "ended"), ("c6", "2023-01-01", ""))
    add_purchases(store, "c1", "2023-11-20", "2024-02-15")
    add_purchases(store, "c2", "2024-03-10")
    add_purchases(store, "c5", "2023-05-01")
    add_purchases(store, "c6", "2024-01-10")
    add_purchases(store, "c6", "2024-05-01", kind="refund", amount=-50.0)  # not a purchase
    add_purchases(store, "c2", "2024-06-20")    # after `now`: not seen yet (c2 bought in March)
    rule = add_rule(store, site, "no_purchase", months=3)
    # cutoff 2024-03-01; days counted from the last purchase (noon) to June 1st.
    assert hits(store, rule) == {"c1": 106, "c3": 183, "c6": 142}
    found = evaluate(SiteData(store, site, NOW), rule)
    assert found["c1"].detail == "no purchase since 2024-02-15 (106 days)"
    assert found["c3"].detail == "no purchase since becoming a client on 2023-12-01 (183 days)"


def test_contract_cancelled(store, site):
    add_customers(store, ("c1", "2023-01-01", "cancelled"), ("c2", "2023-01-01", "active"),
                  ("c3", "2023-01-01", "ended"), ("c4", "2023-01-01", ""))
    rule = add_rule(store, site, "contract_cancelled", severity="high")
    assert hits(store, rule) == {"c1": 1.0}
    # A later import of the same client wins (ReplacingMergeTree read with FINAL).
    add_customers(store, ("c1", "2023-01-01", "active"), ("c2", "2023-01-01", "cancelled"))
    assert hits(store, rule) == {"c2": 1.0}


def test_purchase_drop_against_the_clients_usual_rate(store, site):
    monthly = [f"{2023 + (m // 12)}-{m % 12 + 1:02d}-05" for m in range(2, 14)]  # 2023-03..2024-02
    assert monthly[0] == "2023-03-05" and monthly[-1] == "2024-02-05"
    add_purchases(store, "c1", *monthly, "2024-04-05")              # 12 before, 1 recent
    add_purchases(store, "c2", *monthly, "2024-03-05", "2024-05-05")  # 12 before, 2 recent
    add_purchases(store, "c3", "2022-12-01")                         # before the baseline only
    add_purchases(store, "c4", *monthly[::2])                         # 6 before, 0 recent
    add_purchases(store, "c5", *monthly[:3], "2024-03-10", kind="renewal")  # 3 before, 1 recent
    rule = add_rule(store, site, "purchase_drop", months=3, threshold=50)
    # usual rate = baseline purchases / 12 months; recent rate = recent purchases / 3 months.
    # c1: (1/3) / (12/12) = 33.3 %; c2: (2/3) / 1 = 66.7 % (not below 50);
    # c4: 0 / 0.5 = 0 %; c5: (1/3) / (3/12) = 133.3 %.
    assert hits(store, rule) == {"c1": 33.3, "c4": 0.0}
    detail = evaluate(SiteData(store, site, NOW), rule)["c1"].detail
    assert detail == ("1 purchase(s) in the last 3 month(s): 33.3% of the usual rate "
                      "(12 in the 12 months before)")


def test_rules_are_per_site_and_removable(store, site):
    from vigie.warehouse.sites import add_site
    add_site(store, "other.example.org")
    first = add_rule(store, site, "risk_above", threshold=0.6, owner="ana", channels=["mail"])
    add_rule(store, "other.example.org", "contract_cancelled")
    assert [r.rule_id for r in list_rules(store, SITE)] == [first.rule_id]
    assert len(list_rules(store)) == 2
    assert get_rule(store, first.rule_id).channels == ("mail",)
    assert first.name == "churn probability at or above 60%"
    remove_rule(store, first.rule_id)
    assert list_rules(store, SITE) == []
    with pytest.raises(RuleError, match="no alert rule"):
        remove_rule(store, first.rule_id)


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="risk_above", threshold=70), "between 0 and 1"),
    (dict(kind="risk_above"), "needs a threshold"),
    (dict(kind="no_purchase"), "needs a number of months"),
    (dict(kind="no_purchase", months=0), "between 1 and 120"),
    (dict(kind="purchase_drop", months=3, threshold=150), "between 0 and 100"),
    (dict(kind="sunspots"), "unknown rule kind 'sunspots'"),
    (dict(kind="contract_cancelled", severity="urgent"), "use low, medium or high"),
])
def test_bad_rules_are_refused_with_the_reason(store, site, kwargs, message):
    with pytest.raises(RuleError, match=message):
        add_rule(store, site, **kwargs)
    assert list_rules(store, site) == []


def test_a_rule_needs_a_registered_site(store):
    with pytest.raises(RuleError, match="no site 'nowhere.example.net'"):
        add_rule(store, "nowhere.example.net", "contract_cancelled")


def test_clients_deleted_from_the_crm_are_never_alerted(store, site):
    add_customers(store, ("c1", "2023-01-01", "cancelled"), ("c2", "2023-01-01", "active"))
    add_score(store, "c1", "2024-05-25", 0.9)
    add_score(store, "c2", "2024-05-25", 0.9)
    store.insert("customers", ["site", "customer_id", "created_at", "contract_status", "version",
                               "deleted"], [(SITE, "c1", at("2023-01-01 00:00:00"), "cancelled",
                                             10**12, 1)])
    assert hits(store, add_rule(store, site, "risk_above", threshold=0.5)) == {"c2": 0.9}
    assert hits(store, add_rule(store, site, "contract_cancelled")) == {}
