"""What the goals & funnels page draws, built from analytics.goals / analytics.funnels results.

Nothing here reads the store. Goal names, patterns and step labels are typed
by admins, so they are only ever passed to Dash as text (which escapes them).
"""
import plotly.graph_objects as go
from dash import dcc, html

from vigie.dashboard.chart_config import chart
from vigie.dashboard.controls import filter_link, page_path
from vigie.dashboard.formatting import format_count, format_duration, format_percent

PATH = "/conversions"
_STEP_PREFIX = {"pageview": "page", "event": "event"}


def revenue_text(row):
    """'30.00 EUR, 12.50 USD' for a revenue goal, '—' for a goal that carries none."""
    if row["revenue"] is None:
        return "—"
    if not row["revenue_by_currency"]:
        return "0.00"
    return ", ".join(f"{amount:,.2f} {currency or '(no currency)'}".strip()
                     for currency, amount in sorted(row["revenue_by_currency"].items()))


def goal_what(kind, pattern):
    return f"page {pattern}" if kind == "pageview" else f"event {pattern}"


def goals_table(rows, can_edit, selection):
    """One row per goal (analytics.goals.conversions), or what to do when there is none.
    A goal's name filters the whole view to the visits that reached it."""
    if not rows:
        hint = ("No goals yet — add one below: a page such as /thank-you, or a custom event "
                "such as signup." if can_edit else
                "No goals yet — ask an admin to add one (vigie goals add DOMAIN --page /thank-you).")
        return html.P(hint, className="empty", id="goals-table-empty")
    header = html.Tr([html.Th("Goal")] + [html.Th(title, className="num") for title in (
        "Converting visitors", "Conversion rate", "Completions", "Revenue", "Median time to convert")])
    body = [html.Tr(id=f"goal-row-{row['goal_id']}", children=[
        html.Td([html.Div(filter_link(PATH, selection, "goal", row["goal_id"], text=row["name"])),
                 html.Small(goal_what(row["kind"], row["pattern"]),
                                                    className="muted")], className="label"),
        html.Td(format_count(row["visitors"]), className="num"),
        html.Td(format_percent(row["conversion_rate"]), className="num"),
        html.Td(format_count(row["completions"]), className="num"),
        html.Td(revenue_text(row), className="num"),
        html.Td(format_duration(row["median_seconds_to_convert"]), className="num"),
    ]) for row in rows]
    return html.Table([html.Thead(header), html.Tbody(body)], className="ranked", id="goals-table")


def funnel_href(selection, funnel_id):
    return page_path(PATH, selection) + "&funnel=" + funnel_id


def funnel_chooser(funnels, chosen_id, selection):
    """A link per funnel; the one shown is marked. Links keep the rest of the view."""
    return html.Nav(className="tabs", id="funnel-chooser", children=[
        dcc.Link(f.name, href=funnel_href(selection, f.funnel_id), id=f"funnel-tab-{f.funnel_id}",
                 className="tab tab-active" if f.funnel_id == chosen_id else "tab")
        for f in funnels])


def funnel_figure(report):
    steps = report["steps"]
    figure = go.Figure(go.Funnel(
        y=[f"{s['step']}. {s['label']}" for s in steps], x=[s["visitors"] for s in steps],
        textinfo="value+percent initial", marker={"color": "#4f46e5"},
        hovertemplate="%{y}<br>%{x:,} visitors<extra></extra>"))
    figure.update_layout(template="plotly_white", height=80 + 60 * len(steps),
                         margin={"l": 16, "r": 16, "t": 16, "b": 16},
                         font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
                               "size": 12})
    return figure


def step_filter(kind, pattern):
    """(filter name, value) keeping the visits that did a funnel step, or None when no
    filter says it: the page filter is one exact path, so a pattern with * has none."""
    if kind == "event":
        return "event", pattern
    return None if "*" in pattern else ("page", pattern)


def _step_label(step, selection, funnel_id):
    text = f"{step['step']}. {step['label']}"
    found = step_filter(step["kind"], step["pattern"])
    return filter_link(PATH, selection, *found, text=text, keep={"funnel": funnel_id}) if found else text


def funnel_table(report, selection):
    header = html.Tr([html.Th("Step")] + [html.Th(t, className="num") for t in (
        "Visitors", "Drop-off", "From previous step", "From step 1")])
    body = [html.Tr(id=f"funnel-step-{s['step']}", children=[
        html.Td(_step_label(s, selection, report["funnel_id"]), className="label"),
        html.Td(format_count(s["visitors"]), className="num"),
        html.Td(format_count(s["dropoff"]), className="num"),
        html.Td(format_percent(s["conversion_from_previous"]), className="num"),
        html.Td(format_percent(s["conversion_from_first"]), className="num"),
    ]) for s in report["steps"]]
    return html.Table([html.Thead(header), html.Tbody(body)], className="ranked", id="funnel-table")


