"""Sending alerts through apprise: one message per alert, a grouped daily digest, a test.

Each message goes to each channel with a bounded number of attempts and a
doubling wait between them (settings alert_delivery_attempts and
alert_retry_seconds). Every attempt is a row in `alert_deliveries` with the
channel's masked URL; a channel that keeps failing is logged as failed and the
next channel is tried, so one dead webhook never holds back the email.
Raw channel URLs never reach a log line or the delivery log.
"""
import datetime
import logging
import time

import apprise

from vigie.alerts.destinations import list_channels, scrub
from vigie.alerts.clock import is_never, utcnow

log = logging.getLogger(__name__)

MAX_WAIT_SECONDS = 60.0


def _percent(probability):
    return f"{probability:.0%}" if probability >= 0 else "not scored yet"


def format_alert(alert):
    """(title, body) of the message for one alert."""
    title = f"Churn alert ({alert.severity}): client {alert.customer_id} - {alert.rule_name}"
    lines = [
        f"Client: {alert.customer_id}",
        f"Site: {alert.site}",
        f"Rule: {alert.rule_name}",
        f"Severity: {alert.severity}",
        f"Why now: {alert.detail}",
        f"Churn probability: {_percent(alert.probability)}",
    ]
    if alert.reasons:
        lines.append("Reasons:")
        lines.extend(f"- {reason}" for reason in alert.reasons)
    lines.append("Last purchase: " + ("none" if is_never(alert.last_purchase)
                                      else f"{alert.last_purchase:%Y-%m-%d}"))
    lines.append(f"Owner: {alert.owner or 'unassigned'}")
    lines.append(f"Alert: {alert.alert_id} (vigie alerts ack|snooze|resolve {alert.alert_id})")
    return title, "\n".join(lines)


DIGEST_CLIENTS_PER_GROUP = 20
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def digest_groups(alerts):
    """[((severity, rule_name), [alerts])], most severe first, then by rule; clients by churn risk."""
    groups = {}
    for alert in alerts:
        groups.setdefault((alert.severity, alert.rule_name), []).append(alert)
    ordered = sorted(groups.items(), key=lambda g: (_SEVERITY_ORDER.get(g[0][0], 3), g[0][1]))
    return [(key, sorted(members, key=lambda a: (-a.probability, a.customer_id)))
            for key, members in ordered]


def format_digest(site, day, alerts, per_group=DIGEST_CLIENTS_PER_GROUP):
    """(title, body) of the daily digest: the day's new alerts grouped by severity and rule.

    Each group lists at most `per_group` clients, most at risk first, and counts
    the rest, so a day of thousands of alerts is still one readable message.
    """
    title = f"Churn alerts for {site} on {day:%Y-%m-%d}: {len(alerts)} new"
    lines = []
    for (severity, rule_name), members in digest_groups(alerts):
        if lines:
            lines.append("")
        lines.append(f"[{severity}] {rule_name}: {len(members)} new alert{'s' if len(members) > 1 else ''}")
        for alert in members[:per_group]:
            why = alert.reasons[0] if alert.reasons else alert.detail
            lines.append(f"- client {alert.customer_id}: probability {_percent(alert.probability)}; "
                         f"{why}; owner {alert.owner or 'unassigned'}; alert {alert.alert_id}")
        if len(members) > per_group:
            lines.append(f"- ... and {len(members) - per_group} more "
                         f"(the Alerts page lists them all: filter on this rule)")
    return title, "\n".join(lines)


def _log_attempt(store, channel, key, attempt, status, error):
    store.insert("alert_deliveries",
                 ["site", "alert_id", "channel", "target", "attempt", "status", "error", "ts"],
                 [(channel.site, key, channel.name, channel.target, attempt, status, error[:1000],
                   utcnow())])


def _notify_once(channel, title, body, body_format=apprise.NotifyFormat.TEXT):
    """(ok, error) for one attempt; apprise's warnings are the error, scrubbed of secrets."""
    notifier = apprise.Apprise()
    if not notifier.add(channel.url):
        return False, "apprise cannot use this URL"
    with apprise.LogCapture(level=logging.WARNING) as captured:
        try:
            ok = bool(notifier.notify(title=title, body=body, body_format=body_format))
        except Exception as exc:  # a plugin bug must not stop the other channels
            return False, scrub(f"{type(exc).__name__}: {exc}", channel.url)
        messages = [line for line in captured.getvalue().splitlines() if line.strip()]
    return ok, ("" if ok else scrub(messages[-1] if messages else "delivery failed", channel.url))


