"""The customers page over HTTP: search, pages, one client's timeline, and who may see it."""
from tests.alert_factories import add_customers
from tests.churn_factories import insert_visit
from tests.dashboard.conftest import find_component
from tests.dashboard.retention_data import MARKETER, OTHER, RETENTION, SITE, alerts_world
from tests.dashboard.test_alerts_page import rows
from tests.dashboard.test_churn_page import signed_in_as, texts
from tests.dashboard.test_overview_callbacks import call
from tests.dashboard.test_settings_page import page

OUTPUTS = [("customers-message", "children"), ("customers-list", "children"),
           ("customers-timeline", "children"), ("customers-listed", "data")]


def show(http, **query):
    answer = call(http, OUTPUTS, [("customers-query", "data", query)])
    shown = {name: answer[name][prop] for name, prop in OUTPUTS}
    # Once the list is drawn, the value sections start from the same query.
    assert shown.pop("customers-listed") == query
    return shown


def test_search_by_prefix_and_pages(client, store):
    alerts_world(store)
    add_customers(store, *[(f"p{n:02d}", "2025-01-01", "active") for n in range(52)], site=SITE)
    signed_in_as(client, RETENTION)
    shown = show(client, site=SITE, q="c")
    assert rows(shown["customers-list"], "customers-table") == [
        ["c1", "pro", "active", "zoe", "2024-01-01"], ["c2", "pro", "active", "—", "2024-02-01"],
        ["c3", "pro", "active", "yann", "2024-03-01"], ["c4", "pro", "active", "—", "2024-04-01"]]
    assert texts(shown["customers-timeline"]) == ["Choose a client to see its timeline."]
    first = show(client, site=SITE, q="p")
    assert texts(first["customers-list"])[0] == "1–50 of 52 clients"
    second = show(client, site=SITE, q="p", page="2")
    assert texts(second["customers-list"])[0] == "51–52 of 52 clients"
    assert [r[0] for r in rows(second["customers-list"], "customers-table")] == ["p50", "p51"]
    assert texts(show(client, site=SITE, q="zz")["customers-list"])[:2] == \
        ["0–0 of 0 clients", "No client id starts with “zz”."]
    assert texts(show(client, site=SITE, page="abc")["customers-message"]) == \
        ["Page “abc” is not a page number."]


def test_a_clients_timeline(client, store):
    alerts_world(store)
    timeline = show(signed_in_as(client, RETENTION), site=SITE, client="c1")["customers-timeline"]
    assert rows(timeline, "customer-transactions") == [["2026-07-01 12:00", "purchase", "50.00 EUR", "test"]]
    assert rows(timeline, "customer-scores") == [
        ["2026-11-01", "50.0%", "medium", "old"],
        ["2026-11-20", "91.0%", "high", "no purchase for 142 days; visits down 80%; plan downgraded"]]
    assert rows(timeline, "customer-alerts") == [
        ["2026-11-20 06:00", "Risk above 70%", "high", "open", "zoe", "—"]]
    facts = texts(timeline)
    assert facts[:3] == ["Client c1", "Client", "c1"] and "zoe" in facts
    quiet = show(client, site=SITE, client="c3")["customers-timeline"]
    assert "No transaction imported for this client." in texts(quiet)
    assert rows(quiet, "customer-alerts") == [["2026-11-20 06:00", "Spend dropped", "high", "resolved",
                                                "—", "churned"]]


def test_a_marketer_cannot_open_customers(client, store):
    alerts_world(store)
    signed_in_as(client, MARKETER)
    assert page(client, "/customers")["props"]["id"] == "customers-refused"
    refused = show(client, site=SITE, client="c1")
    assert "for the retention team" in texts(refused["customers-message"])[0]
    assert refused["customers-timeline"] is None


def test_a_team_limited_to_one_site_cannot_read_another_sites_clients(client, store):
    alerts_world(store)
    signed_in_as(client, RETENTION)
    refused = show(client, site=OTHER, client="b1")
    assert texts(refused["customers-message"]) == \
        ["No site named “other.example” is registered. Pick one from the list."]
    assert refused["customers-list"] is None and refused["customers-timeline"] is None
    other = show(client, site=SITE, client="b1")
    assert texts(other["customers-message"]) == ["No client “b1” on shop.example."]
    assert other["customers-timeline"] is None


def test_the_timeline_lists_the_clients_web_visits(client, store):
    alerts_world(store)
    insert_visit(store, SITE, "c1", "2026-11-02 09:00:00", "2026-11-02 09:04:05", 11, pageviews=3,
                 entry_page="/pricing", source="Google", channel="Organic Search", device="mobile")
    insert_visit(store, SITE, "c1", "2026-11-05 18:30:00", "2026-11-05 18:30:00", 12,
                 entry_page="/cancel", channel="Direct", device="desktop")
    # Re-sessionized away by a later run (tombstone), another client, another site: not shown.
    insert_visit(store, SITE, "c1", "2026-11-03 10:00:00", "2026-11-03 10:01:00", 13)
    insert_visit(store, SITE, "c1", "2026-11-03 10:00:00", "2026-11-03 10:01:00", 13, version=2, deleted=1)
    insert_visit(store, SITE, "c2", "2026-11-04 10:00:00", "2026-11-04 10:01:00", 14)
    insert_visit(store, OTHER, "c1", "2026-11-04 10:00:00", "2026-11-04 10:01:00", 15)
    timeline = show(signed_in_as(client, RETENTION), site=SITE, client="c1")["customers-timeline"]
    assert rows(timeline, "customer-visits") == [
        ["2026-11-05 18:30", "/cancel", "—", "Direct", "1", "0s", "desktop"],
        ["2026-11-02 09:00", "/pricing", "Google", "Organic Search", "3", "4m 05s", "mobile"]]
    quiet = show(client, site=SITE, client="c3")["customers-timeline"]
    assert texts(find_component(quiet, "customer-visits-empty"))[0].startswith("No web visit linked")
