"""The registry of tracked sites (table `sites`)."""
import datetime
import re
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class SiteError(ValueError):
    """A site cannot be registered as asked; the message says why."""


# The query parameters most site search forms use; a site may name others (docs/site-search.md).
DEFAULT_SEARCH_PARAMETERS = ("q", "s", "search", "query")
_PARAMETER_RE = re.compile(r"^[A-Za-z0-9_.\-\[\]]{1,50}$")
MAX_SEARCH_PARAMETERS = 10


@dataclass(frozen=True)
class Site:
    domain: str
    timezone: str
    created_at: datetime.datetime
    extra_hostnames: tuple = ()
    identify_customers: bool = False
    respect_privacy_signals: bool = True
    search_parameters: tuple = DEFAULT_SEARCH_PARAMETERS
    search_no_results_page: str = ""
    search_no_results_event: str = ""
    web_vitals: bool = False  # the collector stores the vitals script's reports (docs/web-vitals.md)

    def owns_hostname(self, hostname):
        """A page belongs to the site on its domain, any subdomain, or an extra hostname."""
        hostname = (hostname or "").lower().rstrip(".")
        return (hostname == self.domain or hostname.endswith("." + self.domain)
                or hostname in self.extra_hostnames)


_COLUMNS = ["domain", "timezone", "created_at", "extra_hostnames", "identify_customers",
            "respect_privacy_signals", "search_parameters", "search_no_results_page",
            "search_no_results_event", "web_vitals", "version", "deleted"]
_SELECT = ("SELECT domain, timezone, created_at, extra_hostnames, identify_customers, "
           "respect_privacy_signals, search_parameters, search_no_results_page, "
           "search_no_results_event, web_vitals FROM sites FINAL")


def _site(row):
    domain, timezone, created_at, extra, identify, respect, search, no_page, no_event, vitals = row
    return Site(domain, timezone, created_at, tuple(extra), bool(identify), bool(respect),
                tuple(search), no_page, no_event, bool(vitals))


def normalise_domain(domain):
    value = (domain or "").strip().lower().rstrip(".")
    if value.startswith("www."):
        value = value[4:]
    if not _DOMAIN_RE.match(value):
        raise SiteError(f"{domain!r} is not a domain name (expected something like shop.example.com)")
    return value


def check_timezone(name):
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SiteError(f"{name!r} is not an IANA time zone (e.g. Europe/Paris, UTC)") from None
    return name


def _version():
    return time.time_ns() // 1000


def _write(store, site, deleted=0):
    store.insert("sites", _COLUMNS, [(
        site.domain, site.timezone, site.created_at, list(site.extra_hostnames),
        int(site.identify_customers), int(site.respect_privacy_signals), list(site.search_parameters),
        site.search_no_results_page, site.search_no_results_event, int(site.web_vitals), _version(),
        deleted)])


# Hostnames of a developer's own machine, allowed as extra hostnames so that a
# site can be tested on a dev server (the tracker's data-include-localhost):
# a site accepts their events only once they are listed (docs/snippet.md).
DEV_HOSTNAMES = ("localhost", "127.0.0.1")


def normalise_hostnames(hostnames):
    """Extra hostnames: lowercased host names (no scheme, port or path), deduplicated;
    localhost and 127.0.0.1 are the only names without a domain allowed."""
    result = []
    for name in hostnames or ():
        value = (name or "").strip().lower().rstrip(".")
        if not _DOMAIN_RE.match(value) and value not in DEV_HOSTNAMES:
            raise SiteError(f"{name!r} is not a host name (expected something like cdn.example.net, "
                            "or localhost / 127.0.0.1 to test on your machine)")
        if value not in result:
            result.append(value)
    return tuple(result)


def normalise_search_parameters(names):
    """Query parameter names as typed (case kept: URLs tell `Q` from `q`), deduplicated, in order.

    An empty list is allowed: it turns site search off for the site."""
    result = []
    for name in names or ():
        value = (name or "").strip()
        if not _PARAMETER_RE.match(value):
            raise SiteError(f"{name!r} is not a query parameter name (letters, digits, _ . - [ ], "
                            "at most 50 characters, e.g. q or search)")
        if value not in result:
            result.append(value)
    if len(result) > MAX_SEARCH_PARAMETERS:
        raise SiteError(f"at most {MAX_SEARCH_PARAMETERS} search parameters, not {len(result)}")
    return tuple(result)


def normalise_no_results_page(pattern):
    """A path pattern (`/search/none`, `/search/*/empty`, docs/site-search.md) or ''."""
    value = (pattern or "").strip()
    if value and (not value.startswith("/") or len(value) > 500 or any(c.isspace() for c in value)):
        raise SiteError(f"{pattern!r} is not a page path pattern (it starts with /, has no spaces, "
                        "e.g. /search/no-results or /search/*/empty)")
    return value


def normalise_no_results_event(name):
    value = (name or "").strip()
    if len(value) > 120:
        raise SiteError("the no-results event name is longer than 120 characters")
    return value


def _kept(given, normalise, existing, field, default):
    if given is not None:
        return normalise(given)
    return getattr(existing, field) if existing else default


def add_site(store, domain, timezone=None, extra_hostnames=None, identify_customers=None,
             respect_privacy_signals=None, search_parameters=None, search_no_results_page=None,
             search_no_results_event=None, web_vitals=None):
    """Register a site, or change the settings given (None keeps the current value)."""
    domain = normalise_domain(domain)
    existing = get_site(store, domain)
    if timezone is not None:
        check_timezone(timezone)
    site = Site(
        domain=domain,
        timezone=timezone or (existing.timezone if existing else "UTC"),
        created_at=existing.created_at if existing else
        datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0),
        extra_hostnames=(normalise_hostnames(extra_hostnames) if extra_hostnames is not None
                         else existing.extra_hostnames if existing else ()),
        identify_customers=(bool(identify_customers) if identify_customers is not None
                            else existing.identify_customers if existing else False),
        respect_privacy_signals=(bool(respect_privacy_signals) if respect_privacy_signals is not None
                                 else existing.respect_privacy_signals if existing else True),
        search_parameters=_kept(search_parameters, normalise_search_parameters, existing,
                                "search_parameters", DEFAULT_SEARCH_PARAMETERS),
        search_no_results_page=_kept(search_no_results_page, normalise_no_results_page, existing,
                                     "search_no_results_page", ""),
        search_no_results_event=_kept(search_no_results_event, normalise_no_results_event, existing,
                                      "search_no_results_event", ""),
        web_vitals=_kept(web_vitals, bool, existing, "web_vitals", False),
    )
    _write(store, site)
    return site


def remove_site(store, domain):
    site = get_site(store, normalise_domain(domain))
    if site is None:
        raise SiteError(f"no site {domain!r} is registered")
    _write(store, site, deleted=1)


def list_sites(store):
    return [_site(row) for row in store.query(_SELECT + " WHERE deleted = 0 ORDER BY domain")]


def get_site(store, domain):
    rows = store.query(_SELECT + " WHERE domain = %(d)s AND deleted = 0",
                       {"d": (domain or "").strip().lower()})
    return _site(rows[0]) if rows else None
