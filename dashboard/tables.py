"""Ranked report tables as plain HTML tables (Dash escapes every cell), and CSV links."""
from urllib.parse import urlencode

from dash import html

from vigie.dashboard.formatting import format_count

_BAR_COLOUR = "rgba(79, 70, 229, 0.12)"


def _share_bar(value, largest):
    """A faint bar behind the label, as long as the row's share of the largest row."""
    share = 0 if not largest else round(100 * value / largest, 1)
    return {"background": f"linear-gradient(90deg, {_BAR_COLOUR} {share}%, transparent {share}%)"}


def _title(row, label_key):
    """The whole label, shown on hover: long paths end in an ellipsis (vigie.css)."""
    value = row.get("value", row[label_key])
    return value if isinstance(value, str) and value else None


def ranked_table(table_id, label_header, columns, rows, label_key, bar_key, empty_text):
    """A ranked table: a label column and number columns, or a sentence when empty.

    columns: [(row key, header)] or [(row key, header, formatter)] for the number
    columns; without a formatter a column reads as a count.
    """
    if not rows:
        return html.P(empty_text, className="empty", id=f"{table_id}-empty")
    largest = max(row[bar_key] for row in rows)
    columns = [(c[0], c[1], c[2] if len(c) > 2 else format_count) for c in columns]
    header = html.Tr([html.Th(label_header)] + [html.Th(title, className="num") for _, title, _ in columns])
    body = [
        html.Tr([html.Td(row[label_key] or "—", className="label", title=_title(row, label_key),
                         style=_share_bar(row[bar_key], largest))]
                + [html.Td(fmt(row[key]), className="num") for key, _, fmt in columns])
        for row in rows
    ]
    return html.Table([html.Thead(header), html.Tbody(body)], className="ranked", id=table_id)


def csv_link(endpoint, selection, link_id, **extra):
    """A download link for the full table behind a panel, as CSV from the Stats API.

    The API accepts the dashboard's own query string (site, period, from/to,
    compare, f_NAME filters) and the signed-in session, so the file holds
    every row of exactly what the reader is looking at, not just the top ten.
    `endpoint` is the Stats API name ('breakdown', 'goals', 'cohorts', ...);
    `extra` adds its own parameters, e.g. property='source'.
    """
    # The charted metric is a view choice, not part of the data asked for.
    shown = {k: v for k, v in selection.as_query().items() if k != "metric"}
    query = {**shown, **{k: v for k, v in extra.items() if v is not None}, "format": "csv"}
    return html.A("CSV", href=f"/api/v1/stats/{endpoint}?{urlencode(query)}", id=link_id,
                  className="csv-link", download="", title="Download every row as CSV")
