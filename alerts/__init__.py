"""Churn: client data, features, the model, scores and alerts."""
