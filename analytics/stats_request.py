"""What every Stats API endpoint shares: who is asking, and what they asked for.

An endpoint calls `authenticate(...)` then `parse_stats_request(...)` and gets
a StatsRequest with the site (access checked), the period in the site's time
zone, the comparison, the filters and the page of rows wanted, or an
ApiError carrying the HTTP status and a message naming the bad parameter.

Every endpoint accepts the dashboard's own query string (dashboard/tables.py
`csv_link` follows it with a browser session): `period=custom&from=..&to=..`
as well as `date=..,..`, `compare=..`, one `f_NAME=VALUE` per filter and
`segment=ID`, a saved segment whose filters join the explicit ones
(analytics.segments: a contradicting explicit filter is a 400 naming it).
Those parameters are checked everywhere, so a malformed one is a 400 on any
endpoint; an endpoint that cannot use them lists them in `ignored`.
"""
import logging
from dataclasses import dataclass, field
from typing import Optional

from flask import jsonify, request

from vigie.analytics.filters import check_filters
from vigie.analytics.period import COMPARISONS, PERIOD_KEYS, Period, comparison_period, period_from_key
from vigie.analytics.segments import SegmentConflict, combined_filters
from vigie.warehouse import StoreError
from vigie.warehouse.api_keys import bearer_token, verify_api_key
from vigie.warehouse.segments import ID_RE as SEGMENT_ID_RE, Reader, find_segment
from vigie.warehouse.sites import get_site

DEFAULT_PERIOD = "7d"
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
# A CSV download is a whole table, not a screenful: without `limit`, it holds
# up to MAX_LIMIT rows.
DEFAULT_CSV_LIMIT = MAX_LIMIT
FORMATS = ("json", "csv")
# One query parameter per filter, as in the dashboard's URLs
# (dashboard.selection.FILTER_PREFIX; tests/analytics/test_stats_contract.py
# checks they agree).
FILTER_PREFIX = "f_"


class ApiError(Exception):
    """A request Vigie refuses: `status` is the HTTP code, the message says why."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Principal:
    """Who is asking: an API key (one site) or a signed-in dashboard account."""
    label: str                          # "api key <key_id>" or "user <email>", for logs
    sites: Optional[frozenset] = None   # the sites it may read; None: every site
    is_key: bool = False
    account: str = ""   # the dashboard account's email; "" for an API key
    is_admin: bool = False

    @property
    def reader(self):
        """Who reads saved segments (warehouse.segments): a key sees the shared ones only."""
        return Reader(self.account, self.is_admin)

    def may_read(self, domain):
        return self.sites is None or domain in self.sites

    def refusal(self, domain):
        if self.is_key:
            return f"site: this API key is for {', '.join(sorted(self.sites))}, not {domain}"
        return f"site: this account may not see {domain}"


def account_principal(user):
    """What a dashboard account may read: admins every site, others the sites granted to them.

    An account whose role does not include analytics (warehouse.users.User.can)
    is refused outright.
    """
    label = f"user {user.email}"
    if user.is_admin:
        return Principal(label, account=user.email, is_admin=True)
    if not user.can("analytics"):
        raise ApiError(403, "this account's role does not include analytics")
    return Principal(label, frozenset(user.sites), account=user.email)


def authenticate(store, authorization_header, session_user, account=None):
    """The Principal behind a request, or ApiError 401.

    A Bearer API key wins over a session cookie, so a script never borrows a
    browser's session by accident. `session_user` returns the signed-in
    dashboard account or None.
    """
    if authorization_header:
        key = verify_api_key(store, bearer_token(authorization_header))
        if key is None:
            raise ApiError(401, "invalid, unknown or revoked API key "
                                "(expected Authorization: Bearer vk_...)")
        return Principal(f"api key {key.key_id}", frozenset({key.site}), is_key=True)
    user = session_user()
    if user is None:
        raise ApiError(401, "authentication required: send Authorization: Bearer <API key> "
                            "or sign in to the dashboard")
    # `account` turns a signed-in user into a Principal (or refuses it);
    # endpoints of retention data pass their own rule.
    return (account or account_principal)(user)


@dataclass(frozen=True)
class StatsRequest:
    site: object        # warehouse.sites.Site
    period_key: str
    period: Period
    limit: int
    page: int
    format: str
    compare: str = ""   # "" or one of analytics.period.COMPARISONS
    filters: dict = field(default_factory=dict)  # filter name -> value (analytics.filters)
    segment: object = None  # the warehouse.segments.Segment applied, whose filters are in `filters`

    @property
    def offset(self):
        return (self.page - 1) * self.limit

    def period_json(self):
        return {"key": self.period_key, "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat()}

    def comparison(self):
        """The Period compared with, or None without `compare`."""
        return comparison_period(self.period, self.compare) if self.compare else None

    def unused(self, uses_compare, uses_filters):
        """The parameters given that an endpoint cannot apply, for its `ignored` field."""
        names = ["compare"] if self.compare and not uses_compare else []
        if not uses_filters:
            explicit = set(self.filters) - set(self.segment.filters if self.segment else ())
            names += [FILTER_PREFIX + name for name in sorted(explicit)]
            names += ["segment"] if self.segment else []
        return names


def _one(args, name, default=None):
    values = args.getlist(name) if hasattr(args, "getlist") else [args.get(name)]
    values = [v for v in values if v is not None]
    if len(values) > 1:
        raise ApiError(400, f"{name}: give it once, not {len(values)} times")
    return values[0].strip() if values else default


def int_param(args, name, default, low, high):
    text = _one(args, name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, f"{name}: {text!r} is not a whole number") from None
    if not low <= value <= high:
        raise ApiError(400, f"{name}: {value} is not between {low} and {high}")
    return value


def choice_param(args, name, choices, default):
    value = _one(args, name, default) or default
    if value not in choices:
        raise ApiError(400, f"{name}: {value!r} is not one of {', '.join(choices)}")
    return value


def optional_choice(args, name, choices):
    """One of `choices`, or None when the parameter is absent or empty."""
    return choice_param(args, name, choices, None) if _one(args, name) else None


def text_param(args, name):
    """The parameter's text, or None when it is absent; 400 when it is given empty."""
    value = _one(args, name)
    if value is None:
        return None
    if not value:
        raise ApiError(400, f"{name}: empty value")
    return value


