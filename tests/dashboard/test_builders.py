"""The plain functions behind the overview: formatting, cards, tables, chart."""
import datetime

import pytest

from vigie.dashboard.figures import CHART_METRIC_KEYS, has_traffic, metric_figure
from vigie.dashboard.formatting import format_count, format_duration, format_percent, format_ratio
from vigie.dashboard.kpis import KPIS, change_text, kpi_cards, kpi_id
from vigie.dashboard.selection import Selection
from vigie.dashboard.tables import ranked_table
from vigie.dashboard.traffic_panels import MARKETING_COLUMNS, breakdown_table


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
            "bounce_rate": 41.2, "visit_duration": 65, "conversion_rate": 3.5, "revenue": 1234.5}


def _card(cards, key):
    return next(c for c in cards if c.id == kpi_id(key))


def test_kpi_cards_carry_raw_values_and_formatted_text():
    cards = kpi_cards(OVERVIEW)
    shown = {c.id: (getattr(c, "data-value"), c.children[0].children, c.children[1].children) for c in cards}
    assert shown == {
        "kpi-visitors": ("12345", "Unique visitors", "12,345"),
        "kpi-visits": ("20000", "Visits", "20,000"),
        "kpi-pageviews": ("51234", "Pageviews", "51,234"),
        "kpi-views-per-visit": ("2.56", "Views per visit", "2.56"),
        "kpi-bounce-rate": ("41.2", "Bounce rate", "41.2%"),
        "kpi-visit-duration": ("65", "Visit duration", "1m 05s"),
        "kpi-conversion-rate": ("3.5", "Conversion rate", "3.5%"),
        "kpi-revenue": ("1234.5", "Revenue", "1,234.50"),
    }
    assert [c.id for c in cards][:2] == ["kpi-visitors", "kpi-visits"]
    assert all(len(c.children) == 2 for c in cards)  # no change line without a comparison


def test_kpi_cards_without_visits_show_dashes_not_zeros():
    cards = kpi_cards({"visitors": 0, "visits": 0, "pageviews": 0, "views_per_visit": 0,
                       "bounce_rate": None, "visit_duration": None, "conversion_rate": None,
                       "revenue": 0.0})
    assert getattr(_card(cards, "bounce_rate"), "data-value") == ""
    assert _card(cards, "bounce_rate").children[1].children == "—"
    assert _card(cards, "visit_duration").children[1].children == "—"
    assert _card(cards, "conversion_rate").children[1].children == "—"
    assert _card(cards, "visitors").children[1].children == "0"


@pytest.mark.parametrize("key, change, text", [
    ("visits", 12.5, "▲ 12.5%"), ("visits", -3.25, "▼ 3.2%"), ("visits", 0.0, "= 0%"),
    ("bounce_rate", 4.0, "▲ 4.0 pts"), ("conversion_rate", -1.5, "▼ 1.5 pts"), ("revenue", None, None),
    ("pageviews", 1234.0, "▲ 1,234.0%"),
])
def test_change_text(key, change, text):
    assert change_text(key, change) == text


def test_a_rising_bounce_rate_is_bad_news_and_rising_visits_good():
    cards = kpi_cards({key: {"value": 1, "previous": 1, "change": 5.0} for key in OVERVIEW})
    tones = {c.id: c.children[2].className for c in cards}
    assert tones["kpi-bounce-rate"] == "kpi-change kpi-change-bad"
    assert tones["kpi-visits"] == "kpi-change kpi-change-good"
    assert getattr(cards[0].children[2], "data-change") == "5.0"


def test_every_overview_key_has_a_card():
    assert {key for key, *_ in KPIS} == set(OVERVIEW)


def _rows(table):
    body = table.children[1]
    return [[getattr(cell.children, "children", cell.children) for cell in row.children]
            for row in body.children]


ROWS = [{"value": "Email", "visitors": 1200, "visits": 3400, "bounce_rate": 41.25, "conversions": 3,
         "conversion_rate": None, "revenue": 1234.5},
        {"value": "", "visitors": 300, "visits": 850, "bounce_rate": None, "conversions": 0,
         "conversion_rate": 0.0, "revenue": 0.0}]


def test_a_breakdown_table_formats_each_column_and_links_each_value():
    selection = Selection(site="shop.example", period="7d")
    table = breakdown_table("t", "Channel", MARKETING_COLUMNS, ROWS, "/sources", selection, "channel", "none")
    assert [th.children for th in table.children[0].children.children] == [
        "Channel", "Visitors", "Visits", "Bounce rate", "Conversions", "Conversion rate", "Revenue"]
    assert _rows(table) == [["Email", "1,200", "3,400", "41.2%", "3", "—", "1,234.50"],
                            ["(not set)", "300", "850", "—", "0", "0.0%", "0.00"]]
    link = table.children[1].children[0].children[0].children
    assert link.href == "/sources?site=shop.example&period=7d&f_channel=Email"
    # The bar behind each label is the row's share of the top row's visits.
    assert "25.0%" in table.children[1].children[1].children[0].style["background"]


def test_tables_say_so_when_empty():
    assert ranked_table("t", "Page", [], [], "value", "visits", "No pageviews in this period.").children == \
        "No pageviews in this period."


