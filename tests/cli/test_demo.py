"""`vigie demo`: deterministic, varied traffic, loaded through the collector."""
import collections
import datetime
import hashlib
import ipaddress
import mailbox
import os
import re
import subprocess
import sys

from vigie.collector.geo import country
from vigie.demo import MIN_CLIENTS, client_count
from vigie.demo_clients import generate_clients
from vigie.alerts.traffic_settings import get_traffic_settings
from vigie.demo_traffic import COUNTRY_NETWORKS, NO_RESULTS_EVENT, generate_traffic
from vigie.warehouse import open_store
from vigie.warehouse.segments import Reader, site_segments
from vigie.warehouse.sites import list_sites
from vigie.warehouse.users import authenticate

NOW = datetime.datetime(2026, 3, 18, 15, 30, tzinfo=datetime.timezone.utc)


def test_same_seed_same_traffic_and_all_of_it_in_the_past():
    first = list(generate_traffic("demo.vigie.test", 7, 200, seed=11, now=NOW))
    assert first == list(generate_traffic("demo.vigie.test", 7, 200, seed=11, now=NOW))
    assert first != list(generate_traffic("demo.vigie.test", 7, 200, seed=12, now=NOW))
    times = [when for when, _, _ in first]
    assert times == sorted(times)
    assert NOW - datetime.timedelta(days=7) <= times[0] and times[-1] < NOW


def test_even_a_small_demo_has_searches_that_found_something_and_one_that_did_not():
    # The demo test loads 3 days of 60 visitors at whatever time CI runs: whether its
    # site-search report has rows must not depend on the hour.
    for hours in range(0, 7 * 24, 13):
        now = NOW + datetime.timedelta(hours=hours)
        traffic = list(generate_traffic("demo.vigie.test", 3, 60, seed=7, now=now))
        urls = [p["url"] for _, p, _ in traffic if p["name"] == "pageview"]
        searches = [u for u in urls if "/search?q=" in u]
        nothing_found = [p for _, p, _ in traffic if p["name"] == NO_RESULTS_EVENT]
        assert len(searches) >= 5 and 1 <= len(nothing_found) < len(searches), now


def test_every_human_page_load_sends_its_vitals_so_even_a_small_demo_has_them():
    for hours in range(0, 7 * 24, 13):
        now = NOW + datetime.timedelta(hours=hours)
        traffic = list(generate_traffic("demo.vigie.test", 3, 60, seed=7, now=now))
        names = collections.Counter(p["name"] for _, p, _ in traffic)
        # Sent when the page is left, like the engagement event: one each, bots none.
        assert names["vitals"] == names["engagement"] >= 20, now
        vitals = [p for _, p, c in traffic if p["name"] == "vitals"]
        assert all({"lcp", "cls", "ttfb"} <= set(p) for p in vitals)
        assert 0 < sum("inp" in p for p in vitals) < len(vitals)
        assert {"mobile", "desktop"} <= {"mobile" if p["screen_width"] < 900 else "desktop"
                                         for p in vitals}


def test_vitals_do_not_change_the_rest_of_the_traffic():
    # The digest of this demo's traffic as generated before vitals were added to it.
    others = [(when.isoformat(), sorted(p.items()), c)
              for when, p, c in generate_traffic("demo.vigie.test", 3, 60, seed=7, now=NOW)
              if p["name"] != "vitals"]
    assert hashlib.sha256(repr(others).encode()).hexdigest() == (
        "b59c082709680bdb648053aaf052f8d3aec5d65fde8a8fba47c455d3473859f7")


def test_traffic_has_the_variety_a_shop_sees():
    customers = [(f"cust-{n:05d}", n % 5 == 0) for n in range(300)]
    traffic = list(generate_traffic("demo.vigie.test", 28, 1500, seed=7, now=NOW, customers=customers))
    names = collections.Counter(payload["name"] for _, payload, _ in traffic)
    assert {"pageview", "engagement", "outbound", "download", "signup", "purchase"} <= set(names)
    referrers = " ".join(p["referrer"] or "" for _, p, _ in traffic if p["name"] == "pageview")
    for source in ("google", "bing", "duckduckgo", "facebook", "linkedin", "reddit"):
        assert source in referrers
    urls = " ".join(p["url"] for _, p, _ in traffic)
    assert "utm_medium=email" in urls and "utm_medium=cpc" in urls
    # Searches on the shop's own search box, some finding nothing.
    assert "/search?q=ethiopia" in urls and names[NO_RESULTS_EVENT] > 0
    agents = " ".join({c.user_agent for _, _, c in traffic})
    for browser in ("Chrome/", "Firefox/", "Safari/", "Edg/", "iPhone", "iPad", "Android", "Googlebot"):
        assert browser in agents
    assert len({c.accept_language for _, _, c in traffic}) >= 5
    purchases = [p for _, p, _ in traffic if p["name"] == "purchase"]
    assert all(p["url"].endswith("/thank-you") and p["revenue"]["amount"] > 0 for p in purchases)
    signed_in = {p["customer_id"] for _, p, _ in traffic if "customer_id" in p}
    assert len(signed_in) > 100 and signed_in <= {c for c, _ in customers}
    # A client about to leave (fading) visits in the first half of the period only.
    fading = {c for c, f in customers if f}
    halfway = NOW - datetime.timedelta(days=14)
    assert any(p.get("customer_id") in fading for _, p, _ in traffic)
    assert all(when < halfway for when, p, _ in traffic if p.get("customer_id") in fading)
    assert not any(p.get("customer_id") for _, p, c in traffic if "bot" in c.user_agent.lower())
    # Weekdays are busier than weekends, afternoons busier than nights (Paris time).
    local = [when.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
             for when, p, _ in traffic if p["name"] == "pageview"]
    weekday = sum(t.weekday() < 5 for t in local) / 5
    weekend = sum(t.weekday() >= 5 for t in local) / 2
    assert weekday > weekend * 1.2
    assert sum(t.hour == 14 for t in local) > 3 * sum(t.hour == 3 for t in local)


