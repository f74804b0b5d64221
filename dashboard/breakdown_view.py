"""Breakdown tables whose rows filter the whole view, with numbers formatted per column.

`dashboard.tables.ranked_table` counts only; report pages also show rates
and durations, and their row labels are links (`controls.filter_link`). A
row whose value is empty (no country found for the IP, no language sent) is
not a link: an empty filter value means "no filter" in the URL. Nor is a value
with spaces at its ends ('Linux ' for an OS without a version): the URL
reader trims values, so that filter would match nothing.
"""
from dash import html

from vigie.dashboard.controls import filter_link
from vigie.dashboard.formatting import format_count, format_duration, format_percent

_BAR_COLOUR = "rgba(79, 70, 229, 0.12)"
NOT_SET = "(not set)"

# Column kinds -> how a number reads.
COUNT, PERCENT, DURATION = format_count, format_percent, format_duration


def _share_bar(value, largest):
    """A faint bar behind the label, as long as the row's share of the largest row."""
    share = 0 if not largest else round(100 * (value or 0) / largest, 1)
    return {"background": f"linear-gradient(90deg, {_BAR_COLOUR} {share}%, transparent {share}%)"}


def _title(row):
    """The whole value, shown on hover: long labels end in an ellipsis (vigie.css)."""
    value = row.get("value")
    return value if isinstance(value, str) and value else None


def linked_label(path, selection, filter_name, name_of=None):
    """A label maker for `breakdown_table`: a filter link, or plain text for an empty value.

    `name_of(value)` turns a stored value into what a reader sees (a country name)."""
    def label(row):
        value = row["value"]
        text = name_of(value) if name_of else value
        if not value or value != value.strip():
            return html.Span(text.strip() or NOT_SET, className="not-set")
        return filter_link(path, selection, filter_name, value, text=text)
    return label


def breakdown_table(table_id, label_header, columns, rows, label, bar_key, empty_text):
    """A ranked table, or a sentence (with the id `{table_id}-empty`) when there are no rows.

    columns: [(row key, header, formatter)]; label(row) -> the first cell's content.
    Each number cell carries its raw value in `data-value` for scripts and tests.
    """
    if not rows:
        return html.P(empty_text, className="empty", id=f"{table_id}-empty")
    largest = max(row[bar_key] or 0 for row in rows)
    header = html.Tr([html.Th(label_header)] + [html.Th(title, className="num") for _, title, _ in columns])
    body = [
        html.Tr([html.Td(label(row), className="label", title=_title(row),
                         style=_share_bar(row[bar_key], largest))]
                + [html.Td(fmt(row.get(key)), className="num",
                           **{"data-value": "" if row.get(key) is None else str(row.get(key))})
                   for key, _, fmt in columns])
        for row in rows
    ]
    return html.Table([html.Thead(header), html.Tbody(body)], className="ranked", id=table_id)
