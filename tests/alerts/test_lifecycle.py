"""Alert lifecycle on both backends: dedupe, updates, cool-down, cap, snooze, resolve."""
import datetime

import pytest

from vigie.alerts.engine import evaluate_site
from vigie.alerts.rules import add_rule
from vigie.alerts.state import (AlertError, acknowledge, assign, get_alert, in_state_order,
                                list_alerts, precision_by_rule, resolve, snooze, transitions)
from tests.alert_factories import add_customers, add_score
from tests.factories import at

NOW = at("2024-06-01 08:00:00")


def days(n):
    return NOW + datetime.timedelta(days=n)


def test_two_runs_make_one_alert_whose_values_are_updated(store, site, alert_settings):
    add_customers(store, ("c1", "2023-01-01", "active", "ana@shop.example.com"))
    add_score(store, "c1", "2024-05-31", 0.75, ["No visit for 30 days"])
    add_rule(store, site, "risk_above", threshold=0.7, owner="team@shop.example.com")

    first = evaluate_site(store, alert_settings, site, NOW)
    assert len(first.opened) == 1 and first.updated == 0
    alert = first.opened[0]
    assert (alert.customer_id, alert.state, alert.probability) == ("c1", "open", 0.75)
    assert alert.owner == "ana@shop.example.com"   # the client's owner beats the rule's

    add_score(store, "c1", "2024-06-01", 0.9, ["Support tickets doubled"])
    second = evaluate_site(store, alert_settings, site, days(1))
    assert second.opened == [] and second.updated == 1
    assert len(list_alerts(store, site=site)) == 1
    current = get_alert(store, alert.alert_id)
    assert (current.probability, current.reasons) == (0.9, ("Support tickets doubled",))
    assert current.detail == "churn probability 90% (threshold 70%)"
    assert current.opened_at == NOW and current.updated_at == days(1)
    assert [t[2] for t in transitions(store, alert.alert_id)] == ["opened"]


def test_the_rules_owner_is_used_when_the_client_has_none(store, site, alert_settings):
    add_customers(store, ("c1", "2023-01-01", "cancelled"))
    add_rule(store, site, "contract_cancelled", owner="team@shop.example.com")
    alert = evaluate_site(store, alert_settings, site, NOW).opened[0]
    assert alert.owner == "team@shop.example.com" and alert.probability == -1.0
    assign(store, alert.alert_id, "bob@shop.example.com", "ana", now=days(1))
    assert get_alert(store, alert.alert_id).owner == "bob@shop.example.com"
    assert transitions(store, alert.alert_id)[-1][1:3] == ("ana", "assigned")


def test_cool_down_after_resolution(store, site, alert_settings):
    add_customers(store, ("c1", "2023-01-01", "cancelled"))
    add_rule(store, site, "contract_cancelled")
    alert = evaluate_site(store, alert_settings, site, NOW).opened[0]
    resolve(store, alert.alert_id, "retained", "ana", note="called, offered a discount",
            now=days(2))
    # Still cancelled, but within 30 days of the resolution: no new alert.
    during = evaluate_site(store, alert_settings, site, days(31))
    assert during.opened == [] and during.cooling_down == 1
    after = evaluate_site(store, alert_settings, site, days(32))
    assert len(after.opened) == 1 and after.opened[0].alert_id != alert.alert_id
    assert len(list_alerts(store, site=site)) == 2


def test_cap_per_client_across_rules_and_repeated_runs(store, site, alert_settings):
    add_customers(store, ("c1", "2023-01-01", "cancelled"), ("c2", "2023-01-01", "active"))
    add_score(store, "c1", "2024-05-01", 0.5)
    add_score(store, "c1", "2024-05-31", 0.8)
    add_score(store, "c2", "2024-05-31", 0.8)
    low = add_rule(store, site, "risk_rising", threshold=10, severity="low")
    high = add_rule(store, site, "risk_above", threshold=0.7, severity="high")
    medium = add_rule(store, site, "contract_cancelled", severity="medium")

    first = evaluate_site(store, alert_settings, site, NOW)
    # c1 meets three rules, the cap is 2: the high and medium ones open first.
    assert sorted((a.customer_id, a.rule_id) for a in first.opened) == sorted(
        [("c1", high.rule_id), ("c1", medium.rule_id), ("c2", high.rule_id)])
    assert first.capped == 1
    for n in (1, 2, 3):
        again = evaluate_site(store, alert_settings, site, days(n))
        assert (len(again.opened), again.updated, again.capped) == (0, 3, 1)
    assert len(list_alerts(store, site=site, customer_id="c1")) == 2
    # Resolving does not lift the cap: the two alerts still count within 30 days...
    for alert in list_alerts(store, site=site, customer_id="c1"):
        resolve(store, alert.alert_id, "other", "ana", now=days(4))
    assert evaluate_site(store, alert_settings, site, days(29)).opened == []
    # ...and once they are older than the window, the waiting hit opens.
    later = evaluate_site(store, alert_settings, site, days(30))
    assert [(a.customer_id, a.rule_id) for a in later.opened] == [("c1", low.rule_id)]


def test_snoozed_alert_comes_back_open_after_its_time(store, site, alert_settings):
    add_customers(store, ("c1", "2023-01-01", "cancelled"))
    add_rule(store, site, "contract_cancelled")
    alert = evaluate_site(store, alert_settings, site, NOW).opened[0]
    snooze(store, alert.alert_id, days(3), "ana", now=days(1))
    early = evaluate_site(store, alert_settings, site, days(2))
    assert early.woken == 0 and early.opened == [] and early.updated == 1
    assert get_alert(store, alert.alert_id).state == "snoozed"
    late = evaluate_site(store, alert_settings, site, days(3))
    assert late.woken == 1 and late.opened == []
    assert get_alert(store, alert.alert_id).state == "open"
    steps = [(t[1], t[2], t[3], t[4]) for t in transitions(store, alert.alert_id)]
    assert steps == [("vigie", "opened", "", "open"), ("ana", "snoozed", "open", "snoozed"),
                     ("vigie", "woken", "snoozed", "open")]


