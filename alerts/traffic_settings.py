"""Per-site traffic alert settings (table `traffic_alert_settings`).

A spike is current visitors at or above `spike_visitors`; a drop is a day's
visitors below `drop_percent` % of the usual for that weekday, the usual
being the median of the same weekday over the `baseline_weeks` weeks before.
Either is off at 0. `channels` names the site's alert channels to notify; none
named means every channel of the site that sends one message per alert.
Definitions and the twice-a-day cap: docs/alerts.md, "Traffic alerts".
"""
from dataclasses import dataclass

from vigie.alerts.clock import next_version, utcnow
from vigie.alerts.destinations import list_channels
from vigie.warehouse.sites import get_site, normalise_domain

MAX_SPIKE_VISITORS = 10_000_000
BASELINE_WEEKS = (4, 8)
DEFAULT_BASELINE_WEEKS = 6
_COLUMNS = ["site", "spike_visitors", "drop_percent", "baseline_weeks", "channels", "updated_at",
            "version"]


class TrafficAlertError(ValueError):
    """Traffic alert settings cannot be saved as asked; the message says why."""


@dataclass(frozen=True)
class TrafficAlertSettings:
    site: str
    spike_visitors: int = 0
    drop_percent: int = 0
    baseline_weeks: int = DEFAULT_BASELINE_WEEKS
    channels: tuple = ()

    @property
    def enabled(self):
        return bool(self.spike_visitors or self.drop_percent)


def get_traffic_settings(store, site):
    """The site's settings; both alerts off when none were saved."""
    rows = store.query(
        "SELECT spike_visitors, drop_percent, baseline_weeks, channels FROM traffic_alert_settings "
        "FINAL WHERE site = %(site)s", {"site": site})
    if not rows:
        return TrafficAlertSettings(site)
    spike, drop, weeks, channels = rows[0]
    return TrafficAlertSettings(site, int(spike), int(drop), int(weeks), tuple(channels))


def _whole(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise TrafficAlertError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return value


def set_traffic_settings(store, site, spike_visitors=None, drop_percent=None, baseline_weeks=None,
                         channels=None):
    """Save a site's traffic alert settings; None keeps a value as it is. Returns them."""
    domain = normalise_domain(site)
    if get_site(store, domain) is None:
        raise TrafficAlertError(f"no site {site!r} is registered")
    current = get_traffic_settings(store, domain)
    spike = current.spike_visitors if spike_visitors is None else _whole(
        spike_visitors, "the spike threshold (current visitors, 0 for off)", 0, MAX_SPIKE_VISITORS)
    drop = current.drop_percent if drop_percent is None else _whole(
        drop_percent, "the drop threshold (percent of the usual, 0 for off)", 0, 99)
    weeks = current.baseline_weeks if baseline_weeks is None else _whole(
        baseline_weeks, "the weeks the usual is computed over", *BASELINE_WEEKS)
    named = current.channels
    if channels is not None:
        named = tuple(dict.fromkeys(c.strip() for c in channels if c.strip()))
        unknown = sorted(set(named) - {c.name for c in list_channels(store, domain)})
        if unknown:
            raise TrafficAlertError(f"site {domain} has no alert channel {', '.join(map(repr, unknown))} "
                                    "(add it in Settings, Alert notification channels)")
    saved = TrafficAlertSettings(domain, spike, drop, weeks, named)
    store.insert("traffic_alert_settings", _COLUMNS, [(
        domain, spike, drop, weeks, list(named), utcnow(), next_version())])
    return saved
