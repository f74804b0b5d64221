"""What every Stats API endpoint shares: who is asking, and what they asked for.

An endpoint calls `authenticate(...)` then `parse_stats_request(...)` and gets
a StatsRequest with the site (access checked), the period in the site's time
zone and the page of rows wanted, or an ApiError carrying the HTTP status
and a message naming the bad parameter. Aggregate, timeseries or breakdown
endpoints reuse both unchanged.
"""
from dataclasses import dataclass
from typing import Optional

from analytics.period import PERIOD_KEYS, Period, period_from_key
from warehouse.api_keys import bearer_token, verify_api_key
from warehouse.sites import get_site

DEFAULT_PERIOD = "7d"
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
FORMATS = ("json", "csv")


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
        return Principal(label)
    if not user.can("analytics"):
        raise ApiError(403, "this account's role does not include analytics")
    return Principal(label, frozenset(user.sites))


def authenticate(store, authorization_header, session_user):
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
    return account_principal(user)


@dataclass(frozen=True)
class StatsRequest:
    site: object        # warehouse.sites.Site
    period_key: str
    period: Period
    limit: int
    page: int
    format: str

    @property
    def offset(self):
        return (self.page - 1) * self.limit

    def period_json(self):
        return {"key": self.period_key, "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat()}


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


def required_param(args, name, hint):
    value = _one(args, name)
    if not value:
        raise ApiError(400, f"{name}: missing ({hint})")
    return value


def _period(args, timezone, today):
    key = choice_param(args, "period", PERIOD_KEYS, DEFAULT_PERIOD)
    dates = _one(args, "date")
    if key != "custom":
        if dates:
            raise ApiError(400, "date: only with period=custom")
        return key, period_from_key(key, timezone, today=today)
    if not dates:
        raise ApiError(400, "date: period=custom needs date=YYYY-MM-DD,YYYY-MM-DD")
    parts = dates.split(",")
    if len(parts) != 2:
        raise ApiError(400, f"date: {dates!r} is not two dates like 2024-01-01,2024-01-31")
    try:
        return key, period_from_key(key, timezone, today=today, start=parts[0].strip(), end=parts[1].strip())
    except ValueError as exc:
        raise ApiError(400, f"date: {exc}") from None


def parse_stats_request(store, args, principal, today=None):
    """site, period, date, limit, page and format, checked; ApiError names the first bad one.

    Asking for a site one may not read gets 403 before the site is even
    looked up, so nobody can probe which domains Vigie tracks.
    """
    domain = required_param(args, "site", "the site's domain, e.g. site=shop.example.com").lower()
    if not principal.may_read(domain):
        raise ApiError(403, principal.refusal(domain))
    site = get_site(store, domain)
    if site is None:
        raise ApiError(404, f"site: no site {domain!r} is registered")
    period_key, period = _period(args, site.timezone, today)
    return StatsRequest(
        site=site, period_key=period_key, period=period,
        limit=int_param(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        page=int_param(args, "page", 1, 1, 1_000_000),
        format=choice_param(args, "format", FORMATS, "json"),
    )

