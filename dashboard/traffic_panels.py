"""Breakdown panels of the traffic pages: a ranked table whose rows filter the view, and its CSV.

Rows come from analytics.breakdowns.breakdown. Each label is a link that adds
`filter_name = value` to the page's URL (dashboard.controls.filter_link), so
a click narrows every number on the page; an empty value (a visit with no
country, no campaign) cannot be a filter and reads "(not set)".
"""
from dash import html

from vigie.dashboard.controls import filter_link
from vigie.dashboard.formatting import format_percent, format_ratio
from vigie.dashboard.tables import csv_link, ranked_table

NOT_SET = "(not set)"

# Number columns of the marketing tables (Sources page): (row key, header, formatter).
VISITORS = ("visitors", "Visitors")
VISITS = ("visits", "Visits")
BOUNCE_RATE = ("bounce_rate", "Bounce rate", format_percent)
CONVERSIONS = ("conversions", "Conversions")
CONVERSION_RATE = ("conversion_rate", "Conversion rate", format_percent)
REVENUE = ("revenue", "Revenue", format_ratio)
MARKETING_COLUMNS = (VISITORS, VISITS, BOUNCE_RATE, CONVERSIONS, CONVERSION_RATE, REVENUE)


def linked_rows(rows, path, selection, filter_name):
    """The rows with a 'label' cell: a filter link for each value, plain text when empty."""
    return [{**row, "label": (filter_link(path, selection, filter_name, row["value"])
                              if row["value"] != "" else NOT_SET)} for row in rows]


def breakdown_table(table_id, header, columns, rows, path, selection, filter_name, empty_text,
                    bar_key="visits"):
    """A ranked table of breakdown rows whose labels filter the page at `path`."""
    return ranked_table(table_id, header, columns, linked_rows(rows, path, selection, filter_name),
                        "label", bar_key, empty_text)


def panel(title, panel_id, body, selection, prop, **csv_extra):
    """A card with a title, the CSV link of breakdown `prop` and the table (or loading spinner)."""
    return html.Section(className="card", id=panel_id, children=[
        html.Div(className="card-head", children=[
            html.H2(title), csv_link("breakdown", selection, f"{panel_id}-csv", property=prop, **csv_extra)]),
        body,
    ])
