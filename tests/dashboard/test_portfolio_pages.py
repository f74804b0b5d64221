"""Portfolio value and the loyalty-profitability matrix on the Customers and Churn pages.

The numbers shown must be the query layer's (analytics.portfolio) for the
same site and date; tests/customer_value_data.py holds the clients.
"""
import datetime

import pytest

from tests.customer_value_data import AS_OF, S, seed_portfolio
from tests.dashboard.conftest import dash_post, find_component
from tests.dashboard.retention_data import PASSWORD
from tests.dashboard.test_churn_page import signed_in_as, texts
from tests.dashboard.test_customer_value_page import value
from vigie.analytics.portfolio import cell_page, loyalty_matrix, portfolio_report, portfolio_trend
from vigie.dashboard.portfolio_view import spend_model_note
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

RETENTION = "rex@shop.test"
DATE = AS_OF.isoformat()


@pytest.fixture
def settings(settings):
    # Two months of trend: each month is one more history read and fit.
    return settings.replace(portfolio_trend_months=2)


@pytest.fixture
def world(store):
    add_site(store, S, "UTC")
    add_user(store, RETENTION, PASSWORD, role="retention", sites=[S])
    return seed_portfolio(store)


def churn_output(http, output, query):
    """A one-output callback of the churn page, as dash-renderer posts it."""
    answer = dash_post(http, {
        "output": f"{output}.children", "outputs": {"id": output, "property": "children"},
        "inputs": [{"id": "churn-shown", "property": "data", "value": query}],
        "changedPropIds": ["churn-shown.data"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_json()["response"][output]["children"]


def test_customers_page_shows_the_portfolio_and_the_matrix(client, world):
    shown = value(signed_in_as(client, RETENTION), site=S, date=DATE)
    summary, rows = portfolio_report(world, S, AS_OF)
    assert texts(find_component(shown, "portfolio-value"))[:2] == ["Portfolio value", f"{summary['value']:,.2f}"]
    assert texts(find_component(shown, "portfolio-at-risk"))[1:3] == [
        f"{summary['value_at_risk']:,.2f}",
        f"2 active high-risk clients who bought, {100 * summary['value_at_risk'] / summary['value']:.1f}% of the portfolio"]
    bands = [texts(r["props"]["children"]) for r in
             find_component(shown, "portfolio-by-band")["props"]["children"][1]["props"]["children"]]
    assert [b[:2] for b in bands] == [["High risk", "2"], ["Medium risk", "1"], ["Low risk", "1"],
                                      ["Not scored", "7"]]
    matrix = loyalty_matrix(rows)
    for cell in matrix["cells"]:
        link = find_component(shown, f"matrix-cell-{cell['cell']}")
        assert link["props"]["href"] == f"/customers?site={S}&date={DATE}&cell={cell['cell']}"
        shown_risk = "—" if cell["mean_risk"] is None else f"{cell['mean_risk']:.0%}"
        assert texts(link) == [cell["label"], f"{cell['clients']:,}",
                               f"value {cell['value']:,.2f} · mean risk {shown_risk}"]
    assert find_component(shown, "matrix-members") is None


def test_a_cells_clients_are_listed_and_paged(client, world):
    http = signed_in_as(client, RETENTION)
    _, rows = portfolio_report(world, S, AS_OF)
    matrix = loyalty_matrix(rows)
    cell = max(matrix["cells"], key=lambda c: c["clients"])["cell"]
    members, total = cell_page(matrix, cell, 0, 50)
    shown = value(http, site=S, date=DATE, cell=cell)
    table = find_component(shown, "matrix-members")["props"]["data"]
    assert [r["clv"] for r in table] == [f"{m['clv']:,.2f}" for m in members]
    assert table[0]["client"] == f"[{members[0]['customer_id']}](/customers?site={S}&client={members[0]['customer_id']})"
    assert texts(find_component(shown, "matrix-members-count")) == [f"1–{total} of {total} clients"]
    # Past the last page, and a cell that does not exist.
    assert texts(find_component(value(http, site=S, date=DATE, cell=cell, cpage="2"),
                                "matrix-members-empty")) == ["No client on page 2."]
    wrong = value(http, site=S, date=DATE, cell="friends")
    assert texts(find_component(wrong, "customers-value-error")) == [
        "“friends” is not a cell of the loyalty-profitability matrix."]


def test_churn_page_shows_portfolio_value_and_value_at_risk_as_of_today(client, world):
    http = signed_in_as(client, RETENTION)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    summary, _ = portfolio_report(world, S, today)
    shown = churn_output(http, "churn-value", {"site": S})
    assert texts(find_component(shown, "portfolio-value"))[1] == f"{summary['value']:,.2f}"
    assert texts(find_component(shown, "portfolio-at-risk"))[1] == f"{summary['value_at_risk']:,.2f}"
    trend = churn_output(http, "churn-value-trend", {"site": S})
    figure = find_component(trend, "portfolio-trend")["props"]["figure"]
    points = portfolio_trend(world, S, today, 2)
    assert len(points) == 2
    assert figure["data"][0]["y"] == [p["value"] for p in points if p["value"] is not None]
    assert figure["data"][0]["x"] == [p["as_of"].isoformat() for p in points if p["value"] is not None]


def test_the_spend_models_independence_check_is_shown_when_it_fails():
    doubtful = {"note": "", "independence_doubtful": True, "correlation": 0.42}
    [warning] = spend_model_note(doubtful)
    assert warning.id == "spend-model-warning" and warning.children == (
        "Spend and frequency are correlated among repeat buyers (r = +0.42): the spend model assumes "
        "they are not, so read CLV with care.")
    assert spend_model_note({"note": "", "independence_doubtful": False, "correlation": 0.1}) == []
    fallback = spend_model_note({"note": "too few repeat buyers", "independence_doubtful": False,
                                 "correlation": 0.0})
    assert fallback[0].id == "spend-model-note"
