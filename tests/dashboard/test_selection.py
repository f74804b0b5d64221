"""Reading the site and period from the URL, and saying plainly what is wrong with it."""
import datetime

import pytest

from vigie.dashboard.selection import (Selection, SelectionError, comparison, resolve, selection_from_controls,
                                       selection_from_query)
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import User

TODAY = datetime.date(2024, 3, 10)
ADMIN = User("admin@shop.example", True, 1, "admin")


def test_defaults_are_the_first_site_and_seven_days():
    assert selection_from_query({}, default_site="a.example") == Selection("a.example", "7d", "", "")


def test_query_values_are_read_and_trimmed():
    got = selection_from_query({"site": " shop.example ", "period": "custom",
                                "from": "2024-01-01", "to": ["2024-01-31", "2024-02-01"]})
    assert got == Selection("shop.example", "custom", "2024-01-01", "2024-01-31")


def test_search_round_trips_and_keeps_dates_only_for_custom():
    custom = Selection("shop.example", "custom", "2024-01-01", "2024-01-31")
    assert custom.search() == "?site=shop.example&period=custom&from=2024-01-01&to=2024-01-31"
    assert selection_from_query(custom.as_query()) == custom
    assert Selection("shop.example", "30d", "2024-01-01", "2024-01-31").search() == "?site=shop.example&period=30d"


def test_controls_ignore_the_date_picker_unless_custom():
    assert selection_from_controls("s.example", "today", "2024-01-01", "2024-01-02") == \
        Selection("s.example", "today", "", "")
    assert selection_from_controls("s.example", "custom", "2024-01-01T00:00:00", "2024-01-02") == \
        Selection("s.example", "custom", "2024-01-01", "2024-01-02")


def test_resolve_uses_the_site_time_zone_and_period(store):
    add_site(store, "shop.example", "Europe/Paris")
    site, period = resolve(store, Selection("shop.example", "7d"), ADMIN, today=TODAY)
    assert site.timezone == "Europe/Paris"
    assert (period.start, period.end, period.interval) == (datetime.date(2024, 3, 4), TODAY, "day")
    _, today = resolve(store, Selection("shop.example", "today"), ADMIN, today=TODAY)
    assert today.interval == "hour"


@pytest.mark.parametrize("selection, message", [
    (Selection("", "7d"), "Choose a site"),
    (Selection("nowhere.example", "7d"), "No site named “nowhere.example” is registered"),
    (Selection("shop.example", "year"), "unknown period 'year'"),
    (Selection("shop.example", "custom", "2024-02-30", "2024-03-01"), "is not a date like 2024-01-31"),
    (Selection("shop.example", "custom", "2024-03-01", ""), "needs a 'to' date"),
    (Selection("shop.example", "custom", "2024-03-10", "2024-03-01"), "ends (2024-03-01) before it starts"),
])
def test_resolve_explains_bad_selections(store, selection, message):
    add_site(store, "shop.example", "UTC")
    with pytest.raises(SelectionError) as caught:
        resolve(store, selection, ADMIN, today=TODAY)
    assert message in str(caught.value)


def test_a_site_outside_the_account_reads_as_unknown(store):
    add_site(store, "shop.example", "UTC")
    add_site(store, "other.example", "UTC")
    marketer = User("mia@shop.example", False, 1, "marketer", ("shop.example",))
    assert resolve(store, Selection("shop.example", "7d"), marketer, today=TODAY)[0].domain == "shop.example"
    with pytest.raises(SelectionError) as caught:
        resolve(store, Selection("other.example", "7d"), marketer, today=TODAY)
    assert "No site named “other.example” is registered" in str(caught.value)
    with pytest.raises(SelectionError, match="sign in again"):
        resolve(store, Selection("shop.example", "7d"), None, today=TODAY)


