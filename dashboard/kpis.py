"""The row of headline numbers (KPI cards) at the top of the overview."""
from dash import html

from dashboard.formatting import format_count, format_duration, format_percent, format_ratio

# (key in analytics.reports.overview, card title, formatter, one-line meaning)
KPIS = (
    ("visitors", "Unique visitors", format_count, "Distinct visitors whose visits started in the period"),
    ("visits", "Visits", format_count, "Sessions: no gap over the visit timeout"),
    ("pageviews", "Pageviews", format_count, "Pages viewed in the period"),
    ("views_per_visit", "Views per visit", format_ratio, "Pageviews divided by visits"),
    ("bounce_rate", "Bounce rate", format_percent, "Share of visits that were not engaged"),
    ("visit_duration", "Visit duration", format_duration, "Mean time from first to last activity"),
)


def kpi_id(key):
    """Stable element id of a card: 'views_per_visit' -> 'kpi-views-per-visit'."""
    return "kpi-" + key.replace("_", "-")


def kpi_cards(overview):
    """One card per KPI; `data-value` holds the raw number (empty when undefined)
    so tests and scripts read exactly what analytics returned."""
    cards = []
    for key, title, fmt, meaning in KPIS:
        value = overview.get(key)
        cards.append(html.Div(
            className="kpi",
            id=kpi_id(key),
            title=meaning,
            children=[html.Div(title, className="kpi-title"),
                      html.Div(fmt(value), className="kpi-value")],
            **{"data-value": "" if value is None else str(value)},
        ))
    return cards
