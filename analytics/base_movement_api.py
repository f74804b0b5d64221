"""GET /api/v1/stats/base-movement: realised churn and the base movement per period.

Retention data, with the access rule of /rfm and /clv (analytics/customer_value_api.py):
a site's API key, or a signed-in admin or retention account of the site. The
horizon and whether visits count are the site's churn settings
(`churn_horizon_days`, `churn_label_requires_no_visit`), so the figures use
the churn model's own definition. Reference: docs/customer-value.md.
"""
from flask import jsonify, request

from vigie.analytics.base_movement import (DEFAULT_PERIODS, GRAINS, MAX_PERIODS, MOVEMENT_COLUMNS,
                                           RISK_BANDS, base_movement)
from vigie.analytics.customer_value_api import retention_request
from vigie.analytics.rfm import SEGMENTS
from vigie.analytics.stats_csv import csv_response
from vigie.analytics.stats_request import FORMATS, ApiError, _one, choice_param, int_param, optional_choice


def movement_request(args):
    """The report's keyword arguments from query parameters, each checked."""
    plan = _one(args, "plan") or None
    if plan is not None and len(plan) > 200:
        raise ApiError(400, "plan: at most 200 characters")
    return {"grain": choice_param(args, "period", GRAINS, "month"),
            "periods": int_param(args, "periods", DEFAULT_PERIODS, 1, MAX_PERIODS),
            "segment": optional_choice(args, "segment", SEGMENTS),
            "plan": plan,
            "risk_band": optional_choice(args, "band", RISK_BANDS)}


def register_base_movement_endpoint(bp, store, settings, session_user):
    """Add GET /base-movement to the Stats API blueprint `bp`."""

    @bp.route("/base-movement", methods=["GET"], endpoint="base_movement")
    def movement():
        site, as_of = retention_request(store, session_user)
        options = movement_request(request.args)
        fmt = choice_param(request.args, "format", FORMATS, "json")
        report = base_movement(store, site.domain, as_of, settings.churn_horizon_days,
                               with_visits=settings.churn_label_requires_no_visit, **options)
        if fmt == "csv":
            return csv_response(report["periods"], MOVEMENT_COLUMNS,
                                f"base-movement-{site.domain}-{as_of}.csv")
        body = {k: v for k, v in report.items() if k != "periods"}
        body.update(site=site.domain, as_of=as_of.isoformat(), results=report["periods"])
        return jsonify(body)
