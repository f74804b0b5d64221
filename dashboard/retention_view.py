"""What the retention page draws, from analytics.retention results (cohorts, new vs returning).

Nothing here reads the store. Weeks or months the report has not fully seen
(cut by the period, or holding today) are marked as such: a partial bar is
paler and its label says how many days it covers, and a cohort cell that is
not over shows its share "so far" instead of a final-looking 0.0 %.
"""
import plotly.graph_objects as go
from dash import dcc, html

from vigie.analytics.retention import bucket_coverage, cohort_cell_complete
from vigie.dashboard.chart_config import chart
from vigie.dashboard.controls import page_path
from vigie.dashboard.formatting import format_count, format_percent

PATH = "/retention"
INTERVAL_LABELS = {"week": ("Weekly", "Week"), "month": ("Monthly", "Month")}
_FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12}
NEW_COLOUR, RETURNING_COLOUR = "#0ea5e9", "#4f46e5"

# (key of analytics.retention.new_vs_returning, card title, formatter, meaning)
RETURNING_CARDS = (
    ("visitors", "Visitors", format_count, "Visitors with a visit starting in the period"),
    ("new_visitors", "New visitors", format_count, "Every visit of theirs in the period was new"),
    ("returning_visitors", "Returning visitors", format_count, "At least one returning visit"),
    ("visits", "Visits", format_count, "Visits that started in the period"),
    ("returning_visit_share", "Returning visits", format_percent,
     "Share of visits by someone seen before: an earlier visit that day, or a known customer"),
)


def interval_href(selection, interval):
    return page_path(PATH, selection) + "&interval=" + interval


def interval_switch(selection, interval):
    return html.Nav(className="tabs", id="interval-switch", children=[
        dcc.Link(label, href=interval_href(selection, key), id=f"interval-{key}",
                 className="tab tab-active" if key == interval else "tab")
        for key, (label, _) in INTERVAL_LABELS.items()])


def returning_cards(split):
    return [html.Div(className="kpi", id="returning-" + key.replace("_", "-"), title=meaning,
                     **{"data-value": "" if split[key] is None else str(split[key])},
                     children=[html.Div(title, className="kpi-title"),
                               html.Div(fmt(split[key]), className="kpi-value")])
            for key, title, fmt, meaning in RETURNING_CARDS]


def _bucket_label(start, interval):
    return start.strftime("%b %Y") if interval == "month" else start.strftime("%b %d, %Y")


def coverage_note(coverage):
    """'' for a whole week or month, else what part of it the numbers cover."""
    if coverage["in_progress"]:
        return f" (so far: {coverage['days']} of {coverage['of']} days)"
    if coverage["days"] < coverage["of"]:
        return f" ({coverage['days']} of {coverage['of']} days)"
    return ""


def _interval_label(row, interval, period, today):
    return _bucket_label(row["start"], interval) + coverage_note(
        bucket_coverage(row["start"], period, interval, today))


def returning_figure(rows, interval, period, today):
    """New and returning visits per week or month, stacked; partial ones paler."""
    labels = [_interval_label(row, interval, period, today) for row in rows]
    opacity = [0.45 if coverage_note(bucket_coverage(row["start"], period, interval, today)) else 1
               for row in rows]
    figure = go.Figure()
    for key, name, colour in (("new_visits", "New visits", NEW_COLOUR),
                              ("returning_visits", "Returning visits", RETURNING_COLOUR)):
        figure.add_trace(go.Bar(x=labels, y=[row[key] for row in rows], name=name,
                                marker={"color": colour, "opacity": opacity},
                                hovertemplate=f"{name}: %{{y:,}}<extra></extra>"))
    peak = max([row["visits"] for row in rows] or [0])
    figure.update_layout(template="plotly_white", barmode="stack", height=280, font=_FONT,
                         margin={"l": 48, "r": 16, "t": 16, "b": 40}, hovermode="x unified",
                         legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0})
    figure.update_yaxes(rangemode="tozero", tickformat=",d", dtick=1 if peak <= 5 else None)
    return figure


def returning_table(rows, interval, period, today):
    header = html.Tr([html.Th(INTERVAL_LABELS[interval][1] + " of")] + [
        html.Th(t, className="num") for t in ("Visits", "New", "Returning", "Returning share")])
    body = [html.Tr([html.Td(_interval_label(row, interval, period, today), className="label"),
                     html.Td(format_count(row["visits"]), className="num"),
                     html.Td(format_count(row["new_visits"]), className="num"),
                     html.Td(format_count(row["returning_visits"]), className="num"),
                     html.Td(format_percent(row["returning_visit_share"]), className="num")])
            for row in rows]
    return html.Table([html.Thead(header), html.Tbody(body)], className="ranked", id="returning-table")


