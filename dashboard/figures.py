"""The overview's main chart: one metric over time, with the comparison period dashed.

Rows are analytics.query.timeseries rows. The comparison period's rows are
laid over the current ones by bucket index (day 1 over day 1, hour 0 over
hour 0), so "last 7 days vs the 7 before" reads as two lines on one axis; the
hover text names the comparison bucket's own date.

A period that includes today is not over: its buckets after the current
time are left empty (not 0), and the bucket in progress is drawn apart, as a
dotted segment named "Today so far" (or this hour, week, month), so that a
half-counted day does not read as a fall. A comparison period without any
visit is not drawn (a flat 0 line says nothing); the page says so instead.
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


# The name of the bucket in progress, per interval.
SO_FAR = {"hour": "This hour so far", "day": "Today so far", "week": "This week so far",
          "month": "This month so far"}


def bucket_in_progress(rows, now):
    """The index of the bucket holding `now` (naive local time), or None (no `now`: a past period)."""
    if now is None:
        return None
    started = [i for i, row in enumerate(rows) if row["bucket"] <= now]
    return started[-1] if started else None


def metric_figure(rows, metric, interval, previous_rows=None, now=None):
    """The chart of `metric` per bucket; `previous_rows` (or None) is the comparison period;
    `now` (naive local time, or None for a period that is over) marks where the data stops."""
    label, tick, hover = next((l, t, h) for k, l, t, h in CHART_METRICS if k == metric)
    hour = interval == "hour"
    buckets = [row["bucket"] for row in rows]
    values = [row[metric] for row in rows]
    current = bucket_in_progress(rows, now)
    if current is not None:
        values = values[:current + 1] + [None] * (len(rows) - current - 1)  # the future
    solid = values if current is None else values[:current] + [None] * (len(rows) - current)
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=buckets, y=solid, name="This period", mode="lines+markers",
        line={"color": CURRENT_COLOUR, "width": 2}, marker={"size": 5}, connectgaps=False,
        hovertemplate=f"%{{y:{hover}}}<extra>This period</extra>"))
    if current is not None:
        first = max(current - 1, 0)
        so_far = SO_FAR.get(interval, "So far")
        figure.add_trace(go.Scatter(
            x=buckets[first:current + 1], y=values[first:current + 1], name=so_far,
            mode="lines+markers", line={"color": CURRENT_COLOUR, "width": 2, "dash": "dot"},
            marker={"size": 7, "symbol": "circle-open"},
            hovertemplate=f"%{{y:{hover}}}<extra>{so_far}</extra>"))
    if previous_rows is not None and has_traffic(previous_rows):
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