def send(store, settings, channel, key, title, body, sleep=time.sleep,
         body_format=apprise.NotifyFormat.TEXT):
    """Deliver one message to one channel, retrying; True when it got through.

    An HTML body (body_format HTML) goes to an email as HTML with a plain-text
    part apprise derives from it, and to other services as that text."""
    wait = settings.alert_retry_seconds
    for attempt in range(1, settings.alert_delivery_attempts + 1):
        ok, error = _notify_once(channel, title, body, body_format)
        _log_attempt(store, channel, key, attempt, "sent" if ok else "failed", error)
        if ok:
            log.info("alert %s sent to %s %s (attempt %d)", key, channel.name, channel.target,
                     attempt)
            return True
        log.warning("alert %s to %s %s failed (attempt %d/%d): %s", key, channel.name,
                    channel.target, attempt, settings.alert_delivery_attempts, error)
        if attempt < settings.alert_delivery_attempts:
            sleep(min(wait, MAX_WAIT_SECONDS))
            wait *= 2
    return False


def _channels_for(rule_channels, channels, mode):
    wanted = set(rule_channels) if rule_channels else {c.name for c in channels}
    missing = wanted - {c.name for c in channels}
    return [c for c in channels if c.name in wanted and c.mode == mode], missing


def deliver_alerts(store, settings, site, alerts, rules_by_id, sleep=time.sleep):
    """Send each new alert to its rule's 'each' channels; returns (sent, failed) counts."""
    channels = list_channels(store, site)
    sent = failed = 0
    for alert in alerts:
        rule = rules_by_id.get(alert.rule_id)
        targets, missing = _channels_for(rule.channels if rule else (), channels, "each")
        if missing:
            log.warning("rule %s of %s names unknown channel(s) %s", alert.rule_id, site,
                        ", ".join(sorted(missing)))
        title, body = format_alert(alert)
        for channel in targets:
            if send(store, settings, channel, alert.alert_id, title, body, sleep):
                sent += 1
            else:
                failed += 1
    return sent, failed


def delivered(store, site, channel_name, key):
    """Did a delivery of `key` to that channel get through (a 'sent' attempt in the log)?"""
    return bool(store.query_value(
        "SELECT count() FROM alert_deliveries WHERE site = %(site)s AND channel = %(channel)s "
        "AND alert_id = %(key)s AND status = 'sent'",
        {"site": site, "channel": channel_name, "key": key}))


def send_digest(store, settings, site, day, alerts, sleep=time.sleep):
    """Send the digest of `day` (alerts opened that UTC day) to the site's digest channels.

    A channel that already received this day's digest is skipped, so running
    it again (every scheduler run does, for the day before) sends it once.
    Returns (sent, failed); a day without new alerts sends nothing.
    """
    todays = [a for a in alerts if a.opened_at.date() == day]
    if not todays:
        return 0, 0
    key = f"digest:{day:%Y-%m-%d}"
    title, body = format_digest(site, day, todays)
    sent = failed = 0
    for channel in (c for c in list_channels(store, site) if c.mode == "digest"):
        if delivered(store, site, channel.name, key):
            continue
        if send(store, settings, channel, key, title, body, sleep):
            sent += 1
        else:
            failed += 1
    return sent, failed


def notify_test(store, settings, site, sleep=time.sleep, channel_name=None,
                sender="`vigie alerts notify-test`"):
    """A test message to every channel of the site (or only `channel_name`); returns [(channel, ok)]."""
    title = f"Vigie test notification for {site}"
    body = (f"This channel will receive the churn alerts of {site}. "
            f"Sent {utcnow():%Y-%m-%d %H:%M} UTC by {sender}.")
    return [(channel, send(store, settings, channel, "test", title, body, sleep))
            for channel in list_channels(store, site)
            if channel_name is None or channel.name == channel_name]


def deliveries(store, site, alert_id=None):
    """Delivery log rows as dicts, oldest first."""
    sql = ("SELECT alert_id, channel, target, attempt, status, error, ts FROM alert_deliveries "
           "WHERE site = %(site)s")
    params = {"site": site}
    if alert_id is not None:
        sql += " AND alert_id = %(alert_id)s"
        params["alert_id"] = alert_id
    return store.query_dicts(sql + " ORDER BY ts, alert_id, channel, attempt", params)


def latest_deliveries(store, site, limit):
    """(the newest `limit` delivery log rows, newest first; how many the site has in all):
    what the Alerts page shows, bounded however many messages were ever sent."""
    params = {"site": site, "limit": int(limit)}
    rows = store.query_dicts(
        "SELECT alert_id, channel, target, attempt, status, error, ts FROM alert_deliveries "
        "WHERE site = %(site)s ORDER BY ts DESC, alert_id DESC, channel DESC, attempt DESC "
        "LIMIT %(limit)s", params)
    total = store.query_value("SELECT count() FROM alert_deliveries WHERE site = %(site)s", params)
    return rows, int(total or 0)


def yesterday(now):
    return (now - datetime.timedelta(days=1)).date()
