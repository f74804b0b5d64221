"""`vigie sites add` flags for the site settings, and `vigie sites list` showing them."""
import pytest

from tests.cli.inprocess import run_vigie_here as run_vigie


@pytest.fixture
def chdb_url(cli_store_url):
    return cli_store_url


def test_site_settings_are_set_kept_and_listed(chdb_url):
    added = run_vigie(chdb_url, "sites", "add", "shop.example.com", "--hostname", "Shop-CDN.example.net",
                      "--hostname", "checkout.example.org", "--identify-customers",
                      "--ignore-privacy-signals")
    assert added.returncode == 0, added.stderr
    assert ("hostnames: shop-cdn.example.net,checkout.example.org; customer ids: accepted; "
            "DNT/GPC: ignored") in added.stdout
    # Flags not given keep their value; the others change.
    changed = run_vigie(chdb_url, "sites", "add", "shop.example.com", "--respect-privacy-signals")
    assert changed.returncode == 0, changed.stderr
    run_vigie(chdb_url, "sites", "add", "blog.example.com")
    listed = run_vigie(chdb_url, "sites", "list")
    assert listed.returncode == 0, listed.stderr
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [line[0] for line in lines] == ["blog.example.com", "shop.example.com"]
    assert lines[0][3:] == ["hostnames: -", "customer ids: removed", "DNT/GPC: respected",
                            "site search: q,s,search,query", "web vitals: off"]
    assert lines[1][3:] == ["hostnames: shop-cdn.example.net,checkout.example.org",
                            "customer ids: accepted", "DNT/GPC: respected", "site search: q,s,search,query",
                            "web vitals: off"]
    cleared = run_vigie(chdb_url, "sites", "add", "shop.example.com", "--clear-hostnames",
                        "--no-identify-customers")
    assert "hostnames: -; customer ids: removed; DNT/GPC: respected" in cleared.stdout


def test_site_search_flags(chdb_url):
    added = run_vigie(chdb_url, "sites", "add", "shop.example.com", "--search-parameter", "kw",
                      "--search-parameter", "q", "--no-results-event", "Search: no results")
    assert added.returncode == 0, added.stderr
    assert "site search: kw,q (no results: event 'Search: no results')" in added.stdout
    paged = run_vigie(chdb_url, "sites", "add", "shop.example.com", "--no-results-page", "/search/empty",
                      "--no-results-event", "")
    assert "site search: kw,q (no results: page /search/empty)" in paged.stdout
    off = run_vigie(chdb_url, "sites", "add", "shop.example.com", "--no-site-search")
    assert "site search: off (no results: page /search/empty)" in off.stdout


def test_web_vitals_flag(chdb_url):
    on = run_vigie(chdb_url, "sites", "add", "shop.example.com", "--web-vitals")
    assert on.returncode == 0, on.stderr
    assert "web vitals: on" in on.stdout
    kept = run_vigie(chdb_url, "sites", "add", "shop.example.com", "--hostname", "localhost")
    assert "web vitals: on" in kept.stdout
    off = run_vigie(chdb_url, "sites", "add", "shop.example.com", "--no-web-vitals")
    assert "web vitals: off" in off.stdout


@pytest.mark.parametrize("args, message", [
    (["--hostname", "https://cdn.example.net/x"], "is not a host name"),
    (["--hostname", "a.example.net", "--clear-hostnames"], "not allowed with argument"),
    (["--respect-privacy-signals", "--ignore-privacy-signals"], "not allowed with argument"),
    (["--identify-customers=yes"], "ignored explicit argument"),
    (["--search-parameter", "search term"], "is not a query parameter name"),
    (["--search-parameter", "q", "--no-site-search"], "not allowed with argument"),
    (["--no-results-page", "empty"], "is not a page path pattern"),
])
def test_bad_site_flags_get_one_clear_line(chdb_url, args, message):
    result = run_vigie(chdb_url, "sites", "add", "shop.example.com", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
