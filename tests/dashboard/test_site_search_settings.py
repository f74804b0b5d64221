"""Settings, Site search area: admins set a site's search parameters and no-results signals."""
from tests.dashboard.conftest import find_component
from tests.dashboard.test_overview_callbacks import call
from tests.dashboard.test_settings_page import page
from tests.dashboard.report_helpers import sign_in_as
from vigie.warehouse.sites import add_site, get_site

SAVE = [("search-settings-message", "children"), ("search-settings-panel", "children")]
FORM = [("search-parameters", "value"), ("search-no-results-page", "value"),
        ("search-no-results-event", "value")]


def save(client, domain, parameters, no_results_page="", no_results_event=""):
    answer = call(client, SAVE, [("search-settings-save", "n_clicks", 1)],
                  [("search-site", "value", domain), ("search-parameters", "value", parameters),
                   ("search-no-results-page", "value", no_results_page),
                   ("search-no-results-event", "value", no_results_event)])
    return answer["search-settings-message"]["children"]["props"]["children"], \
        answer.get("search-settings-panel")


def test_an_admin_sets_and_reads_back_the_search_settings(signed_in, store):
    add_site(store, "shop.example")
    card = find_component(page(signed_in), "search-settings")
    assert find_component(card, "search-site")["props"]["value"] == "shop.example"
    text, panel = save(signed_in, "shop.example", " kw, q ", "/search/*/empty", "Search: no results")
    assert text == "Site search settings of shop.example saved."
    site = get_site(store, "shop.example")
    assert site.search_parameters == ("kw", "q")
    assert (site.search_no_results_page, site.search_no_results_event) == ("/search/*/empty",
                                                                            "Search: no results")
    table = find_component(panel["children"], "search-settings-table")
    assert "kw, q" in str(table) and "Search: no results" in str(table)
    filled = call(signed_in, FORM, [("search-site", "value", "shop.example")])
    assert [filled[name][prop] for name, prop in FORM] == ["kw, q", "/search/*/empty", "Search: no results"]


def test_bad_input_is_named_and_nothing_changes(signed_in, store):
    add_site(store, "shop.example")
    text, panel = save(signed_in, "shop.example", "q, search term")
    assert "'search term' is not a query parameter name" in text and panel is None
    text, _ = save(signed_in, "shop.example", "q", "search/none")
    assert "is not a page path pattern" in text
    text, _ = save(signed_in, "nowhere.example", "q")
    assert text == "No site 'nowhere.example' is registered."
    assert get_site(store, "shop.example").search_parameters == ("q", "s", "search", "query")


def test_only_admins_may_change_them(client, store):
    add_site(store, "shop.example")
    sign_in_as(client, store, "mia@shop.example", "marketer", ["shop.example"])
    text, panel = save(client, "shop.example", "kw")
    assert "Settings are for admins" in text and panel is None
    assert get_site(store, "shop.example").search_parameters == ("q", "s", "search", "query")