def list_param(args, name, choices, default):
    """A comma-separated subset of `choices`, in the order given; `default` when absent."""
    text = _one(args, name)
    if not text:
        return list(default)
    values = [v.strip() for v in text.split(",") if v.strip()]
    for value in values:
        if value not in choices:
            raise ApiError(400, f"{name}: {value!r} is not one of {', '.join(choices)}")
    return list(dict.fromkeys(values))


def required_param(args, name, hint):
    value = _one(args, name)
    if not value:
        raise ApiError(400, f"{name}: missing ({hint})")
    return value


def _custom_dates(args):
    """(parameter named in errors, first day, last day) of a custom period.

    `date=first,last` is the API's own form; `from=first&to=last` is the
    dashboard's, accepted so its URLs work here unchanged.
    """
    dates, first, last = _one(args, "date"), _one(args, "from"), _one(args, "to")
    if dates and (first or last):
        raise ApiError(400, "date: give either date=first,last or from=..&to=.., not both")
    if first or last:
        if not (first and last):
            raise ApiError(400, f"{'to' if first else 'from'}: missing (from=YYYY-MM-DD&to=YYYY-MM-DD)")
        return "from", first, last
    if not dates:
        raise ApiError(400, "date: period=custom needs date=YYYY-MM-DD,YYYY-MM-DD "
                            "(or from=YYYY-MM-DD&to=YYYY-MM-DD)")
    parts = dates.split(",")
    if len(parts) != 2:
        raise ApiError(400, f"date: {dates!r} is not two dates like 2024-01-01,2024-01-31")
    return "date", parts[0].strip(), parts[1].strip()


def _period(args, timezone, today):
    key = choice_param(args, "period", PERIOD_KEYS, DEFAULT_PERIOD)
    if key != "custom":
        for name in ("date", "from", "to"):
            if _one(args, name):
                raise ApiError(400, f"{name}: only with period=custom")
        return key, period_from_key(key, timezone, today=today)
    named, first, last = _custom_dates(args)
    try:
        return key, period_from_key(key, timezone, today=today, start=first, end=last)
    except ValueError as exc:
        raise ApiError(400, f"{named}: {exc}") from None


