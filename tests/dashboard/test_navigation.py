"""The top bar: pages grouped as traffic, clients and settings, and traffic links that keep
the site, period and filters of the page shown (Plausible's behaviour; the browser rewrites
them, so that part is followed in Chromium by test_demo_pages_browser.py)."""
from tests.dashboard.conftest import find_component, login
from tests.dashboard.dash_calls import text_of
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

SITE = "shop.example"


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


def _nav(client):
    return find_component(client.get("/_dash-layout").get_json(), "topnav")["props"]["children"]


def test_an_admin_sees_three_groups_in_order(signed_in, store):
    add_site(store, SITE)
    groups = _groups(_nav(signed_in))
    assert [(g[0], g[1]) for g in groups] == [
        ("nav-group-analytics", "Traffic"), ("nav-group-churn", "Clients"), ("nav-group-settings", None)]
    traffic = [text for _, text, _ in groups[0][2]]
    assert traffic[:3] == ["Overview", "Realtime", "Sources"] and "Events" in traffic
    assert [text for _, text, _ in groups[1][2]] == ["Churn", "Alerts", "Customers"]
    assert [text for _, text, _ in groups[2][2]] == ["Settings"]


def test_only_traffic_links_are_rewritten_with_the_query_they_keep(signed_in, store):
    """The browser adds the kept query to links with a data-path (tests/dashboard/
    test_demo_pages_browser.py follows it in Chromium); client pages and Settings open fresh."""
    add_site(store, SITE)
    layout = signed_in.get("/_dash-layout").get_json()
    for group in _nav(signed_in):
        for link in group["props"]["children"]:
            if link["type"] == "A":
                carries = group["props"]["id"] == "nav-group-analytics"
                assert (link["props"].get("data-path") == link["props"]["href"]) is carries, link
    rule = find_component(layout, "nav-carry-rule")["props"]["data"]
    assert rule == {"keep": ["site", "period", "from", "to", "compare", "segment"], "prefix": "f_"}


def test_each_role_sees_its_own_group_only(app, store):
    add_site(store, SITE)
    for email, role, group in (("mo@shop.example", "marketer", "nav-group-analytics"),
                               ("rita@shop.example", "retention", "nav-group-churn")):
        add_user(store, email, "correct horse battery", role=role, sites=[SITE])
        client = app.test_client()
        login(client, email)
        assert [g[0] for g in _groups(_nav(client))] == [group]
