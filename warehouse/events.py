"""The `events` table as the collector writes it."""

EVENT_COLUMNS = (
    "event_id", "site", "ts", "name", "visitor_id", "customer_id", "hostname", "pathname",
    "referrer", "referrer_host", "utm_source", "utm_medium", "utm_campaign", "utm_content",
    "utm_term", "browser", "browser_version", "os", "os_version", "device", "country",
    "language", "screen_width", "prop_keys", "prop_values", "revenue", "currency",
    "engaged_ms", "scroll_depth", "source", "search_term", "channel", "click_id", "region",
    "screen_class",
)


def insert_events(store, rows):
    """Insert rows (tuples in EVENT_COLUMNS order) in one batch."""
    return store.insert("events", EVENT_COLUMNS, rows)
