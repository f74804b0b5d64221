"""Numbered schema migrations, recorded in `schema_migrations`.

Each migration is a list of statements that both backends accept. A migration
is applied once, in order; the applied numbers live in the store, so
`vigie db migrate` is safe to run at every start. Never edit a migration that
has shipped: add the next number.

Numbers are grouped by area so parts can grow their schema independently:
1-19 ingestion (events, sites, users, salts, keys), 20-39 analytics (sessions,
goals, jobs, rollups), 40-59 churn (customers, transactions, models, scores),
60-79 alerts, 80-99 dashboard. Within an area, numbers only go up.
"""
import datetime
import logging

log = logging.getLogger(__name__)

MIGRATIONS = [
    (1, "events", [
        # One row per accepted event. Enrichment is done at ingest and stored
        # as columns so reports never re-parse user agents or referrers.
        """
        CREATE TABLE IF NOT EXISTS events (
            event_id UUID,
            site String,
            ts DateTime('UTC'),
            name String,
            visitor_id UInt64,
            customer_id String,
            hostname String,
            pathname String,
            referrer String,
            referrer_host String,
            utm_source String,
            utm_medium String,
            utm_campaign String,
            utm_content String,
            utm_term String,
            browser String,
            browser_version String,
            os String,
            os_version String,
            device String,
            country String,
            language String,
            screen_width UInt16,
            prop_keys Array(String),
            prop_values Array(String),
            revenue Float64,
            currency String,
            engaged_ms UInt32,
            scroll_depth UInt8
        ) ENGINE = MergeTree
        PARTITION BY toYYYYMM(ts)
        ORDER BY (site, toDate(ts), visitor_id, ts)
        """,
    ]),
    (2, "sites", [
        # ReplacingMergeTree keyed by domain: an update is a new row with a
        # higher version; readers use FINAL.
        """
        CREATE TABLE IF NOT EXISTS sites (
            domain String,
            timezone String,
            created_at DateTime('UTC'),
            version UInt64,
            deleted UInt8
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY domain
        """,
    ]),
    (3, "users", [
        """
        CREATE TABLE IF NOT EXISTS users (
            email String,
            password_hash String,
            is_admin UInt8,
            created_at DateTime('UTC'),
            version UInt64,
            deleted UInt8
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY email
        """,
    ]),
    (4, "salts", [
        # The daily secret that keys visitor ids. Shared through the store so
        # every collector process agrees on it; old days are deleted.
        """
        CREATE TABLE IF NOT EXISTS salts (
            day Date,
            salt String,
            created_at DateTime('UTC')
        ) ENGINE = MergeTree
        ORDER BY (day, salt)
        """,
    ]),
    (5, "event enrichment columns", [
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
    ]),
    (6, "site settings", [
        # Hostnames beyond the domain and its subdomains; whether customer ids
        # are accepted; whether Do-Not-Track / Global Privacy Control stop
        # tracking (1, the default) or are ignored (0).
        "ALTER TABLE sites ADD COLUMN extra_hostnames Array(String)",
        "ALTER TABLE sites ADD COLUMN identify_customers UInt8 DEFAULT 0",
        "ALTER TABLE sites ADD COLUMN respect_privacy_signals UInt8 DEFAULT 1",
    ]),
    (7, "api keys", [
        # Server-side API keys, one site each. Only a hash of the secret is
        # kept; key_id is the public prefix shown in listings.
        """
        CREATE TABLE IF NOT EXISTS api_keys (
            key_id String,
            site String,
            name String,
            secret_hash String,
            created_at DateTime('UTC'),
            version UInt64,
            revoked UInt8
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY key_id
        """,
    ]),
    (8, "dropped events", [
        # Events refused or dropped on purpose (bots, spam, privacy signals,
        # rate limits...), counted per site, day and reason; read with sum().
        """
        CREATE TABLE IF NOT EXISTS dropped_events (
            site String,
            day Date,
            reason String,
            events UInt64
        ) ENGINE = SummingMergeTree(events)
        ORDER BY (site, day, reason)
        """,
    ]),
    (12, "access log imports", [
        # One row per access-log file imported (vigie import access-log),
        # keyed by a SHA-256 of its bytes, so the same file is not counted twice.
        """
        CREATE TABLE IF NOT EXISTS access_log_imports (
            site String,
            digest String,
            file_name String,
            lines UInt64,
            accepted UInt64,
            imported_at DateTime('UTC')
        ) ENGINE = MergeTree
        ORDER BY (site, digest)
        """,
    ]),
    (20, "sessions", [
        # One row per visit, built from events by the sessions job
        # (analytics). Re-running a window writes rows with a higher version;
        # readers use FINAL (or argMax by version) so a visit is never counted
        # twice. Source, channel and UTM tags are those of the visit's first
        # event; goals holds the goal_id of every goal the visit reached.
        """
        CREATE TABLE IF NOT EXISTS sessions (
            site String,
            session_id UInt64,
            visitor_id UInt64,
            customer_id String,
            start DateTime('UTC'),
            end DateTime('UTC'),
            duration UInt32,
            pageviews UInt32,
            events UInt32,
            engaged_ms UInt64,
            entry_page String,
            exit_page String,
            bounce UInt8,
            hostname String,
            referrer String,
            referrer_host String,
            source String,
            search_term String,
            channel String,
            click_id String,
            utm_source String,
            utm_medium String,
            utm_campaign String,
            utm_content String,
            utm_term String,
            device String,
            browser String,
            browser_version String,
            os String,
            os_version String,
            country String,
            region String,
            language String,
            screen_class String,
            goals Array(String),
            revenue Float64,
            currency String,
            version UInt64
        ) ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(start)
        ORDER BY (site, toDate(start), visitor_id, session_id)
        """,
    ]),
    (21, "goals", [
        # Conversion goals per site. kind 'pageview': pattern is a path
        # pattern (warehouse.path_patterns); kind 'event': pattern is a custom
        # event name. revenue_goal marks goals whose events carry revenue.
        """
        CREATE TABLE IF NOT EXISTS goals (
            site String,
            goal_id String,
            name String,
            kind String,
            pattern String,
            revenue_goal UInt8,
            created_at DateTime('UTC'),
            version UInt64,
            deleted UInt8
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY (site, goal_id)
        """,
    ]),
    (22, "session tombstones and contents", [
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
    ]),
    (23, "job runs", [
        # One row per run of a batch job over one site and window (analytics.jobs).
        # A run writes its row when it starts (status 'running') and again when
        # it ends, with the same run_id and a higher version.
        """
        CREATE TABLE IF NOT EXISTS job_runs (
            run_id String,
            job String,
            site String,
            since DateTime('UTC'),
            until DateTime('UTC'),
            started DateTime('UTC'),
            finished DateTime('UTC'),
            status String,
            error String,
            rows UInt64,
            version UInt64
        ) ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(started)
        ORDER BY (job, site, run_id)
        """,
        # How far each job has processed each site: the `until` of its last
        # successful run. The next scheduled run starts from here minus a lookback.
        """
        CREATE TABLE IF NOT EXISTS job_watermarks (
            job String,
            site String,
            until DateTime('UTC'),
            updated_at DateTime('UTC'),
            version UInt64
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY (job, site)
        """,
    ]),
    (24, "daily rollups", [
        # Per site, local day and dimension value: visits, visitors as a uniq
        # state (so several days merge into distinct visitors with uniqMerge),
        # and sums. Each rebuild of a day writes a new generation (version);
        # rollup_days names the current one, and readers take only that.
        """
        CREATE TABLE IF NOT EXISTS rollup_visits (
            site String,
            day Date,
            version UInt64,
            dimension String,
            value String,
            visitors AggregateFunction(uniq, UInt64),
            visits UInt64,
            pageviews UInt64,
            bounces UInt64,
            duration UInt64,
            engaged_ms UInt64,
            revenue Float64
        ) ENGINE = MergeTree
        PARTITION BY toYYYYMM(day)
        ORDER BY (site, dimension, day, value, version)
        SETTINGS index_granularity = 1024
        """,
        """
        CREATE TABLE IF NOT EXISTS rollup_pages (
            site String,
            day Date,
            version UInt64,
            pathname String,
            visitors AggregateFunction(uniq, UInt64),
            pageviews UInt64,
            engaged_ms UInt64
        ) ENGINE = MergeTree
        PARTITION BY toYYYYMM(day)
        ORDER BY (site, day, pathname, version)
        """,
        """
        CREATE TABLE IF NOT EXISTS rollup_days (
            site String,
            day Date,
            version UInt64,
            timezone String,
            built_at DateTime('UTC')
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY (site, day)
        """,
    ]),
    (25, "analytics job run claims", [
        # Every `vigie serve` worker schedules the analytics jobs; a claim row
        # per (job, time slot, attempt) lets one of them run each slot, and a
        # second row with finished_us > 0 says the run completed. A claim
        # whose lease_us passed unfinished is retried (analytics.job_claims).
        # Times are in microseconds: whole seconds could not order two
        # claims made in one second.
        """
        CREATE TABLE IF NOT EXISTS job_run_claims (
            job String,
            slot UInt64,
            attempt UInt32,
            claimant String,
            claimed_us UInt64,
            lease_us UInt64,
            finished_us UInt64
        ) ENGINE = MergeTree
        ORDER BY (job, slot, attempt, claimant)
        """,
    ]),
    (28, "conversions in rollups", [
        # Visits that reached at least one goal, per rollup row. Days rolled
        # up before this column existed hold 0 there; rollup_days.layout tells
        # them apart (1: without conversions, 2: with), and readers take a
        # day from the rollups only when its layout is the current one
        # (analytics.rollups.ROLLUP_LAYOUT), so such a day is read raw until
        # the rollups job rebuilds it.
        "ALTER TABLE rollup_visits ADD COLUMN conversions UInt64 DEFAULT 0",
        "ALTER TABLE rollup_days ADD COLUMN layout UInt16 DEFAULT 1",
    ]),
    (29, "rollup_visits in small granules", [
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
    ]),
    (30, "funnels", [
        # Ordered conversion paths per site. Step i is (step_kinds[i],
        # step_patterns[i]) with the kinds and patterns of goals; window_days
        # 0 means every step within one visit, N within N days of step 1.
        """
        CREATE TABLE IF NOT EXISTS funnels (
            site String,
            funnel_id String,
            name String,
            step_kinds Array(String),
            step_patterns Array(String),
            window_days UInt16,
            created_at DateTime('UTC'),
            version UInt64,
            deleted UInt8
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY (site, funnel_id)
        """,
    ]),
    (31, "visitor states as uniqCombined(17)", [
        # Rollups count unique visitors with uniqCombined(17) states instead
        # of uniq ones: they merge 1.5-2.5 times as fast; exact up to about
        # 8,000 visitors like uniq, a few tenths of a percent off between
        # 8,000 and 65,536 where uniq is exact, as close above (analytics/
        # rollups.py, docs/metrics.md). The two kinds of state do
        # not convert, so both tables are recreated empty with the new type
        # and the days rolled up before stay at layout 2 in rollup_days:
        # reports read those days raw until the rollups job has rebuilt them,
        # which it does by itself, oldest first (analytics/job_catalog.py).
        # Each step can run again after an interrupted run.
        "DROP TABLE IF EXISTS rollup_visits_combined",
        """
        CREATE TABLE rollup_visits_combined (
            site String,
            day Date,
            version UInt64,
            dimension String,
            value String,
            visitors AggregateFunction(uniqCombined(17), UInt64),
            visits UInt64,
            pageviews UInt64,
            bounces UInt64,
            duration UInt64,
            engaged_ms UInt64,
            revenue Float64,
            conversions UInt64 DEFAULT 0
        ) ENGINE = MergeTree
        PARTITION BY toYYYYMM(day)
        ORDER BY (site, dimension, day, value, version)
        SETTINGS index_granularity = 16
        """,
        "DROP TABLE IF EXISTS rollup_visits",
        "RENAME TABLE rollup_visits_combined TO rollup_visits",
        "DROP TABLE IF EXISTS rollup_pages_combined",
        """
        CREATE TABLE rollup_pages_combined (
            site String,
            day Date,
            version UInt64,
            pathname String,
            visitors AggregateFunction(uniqCombined(17), UInt64),
            pageviews UInt64,
            engaged_ms UInt64
        ) ENGINE = MergeTree
        PARTITION BY toYYYYMM(day)
        ORDER BY (site, day, pathname, version)
        """,
        "DROP TABLE IF EXISTS rollup_pages",
        "RENAME TABLE rollup_pages_combined TO rollup_pages",
    ]),
    (40, "customers", [
        # The CRM side: one row per client of a site. Re-importing a client
        # writes a higher version (ReplacingMergeTree: read with FINAL).
        # contract_status: active, cancelled (notice given), ended, or '' when
        # the business has no contracts.
        """
        CREATE TABLE IF NOT EXISTS customers (
            site String,
            customer_id String,
            created_at DateTime('UTC'),
            plan String,
            contract_status String,
            contract_ended_at Nullable(DateTime('UTC')),
            segment String,
            owner String,
            attr_keys Array(String),
            attr_values Array(String),
            version UInt64,
            deleted UInt8
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY (site, customer_id)
        """,
    ]),
    (41, "transactions", [
        # type: purchase, renewal, refund or cancellation; amount is positive
        # for money in and negative for refunds. transaction_id makes a
        # re-import replace instead of adding (derived when a file has none).
        # No monthly partitions: FINAL only merges rows within a partition, and
        # a corrected transaction may move to another month.
        """
        CREATE TABLE IF NOT EXISTS transactions (
            site String,
            customer_id String,
            transaction_id String,
            ts DateTime('UTC'),
            amount Float64,
            currency String,
            type String,
            origin String,
            version UInt64
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY (site, customer_id, transaction_id)
        """,
    ]),
    (42, "churn scores", [
        # One row per client per scoring run: the churn probability of the
        # promoted model, its risk band and up to three plain-language reasons
        # (reason_features names the feature behind each reason).
        """
        CREATE TABLE IF NOT EXISTS churn_scores (
            site String,
            customer_id String,
            as_of Date,
            scored_at DateTime('UTC'),
            model_version String,
            probability Float64,
            risk_band String,
            reasons Array(String),
            reason_features Array(String)
        ) ENGINE = MergeTree
        PARTITION BY toYYYYMM(as_of)
        ORDER BY (site, as_of, customer_id)
        """,
    ]),
    (43, "churn models", [
        # The model registry: one row per trained churn model. The artifacts
        # (XGBoost JSON, calibration, model card) live in the model directory;
        # this row makes them listable and says which one scores. parameters,
        # data_window and metrics are JSON documents read in Python. Rows are
        # never updated: the promoted model of a site is its newest row with
        # promoted = 1.
        """
        CREATE TABLE IF NOT EXISTS churn_models (
            site String,
            version String,
            created_at DateTime('UTC'),
            features Array(String),
            parameters String,
            data_window String,
            metrics String,
            promoted UInt8,
            promotion_note String,
            artifact_path String
        ) ENGINE = MergeTree
        ORDER BY (site, created_at, version)
        """,
    ]),
    (44, "churn model feature importance", [
        # What each feature weighs in the model: its share of the trees'
        # total gain, as a JSON object {feature: share} (shares add up to 1).
        # Empty for models registered before this migration.
        "ALTER TABLE churn_models ADD COLUMN feature_importance String",
    ]),
    (60, "alert rules", [
        # Per-site alert rules (alerts.rules). kind picks the condition;
        # threshold and months are its parameters (see docs/alerts.md);
        # channels names the site's delivery channels (empty: all of them).
        # Edits and removals are new rows with a higher version: read FINAL.
        """
        CREATE TABLE IF NOT EXISTS alert_rules (
            site String,
            rule_id String,
            name String,
            kind String,
            threshold Float64,
            months UInt16,
            baseline_months UInt16,
            severity String,
            owner String,
            channels Array(String),
            created_at DateTime('UTC'),
            version UInt64,
            deleted UInt8
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY (site, rule_id)
        """,
    ]),
    (61, "alerts", [
        # The current state of each alert: ClickHouse has no row updates, so
        # every change writes the whole row again with a higher version and
        # readers use FINAL. The history lives in alert_transitions.
        # Times with no value (never snoozed, never resolved, no purchase)
        # hold 1970-01-01 00:00:00 rather than NULL.
        """
        CREATE TABLE IF NOT EXISTS alerts (
            site String,
            alert_id String,
            customer_id String,
            rule_id String,
            rule_kind String,
            rule_name String,
            severity String,
            owner String,
            state String,
            detail String,
            value Float64,
            probability Float64,
            reasons Array(String),
            last_purchase DateTime('UTC'),
            opened_at DateTime('UTC'),
            updated_at DateTime('UTC'),
            snoozed_until DateTime('UTC'),
            resolved_at DateTime('UTC'),
            outcome String,
            note String,
            version UInt64
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY (site, alert_id)
        """,
        # Append-only: one row per transition (opened, acknowledged, snoozed,
        # woken, resolved, assigned), who made it and when. This is what the
        # team measures alerts with; it is never rewritten.
        """
        CREATE TABLE IF NOT EXISTS alert_transitions (
            site String,
            alert_id String,
            ts DateTime('UTC'),
            actor String,
            action String,
            from_state String,
            to_state String,
            outcome String,
            note String
        ) ENGINE = MergeTree
        ORDER BY (site, alert_id, ts)
        """,
    ]),
    (62, "alert delivery", [
        # Where a site's alerts go: an apprise URL per named channel; mode
        # 'each' sends one message per new alert, 'digest' one a day.
        """
        CREATE TABLE IF NOT EXISTS alert_channels (
            site String,
            name String,
            url String,
            mode String,
            created_at DateTime('UTC'),
            version UInt64,
            deleted UInt8
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY (site, name)
        """,
        # One row per delivery attempt. target is the channel URL with its
        # secrets masked; the raw URL is never written here or to logs.
        # alert_id is 'digest:YYYY-MM-DD' for a daily digest and 'test' for
        # `vigie alerts notify-test`.
        """
        CREATE TABLE IF NOT EXISTS alert_deliveries (
            site String,
            alert_id String,
            channel String,
            target String,
            attempt UInt8,
            status String,
            error String,
            ts DateTime('UTC')
        ) ENGINE = MergeTree
        ORDER BY (site, ts, alert_id)
        """,
    ]),
    (63, "alert run claims", [
        # Every `vigie serve` worker (and every host) has a scheduler; a claim
        # row per (site, time slot) lets exactly one of them run that site's
        # alerts in the slot (alerts.claims). claimed_us is in microseconds:
        # a DateTime's whole seconds could not order two claims in one second.
        """
        CREATE TABLE IF NOT EXISTS alert_run_claims (
            site String,
            slot UInt64,
            claimant String,
            claimed_us UInt64
        ) ENGINE = MergeTree
        ORDER BY (site, slot, claimant)
        """,
    ]),
    (80, "user roles and site access", [
        # role: admin (everything), marketer (analytics of their sites) or
        # retention (customers, churn and alerts of their sites). sites lists
        # the domains a non-admin may see. Rows written before this migration
        # have role '' and are read as admin or marketer from is_admin.
        "ALTER TABLE users ADD COLUMN role String",
        "ALTER TABLE users ADD COLUMN sites Array(String)",
    ]),
    (81, "shared links", [
        # Read-only public links to one site's web analytics. The link reads
        # vs_<link_id>_<secret>; only a SHA-256 of the secret is kept, link_id
        # is what the settings list and revoke. A revoked link keeps its row
        # (revoked = 1) so its visitors get "revoked", not "unknown".
        """
        CREATE TABLE IF NOT EXISTS share_links (
            link_id String,
            site String,
            secret_hash String,
            created_by String,
            created_at DateTime('UTC'),
            version UInt64,
            revoked UInt8
        ) ENGINE = ReplacingMergeTree(version)
        ORDER BY link_id
        """,
    ]),
]


def _ensure_migrations_table(store):
    store.execute("""
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version UInt32,
            name String,
            applied_at DateTime('UTC')
        ) ENGINE = MergeTree ORDER BY version
    """)


def applied_versions(store):
    _ensure_migrations_table(store)
    return {row[0] for row in store.query("SELECT version FROM schema_migrations")}


def pending(store):
    done = applied_versions(store)
    return sorted((m for m in MIGRATIONS if m[0] not in done), key=lambda m: m[0])


def migrate(store, report=None):
    """Apply every pending migration in order; returns the numbers applied."""
    store.create_database()
    applied = []
    for version, name, statements in pending(store):
        for sql in statements:
            store.execute(sql)
        store.insert("schema_migrations", ["version", "name", "applied_at"],
                     [(version, name, datetime.datetime.now(datetime.timezone.utc))])
        log.info("applied migration %03d %s", version, name)
        if report:
            report(f"applied migration {version:03d} {name}")
        applied.append(version)
    return applied