def funnel_summary(report):
    window = "within one visit" if report["window"] == "visit" else f"within {report['window']} of step 1"
    return html.P(id="funnel-summary", className="muted", children=[
        f"Steps count in order, {window}. Conversion from step 1 to the last step: ",
        html.Strong(format_percent(report["conversion_rate"]), id="funnel-conversion")])


def no_funnels(can_edit):
    hint = ("No funnels yet — add one below: two to eight steps such as page:/pricing, "
            "then event:signup." if can_edit else
            "No funnels yet — ask an admin to add one (vigie funnels add DOMAIN --name Signup "
            "--step page:/pricing --step event:signup).")
    return html.P(hint, className="empty", id="funnel-empty")


def funnel_panel(funnels, chosen, report, selection, csv, title=None):
    """The chooser, the chart, the step table and the CSV link of the funnel shown."""
    return [funnel_chooser(funnels, chosen.funnel_id, selection),
            html.Div(csv, className="panel-tools"),
            chart("funnel-chart", funnel_figure(report), "vigie-funnel", title=title),
            funnel_summary(report), funnel_table(report, selection)]


def steps_text(steps):
    """A funnel's steps as the form (and the CLI) write them, one per line."""
    return "\n".join(f"{_STEP_PREFIX[kind]}:{pattern}" for kind, pattern in steps)


def goal_options(goals):
    return [{"label": "New goal", "value": ""}] + [
        {"label": f"{g.name} ({goal_what(g.kind, g.pattern)})", "value": g.goal_id} for g in goals]


def funnel_options(funnels):
    return [{"label": "New funnel", "value": ""}] + [
        {"label": f.name, "value": f.funnel_id} for f in funnels]


def _field(label, component):
    return html.Label(className="field", children=[html.Span(label), component])


def goal_form(goals):
    """Admins only: add a goal, or pick one to rename, switch its revenue flag or remove it."""
    return html.Div(className="admin-form", id="goal-form", children=[
        html.H3("Add or change a goal"),
        html.Div(className="form-row", children=[
            _field("Goal", dcc.Dropdown(id="goal-choice", options=goal_options(goals), value="",
                                        clearable=False, className="wide-select")),
            _field("Kind", dcc.RadioItems(id="goal-kind", value="pageview", inline=True, options=[
                {"label": "Page", "value": "pageview"}, {"label": "Custom event", "value": "event"}])),
            _field("Page pattern or event name",
                   dcc.Input(id="goal-pattern", type="text", placeholder="/thank-you or signup")),
            _field("Name (optional)", dcc.Input(id="goal-name", type="text", placeholder="Signed up")),
            dcc.Checklist(id="goal-revenue", className="flags", value=[], options=[
                {"label": "Sum the revenue the events carry (event goals)", "value": "revenue"}]),
            html.Button("Save goal", id="goal-save", className="button", n_clicks=0),
            html.Button("Remove goal", id="goal-remove", className="button-quiet", n_clicks=0),
        ]),
        html.P("In a page pattern, * matches one path segment and ** anything: /blog/* or /docs/**. "
               "What an existing goal matches cannot change: remove it and add another.",
               className="help"),
        html.Div(id="goal-form-message", role="status"),
    ])


def funnel_form(funnels):
    """Admins only: add a funnel, or pick one to change or remove."""
    return html.Div(className="admin-form", id="funnel-form", children=[
        html.H3("Add or change a funnel"),
        html.Div(className="form-row", children=[
            _field("Funnel", dcc.Dropdown(id="funnel-choice", options=funnel_options(funnels), value="",
                                          clearable=False, className="wide-select")),
            _field("Name", dcc.Input(id="funnel-name", type="text", placeholder="Checkout")),
            _field("Steps, one per line", dcc.Textarea(
                id="funnel-steps", className="steps-input", value="",
                placeholder="page:/pricing\npage:/checkout/*\nevent:purchase")),
            _field("Within days of step 1 (empty: one visit)",
                   dcc.Input(id="funnel-window", type="text", placeholder="14")),
            html.Button("Save funnel", id="funnel-save", className="button", n_clicks=0),
            html.Button("Remove funnel", id="funnel-remove", className="button-quiet", n_clicks=0),
        ]),
        html.P("Two to eight steps, each page:PATTERN or event:NAME, counted in order. Across days "
               "only identified customers can be followed (visitor ids change daily).",
               className="help"),
        html.Div(id="funnel-form-message", role="status"),
    ])
