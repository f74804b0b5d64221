"""The overview's Dash callbacks over HTTP, signed in, as the browser calls them;
every number checked against hand-built events on both backends."""
import json
from urllib.parse import parse_qs, urlsplit

from tests.dashboard.conftest import dash_post, find_component, login
from tests.dashboard.dash_calls import call, route, row_link, table_rows
from tests.dashboard.traffic_day import DAY, EXPECTED, PREVIOUS, SITE, load_traffic_day
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

PANELS = ["overview-pages", "overview-sources", "overview-channels", "overview-countries",
          "overview-devices"]
HEAD_OUTPUTS = [("overview-message", "children"), ("overview-kpis", "children"),
                ("overview-chart", "children"), ("overview-report", "style")]
PANEL_OUTPUTS = [(f"{p}-body", "children") for p in PANELS]
REPORT_OUTPUTS = HEAD_OUTPUTS + PANEL_OUTPUTS
ONE_DAY = {"site": SITE, "period": "custom", "from": DAY, "to": DAY}


def report(client, query):
    """Every data callback of the overview, as the browser sends them: the cards and chart, each panel."""
    inputs = [("overview-selection", "data", query)]
    answer = call(client, HEAD_OUTPUTS, inputs)
    for output in PANEL_OUTPUTS:
        answer.update(call(client, [output], inputs))
    return {name: answer[name][prop] for name, prop in REPORT_OUTPUTS}


def kpis(got, attribute="data-value"):
    return {card["props"]["id"][len("kpi-"):]: card["props"][attribute] for card in got["overview-kpis"]}


def test_cards_and_panels_of_the_worked_day(signed_in, store):
    load_traffic_day(store)
    got = report(signed_in, ONE_DAY)
    assert got["overview-message"] is None and got["overview-report"] == {}
    assert kpis(got) == {key.replace("_", "-"): str(value) for key, value in EXPECTED.items()}
    assert got["overview-chart"]["props"]["id"] == "traffic-chart"
    assert table_rows(got["overview-pages-body"]) == [
        ["/", "4", "4"], ["/pricing", "3", "3"], ["/blog/launch", "1", "1"], ["/checkout", "1", "1"]]
    # Visitors, visits; ties in visits by name.
    assert table_rows(got["overview-sources-body"]) == [
        ["Google", "2", "2"], ["newsletter", "1", "2"], ["Direct / None", "1", "1"],
        ["news.ycombinator.com", "1", "1"]]
    assert table_rows(got["overview-channels-body"]) == [
        ["Email", "1", "2"], ["Organic Search", "2", "2"], ["Direct", "1", "1"], ["Referral", "1", "1"]]
    assert table_rows(got["overview-countries-body"]) == [
        ["FR", "2", "3"], ["(not set)", "1", "1"], ["DE", "1", "1"], ["US", "1", "1"]]
    assert table_rows(got["overview-devices-body"]) == [["desktop", "3", "3"], ["mobile", "2", "3"]]


def test_the_comparison_shows_the_change_of_each_card(signed_in, store):
    load_traffic_day(store)
    got = report(signed_in, {**ONE_DAY, "compare": "previous_period"})
    assert kpis(got) == {key.replace("_", "-"): str(value) for key, value in EXPECTED.items()}
    changes = {card["props"]["id"][len("kpi-"):]: card["props"]["children"][2]["props"]
               for card in got["overview-kpis"]}
    shown = {key: (c["children"], c["className"].split("-")[-1]) for key, c in changes.items()}
    assert shown == {
        "visitors": ("▲ 150.0%", "good"),                  # 5 vs 2
        "visits": ("▲ 200.0%", "good"),                    # 6 vs 2
        "pageviews": ("▲ 200.0%", "good"),                 # 9 vs 3
        "views-per-visit": ("= 0%", "flat"),               # 1.5 vs 1.5
        "bounce-rate": ("= 0 pts", "flat"),                # 50.0 vs 50.0
        "visit-duration": ("▲ 680.0%", "good"),            # 234 vs 30
        "conversion-rate": ("▲ 33.3 pts", "good"),         # 33.3 vs 0.0
        "revenue": ("—", "none"),                          # 49.5 vs 0: no percent of nothing
    }
    assert changes["visits"]["title"] == f"Comparison period: {PREVIOUS['visits']}"
    figure = got["overview-chart"]["props"]["figure"]
    current, previous = figure["data"]
    assert previous["line"]["dash"] == "dash" and len(previous["y"]) == len(current["y"]) == 24
    # Paris is UTC+1: the day before had visits at 11:00 and 12:00 local, one visitor each.
    assert [i for i, y in enumerate(previous["y"]) if y] == [11, 12]
    assert previous["x"] == current["x"]