def test_comparison_and_filters_round_trip_through_the_url():
    chosen = Selection("shop.example", "30d", compare="previous_year",
                       filters=(("country", "FR"), ("prop:plan", "pro")))
    assert chosen.search() == ("?site=shop.example&period=30d&compare=previous_year"
                               "&f_country=FR&f_prop%3Aplan=pro")
    assert selection_from_query(chosen.as_query()) == chosen
    narrower = chosen.with_filter("page", "/pricing").with_filter("country", "DE")
    assert narrower.filter_dict() == {"country": "DE", "page": "/pricing", "prop:plan": "pro"}
    assert narrower.without_filter("country").filter_dict() == {"page": "/pricing", "prop:plan": "pro"}


def test_controls_keep_the_filters_they_are_given():
    got = selection_from_controls("s.example", "7d", None, None, "previous_period", [("device", "mobile")])
    assert got == Selection("s.example", "7d", compare="previous_period", filters=(("device", "mobile"),))


@pytest.mark.parametrize("selection, message", [
    (Selection("shop.example", "7d", compare="last_decade"), "Cannot compare with 'last_decade'"),
    (Selection("shop.example", "7d", filters=(("colour", "red"),)), "unknown filter 'colour'"),
])
def test_resolve_explains_bad_comparisons_and_filters(store, selection, message):
    add_site(store, "shop.example", "UTC")
    with pytest.raises(SelectionError) as caught:
        resolve(store, selection, ADMIN, today=TODAY)
    assert message in str(caught.value)


def test_comparison_period_follows_the_selection(store):
    add_site(store, "shop.example", "UTC")
    chosen = Selection("shop.example", "7d", compare="previous_period")
    _, period = resolve(store, chosen, ADMIN, today=TODAY)
    before = comparison(chosen, period)
    assert (before.start, before.end) == (datetime.date(2024, 2, 26), datetime.date(2024, 3, 3))
    assert comparison(Selection("shop.example", "7d"), period) is None


def test_the_url_callback_keeps_filters_and_writes_the_comparison():
    from vigie.dashboard.controls import register_url_sync
    sync = register_url_sync("selection-test")
    search = sync("shop.example", "30d", None, None, "previous_period", None,
                  "?site=shop.example&period=7d&f_country=FR")
    assert search == "?site=shop.example&period=30d&compare=previous_period&f_country=FR"


def test_the_url_callback_writes_the_segment_picked_in_place_of_the_filters():
    from vigie.dashboard.controls import register_url_sync
    sync = register_url_sync("segment-sync-test")
    current = "?site=shop.example&period=7d&f_country=FR"
    assert sync("shop.example", "7d", None, None, "", "0123456789abcdef", current) == (
        "?site=shop.example&period=7d&segment=0123456789abcdef")
    # Other controls keep the segment and the filters added on top of it.
    with_segment = "?site=shop.example&period=7d&segment=0123456789abcdef&f_page=%2Fpricing"
    assert sync("shop.example", "30d", None, None, "", "0123456789abcdef", with_segment) == (
        "?site=shop.example&period=30d&segment=0123456789abcdef&f_page=%2Fpricing")
    # A segment is one site's: another site drops it.
    assert sync("blog.example", "7d", None, None, "", "0123456789abcdef", with_segment) == (
        "?site=blog.example&period=7d")


def test_the_charted_metric_round_trips_and_stays_out_of_csv_links():
    from vigie.dashboard.tables import csv_link
    chosen = Selection("shop.example", "7d", filters=(("country", "FR"),), metric="revenue")
    assert chosen.search() == "?site=shop.example&period=7d&f_country=FR&metric=revenue"
    assert selection_from_query(chosen.as_query()) == chosen
    assert selection_from_controls("shop.example", "30d", None, None, "", chosen.filters, "revenue") == \
        Selection("shop.example", "30d", filters=(("country", "FR"),), metric="revenue")
    # A chart choice is not part of the data a CSV holds.
    assert csv_link("breakdown", chosen, "x", property="source").href == (
        "/api/v1/stats/breakdown?site=shop.example&period=7d&f_country=FR&property=source&format=csv")
