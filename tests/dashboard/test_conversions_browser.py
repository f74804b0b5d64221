"""Chromium, signed in as an admin, reads the goals & funnels of the worked day and adds a goal
from the page; the numbers are those of tests/dashboard/conversions_data.py. A screenshot is kept
(VIGIE_SCREENSHOT_DIR)."""
import os

from vigie.analytics.goals import list_goals
from tests.dashboard.conversions_data import DAY, FUNNEL_ROWS, GOAL_ROWS, SITE, conversions_world
from tests.browser_waits import wait_until
from tests.dashboard.test_overview_browser import TIMEOUT_MS, _sign_in, _table_rows

PATH = f"/conversions?site={SITE}&period=custom&from={DAY}&to={DAY}"


def test_goals_and_funnel_of_the_worked_day_and_adding_a_goal(app, store, account, live_url, browser,
                                                             tmp_path):
    conversions_world(store)
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(TIMEOUT_MS)
    _sign_in(page, live_url, PATH)
    page.wait_for_selector("#goals-table")
    assert [row[1:] for row in _table_rows(page, "goals-table")] == [list(r[1:]) for r in GOAL_ROWS]
    assert _table_rows(page, "funnel-table") == [list(r) for r in FUNNEL_ROWS]
    assert page.inner_text("#funnel-conversion") == "33.3%"
    page.wait_for_selector("#funnel-chart .main-svg")
    assert page.get_attribute("#goals-csv", "href").startswith(f"/api/v1/stats/goals?site={SITE}")

    # An admin adds a goal: a bad pattern is refused next to the form, a good one shows up in the table.
    page.get_by_label("Page pattern or event name").fill("pricing")
    page.click("#goal-save")
    page.wait_for_selector("#goal-form-message .message-error")
    assert "must start with /" in page.inner_text("#goal-form-message")
    page.get_by_label("Page pattern or event name").fill("/pricing")
    page.get_by_label("Name (optional)").fill("Saw pricing")
    page.click("#goal-save")
    page.wait_for_selector("#goal-form-done")
    wait_until(page, "(document.querySelector('#goals-table') || {innerText: ''})"
                     ".innerText.includes('Saw pricing')")
    row = [r for r in _table_rows(page, "goals-table") if r[0].startswith("Saw pricing")][0]
    assert row[1:3] == ["3", "75.0%"]  # visitors 1-3 of 4 viewed /pricing
    assert [g.name for g in list_goals(store, SITE)][-1] == "Saw pricing"
    out = os.environ.get("VIGIE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(out, exist_ok=True)
    page.screenshot(path=os.path.join(out, "conversions.png"), full_page=True)