def test_every_transition_is_recorded_with_who_and_when(store, site, alert_settings):
    add_customers(store, ("c1", "2023-01-01", "cancelled"))
    add_rule(store, site, "contract_cancelled")
    alert = evaluate_site(store, alert_settings, site, NOW).opened[0]
    acknowledge(store, alert.alert_id, "ana", now=days(1))
    resolve(store, alert.alert_id, "churned", "bob", note="moved to a competitor", now=days(5))
    assert transitions(store, alert.alert_id) == [
        (NOW, "vigie", "opened", "", "open", "", ""),
        (days(1), "ana", "acknowledged", "open", "acknowledged", "", ""),
        (days(5), "bob", "resolved", "acknowledged", "resolved", "churned",
         "moved to a competitor"),
    ]
    done = get_alert(store, alert.alert_id)
    assert (done.state, done.outcome, done.note, done.resolved_at) == (
        "resolved", "churned", "moved to a competitor", days(5))
    assert list_alerts(store, site=site, state="open") == []


def test_changes_within_one_second_come_back_in_the_order_their_states_chain():
    # Times are whole seconds; the store may return rows of one second in any order.
    second = days(1)
    scrambled = [
        (second, "bob", "resolved", "snoozed", "resolved", "churned", ""),
        (second, "ana", "snoozed", "acknowledged", "snoozed", "", ""),
        (second, "ana", "assigned", "snoozed", "snoozed", "", ""),
        (second, "ana", "acknowledged", "open", "acknowledged", "", ""),
    ]
    opened = (NOW, "vigie", "opened", "", "open", "", "")
    assert [row[2] for row in in_state_order([opened, *scrambled])] == [
        "opened", "acknowledged", "snoozed", "assigned", "resolved"]


def test_changes_in_the_same_second_read_back_in_order(store, site, alert_settings):
    add_customers(store, ("c1", "2023-01-01", "cancelled"))
    add_rule(store, site, "contract_cancelled")
    alert = evaluate_site(store, alert_settings, site, NOW).opened[0]
    acknowledge(store, alert.alert_id, "ana", now=days(1))
    snooze(store, alert.alert_id, days(30), "ana", now=days(1))
    assign(store, alert.alert_id, "bob@shop.example", "ana", now=days(1))
    resolve(store, alert.alert_id, "churned", "bob", now=days(1))
    assert [t[2] for t in transitions(store, alert.alert_id)] == [
        "opened", "acknowledged", "snoozed", "assigned", "resolved"]


def test_precision_by_rule_is_churned_over_resolved(store, site, alert_settings):
    add_customers(store, *[(f"c{i}", "2023-01-01", "cancelled") for i in range(1, 5)])
    add_score(store, "c5", "2024-05-31", 0.9)
    cancelled = add_rule(store, site, "contract_cancelled", name="Cancelled")
    risky = add_rule(store, site, "risk_above", threshold=0.7, name="Risky")
    opened = {a.customer_id: a for a in evaluate_site(store, alert_settings, site, NOW).opened}
    assert sorted(opened) == ["c1", "c2", "c3", "c4", "c5"]
    for cid, outcome in (("c1", "churned"), ("c2", "churned"), ("c3", "retained"),
                         ("c5", "retained")):
        resolve(store, opened[cid].alert_id, outcome, "ana", now=days(10))
    # c4 is still open: not counted.
    by_rule = {p.rule_id: p for p in precision_by_rule(store, site)}
    assert (by_rule[cancelled.rule_id].resolved, by_rule[cancelled.rule_id].churned,
            by_rule[cancelled.rule_id].retained) == (3, 2, 1)
    assert by_rule[cancelled.rule_id].precision == pytest.approx(2 / 3)
    assert by_rule[risky.rule_id].precision == 0.0
    assert by_rule[risky.rule_id].rule_name == "Risky"


def test_bad_transitions_are_refused(store, site, alert_settings):
    add_customers(store, ("c1", "2023-01-01", "cancelled"))
    add_rule(store, site, "contract_cancelled")
    alert = evaluate_site(store, alert_settings, site, NOW).opened[0]
    with pytest.raises(AlertError, match="not in the future"):
        snooze(store, alert.alert_id, NOW - datetime.timedelta(hours=1), "ana", now=NOW)
    with pytest.raises(AlertError, match="outcome 'maybe'"):
        resolve(store, alert.alert_id, "maybe", "ana")
    resolve(store, alert.alert_id, "other", "ana", now=days(1))
    with pytest.raises(AlertError, match="is resolved; it cannot be acknowledged"):
        acknowledge(store, alert.alert_id, "ana")
    with pytest.raises(AlertError, match="no alert 'a000'"):
        acknowledge(store, "a000", "ana")
    with pytest.raises(AlertError, match="state 'closed'"):
        list_alerts(store, state="closed")


def test_an_unchanged_alert_is_not_rewritten(store, site, alert_settings):
    add_customers(store, ("c1", "2023-01-01", "cancelled"))
    add_rule(store, site, "contract_cancelled")
    alert = evaluate_site(store, alert_settings, site, NOW).opened[0]
    for n in (1, 2, 3):
        assert evaluate_site(store, alert_settings, site, days(n)).updated == 1
    # One physical row: runs that change nothing write nothing (no FINAL here on purpose).
    assert store.query_value("SELECT count() FROM alerts") == 1
    assert get_alert(store, alert.alert_id).updated_at == NOW
