"""The customers page's customer value section: RFM matrix, a segment's clients, CLV, access."""
import pytest

from tests.customer_value_data import S, seed_customer_value
from tests.dashboard.conftest import dash_post, find_component
from tests.dashboard.retention_data import PASSWORD
from tests.dashboard.test_alerts_page import rows
from tests.dashboard.test_churn_page import signed_in_as, texts
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

RETENTION, MARKETER, ELSEWHERE = "rex@shop.test", "mia@shop.test", "eve@other.test"
DATE = "2026-03-01"


@pytest.fixture
def world(store):
    add_site(store, S, "UTC")
    add_site(store, "other.test", "UTC")
    add_user(store, RETENTION, PASSWORD, role="retention", sites=[S])
    add_user(store, MARKETER, PASSWORD, role="marketer", sites=[S])
    add_user(store, ELSEWHERE, PASSWORD, role="retention", sites=["other.test"])
    return seed_customer_value(store)


def value(http, **query):
    """The one-output callback as dash-renderer posts it (no '..' wrapping for one output)."""
    answer = dash_post(http, {
        "output": "customers-value.children",
        "outputs": {"id": "customers-value", "property": "children"},
        "inputs": [{"id": "customers-listed", "property": "data", "value": query}],
        "changedPropIds": ["customers-listed.data"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_json()["response"]["customers-value"]["children"]


def test_matrix_segments_and_csv_links(client, world):
    shown = value(signed_in_as(client, RETENTION), site=S, date=DATE)
    assert texts(find_component(shown, "rfm-scored")) == [
        "12 clients with a purchase; click a cell to list its clients."]
    matrix = find_component(shown, "rfm-matrix")
    # Top row is R 5: New customers (c11), Potential loyalists x2, Champions (c12 is F 4), Champions.
    assert rows(matrix, "rfm-matrix")[0] == [
        "R 5", "New customers", "1", "Potential loyalists", "0", "Potential loyalists", "0",
        "Champions", "1", "Champions", "0"]
    at_risk = find_component(matrix, "rfm-cell-24")
    assert at_risk["props"]["href"] == f"/customers?site={S}&segment=At+risk&date={DATE}"
    assert texts(at_risk) == ["At risk", "1"]
    segments = rows(shown, "rfm-segments")
    assert segments[8] == ["At risk", "2", "16.7%", "290.00", "bought often, but long ago"]
    assert [r[1] for r in segments] == ["1", "1", "1", "1", "1", "1", "1", "1", "2", "1", "1"]
    assert find_component(shown, "rfm-csv")["props"]["href"] == (
        f"/api/v1/stats/rfm?site={S}&date={DATE}&format=csv&limit=1000")
    assert find_component(shown, "clv-csv")["props"]["href"] == (
        f"/api/v1/stats/clv?site={S}&date={DATE}&format=csv&limit=1000")


def test_clicking_a_segment_lists_its_clients(client, world):
    shown = value(signed_in_as(client, RETENTION), site=S, date=DATE, segment="At risk")
    assert rows(shown, "rfm-members") == [["c05", "243", "180", "4", "200.00", "2025-09-02"],
                                          ["c03", "131", "260", "3", "90.00", "2025-06-14"]]
    table = find_component(shown, "rfm-members")
    first_cell = table["props"]["children"][1]["props"]["children"][0]["props"]["children"][0]
    assert first_cell["props"]["children"]["props"]["href"] == (
        f"/customers?site={S}&client=c05&segment=At+risk&date={DATE}")
    assert find_component(shown, "rfm-members-csv")["props"]["href"].endswith("&segment=At+risk")
    # The matrix still counts every client.
    assert texts(find_component(shown, "rfm-scored"))[0].startswith("12 clients")


def test_clv_chart_and_totals(client, world):
    shown = value(signed_in_as(client, RETENTION), site=S, date=DATE)
    assert texts(find_component(shown, "clv-historical")) == ["Value so far", "2,020.00"]
    graph = find_component(shown, "clv-chart")["props"]
    history = graph["figure"]["data"][0]
    assert history["x"][:3] == ["0–50", "50–100", "100–150"]
    assert history["y"] == [2, 2, 2, 0, 4, 0, 1, 0, 0, 1]
    assert sum(graph["figure"]["data"][1]["y"]) == 12          # the prediction, one bar per bucket
    assert graph["config"]["modeBarButtons"] == [["toImage"]]
    assert graph["config"].get("displayModeBar") is not False


def test_empty_state_and_bad_input(client, world):
    signed_in_as(client, RETENTION)
    early = value(client, site=S, date="2024-01-01")
    assert texts(early)[0] == "No purchase to score yet"
    assert texts(value(client, site=S, date="2026-13-01")) == ["“2026-13-01” is not a date like 2026-03-01."]
    assert texts(value(client, site=S, segment="<b>VIP</b>")) == ["“<b>VIP</b>” is not an RFM segment."]


@pytest.mark.parametrize("email, message", [
    (MARKETER, "for the retention team"),
    (ELSEWHERE, "No site named “shop.test” is registered"),
])
def test_others_cannot_read_a_sites_customer_value(client, world, email, message):
    shown = value(signed_in_as(client, email), site=S, date=DATE)
    assert message in texts(shown)[0]
    assert find_component(shown, "rfm-matrix") is None
