"""Alert rules on the alerts page: admins list, add and remove them; nobody else can."""
import json
import re

from vigie.alerts.destinations import add_channel
from vigie.alerts.rules import list_rules
from tests.dashboard.conftest import dash_post, find_component
from tests.dashboard.patterns import click
from tests.dashboard.retention_data import OTHER, RETENTION, SITE, alerts_world
from tests.dashboard.test_churn_page import signed_in_as, texts

FIELDS = ("kind", "threshold", "months", "baseline", "severity", "owner", "channels", "name")


def rules(client, site=SITE, remove=None, **fields):
    values = {"kind": "risk_above", "severity": "medium", **fields}
    trigger = {"type": "rule-remove", "id": remove}
    inputs = [("rule-add", "n_clicks", 0 if remove else 1),
              [(trigger, "n_clicks", 1)] if remove else []]
    state = [(f"rule-{f}", "value", values.get(f)) for f in FIELDS] + \
        [("alerts-query", "data", {"site": site})]
    answer = click(client, [("rule-message", "children"), ("rules-panel", "children")], inputs, state,
                   (trigger, "n_clicks") if remove else ("rule-add", "n_clicks"))
    return texts(answer["rule-message"])[0], answer["rules-panel"]


def alerts_layout(client, search):
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/alerts"},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.search"]}
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]["_pages_content"]["children"]


def rule_rows(panel):
    body = find_component(panel, "rules-table")["props"]["children"][1]["props"]["children"]
    return [texts(row) for row in body]


def test_an_admin_adds_and_removes_rules(signed_in, store):
    alerts_world(store)
    add_channel(store, SITE, "team-mail", "json://127.0.0.1/hook")
    said, panel = rules(signed_in, threshold=0.8, severity="high", owner=RETENTION,
                        channels=["team-mail"], name="VIP at risk")
    assert said == "Rule “VIP at risk” added (churn probability at or above 80%)."
    said, panel = rules(signed_in, kind="no_purchase", months=4)
    assert said == "Rule “no purchase for 4 month(s)” added (no purchase for 4 month(s))."
    shown = rule_rows(panel)
    # Rules added within one second have no set order (created_at is to the second).
    assert sorted(row[:-2] for row in shown) == [
        ["VIP at risk", "churn probability at or above 80%", "high", RETENTION, "team-mail"],
        ["no purchase for 4 month(s)", "no purchase for 4 month(s)", "medium", "—", "every channel"]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", row[-2]) and row[-1] == "Remove" for row in shown)
    vip = next(r for r in list_rules(store, SITE) if r.name == "VIP at risk")
    said, panel = rules(signed_in, remove=vip.rule_id)
    assert said == "Rule “VIP at risk” removed; its alerts stay in the inbox."
    assert [r.name for r in list_rules(store, SITE)] == ["no purchase for 4 month(s)"]
    layout = alerts_layout(signed_in, f"?site={SITE}")
    assert rule_rows(layout)[0][0] == "no purchase for 4 month(s)"
    assert find_component(alerts_layout(signed_in, f"?site={OTHER}"), "rules-table-empty") is not None


def test_bad_rules_are_explained(signed_in, store):
    alerts_world(store)
    assert rules(signed_in)[0] == \
        "a risk_above rule needs a threshold (latest churn probability at or above THRESHOLD (0-1))"
    assert rules(signed_in, threshold=70)[0] == \
        "threshold 70.0: a probability must be between 0 and 1, e.g. 0.7"
    assert rules(signed_in, kind="no_purchase", months=2.5)[0] == \
        "months: give a whole number of months, not 2.5"
    assert rules(signed_in, threshold=0.7, channels=["nowhere"])[0] == "shop.example has no channel 'nowhere'"
    assert rules(signed_in, threshold=0.7, owner="mallory@evil.example")[0] == \
        "'mallory@evil.example' is not an account of shop.example's retention team"
    other_rule = rules(signed_in, site=OTHER, threshold=0.7)
    assert other_rule[0].startswith("Rule ")
    [foreign] = list_rules(store, OTHER)
    assert rules(signed_in, remove=foreign.rule_id)[0] == \
        f"no alert rule '{foreign.rule_id}' on shop.example"
    assert list_rules(store, SITE) == [] and len(list_rules(store, OTHER)) == 1


def test_the_retention_team_sees_no_rule_settings_and_cannot_post_them(client, store):
    alerts_world(store)
    signed_in_as(client, RETENTION)
    assert "rules-card" not in json.dumps(alerts_layout(client, f"?site={SITE}"))
    said, panel = rules(client, threshold=0.7)
    assert said == "Alert rules are set by admins. Ask an admin to change them." and panel is None
    assert list_rules(store, SITE) == []
