"""Settings, Web vitals area: admins turn a site's web vitals on and off."""
from tests.dashboard.conftest import find_component
from tests.dashboard.test_overview_callbacks import call
from tests.dashboard.test_settings_page import page
from tests.dashboard.report_helpers import call as call_one, sign_in_as
from vigie.warehouse.sites import add_site, get_site

SAVE = [("vitals-settings-message", "children"), ("vitals-settings-panel", "children")]


def save(client, domain, enabled):
    answer = call(client, SAVE, [("vitals-settings-save", "n_clicks", 1)],
                  [("vitals-site", "value", domain), ("vitals-enabled", "value", enabled)])
    return answer["vitals-settings-message"]["children"]["props"]["children"], \
        answer.get("vitals-settings-panel")


def test_an_admin_turns_web_vitals_on_and_reads_it_back(signed_in, store):
    add_site(store, "shop.example")
    card = find_component(page(signed_in), "vitals-settings")
    assert find_component(card, "vitals-site")["props"]["value"] == "shop.example"
    assert "off" in str(find_component(card, "vitals-settings-table"))
    text, panel = save(signed_in, "shop.example", "on")
    assert text == "Web vitals of shop.example are on."
    assert get_site(store, "shop.example").web_vitals is True
    assert "'on'" in str(find_component(panel["children"], "vitals-settings-table"))
    filled = call_one(signed_in, [("vitals-enabled", "value")], [("vitals-site", "value", "shop.example")])
    assert filled["vitals-enabled"]["value"] == "on"
    assert save(signed_in, "shop.example", "off")[0] == "Web vitals of shop.example are off."
    assert get_site(store, "shop.example").web_vitals is False


def test_bad_input_is_named_and_nothing_changes(signed_in, store):
    add_site(store, "shop.example")
    text, panel = save(signed_in, "nowhere.example", "on")
    assert text == "No site 'nowhere.example' is registered." and panel is None
    text, panel = save(signed_in, "shop.example", "maybe")
    assert text == "Choose on or off." and panel is None
    assert get_site(store, "shop.example").web_vitals is False


def test_only_admins_may_change_it(client, store):
    add_site(store, "shop.example")
    sign_in_as(client, store, "mia@shop.example", "marketer", ["shop.example"])
    text, panel = save(client, "shop.example", "on")
    assert "Settings are for admins" in text and panel is None
    assert get_site(store, "shop.example").web_vitals is False
