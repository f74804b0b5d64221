"""The site registry and its settings, on both backends."""
import pytest

from vigie.warehouse.sites import SiteError, add_site, get_site, list_sites, remove_site


def test_defaults_and_hostname_ownership(store):
    site = add_site(store, "WWW.Shop.Example")
    assert (site.domain, site.timezone) == ("shop.example", "UTC")
    assert site.extra_hostnames == () and not site.identify_customers and site.respect_privacy_signals
    assert site.owns_hostname("shop.example") and site.owns_hostname("blog.shop.example")
    assert not site.owns_hostname("notshop.example") and not site.owns_hostname("cdn.example.net")
    assert get_site(store, "shop.example") == site


def test_settings_change_only_what_is_given(store):
    add_site(store, "shop.example", "Europe/Paris")
    changed = add_site(store, "shop.example", extra_hostnames=["Shop-CDN.example.net", "shop-cdn.example.net"],
                       identify_customers=True)
    assert changed.timezone == "Europe/Paris"
    assert changed.extra_hostnames == ("shop-cdn.example.net",)
    assert changed.identify_customers and changed.respect_privacy_signals
    assert changed.owns_hostname("shop-cdn.example.net")
    again = add_site(store, "shop.example", respect_privacy_signals=False)
    assert again.extra_hostnames == ("shop-cdn.example.net",) and again.identify_customers
    assert get_site(store, "shop.example") == again and not again.respect_privacy_signals
    assert [s.domain for s in list_sites(store)] == ["shop.example"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(domain="not a domain"), "not a domain name"),
    (dict(domain="shop.example", timezone="Mars/Base"), "not an IANA time zone"),
    (dict(domain="shop.example", extra_hostnames=["https://x.example/"]), "not a host name"),
    # Of the names without a domain, only the two of a developer's machine.
    (dict(domain="shop.example", extra_hostnames=["intranet"]), "not a host name"),
    (dict(domain="shop.example", extra_hostnames=["127.0.0.2"]), "not a host name"),
    (dict(domain="shop.example", search_parameters=["q", "search term"]), "not a query parameter name"),
    (dict(domain="shop.example", search_parameters=[f"p{n}" for n in range(11)]), "at most 10"),
    (dict(domain="shop.example", search_no_results_page="search/none"), "not a page path pattern"),
    (dict(domain="shop.example", search_no_results_event="x" * 121), "longer than 120"),
])
def test_bad_settings_are_named(store, kwargs, message):
    with pytest.raises(SiteError, match=message):
        add_site(store, **kwargs)


def test_localhost_is_a_dev_hostname_only_when_listed(store):
    site = add_site(store, "shop.example")
    assert not site.owns_hostname("localhost") and not site.owns_hostname("127.0.0.1")
    dev = add_site(store, "shop.example", extra_hostnames=["LOCALHOST", "127.0.0.1"])
    assert dev.extra_hostnames == ("localhost", "127.0.0.1")
    assert dev.owns_hostname("localhost") and dev.owns_hostname("127.0.0.1")
    assert not dev.owns_hostname("shop.localhost") and not dev.owns_hostname("127.0.0.2")


def test_removed_sites_disappear(store):
    add_site(store, "shop.example")
    remove_site(store, "shop.example")
    assert get_site(store, "shop.example") is None and list_sites(store) == []
    with pytest.raises(SiteError, match="no site"):
        remove_site(store, "shop.example")


def test_site_search_settings(store):
    site = add_site(store, "shop.example")
    assert site.search_parameters == ("q", "s", "search", "query")
    assert (site.search_no_results_page, site.search_no_results_event) == ("", "")
    changed = add_site(store, "shop.example", search_parameters=[" kw ", "Q", "kw"],
                       search_no_results_page=" /search/*/empty ")
    assert changed.search_parameters == ("kw", "Q")
    assert changed.search_no_results_page == "/search/*/empty"
    kept = add_site(store, "shop.example", search_no_results_event="Search: no results")
    assert kept.search_parameters == ("kw", "Q") and kept.search_no_results_page == "/search/*/empty"
    assert get_site(store, "shop.example") == kept
    # No parameter at all turns site search off.
    assert add_site(store, "shop.example", search_parameters=[]).search_parameters == ()
