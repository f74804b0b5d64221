"""Vigie: self-hosted web analytics and churn alerts."""
__version__ = "0.1.0"
