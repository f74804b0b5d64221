"""The `events` table: rows as the collector writes them, and the collector's reads of it."""

EVENT_COLUMNS = (
    "event_id", "site", "ts", "name", "visitor_id", "customer_id", "hostname", "pathname",
    "referrer", "referrer_host", "utm_source", "utm_medium", "utm_campaign", "utm_content",
    "utm_term", "browser", "browser_version", "os", "os_version", "device", "country",
    "language", "screen_width", "prop_keys", "prop_values", "revenue", "currency",
    "engaged_ms", "scroll_depth", "source", "search_term", "channel", "click_id", "region",
    "screen_class", "site_search_term",
)


def insert_events(store, rows):
    """Insert rows (tuples in EVENT_COLUMNS order) in one batch."""
    return store.insert("events", EVENT_COLUMNS, rows)


def visitor_active_between(store, site, visitor_id, since, until):
    """Whether the visitor has an event at a time in [since, until]."""
    return bool(store.query_value(
        "SELECT count() FROM events WHERE site = %(site)s AND visitor_id = %(vid)s "
        "AND ts >= %(since)s AND ts <= %(until)s",
        {"site": site, "vid": visitor_id, "since": since, "until": until}))


def visitor_event_times(store, site, since, until):
    """{visitor_id: sorted event times} of every visitor with events in [since, until)."""
    rows = store.query(
        "SELECT visitor_id, groupArray(ts) FROM events WHERE site = %(site)s "
        "AND ts >= %(since)s AND ts < %(until)s GROUP BY visitor_id",
        {"site": site, "since": since, "until": until})
    return {visitor: sorted(stamps) for visitor, stamps in rows}


def count_site_events(store, site):
    """How many events a site has stored."""
    return store.query_value("SELECT count() FROM events WHERE site = %(s)s", {"s": site})
