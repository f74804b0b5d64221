"""The retention page's callbacks over HTTP, on both backends, against numbers worked out by hand.

shop.example (UTC), period 2026-03-02 (Monday) to 2026-03-15: two weeks. Events at 10:00:

  customer a  visitor 1 on 2 March, visitor 2 on 10 March
  customer b  visitor 3 on 3 March
  customer c  visitor 4 on 9 March, visitor 5 on 11 March
  customer d  visitor 8 on 20 February (before the period), visitor 7 on 4 March
  anonymous   visitor 6 on 12 March at 10:00 and again at 11:00 (a second visit)

Weekly cohorts: week of 2 March = a, b: 100 % in week 0, 50 % in week 1 (a came back);
week of 9 March = c: 100 %. d was first seen before the period: in no cohort.
Monthly: March = a, b, c: 100 %.
Visits: v1 new, v3 new, v7 returning (d known since February), v4 new, v2 returning,
v5 returning, v6 new then returning: 8 visits, 4 returning (50.0 %); visitors 7, new 3
(v1, v3, v4), returning 4. Week of 2 March: 3 visits, 1 returning (33.3 %);
week of 9 March: 5 visits, 3 returning (60.0 %).
"""
from tests.dashboard.conftest import dash_post, find_component
from tests.dashboard.test_conversions_page import sign_in_as, table_rows, text
from tests.dashboard.test_overview_callbacks import call
from tests.factories import event, insert_events
from vigie.warehouse.sites import add_site

SITE, OTHER = "shop.example", "other.example"
QUERY = {"site": SITE, "period": "custom", "from": "2026-03-02", "to": "2026-03-15"}
OUTPUTS = [("retention-message", "children"), ("retention-report", "style"),
           ("returning-cards", "children"), ("returning-panel", "children"),
           ("returning-tools", "children"), ("cohorts-panel", "children"), ("cohorts-tools", "children")]


def world(store):
    add_site(store, SITE, "UTC")
    add_site(store, OTHER, "UTC")

    def seen(day, visitor, customer="", time="10:00:00", site=SITE):
        return event(site, f"{day} {time}", visitor=visitor, customer_id=customer)
    insert_events(store, [
        seen("2026-03-02", 1, "a"), seen("2026-03-10", 2, "a"), seen("2026-03-03", 3, "b"),
        seen("2026-03-09", 4, "c"), seen("2026-03-11", 5, "c"),
        seen("2026-02-20", 8, "d"), seen("2026-03-04", 7, "d"),
        seen("2026-03-12", 6), seen("2026-03-12", 6, time="11:00:00"),
        seen("2026-03-03", 9, "z", site=OTHER),
    ])


def report(client, query):
    answer = call(client, OUTPUTS, [("retention-query", "data", query)])
    return {name: answer[name][prop] for name, prop in OUTPUTS}


def test_cohorts_and_returning_visits_by_week(signed_in, store):
    world(store)
    got = report(signed_in, dict(QUERY, interval="week"))
    assert got["retention-message"] is None
    cards = {card["props"]["id"]: card["props"]["data-value"] for card in got["returning-cards"]}
    assert cards == {"returning-visitors": "7", "returning-new-visitors": "3",
                     "returning-returning-visitors": "4", "returning-visits": "8",
                     "returning-returning-visit-share": "50.0"}
    assert table_rows(got["returning-panel"], "returning-table") == [
        ("Mar 02, 2026", "3", "2", "1", "33.3%"), ("Mar 09, 2026", "5", "2", "3", "60.0%")]
    assert table_rows(got["cohorts-panel"], "cohort-table") == [
        ("Mar 02, 2026", "2", "100.0%", "50.0%"), ("Mar 09, 2026", "1", "100.0%", "")]
    heatmap = find_component(got["cohorts-panel"], "cohort-heatmap")["props"]
    assert heatmap["figure"]["data"][0]["z"] == [[100.0, 50.0], [100.0, None]]
    assert heatmap["config"]["modeBarButtons"] == [["toImage"]]
    assert got["cohorts-tools"]["props"]["href"] == (
        f"/api/v1/stats/cohorts?site={SITE}&period=custom&from=2026-03-02&to=2026-03-15"
        "&interval=week&format=csv")
    assert got["returning-tools"]["props"]["href"].startswith(f"/api/v1/stats/returning?site={SITE}&")