def test_a_lower_bounce_rate_is_good_news(signed_in, store):
    load_traffic_day(store)
    got = report(signed_in, {"site": SITE, "period": "custom", "from": "2024-03-09", "to": "2024-03-09",
                             "compare": "previous_period"})
    # The 9th: 1 bounce of 2 visits; the 8th: nothing, which every card and the page say.
    changes = {c["props"]["children"][2]["props"]["children"] for c in got["overview-kpis"]}
    assert changes == {"no previous data"}
    note = got["overview-message"]["props"]
    assert note["id"] == "overview-note" and note["children"] == (
        "No data in the previous period (Mar 08, 2024 – Mar 08, 2024): there is nothing to compare with.")
    figure = got["overview-chart"]["props"]["figure"]
    assert [trace["name"] for trace in figure["data"]] == ["This period"]  # no flat 0 line
    from vigie.dashboard.kpis import kpi_cards
    card = kpi_cards({"bounce_rate": {"value": 40.0, "previous": 50.0, "change": -10.0}})[4]
    assert (card.children[2].children, card.children[2].className) == ("▼ 10.0 pts", "kpi-change kpi-change-good")


def test_the_metric_switcher_charts_another_metric_and_lives_in_the_url(signed_in, store):
    load_traffic_day(store)
    got = report(signed_in, {**ONE_DAY, "metric": "conversion_rate"})
    trace = got["overview-chart"]["props"]["figure"]["data"][0]
    # Local hours: visitor 3's first visit (11:00, converted), visitor 4 (13:00, converted)
    assert {i: y for i, y in enumerate(trace["y"]) if y} == {11: 100.0, 13: 100.0}
    # The switcher shares the URL output with the bar (allow_duplicate): Dash names it apart.
    output = next(d["output"] for d in signed_in.get("/_dash-dependencies").get_json()
                  if [i["id"] for i in d["inputs"]] == ["overview-metric"])
    body = {"output": output, "outputs": {"id": "overview-url", "property": output.split(".", 1)[1]},
            "inputs": [{"id": "overview-metric", "property": "value", "value": "revenue"}],
            "state": [{"id": "overview-url", "property": "search",
                       "value": f"?site={SITE}&period=7d&f_country=FR"}],
            "changedPropIds": ["overview-metric.value"]}
    answer = dash_post(signed_in, body).get_json()["response"]
    assert answer["overview-url"]["search"] == f"?site={SITE}&period=7d&f_country=FR&metric=revenue"
    bad = report(signed_in, {**ONE_DAY, "metric": "happiness"})
    assert "Cannot chart metric 'happiness'" in bad["overview-message"]["props"]["children"]


