"""GET /api/v1/stats/portfolio and /matrix through the real app: the query layer's numbers, CSV, access."""
import pytest

from tests.analytics.test_customer_value_api import get
from tests.customer_value_data import AS_OF, S, seed_portfolio
from tests.dashboard.conftest import login
from vigie.analytics.portfolio import loyalty_matrix, portfolio_report, portfolio_trend
from vigie.warehouse.api_keys import create_api_key
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

DATE = "date=2026-03-01"


@pytest.fixture
def shop(store):
    add_site(store, S, "UTC")
    return seed_portfolio(store)


@pytest.fixture
def token(store, shop):
    return create_api_key(store, S, "tests")[1]


def test_portfolio_agrees_with_the_query_layer(client, shop, token):
    body = get(client, f"/api/v1/stats/portfolio?site={S}&{DATE}&months=2", token).get_json()
    summary, _ = portfolio_report(shop, S, AS_OF)
    assert (body["clients"], body["value"], body["value_at_risk"], body["at_risk_clients"]) == (
        11, summary["value"], summary["value_at_risk"], 2)
    assert (body["horizon_days"], body["discount_rate"]) == (365, 0.1)
    assert {b["band"]: b["clients"] for b in body["by_band"]} == {"high": 2, "medium": 1, "low": 1,
                                                                  "unscored": 7}
    trend = portfolio_trend(shop, S, AS_OF, 2)
    assert [(p["as_of"], p["clients"], p["value"]) for p in body["trend"]] == [
        (p["as_of"].isoformat(), p["clients"], p["value"]) for p in trend]
    assert body["spend_model"]["name"] == "Gamma-Gamma"
    csv = get(client, f"/api/v1/stats/portfolio?site={S}&{DATE}&months=0&format=csv",
              token).get_data(as_text=True).splitlines()
    assert csv[0] == "split,name,clients,value" and len(csv) == 1 + 11 + 4
    assert f"band,high,2,{summary['value_at_risk']}" in csv


def test_matrix_cells_and_one_cells_clients(client, shop, token):
    _, rows = portfolio_report(shop, S, AS_OF)
    expected = loyalty_matrix(rows)
    body = get(client, f"/api/v1/stats/matrix?site={S}&{DATE}&cell=true_friends&limit=2", token).get_json()
    assert body["cells"] == expected["cells"]
    assert sum(c["clients"] for c in body["cells"]) == 11
    friends = sorted((r for r in expected["clients"] if r["cell"] == "true_friends"),
                     key=lambda r: -r["clv"])
    assert body["total"] == len(friends)
    assert [r["customer_id"] for r in body["results"]] == [r["customer_id"] for r in friends[:2]]
    # Cut-offs given: everyone above 0 CLV is high profit, nobody has a long relationship.
    given = get(client, f"/api/v1/stats/matrix?site={S}&{DATE}&value_cutoff=0&tenure_cutoff=10000",
                token).get_json()
    assert (given["value_cutoff"], given["tenure_cutoff_days"]) == (0.0, 10000.0)
    cells = {c["cell"]: c["clients"] for c in given["cells"]}
    assert cells["true_friends"] == cells["barnacles"] == 0
    csv = get(client, f"/api/v1/stats/matrix?site={S}&{DATE}&table=cells&format=csv",
              token).get_data(as_text=True).splitlines()
    assert csv[0] == "cell,label,profitability,relationship,clients,value,mean_risk,scored,action"
    assert len(csv) == 5


@pytest.mark.parametrize("query, message", [
    ("cell=friends", "cell: 'friends' is not one of"),
    ("value_cutoff=-5", "value_cutoff: '-5' is not a number"),
    ("tenure_cutoff=soon", "tenure_cutoff: 'soon' is not a number"),
    ("horizon=0", "horizon: 0 is not between 1 and 3650"),
])
def test_matrix_bad_parameters_are_named(client, shop, token, query, message):
    answer = get(client, f"/api/v1/stats/matrix?site={S}&{DATE}&{query}", token)
    assert answer.status_code == 400 and message in answer.get_json()["error"]


def test_months_out_of_range_and_marketers_refused(client, store, shop, token):
    answer = get(client, f"/api/v1/stats/portfolio?site={S}&{DATE}&months=25", token)
    assert answer.status_code == 400 and "months" in answer.get_json()["error"]
    add_user(store, "m@example.com", "correct horse battery", role="marketer", sites=[S])
    login(client, "m@example.com", "correct horse battery")
    for path in ("portfolio", "matrix"):
        refused = client.get(f"/api/v1/stats/{path}?site={S}&{DATE}")
        assert refused.status_code == 403 and "retention data" in refused.get_json()["error"]
