"""Churn: client data, features, labels, the XGBoost model and its registry, scores, reasons and alerts."""
