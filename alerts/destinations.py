"""Where a site's alerts go: its delivery channels, as apprise URLs.

The module is named for what a channel is to alerts (a destination), apart
from the marketing channels visits come from (collector/channels.py).

A channel is a named apprise URL (mailto://, json://, slack://, msteams://...;
see docs/alerts.md) with a mode: 'each' sends one message per new alert,
'digest' one message a day listing the day's new alerts. Rules name the
channels their alerts use.

The URLs carry credentials (SMTP passwords, webhook tokens), so the store is
the one place they are kept in full: everything shown or logged goes through
mask_url first.
"""
import dataclasses
import datetime
import re
from dataclasses import dataclass

import apprise

from vigie.alerts import mailbox  # noqa: F401  (registers mbox:// with apprise)
from vigie.alerts.clock import aware, next_version, utcnow
from vigie.warehouse.sites import get_site, normalise_domain

MODES = ("each", "digest")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")


class ChannelError(ValueError):
    """A channel cannot be added or removed as asked; the message says why."""


@dataclass(frozen=True)
class Channel:
    site: str
    name: str
    url: str
    mode: str
    created_at: datetime.datetime

    @property
    def target(self):
        """The URL as it may be shown: secrets masked."""
        return mask_url(self.url)


def mask_url(url):
    """An apprise URL with its secrets hidden, for listings and the delivery log.

    apprise knows which parts of each service's URL are secret (passwords,
    tokens in the path of a Slack or Teams URL): its privacy rendering keeps
    the service and host readable and masks the rest. The query string (often
    a mix of options and tokens) is dropped whole.
    """
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        return f"{scheme}://***"
    return plugin.url(privacy=True).split("?", 1)[0]


def scrub(text, url):
    """`text` (an error message) with every piece of the raw URL that mask_url hides removed."""
    def pieces(value):
        return {p for p in re.split(r"[/:@?&=#]+", value.split("://", 1)[-1]) if len(p) >= 3}
    secret = pieces(url) - pieces(mask_url(url))
    for piece in sorted(secret, key=len, reverse=True):
        text = text.replace(piece, "***")
    return text


_COLUMNS = ["site", "name", "url", "mode", "created_at", "version", "deleted"]
_SELECT = "SELECT site, name, url, mode, created_at FROM alert_channels FINAL WHERE deleted = 0"


def _channel(row):
    site, name, url, mode, created_at = row
    return Channel(site, name, url, mode, aware(created_at))


def _write(store, channel, deleted=0):
    store.insert("alert_channels", _COLUMNS, [(
        channel.site, channel.name, channel.url, channel.mode, channel.created_at,
        next_version(), deleted)])


def add_channel(store, site, name, url, mode="each"):
    """Add a channel to a registered site, or replace the channel of that name."""
    domain = normalise_domain(site)
    if get_site(store, domain) is None:
        raise ChannelError(f"no site {site!r} is registered")
    name = (name or "").strip().lower()
    if not _NAME_RE.match(name):
        raise ChannelError(f"channel name {name!r}: use letters, digits, '.', '_' or '-' "
                           "(up to 63), e.g. retention-email")
    if mode not in MODES:
        raise ChannelError(f"mode {mode!r}: use 'each' (a message per alert) or 'digest' (daily)")
    url = (url or "").strip()
    if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
        raise ChannelError(f"{mask_url(url)} is not a notification URL apprise understands "
                           "(e.g. mailto://, json://, slack://, msteams://)")
    channel = Channel(domain, name, url, mode, utcnow())
    _write(store, channel)
    return channel


def list_channels(store, site):
    return [_channel(row) for row in store.query(
        _SELECT + " AND site = %(site)s ORDER BY name", {"site": normalise_domain(site)})]


def remove_channel(store, site, name):
    channel = next((c for c in list_channels(store, site) if c.name == name), None)
    if channel is None:
        raise ChannelError(f"site {site} has no channel {name!r}")
    _write(store, dataclasses.replace(channel), deleted=1)
    return channel
