"""The journeys page's parts: the Sankey diagram, the same numbers as a table, the choices.

Numbers come from analytics.journeys. The diagram reads left to right in
time: from an entry page, step 1 is on the left; to a goal, step 1 (where
the goal was completed) is on the right. Each node carries its page as
customdata, so a click on it can filter the view by that page; the
"(other pages)" node carries none. The table holds exactly the diagram's
nodes, for screen readers and for anyone who wants the figures; the diagram
draws the drop-off as links to a "Left the site" node (to a goal: from an
"Entered the site" node).
"""
import plotly.graph_objects as go
from dash import dcc, html

from vigie.analytics.journeys import DEFAULT_STEPS, MAX_STEPS, MIN_STEPS, OTHER_PAGES
from vigie.dashboard.chart_config import chart
from vigie.dashboard.controls import filter_link
from vigie.dashboard.formatting import format_count
from vigie.dashboard.kpis import change_text

ALL_ENTRIES = ""
ENTRY, GOAL = "entry:", "goal:"
NO_JOURNEYS = ("No journeys in this period: no visit viewed a page yet, or the visits have not "
               "been grouped by the sessions job since (docs/journeys.md).")
NO_GOAL_JOURNEYS = "No visit completed this goal after viewing a page in this period."
_NODE_COLOUR, _OTHER_COLOUR = "rgba(79, 70, 229, 0.85)", "rgba(148, 163, 184, 0.9)"
_LINK_COLOUR = "rgba(79, 70, 229, 0.18)"
_STOP_COLOUR = "rgba(220, 38, 38, 0.55)"
LEFT, ENTERED = "Left the site", "Entered the site"


def anchor_value(entry_page, goal_id):
    """The anchor dropdown's value for a view: every entry, one entry page, or a goal."""
    if goal_id:
        return GOAL + goal_id
    return ENTRY + entry_page if entry_page else ALL_ENTRIES


def parse_anchor(value):
    """(entry_page, goal_id) of an anchor dropdown value, either None."""
    value = value or ""
    if value.startswith(GOAL) and len(value) > len(GOAL):
        return None, value[len(GOAL):]
    if value.startswith(ENTRY) and len(value) > len(ENTRY):
        return value[len(ENTRY):], None
    return None, None


def anchor_options(entry_pages, goals, current):
    """Every entry, then the period's top entry pages, then the site's goals; the value shown
    stays among them even when it is not (an old link)."""
    options = [{"label": "From every entry page", "value": ALL_ENTRIES}]
    options += [{"label": f"From {page}", "value": ENTRY + page} for page in entry_pages]
    options += [{"label": f"To goal: {goal.name}", "value": GOAL + goal.goal_id} for goal in goals]
    if current and current not in {o["value"] for o in options}:
        options.append({"label": current.split(":", 1)[1], "value": current})
    return options


def steps_options():
    return [{"label": f"{n} steps", "value": n} for n in range(MIN_STEPS, MAX_STEPS + 1)]


def view_steps(text):
    """The steps a URL asks for, the default when it says nothing usable."""
    try:
        steps = int(text)
    except (TypeError, ValueError):
        return DEFAULT_STEPS
    return steps if MIN_STEPS <= steps <= MAX_STEPS else DEFAULT_STEPS


def _column(step, last, to_goal):
    """The node's x position: time runs left to right in both modes."""
    position = (last - step) if to_goal else (step - 1)
    return 0.001 + 0.998 * position / max(last - 1, 1)


def _stops(found, index):
    """(nodes, links) drawn for the drop-off: Plotly leaves out a node with no link, so a page
    where every path stopped (a one-page visit) would vanish. From an entry page, the visitors
    who stopped at step s go to a "Left the site" node of step s + 1; to a goal, those whose
    visit began at step s come from a "Entered the site" node of step s + 1. The last step's
    stops show in the table only."""
    to_goal = found["mode"] == "goal"
    last = max(n["step"] for n in found["nodes"])
    label = ENTERED if to_goal else LEFT
    nodes, links = [], []
    for n in found["nodes"]:
        if n["drop_off"] and n["step"] < last:
            key = (n["step"] + 1, label)
            if key not in index:
                index[key] = len(index)
                nodes.append({"step": key[0], "page": label})
            ends = [(n["step"], n["page"]), key]
            source, target = (ends[1], ends[0]) if to_goal else ends
            links.append((index[source], index[target], n["drop_off"]))
    return nodes, links


