"""Traffic alerts: a spike of current visitors, or a day far below its usual, sent to the site's channels.

Checked at every alerts run (alerts.engine.run_site), from the raw events:

- **spike**: the distinct visitors with an event in the last 5 minutes (the
  Realtime page's "current visitors") reach the site's threshold. The
  message names the top sources of the last 30 minutes' visitors (each
  visitor's first source in the window). A spike is notified again only 12
  hours after the last one.
- **drop**: yesterday, in the site's time zone, had fewer visitors (distinct
  visitors with a pageview or custom event) than `drop_percent` % of the usual
  for that weekday: the median of the same weekday's visitors over the
  `baseline_weeks` weeks before (a weekday without traffic counts as 0). When
  fewer than half of those days had any traffic the site is too new to have
  a usual, and nothing is sent. Each day is notified at most once.

Whatever the kind, a site gets at most MAX_PER_DAY traffic notifications in
any 24 hours (Plausible's rule): the cap counts the rows of
`traffic_notifications`, written before sending, so a crash between the two
never sends a third. Each message goes through alerts.delivery.send (retries,
and the delivery log under the notification's id).
"""
import datetime
import statistics
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from vigie.alerts.clock import UTC
from vigie.alerts.delivery import send
from vigie.alerts.destinations import list_channels
from vigie.alerts.traffic_settings import get_traffic_settings
from vigie.warehouse.sites import get_site

CURRENT_WINDOW = datetime.timedelta(minutes=5)
SOURCES_WINDOW = datetime.timedelta(minutes=30)
SPIKE_REPEAT = datetime.timedelta(hours=12)
CAP_WINDOW = datetime.timedelta(hours=24)
MAX_PER_DAY = 2
TOP_SOURCES = 5
DIRECT = "Direct / None"
_DAY_BOUNDS = "toDate(ts) >= toDate(%(first_day)s) AND toDate(ts) <= toDate(%(last_day)s)"


@dataclass(frozen=True)
class TrafficNotice:
    kind: str       # "spike" or "drop"
    subject: str    # what it is about: the day of a drop, the minute of a spike
    visitors: int
    usual: float    # the spike threshold, or the usual visitors of the weekday
    title: str
    body: str


def _window(lo, hi):
    """Params of [lo, hi] with its UTC days, which let ClickHouse 18.16 skip the others."""
    return {"lo": lo, "hi": hi, "first_day": lo.date(), "last_day": hi.date()}


def current_visitors(store, site, now):
    return int(store.query_value(
        "SELECT uniqExact(visitor_id) FROM events WHERE site = %(site)s AND ts >= %(lo)s "
        f"AND ts <= %(hi)s AND {_DAY_BOUNDS}", dict(_window(now - CURRENT_WINDOW, now), site=site)) or 0)


def top_sources(store, site, now, limit=TOP_SOURCES):
    """[(source, visitors)] of the last 30 minutes' visitors, by each one's first source there."""
    rows = store.query(
        "SELECT src, count() AS visitors FROM ("
        " SELECT visitor_id, argMin(if(source != '', source, referrer_host), ts) AS src FROM events"
        " WHERE site = %(site)s AND name != 'engagement' AND ts >= %(lo)s AND ts <= %(hi)s"
        f" AND {_DAY_BOUNDS} GROUP BY visitor_id"
        ") GROUP BY src ORDER BY visitors DESC, src LIMIT %(limit)s",
        dict(_window(now - SOURCES_WINDOW, now), site=site, limit=limit))
    return [(src or DIRECT, int(n)) for src, n in rows]


def local_day_visitors(store, site, timezone, day):
    """Distinct visitors with a pageview or custom event on `day` in the site's time zone."""
    zone = ZoneInfo(timezone)
    lo = datetime.datetime.combine(day, datetime.time(), zone).astimezone(UTC)
    hi = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone).astimezone(UTC)
    params = dict(_window(lo, hi - datetime.timedelta(seconds=1)), site=site)
    return int(store.query_value(
        "SELECT uniqExact(visitor_id) FROM events WHERE site = %(site)s AND name != 'engagement' "
        f"AND ts >= %(lo)s AND ts <= %(hi)s AND {_DAY_BOUNDS}", params) or 0)


def usual_visitors(counts):
    """The median of the same weekday's visitors of the weeks before, or None when fewer than
    half of those days had any traffic (a site too new to have a usual)."""
    if sum(1 for n in counts if n) * 2 < len(counts):
        return None
    return float(statistics.median(counts))