def compare_param(args):
    """'' or a comparison of analytics.period.COMPARISONS; empty counts as none."""
    value = _one(args, "compare") or ""
    if value and value not in COMPARISONS:
        raise ApiError(400, f"compare: {value!r} is not one of {', '.join(COMPARISONS)}")
    return value


def filters_param(args):
    """{filter name: value} from the f_NAME=VALUE parameters; 400 naming a malformed one."""
    filters = {}
    for param in sorted({k for k in args.keys() if k.startswith(FILTER_PREFIX)}):
        name = param[len(FILTER_PREFIX):]
        if not name:
            raise ApiError(400, f"{param}: a filter needs a name, e.g. {FILTER_PREFIX}country=FR")
        value = _one(args, param)
        if not value:
            raise ApiError(400, f"{param}: empty value (give {param}=VALUE or leave the filter out)")
        try:
            filters.update(check_filters({name: value}))
        except ValueError as exc:
            raise ApiError(400, f"{param}: {exc}") from None
    return filters


def segment_param(store, args, site, principal, explicit):
    """(Segment or None, the filters to apply): `segment=ID` joined with the explicit filters.

    A segment of another site, or another account's private one, gets the
    same 404 as an id that was never saved, so ids cannot be probed."""
    segment_id = _one(args, "segment")
    if segment_id is None or segment_id == "":
        return None, explicit
    if not SEGMENT_ID_RE.match(segment_id):
        raise ApiError(400, f"segment: {segment_id[:40]!r} is not a segment id (16 hexadecimal "
                            f"characters, listed by GET /api/v1/segments?site=DOMAIN)")
    segment = find_segment(store, site.domain, segment_id, principal.reader)
    if segment is None:
        raise ApiError(404, f"segment: site {site.domain} has no segment {segment_id!r}")
    try:
        return segment, combined_filters(segment, explicit)
    except SegmentConflict as exc:
        raise ApiError(400, f"{FILTER_PREFIX}{exc.name}: {exc}") from None


def readable_site(store, args, principal):
    """The site named by the `site` parameter, once `principal` may read it.

    Asking for a site one may not read gets 403 before the site is even
    looked up, so nobody can probe which domains Vigie tracks.
    """
    domain = required_param(args, "site", "the site's domain, e.g. site=shop.example.com").lower()
    if not principal.may_read(domain):
        logging.getLogger(__name__).warning("stats api: %s refused %s", principal.label, domain)
        raise ApiError(403, principal.refusal(domain))
    site = get_site(store, domain)
    if site is None:
        raise ApiError(404, f"site: no site {domain!r} is registered")
    return site


def parse_stats_request(store, args, principal, today=None):
    """site, period, dates, compare, filters, segment, limit, page and format, checked;
    ApiError names the first bad one; the site as readable_site checks it.
    """
    site = readable_site(store, args, principal)
    period_key, period = _period(args, site.timezone, today)
    fmt = choice_param(args, "format", FORMATS, "json")
    default_limit = DEFAULT_CSV_LIMIT if fmt == "csv" else DEFAULT_LIMIT
    segment, filters = segment_param(store, args, site, principal, filters_param(args))
    return StatsRequest(
        site=site, period_key=period_key, period=period,
        limit=int_param(args, "limit", default_limit, 1, MAX_LIMIT),
        page=int_param(args, "page", 1, 1, 1_000_000),
        format=fmt, compare=compare_param(args), filters=filters, segment=segment,
    )


def answer_errors(bp, label):
    """Answer a blueprint's ApiError and StoreError as JSON, and forbid caching its answers."""
    log = logging.getLogger(f"vigie.analytics.{bp.name}")

    @bp.errorhandler(ApiError)
    def refused(exc):
        response = jsonify(error=exc.message)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="vigie"'
        return response, exc.status

    @bp.errorhandler(StoreError)
    def store_down(exc):
        log.error("%s: store error on %s: %s", label, request.path, exc)
        return jsonify(error="the database is unavailable; try again shortly"), 503

    @bp.after_request
    def no_cache(response):
        response.headers.setdefault("Cache-Control", "no-store")
        return response
