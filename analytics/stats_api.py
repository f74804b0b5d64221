"""The Stats API: /api/v1/stats/... as JSON or CSV, for API keys and signed-in accounts.

Each endpoint is a builder `(StatsRequest, args) -> (body, table)`: `body` is
what the JSON answer adds to the common site/period/page fields, `table` the
rows a CSV export holds. Authentication, parameters, errors and CSV are
shared (analytics.stats_request, analytics.stats_csv), so another report
plugs in with a builder and one `@endpoint` line. An endpoint says whether it
applies `compare` and the f_NAME filters; when it does not, the JSON answer
lists them in `ignored` rather than refusing the dashboard's query string.
Reference: docs/stats-api.md.
"""
import datetime
import logging

from flask import Blueprint, jsonify, request

from vigie.analytics.breakdowns import BREAKDOWNS, breakdown
from vigie.analytics.base_movement_api import register_base_movement_endpoint
from vigie.analytics.customer_value_api import register_customer_value_endpoints
from vigie.analytics.portfolio_api import register_portfolio_endpoints
from vigie.analytics.funnels import funnel_report, get_funnel
from vigie.analytics.goals import conversions, get_goal
from vigie.analytics.journeys import (DEFAULT_PAGES, DEFAULT_STEPS, MAX_PAGES, MAX_STEPS, MIN_STEPS,
                                      journeys)
from vigie.analytics.period import INTERVALS as TIMESERIES_INTERVALS
from vigie.analytics.query import aggregate, timeseries
from vigie.analytics.realtime import realtime_report
from vigie.analytics.retention import INTERVALS, cohorts, new_vs_returning
from vigie.analytics.site_search import REPORTS as SEARCH_REPORTS, no_results_terms, search_page
from vigie.analytics.stats_csv import csv_filename, csv_response
from vigie.analytics.web_vitals import CSV_COLUMNS as VITALS_COLUMNS, TABLES as VITALS_TABLES
from vigie.analytics.web_vitals import flat_row, vitals_page
from vigie.analytics.stats_request import (MAX_LIMIT, ApiError, answer_errors, authenticate, choice_param,
                                           compare_param,
                                           int_param, list_param, parse_stats_request, required_param,
                                           text_param)

log = logging.getLogger(__name__)

GOAL_COLUMNS = ["goal_id", "name", "kind", "pattern", "visitors", "conversion_rate", "completions",
                "revenue", "revenue_by_currency", "median_seconds_to_convert"]
FUNNEL_COLUMNS = ["step", "kind", "pattern", "label", "visitors", "dropoff",
                  "conversion_from_previous", "conversion_from_first"]
EVENT_COLUMNS = ["time", "name", "page", "source", "country", "device"]
COHORT_COLUMNS = ["cohort", "customers", "returning", "retention"]
# The metrics of analytics.query.visit_metrics, in the order answers list them.
METRICS = ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration",
           "time_on_page", "conversions", "conversion_rate", "revenue"]
AGGREGATE_COLUMNS = ["metric", "value", "previous", "change"]
# Hourly buckets of a long period would be thousands of rows of mostly zeros.
MAX_HOURLY_DAYS = 31
BREAKDOWN_COLUMNS = {
    "pages": ["value", "visitors", "pageviews", "time_on_page", "entries", "bounce_rate"],
    "events": ["value", "events", "visitors", "revenue"],
    "props": ["key", "value", "events", "visitors", "revenue"],
    "outbound_links": ["value", "events", "visitors"],
    "file_downloads": ["value", "events", "visitors"],
    "exit_page": ["value"] + METRICS + ["exits", "exit_rate"],
}
SEARCH_COLUMNS = {
    "terms": ["value", "searches", "visitors", "visits", "searches_per_visit"],
    "no_results": ["value", "searches", "visitors"],
    "next_pages": ["value", "searches", "visitors"],
}
JOURNEY_COLUMNS = {
    "nodes": ["step", "page", "visitors", "drop_off"],
    "links": ["from_step", "from", "to_step", "to", "visitors"],
}
# The parameters that choose which table an endpoint answers with; a CSV is named after them.
TABLE_PARAMS = ("property", "event", "funnel_id", "interval", "report")
RETURNING_COLUMNS = ["visitors", "new_visitors", "returning_visitors", "visits", "new_visits",
                     "returning_visits", "returning_visit_share"]


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def rows_deep(req, what):
    """How many rows the asked page needs, at most MAX_LIMIT; `what` names the table."""
    depth = req.offset + req.limit
    if depth > MAX_LIMIT:
        raise ApiError(400, f"page: {what} goes {MAX_LIMIT} rows deep; page {req.page} of "
                            f"{req.limit} rows would need {depth}")
    return depth


