"""The `dropped_events` table: counts of events dropped on purpose, per site, UTC day and reason.

A SummingMergeTree, so batches from every process and every flush add up.
"""
COLUMNS = ("site", "day", "reason", "events")


def write_drop_counts(store, rows):
    """Insert (site, day, reason, events) rows in one batch."""
    store.insert("dropped_events", COLUMNS, rows)


def dropped_counts(store, site, since, until):
    """{(day, reason): events} stored for a site between two dates (inclusive)."""
    rows = store.query(
        "SELECT day, reason, sum(events) FROM dropped_events "
        "WHERE site = %(site)s AND day >= %(since)s AND day <= %(until)s "
        "GROUP BY day, reason ORDER BY day, reason",
        {"site": site, "since": since, "until": until})
    return {(day, reason): int(events) for day, reason, events in rows}
