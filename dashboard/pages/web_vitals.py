"""Web vitals: how fast and steady the site's pages load in its visitors' browsers.

One card per metric (LCP, INP, CLS, TTFB): its p75 with Google's rating, the
share of page loads rated good / needs improvement / poor, and with a
comparison the change of the p75. Then the p75s by page, device and country.
Report filters apply (only the reports of kept visits count); each table has
its CSV from GET /api/v1/stats/web-vitals. What is measured:
docs/web-vitals.md.
"""
import dash
from dash import Input, Output, callback, html

from vigie.analytics.web_vitals import vitals_page
from vigie.dashboard.controls import register_url_sync
from vigie.dashboard.report_page import (HIDDEN, SHOWN, STORE_DOWN, context, message, panel,
                                         report_layout, resolve_query)
from vigie.dashboard.selection import SelectionError
from vigie.dashboard.tables import csv_link
from vigie.dashboard.web_vitals_view import NO_REPORTS, OFF, cards_holder, tables, vitals_cards
from vigie.warehouse import StoreError

PAGE, PATH = "vitals", "/vitals"
ROWS = 20

dash.register_page(__name__, path=PATH, title="Web vitals · Vigie", name="Web vitals",
                   area="analytics", order=39)
register_url_sync(PAGE)


def _panels(selection):
    def export(report):
        return csv_link("web-vitals", selection, f"{PAGE}-{report}-csv", report=report)
    return [
        cards_holder(PAGE),
        panel("By page", f"{PAGE}-pages", export("pages")),
        html.Div(className="columns pairs", children=[
            panel("By device", f"{PAGE}-devices", export("devices")),
            panel("By country", f"{PAGE}-countries", export("countries")),
        ]),
    ]


def layout(**query):
    return report_layout(PAGE, PATH, query, _panels, compare=True)


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-kpis", "children"),
    Output(f"{PAGE}-pages", "children"),
    Output(f"{PAGE}-devices", "children"),
    Output(f"{PAGE}-countries", "children"),
    Output(f"{PAGE}-report", "style"),
    Input(f"{PAGE}-selection", "data"),
)
def show_vitals(query):
    app = context()
    try:
        site, period, selection = resolve_query(query)
        found = vitals_page(app.store, site, period, selection.filter_dict(),
                            selection.compare or None, limit=ROWS)
    except SelectionError as exc:
        return message(str(exc)), None, None, None, None, HIDDEN
    except StoreError:
        return message(STORE_DOWN), None, None, None, None, HIDDEN
    note = None
    if not site.web_vitals:
        note = message(OFF, "note", f"{PAGE}-off")
    elif not found["summary"]["page_loads"]:
        note = message(NO_REPORTS, "note", f"{PAGE}-none")
    return (note, vitals_cards(found), *tables(PATH, selection, found), SHOWN)
