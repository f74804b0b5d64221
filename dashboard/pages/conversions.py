"""Goals & funnels: what visitors converted on, and how far they got through each funnel.

The URL holds the view: the report bar's site and period, plus `funnel=ID`
for the funnel shown (the first one when absent or unknown). Admins add,
change and remove goals and funnels here through the same analytics
functions as `vigie goals` / `vigie funnels`, so both refuse the same input
with the same words; every form callback checks the account again on the
server, since a callback can be posted without the form ever being shown.
The report bar's filters apply to goals and funnels (only the events of the
visits they keep count), and a goal name or a step links to its filter.
"""
import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app

from vigie.analytics.funnels import (FunnelError, add_funnel, edit_funnel, funnel_report, get_funnel,
                                     list_funnels, parse_step, remove_funnel)
from vigie.analytics.goals import GoalError, add_goal, conversions, edit_goal, get_goal, list_goals, remove_goal
from vigie.dashboard.chart_config import export_title
from vigie.dashboard.controls import register_url_sync, report_controls
from vigie.dashboard.conversions_view import (PATH, funnel_form, funnel_options, funnel_panel, goal_form,
                                              goal_options, goals_table, no_funnels, steps_text)
from vigie.dashboard.report_page import (STORE_DOWN, ReportRequest, checked_selection, message, open_report,
                                         report_site)
from vigie.dashboard.selection import SelectionError
from vigie.dashboard.tables import csv_link
from vigie.warehouse import StoreError

PAGE = "conversions"
dash.register_page(__name__, path=PATH, title="Goals & funnels · Vigie", name="Goals & funnels",
                   area="analytics", order=40)
register_url_sync(PAGE, keep=("funnel",))

NOT_ADMIN = "Only admins can change goals and funnels."
_HIDDEN, _SHOWN = {"display": "none"}, {}


def _context():
    return current_app.extensions["vigie"]


def _one(query, name):
    value = (query or {}).get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").strip()


def layout(**query):
    store = _context().store
    try:
        found = open_report(query)
        if not isinstance(found, ReportRequest):
            return found
        can_edit = found.user.can("settings")
        site = found.selection.site
        goals = list_goals(store, site) if can_edit else []
        funnels = list_funnels(store, site) if can_edit else []
    except StoreError:
        return message(STORE_DOWN)
    selection = found.selection
    data = dict(selection.as_query(), funnel=_one(query, "funnel"))
    return html.Div(className="conversions", children=[
        dcc.Location(id=f"{PAGE}-url", refresh="callback-nav"),
        dcc.Store(id=f"{PAGE}-query", data=data),
        # Bumped by the forms so the report redraws after a change.
        dcc.Store(id="goals-revision", data=0), dcc.Store(id="funnels-revision", data=0),
        report_controls(PAGE, PATH, found.sites, selection, found.period, compare=False,
                        segments=found.segments, user=found.user),
        html.Div(id=f"{PAGE}-message", role="status"),
        html.Div(id=f"{PAGE}-report", children=[
            html.Section(className="card", children=[
                html.Div(className="card-head", children=[html.H2("Goals"), html.Div(id="goals-tools")]),
                dcc.Loading(html.Div(id="goals-panel"), type="dot", delay_show=150),
                goal_form(goals) if can_edit else None]),
            html.Section(className="card", children=[
                html.H2("Funnels"),
                dcc.Loading(html.Div(id="funnel-panel"), type="dot", delay_show=150),
                funnel_form(funnels) if can_edit else None]),
        ]),
    ])


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-report", "style"),
    Output("goals-panel", "children"),
    Output("goals-tools", "children"),
    Output("funnel-panel", "children"),
    Input(f"{PAGE}-query", "data"),
    Input("goals-revision", "data"),
    Input("funnels-revision", "data"),
)
def show_conversions(query, _goals_revision, _funnels_revision):
    context = _context()
    timeout = context.settings.visit_timeout_minutes
    try:
        user, site, period = report_site(context.store, query)
        can_edit = user.can("settings")
        selection = checked_selection(context.store, query, user)
        filters = selection.filter_dict()
        goals = goals_table(conversions(context.store, site, period, timeout, filters), can_edit,
                            selection)
        funnels = list_funnels(context.store, site.domain)
        chosen = next((f for f in funnels if f.funnel_id == _one(query, "funnel")),
                      funnels[0] if funnels else None)
        if chosen is None:
            funnel = no_funnels(can_edit)
        else:
            report = funnel_report(context.store, site, chosen, period, timeout, filters)
            funnel = funnel_panel(funnels, chosen, report, selection,
                                  csv_link("funnel", selection, "funnel-csv", funnel_id=chosen.funnel_id),
                                  title=export_title(f"Funnel {chosen.name}", site.domain,
                                                     period.start, period.end))
    except SelectionError as exc:
        return message(str(exc)), _HIDDEN, None, None, None
    except StoreError:
        return message(STORE_DOWN), _HIDDEN, None, None, None
    return None, _SHOWN, goals, csv_link("goals", selection, "goals-csv"), funnel


def _admin_site(query):
    """The Site an admin form acts on, or SelectionError (not an admin, or a site it may not see)."""
    user, site, _ = report_site(_context().store, query)
    if not user.can("settings"):
        raise SelectionError(NOT_ADMIN)
    return site


