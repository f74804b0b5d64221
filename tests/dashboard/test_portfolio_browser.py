"""Chromium, signed in as a retention account, reads the portfolio value and the
loyalty-profitability matrix on /customers and clicks a cell to list its clients."""
from tests.customer_value_data import AS_OF, S, seed_portfolio
from tests.dashboard.retention_data import PASSWORD
from tests.dashboard.test_overview_browser import TIMEOUT_MS
from vigie.analytics.portfolio import cell_page, loyalty_matrix, portfolio_report
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

RETENTION = "rex@shop.test"


def test_portfolio_and_a_matrix_cell(app, store, live_url, browser):
    add_site(store, S, "UTC")
    add_user(store, RETENTION, PASSWORD, role="retention", sites=[S])
    seed_portfolio(store)
    summary, rows = portfolio_report(store, S, AS_OF)
    matrix = loyalty_matrix(rows)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{live_url}/customers?site={S}&date={AS_OF}")
    page.wait_for_url("**/login?**", timeout=TIMEOUT_MS)
    page.fill("#email", RETENTION)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#loyalty-matrix", timeout=TIMEOUT_MS)
    assert page.inner_text("#portfolio-value .kpi-value") == f"{summary['value']:,.2f}"
    assert page.inner_text("#portfolio-at-risk .kpi-value") == f"{summary['value_at_risk']:,.2f}"
    friends = next(c for c in matrix["cells"] if c["cell"] == "true_friends")
    assert page.inner_text("#matrix-cell-true_friends").split("\n")[:2] == ["True friends",
                                                                           str(friends["clients"])]
    page.click("#matrix-cell-true_friends")
    page.wait_for_selector("#matrix-members", timeout=TIMEOUT_MS)
    assert "cell=true_friends" in page.url
    members, _ = cell_page(matrix, "true_friends", 0, 50)
    assert page.inner_text("#matrix-members td[data-dash-column=client]") == members[0]["customer_id"]
