"""Which events of a batch are already stored: what makes a spool replay idempotent.

A batch whose insert landed just before a crash (or after a client-side
timeout) is replayed from the spool; only its events that are not in `events`
yet are written again. The lookup is narrowed to the batch's sites and days so
ClickHouse reads only the parts that can hold them, and the ids go in chunks
that keep each query well under the server's max_query_size.
"""
IDS_PER_QUERY = 2000
_TABLES = ("events", "web_vitals")  # the tables the collector writes rows with event ids to


def stored_event_ids(store, events, table="events"):
    """The ids (as text) among `events` already in `table` (events, or web_vitals).

    events: iterable of (event_id, site, ts) with ts an aware datetime.
    """
    if table not in _TABLES:
        raise ValueError(f"no event ids are kept in table {table!r}")
    events = list(events)
    found = set()
    for start in range(0, len(events), IDS_PER_QUERY):
        chunk = events[start:start + IDS_PER_QUERY]
        rows = store.query(
            f"SELECT toString(event_id) FROM {table}"
            " WHERE site IN %(sites)s AND toDate(ts) IN %(days)s"
            " AND toString(event_id) IN %(ids)s",
            {"sites": tuple({site for _, site, _ in chunk}),
             "days": tuple({ts.date() for _, _, ts in chunk}),
             "ids": tuple(str(event_id) for event_id, _, _ in chunk)})
        found.update(row[0] for row in rows)
    return found
