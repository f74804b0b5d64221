"""The row of headline numbers (KPI cards) at the top of the overview.

With a comparison period each card also shows the change: an arrow and the
percent change, or for rates (bounce rate, conversion rate) the difference in
percentage points, as analytics.query.aggregate computes it. Green means
better: up for most numbers, down for the bounce rate. When the comparison
period has no visit at all every card says so ("no previous data") rather
than showing a dash.
"""
from dash import html

from vigie.dashboard.formatting import format_count, format_duration, format_percent, format_ratio

# (key in analytics.query.aggregate, card title, formatter, one-line meaning)
KPIS = (
    ("visitors", "Unique visitors", format_count, "Distinct visitors whose visits started in the period"),
    ("visits", "Visits", format_count, "Sessions: no gap over the visit timeout"),
    ("pageviews", "Pageviews", format_count, "Pages viewed in the visits of the period"),
    ("views_per_visit", "Views per visit", format_ratio, "Pageviews divided by visits"),
    ("bounce_rate", "Bounce rate", format_percent, "Share of visits that were not engaged"),
    ("visit_duration", "Visit duration", format_duration, "Mean time from first to last activity"),
    ("conversion_rate", "Conversion rate", format_percent, "Share of visits that reached a goal"),
    ("revenue", "Revenue", format_ratio, "Revenue of the visits of the period"),
)
# The site search cards (analytics.site_search) share these rules: fewer searches that find
# nothing or end the visit is better, and the no-results share changes in points.
LOWER_IS_BETTER = ("bounce_rate", "no_results_rate", "exits", "refinements")
IN_POINTS = ("bounce_rate", "conversion_rate", "no_results_rate")


def kpi_id(key):
    """Stable element id of a card: 'views_per_visit' -> 'kpi-views-per-visit'."""
    return "kpi-" + key.replace("_", "-")


def change_text(key, change):
    """'▲ 12.5%', '▼ 3.0 pts', '= 0%'; None when there is nothing to compare with."""
    if change is None:
        return None
    unit = " pts" if key in IN_POINTS else "%"
    if change == 0:
        return f"= 0{unit}"
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {abs(change):,.1f}{unit}"


NO_PREVIOUS = "no previous data"


def _change(key, numbers, fmt, no_previous=False):
    change = numbers["change"]
    text = change_text(key, change)
    if no_previous:
        return html.Div(NO_PREVIOUS, className="kpi-change kpi-change-none",
                        title="No data in the comparison period: nothing to compare with",
                        **{"data-change": ""})
    if text is None:
        text, tone = "—", "none"  # nothing to compare with, or a percent of zero
    elif change == 0:
        tone = "flat"
    else:
        tone = "good" if (change > 0) != (key in LOWER_IS_BETTER) else "bad"
    previous = fmt(numbers["previous"])
    return html.Div(text, className=f"kpi-change kpi-change-{tone}", title=f"Comparison period: {previous}",
                    **{"data-change": "" if change is None else str(change)})


def kpi_cards(aggregate, kpis=KPIS, base="visits"):
    """One card per KPI from analytics.query.aggregate (plain, or with compare=...), or from
    another report's numbers of the same shape given its own `kpis`.

    `data-value` holds the raw number (empty when undefined) and, with a
    comparison, `data-change` the raw change, so tests and scripts read
    exactly what analytics returned. When the `base` count (visits) of the
    comparison period is zero, every card says there is no previous data."""
    cards = []
    counted = aggregate.get(base)
    no_previous = isinstance(counted, dict) and not counted["previous"]
    for key, title, fmt, meaning in kpis:
        numbers = aggregate.get(key)
        compared = isinstance(numbers, dict)
        value = numbers["value"] if compared else numbers
        children = [html.Div(title, className="kpi-title"), html.Div(fmt(value), className="kpi-value")]
        if compared:
            children.append(_change(key, numbers, fmt, no_previous))
        cards.append(html.Div(className="kpi", id=kpi_id(key), title=meaning, children=children,
                              **{"data-value": "" if value is None else str(value)}))
    return cards
