"""Churn scoring and the alerts that reach the retention team."""
