"""The overview's Dash callbacks over HTTP, signed in, as the browser calls them."""
import json

from tests.dashboard.conftest import dash_post, find_component
from tests.dashboard.worked_day import DAY, EXPECTED, SITE, TIMEZONE, day_events
from tests.factories import insert_events
from warehouse.sites import add_site

REPORT_OUTPUTS = [("overview-message", "children"), ("overview-kpis", "children"),
                  ("overview-chart", "children"), ("overview-pages", "children"),
                  ("overview-sources", "children"), ("overview-report", "style")]


def call(client, outputs, inputs, state=()):
    """POST /_dash-update-component the way dash-renderer does; outputs are (id, prop)."""
    body = {
        "output": "..{}..".format("...".join(f"{o}.{p}" for o, p in outputs)),
        "outputs": [{"id": o, "property": p} for o, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
    }
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def report(client, query):
    answer = call(client, REPORT_OUTPUTS, [("overview-selection", "data", query)])
    return {name: answer[name][prop] for name, prop in REPORT_OUTPUTS}


def route(client, search):
    """The page router's answer for '/' + search: the page's layout as JSON."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.search"]}
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]["_pages_content"]["children"]


def test_report_for_the_worked_day(signed_in, store):
    add_site(store, SITE, TIMEZONE)
    insert_events(store, day_events())
    got = report(signed_in, {"site": SITE, "period": "custom", "from": DAY, "to": DAY})
    assert got["overview-message"] is None
    assert got["overview-report"] == {}
    values = {card["props"]["id"]: card["props"]["data-value"] for card in got["overview-kpis"]}
    assert values == {"kpi-" + key.replace("_", "-"): str(value) for key, value in EXPECTED.items()}
    assert got["overview-chart"]["props"]["id"] == "traffic-chart"
    assert find_component(got["overview-pages"], "top-pages-table") is not None


def test_an_empty_period_says_so(signed_in, store):
    add_site(store, SITE, "UTC")
    got = report(signed_in, {"site": SITE, "period": "custom", "from": "2020-01-01", "to": "2020-01-31"})
    assert "No visits in this period" in got["overview-chart"]["props"]["children"]
    assert got["overview-pages"]["props"]["children"] == "No pageviews in this period."
    assert got["overview-sources"]["props"]["children"] == "No visits in this period."


def test_a_bad_query_gets_a_message_not_an_error(signed_in, store):
    add_site(store, SITE, "UTC")
    got = report(signed_in, {"site": SITE, "period": "custom", "from": "yesterday", "to": "2024-01-31"})
    assert "'from' date 'yesterday' is not a date" in got["overview-message"]["props"]["children"]
    assert got["overview-kpis"] == []
    assert got["overview-report"] == {"display": "none"}


def test_controls_write_the_selection_into_the_url(signed_in, store):
    add_site(store, SITE, "UTC")
    body = {"output": "overview-url.search", "outputs": {"id": "overview-url", "property": "search"},
            "inputs": [{"id": "site-select", "property": "value", "value": SITE},
                       {"id": "period-select", "property": "value", "value": "custom"},
                       {"id": "date-range", "property": "start_date", "value": "2024-01-01"},
                       {"id": "date-range", "property": "end_date", "value": "2024-01-31"}],
            "state": [{"id": "overview-url", "property": "search", "value": "?site=x"}],
            "changedPropIds": ["period-select.value"]}
    response = dash_post(signed_in, body)
    assert response.get_json()["response"]["overview-url"]["search"] == \
        f"?site={SITE}&period=custom&from=2024-01-01&to=2024-01-31"


def test_without_sites_the_page_explains_how_to_add_one(signed_in):
    page = route(signed_in, "")
    assert page["props"]["id"] == "no-sites"
    assert "vigie sites add DOMAIN" in json.dumps(page)


def test_the_layout_follows_the_query_string(signed_in, store):
    add_site(store, "a.example", "UTC")
    add_site(store, SITE, "UTC")
    page = route(signed_in, f"?site={SITE}&period=custom&from=2024-01-01&to=2024-01-31")
    assert find_component(page, "site-select")["props"]["value"] == SITE
    assert find_component(page, "period-select")["props"]["value"] == "custom"
    picker = find_component(page, "date-range")["props"]
    assert (picker["start_date"], picker["end_date"]) == ("2024-01-01", "2024-01-31")
    assert find_component(page, "overview-selection")["props"]["data"] == {
        "site": SITE, "period": "custom", "from": "2024-01-01", "to": "2024-01-31"}
    # No site in the URL: the first registered one, last 7 days, date picker hidden.
    page = route(signed_in, "")
    assert find_component(page, "site-select")["props"]["value"] == "a.example"
    assert find_component(page, "custom-range")["props"]["style"] == {"display": "none"}


def test_an_unknown_site_in_the_url_leaves_the_selector_empty(signed_in, store):
    add_site(store, SITE, "UTC")
    page = route(signed_in, "?site=<b>nowhere</b>&period=7d")
    assert find_component(page, "site-select")["props"]["value"] is None
    assert find_component(page, "overview-selection")["props"]["data"]["site"] == "<b>nowhere</b>"


def _sign_in_as(client, store, email, role, sites):
    from tests.dashboard.conftest import login
    from warehouse.users import add_user
    add_user(store, email, "a long enough password", role=role, sites=sites)
    assert login(client, email, "a long enough password").status_code == 302
    return client


def test_a_marketer_sees_only_their_sites(client, store):
    add_site(store, "a.example", "UTC")
    add_site(store, SITE, "UTC")
    insert_events(store, day_events())
    marketer = _sign_in_as(client, store, "mia@shop.example", "marketer", ["a.example"])
    page = route(marketer, f"?site={SITE}&period=7d")
    options = find_component(page, "site-select")["props"]["options"]
    assert [o["value"] for o in options] == ["a.example"]
    # Asking for the other site by URL (or by calling the callback directly) shows nothing of it.
    got = report(marketer, {"site": SITE, "period": "custom", "from": DAY, "to": DAY})
    assert f"No site named “{SITE}” is registered" in got["overview-message"]["props"]["children"]
    assert got["overview-kpis"] == [] and got["overview-pages"] is None


def test_a_marketer_without_sites_is_told_to_ask_an_admin(client, store):
    add_site(store, SITE, "UTC")
    page = route(_sign_in_as(client, store, "mia@shop.example", "marketer", []), "")
    assert page["props"]["id"] == "no-visible-sites"


def test_the_retention_role_gets_no_web_analytics(client, store):
    add_site(store, SITE, "UTC")
    insert_events(store, day_events())
    retention = _sign_in_as(client, store, "rex@shop.example", "retention", [SITE])
    assert route(retention, f"?site={SITE}")["props"]["id"] == "no-analytics"
    got = report(retention, {"site": SITE, "period": "custom", "from": DAY, "to": DAY})
    assert "not part of this account" in got["overview-message"]["props"]["children"]
    assert got["overview-kpis"] == []
