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
from vigie.analytics.customer_value_api import _as_of, _site, retention_principal
from vigie.analytics.rfm import SEGMENTS
from vigie.analytics.stats_csv import csv_response
from vigie.analytics.stats_request import FORMATS, ApiError, _one, choice_param, int_param


def _choice_or_none(args, name, choices):
    value = _one(args, name) or None
    if value is not None and value not in choices:
        raise ApiError(400, f"{name}: {value!r} is not one of {', '.join(choices)}")
    return value


def movement_request(args):
    """The report's keyword arguments from query parameters, each checked."""
    plan = _one(args, "plan") or None
    if plan is not None and len(plan) > 200:
        raise ApiError(400, "plan: at most 200 characters")
    return {"grain": choice_param(args, "period", GRAINS, "month"),
            "periods": int_param(args, "periods", DEFAULT_PERIODS, 1, MAX_PERIODS),
            "segment": _choice_or_none(args, "segment", SEGMENTS),
            "plan": plan,
            "risk_band": _choice_or_none(args, "band", RISK_BANDS)}


def register_base_movement_endpoint(bp, store, settings, session_user):
    """Add GET /base-movement to the Stats API blueprint `bp`."""

    @bp.route("/base-movement", methods=["GET"], endpoint="base_movement")
    def movement():
        principal = retention_principal(store, request.headers.get("Authorization"), session_user)
        args = request.args
        site = _site(store, args, principal)
        as_of = _as_of(args)
        options = movement_request(args)
        fmt = choice_param(args, "format", FORMATS, "json")
        report = base_movement(store, site.domain, as_of, settings.churn_horizon_days,
                               with_visits=settings.churn_label_requires_no_visit, **options)
        if fmt == "csv":
            return csv_response(report["periods"], MOVEMENT_COLUMNS,
                                f"base-movement-{site.domain}-{as_of}.csv")
        body = {k: v for k, v in report.items() if k != "periods"}
        body.update(site=site.domain, as_of=as_of.isoformat(), results=report["periods"])
        return jsonify(body)