def test_visitor_addresses_come_from_blocks_of_their_country_in_the_shipped_table():
    countries = set()
    for _, network in COUNTRY_NETWORKS:
        first = ipaddress.IPv4Address(network)
        codes = {country(str(first + offset)) for offset in (1, 30000, 65534)}
        assert len(codes) == 1 and "" not in codes, network
        countries |= codes
    assert len(countries) == len(COUNTRY_NETWORKS) >= 8
    traffic = list(generate_traffic("demo.vigie.test", 3, 400, seed=7, now=NOW))
    seen = collections.Counter(country(c.ip) for _, _, c in traffic)
    assert "" not in seen and len(seen) >= 6 and seen.most_common(1)[0][0] == "FR"


def test_clients_show_every_way_of_leaving_and_stay_in_the_past():
    clients = generate_clients(MIN_CLIENTS, seed=7, now=NOW)
    assert [c.customer_id for c in clients] == [c.customer_id for c in generate_clients(MIN_CLIENTS, 7, NOW)]
    assert client_count(40) == MIN_CLIENTS and client_count(30000) == 5000
    assert all(t[0] < NOW for c in clients for t in c.transactions)
    assert all(c.created_at < NOW and (c.contract_ended_at is None or c.contract_ended_at >= c.created_at)
               for c in clients)
    statuses = collections.Counter(c.contract_status for c in clients)
    assert statuses["active"] > statuses["ended"] > 0 and statuses["cancelled"] > 0
    # Notice given, contract ending after now: a cancellation dated in the past.
    cancelled = [c for c in clients if c.contract_status == "cancelled"]
    assert all(c.contract_ended_at > NOW and any(t[2] == "cancellation" for t in c.transactions)
               for c in cancelled)
    assert any(c.fading_web(NOW) for c in clients)
    # Fading clients renew less and less before they stop.
    day = datetime.timedelta(days=1)
    for c in [c for c in clients if c.style == "fading" and c.leaves_at < NOW][:5]:
        renewals = [t[0] for t in c.transactions if t[2] == "renewal"]
        if len(renewals) >= 6:
            assert renewals[-1] - renewals[-2] > (renewals[2] - renewals[1]) * 1.5 - day
    kinds = {t[2] for c in clients for t in c.transactions}
    assert kinds == {"renewal", "purchase", "refund", "cancellation"}


