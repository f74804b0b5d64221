"""A filter chip changes the numbers of Goals & funnels, Retention and Audience (new vs
returning), on both backends; goal names and funnel steps link to their filter.

The day is tests/analytics/filtered_day.py (visits A-E on 10 March 2026); the
numbers are those counted by hand in tests/analytics/test_report_filters.py.
"""
import pytest

from tests.analytics.filtered_day import S, load_filtered_day
from tests.dashboard.conftest import find_component
from tests.dashboard.dash_calls import route as route_to
from tests.dashboard.report_helpers import outputs_of, query_of
from tests.dashboard.test_conversions_page import report as conversions_report
from tests.dashboard.test_conversions_page import table_rows
from tests.dashboard.test_retention_page import report as retention_report

DAY = {"site": S, "period": "custom", "from": "2026-03-10", "to": "2026-03-10"}
TWO_WEEKS = {"site": S, "period": "custom", "from": "2026-03-02", "to": "2026-03-15"}


@pytest.fixture
def day(store):
    return load_filtered_day(store)


def goal_rows(panel):
    return [row[:4] for row in table_rows(panel, "goals-table")]


def test_a_source_chip_changes_the_goals_and_the_funnel(signed_in, day):
    everything = conversions_report(signed_in, DAY)
    assert goal_rows(everything["goals-panel"]) == [
        ("signupevent signup", "2", "50.0%", "2"), ("Visit /thank-youpage /thank-you", "1", "25.0%", "1")]
    assert [row[1] for row in table_rows(everything["funnel-panel"], "funnel-table")] == ["3", "2"]
    google = conversions_report(signed_in, dict(DAY, f_source="Google"))
    # Visits A, C, D: one signup (A) among 3 visitors, no thank-you page.
    assert goal_rows(google["goals-panel"]) == [
        ("signupevent signup", "1", "33.3%", "1"), ("Visit /thank-youpage /thank-you", "0", "0.0%", "0")]
    assert [row[1] for row in table_rows(google["funnel-panel"], "funnel-table")] == ["2", "1"]
    # The CSV links carry the filter to the Stats API.
    assert query_of(google["goals-tools"]["props"]["href"])["f_source"] == "Google"


def test_a_filter_that_keeps_nothing_shows_zeros(signed_in, day):
    got = conversions_report(signed_in, dict(DAY, f_country="JP"))
    assert got["conversions-message"] is None
    assert goal_rows(got["goals-panel"]) == [
        ("signupevent signup", "0", "—", "0"), ("Visit /thank-youpage /thank-you", "0", "—", "0")]
    assert [row[1] for row in table_rows(got["funnel-panel"], "funnel-table")] == ["0", "0"]


def test_goal_names_and_funnel_steps_link_to_their_filter(signed_in, day):
    _, goals, funnel = day
    got = conversions_report(signed_in, dict(DAY, f_country="FR"))
    link = find_component(got["goals-panel"], "goal-row-" + goals["signup"].goal_id)
    href = link["props"]["children"][0]["props"]["children"][0]["props"]["children"]["props"]["href"]
    assert href.startswith("/conversions?")
    assert query_of(href) == dict(DAY, f_country="FR", f_goal=goals["signup"].goal_id)
    steps = [find_component(got["funnel-panel"], f"funnel-step-{k}") for k in (1, 2)]
    hrefs = [s["props"]["children"][0]["props"]["children"]["props"]["href"] for s in steps]
    assert query_of(hrefs[0]) == dict(DAY, f_country="FR", f_page="/pricing", funnel=funnel.funnel_id)
    assert query_of(hrefs[1]) == dict(DAY, f_country="FR", f_event="signup", funnel=funnel.funnel_id)
    # Following the goal link: only visits A and B are left, both converted.
    narrowed = conversions_report(signed_in, query_of(href))
    assert goal_rows(narrowed["goals-panel"])[0] == ("signupevent signup", "1", "100.0%", "1")


def test_a_country_chip_changes_the_retention_page(signed_in, day):
    def cards(got):
        return {c["props"]["id"]: c["props"]["data-value"] for c in got["returning-cards"]}
    everything = retention_report(signed_in, dict(DAY, interval="week"))
    assert (cards(everything)["returning-visits"], cards(everything)["returning-returning-visit-share"]) \
        == ("5", "40.0")
    german = retention_report(signed_in, dict(DAY, interval="week", f_country="DE"))
    # Visits B and C of visitor 2, both returning.
    assert cards(german) == {"returning-visitors": "1", "returning-new-visitors": "0",
                             "returning-returning-visitors": "1", "returning-visits": "2",
                             "returning-returning-visit-share": "100.0"}
    cohorts = retention_report(signed_in, dict(TWO_WEEKS, interval="week"))
    assert table_rows(cohorts["cohorts-panel"], "cohort-table") == [
        ("Mar 02, 2026", "1", "100.0%", "100.0%"), ("Mar 09, 2026", "2", "100.0%", "")]
    google = retention_report(signed_in, dict(TWO_WEEKS, interval="week", f_source="Google"))
    assert table_rows(google["cohorts-panel"], "cohort-table") == [
        ("Mar 02, 2026", "1", "100.0%", "0.0%"), ("Mar 09, 2026", "1", "100.0%", "")]
    nobody = retention_report(signed_in, dict(TWO_WEEKS, interval="week", f_country="JP"))
    assert find_component(nobody["cohorts-panel"], "cohorts-empty") is not None
    assert find_component(nobody["returning-panel"], "returning-empty") is not None


def test_a_page_chip_changes_new_and_returning_on_the_audience_page(signed_in, day):
    def cards(query):
        got = outputs_of(signed_in, [("audience-returning", "children")], "audience-selection", query)
        panel = got["audience-returning"]
        return {c["props"]["id"]: c["props"]["data-value"] for c in panel["props"]["children"]}
    assert cards(DAY)["returning-new-visits"] == "3"
    # Visits A, B, D saw /pricing: A and D new, B returning (c2 was seen on 9 March).
    assert cards(dict(DAY, f_page="/pricing")) == {
        "returning-new-visitors": "2", "returning-returning-visitors": "1",
        "returning-new-visits": "2", "returning-returning-visits": "1",
        "returning-returning-visit-share": "33.3"}


def test_the_pages_show_the_chip_and_no_ignored_note(signed_in, day):
    for page in ("conversions", "retention"):
        layout = route_to(signed_in, f"/{page}", f"?site={S}&period=7d&f_source=Google")
        assert find_component(layout, {"type": f"{page}-chip", "name": "source"}) is not None
        assert find_component(layout, f"{page}-filters-note") is None
