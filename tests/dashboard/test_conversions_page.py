"""The goals & funnels page over HTTP, signed in, as the browser calls its callbacks, on both backends."""
import json

from vigie.analytics.funnels import list_funnels
from vigie.analytics.goals import list_goals
from tests.dashboard.conftest import dash_post, find_component, login
from tests.dashboard.conversions_data import (CHECKOUT, DAY, FUNNEL_ROWS, GOAL_ROWS, OTHER, QUERY, SITE,
                                              conversions_world)
from tests.dashboard.test_overview_callbacks import call
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

REPORT = [("conversions-message", "children"), ("conversions-report", "style"),
          ("goals-panel", "children"), ("goals-tools", "children"), ("funnel-panel", "children")]


def report(client, query, revisions=(0, 0)):
    answer = call(client, REPORT, [("conversions-query", "data", query),
                                   ("goals-revision", "data", revisions[0]),
                                   ("funnels-revision", "data", revisions[1])])
    return {name: answer[name][prop] for name, prop in REPORT}


def route(client, search):
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/conversions"},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.search"]}
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]["_pages_content"]["children"]


def text(tree):
    """Every string inside a component tree, joined: what a reader sees of it."""
    if isinstance(tree, str):
        return tree
    if isinstance(tree, list):
        return "".join(text(t) for t in tree)
    if isinstance(tree, dict):
        return text(tree.get("props", {}).get("children"))
    return "" if tree is None else str(tree)


def table_rows(tree, table_id):
    table = find_component(tree, table_id)
    assert table is not None, f"no #{table_id}"
    body = table["props"]["children"][1]["props"]["children"]
    return [tuple(text(cell["props"]["children"]) for cell in row["props"]["children"]) for row in body]


def click(client, outputs, buttons, clicked, state):
    """A callback fired by one of several buttons: only the clicked one is a changed prop."""
    body = {
        "output": "..{}..".format("...".join(f"{o}.{p}" for o, p in outputs)),
        "outputs": [{"id": o, "property": p} for o, p in outputs],
        "inputs": [{"id": b, "property": "n_clicks", "value": int(b == clicked)} for b in buttons],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{clicked}.n_clicks"],
    }
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def change_goal(client, query, choice="", kind="pageview", pattern="", name="", revenue=(), remove=False):
    outputs = [("goal-form-message", "children"), ("goals-revision", "data"),
               ("goal-choice", "options"), ("goal-choice", "value")]
    answer = click(client, outputs, ["goal-save", "goal-remove"], "goal-remove" if remove else "goal-save",
                   [("goal-choice", "value", choice), ("goal-kind", "value", kind),
                   ("goal-pattern", "value", pattern), ("goal-name", "value", name),
                   ("goal-revenue", "value", list(revenue)), ("goals-revision", "data", 3),
                   ("conversions-query", "data", query)])
    return answer


def change_funnel(client, query, choice="", name="", steps="", window="", remove=False):
    outputs = [("funnel-form-message", "children"), ("funnels-revision", "data"),
               ("funnel-choice", "options"), ("funnel-choice", "value")]
    return click(client, outputs, ["funnel-save", "funnel-remove"],
                 "funnel-remove" if remove else "funnel-save",
                 [("funnel-choice", "value", choice), ("funnel-name", "value", name),
                 ("funnel-steps", "value", steps), ("funnel-window", "value", window),
                 ("funnels-revision", "data", 0), ("conversions-query", "data", query)])


def said(answer, output):
    return text(answer[output]["children"])


def sign_in_as(client, store, email, role, sites):
    add_user(store, email, "a long enough password", role=role, sites=sites)
    assert login(client, email, "a long enough password").status_code == 302
    return client


