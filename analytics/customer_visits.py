"""One identified client's web visits, for the client timeline.

Visits come from the sessions table the sessions job writes (analytics/
sessionize.py), joined to the client by the `customer_id` the site sends
for logged-in visitors. Read with FINAL and without tombstones, so a visit
re-sessionized by a later run shows once. Source and channel are those of
the visit's first event (docs/metrics.md).
"""
from dataclasses import dataclass

MAX_VISITS = 1000


@dataclass(frozen=True)
class CustomerVisit:
    session_id: int
    start: object       # datetime, UTC
    duration: int       # seconds, as defined for visit duration
    pageviews: int
    entry_page: str
    exit_page: str
    source: str
    channel: str
    device: str
    bounce: bool


def customer_visits(store, site, customer_id, limit=200):
    """The client's visits, newest first, at most `limit`."""
    if not 1 <= limit <= MAX_VISITS:
        raise ValueError(f"limit must be between 1 and {MAX_VISITS}")
    rows = store.query(
        "SELECT session_id, start, duration, pageviews, entry_page, exit_page, source, channel, "
        "device, bounce FROM sessions FINAL "
        "WHERE site = %(site)s AND customer_id = %(id)s AND deleted = 0 "
        f"ORDER BY start DESC, session_id LIMIT {int(limit)}",
        {"site": site, "id": customer_id})
    return [CustomerVisit(int(sid), start, int(duration), int(pageviews), entry, exit_page, source,
                          channel, device, bool(bounce))
            for sid, start, duration, pageviews, entry, exit_page, source, channel, device, bounce in rows]
