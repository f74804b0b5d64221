"""The overview's main chart: one metric over time, with the comparison period dashed.

Rows are analytics.query.timeseries rows. The comparison period's rows are
laid over the current ones by bucket index (day 1 over day 1, hour 0 over
hour 0), so "last 7 days vs the 7 before" reads as two lines on one axis; the
hover text names the comparison bucket's own date.
"""
import plotly.graph_objects as go

CURRENT_COLOUR = "#4f46e5"
PREVIOUS_COLOUR = "#9ca3af"

# (metric key in timeseries rows, label, y-axis tick format, hover format)
CHART_METRICS = (
    ("visitors", "Visitors", ",d", ",d"),
    ("visits", "Visits", ",d", ",d"),
    ("pageviews", "Pageviews", ",d", ",d"),
    ("views_per_visit", "Views per visit", ",.2f", ",.2f"),
    ("bounce_rate", "Bounce rate (%)", ",.1f", ",.1f"),
    ("visit_duration", "Visit duration (s)", ",d", ",d"),
    ("conversion_rate", "Conversion rate (%)", ",.1f", ",.1f"),
    ("revenue", "Revenue", ",.2f", ",.2f"),
)
CHART_METRIC_KEYS = tuple(key for key, *_ in CHART_METRICS)
DEFAULT_METRIC = "visitors"


def has_traffic(rows):
    """False when every bucket is empty: the page shows a sentence, not a flat line."""
    return any(row["visits"] for row in rows)


def _bucket_text(bucket, hour):
    return bucket.strftime("%a %b %d, %H:%M" if hour else "%a %b %d, %Y")


def metric_figure(rows, metric, interval, previous_rows=None):
    """The chart of `metric` per bucket; `previous_rows` (or None) is the comparison period."""
    label, tick, hover = next((l, t, h) for k, l, t, h in CHART_METRICS if k == metric)
    hour = interval == "hour"
    buckets = [row["bucket"] for row in rows]
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=buckets, y=[row[metric] for row in rows], name="This period", mode="lines+markers",
        line={"color": CURRENT_COLOUR, "width": 2}, marker={"size": 5}, connectgaps=False,
        hovertemplate=f"%{{y:{hover}}}<extra>This period</extra>"))
    if previous_rows is not None:
        # Aligned by index; a longer comparison period (31 vs 30 days) loses its tail.
        aligned = previous_rows[:len(rows)]
        figure.add_trace(go.Scatter(
            x=buckets[:len(aligned)], y=[row[metric] for row in aligned], name="Comparison period",
            mode="lines", line={"color": PREVIOUS_COLOUR, "width": 2, "dash": "dash"},
            customdata=[_bucket_text(row["bucket"], hour) for row in aligned],
            hovertemplate=f"%{{y:{hover}}} (%{{customdata}})<extra>Comparison</extra>"))
    figure.update_layout(
        template="plotly_white", separators=".,", height=320,
        margin={"l": 48, "r": 16, "t": 16, "b": 40}, hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
        yaxis_title=label)
    figure.update_xaxes(tickformat="%H:%M" if hour else "%b %d",
                        hoverformat="%a %b %d, %H:%M" if hour else "%a %b %d, %Y", showgrid=False)
    # Whole numbers stay whole: half a visitor on the axis reads as a bug, and
    # Plotly picks steps of 0.5 for small counts.
    values = [row[metric] or 0 for row in rows + list(previous_rows or [])]
    whole = tick == ",d"
    figure.update_yaxes(rangemode="tozero", tickformat=tick, gridcolor="#eef0f4",
                        dtick=1 if whole and max(values or [0]) <= 5 else None)
    return figure
