"""Migration 44: churn model feature importance."""

NAME = "churn model feature importance"

STATEMENTS = [
    # What each feature weighs in the model: its share of the trees'
    # total gain, as a JSON object {feature: share} (shares add up to 1).
    # Empty for models registered before this migration.
    "ALTER TABLE churn_models ADD COLUMN feature_importance String",
]
