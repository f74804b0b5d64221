"""The `web_vitals` table: one row per page load the vitals script measured (migration 145)."""

VITALS_COLUMNS = (
    "event_id", "site", "ts", "visitor_id", "hostname", "pathname", "device", "country",
    "browser", "os", "lcp_ms", "cls", "inp_ms", "ttfb_ms",
)
# Metric -> its column; a metric the page did not measure holds NOT_MEASURED (no interaction: no INP).
METRIC_COLUMNS = {"lcp": "lcp_ms", "inp": "inp_ms", "cls": "cls", "ttfb": "ttfb_ms"}
NOT_MEASURED = -1.0


def insert_vitals(store, rows):
    """Insert rows (tuples in VITALS_COLUMNS order) in one batch."""
    return store.insert("web_vitals", VITALS_COLUMNS, rows)