def test_a_row_link_adds_a_filter_and_a_chip_removes_it(signed_in, store):
    load_traffic_day(store)
    got = report(signed_in, ONE_DAY)
    href = row_link(got["overview-channels-body"], "Organic Search")
    url = urlsplit(href)
    assert url.path == "/"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query == {**ONE_DAY, "f_channel": "Organic Search"}
    filtered = report(signed_in, query)
    # Visitors 1 and 4: 2 visits, 5 pageviews, no bounce, 1 conversion, 49.50
    assert kpis(filtered) == {"visitors": "2", "visits": "2", "pageviews": "5", "views-per-visit": "2.5",
                              "bounce-rate": "0.0", "visit-duration": "688", "conversion-rate": "50.0",
                              "revenue": "49.5"}
    assert table_rows(filtered["overview-channels-body"]) == [["Organic Search", "2", "2"]]
    page = route(signed_in, "/", "?" + url.query)
    chip = find_component(page, {"type": "overview-chip", "name": "channel"})
    assert "Organic Search" in json.dumps(chip)
    assert urlsplit(chip["props"]["href"]).query == \
        f"site={SITE}&period=custom&from={DAY}&to={DAY}"
    csv = find_component(page, "overview-channels-csv")["props"]["href"]
    assert csv.startswith("/api/v1/stats/breakdown?") and "property=channel" in csv
    assert "f_channel=Organic+Search" in csv and "format=csv" in csv


def test_an_empty_period_says_so(signed_in, store):
    add_site(store, SITE, "UTC")
    got = report(signed_in, {"site": SITE, "period": "custom", "from": "2020-01-01", "to": "2020-01-31"})
    assert "No visits in this period" in got["overview-chart"]["props"]["children"]
    assert got["overview-pages-body"]["props"]["children"] == "No pageviews in this period."
    assert got["overview-sources-body"]["props"]["children"] == "No visits in this period."
    assert kpis(got)["conversion-rate"] == ""


def test_a_bad_query_gets_a_message_not_an_error(signed_in, store):
    add_site(store, SITE, "UTC")
    got = report(signed_in, {"site": SITE, "period": "custom", "from": "yesterday", "to": "2024-01-31"})
    assert "'from' date 'yesterday' is not a date" in got["overview-message"]["props"]["children"]
    assert got["overview-kpis"] == []
    assert got["overview-report"] == {"display": "none"}
    got = report(signed_in, {"site": SITE, "period": "7d", "f_colour": "red"})
    assert "unknown filter 'colour'" in got["overview-message"]["props"]["children"]


def test_controls_write_the_selection_into_the_url(signed_in, store):
    add_site(store, SITE, "UTC")
    body = {"output": "overview-url.search", "outputs": {"id": "overview-url", "property": "search"},
            "inputs": [{"id": "overview-site", "property": "value", "value": SITE},
                       {"id": "overview-period", "property": "value", "value": "custom"},
                       {"id": "overview-range", "property": "start_date", "value": "2024-01-01"},
                       {"id": "overview-range", "property": "end_date", "value": "2024-01-31"},
                       {"id": "overview-compare", "property": "value", "value": "previous_year"},
                       {"id": "overview-segment", "property": "value", "value": None}],
            "state": [{"id": "overview-url", "property": "search",
                       "value": "?site=x&f_device=mobile&metric=visits"}],
            "changedPropIds": ["overview-period.value"]}
    response = dash_post(signed_in, body)
    # Filters and the charted metric are kept: the bar's controls never change them.
    assert response.get_json()["response"]["overview-url"]["search"] == (
        f"?site={SITE}&period=custom&from=2024-01-01&to=2024-01-31&compare=previous_year"
        "&f_device=mobile&metric=visits")


def test_without_sites_the_page_explains_how_to_add_one(signed_in):
    page = route(signed_in, "/", "")
    assert page["props"]["id"] == "no-sites"
    assert "vigie sites add DOMAIN" in json.dumps(page)


def test_the_layout_follows_the_query_string(signed_in, store):
    add_site(store, "a.example", "UTC")
    add_site(store, SITE, "UTC")
    page = route(signed_in, "/", f"?site={SITE}&period=custom&from=2024-01-01&to=2024-01-31&metric=revenue")
    assert find_component(page, "overview-site")["props"]["value"] == SITE
    assert find_component(page, "overview-period")["props"]["value"] == "custom"
    assert find_component(page, "overview-metric")["props"]["value"] == "revenue"
    picker = find_component(page, "overview-range")["props"]
    assert (picker["start_date"], picker["end_date"]) == ("2024-01-01", "2024-01-31")
    assert find_component(page, "overview-selection")["props"]["data"] == {
        "site": SITE, "period": "custom", "from": "2024-01-01", "to": "2024-01-31", "metric": "revenue"}
    # No site in the URL: the first registered one, last 7 days, date picker hidden.
    page = route(signed_in, "/", "")
    assert find_component(page, "overview-site")["props"]["value"] == "a.example"
    assert find_component(page, "overview-custom-range")["props"]["style"] == {"display": "none"}
    assert find_component(page, "overview-metric")["props"]["value"] == "visitors"


