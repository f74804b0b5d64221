"""Dashboard pages: one module per page, found and imported by Dash (use_pages)."""
