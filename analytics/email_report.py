"""The content of a scheduled email report: its period, its numbers, its HTML.

A weekly report covers the last complete week, Monday to Sunday in the
site's time zone; a monthly one the last complete calendar month. Every
number comes from the query layer for that period (aggregate, breakdown,
conversions), compared with the week or month before it, so the email says
what the dashboard says for the same dates.

The HTML uses inline styles and no external resource (images, fonts,
stylesheets), and is laid out in block lines ("Visitors: 1,234 (+5.0 %
against 1,175)") so that the plain-text part derived from it reads the same.
"""
import datetime
import html
from urllib.parse import urlencode

from vigie.analytics.breakdowns import breakdown
from vigie.analytics.goals import conversions, list_goals
from vigie.analytics.period import Period
from vigie.analytics.query import aggregate, metric_change

TOP_ROWS = 5
PERIODS = {"last-week": "weekly", "last-month": "monthly"}
# (metric, label, how its value reads); conversions and revenue only for a site with goals.
METRICS = (("visitors", "Visitors", "count"), ("visits", "Visits", "count"),
           ("pageviews", "Pageviews", "count"), ("bounce_rate", "Bounce rate", "percent"),
           ("visit_duration", "Visit duration", "duration"))
GOAL_METRICS = (("conversions", "Conversions", "count"), ("conversion_rate", "Conversion rate", "percent"),
                ("revenue", "Revenue", "money"))


def last_complete_period(frequency, local_today):
    """The last whole week (Monday to Sunday) or calendar month before `local_today`."""
    if frequency == "weekly":
        monday = local_today - datetime.timedelta(days=local_today.weekday())
        return Period(monday - datetime.timedelta(days=7), monday - datetime.timedelta(days=1), "day")
    if frequency == "monthly":
        end = local_today.replace(day=1) - datetime.timedelta(days=1)
        return Period(end.replace(day=1), end, "day")
    raise ValueError(f"unknown frequency {frequency!r}: use weekly or monthly")


def period_before(frequency, period):
    """The week or calendar month just before `period`."""
    return last_complete_period(frequency, period.start)


def report_numbers(store, site, frequency, period, timeout_minutes=30):
    """Everything the report shows, from the query layer: a plain dict."""
    previous = period_before(frequency, period)
    now, before = aggregate(store, site, period), aggregate(store, site, previous)
    goals = list_goals(store, site.domain)
    shown = METRICS + (GOAL_METRICS if goals else ())
    return {
        "site": site.domain, "frequency": frequency, "period": period, "previous": previous,
        "metrics": [{"metric": m, "label": label, "kind": kind, "value": now[m], "previous": before[m],
                     "change": metric_change(m, now[m], before[m])} for m, label, kind in shown],
        "sources": breakdown(store, site, period, "source", limit=TOP_ROWS),
        "pages": breakdown(store, site, period, "pages", limit=TOP_ROWS),
        "goals": conversions(store, site, period, timeout_minutes) if goals else [],
    }


def dashboard_link(base_url, site, period):
    query = urlencode({"site": site, "period": "custom", "from": period.start.isoformat(),
                       "to": period.end.isoformat()})
    return f"{base_url.rstrip('/')}/?{query}"


def figure(value, kind):
    """One number as the report writes it."""
    if value is None:
        return "-"
    if kind == "percent":
        return f"{value:.1f} %"
    if kind == "duration":
        minutes, seconds = divmod(int(value), 60)
        return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"
    if kind == "money":
        return f"{value:,.2f}"
    return f"{value:,}"


def change_text(row):
    if row["change"] is None:
        return "no comparison"
    unit = " pt" if row["metric"] in ("bounce_rate", "conversion_rate") else " %"
    return f"{row['change']:+.1f}{unit}"


def _span(period):
    return f"{period.start:%a %d %b %Y} to {period.end:%a %d %b %Y}"