def test_an_unknown_site_in_the_url_leaves_the_selector_empty(signed_in, store):
    add_site(store, SITE, "UTC")
    page = route(signed_in, "/", "?site=<b>nowhere</b>&period=7d")
    assert find_component(page, "overview-site")["props"]["value"] is None
    assert find_component(page, "overview-selection")["props"]["data"]["site"] == "<b>nowhere</b>"


def _sign_in_as(client, store, email, role, sites):
    add_user(store, email, "a long enough password", role=role, sites=sites)
    assert login(client, email, "a long enough password").status_code == 302
    return client


def test_a_marketer_sees_only_their_sites(client, store):
    add_site(store, "a.example", "UTC")
    load_traffic_day(store)
    marketer = _sign_in_as(client, store, "mia@shop.example", "marketer", ["a.example"])
    page = route(marketer, "/", f"?site={SITE}&period=7d")
    options = find_component(page, "overview-site")["props"]["options"]
    assert [o["value"] for o in options] == ["a.example"]
    # Asking for the other site by URL (or by calling the callback directly) shows nothing of it.
    got = report(marketer, ONE_DAY)
    assert f"No site named “{SITE}” is registered" in got["overview-message"]["props"]["children"]
    assert got["overview-kpis"] == [] and got["overview-pages-body"] is None


def test_a_marketer_without_sites_is_told_to_ask_an_admin(client, store):
    add_site(store, SITE, "UTC")
    page = route(_sign_in_as(client, store, "mia@shop.example", "marketer", []), "/", "")
    assert page["props"]["id"] == "no-visible-sites"


def test_the_retention_role_gets_no_web_analytics(client, store):
    load_traffic_day(store)
    retention = _sign_in_as(client, store, "rex@shop.example", "retention", [SITE])
    assert route(retention, "/", f"?site={SITE}")["props"]["id"] == "no-analytics"
    got = report(retention, ONE_DAY)
    assert "not part of this account" in got["overview-message"]["props"]["children"]
    assert got["overview-kpis"] == []


def test_a_period_that_includes_today_is_marked_as_so_far(signed_in, store):
    """Last 7 days, compared: today is the seventh day and is not over."""
    import datetime
    from zoneinfo import ZoneInfo
    from tests.factories import event, insert_events
    from vigie.analytics.job_catalog import JOBS
    from vigie.analytics.jobs import JobContext, run_window
    site = add_site(store, "today.example", "UTC")
    now = datetime.datetime.now(ZoneInfo("UTC")).replace(microsecond=0)
    insert_events(store, [event("today.example", f"{now - datetime.timedelta(days=d, minutes=1):%Y-%m-%d %H:%M:%S}",
                                visitor=d + 1) for d in range(9)])
    run_window(store, JOBS["sessions"], site, now - datetime.timedelta(days=10), now + datetime.timedelta(hours=1),
               JobContext())
    got = report(signed_in, {"site": "today.example", "period": "7d", "compare": "previous_period"})
    note = got["overview-message"]["props"]
    assert note["id"] == "overview-note"
    assert note["children"].startswith("Today so far: the period runs until now (")
    assert note["children"].endswith("so its last day is not over, while the comparison period's is.")
    traces = got["overview-chart"]["props"]["figure"]["data"]
    assert [t["name"] for t in traces] == ["This period", "Today so far", "Comparison period"]
    assert len(traces[0]["y"]) == 7 and traces[0]["y"][6] is None and traces[1]["line"]["dash"] == "dot"
    # Yesterday's visit is in the comparison period too; nothing says "no data" then.
    assert "No data" not in note["children"]
