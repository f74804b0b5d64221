"""Settings, Traffic alerts area: admins set a site's spike and drop alerts; nobody else can."""
from vigie.alerts.destinations import add_channel
from vigie.alerts.traffic_settings import get_traffic_settings
from tests.dashboard.conftest import find_component
from tests.dashboard.report_helpers import call, sign_in_as
from tests.dashboard.test_settings_page import page
from vigie.warehouse.sites import add_site

FORM = [("traffic-spike", "value"), ("traffic-drop", "value"), ("traffic-weeks", "value"),
        ("traffic-channels", "value")]


def save(client, domain, spike, drop, weeks, channels=""):
    answer = call(client, [("traffic-message", "children")], [("traffic-save", "n_clicks", 1)],
                  [("traffic-site", "value", domain), ("traffic-spike", "value", spike),
                   ("traffic-drop", "value", drop), ("traffic-weeks", "value", weeks),
                   ("traffic-channels", "value", channels)])
    return answer["traffic-message"]["children"]["props"]["children"]


def test_an_admin_sets_and_reads_back_traffic_alerts(signed_in, store):
    add_site(store, "shop.example")
    add_channel(store, "shop.example", "team-mail", "json://127.0.0.1:9/hook")
    card = find_component(page(signed_in), "traffic-alert-settings")
    assert find_component(card, "traffic-site")["props"]["value"] == "shop.example"
    assert save(signed_in, "shop.example", 120, 50.0, 8, " team-mail ") == (
        "Traffic alerts of shop.example saved: spike at 120 current visitors; "
        "drop below 50 % of the usual over 8 weeks.")
    found = get_traffic_settings(store, "shop.example")
    assert (found.spike_visitors, found.drop_percent, found.baseline_weeks, found.channels) == (
        120, 50, 8, ("team-mail",))
    filled = call(signed_in, FORM, [("traffic-site", "value", "shop.example")])
    assert [filled[name][prop] for name, prop in FORM] == [120, 50, 8, "team-mail"]
    assert save(signed_in, "shop.example", None, 0, 8) == (
        "Traffic alerts of shop.example saved: no spike alert; no drop alert.")


def test_bad_input_is_named(signed_in, store):
    add_site(store, "shop.example")
    assert "from 0 to 99, not 150" in save(signed_in, "shop.example", 10, 150, 6)
    assert "from 4 to 8, not 12" in save(signed_in, "shop.example", 10, 50, 12)
    assert "must be a whole number" in save(signed_in, "shop.example", 10.5, 50, 6)
    assert "has no alert channel 'nope'" in save(signed_in, "shop.example", 10, 50, 6, "nope")
    assert not get_traffic_settings(store, "shop.example").enabled


def test_only_admins_may_change_them(client, store):
    add_site(store, "shop.example")
    sign_in_as(client, store, "mia@shop.example", "marketer", ["shop.example"])
    assert "Settings are for admins" in save(client, "shop.example", 10, 50, 6)
    assert not get_traffic_settings(store, "shop.example").enabled