def run_demo(data_dir, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    result = subprocess.run(
        [sys.executable, "-m", "vigie", "demo", "--no-serve", "--days", "3", "--visitors", "40",
         "--data-dir", str(data_dir), *extra],
        env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    password = re.search(r"log in as admin@vigie\.test with password (\S+)", result.stdout).group(1)
    return result, password


def test_demo_loads_site_admin_and_traffic_through_the_collector(tmp_path):
    data_dir = tmp_path / "data"
    result, password = run_demo(data_dir)
    assert "demo traffic: 100%" in result.stderr and "events accepted" in result.stderr
    for step in ("goals", "clients", "analytics jobs", "churn model", "churn scores", "alerts"):
        assert f"demo {step} ..." in result.stderr and f"demo {step}: " in result.stderr
    assert " INFO " not in result.stderr

    store = open_store(f"chdb://{data_dir}")
    try:
        [site] = list_sites(store)
        assert (site.domain, site.timezone) == ("demo.vigie.test", "Europe/Paris")
        assert authenticate(store, "admin@vigie.test", password).is_admin
        stored = dict(store.query("SELECT name, count() FROM events GROUP BY name"))
        assert stored["pageview"] > 60 and stored["engagement"] > 0
        # Enriched by the collector's pipeline, not written raw.
        browsers = store.query_value("SELECT uniqExact(browser) FROM events")
        devices = {row[0] for row in store.query("SELECT DISTINCT device FROM events")}
        assert browsers >= 3 and {"desktop", "mobile"} <= devices
        assert store.query_value("SELECT count() FROM events WHERE browser LIKE '%bot%'") == 0
        countries = {row[0] for row in store.query("SELECT DISTINCT country FROM events")}
        assert len(countries - {""}) >= 4 and "" not in countries
        # Searches keep their words only; the results page says when nothing matched.
        assert site.search_no_results_event == NO_RESULTS_EVENT
        assert get_traffic_settings(store, site.domain).enabled
        assert store.query_value("SELECT count() FROM events WHERE site_search_term != '' "
                                 "AND name = 'pageview'") > 0
        loaded = sum(stored.values())
        assert_client_half_loaded(store, data_dir)
    finally:
        store.close()

    # Running it again keeps the traffic and gives the admin a new password.
    again, new_password = run_demo(data_dir)
    assert "already loaded" in again.stderr
    store = open_store(f"chdb://{data_dir}")
    try:
        assert store.query_value("SELECT count() FROM events") == loaded
        # One shared segment for the pickers, saved once however often the demo runs.
        [segment] = site_segments(store, "demo.vigie.test", Reader(""))
        assert (segment.name, segment.filters) == (
            "Mobile visitors from search", {"device": "mobile", "channel": "Organic Search"})
        assert authenticate(store, "admin@vigie.test", new_password)
        assert new_password == password or authenticate(store, "admin@vigie.test", password) is None
    finally:
        store.close()


def assert_client_half_loaded(store, data_dir):
    """Goals, funnel, clients, a promoted model, scores, open alerts, and their delivery."""
    site = {"s": "demo.vigie.test"}
    goals = store.query("SELECT name, revenue_goal FROM goals FINAL WHERE site = %(s)s AND deleted = 0", site)
    assert len(goals) >= 3 and any(revenue for _, revenue in goals)
    assert store.query_value("SELECT count() FROM funnels FINAL WHERE site = %(s)s AND deleted = 0", site) == 1
    customers = dict(store.query(
        "SELECT customer_id, contract_status FROM customers FINAL WHERE site = %(s)s", site))
    assert len(customers) == MIN_CLIENTS and "cancelled" in customers.values()
    assert store.query_value("SELECT count() FROM transactions FINAL WHERE site = %(s)s", site) > len(customers)
    linked = {row[0] for row in store.query(
        "SELECT DISTINCT customer_id FROM events WHERE site = %(s)s AND customer_id != ''", site)}
    assert linked and linked <= set(customers)
    assert store.query_value("SELECT count() FROM churn_models WHERE site = %(s)s AND promoted = 1", site) == 1
    scored = {row[0] for row in store.query(
        "SELECT DISTINCT customer_id FROM churn_scores WHERE site = %(s)s AND as_of = "
        "(SELECT max(as_of) FROM churn_scores WHERE site = %(s)s)", site)}
    # Today's run scores every client still under contract; the runs dated at the last six
    # month starts (predicted beside realised churn) also scored clients who have left since.
    assert store.query_value("SELECT uniqExact(as_of) FROM churn_scores WHERE site = %(s)s", site) >= 6
    assert scored == {c for c, status in customers.items() if status != "ended"}
    open_alerts = store.query_value(
        "SELECT count() FROM alerts FINAL WHERE site = %(s)s AND state = 'open'", site)
    sent = store.query_value(
        "SELECT count() FROM alert_deliveries WHERE site = %(s)s AND status = 'sent'", site)
    assert open_alerts >= 1 and sent == open_alerts
    messages = mailbox.mbox(str(data_dir / "alerts.mbox"))
    assert len(messages) == sent
    assert all(m["Subject"].startswith("Churn alert (") for m in messages)
    assert (data_dir / "churn-models").is_dir()


def test_demo_reports_an_unusable_data_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    result = subprocess.run(
        [sys.executable, "-m", "vigie", "demo", "--no-serve", "--data-dir", str(blocker / "data")],
        env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "vigie: demo:" in result.stderr and "Traceback" not in result.stderr


def test_goals_and_funnel_survive_a_load_cut_short_and_run_again(store, tmp_path):
    """A load that stopped after its goals: the next run keeps them instead of failing on duplicates."""
    import io

    from vigie.analytics.funnels import list_funnels
    from vigie.analytics.goals import list_goals
    from vigie.demo_churn import GOALS, define_conversions
    from vigie.warehouse.sites import add_site

    add_site(store, "demo.vigie.test", "Europe/Paris")
    out = io.StringIO()
    for _ in range(2):
        define_conversions(store, "demo.vigie.test", out)
    goals = list_goals(store, "demo.vigie.test")
    assert sorted(g.pattern for g in goals) == sorted(p for _, p, _, _ in GOALS)
    assert [g.name for g in goals if g.revenue_goal] == ["Purchase"]
    assert [f.name for f in list_funnels(store, "demo.vigie.test")] == ["Checkout"]
    assert out.getvalue().count("demo goals: 3 goals") == 2
