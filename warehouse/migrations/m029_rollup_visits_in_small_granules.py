"""Migration 29: rollup_visits in small granules."""

NAME = "rollup_visits in small granules"

STATEMENTS = [
    # A read of one dimension (sources, countries, ...) deserialises the
    # uniq states of every row of each granule it touches, and with 1024
    # rows a granule held every dimension of a day: a breakdown merged
    # ~20 times the states it needed. Same table, same rows, granules of
    # 16 rows. Copied with its current columns (CREATE ... AS), so a
    # column another migration added before this one is kept; the first
    # two statements clean up after an interrupted run of this migration.
    "DROP TABLE IF EXISTS rollup_visits_coarse_granules",
    "DROP TABLE IF EXISTS rollup_visits_small_granules",
    """
    CREATE TABLE rollup_visits_small_granules AS rollup_visits ENGINE = MergeTree
    PARTITION BY toYYYYMM(day)
    ORDER BY (site, dimension, day, value, version)
    SETTINGS index_granularity = 16
    """,
    "INSERT INTO rollup_visits_small_granules SELECT * FROM rollup_visits",
    "RENAME TABLE rollup_visits TO rollup_visits_coarse_granules, "
    "rollup_visits_small_granules TO rollup_visits",
    "DROP TABLE rollup_visits_coarse_granules",
]
