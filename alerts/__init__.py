"""Churn: features, labels, the XGBoost model and its registry, scores and reasons."""
