"""The Journeys page (/journeys) through its Dash callbacks, on both backends. Data: the
hand-built day of tests/analytics/journeys_day.py (numbers worked out in test_journeys.py)."""
import pytest

from tests.analytics.journeys_day import S, load_journeys_day
from tests.dashboard.conftest import find_component
from tests.dashboard.report_helpers import call, callback_output, query_of, route
from tests.dashboard.dash_calls import text_of

DAY = "2026-03-10"
QUERY = {"site": S, "period": "custom", "from": DAY, "to": DAY}
SEARCH = f"?site={S}&period=custom&from={DAY}&to={DAY}"
OUTPUTS = [("journeys-message", "children"), ("journeys-chart", "children"),
           ("journeys-table", "children"), ("journeys-anchor", "options"), ("journeys-report", "style")]


@pytest.fixture
def day(store):
    return load_journeys_day(store)


def _show(client, query, view):
    answer = call(client, OUTPUTS, [("journeys-selection", "data", query)],
                  state=[("journeys-view", "data", view)])
    # An output the callback left as it was is absent from the answer.
    return {name: answer[name][prop] if name in answer else "unchanged" for name, prop in OUTPUTS}


def _rows(table):
    body = table["props"]["children"][1]
    return [[text_of(td) for td in tr["props"]["children"]] for tr in body["props"]["children"]]


def _sankey(got):
    graph = find_component(got["journeys-chart"], "journeys-sankey")
    return graph["props"]["figure"]["data"][0]


def test_from_every_entry_page(signed_in, day):
    got = _show(signed_in, QUERY, {"steps": 2})
    assert got["journeys-message"] is None and got["journeys-report"] == {}
    assert _rows(got["journeys-table"]) == [
        ["1", "/", "3", "1"], ["1", "/blog", "1", "1"], ["1", "/pricing", "1", "0"],
        ["2", "/pricing", "2", "1"], ["2", "/blog", "1", "0"], ["2", "/signup", "1", "0"]]
    sankey = _sankey(got)
    assert sankey["node"]["label"] == ["/", "/blog", "/pricing", "/pricing", "/blog", "/signup",
                                       "Left the site"]
    assert sankey["node"]["customdata"] == ["/", "/blog", "/pricing", "/pricing", "/blog", "/signup", ""]
    # / -> /pricing (2), / -> /blog (1), /pricing -> /signup (1), as node indexes, then the
    # drop-off of step 1: / (visitor 1's second visit) and /blog (visitor 4) left the site.
    assert (sankey["link"]["source"], sankey["link"]["target"], sankey["link"]["value"]) == (
        [0, 0, 2, 0, 1], [3, 4, 5, 6, 6], [2, 1, 1, 1, 1])
    # The anchor choices: every entry, the day's entry pages, then the goals.
    labels = [o["label"] for o in got["journeys-anchor"]]
    assert labels == ["From every entry page", "From /", "From /blog", "From /pricing",
                      "To goal: Visit /signup", "To goal: Trial"]


def test_to_a_goal_with_the_comparison(signed_in, day):
    _, signup, _ = day
    got = _show(signed_in, dict(QUERY, compare="previous_period"), {"steps": 2, "to_goal": signup})
    assert _rows(got["journeys-table"]) == [
        ["1", "/signup", "3", "0", "0", "–"], ["2", "/pricing", "3", "1", "0", "–"]]
    headers = [text_of(th) for th in got["journeys-table"]["props"]["children"][0]["props"]["children"]
               ["props"]["children"]]
    assert headers == ["Step", "Page", "Visitors", "Began here", "Previous", "Change"]
    # Time runs left to right: the goal's step is on the right, and visitor 5, who began on
    # /pricing, comes from the "Entered the site" node on the left.
    sankey = _sankey(_show(signed_in, QUERY, {"steps": 3, "to_goal": signup}))
    assert sankey["node"]["label"] == ["/signup", "/pricing", "/", "/blog", "Entered the site"]
    assert sankey["node"]["x"][0] > sankey["node"]["x"][1] > sankey["node"]["x"][2] == sankey["node"]["x"][4]
    assert (sankey["link"]["source"], sankey["link"]["target"], sankey["link"]["value"]) == (
        [1, 2, 3, 4], [0, 1, 1, 1], [3, 1, 1, 1])


def test_an_unknown_goal_is_said_so(signed_in, day):
    got = _show(signed_in, QUERY, {"steps": 2, "to_goal": "nope"})
    assert "no goal 'nope'" in text_of(got["journeys-message"])
    assert got["journeys-report"] == {"display": "none"} and got["journeys-anchor"] == "unchanged"


def test_pages_of_the_table_and_of_the_diagram_filter_the_view(signed_in, day):
    got = _show(signed_in, QUERY, {"steps": 3})
    link = got["journeys-table"]["props"]["children"][1]["props"]["children"][0]["props"]["children"][1]
    assert query_of(link["props"]["children"]["props"]["href"]) == {**QUERY, "f_page": "/", "steps": "3"}
    click = {"points": [{"customdata": "/pricing", "label": "/pricing", "pointNumber": 2}]}
    answer = call(signed_in, [("journeys-url", "search")], [("journeys-sankey", "clickData", click)],
                  state=[("journeys-url", "search", SEARCH + "&f_device=mobile&steps=3")],
                  output_name=callback_output(signed_in, "journeys-sankey", "clickData"))
    assert query_of(answer["journeys-url"]["search"]) == {
        **QUERY, "f_device": "mobile", "f_page": "/pricing", "steps": "3"}


def test_choosing_a_goal_and_steps_writes_the_url(signed_in, day):
    _, signup, _ = day
    answer = call(signed_in, [("journeys-url", "search")],
                  [("journeys-anchor", "value", f"goal:{signup}"), ("journeys-steps", "value", 4)],
                  state=[("journeys-url", "search", SEARCH + "&entry=%2F")],
                  output_name=callback_output(signed_in, "journeys-anchor", "value"))
    assert query_of(answer["journeys-url"]["search"]) == {**QUERY, "steps": "4", "to_goal": signup}


def test_the_page_keeps_its_view_and_links_both_csvs(signed_in, day):
    page = route(signed_in, "/journeys", SEARCH + "&steps=3&entry=%2F")
    href = find_component(page, "journeys-nodes-csv")["props"]["href"]
    assert href.startswith("/api/v1/stats/journeys?")
    assert query_of(href) == {**QUERY, "report": "nodes", "steps": "3", "entry_page": "/", "format": "csv"}
    assert query_of(find_component(page, "journeys-links-csv")["props"]["href"])["report"] == "links"
    assert find_component(page, "journeys-anchor")["props"]["value"] == "entry:/"
    answer = signed_in.get(href)
    assert answer.status_code == 200 and answer.get_data(as_text=True).splitlines()[1] == "1,/,3,1"
