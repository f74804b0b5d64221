"""Migration 22: session tombstones and contents."""

NAME = "session tombstones and contents"

STATEMENTS = [
    # A re-run of the sessions job writes, for every visit it no longer
    # finds in its window (late events merged it into another or moved its
    # start), a copy with a higher version and deleted = 1. Readers use
    # FINAL ... WHERE deleted = 0, as for sites and users.
    "ALTER TABLE sessions ADD COLUMN deleted UInt8 DEFAULT 0",
    # What a visit contained, for report filters: the distinct pages
    # viewed, custom event names, and custom properties as 'key=value'.
    "ALTER TABLE sessions ADD COLUMN pages Array(String)",
    "ALTER TABLE sessions ADD COLUMN event_names Array(String)",
    "ALTER TABLE sessions ADD COLUMN props Array(String)",
]
