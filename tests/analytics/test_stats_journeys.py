"""Stats API /journeys: the journeys of the hand-built day of journeys_day."""
import pytest

from tests.analytics.journeys_day import S, load_journeys_day
from tests.analytics.test_stats_api_reports import csv_rows, get, ok_json
from vigie.warehouse.api_keys import create_api_key

DAY = f"journeys?site={S}&period=custom&date=2026-03-10,2026-03-10"


@pytest.fixture
def day(store):
    _, signup, _ = load_journeys_day(store)
    return create_api_key(store, S, "tests")[1], signup


def test_nodes_and_links_from_every_entry(client, day):
    token, _ = day
    body = ok_json(client, DAY + "&steps=2", token)
    assert (body["mode"], body["steps"], body["report"]) == ("entry", 2, "nodes")
    assert body["results"] == body["nodes"]
    assert body["nodes"][0] == {"step": 1, "page": "/", "visitors": 3, "drop_off": 1}
    assert body["links"][0] == {"from_step": 1, "from": "/", "to_step": 2, "to": "/pricing", "visitors": 2}
    assert len(body["nodes"]) == 6 and len(body["links"]) == 3


def test_to_a_goal_as_csv_with_a_filter(client, day):
    token, signup = day
    assert csv_rows(client, DAY + f"&steps=2&goal_id={signup}&f_device=desktop", token) == [
        ["step", "page", "visitors", "drop_off"], ["1", "/signup", "2", "0"], ["2", "/pricing", "2", "0"]]
    assert csv_rows(client, DAY + f"&steps=2&goal_id={signup}&report=links", token) == [
        ["from_step", "from", "to_step", "to", "visitors"], ["2", "/pricing", "1", "/signup", "3"]]


def test_from_an_entry_page_compared_and_paged(client, day):
    token, _ = day
    body = ok_json(client, DAY + "&steps=2&entry_page=/&compare=previous_period&limit=1&page=2", token)
    assert body["comparison"] == {"from": "2026-03-09", "to": "2026-03-09"}
    # Visitors 1 and 2 go on from / to /pricing; visitor 9 did the day before.
    assert body["results"] == [{"step": 2, "page": "/pricing", "visitors": 2, "drop_off": 1,
                                "previous": 1, "change": 100.0}]
    assert csv_rows(client, DAY + "&steps=2&entry_page=/&compare=previous_period", token)[0] == [
        "step", "page", "visitors", "drop_off", "previous", "change"]
    # The CSV holds the page asked for, like the JSON's results; a blank compare is none.
    assert csv_rows(client, DAY + "&steps=2&entry_page=/&compare=previous_period&limit=1&page=2",
                    token)[1:] == [["2", "/pricing", "2", "1", "1", "100.0"]]
    assert csv_rows(client, DAY + "&steps=2&entry_page=/&compare=%20", token)[0] == [
        "step", "page", "visitors", "drop_off"]


@pytest.mark.parametrize("query, status, message", [
    ("&steps=11", 400, "steps: 11 is not between 2 and 10"),
    ("&pages=0", 400, "pages: 0 is not between 1 and 30"),
    ("&report=paths", 400, "report: 'paths' is not one of nodes, links"),
    ("&entry_page=/&goal_id=x", 400, "not both"),
    ("&goal_id=nope", 404, "has no goal 'nope'"),
    ("&f_colour=red", 400, "unknown filter 'colour'"),
])
def test_bad_parameters_are_named(client, day, query, status, message):
    token, _ = day
    answer = get(client, DAY + query, token)
    assert answer.status_code == status and message in answer.get_json()["error"], answer.get_json()
