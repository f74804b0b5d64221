"""Stats API endpoints /api/v1/stats/portfolio and /api/v1/stats/matrix (retention data).

Same access rule, as-of date and paging as /rfm and /clv
(analytics/customer_value_api.py); the numbers come from analytics.portfolio,
the functions the Churn and Customers pages call. Reference:
docs/customer-value.md.
"""
from flask import jsonify, request

from vigie.analytics.customer_value_api import (MAX_HORIZON_DAYS, _as_of, _paging,
                                                retention_principal)
from vigie.analytics.portfolio import (CELLS, MAX_TREND_MONTHS, cell_page, loyalty_matrix,
                                       portfolio_report, portfolio_trend)
from vigie.analytics.stats_csv import csv_response
from vigie.analytics.stats_request import FORMATS, ApiError, _one, choice_param, int_param, readable_site

SPLIT_COLUMNS = ["split", "name", "clients", "value"]
TREND_COLUMNS = ["as_of", "clients", "value"]
CELL_COLUMNS = ["cell", "label", "profitability", "relationship", "clients", "value", "mean_risk",
                "scored", "action"]
MATRIX_CLIENT_COLUMNS = ["customer_id", "cell", "clv", "tenure_days", "net_revenue", "segment",
                         "probability", "band"]


def _cutoff(args, name, default):
    """A cut-off parameter: a number >= 0, or `median`; absent, the setting's value."""
    text = _one(args, name)
    if not text:
        return default
    if text == "median":
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise ApiError(400, f"{name}: {text!r} is not a number from 0, nor 'median'")
    return value


def register_portfolio_endpoints(bp, store, session_user, settings):
    """Add GET /portfolio and /matrix to the Stats API blueprint `bp`."""

    def common(args):
        principal = retention_principal(store, request.headers.get("Authorization"), session_user)
        site = readable_site(store, args, principal)
        horizon = int_param(args, "horizon", settings.clv_horizon_days, 1, MAX_HORIZON_DAYS)
        return site, _as_of(args), horizon

    def answer(site, as_of, name, table, columns, body, fmt):
        if fmt == "csv":
            return csv_response(table, columns, f"{name}-{site.domain}-{as_of}.csv")
        return jsonify(dict(site=site.domain, as_of=as_of.isoformat(), **body))

    @bp.route("/portfolio", methods=["GET"], endpoint="portfolio")
    def portfolio():
        args = request.args
        site, as_of, horizon = common(args)
        months = int_param(args, "months", settings.portfolio_trend_months, 0, MAX_TREND_MONTHS)
        table = choice_param(args, "table", ("splits", "trend"), "splits")
        fmt = choice_param(args, "format", FORMATS, "json")
        summary, _ = portfolio_report(store, site.domain, as_of, horizon, settings.clv_discount_rate)
        trend = [] if not months else [
            dict(p, as_of=p["as_of"].isoformat())
            for p in portfolio_trend(store, site.domain, as_of, months, horizon, settings.clv_discount_rate)]
        body = {k: v for k, v in summary.items() if k != "as_of"}
        body["trend"] = trend
        if table == "trend":
            return answer(site, as_of, "portfolio-trend", trend, TREND_COLUMNS, body, fmt)
        splits = ([{"split": "segment", "name": s["segment"], "clients": s["clients"], "value": s["value"]}
                   for s in summary["by_segment"]]
                  + [{"split": "band", "name": b["band"], "clients": b["clients"], "value": b["value"]}
                     for b in summary["by_band"]])
        return answer(site, as_of, "portfolio", splits, SPLIT_COLUMNS, body, fmt)

    @bp.route("/matrix", methods=["GET"], endpoint="matrix")
    def matrix():
        args = request.args
        site, as_of, horizon = common(args)
        value_cutoff = _cutoff(args, "value_cutoff", settings.matrix_value_cutoff)
        tenure_cutoff = _cutoff(args, "tenure_cutoff", settings.matrix_tenure_cutoff_days)
        cell = _one(args, "cell") or None
        if cell is not None and cell not in CELLS:
            raise ApiError(400, f"cell: {cell!r} is not one of {', '.join(CELLS)}")
        table = choice_param(args, "table", ("clients", "cells"), "clients")
        limit, page, offset = _paging(args)
        fmt = choice_param(args, "format", FORMATS, "json")
        _, rows = portfolio_report(store, site.domain, as_of, horizon, settings.clv_discount_rate)
        placed = loyalty_matrix(rows, value_cutoff, tenure_cutoff)
        if cell is None:
            members = sorted(placed["clients"], key=lambda r: (-r["clv"], r["customer_id"]))
            shown, total = members[offset:offset + limit], len(members)
        else:
            shown, total = cell_page(placed, cell, offset, limit)
        shown = [{k: r[k] for k in MATRIX_CLIENT_COLUMNS} for r in shown]
        body = {"horizon_days": horizon, "value_cutoff": placed["value_cutoff"],
                "tenure_cutoff_days": placed["tenure_cutoff_days"], "cells": placed["cells"],
                "cell": cell, "page": page, "limit": limit, "total": total, "results": shown}
        if table == "cells":
            return answer(site, as_of, "matrix-cells", placed["cells"], CELL_COLUMNS, body, fmt)
        return answer(site, as_of, "matrix", shown, MATRIX_CLIENT_COLUMNS, body, fmt)
