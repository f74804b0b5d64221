"""Migration 43: churn models."""

NAME = "churn models"

STATEMENTS = [
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
]