def _cell_text(share, complete):
    return format_percent(share) if complete else f"{format_percent(share)} so far"


def _complete(row, interval, period, today):
    return [cohort_cell_complete(row["cohort"], k, period, interval, today)
            for k in range(len(row["retention"]))]


def cohort_figure(rows, interval, period, today):
    """A heatmap: one row per cohort, one column per week or month since it was first seen.
    A cell not over yet is left uncoloured, its share written "so far"."""
    width = max(len(row["retention"]) for row in rows)
    unit = INTERVAL_LABELS[interval][1]
    columns = [f"{unit} {k}" for k in range(width)]
    labels = [f"{_bucket_label(row['cohort'], interval)} ({row['customers']:,})" for row in rows]
    done = [_complete(row, interval, period, today) for row in rows]
    # Later cohorts have fewer periods behind them: their missing cells stay empty, not 0 %.
    z = [[share if complete else None for share, complete in zip(row["retention"], flags)]
         + [None] * (width - len(row["retention"])) for row, flags in zip(rows, done)]
    counts = [row["returning"] + [None] * (width - len(row["returning"])) for row in rows]
    text = [[_cell_text(share, complete) for share, complete in zip(row["retention"], flags)]
            + [""] * (width - len(row["retention"])) for row, flags in zip(rows, done)]
    figure = go.Figure(go.Heatmap(
        z=z, x=columns, y=labels, customdata=counts, zmin=0, zmax=100, colorscale="Purples",
        text=text, texttemplate="%{text}", colorbar={"title": "%", "ticksuffix": "%"}, xgap=2, ygap=2,
        hovertemplate="%{y}<br>%{x}: %{text} (%{customdata:,} customers)<extra></extra>"))
    figure.update_layout(template="plotly_white", height=max(220, 60 + 34 * len(rows)), font=_FONT,
                         margin={"l": 16, "r": 16, "t": 16, "b": 40})
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_xaxes(side="top")
    return figure


def cohort_table(rows, interval, period, today):
    """The heatmap's numbers as a table: customers, then the share seen in each later period
    ("so far", in class `incomplete`, while that period is not over)."""
    width = max(len(row["retention"]) for row in rows)
    unit = INTERVAL_LABELS[interval][1]
    header = html.Tr([html.Th("Cohort"), html.Th("Customers", className="num")] + [
        html.Th(f"{unit} {k}", className="num") for k in range(width)])
    body = [html.Tr([html.Td(_bucket_label(row["cohort"], interval), className="label"),
                     html.Td(format_count(row["customers"]), className="num")]
                    + [html.Td(_cell_text(share, complete),
                               className="num" if complete else "num incomplete",
                               title=f"{row['returning'][k]:,} customers"
                                     + ("" if complete else f"; this {unit.lower()} is not over"))
                       for k, (share, complete) in enumerate(
                           zip(row["retention"], _complete(row, interval, period, today)))]
                    + [html.Td("", className="num")] * (width - len(row["retention"])))
            for row in rows]
    return html.Table([html.Thead(header), html.Tbody(body)], className="ranked cohort-table",
                      id="cohort-table")


def no_cohorts():
    return html.P(id="cohorts-empty", className="empty", children=[
        "No identified customers were first seen in this period. Cohorts follow customers, not "
        "anonymous visitors (their ids change every day): turn on “Accept customer ids” for the "
        "site in Settings and send customer_id for signed-in clients (see the snippet guide)."])


def no_visits():
    return html.P("No visits in this period. Try a longer period, or check that the tracking "
                  "snippet is on the site's pages.", className="empty", id="returning-empty")


def cohort_panel(rows, interval, period, today, title=None):
    if not rows:
        return no_cohorts()
    return [chart("cohort-heatmap", cohort_figure(rows, interval, period, today), "vigie-cohorts", title=title),
            html.Div(cohort_table(rows, interval, period, today), className="table-scroll")]


def returning_panel(split, rows, interval, period, today, title=None):
    if not split["visits"]:
        return no_visits()
    return [chart("returning-chart", returning_figure(rows, interval, period, today),
                  "vigie-returning-visitors", title=title),
            returning_table(rows, interval, period, today)]
