"""Migration 42: churn scores."""

NAME = "churn scores"

STATEMENTS = [
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
]