def test_table_cells_are_text_not_markup():
    selection = Selection(site="shop.example", period="7d")
    table = breakdown_table("t", "Page", [("visits", "Visits")], [{"value": "/<script>alert(1)</script>",
                            "visits": 1}], "/", selection, "page", "none")
    link = table.children[1].children[0].children[0].children
    # A plain string child: React renders it as text, never as HTML; the href is URL-encoded.
    assert link.children == "/<script>alert(1)</script>"
    assert "<" not in link.href


def _hours(values):
    start = datetime.datetime(2024, 3, 10)
    return [{"bucket": start + datetime.timedelta(hours=h), "visitors": v, "visits": v, "pageviews": 2 * v,
             "views_per_visit": 2.0 if v else 0}
            for h, v in enumerate(values)]


def test_the_figure_plots_the_chosen_metric():
    rows = _hours([0, 3, 1])
    figure = metric_figure(rows, "pageviews", "hour")
    (trace,) = figure.data
    assert list(trace.y) == [0, 6, 2]
    assert list(trace.x) == [r["bucket"] for r in rows]
    assert figure.layout.xaxis.tickformat == "%H:%M"
    assert figure.layout.yaxis.tickformat == ",d"
    assert figure.layout.yaxis.title.text == "Pageviews"


def test_the_comparison_is_dashed_and_aligned_by_bucket_index():
    rows = _hours([0, 3, 1])
    previous = [dict(r, bucket=r["bucket"] - datetime.timedelta(days=1)) for r in _hours([2, 0, 5, 9])]
    current, compared = metric_figure(rows, "visitors", "hour", previous).data
    assert compared.line.dash == "dash"
    # Drawn over the current buckets; the fourth previous hour has no partner and is left out.
    assert list(compared.x) == list(current.x) and list(compared.y) == [2, 0, 5]
    assert compared.customdata[0] == "Sat Mar 09, 00:00"


def test_a_period_in_progress_leaves_the_future_empty_and_dots_the_bucket_so_far():
    rows = _hours([2, 4, 1, 0, 0])
    # 02:40 local: hours 00 and 01 are over, 02 is in progress, 03 and 04 have not come.
    solid, so_far = metric_figure(rows, "visitors", "hour", now=datetime.datetime(2024, 3, 10, 2, 40)).data
    assert list(solid.y) == [2, 4, None, None, None]
    assert (so_far.name, so_far.line.dash, list(so_far.y)) == ("This hour so far", "dot", [4, 1])
    assert list(so_far.x) == [rows[1]["bucket"], rows[2]["bucket"]]
    days = [{"bucket": datetime.datetime(2024, 3, d), "visitors": d} for d in range(4, 11)]
    solid, so_far = metric_figure(days, "visitors", "day", now=datetime.datetime(2024, 3, 10, 9, 0)).data
    assert list(solid.y) == [4, 5, 6, 7, 8, 9, None] and so_far.name == "Today so far"
    # The first bucket in progress has no segment before it: one point.
    (solid, so_far) = metric_figure(_hours([3]), "visitors", "hour",
                                    now=datetime.datetime(2024, 3, 10, 0, 5)).data
    assert list(solid.y) == [None] and list(so_far.y) == [3]


def test_a_comparison_period_without_visits_is_not_drawn():
    rows = _hours([0, 3, 1])
    empty = [dict(r, bucket=r["bucket"] - datetime.timedelta(days=1)) for r in _hours([0, 0, 0])]
    assert [t.name for t in metric_figure(rows, "visitors", "hour", empty).data] == ["This period"]


def test_cards_say_when_the_previous_period_has_no_data():
    numbers = {key: {"value": 3, "previous": 0, "change": None} for key, *_ in KPIS}
    changes = [card.children[2] for card in kpi_cards(numbers)]
    assert {(c.children, c.className) for c in changes} == {("no previous data", "kpi-change kpi-change-none")}
    # Some visits before, but 0 revenue: that one card cannot give a percent of nothing.
    numbers["visits"] = {"value": 3, "previous": 2, "change": 50.0}
    assert kpi_cards(numbers)[1].children[2].children == "▲ 50.0%"
    assert kpi_cards(numbers)[7].children[2].children == "—"


def test_every_chart_metric_is_in_timeseries_rows():
    from vigie.analytics.query import visit_metrics
    row = visit_metrics({"visitors": 1, "visits": 1, "pageviews": 1, "bounces": 0, "duration": 1,
                         "engaged_ms": 0, "revenue": 0, "conversions": 0})
    assert set(CHART_METRIC_KEYS) <= set(row)


def test_daily_figure_labels_days_and_lets_plotly_space_big_numbers():
    rows = [{"bucket": datetime.datetime(2024, 3, d), "visitors": 1000 * d, "visits": 1000 * d,
             "pageviews": 3000 * d} for d in range(1, 8)]
    figure = metric_figure(rows, "visitors", "day")
    assert figure.layout.xaxis.tickformat == "%b %d"
    assert figure.layout.yaxis.dtick is None


def test_small_counts_get_whole_number_ticks():
    assert metric_figure(_hours([1, 2]), "visits", "hour").layout.yaxis.dtick == 1
    assert metric_figure(_hours([1, 2]), "views_per_visit", "hour").layout.yaxis.dtick is None


def test_has_traffic():
    assert not has_traffic(_hours([0, 0, 0]))
    assert not has_traffic([])
    assert has_traffic(_hours([0, 1, 0]))
