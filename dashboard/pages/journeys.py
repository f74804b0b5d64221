"""Journeys: the most common paths through the site, from an entry page or to a goal.

A Sankey diagram of the paths (dashboard.journeys_view) over the same
numbers as a table: per step, the most visited pages with their visitors
and drop-off. The URL holds the view: the report bar's site, period,
comparison and filters, plus `steps` (2-10), `entry` (one entry page) or
`to_goal` (a goal id). A click on a page of the diagram, like a click on a
page of the table, filters the whole view by the visits that viewed it.
Both CSVs come from GET /api/v1/stats/journeys. What is counted:
docs/journeys.md.
"""
from urllib.parse import parse_qs, urlencode

import dash
from dash import Input, Output, State, callback, dcc, no_update

from vigie.analytics.breakdowns import breakdown
from vigie.analytics.goals import list_goals
from vigie.analytics.journeys import DEFAULT_STEPS, journeys
from vigie.dashboard.chart_config import export_title
from vigie.dashboard.controls import register_url_sync
from vigie.dashboard.journeys_view import (anchor_options, anchor_value, choices, journey_chart,
                                           journey_table, parse_anchor, view_steps)
from vigie.dashboard.report_page import (HIDDEN, SHOWN, STORE_DOWN, context, message, panel,
                                         report_layout, resolve_query)
from vigie.dashboard.retention_access import query_value
from vigie.dashboard.selection import SelectionError, selection_from_query
from vigie.dashboard.tables import csv_link
from vigie.warehouse import StoreError

PAGE, PATH = "journeys", "/journeys"
VIEW_PARAMS = ("steps", "entry", "to_goal")
ENTRY_CHOICES = 15

dash.register_page(__name__, path=PATH, title="Journeys · Vigie", name="Journeys",
                   area="analytics", order=38)
register_url_sync(PAGE, keep=VIEW_PARAMS)


def _view(query):
    """{'steps', 'entry', 'to_goal'} of a URL query: the view's own parameters ('' when absent;
    a goal wins over an entry page)."""
    goal = query_value(query, "to_goal")
    return {"steps": view_steps(query_value(query, "steps")), "entry": "" if goal else query_value(query, "entry"),
            "to_goal": goal}


def _keep(view):
    """The view's parameters as a URL keeps them (the default steps left out)."""
    return {k: v for k, v in view.items() if v and not (k == "steps" and v == DEFAULT_STEPS)}


def _panels(view):
    def make(selection):
        def export(report):
            return csv_link("journeys", selection, f"{PAGE}-{report}-csv", report=report,
                            steps=view["steps"], entry_page=view["entry"] or None,
                            goal_id=view["to_goal"] or None)
        return [
            dcc.Store(id=f"{PAGE}-view", data=view),
            choices(PAGE, anchor_value(view["entry"], view["to_goal"]), view["steps"]),
            panel("Journeys", f"{PAGE}-chart", export("links")),
            panel("Pages per step", f"{PAGE}-table", export("nodes")),
        ]
    return make


def layout(**query):
    return report_layout(PAGE, PATH, query, _panels(_view(query)), compare=True)


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-chart", "children"),
    Output(f"{PAGE}-table", "children"),
    Output(f"{PAGE}-anchor", "options"),
    Output(f"{PAGE}-report", "style"),
    Input(f"{PAGE}-selection", "data"),
    State(f"{PAGE}-view", "data"),
)
def show_journeys(query, view):
    app = context()
    view = _view(view)
    try:
        site, period, selection = resolve_query(query)
        filters = selection.filter_dict()
        goals = list_goals(app.store, site.domain)
        known = {goal.goal_id for goal in goals}
        if view["to_goal"] and view["to_goal"] not in known:
            raise SelectionError(f"This site has no goal {view['to_goal']!r}; choose another journey.")
        found = journeys(app.store, site, period, steps=view["steps"], entry_page=view["entry"] or None,
                         goal_id=view["to_goal"] or None, filters=filters,
                         compare=selection.compare or None,
                         timeout_minutes=app.settings.visit_timeout_minutes)
        entries = [row["value"] for row in breakdown(app.store, site, period, "entry_page", filters,
                                                      limit=ENTRY_CHOICES) if row["value"]]
    except SelectionError as exc:
        return message(str(exc)), None, None, no_update, HIDDEN
    except StoreError:
        return message(STORE_DOWN), None, None, no_update, HIDDEN
    title = export_title("Journeys", site.domain, period.start, period.end)
    keep = _keep(view)
    return (None, journey_chart(found, title), journey_table(found, PATH, selection, keep or None),
            anchor_options(entries, goals, anchor_value(view["entry"], view["to_goal"])), SHOWN)


def _search_with(search, page=None, **changes):
    """The URL's query string with the view's parameters changed (None removes one), and
    filtered by `page` when given."""
    query = parse_qs((search or "").lstrip("?"))
    selection = selection_from_query(query)
    if page is not None:
        selection = selection.with_filter("page", page)
    view = _view(query)
    view.update(changes)
    kept = _keep({k: v for k, v in view.items() if v is not None})
    return selection.search() + ("&" + urlencode(kept) if kept else "")


@callback(
    Output(f"{PAGE}-url", "search", allow_duplicate=True),
    Input(f"{PAGE}-anchor", "value"),
    Input(f"{PAGE}-steps", "value"),
    State(f"{PAGE}-url", "search"),
    prevent_initial_call=True,
)
def view_changed(anchor, steps, search):
    entry, goal = parse_anchor(anchor)
    changed = _search_with(search, entry=entry, to_goal=goal, steps=view_steps(steps))
    return changed if changed != search else no_update


@callback(
    Output(f"{PAGE}-url", "search", allow_duplicate=True),
    Input("journeys-sankey", "clickData"),
    State(f"{PAGE}-url", "search"),
    prevent_initial_call=True,
)
def page_clicked(click, search):
    """A click on a page of the diagram adds (or replaces) the page filter; a click on a link
    or on "(other pages)" does nothing."""
    point = ((click or {}).get("points") or [{}])[0]
    page = point.get("customdata")
    if not isinstance(page, str) or not page.startswith("/") or "source" in point:
        return no_update
    return _search_with(search, page=page)
