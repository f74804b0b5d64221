"""Audiences of alert rules that need customer value: the loyalty-profitability matrix.

alerts may not import analytics (docs/architecture.md), so the composition
root builds this function from analytics.portfolio and hands it to the
alerts run (alerts.conditions.SiteData).
"""
from vigie.analytics.portfolio import loyalty_matrix, portfolio_report


def matrix_audiences(settings):
    """(store, site, now) -> {customer_id: (matrix cell, CLV)} of the site's active clients.

    The matrix is the one the Customers page shows as of `now`'s date (the
    transactions before that day's midnight), with the configured horizon,
    discount rate and cut-offs.
    """
    def audiences(store, site, now):
        _, rows = portfolio_report(store, site, now.date(), settings.clv_horizon_days,
                                   settings.clv_discount_rate)
        matrix = loyalty_matrix(rows, settings.matrix_value_cutoff, settings.matrix_tenure_cutoff_days)
        return {r["customer_id"]: (r["cell"], r["clv"]) for r in matrix["clients"]}
    return audiences
