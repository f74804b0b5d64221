"""The top bar: pages grouped as traffic, clients and settings, and traffic links that keep
the site, period and filters of the page shown (Plausible's behaviour)."""
from urllib.parse import parse_qs, urlsplit

from tests.dashboard.conftest import find_component, login
from tests.dashboard.dash_calls import text_of
from tests.dashboard.report_helpers import call
from tests.dashboard.test_settings_page import page
from vigie.dashboard.shell import carried_query
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

SITE = "shop.example"
SHOWN = (f"?site={SITE}&period=custom&from=2026-03-01&to=2026-03-07&compare=previous_period"
         "&f_country=FR&f_prop%3Aplan=pro&metric=revenue&funnel=f1&event=signup")


def _groups(nav):
    """[(group id, label or None, [(link id, text, href)])] of the top bar's children."""
    groups = []
    for group in nav:
        children = group["props"]["children"]
        label = next((text_of(c) for c in children if c["props"].get("className") == "nav-group-label"),
                     None)
        links = [(c["props"]["id"], text_of(c), c["props"]["href"]) for c in children
                 if c["type"] == "A"]
        groups.append((group["props"]["id"], label, links))
    return groups


def _refreshed(client, search):
    return call(client, [("topnav", "children")], [("_pages_location", "search", search)])[
        "topnav"]["children"]


def test_carried_query_keeps_site_period_and_filters_only():
    kept = parse_qs(carried_query(SHOWN).lstrip("?"))
    assert kept == {"site": [SITE], "period": ["custom"], "from": ["2026-03-01"], "to": ["2026-03-07"],
                    "compare": ["previous_period"], "f_country": ["FR"], "f_prop:plan": ["pro"]}
    assert carried_query("") == "" and carried_query("?metric=revenue") == ""


def test_an_admin_sees_three_groups_in_order(signed_in, store):
    add_site(store, SITE)
    groups = _groups(_refreshed(signed_in, ""))
    assert [(g[0], g[1]) for g in groups] == [
        ("nav-group-analytics", "Traffic"), ("nav-group-churn", "Clients"), ("nav-group-settings", None)]
    traffic = [text for _, text, _ in groups[0][2]]
    assert traffic[:3] == ["Overview", "Realtime", "Sources"] and "Events" in traffic
    assert [text for _, text, _ in groups[1][2]] == ["Churn", "Alerts", "Customers"]
    assert [text for _, text, _ in groups[2][2]] == ["Settings"]


def test_traffic_links_carry_the_period_and_filters_client_links_do_not(signed_in, store):
    add_site(store, SITE)
    groups = {g[0]: g[2] for g in _groups(_refreshed(signed_in, SHOWN))}
    for link_id, _, href in groups["nav-group-analytics"]:
        query = parse_qs(urlsplit(href).query)
        assert query["period"] == ["custom"] and query["f_country"] == ["FR"], link_id
        assert "metric" not in query and "funnel" not in query and "event" not in query
    assert dict((i, h) for i, _, h in groups["nav-group-analytics"])["nav-sources"].startswith("/sources?")
    assert [h for _, _, h in groups["nav-group-churn"]] == ["/churn", "/alerts", "/customers"]
    assert [h for _, _, h in groups["nav-group-settings"]] == ["/settings"]


def test_each_role_sees_its_own_group_only(app, store):
    add_site(store, SITE)
    for email, role, group in (("mo@shop.example", "marketer", "nav-group-analytics"),
                               ("rita@shop.example", "retention", "nav-group-churn")):
        add_user(store, email, "correct horse battery", role=role, sites=[SITE])
        client = app.test_client()
        login(client, email)
        assert [g[0] for g in _groups(_refreshed(client, SHOWN))] == [group]


def test_the_first_layout_has_the_grouped_bar(signed_in, store):
    add_site(store, SITE)
    layout = signed_in.get("/_dash-layout").get_json()
    assert find_component(layout, "nav-group-churn") is not None
    assert find_component(layout, "nav-events")["props"]["href"] == "/events"
    assert page(signed_in) is not None
