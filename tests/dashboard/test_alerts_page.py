"""The alerts inbox over HTTP: rows from hand-built alerts, actions with their actor, access."""
import datetime
import json

from vigie.alerts.state import get_alert, transitions
from tests.dashboard.retention_data import (MARKETER, OTHER, PASSWORD, RETENTION, SITE,
                                            alerts_world)
from tests.dashboard.test_churn_page import signed_in_as, texts
from tests.dashboard.test_overview_callbacks import call
from tests.dashboard.test_settings_page import page
from vigie.warehouse.users import add_user
from tests.dashboard.conftest import find_component
from tests.dashboard.patterns import click

BUTTONS = ("alert-ack", "alert-snooze", "alert-assign", "alert-resolve")
OUTPUTS = [("alerts-message", "children"), ("alerts-inbox", "children"),
           ("alerts-precision", "children"), ("alerts-deliveries", "children"),
           ("alerts-report", "style")]


def show(client, **query):
    answer = call(client, OUTPUTS, [("alerts-query", "data", query), ("alerts-changed", "data", None)])
    return {name: answer[name][prop] for name, prop in OUTPUTS}


def act(client, button, alert_id, site=SITE, days=7, owner=None, outcome="retained", note=None):
    """Click one row's button (button: alert-ack, alert-snooze, alert-assign or alert-resolve)."""
    clicked = {"type": button, "id": alert_id}
    inputs = [[(clicked, "n_clicks", 1)] if b == button else [] for b in BUTTONS]
    state = [("alert-snooze-days", "value", days), ("alert-owner", "value", owner),
             ("alert-outcome", "value", outcome), ("alert-note", "value", note),
             ("alerts-query", "data", {"site": site})]
    answer = click(client, [("alert-action-message", "children"), ("alerts-changed", "data")],
                   inputs, state, (clicked, "n_clicks"))
    return texts(answer["alert-action-message"])[0]


def rows(component, table_id):
    """Each row's texts; the inbox's last cell (its buttons) is read apart by row_buttons."""
    body = find_component(component, table_id)["props"]["children"][1]["props"]["children"]
    cells = [row["props"]["children"] for row in body]
    return [texts(c[:-1] if table_id == "alerts-table" else c) for c in cells]


def row_buttons(component):
    body = find_component(component, "alerts-table")["props"]["children"][1]["props"]["children"]
    return {texts(row)[0]: [b["props"]["id"]["type"] for b in
                            row["props"]["children"][-1]["props"]["children"]["props"]["children"]]
            for row in body}


def test_the_inbox_lists_each_state_with_precision_and_deliveries(client, store):
    alerts_world(store)
    shown = show(signed_in_as(client, RETENTION), site=SITE)
    assert rows(shown["alerts-inbox"], "alerts-table") == [
        ["a00000000002", "c2", "Risk above 70%", "medium", "—", "2026-11-21 06:00",
         "churn probability 75% (threshold 70%) · churn 75%", "—"],
        ["a00000000001", "c1", "Risk above 70%", "high", "zoe", "2026-11-20 06:00",
         "churn probability 91% (threshold 70%) · churn 91%", "—"]]
    assert row_buttons(shown["alerts-inbox"]) == {
        "a00000000002": list(BUTTONS), "a00000000001": list(BUTTONS)}
    resolved = show(client, site=SITE, state="resolved")
    assert [(r[0], r[-1]) for r in rows(resolved["alerts-inbox"], "alerts-table")] == \
        [("a00000000003", "churned"), ("a00000000004", "retained")]
    assert row_buttons(resolved["alerts-inbox"]) == {"a00000000003": [], "a00000000004": []}
    assert rows(shown["alerts-precision"], "precision-table") == [
        ["Spend dropped", "2", "1", "1", "0", "50%"]]
    assert rows(shown["alerts-deliveries"], "deliveries-table") == [
        ["2026-11-20 06:01", "a00000000001", "team-mail", "mailto://team@shop.example", "1", "sent", "—"]]
    assert texts(show(client, site=SITE, state="snoozed")["alerts-inbox"]) == ["No snoozed alert."]


def test_actions_change_state_and_record_who_did_it(client, store):
    alerts_world(store)
    signed_in_as(client, RETENTION)
    assert act(client, "alert-ack", "a00000000001") == "Alert a00000000001 acknowledged."
    add_user(store, "sam@shop.example", PASSWORD, role="retention", sites=[SITE])
    assert act(client, "alert-assign", "a00000000001", owner="sam@shop.example") == \
        "Alert a00000000001 assigned to sam@shop.example."
    before = datetime.datetime.now(datetime.timezone.utc)
    said = act(client, "alert-snooze", "a00000000002", days=2)
    until = get_alert(store, "a00000000002").snoozed_until
    assert said == f"Alert a00000000002 snoozed until {until:%Y-%m-%d %H:%M} UTC."
    assert datetime.timedelta(days=2) <= until - before.replace(microsecond=0) <= \
        datetime.timedelta(days=2, minutes=1)
    assert act(client, "alert-resolve", "a00000000001", outcome="retained", note="called, renewed") == \
        "Alert a00000000001 resolved (retained)."
    one = get_alert(store, "a00000000001")
    assert (one.state, one.owner, one.outcome, one.note) == \
        ("resolved", "sam@shop.example", "retained", "called, renewed")
    # Transitions are stored to the second, so within one second their order is not kept.
    assert sorted((t[1], t[2]) for t in transitions(store, "a00000000001")) == [
        (RETENTION, "acknowledged"), (RETENTION, "assigned"), (RETENTION, "resolved"),
        ("vigie", "opened")]
    assert get_alert(store, "a00000000002").state == "snoozed"
    assert act(client, "alert-snooze", "a00000000002", days=0) == \
        "snooze: give a whole number of days from 1 to 365, not 0"
    assert act(client, "alert-snooze", "a00000000002", days=1.5) == \
        "snooze: give a whole number of days from 1 to 365, not 1.5"
    assert act(client, "alert-snooze", "a00000000002", days=None) == \
        "snooze: give the number of days the alert should stay hidden"
    assert act(client, "alert-assign", "a00000000002", owner=MARKETER) == \
        f"'{MARKETER}' is not an account of shop.example's retention team"
    assert act(client, "alert-assign", "a00000000002") == "choose the account to assign the alert to"
    assert get_alert(store, "a00000000002").owner == ""
    assert act(client, "alert-ack", "a00000000003") == "alert a00000000003 is resolved; it cannot be acknowledged"


def test_a_marketer_cannot_open_or_act_on_alerts(client, store):
    alerts_world(store)
    signed_in_as(client, MARKETER)
    assert page(client, "/alerts")["props"]["id"] == "alerts-refused"
    assert "for the retention team" in texts(show(client, site=SITE)["alerts-message"])[0]
    assert "for the retention team" in act(client, "alert-ack", "a00000000001")
    assert get_alert(store, "a00000000001").state == "open"


def test_a_team_limited_to_one_site_cannot_see_or_change_another(client, store):
    alerts_world(store)
    signed_in_as(client, RETENTION)
    refused = show(client, site=OTHER)
    assert texts(refused["alerts-message"]) == \
        ["No site named “other.example” is registered. Pick one from the list."]
    assert "b00000000001" not in json.dumps(refused) and "other-hook" not in json.dumps(refused)
    # Another site's alert id, through the team's own site, reads as unknown.
    assert act(client, "alert-ack", "b00000000001") == "no alert 'b00000000001' on shop.example"
    assert act(client, "alert-ack", "b00000000001", site=OTHER).startswith("No site named")
    assert get_alert(store, "b00000000001").state == "open"