def compared_days(req):
    """The days of the comparison period, as answers give them."""
    previous = req.comparison()
    return {"from": previous.start.isoformat(), "to": previous.end.isoformat()}


def create_stats_blueprint(store, settings, session_user):
    """The API blueprint; `session_user()` returns the signed-in dashboard account or None."""
    bp = Blueprint("stats_api", __name__, url_prefix="/api/v1/stats")
    timeout = settings.visit_timeout_minutes

    def endpoint(path, columns, uses_compare=False, uses_filters=False):
        """Register `build` at `path`; `columns` is the CSV header, or a function of args giving it."""
        def register(build):
            def view():
                principal = authenticate(store, request.headers.get("Authorization"), session_user)
                try:
                    req = parse_stats_request(store, request.args, principal)
                except ApiError as exc:
                    if exc.status == 403:
                        log.warning("stats api: %s refused for %s", principal.label, request.args.get("site"))
                    raise
                body, table = build(req, request.args)
                if req.format == "csv":
                    name = csv_filename(path.strip("/"), *(request.args.get(p) for p in TABLE_PARAMS),
                                        req.site.domain, req.period.start, req.period.end)
                    return csv_response(table, columns(request.args) if callable(columns) else columns,
                                        name)
                common = dict(site=req.site.domain, period=req.period_json(), page=req.page,
                              limit=req.limit)
                if uses_filters:
                    common["filters"] = req.filters
                    if req.segment is not None:
                        common["segment"] = {"id": req.segment.segment_id, "name": req.segment.name}
                ignored = req.unused(uses_compare, uses_filters)
                if ignored:
                    common["ignored"] = ignored
                return jsonify(_jsonable(dict(common, **body)))
            bp.add_url_rule(path, endpoint=build.__name__, view_func=view, methods=["GET"])
            return build
        return register

    def page_of(rows, req):
        return rows[req.offset:req.offset + req.limit]

    def metrics_of(args):
        return list_param(args, "metrics", METRICS, METRICS)

    @endpoint("/aggregate", AGGREGATE_COLUMNS, uses_compare=True, uses_filters=True)
    def aggregate_metrics(req, args):
        wanted = metrics_of(args)
        found = aggregate(store, req.site, req.period, req.filters, req.compare or None)
        if req.compare:
            results = {m: found[m] for m in wanted}
            body = {"compare": req.compare, "comparison": compared_days(req)}
        else:
            results = {m: {"value": found[m]} for m in wanted}
            body = {}
        table = [{"metric": m, **numbers} for m, numbers in results.items()]
        return dict(body, results=results), table

    def timeseries_columns(args):
        return ["bucket"] + metrics_of(args)

    @endpoint("/timeseries", timeseries_columns, uses_filters=True)
    def timeseries_metrics(req, args):
        wanted = metrics_of(args)
        interval = choice_param(args, "interval", TIMESERIES_INTERVALS, req.period.interval)
        if interval == "hour" and req.period.days > MAX_HOURLY_DAYS:
            raise ApiError(400, f"interval: hourly buckets need a period of at most {MAX_HOURLY_DAYS} "
                                f"days, not {req.period.days}; use interval=day")
        rows = timeseries(store, req.site, req.period.with_interval(interval), req.filters)
        rows = [{"bucket": row["bucket"], **{m: row[m] for m in wanted}} for row in rows]
        return {"interval": interval, "results": rows}, rows

    def breakdown_property(args):
        required_param(args, "property", f"one of {', '.join(BREAKDOWNS)}")
        return choice_param(args, "property", BREAKDOWNS, None)

    def breakdown_columns(args):
        return BREAKDOWN_COLUMNS.get(breakdown_property(args), ["value"] + METRICS)

    @endpoint("/breakdown", breakdown_columns, uses_filters=True)
    def breakdown_rows(req, args):
        prop = breakdown_property(args)
        event_name = text_param(args, "event")
        if event_name is not None and prop != "props":
            raise ApiError(400, "event: only with property=props (the properties of one event)")
        depth = rows_deep(req, "a breakdown")
        rows = breakdown(store, req.site, req.period, prop, req.filters, limit=depth,
                         event_name=event_name)[req.offset:]
        body = {"property": prop, "results": rows}
        if event_name is not None:
            body["event"] = event_name
        return body, rows

    @endpoint("/goals", GOAL_COLUMNS, uses_filters=True)
    def goals(req, args):
        rows = page_of(conversions(store, req.site, req.period, timeout, req.filters), req)
        return {"results": rows}, rows

    @endpoint("/funnel", FUNNEL_COLUMNS, uses_filters=True)
    def funnel(req, args):
        funnel_id = required_param(args, "funnel_id", "see GET with `vigie funnels list DOMAIN`")
        found = get_funnel(store, req.site.domain, funnel_id)
        if found is None:
            raise ApiError(404, f"funnel_id: site {req.site.domain} has no funnel {funnel_id!r}")
        report = funnel_report(store, req.site, found, req.period, timeout, req.filters)
        return {"funnel": report, "results": report["steps"]}, report["steps"]

    # The last minutes' raw events, before any visit is sessionized: no filter applies.
    @endpoint("/realtime", EVENT_COLUMNS)
    def realtime(req, args):
        report = realtime_report(store, req.site, limit=req.limit, offset=req.offset)
        return report, report["events"]

    @endpoint("/cohorts", COHORT_COLUMNS, uses_filters=True)
    def cohort_table(req, args):
        interval = choice_param(args, "interval", INTERVALS, "week")
        rows = page_of(cohorts(store, req.site, req.period, interval, req.filters), req)
        return {"interval": interval, "results": rows}, rows

    @endpoint("/returning", RETURNING_COLUMNS, uses_filters=True)
    def returning(req, args):
        row = new_vs_returning(store, req.site, req.period, timeout, req.filters)
        return {"results": row}, [row]

    def search_columns(args):
        return SEARCH_COLUMNS[choice_param(args, "report", SEARCH_REPORTS, "terms")]

    @endpoint("/site-search", search_columns, uses_compare=True, uses_filters=True)
    def site_search(req, args):
        report = choice_param(args, "report", SEARCH_REPORTS, "terms")
        depth = rows_deep(req, "a site search report")
        # One pass of the searches gives the summary with the terms and the pages after searching.
        summary, terms, pages = search_page(store, req.site, req.period, timeout, req.filters,
                                            req.compare or None, limit=depth)
        rows = (terms if report == "terms" else pages if report == "next_pages"
                else no_results_terms(store, req.site, req.period, req.filters, limit=depth))
        body = {"report": report, "summary": summary, "results": rows[req.offset:]}
        if req.compare:
            body.update(compare=req.compare, comparison=compared_days(req))
        return body, body["results"]

    @endpoint("/web-vitals", VITALS_COLUMNS, uses_compare=True, uses_filters=True)
    def web_vitals(req, args):
        report = choice_param(args, "report", VITALS_TABLES, "pages")
        depth = rows_deep(req, "a web vitals table")
        # One pass gives the summary with the three tables.
        found = vitals_page(store, req.site, req.period, req.filters, req.compare or None, limit=depth)
        rows = found[report][req.offset:]
        body = {"report": report, "summary": found["summary"], "results": rows}
        if req.compare:
            body.update(compare=req.compare, previous=found["previous"], changes=found["changes"],
                        comparison=compared_days(req))
        return body, [flat_row(r) for r in rows]

    def journey_columns(args):
        report = choice_param(args, "report", tuple(JOURNEY_COLUMNS), "nodes")
        compared = report == "nodes" and compare_param(args)
        return JOURNEY_COLUMNS[report] + (["previous", "change"] if compared else [])

    @endpoint("/journeys", journey_columns, uses_compare=True, uses_filters=True)
    def journey_paths(req, args):
        report = choice_param(args, "report", tuple(JOURNEY_COLUMNS), "nodes")
        entry_page, goal_id = text_param(args, "entry_page"), text_param(args, "goal_id")
        if entry_page is not None and goal_id is not None:
            raise ApiError(400, "entry_page, goal_id: a journey starts from an entry page or leads "
                                "to a goal, not both")
        if goal_id is not None and get_goal(store, req.site.domain, goal_id) is None:
            raise ApiError(404, f"goal_id: site {req.site.domain} has no goal {goal_id!r}")
        found = journeys(store, req.site, req.period, int_param(args, "steps", DEFAULT_STEPS, MIN_STEPS,
                                                               MAX_STEPS),
                         entry_page=entry_page, goal_id=goal_id, filters=req.filters,
                         compare=req.compare or None,
                         pages=int_param(args, "pages", DEFAULT_PAGES, 1, MAX_PAGES),
                         timeout_minutes=timeout)
        body = dict(found, report=report, entry_page=entry_page, goal_id=goal_id,
                    results=page_of(found[report], req))
        if req.compare:
            body.update(compare=req.compare, comparison=compared_days(req))
        return body, body["results"]

    # Retention data with its own access rule (admin / retention accounts, site keys).
    register_customer_value_endpoints(bp, store, session_user, settings)
    register_portfolio_endpoints(bp, store, session_user, settings)
    register_base_movement_endpoint(bp, store, settings, session_user)

    answer_errors(bp, "stats api")
    return bp