def test_goals_and_the_funnel_of_the_worked_day(signed_in, store):
    checkout = conversions_world(store)
    got = report(signed_in, QUERY)
    assert got["conversions-message"] is None and got["conversions-report"] == {}
    assert [row[:1] + row[1:] for row in table_rows(got["goals-panel"], "goals-table")] == [
        (name + what, *numbers) for (name, *numbers), what in
        zip(GOAL_ROWS, ["event purchase", "page /checkout/*", "event signup"])]
    assert table_rows(got["funnel-panel"], "funnel-table") == FUNNEL_ROWS
    assert text(find_component(got["funnel-panel"], "funnel-conversion")) == "33.3%"
    chart = find_component(got["funnel-panel"], "funnel-chart")["props"]
    assert chart["figure"]["data"][0]["x"] == [3, 2, 1]
    assert chart["config"]["modeBarButtons"] == [["toImage"]]
    # CSV links carry the page's own query to the Stats API.
    assert got["goals-tools"]["props"]["href"] == (
        f"/api/v1/stats/goals?site={SITE}&period=custom&from={DAY}&to={DAY}&format=csv")
    assert find_component(got["funnel-panel"], "funnel-csv")["props"]["href"] == (
        f"/api/v1/stats/funnel?site={SITE}&period=custom&from={DAY}&to={DAY}"
        f"&funnel_id={checkout.funnel_id}&format=csv")


def test_the_funnel_in_the_url_is_the_one_shown(signed_in, store):
    conversions_world(store)
    from vigie.analytics.funnels import add_funnel
    signup = add_funnel(store, SITE, "Signup", [("pageview", "/blog/*"), ("event", "signup")])
    got = report(signed_in, dict(QUERY, funnel=signup.funnel_id))
    assert table_rows(got["funnel-panel"], "funnel-table") == [
        ("1. Visit /blog/*", "1", "0", "100.0%", "100.0%"), ("2. signup", "1", "0", "100.0%", "100.0%")]
    assert find_component(got["funnel-panel"], f"funnel-tab-{signup.funnel_id}")["props"]["className"] \
        == "tab tab-active"
    # An unknown id shows the first funnel rather than nothing.
    got = report(signed_in, dict(QUERY, funnel="nope"))
    assert table_rows(got["funnel-panel"], "funnel-table") == FUNNEL_ROWS
    # Changing the period keeps the funnel in the URL.
    body = {"output": "conversions-url.search",
            "outputs": {"id": "conversions-url", "property": "search"},
            "inputs": [{"id": "conversions-site", "property": "value", "value": SITE},
                       {"id": "conversions-period", "property": "value", "value": "30d"},
                       {"id": "conversions-range", "property": "start_date", "value": None},
                       {"id": "conversions-range", "property": "end_date", "value": None},
                       {"id": "conversions-compare", "property": "value", "value": ""},
                       {"id": "conversions-segment", "property": "value", "value": None}],
            "state": [{"id": "conversions-url", "property": "search",
                       "value": f"?site={SITE}&period=7d&funnel={signup.funnel_id}"}],
            "changedPropIds": ["conversions-period.value"]}
    answer = dash_post(signed_in, body).get_json()["response"]
    assert answer["conversions-url"]["search"] == f"?site={SITE}&period=30d&funnel={signup.funnel_id}"


def test_empty_states_say_what_to_do(signed_in, app, store):
    add_site(store, SITE, "UTC")
    got = report(signed_in, QUERY)
    assert "No goals yet — add one below" in text(got["goals-panel"])
    assert "No funnels yet — add one below" in text(got["funnel-panel"])
    marketer = sign_in_as(app.test_client(), store, "mia@shop.example", "marketer", [SITE])
    got = report(marketer, QUERY)
    assert "No goals yet — ask an admin" in text(got["goals-panel"])
    assert "vigie funnels add DOMAIN" in text(got["funnel-panel"])


