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
OUTPUTS = [("alerts-message", "children"), ("alerts-inbox", "children"), ("alerts-table", "data"),
           ("alerts-table", "selected_rows"), ("alerts-table", "style_table"),
           ("alerts-pages", "children"), ("alerts-precision", "children"),
           ("alerts-deliveries", "children"), ("alerts-report", "style")]


def show(client, **query):
    answer = call(client, OUTPUTS, [("alerts-query", "data", query), ("alerts-changed", "data", None)])
    shown = {name: answer[name][prop] for name, prop in OUTPUTS if prop == "children" or
             name == "alerts-report"}
    shown["alerts-table"] = answer["alerts-table"]["data"]
    return shown


def act(client, button, *alert_ids, site=SITE, days=7, owner=None, outcome="retained", note=None):
    """Select alert_ids in the table and press one action (alert-ack, -snooze, -assign, -resolve)."""
    inputs = [(b, "n_clicks", 1 if b == button else 0) for b in BUTTONS]
    state = [("alerts-table", "selected_row_ids", list(alert_ids)),
             ("alert-snooze-days", "value", days), ("alert-owner", "value", owner),
             ("alert-outcome", "value", outcome), ("alert-note", "value", note),
             ("alerts-query", "data", {"site": site})]
    answer = click(client, [("alert-action-message", "children"), ("alerts-changed", "data")],
                   inputs, state, (button, "n_clicks"))
    return texts(answer["alert-action-message"])[0]


def rows(component, table_id):
    body = find_component(component, table_id)["props"]["children"][1]["props"]["children"]
    return [texts(row["props"]["children"]) for row in body]


def inbox(shown):
    """The inbox table's rows as the browser shows them (the client cell is a markdown link)."""
    columns = ["alert_id", "client", "rule", "severity", "owner", "opened", "latest", "last"]
    assert all(r["id"] == r["alert_id"] for r in shown["alerts-table"])
    return [[r[c] for c in columns] for r in shown["alerts-table"]]


def link(customer_id):
    return f"[{customer_id}](/customers?site=shop.example&client={customer_id})"


def test_the_inbox_lists_each_state_with_precision_and_deliveries(client, store):
    alerts_world(store)
    shown = show(signed_in_as(client, RETENTION), site=SITE)
    assert inbox(shown) == [
        ["a00000000002", link("c2"), "Risk above 70%", "medium", "—", "2026-11-21 06:00",
         "churn probability 75% (threshold 70%) · churn 75%", "—"],
        ["a00000000001", link("c1"), "Risk above 70%", "high", "zoe", "2026-11-20 06:00",
         "churn probability 91% (threshold 70%) · churn 91%", "—"]]
    assert texts(shown["alerts-inbox"]) == ["1–2 of 2 open alerts"]
    assert texts(shown["alerts-pages"]) == ["page 1 of 1"]
    resolved = show(client, site=SITE, state="resolved")
    assert [(r[0], r[-1]) for r in inbox(resolved)] == \
        [("a00000000003", "churned"), ("a00000000004", "retained")]
    assert rows(shown["alerts-precision"], "precision-table") == [
        ["Spend dropped", "2", "1", "1", "0", "50%"]]
    assert rows(shown["alerts-deliveries"], "deliveries-table") == [
        ["2026-11-20 06:01", "a00000000001", "team-mail", "mailto://team@shop.example", "1", "sent", "—"]]
    snoozed = show(client, site=SITE, state="snoozed")
    assert texts(snoozed["alerts-inbox"]) == ["No snoozed alert."] and snoozed["alerts-table"] == []


def test_the_delivery_log_shows_its_newest_lines_and_counts_the_rest(client, store):
    """A busy site's log runs to thousands of lines: the page draws the newest 100."""
    alerts_world(store)
    start = datetime.datetime(2026, 11, 22, 6, 0, tzinfo=datetime.timezone.utc)
    store.insert("alert_deliveries", ["site", "alert_id", "channel", "target", "attempt", "status",
                                      "error", "ts"],
                 [(SITE, f"b{n:011d}", "team-mail", "mailto://team@shop.example", 1, "sent", "",
                   start + datetime.timedelta(minutes=n)) for n in range(150)])
    shown = show(signed_in_as(client, RETENTION), site=SITE)
    logged = rows(shown["alerts-deliveries"], "deliveries-table")
    assert len(logged) == 100
    assert [r[:2] for r in logged[:2]] == [["2026-11-22 08:29", "b00000000149"],
                                           ["2026-11-22 08:28", "b00000000148"]]
    assert logged[-1][1] == "b00000000050"
    assert texts(find_component(shown["alerts-deliveries"], "deliveries-count")) == [
        "The latest 100 of 151 deliveries, newest first; an alert's own are all listed by "
        "`vigie alerts show ALERT_ID`."]


