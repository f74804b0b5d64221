"""Stats API endpoints for customer value: /api/v1/stats/rfm and /api/v1/stats/clv.

These are retention data (who the best and the fading clients are), so the
rule differs from the traffic reports: an API key of the site, or a signed-in
account whose role opens the churn area (admin, retention) and that may see
the site. A marketer's account is refused. Errors, CSV and caching follow
the rest of the Stats API (analytics/stats_api.py registers these routes on
its blueprint, so its error handlers apply). Reference: docs/customer-value.md.
"""
import datetime
import logging

from flask import jsonify, request

from vigie.analytics.customer_value import AS_OF_RANGE, CLV_COLUMNS, RFM_COLUMNS
from vigie.analytics.value_memo import kept_rfm_report, value_basis
from vigie.analytics.rfm import SEGMENTS
from vigie.analytics.stats_csv import csv_response
from vigie.analytics.stats_request import (DEFAULT_LIMIT, FORMATS, MAX_LIMIT, ApiError, Principal,
                                           _one, authenticate, choice_param, int_param, optional_choice,
                                           readable_site)

log = logging.getLogger(__name__)

SEGMENT_COLUMNS = ["segment", "customers", "share", "net_revenue", "description"]
BUCKET_COLUMNS = ["value", "from", "to", "customers"]
MAX_HORIZON_DAYS = 3650


def _retention_account(user):
    """An admin or retention account may read customer value of its sites; others are refused."""
    if not user.can("churn"):
        raise ApiError(403, "customer value is retention data: this account's role does not "
                            "include churn (ask an admin for the retention role)")
    return Principal(f"user {user.email}", None if user.is_admin else frozenset(user.sites))


def retention_principal(store, authorization_header, session_user):
    """Who asks, if they may read retention data: a site's API key, or an admin / retention account."""
    return authenticate(store, authorization_header, session_user, account=_retention_account)


def _as_of(args):
    """The as-of date: transactions before its midnight UTC count; default today (UTC)."""
    text = _one(args, "date")
    if not text:
        return datetime.datetime.now(datetime.timezone.utc).date()
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, f"date: {text!r} is not a date like 2026-03-01 (the as-of date)") from None
    if not AS_OF_RANGE[0] <= day <= AS_OF_RANGE[1]:
        raise ApiError(400, f"date: {text!r} is outside {AS_OF_RANGE[0]}..{AS_OF_RANGE[1]} (the as-of date)")
    return day


def retention_request(store, session_user):
    """(site, as-of date) of a retention data request, once its reader may see the site."""
    principal = retention_principal(store, request.headers.get("Authorization"), session_user)
    return readable_site(store, request.args, principal), _as_of(request.args)


def _paging(args):
    limit = int_param(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    page = int_param(args, "page", 1, 1, 1_000_000)
    return limit, page, (page - 1) * limit


def register_customer_value_endpoints(bp, store, session_user, settings):
    """Add GET /rfm and /clv to the Stats API blueprint `bp`."""

    def answer(site, as_of, name, table, columns, body, limit, page, fmt):
        if fmt == "csv":
            return csv_response(table, columns, f"{name}-{site.domain}-{as_of}.csv")
        return jsonify(dict(site=site.domain, as_of=as_of.isoformat(), page=page, limit=limit, **body))

    @bp.route("/rfm", methods=["GET"], endpoint="rfm")
    def rfm():
        site, as_of = retention_request(store, session_user)
        args = request.args
        segment = optional_choice(args, "segment", SEGMENTS)
        table = choice_param(args, "table", ("clients", "segments"), "clients")
        limit, page, offset = _paging(args)
        fmt = choice_param(args, "format", FORMATS, "json")
        report = kept_rfm_report(store, site.domain, as_of, segment, settings.clv_horizon_days,
                                 settings.clv_discount_rate)
        clients = [dict(c, last_purchase=c["last_purchase"].isoformat()) for c in report["clients"]]
        shown = clients[offset:offset + limit]
        body = {"customers": report["customers"], "segment": segment, "segments": report["segments"],
                "grid": report["grid"], "total": len(clients), "results": shown}
        if table == "segments":
            return answer(site, as_of, "rfm-segments", report["segments"], SEGMENT_COLUMNS, body,
                          limit, page, fmt)
        return answer(site, as_of, "rfm", shown, RFM_COLUMNS, body, limit, page, fmt)

    @bp.route("/clv", methods=["GET"], endpoint="clv")
    def clv():
        site, as_of = retention_request(store, session_user)
        args = request.args
        horizon = int_param(args, "horizon", settings.clv_horizon_days, 1, MAX_HORIZON_DAYS)
        table = choice_param(args, "table", ("clients", "buckets"), "clients")
        limit, page, offset = _paging(args)
        fmt = choice_param(args, "format", FORMATS, "json")
        _, report = value_basis(store, site.domain, as_of, horizon, settings.clv_discount_rate)
        clients = [dict(c, first_purchase=c["first_purchase"].isoformat(),
                        last_purchase=c["last_purchase"].isoformat()) for c in report["clients"]]
        shown = clients[offset:offset + limit]
        body = {k: report[k] for k in ("horizon_days", "discount_rate", "customers", "historical_total",
                                       "predicted_total", "model", "spend_model", "prediction_note",
                                       "historical_buckets", "predicted_buckets")}
        body.update(total=len(clients), results=shown)
        if table == "buckets":
            buckets = ([dict(b, value="historical") for b in report["historical_buckets"]]
                       + [dict(b, value="predicted") for b in report["predicted_buckets"]])
            return answer(site, as_of, "clv-buckets", buckets, BUCKET_COLUMNS, body, limit, page, fmt)
        return answer(site, as_of, "clv", shown, CLV_COLUMNS, body, limit, page, fmt)
