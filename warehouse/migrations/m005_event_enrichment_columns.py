"""Migration 5: event enrichment columns."""

NAME = "event enrichment columns"

STATEMENTS = [
    # Classified once at ingest (see docs/channels.md): the named source
    # of the referrer or UTM source, the search term when the referrer
    # carries one, the marketing channel, which ad click id was present,
    # the region from the IP database, and the screen size class.
    "ALTER TABLE events ADD COLUMN source String",
    "ALTER TABLE events ADD COLUMN search_term String",
    "ALTER TABLE events ADD COLUMN channel String",
    "ALTER TABLE events ADD COLUMN click_id String",
    "ALTER TABLE events ADD COLUMN region String",
    "ALTER TABLE events ADD COLUMN screen_class String",
]
