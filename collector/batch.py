"""Server-side events: a batch from an API caller, each event with its own time.

A batch is checked as a whole first (shape, size), then every event goes
through Collector.ingest on its own, so one bad event costs only itself.
The original visitor's IP and user agent, when the caller passes them, are
used exactly as the snippet's request headers are: for the visitor hash and
enrichment, never stored.
"""
import datetime
import ipaddress
import json
from dataclasses import dataclass

from vigie.collector.event_id_generator import derived_event_id
from vigie.collector.pipeline import ClientInfo

UTC = datetime.timezone.utc
MAX_BATCH_EVENTS = 1000
MAX_FUTURE = datetime.timedelta(minutes=5)  # clock skew between the caller and Vigie
MAX_USER_AGENT = 1000
# Fields that describe the request rather than the event: they are taken out
# of the payload before it reaches the pipeline.
_REQUEST_FIELDS = ("timestamp", "ip", "user_agent", "domain", "event_id")
MAX_EVENT_ID = 128


class BadBatch(ValueError):
    """The body as a whole is unusable; nothing in it was accepted."""


class BadItem(ValueError):
    """One event of a batch is unusable: (reason, readable message)."""

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class BatchResult:
    accepted: int
    rejected: list  # [{"index": i, "reason": "...", "error": "..."}], in index order

    def as_json(self):
        return {"accepted": self.accepted, "rejected": self.rejected}


def parse_batch(body, max_events=MAX_BATCH_EVENTS):
    """JSON bytes -> the list under "events", or BadBatch naming the problem."""
    try:
        text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
    except UnicodeDecodeError:
        raise BadBatch("body is not UTF-8 text") from None
    if not text or not text.strip():
        raise BadBatch('body is empty: expected {"events": [...]}')
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadBatch(f"body is not valid JSON: {exc.msg} at line {exc.lineno} "
                       f"column {exc.colno}") from None
    except RecursionError:
        raise BadBatch("body is nested too deeply to be a batch of events") from None
    if not isinstance(payload, dict):
        raise BadBatch(f'body must be a JSON object {{"events": [...]}}, got {type(payload).__name__}')
    events = payload.get("events")
    if events is None:
        raise BadBatch("'events' is required: a list of event objects")
    if not isinstance(events, list):
        raise BadBatch(f"'events' must be a list, got {type(events).__name__}")
    if not events:
        raise BadBatch("'events' is empty: send at least one event")
    if len(events) > max_events:
        raise BadBatch(f"'events' has {len(events)} items; at most {max_events} per request")
    return events


def parse_timestamp(value, now, max_age_days):
    """An ISO 8601 time with a UTC offset, within [now - max_age_days, now + MAX_FUTURE]."""
    if value is None:
        raise BadItem("bad_request", "'timestamp' is required (ISO 8601 with an offset, "
                                     "e.g. 2024-03-10T09:30:00+01:00)")
    if not isinstance(value, str):
        raise BadItem("bad_request", f"'timestamp' must be an ISO 8601 string, got {type(value).__name__}")
    try:
        when = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadItem("bad_request", f"'timestamp' {value[:40]!r} is not an ISO 8601 date and "
                                     "time (e.g. 2024-03-10T09:30:00Z)") from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise BadItem("bad_request", f"'timestamp' {value[:40]!r} has no UTC offset: add Z or "
                                     "+HH:MM so the time is not ambiguous")
    try:
        when = when.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by the offset
        raise BadItem("bad_request", f"'timestamp' {value[:40]!r} is out of range") from None
    if when > now + MAX_FUTURE:
        raise BadItem("timestamp_in_future",
                      f"'timestamp' {value[:40]!r} is more than {int(MAX_FUTURE.total_seconds() // 60)} "
                      "minutes in the future (check the sender's clock)")
    if when < now - datetime.timedelta(days=max_age_days):
        raise BadItem("timestamp_too_old",
                      f"'timestamp' {value[:40]!r} is more than {max_age_days} days old "
                      "(backfill_max_days)")
    return when


def visitor_client(item, caller):
    """The ClientInfo that identifies the event's visitor.

    With neither `ip` nor `user_agent`, every event of the request shares one
    anonymous visitor derived from the caller (its address and key id).
    """
    ip, user_agent = item.get("ip"), item.get("user_agent")
    if ip is not None:
        if not isinstance(ip, str):
            raise BadItem("bad_request", f"'ip' must be a string, got {type(ip).__name__}")
        try:
            ip = str(ipaddress.ip_address(ip.strip()))
        except ValueError:
            raise BadItem("bad_request", f"'ip' {ip[:60]!r} is not an IPv4 or IPv6 address") from None
    if user_agent is not None:
        if not isinstance(user_agent, str):
            raise BadItem("bad_request",
                          f"'user_agent' must be a string, got {type(user_agent).__name__}")
        if len(user_agent) > MAX_USER_AGENT:
            raise BadItem("bad_request", f"'user_agent' is longer than {MAX_USER_AGENT} characters")
    if ip is None and user_agent is None:
        return caller
    return ClientInfo(ip=ip or "", user_agent=user_agent or "")


def supplied_event_id(item, site):
    """The stored id of an event carrying the client's own `event_id`, else None (random).

    Derived from the site and the client's text, so a retry of the same event
    is stored once, and one site's keys never meet another's.
    """
    value = item.get("event_id")
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadItem("bad_request", f"'event_id' must be a string, got {type(value).__name__}")
    if not value or len(value) > MAX_EVENT_ID or not value.isprintable():
        raise BadItem("bad_request", f"'event_id' must be 1 to {MAX_EVENT_ID} printable "
                                     "characters (e.g. a UUID)")
    return derived_event_id("api", site, value)


def _domain(value):
    """A domain as sites are registered: lower-case, no trailing dot, no leading www."""
    if not isinstance(value, str):
        return None
    value = value.strip().lower().rstrip(".")
    return value[4:] if value.startswith("www.") else value


def ingest_batch(collector, site, events, caller, max_age_days, now=None):
    """Run each event through the collector; returns a BatchResult.

    site: the domain the API key belongs to (events name no domain of their own).
    caller: the ClientInfo used for events that carry neither ip nor user_agent.
    """
    now = now or datetime.datetime.now(UTC)
    accepted, rejected = 0, []
    for index, item in enumerate(events):
        try:
            if not isinstance(item, dict):
                raise BadItem("bad_request", f"event must be a JSON object, got {type(item).__name__}")
            if item.get("domain") is not None and _domain(item["domain"]) != site:
                raise BadItem("foreign_site", f"'domain' {str(item['domain'])[:60]!r} is not the "
                                              f"API key's site {site!r}; leave it out")
            when = parse_timestamp(item.get("timestamp"), now, max_age_days)
            client = visitor_client(item, caller)
            event_id = supplied_event_id(item, site)
        except BadItem as exc:
            rejected.append({"index": index, "reason": exc.reason, "error": str(exc)})
            continue
        payload = {k: v for k, v in item.items() if k not in _REQUEST_FIELDS}
        payload["domain"] = site
        result = collector.ingest(payload, client, received_at=when, event_id=event_id)
        if result.accepted:
            accepted += 1
        else:
            rejected.append({"index": index, "reason": result.reason, "error": result.message})
    return BatchResult(accepted, rejected)
