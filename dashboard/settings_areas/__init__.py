"""The areas of the Settings page, one module each: a `section(sites)` card, and
`register_callbacks()` for the areas with forms (dashboard/pages/settings.py)."""
