"""The registry of tracked sites (table `sites`)."""
import datetime
import re
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class SiteError(ValueError):
    """A site cannot be registered as asked; the message says why."""


@dataclass(frozen=True)
class Site:
    domain: str
    timezone: str
    created_at: datetime.datetime

    def owns_hostname(self, hostname):
        """A page belongs to the site on its domain, www., or any subdomain."""
        hostname = (hostname or "").lower().rstrip(".")
        return hostname == self.domain or hostname.endswith("." + self.domain)


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


def add_site(store, domain, timezone="UTC"):
    """Register a site; re-adding an existing domain updates its time zone."""
    domain = normalise_domain(domain)
    check_timezone(timezone)
    existing = get_site(store, domain)
    created = existing.created_at if existing else datetime.datetime.now(datetime.timezone.utc)
    store.insert("sites", ["domain", "timezone", "created_at", "version", "deleted"],
                 [(domain, timezone, created, _version(), 0)])
    return Site(domain, timezone, created)


def remove_site(store, domain):
    site = get_site(store, normalise_domain(domain))
    if site is None:
        raise SiteError(f"no site {domain!r} is registered")
    store.insert("sites", ["domain", "timezone", "created_at", "version", "deleted"],
                 [(site.domain, site.timezone, site.created_at, _version(), 1)])


def list_sites(store):
    rows = store.query(
        "SELECT domain, timezone, created_at FROM sites FINAL WHERE deleted = 0 ORDER BY domain")
    return [Site(*row) for row in rows]


def get_site(store, domain):
    rows = store.query(
        "SELECT domain, timezone, created_at FROM sites FINAL WHERE domain = %(d)s AND deleted = 0",
        {"d": (domain or "").strip().lower()})
    return Site(*rows[0]) if rows else None
