"""Migration 28: conversions in rollups."""

NAME = "conversions in rollups"

STATEMENTS = [
    # Visits that reached at least one goal, per rollup row. Days rolled
    # up before this column existed hold 0 there; rollup_days.layout tells
    # them apart (1: without conversions, 2: with), and readers take a
    # day from the rollups only when its layout is the current one
    # (analytics.rollups.ROLLUP_LAYOUT), so such a day is read raw until
    # the rollups job rebuilds it.
    "ALTER TABLE rollup_visits ADD COLUMN conversions UInt64 DEFAULT 0",
    "ALTER TABLE rollup_days ADD COLUMN layout UInt16 DEFAULT 1",
]