def test_an_admin_adds_edits_and_removes_a_goal(signed_in, store):
    add_site(store, SITE, "UTC")
    answer = change_goal(signed_in, QUERY, kind="pageview", pattern="thank-you")
    assert "page pattern 'thank-you' must start with /" in said(answer, "goal-form-message")
    assert "goals-revision" not in answer and list_goals(store, SITE) == []
    answer = change_goal(signed_in, QUERY, kind="pageview", pattern="/thanks", revenue=["revenue"])
    assert "only custom-event goals carry revenue" in said(answer, "goal-form-message")
    answer = change_goal(signed_in, QUERY, kind="event", pattern="purchase", name="Bought")
    assert said(answer, "goal-form-message") == "Goal “Bought” added."
    assert answer["goals-revision"]["data"] == 4
    [goal] = list_goals(store, SITE)
    assert (goal.kind, goal.pattern, goal.name, goal.revenue_goal) == ("event", "purchase", "Bought", False)
    assert answer["goal-choice"]["options"][1] == {"label": "Bought (event purchase)", "value": goal.goal_id}
    # The same goal twice is refused with the CLI's words.
    answer = change_goal(signed_in, QUERY, kind="event", pattern="purchase")
    assert f"already has this goal: {goal.goal_id}" in said(answer, "goal-form-message")
    # Edit: rename and count revenue; what it matches stays.
    answer = change_goal(signed_in, QUERY, choice=goal.goal_id, kind="pageview", pattern="/ignored",
                         name="Purchase", revenue=["revenue"])
    assert said(answer, "goal-form-message") == "Goal “Purchase” saved."
    [goal] = list_goals(store, SITE)
    assert (goal.kind, goal.pattern, goal.name, goal.revenue_goal) == ("event", "purchase", "Purchase", True)
    answer = change_goal(signed_in, QUERY, choice="", remove=True)
    assert said(answer, "goal-form-message") == "Choose the goal to remove."
    answer = change_goal(signed_in, QUERY, choice=goal.goal_id, remove=True)
    assert said(answer, "goal-form-message") == "Goal “Purchase” removed; its events stay."
    assert list_goals(store, SITE) == []


def test_an_admin_adds_edits_and_removes_a_funnel(signed_in, store):
    add_site(store, SITE, "UTC")
    answer = change_funnel(signed_in, QUERY, name="Checkout", steps="page:/pricing")
    assert "a funnel has 2 to 8 steps, not 1" in said(answer, "funnel-form-message")
    answer = change_funnel(signed_in, QUERY, name="Checkout", steps="page:/pricing\nclick:buy")
    assert "step 'click:buy' must look like page:/pricing or event:signup" in said(answer, "funnel-form-message")
    answer = change_funnel(signed_in, QUERY, name="Checkout", steps="page:/pricing\nevent:purchase", window="two")
    assert "the window 'two' is not a whole number of days" in said(answer, "funnel-form-message")
    answer = change_funnel(signed_in, QUERY, name="Checkout", steps="page:/pricing\nevent:purchase", window="91")
    assert "the window is 0 (one visit) to 90 days, not 91" in said(answer, "funnel-form-message")
    assert list_funnels(store, SITE) == []
    steps = "page:/pricing\n\n  page:/checkout/*\nevent:purchase\n"
    answer = change_funnel(signed_in, QUERY, name="Checkout", steps=steps)
    assert said(answer, "funnel-form-message") == "Funnel “Checkout” added."
    [funnel] = list_funnels(store, SITE)
    assert (funnel.name, list(funnel.steps), funnel.window_days) == ("Checkout", CHECKOUT, 0)
    answer = change_funnel(signed_in, QUERY, choice=funnel.funnel_id, name="Checkout in 7 days",
                           steps="page:/pricing\nevent:purchase", window="7")
    assert said(answer, "funnel-form-message") == "Funnel “Checkout in 7 days” saved."
    [edited] = list_funnels(store, SITE)
    assert (edited.funnel_id, len(edited.steps), edited.window_days) == (funnel.funnel_id, 2, 7)
    # Choosing it fills the form with the CLI's step syntax.
    filled = call(signed_in, [("funnel-name", "value"), ("funnel-steps", "value"), ("funnel-window", "value")],
                  [("funnel-choice", "value", funnel.funnel_id)], [("conversions-query", "data", QUERY)])
    assert [filled[k]["value"] for k in ("funnel-name", "funnel-steps", "funnel-window")] == [
        "Checkout in 7 days", "page:/pricing\nevent:purchase", "7"]
    answer = change_funnel(signed_in, QUERY, choice=funnel.funnel_id, remove=True)
    assert said(answer, "funnel-form-message") == "Funnel “Checkout in 7 days” removed."
    assert list_funnels(store, SITE) == []