def sankey_figure(found):
    to_goal = found["mode"] == "goal"
    nodes = list(found["nodes"])
    index = {(n["step"], n["page"]): i for i, n in enumerate(nodes)}
    links = [(index[(l["from_step"], l["from"])], index[(l["to_step"], l["to"])], l["visitors"])
             for l in found["links"]
             if (l["from_step"], l["from"]) in index and (l["to_step"], l["to"]) in index]
    stop_nodes, stop_links = _stops(found, index)
    nodes += stop_nodes
    links += stop_links
    last = max(n["step"] for n in nodes)
    colours = {OTHER_PAGES: _OTHER_COLOUR, LEFT: _STOP_COLOUR, ENTERED: _STOP_COLOUR}
    figure = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": [n["page"] for n in nodes], "pad": 12, "thickness": 14,
              "x": [_column(n["step"], last, to_goal) for n in nodes],
              "y": _rows_of(nodes, links),
              "color": [colours.get(n["page"], _NODE_COLOUR) for n in nodes],
              "customdata": [n["page"] if n["page"].startswith("/") else "" for n in nodes],
              "hovertemplate": "%{label}<br>%{value} visitors<extra></extra>"},
        link={"source": [a for a, _, _ in links], "target": [b for _, b, _ in links],
              "value": [v for _, _, v in links], "color": _LINK_COLOUR},
    ))
    figure.update_layout(height=max(360, 34 * max(_per_step(nodes).values())), font={"size": 12},
                         margin={"l": 8, "r": 8, "t": 8, "b": 8})
    return figure


def _rows_of(nodes, links):
    """Each node's vertical centre: a step's nodes stacked in order, each as tall as its share
    of the step's visitors, so that a node's centre sits inside it (the y of Plotly's fixed
    arrangement is a centre: near 0 a node would stick out above the plot)."""
    size = [n.get("visitors", 0) for n in nodes]
    for a, b, v in links:
        for i in (a, b):
            if "visitors" not in nodes[i]:
                size[i] += v
    totals, centres = {}, []
    for n, v in zip(nodes, size):
        totals[n["step"]] = totals.get(n["step"], 0) + v
    filled = {}
    for n, v in zip(nodes, size):
        before = filled.get(n["step"], 0)
        filled[n["step"]] = before + v
        centres.append(0.01 + 0.98 * (before + v / 2) / max(totals[n["step"]], 1))
    return centres


def _per_step(nodes):
    counts = {}
    for n in nodes:
        counts[n["step"]] = counts.get(n["step"], 0) + 1
    return counts


def journey_chart(found, title):
    if not found["nodes"]:
        return None
    return html.Figure(className="journey-chart", children=[
        chart("journeys-sankey", sankey_figure(found), title=title),
        html.Figcaption("Click a page to filter the whole view by the visits that viewed it; "
                        "the table below holds the same numbers.", className="hint"),
    ])


def _page_cell(path, selection, page, keep):
    if page == OTHER_PAGES:
        return html.Span(page, className="not-set")
    return filter_link(path, selection, "page", page, keep=keep)


def journey_table(found, path, selection, keep):
    """Step, page, visitors and drop-off of every node (and the comparison, when there is one)."""
    nodes = found["nodes"]
    if not nodes:
        return html.P(NO_GOAL_JOURNEYS if found["mode"] == "goal" else NO_JOURNEYS,
                      className="empty", id="journeys-table-empty")
    compared = "previous" in nodes[0]
    stop = "Began here" if found["mode"] == "goal" else "Drop-off"
    headers = ["Step", "Page", "Visitors", stop] + (["Previous", "Change"] if compared else [])
    rows = []
    for n in nodes:
        cells = [html.Td(str(n["step"]), className="num"),
                 html.Td(_page_cell(path, selection, n["page"], keep), className="label", title=n["page"]),
                 html.Td(format_count(n["visitors"]), className="num", **{"data-value": str(n["visitors"])}),
                 html.Td(format_count(n["drop_off"]), className="num", **{"data-value": str(n["drop_off"])})]
        if compared:
            cells += [html.Td(format_count(n["previous"]), className="num"),
                      html.Td(change_text("visitors", n["change"]) or "–", className="num")]
        rows.append(html.Tr(cells))
    return html.Table([html.Thead(html.Tr([html.Th(h, className="num" if h != "Page" else None)
                                           for h in headers])),
                       html.Tbody(rows)], className="ranked", id="journeys-table")


def choices(page, anchor, steps):
    """The anchor and steps dropdowns; their options fill in once the period is known."""
    anchor_box = dcc.Dropdown(id=f"{page}-anchor", options=anchor_options([], [], anchor), value=anchor,
                              clearable=False, searchable=True, className="journey-anchor")
    steps_box = dcc.Dropdown(id=f"{page}-steps", options=steps_options(), value=steps, clearable=False,
                             searchable=False, className="journey-steps")
    return html.Div([anchor_box, steps_box], className="journey-choices", role="group",
                    title="Which journeys, and how many steps")
