"""What the realtime page draws, from analytics.realtime results.

The live feed shows what happened (time, event, page, source, country,
device), never who: analytics.realtime does not even return visitor ids.
"""
import datetime
from zoneinfo import ZoneInfo

from dash import html

from vigie.dashboard.formatting import format_count
from vigie.dashboard.tables import ranked_table

FEED_SIZE = 50
TOP_SIZE = 10


def local_time(moment, timezone):
    """'14:05:09' in the site's time zone; naive datetimes from the store are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(ZoneInfo(timezone)).strftime("%H:%M:%S")


def current_card(visitors):
    return html.Div(className="kpi", id="realtime-current", title="Distinct visitors with any event "
                    "in the last 5 minutes", **{"data-value": str(visitors)}, children=[
                        html.Div([html.Span(className="live-dot"), "Current visitors"],
                                 className="kpi-title"),
                        html.Div(format_count(visitors), className="kpi-value")])


def event_feed(events, timezone):
    if not events:
        return html.P("No pageviews or events in the last 30 minutes. Visits show up here seconds "
                      "after they happen once the snippet is on the site's pages.",
                      className="empty", id="realtime-feed-empty")
    header = html.Tr([html.Th(h) for h in ("Time", "Event", "Page", "Source", "Country", "Device")])
    body = [html.Tr([html.Td(local_time(e["time"], timezone), className="num"), html.Td(e["name"]),
                     html.Td(e["page"], className="label"), html.Td(e["source"]),
                     html.Td(e["country"] or "—"), html.Td(e["device"] or "—")])
            for e in events]
    return html.Table([html.Thead(header), html.Tbody(body)], className="ranked feed", id="realtime-feed")


def pages_table(rows):
    return ranked_table("realtime-pages", "Page", [("visitors", "Visitors"), ("pageviews", "Pageviews")],
                        rows, "page", "pageviews", "No pageviews in the last 30 minutes.")


def sources_table(rows):
    return ranked_table("realtime-sources", "Source", [("visitors", "Visitors")],
                        rows, "source", "visitors", "No visitors in the last 30 minutes.")


def updated_text(now, timezone, paused):
    text = f"Updated at {local_time(now, timezone)} ({timezone})."
    if paused:
        return text + " Live updates paused after an hour: reload the page to resume."
    return text + " Refreshes every 10 seconds."