@callback(
    Output("goal-kind", "value"), Output("goal-pattern", "value"), Output("goal-name", "value"),
    Output("goal-revenue", "value"), Output("goal-kind", "options"), Output("goal-pattern", "disabled"),
    Input("goal-choice", "value"), State(f"{PAGE}-query", "data"),
    prevent_initial_call=True,
)
def goal_chosen(goal_id, query):
    """Fill the form with the chosen goal; its kind and pattern are shown but locked."""
    kinds = [{"label": "Page", "value": "pageview"}, {"label": "Custom event", "value": "event"}]
    try:
        goal = get_goal(_context().store, _admin_site(query).domain, goal_id) if goal_id else None
    except (SelectionError, StoreError):
        return (no_update,) * 6
    if goal is None:
        return "pageview", "", "", [], kinds, False
    locked = [dict(k, disabled=True) for k in kinds]
    return (goal.kind, goal.pattern, goal.name, ["revenue"] if goal.revenue_goal else [], locked, True)


@callback(
    Output("goal-form-message", "children"), Output("goals-revision", "data"),
    Output("goal-choice", "options"), Output("goal-choice", "value"),
    Input("goal-save", "n_clicks"), Input("goal-remove", "n_clicks"),
    State("goal-choice", "value"), State("goal-kind", "value"), State("goal-pattern", "value"),
    State("goal-name", "value"), State("goal-revenue", "value"), State("goals-revision", "data"),
    State(f"{PAGE}-query", "data"),
    prevent_initial_call=True,
)
def change_goal(_save, _remove, goal_id, kind, pattern, name, revenue, revision, query):
    store = _context().store
    try:
        site = _admin_site(query)
        revenue = "revenue" in (revenue or [])
        if ctx.triggered_id == "goal-remove":
            if not goal_id:
                return message("Choose the goal to remove."), no_update, no_update, no_update
            goal = remove_goal(store, site.domain, goal_id)
            done = f"Goal “{goal.name}” removed; its events stay."
        elif goal_id:
            goal = edit_goal(store, site.domain, goal_id, name=name or "", revenue=revenue)
            done = f"Goal “{goal.name}” saved."
        else:
            goal = add_goal(store, site.domain, kind, pattern, name=name, revenue=revenue)
            done = f"Goal “{goal.name}” added."
        options = goal_options(list_goals(store, site.domain))
    except (SelectionError, GoalError) as exc:
        return message(str(exc)), no_update, no_update, no_update
    except StoreError:
        return message(STORE_DOWN), no_update, no_update, no_update
    return message(done, "ok", "goal-form-done"), (revision or 0) + 1, options, ""


@callback(
    Output("funnel-name", "value"), Output("funnel-steps", "value"), Output("funnel-window", "value"),
    Input("funnel-choice", "value"), State(f"{PAGE}-query", "data"),
    prevent_initial_call=True,
)
def funnel_chosen(funnel_id, query):
    try:
        funnel = get_funnel(_context().store, _admin_site(query).domain, funnel_id) if funnel_id else None
    except (SelectionError, StoreError):
        return no_update, no_update, no_update
    if funnel is None:
        return "", "", ""
    return funnel.name, steps_text(funnel.steps), str(funnel.window_days) if funnel.window_days else ""


def parse_window(text):
    """The form's 'within days' box: empty for one visit, else a whole number of days."""
    text = (text or "").strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise FunnelError(f"the window {text!r} is not a whole number of days "
                          "(leave it empty to count within one visit)") from None


def parse_steps(text):
    """The form's steps, one per line, each page:PATTERN or event:NAME as with `vigie funnels add`."""
    return [parse_step(line.strip()) for line in (text or "").splitlines() if line.strip()]


@callback(
    Output("funnel-form-message", "children"), Output("funnels-revision", "data"),
    Output("funnel-choice", "options"), Output("funnel-choice", "value"),
    Input("funnel-save", "n_clicks"), Input("funnel-remove", "n_clicks"),
    State("funnel-choice", "value"), State("funnel-name", "value"), State("funnel-steps", "value"),
    State("funnel-window", "value"), State("funnels-revision", "data"), State(f"{PAGE}-query", "data"),
    prevent_initial_call=True,
)
def change_funnel(_save, _remove, funnel_id, name, steps, window, revision, query):
    store = _context().store
    try:
        site = _admin_site(query)
        if ctx.triggered_id == "funnel-remove":
            if not funnel_id:
                return message("Choose the funnel to remove."), no_update, no_update, no_update
            funnel = remove_funnel(store, site.domain, funnel_id)
            done = f"Funnel “{funnel.name}” removed."
        elif funnel_id:
            funnel = edit_funnel(store, site.domain, funnel_id, name, parse_steps(steps), parse_window(window))
            done = f"Funnel “{funnel.name}” saved."
        else:
            funnel = add_funnel(store, site.domain, name, parse_steps(steps), parse_window(window))
            done = f"Funnel “{funnel.name}” added."
        options = funnel_options(list_funnels(store, site.domain))
    except (SelectionError, GoalError) as exc:   # FunnelError is a GoalError
        return message(str(exc)), no_update, no_update, no_update
    except StoreError:
        return message(STORE_DOWN), no_update, no_update, no_update
    return message(done, "ok", "funnel-form-done"), (revision or 0) + 1, options, ""
