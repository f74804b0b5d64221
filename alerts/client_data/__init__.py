"""Client data for churn: customers and transactions from CSV files, the HTTP API and web revenue.

Every path in (CSV import, POST /api/v1/..., web revenue copy) goes through
the same row validator (rows.py) and the same writer (writes.py), so a value
accepted in one place is accepted, and stored the same way, in the others.
"""