def test_a_marketer_reads_goals_but_cannot_change_them(client, store):
    conversions_world(store)
    marketer = sign_in_as(client, store, "mia@shop.example", "marketer", [SITE])
    page = route(marketer, f"?site={SITE}&period=7d")
    assert find_component(page, "conversions-site") is not None
    assert find_component(page, "goal-form") is None and find_component(page, "funnel-form") is None
    assert table_rows(report(marketer, QUERY)["goals-panel"], "goals-table")[0][1:] == GOAL_ROWS[0][1:]
    # Posting the form callbacks by hand is refused on the server, and nothing changes.
    goals_before, funnels_before = list_goals(store, SITE), list_funnels(store, SITE)
    answer = change_goal(marketer, QUERY, kind="event", pattern="refund")
    assert said(answer, "goal-form-message") == "Only admins can change goals and funnels."
    answer = change_goal(marketer, QUERY, choice=goals_before[0].goal_id, remove=True)
    assert said(answer, "goal-form-message") == "Only admins can change goals and funnels."
    answer = change_funnel(marketer, QUERY, name="Sneaky", steps="page:/a\npage:/b")
    assert said(answer, "funnel-form-message") == "Only admins can change goals and funnels."
    answer = change_funnel(marketer, QUERY, choice=funnels_before[0].funnel_id, remove=True)
    assert said(answer, "funnel-form-message") == "Only admins can change goals and funnels."
    assert list_goals(store, SITE) == goals_before and list_funnels(store, SITE) == funnels_before
    # Picking a goal or funnel to edit sends nothing back to a marketer (every output unchanged).
    for choice, goal_or_funnel in (("goal-choice", goals_before[0].goal_id),
                                   ("funnel-choice", funnels_before[0].funnel_id)):
        outputs = ([("goal-kind", "value"), ("goal-pattern", "value"), ("goal-name", "value"),
                    ("goal-revenue", "value"), ("goal-kind", "options"), ("goal-pattern", "disabled")]
                   if choice == "goal-choice" else
                   [("funnel-name", "value"), ("funnel-steps", "value"), ("funnel-window", "value")])
        body = {"output": "..{}..".format("...".join(f"{o}.{p}" for o, p in outputs)),
                "outputs": [{"id": o, "property": p} for o, p in outputs],
                "inputs": [{"id": choice, "property": "value", "value": goal_or_funnel}],
                "state": [{"id": "conversions-query", "property": "data", "value": QUERY}],
                "changedPropIds": [f"{choice}.value"]}
        answer = dash_post(marketer, body)
        assert answer.status_code == 200 and answer.get_json()["response"] == {}


def test_per_site_access_and_roles(client, store):
    conversions_world(store)
    marketer = sign_in_as(client, store, "mia@shop.example", "marketer", [SITE])
    other = dict(QUERY, site=OTHER)
    got = report(marketer, other)
    assert f"No site named “{OTHER}” is registered" in text(got["conversions-message"])
    assert got["goals-panel"] is None and got["funnel-panel"] is None
    options = find_component(route(marketer, f"?site={OTHER}"), "conversions-site")["props"]["options"]
    assert [o["value"] for o in options] == [SITE]


def test_the_retention_role_gets_no_goals(client, store):
    conversions_world(store)
    retention = sign_in_as(client, store, "rex@shop.example", "retention", [SITE])
    assert route(retention, f"?site={SITE}")["props"]["id"] == "no-analytics"
    got = report(retention, QUERY)
    assert "not part of this account" in text(got["conversions-message"])
    assert got["goals-panel"] is None
    answer = change_goal(retention, QUERY, kind="event", pattern="x")
    assert "not part of this account" in said(answer, "goal-form-message")


def test_filters_in_the_link_apply_without_a_note(signed_in, store):
    # Filters now narrow goals and funnels (tests/dashboard/test_filtered_reports.py):
    # the page shows the chip, and no longer says they are ignored.
    conversions_world(store)
    page = route(signed_in, f"?site={SITE}&period=7d&f_country=FR")
    assert find_component(page, "conversions-filters-note") is None
    assert find_component(page, {"type": "conversions-chip", "name": "country"}) is not None
    assert "do not apply" not in json.dumps(page)
