"""Hand-built events for tests: every column filled, only what matters named."""
import datetime
import uuid

from vigie.warehouse.events import EVENT_COLUMNS, insert_events as _insert

UTC = datetime.timezone.utc

DEFAULTS = {
    "customer_id": "", "hostname": "", "pathname": "/", "referrer": "", "referrer_host": "",
    "utm_source": "", "utm_medium": "", "utm_campaign": "", "utm_content": "", "utm_term": "",
    "browser": "Chrome", "browser_version": "124.0", "os": "Windows", "os_version": "10",
    "device": "desktop", "country": "", "language": "en-us", "screen_width": 1280,
    "prop_keys": [], "prop_values": [], "revenue": 0.0, "currency": "", "engaged_ms": 0,
    "scroll_depth": 0, "source": "", "search_term": "", "channel": "", "click_id": "",
    "region": "", "screen_class": "", "site_search_term": "",
}


def at(text):
    """'2024-03-10 09:00:00' -> aware UTC datetime."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def event(site, ts, name="pageview", visitor=1, **columns):
    """One events row as a dict; `ts` is an aware datetime or 'YYYY-MM-DD HH:MM:SS' UTC."""
    unknown = set(columns) - set(EVENT_COLUMNS)
    if unknown:
        raise KeyError(f"not events columns: {sorted(unknown)}")
    row = dict(DEFAULTS, hostname=site, **columns)
    row.update(event_id=uuid.uuid4(), site=site, ts=at(ts) if isinstance(ts, str) else ts,
               name=name, visitor_id=visitor)
    return row


def insert_events(store, events):
    return _insert(store, [tuple(e[c] for c in EVENT_COLUMNS) for e in events])


def past_goal_change(store, site):
    """Wait (at most a second) until a rollup built now counts as built after the site's last
    goal change. Goals keep whole seconds, so a day rolled up in the same second as a change is
    rebuilt once more rather than trusted (analytics.rollups.goals_changed); a test that rolls
    up right after adding a goal and expects the days to be trusted waits for the next second."""
    import time
    from vigie.analytics.rollups import goals_changed
    wait = goals_changed(store, site) / 1e6 - time.time()
    if wait > 0:
        time.sleep(min(wait + 0.01, 1.1))
