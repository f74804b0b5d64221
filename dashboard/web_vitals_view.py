"""The web vitals page's parts: one card per metric and the tables by page, device, country.

Numbers come from analytics.web_vitals. A card shows the metric's p75 with
its rating, the bar of page loads rated good / needs improvement / poor, and
with a comparison the p75's change (green when it went down: faster pages,
fewer shifts). Table cells show each metric's p75 coloured by its rating.
"""
from dash import dcc, html

from vigie.analytics.web_vitals import METRICS, RATINGS, rating
from vigie.dashboard.breakdown_view import COUNT, breakdown_table, linked_label
from vigie.dashboard.countries import country_name
from vigie.dashboard.kpis import change_text

# Metric -> (card title, what it measures).
NAMES = {
    "lcp": ("LCP", "Largest contentful paint: when the page's main content has shown"),
    "inp": ("INP", "Interaction to next paint: how long the page takes to answer a click or key"),
    "cls": ("CLS", "Cumulative layout shift: how much the page moves while it is read"),
    "ttfb": ("TTFB", "Time to first byte: how long the server took to start answering"),
}
RATING_NAMES = {"good": "Good", "needs_improvement": "Needs improvement", "poor": "Poor"}
OFF = ("Web vitals are off for this site: an admin turns them on in Settings, and the site's "
       "pages load the vitals script /js/vitals.js (docs/web-vitals.md).")
NO_REPORTS = ("No web vitals report in this period. The vitals script sends one per page load "
              "when the page is hidden; check that the site's pages load /js/vitals.js.")
TABLE_EMPTY = "No web vitals report in this period."


def format_metric(metric, value):
    """'2.35 s' or '180 ms' for the timings, '0.05' for CLS, '—' without a value."""
    if value is None:
        return "—"
    if metric == "cls":
        return f"{value:.2f}"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _shares_bar(numbers):
    return html.Div(className="vitals-bar", children=[
        html.Span(className=f"vitals-bar-{r}", style={"width": f"{numbers[r] or 0}%"},
                  title=f"{RATING_NAMES[r]}: {numbers[r]}% of {numbers['samples']} page loads")
        for r in RATINGS])


def _change(metric, change):
    text = change_text(metric, change)
    if text is None:
        return html.Div("—", className="kpi-change kpi-change-none", **{"data-change": ""})
    tone = "flat" if change == 0 else "good" if change < 0 else "bad"
    return html.Div(text, className=f"kpi-change kpi-change-{tone}", **{"data-change": str(change)})


def vitals_cards(page):
    """One card per metric from analytics.web_vitals.vitals_page's result."""
    cards = []
    for metric in METRICS:
        numbers = page["summary"][metric]
        title, meaning = NAMES[metric]
        children = [html.Div(title, className="kpi-title"),
                    html.Div(format_metric(metric, numbers["p75"]), className="kpi-value"),
                    html.Div(RATING_NAMES.get(numbers["rating"], "no page load measured it"),
                             className=f"vitals-rating vitals-{numbers['rating'] or 'none'}")]
        if numbers["samples"]:
            children.append(_shares_bar(numbers))
        if page["changes"] is not None:
            children.append(_change(metric, page["changes"][metric]))
        cards.append(html.Div(className="kpi vitals-card", id=f"vitals-card-{metric}",
                              title=f"{meaning}; p75 of the page loads that measured it",
                              children=children,
                              **{"data-value": "" if numbers["p75"] is None else str(numbers["p75"]),
                                 "data-rating": numbers["rating"] or ""}))
    return cards


def _p75_cell(metric):
    def cell(value):
        return html.Span(format_metric(metric, value), className=f"vitals-{rating(metric, value) or 'none'}")
    return cell


_COLUMNS = [("page_loads", "Page loads", COUNT)] + [
    (metric, f"{NAMES[metric][0]} p75", _p75_cell(metric)) for metric in METRICS]


def _flat(rows):
    return [dict(value=r["value"], page_loads=r["page_loads"], **{m: r[m]["p75"] for m in METRICS})
            for r in rows]


def vitals_table(table_id, header, rows, label):
    return breakdown_table(table_id, header, _COLUMNS, _flat(rows), label, "page_loads", TABLE_EMPTY)


def tables(path, selection, page):
    """(pages, devices, countries) tables; each label filters the view like other reports."""
    return (
        vitals_table("vitals-pages-table", "Page", page["pages"], linked_label(path, selection, "page")),
        vitals_table("vitals-devices-table", "Device", page["devices"],
                     linked_label(path, selection, "device")),
        vitals_table("vitals-countries-table", "Country", page["countries"],
                     linked_label(path, selection, "country", country_name)),
    )


def cards_holder(page):
    return dcc.Loading(html.Div(id=f"{page}-kpis", className="kpis vitals-cards"), type="dot",
                       delay_show=150)