def subject(numbers):
    noun = "Weekly" if numbers["frequency"] == "weekly" else "Monthly"
    visitors = next(r for r in numbers["metrics"] if r["metric"] == "visitors")
    return (f"{noun} report for {numbers['site']}: {figure(visitors['value'], 'count')} visitors, "
            f"{_span(numbers['period'])}")


_E = html.escape
_LINE = "margin:0 0 6px 0;font-size:15px;line-height:1.4"
_HEAD = "margin:20px 0 8px 0;font-size:16px;color:#1f2937"
_MUTED = "color:#6b7280"


def _change_style(row):
    if not row["change"]:
        return _MUTED
    better = row["change"] > 0 if row["metric"] != "bounce_rate" else row["change"] < 0
    return "color:#047857" if better else "color:#b91c1c"


def _metric_line(row, noun):
    return (f'<p style="{_LINE}"><b>{_E(row["label"])}</b>: '
            f'<span style="font-size:18px">{_E(figure(row["value"], row["kind"]))}</span> '
            f'<span style="{_change_style(row)}">({_E(change_text(row))}</span>'
            f'<span style="{_MUTED}"> against {_E(figure(row["previous"], row["kind"]))} '
            f'the {noun} before)</span></p>')


def _rows(title, items, empty):
    lines = "".join(f'<li style="margin:0 0 4px 0">{_E(text)}</li>' for text in items)
    body = f'<ul style="margin:0;padding-left:20px">{lines}</ul>' if items else \
        f'<p style="{_LINE};{_MUTED}">{_E(empty)}</p>'
    return f'<h2 style="{_HEAD}">{_E(title)}</h2>{body}'


def _goal_text(row):
    text = (f"{row['name']}: {row['visitors']:,} visitors converted, {row['completions']:,} completions, "
            f"conversion rate {figure(row['conversion_rate'], 'percent')}")
    if row["revenue"] is not None:
        text += f", revenue {figure(row['revenue'], 'money')}"
    return text


def render_html(numbers, dashboard_url, unsubscribe_url):
    """The email's HTML: every value escaped, inline styles, no external resource."""
    noun = "week" if numbers["frequency"] == "weekly" else "month"
    metrics = "".join(_metric_line(row, noun) for row in numbers["metrics"])
    sources = [f"{r['value'] or 'Direct / None'}: {r['visitors']:,} visitors, {r['visits']:,} visits"
               for r in numbers["sources"]]
    pages = [f"{r['value']}: {r['visitors']:,} visitors, {r['pageviews']:,} pageviews"
             for r in numbers["pages"]]
    goals = [_goal_text(r) for r in numbers["goals"]]
    parts = [
        '<div style="font-family:Helvetica,Arial,sans-serif;color:#111827;max-width:600px">',
        f'<h1 style="margin:0 0 4px 0;font-size:20px">{_E(subject(numbers).split(":")[0])}</h1>',
        f'<p style="{_LINE};{_MUTED}">{_E(_span(numbers["period"]))}, compared with '
        f'{_E(_span(numbers["previous"]))}</p>',
        metrics,
        _rows("Top sources", sources, "No visits in this period."),
        _rows("Top pages", pages, "No pageviews in this period."),
    ]
    if numbers["goals"]:
        parts.append(_rows("Goals", goals, ""))
    parts += [
        f'<p style="margin:20px 0 6px 0;font-size:15px">Open the dashboard for this {noun}: '
        f'<a href="{_E(dashboard_url)}" style="color:#2563eb">{_E(dashboard_url)}</a></p>',
        f'<p style="margin:16px 0 0 0;font-size:12px;{_MUTED}">You get this {numbers["frequency"]} '
        f'report of {_E(numbers["site"])} from Vigie. Unsubscribe with one click: '
        f'<a href="{_E(unsubscribe_url)}" style="color:#6b7280">{_E(unsubscribe_url)}</a></p>',
        "</div>",
    ]
    return "".join(parts)