def test_the_inbox_filters_sorts_and_pages_from_the_query_string(client, store):
    alerts_world(store)
    signed_in_as(client, RETENTION)
    assert [r[0] for r in inbox(show(client, site=SITE, sort="oldest"))] == \
        ["a00000000001", "a00000000002"]
    assert [r[0] for r in inbox(show(client, site=SITE, severity="medium"))] == ["a00000000002"]
    assert [r[0] for r in inbox(show(client, site=SITE, owner="zoe"))] == ["a00000000001"]
    assert [r[0] for r in inbox(show(client, site=SITE, owner="-"))] == ["a00000000002"]
    assert [r[0] for r in inbox(show(client, site=SITE, q="c1"))] == ["a00000000001"]
    resolved = show(client, site=SITE, state="resolved", rule="r-Spend dropped", sort="client")
    assert [r[0] for r in inbox(resolved)] == ["a00000000003", "a00000000004"]
    assert texts(show(client, site=SITE, q="nobody")["alerts-inbox"]) == \
        ["No open alert matches these filters."]
    beyond = show(client, site=SITE, page="2")
    assert texts(beyond["alerts-inbox"]) == ["No open alert on page 2."] and beyond["alerts-table"] == []
    assert texts(show(client, site=SITE, page="two")["alerts-message"]) == ["Page “two” is not a page number."]
    # An unknown sort or severity in a shared link falls back to the defaults.
    assert [r[0] for r in inbox(show(client, site=SITE, sort="cheapest", severity="huge"))] == \
        ["a00000000002", "a00000000001"]


def test_the_inbox_sends_one_page_with_links_to_the_others(client, store):
    from tests.dashboard.retention_data import alert
    from vigie.alerts.state import save_run
    from vigie.dashboard.pages.alerts import PAGE_SIZE, alerts_search
    alerts_world(store)
    many = [alert(f"a1{n:010d}", f"k{n:03d}", "Risk above 70%", opened=f"2026-10-{1 + n % 28:02d} 06:00:00")
            for n in range(PAGE_SIZE + 5)]
    save_run(store, many, [], many[0].opened_at)
    signed_in_as(client, RETENTION)
    filters = {"severity": "high", "rule": "", "owner": "", "q": "k", "sort": "client"}
    first = show(client, site=SITE, **filters)
    assert [r[0] for r in inbox(first)] == [f"a1{n:010d}" for n in range(PAGE_SIZE)]
    assert texts(first["alerts-inbox"]) == [f"1–{PAGE_SIZE} of {PAGE_SIZE + 5} open alerts"]
    nexts = [c for c in json_components(first["alerts-pages"]) if c.get("props", {}).get("id") == "alerts-next"]
    assert nexts[0]["props"]["href"] == "/alerts" + alerts_search(SITE, "open", filters, 2) == \
        f"/alerts?site={SITE}&state=open&severity=high&q=k&sort=client&page=2"
    second = show(client, site=SITE, page="2", **filters)
    assert [r[0] for r in inbox(second)] == [f"a1{n:010d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert texts(second["alerts-inbox"]) == [f"{PAGE_SIZE + 1}–{PAGE_SIZE + 5} of {PAGE_SIZE + 5} open alerts"]


def json_components(component):
    """Every component of a tree, depth first."""
    found, todo = [], [component]
    while todo and len(found) < 10000:
        item = todo.pop()
        if isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, dict):
            found.append(item)
            todo.append(item.get("props", {}).get("children"))
    return found


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
    assert act(client, "alert-ack") == "Select one or more alerts in the table first."


def test_one_action_applies_to_every_selected_alert(client, store):
    alerts_world(store)
    signed_in_as(client, RETENTION)
    assert act(client, "alert-ack", "a00000000001", "a00000000002") == "2 alerts acknowledged."
    for alert_id in ("a00000000001", "a00000000002"):
        assert get_alert(store, alert_id).state == "acknowledged"
        assert (RETENTION, "acknowledged") in [(t[1], t[2]) for t in transitions(store, alert_id)]
    assert act(client, "alert-resolve", "a00000000001", "a00000000002", outcome="churned") == \
        "2 alerts resolved (churned)."
    assert [get_alert(store, a).outcome for a in ("a00000000001", "a00000000002")] == ["churned", "churned"]
    # A selection holding another site's alert is refused before anything changes.
    assert act(client, "alert-ack", "a00000000003", "b00000000001") == \
        "no alert 'b00000000001' on shop.example"
    assert get_alert(store, "a00000000003").state == "resolved"
    assert get_alert(store, "b00000000001").state == "open"


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
    assert refused["alerts-table"] == []
    # Another site's alert id, through the team's own site, reads as unknown.
    assert act(client, "alert-ack", "b00000000001") == "no alert 'b00000000001' on shop.example"
    assert act(client, "alert-ack", "b00000000001", site=OTHER).startswith("No site named")
    assert get_alert(store, "b00000000001").state == "open"