def spike_notice(store, site, config, now):
    visitors = current_visitors(store, site.domain, now)
    if not config.spike_visitors or visitors < config.spike_visitors:
        return None
    sources = top_sources(store, site.domain, now)
    lines = [f"Site: {site.domain}",
             f"Current visitors (last 5 minutes): {visitors} (alert threshold {config.spike_visitors})",
             "Top sources of the last 30 minutes' visitors:"]
    lines += [f"- {source}: {count}" for source, count in sources] or ["- none recorded"]
    lines.append("The Realtime page of the dashboard shows the traffic as it comes.")
    return TrafficNotice("spike", f"{now:%Y-%m-%d %H:%M}", visitors, float(config.spike_visitors),
                         f"Traffic spike on {site.domain}: {visitors} current visitors", "\n".join(lines))


def drop_notice(store, site, config, now):
    if not config.drop_percent:
        return None
    day = now.astimezone(ZoneInfo(site.timezone)).date() - datetime.timedelta(days=1)
    visitors = local_day_visitors(store, site.domain, site.timezone, day)
    weeks = [day - datetime.timedelta(weeks=n) for n in range(1, config.baseline_weeks + 1)]
    counts = [local_day_visitors(store, site.domain, site.timezone, d) for d in weeks]
    usual = usual_visitors(counts)
    if usual is None or visitors >= usual * config.drop_percent / 100:
        return None
    share = round(100 * visitors / usual) if usual else 0
    lines = [f"Site: {site.domain}",
             f"Visitors on {day:%A %Y-%m-%d} ({site.timezone}): {visitors}",
             f"Usual for a {day:%A}: {usual:g} (median of the {len(weeks)} {day:%A}s before: "
             + ", ".join(str(n) for n in reversed(counts)) + ")",
             f"That is {share} % of the usual; the alert threshold is {config.drop_percent} %.",
             "Check that the tracking snippet is still on the site's pages."]
    return TrafficNotice("drop", day.isoformat(), visitors, usual,
                         f"Traffic drop on {site.domain}: {visitors} visitors on {day:%a %Y-%m-%d}, "
                         f"{share} % of the usual {usual:g}", "\n".join(lines))


def _recent(store, site, since):
    """[(kind, subject, ts)] of the site's traffic notifications since `since`."""
    return store.query("SELECT kind, subject, ts FROM traffic_notifications WHERE site = %(site)s "
                       "AND ts >= %(since)s ORDER BY ts", {"site": site, "since": since})


def _already_sent(store, site, notice, now):
    if notice.kind == "drop":
        return bool(store.query_value(
            "SELECT count() FROM traffic_notifications WHERE site = %(site)s AND kind = 'drop' "
            "AND subject = %(subject)s", {"site": site, "subject": notice.subject}))
    return any(kind == "spike" for kind, _, _ in _recent(store, site, now - SPIKE_REPEAT))


def _targets(store, site, config):
    channels = list_channels(store, site)
    if config.channels:
        return [c for c in channels if c.name in config.channels]
    return [c for c in channels if c.mode == "each"]


@dataclass
class TrafficRun:
    notices: list
    capped: int = 0
    sent: int = 0
    failed: int = 0


def run_traffic_alerts(store, settings, domain, now, sleep):
    """Check the site's spike and drop, record and send what is due within the cap."""
    config = get_traffic_settings(store, domain)
    run = TrafficRun([])
    site = get_site(store, domain)
    if not config.enabled or site is None:
        return run
    due = [n for n in (spike_notice(store, site, config, now), drop_notice(store, site, config, now))
           if n is not None and not _already_sent(store, domain, n, now)]
    room = max(0, MAX_PER_DAY - len(_recent(store, domain, now - CAP_WINDOW + datetime.timedelta(seconds=1))))
    run.capped = max(0, len(due) - room)
    targets = _targets(store, domain, config)
    for notice in due[:room]:
        key = f"traffic-{notice.kind}-{uuid.uuid4().hex[:12]}"
        store.insert("traffic_notifications",
                     ["site", "kind", "subject", "ts", "visitors", "usual", "notification_id"],
                     [(domain, notice.kind, notice.subject, now, notice.visitors, notice.usual, key)])
        run.notices.append(notice)
        for channel in targets:
            if send(store, settings, channel, key, notice.title, notice.body, sleep):
                run.sent += 1
            else:
                run.failed += 1
    return run