def test_monthly_cohorts(signed_in, store):
    world(store)
    got = report(signed_in, dict(QUERY, interval="month"))
    assert table_rows(got["cohorts-panel"], "cohort-table") == [("Mar 2026", "3", "100.0%")]
    # The period holds 14 days of March: the row says so.
    assert table_rows(got["returning-panel"], "returning-table") == [
        ("Mar 2026 (14 of 31 days)", "8", "4", "4", "50.0%")]


def test_a_week_in_progress_and_its_cohort_cells_are_marked(signed_in, store):
    """Last week (whole) and this week so far: b never came back, a did today."""
    import datetime
    from vigie.analytics.period import local_now
    add_site(store, SITE, "UTC")
    today = local_now("UTC").date()
    monday = today - datetime.timedelta(days=today.weekday())
    last_monday = monday - datetime.timedelta(days=7)
    insert_events(store, [
        event(SITE, f"{last_monday} 10:00:00", visitor=1, customer_id="a"),
        event(SITE, f"{last_monday} 11:00:00", visitor=2, customer_id="b"),
        event(SITE, f"{today} 00:00:01", visitor=3, customer_id="a"),
        event(SITE, f"{today} 00:00:02", visitor=4, customer_id="c"),
    ])
    got = report(signed_in, {"site": SITE, "period": "custom", "from": str(last_monday), "to": str(today),
                             "interval": "week"})
    so_far = f"{monday:%b %d, %Y} (so far: {today.weekday() + 1} of 7 days)"
    assert [row[0] for row in table_rows(got["returning-panel"], "returning-table")] == [
        f"{last_monday:%b %d, %Y}", so_far]
    assert table_rows(got["cohorts-panel"], "cohort-table") == [
        (f"{last_monday:%b %d, %Y}", "2", "100.0%", "50.0% so far"), (f"{monday:%b %d, %Y}", "1", "100.0%", "")]
    cell = find_component(got["cohorts-panel"], "cohort-table")["props"]["children"][1]["props"]["children"][0]
    assert cell["props"]["children"][3]["props"]["className"] == "num incomplete"
    heatmap = find_component(got["cohorts-panel"], "cohort-heatmap")["props"]["figure"]["data"][0]
    # The unfinished week is not coloured as a final share; its text says "so far".
    assert heatmap["z"] == [[100.0, None], [100.0, None]]
    assert heatmap["text"][0] == ["100.0%", "50.0% so far"]


def test_empty_states_and_a_bad_interval(signed_in, store):
    world(store)
    got = report(signed_in, dict(QUERY, **{"from": "2026-01-05", "to": "2026-01-11"}))
    assert "No identified customers were first seen in this period" in text(got["cohorts-panel"])
    assert "No visits in this period" in text(got["returning-panel"])
    assert [c["props"]["data-value"] for c in got["returning-cards"]][-1] == ""  # no share, not 0 %
    got = report(signed_in, dict(QUERY, interval="day"))
    assert text(got["retention-message"]) == "Cannot show interval “day”: use week or month."
    assert got["retention-report"] == {"display": "none"} and got["cohorts-panel"] is None


def test_the_interval_lives_in_the_url(signed_in, store):
    world(store)
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/retention"},
                       {"id": "_pages_location", "property": "search",
                        "value": f"?site={SITE}&period=30d&interval=month"}],
            "state": [], "changedPropIds": ["_pages_location.search"]}
    page = dash_post(signed_in, body).get_json()["response"]["_pages_content"]["children"]
    assert find_component(page, "retention-query")["props"]["data"] == {
        "site": SITE, "period": "30d", "interval": "month"}
    assert find_component(page, "interval-month")["props"]["className"] == "tab tab-active"
    assert find_component(page, "interval-week")["props"]["href"] == \
        f"/retention?site={SITE}&period=30d&interval=week"


def test_per_site_access_and_roles(client, app, store):
    world(store)
    marketer = sign_in_as(client, store, "mia@shop.example", "marketer", [SITE])
    got = report(marketer, dict(QUERY, site=OTHER))
    assert f"No site named “{OTHER}” is registered" in text(got["retention-message"])
    assert got["returning-cards"] == [] and got["cohorts-panel"] is None
    assert report(marketer, QUERY)["retention-message"] is None
    retention = sign_in_as(app.test_client(), store, "rex@shop.example", "retention", [SITE])
    got = report(retention, QUERY)
    assert "not part of this account" in text(got["retention-message"])
    assert got["cohorts-panel"] is None
