"""The schema every migration up to VERSION builds, created in one go on a fresh database.

A new installation runs these statements instead of replaying the history
(tables created, altered, copied and renamed), then records every migration
up to VERSION as applied; later migrations apply on top as usual. Each table
names the migrations that shaped it: their modules say why it looks this way.
tests/test_migrations.py checks, on both backends, that this schema equals
the one replaying every migration gives (columns, types, defaults, engines,
keys). When squashing again, raise VERSION and regenerate the tables from a
database migrated the long way.
"""

VERSION = 101

STATEMENTS = [
    # events: migrations 1, 5.
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
        scroll_depth UInt8,
        source String,
        search_term String,
        channel String,
        click_id String,
        region String,
        screen_class String
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(ts)
    ORDER BY (site, toDate(ts), visitor_id, ts)
    """,
    # sites: migrations 2, 6.
    """
    CREATE TABLE IF NOT EXISTS sites (
        domain String,
        timezone String,
        created_at DateTime('UTC'),
        version UInt64,
        deleted UInt8,
        extra_hostnames Array(String),
        identify_customers UInt8 DEFAULT 0,
        respect_privacy_signals UInt8 DEFAULT 1
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY domain
    """,
    # users: migrations 3, 80.
    """
    CREATE TABLE IF NOT EXISTS users (
        email String,
        password_hash String,
        is_admin UInt8,
        created_at DateTime('UTC'),
        version UInt64,
        deleted UInt8,
        role String,
        sites Array(String)
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY email
    """,
    # salts: migration 4.
    """
    CREATE TABLE IF NOT EXISTS salts (
        day Date,
        salt String,
        created_at DateTime('UTC')
    ) ENGINE = MergeTree
    ORDER BY (day, salt)
    """,
    # api_keys: migration 7.
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
    # dropped_events: migration 8.
    """
    CREATE TABLE IF NOT EXISTS dropped_events (
        site String,
        day Date,
        reason String,
        events UInt64
    ) ENGINE = SummingMergeTree(events)
    ORDER BY (site, day, reason)
    """,
    # access_log_imports: migration 12.
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
    # sessions: migrations 20, 22.
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
        version UInt64,
        deleted UInt8 DEFAULT 0,
        pages Array(String),
        event_names Array(String),
        props Array(String)
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(start)
    ORDER BY (site, toDate(start), visitor_id, session_id)
    """,
    # goals: migration 21.
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
    # job_runs: migration 23.
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
    # job_watermarks: migration 23.
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
    # rollup_days: migrations 24, 28.
    """
    CREATE TABLE IF NOT EXISTS rollup_days (
        site String,
        day Date,
        version UInt64,
        timezone String,
        built_at DateTime('UTC'),
        layout UInt16 DEFAULT 1
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, day)
    """,
    # rollup_pages: migrations 24, 31.
    """
    CREATE TABLE IF NOT EXISTS rollup_pages (
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
    # rollup_visits: migrations 24, 28, 29, 31.
    """
    CREATE TABLE IF NOT EXISTS rollup_visits (
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
    # funnels: migration 30.
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
    # customers: migration 40.
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
    # transactions: migration 41.
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
    # churn_scores: migration 42.
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
    # churn_models: migrations 43, 44.
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
        artifact_path String,
        feature_importance String
    ) ENGINE = MergeTree
    ORDER BY (site, created_at, version)
    """,
    # alert_rules: migration 60.
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
    # alert_transitions: migration 61.
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
    # alerts: migration 61.
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
    # alert_channels: migration 62.
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
    # alert_deliveries: migration 62.
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
    # share_links: migration 81.
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
    # run_claims: migration 100.
    """
    CREATE TABLE IF NOT EXISTS run_claims (
        job String,
        site String,
        slot UInt64,
        attempt UInt32,
        claimant String,
        claimed_us UInt64,
        lease_us UInt64,
        finished_us UInt64
    ) ENGINE = MergeTree
    ORDER BY (job, site, slot, attempt, claimant)
    """,
]
