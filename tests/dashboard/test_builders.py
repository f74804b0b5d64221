"""The plain functions behind the overview: formatting, cards, tables, chart."""
import datetime

import pytest

from dashboard.figures import has_traffic, traffic_figure
from dashboard.formatting import format_count, format_duration, format_percent, format_ratio
from dashboard.kpis import KPIS, kpi_cards, kpi_id
from dashboard.tables import top_pages_table, top_sources_table


@pytest.mark.parametrize("seconds, text", [
    (0, "0s"), (9, "9s"), (59, "59s"), (60, "1m 00s"), (65, "1m 05s"), (234, "3m 54s"),
    (3599, "59m 59s"), (3600, "1h 00m"), (7380, "2h 03m"), (None, "—"),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_numbers_have_thousands_separators():
    assert format_count(1234567) == "1,234,567"
    assert format_count(0) == "0"
    assert format_ratio(1234.5) == "1,234.50"
    assert format_ratio(0) == "0.00"
    assert format_percent(40.0) == "40.0%"
    assert format_percent(None) == "—"


OVERVIEW = {"visitors": 12345, "visits": 20000, "pageviews": 51234, "views_per_visit": 2.56,
            "bounce_rate": 41.2, "visit_duration": 65}


def _card(cards, key):
    return next(c for c in cards if c.id == kpi_id(key))


def test_kpi_cards_carry_raw_values_and_formatted_text():
    cards = kpi_cards(OVERVIEW)
    assert [c.id for c in cards] == ["kpi-visitors", "kpi-visits", "kpi-pageviews",
                                     "kpi-views-per-visit", "kpi-bounce-rate", "kpi-visit-duration"]
    shown = {c.id: (getattr(c, "data-value"), c.children[0].children, c.children[1].children) for c in cards}
    assert shown == {
        "kpi-visitors": ("12345", "Unique visitors", "12,345"),
        "kpi-visits": ("20000", "Visits", "20,000"),
        "kpi-pageviews": ("51234", "Pageviews", "51,234"),
        "kpi-views-per-visit": ("2.56", "Views per visit", "2.56"),
        "kpi-bounce-rate": ("41.2", "Bounce rate", "41.2%"),
        "kpi-visit-duration": ("65", "Visit duration", "1m 05s"),
    }


def test_kpi_cards_without_visits_show_dashes_not_zeros():
    cards = kpi_cards({"visitors": 0, "visits": 0, "pageviews": 0, "views_per_visit": 0,
                       "bounce_rate": None, "visit_duration": None})
    assert getattr(_card(cards, "bounce_rate"), "data-value") == ""
    assert _card(cards, "bounce_rate").children[1].children == "—"
    assert _card(cards, "visit_duration").children[1].children == "—"
    assert _card(cards, "visitors").children[1].children == "0"


def test_every_overview_key_has_a_card():
    assert {key for key, *_ in KPIS} == set(OVERVIEW)


PAGES = [{"pathname": "/", "visitors": 1200, "pageviews": 3400},
         {"pathname": "/pricing", "visitors": 300, "pageviews": 850}]


def _rows(table):
    body = table.children[1]
    return [[cell.children for cell in row.children] for row in body.children]


def test_top_pages_table():
    table = top_pages_table(PAGES)
    assert table.id == "top-pages-table"
    assert [th.children for th in table.children[0].children.children] == ["Page", "Visitors", "Pageviews"]
    assert _rows(table) == [["/", "1,200", "3,400"], ["/pricing", "300", "850"]]
    # The bar behind each label is the row's share of the top row's pageviews.
    assert "25.0%" in table.children[1].children[1].children[0].style["background"]


def test_top_sources_table():
    table = top_sources_table([{"source": "Direct / None", "visitors": 2, "visits": 3},
                               {"source": "google.com", "visitors": 2, "visits": 2}])
    assert _rows(table) == [["Direct / None", "2", "3"], ["google.com", "2", "2"]]


def test_tables_say_so_when_empty():
    assert top_pages_table([]).children == "No pageviews in this period."
    assert top_sources_table([]).children == "No visits in this period."


def test_table_cells_are_text_not_markup():
    table = top_pages_table([{"pathname": "/<script>alert(1)</script>", "visitors": 1, "pageviews": 1}])
    label = table.children[1].children[0].children[0].children
    # A plain string child: React renders it as text, never as HTML.
    assert label == "/<script>alert(1)</script>"


def _hours(values):
    start = datetime.datetime(2024, 3, 10)
    return [{"bucket": start + datetime.timedelta(hours=h), "visitors": v, "visits": v, "pageviews": 2 * v}
            for h, v in enumerate(values)]


def test_traffic_figure_plots_visitors_and_pageviews():
    rows = _hours([0, 3, 1])
    figure = traffic_figure(rows, "hour")
    visitors, pageviews = figure.data
    assert (visitors.name, pageviews.name) == ("Visitors", "Pageviews")
    assert list(visitors.y) == [0, 3, 1]
    assert list(pageviews.y) == [0, 6, 2]
    assert list(visitors.x) == [r["bucket"] for r in rows]
    assert figure.layout.xaxis.tickformat == "%H:%M"
    assert figure.layout.yaxis.tickformat == ",d"


def test_daily_figure_labels_days_and_lets_plotly_space_big_numbers():
    rows = [{"bucket": datetime.datetime(2024, 3, d), "visitors": 1000 * d, "visits": 1000 * d,
             "pageviews": 3000 * d} for d in range(1, 8)]
    figure = traffic_figure(rows, "day")
    assert figure.layout.xaxis.tickformat == "%b %d"
    assert figure.layout.yaxis.dtick is None


def test_small_counts_get_whole_number_ticks():
    assert traffic_figure(_hours([1, 2]), "hour").layout.yaxis.dtick == 1


def test_has_traffic():
    assert not has_traffic(_hours([0, 0, 0]))
    assert not has_traffic([])
    assert has_traffic(_hours([0, 1, 0]))
