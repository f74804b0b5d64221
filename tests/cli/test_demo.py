"""`vigie demo`: deterministic, varied traffic, loaded through the collector."""
import collections
import datetime
import os
import re
import subprocess
import sys

from vigie.demo_traffic import generate_traffic
from vigie.warehouse import open_store
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


def test_traffic_has_the_variety_a_shop_sees():
    traffic = list(generate_traffic("demo.vigie.test", 28, 1500, seed=7, now=NOW))
    names = collections.Counter(payload["name"] for _, payload, _ in traffic)
    assert {"pageview", "engagement", "outbound", "download", "signup", "purchase"} <= set(names)
    referrers = " ".join(p["referrer"] or "" for _, p, _ in traffic if p["name"] == "pageview")
    for source in ("google", "bing", "duckduckgo", "facebook", "linkedin", "reddit"):
        assert source in referrers
    urls = " ".join(p["url"] for _, p, _ in traffic)
    assert "utm_medium=email" in urls and "utm_medium=cpc" in urls
    agents = " ".join({c.user_agent for _, _, c in traffic})
    for browser in ("Chrome/", "Firefox/", "Safari/", "Edg/", "iPhone", "iPad", "Android", "Googlebot"):
        assert browser in agents
    assert len({c.accept_language for _, _, c in traffic}) >= 5
    purchases = [p for _, p, _ in traffic if p["name"] == "purchase"]
    assert all(p["url"].endswith("/thank-you") and p["revenue"]["amount"] > 0 for p in purchases)
    assert any("customer_id" in p for _, p, _ in traffic)
    # Weekdays are busier than weekends, afternoons busier than nights (Paris time).
    local = [when.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
             for when, p, _ in traffic if p["name"] == "pageview"]
    weekday = sum(t.weekday() < 5 for t in local) / 5
    weekend = sum(t.weekday() >= 5 for t in local) / 2
    assert weekday > weekend * 1.2
    assert sum(t.hour == 14 for t in local) > 3 * sum(t.hour == 3 for t in local)


def run_demo(data_dir, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    result = subprocess.run(
        [sys.executable, "-m", "vigie", "demo", "--no-serve", "--days", "3", "--visitors", "60",
         "--data-dir", str(data_dir), *extra],
        env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    password = re.search(r"log in as admin@vigie\.test with password (\S+)", result.stdout).group(1)
    return result, password


def test_demo_loads_site_admin_and_traffic_through_the_collector(tmp_path):
    data_dir = tmp_path / "data"
    result, password = run_demo(data_dir)
    assert "demo traffic: 100%" in result.stderr and "events accepted" in result.stderr

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
        loaded = sum(stored.values())
    finally:
        store.close()

    # Running it again keeps the traffic and gives the admin a new password.
    again, new_password = run_demo(data_dir)
    assert "already loaded" in again.stderr
    store = open_store(f"chdb://{data_dir}")
    try:
        assert store.query_value("SELECT count() FROM events") == loaded
        assert authenticate(store, "admin@vigie.test", new_password)
        assert new_password == password or authenticate(store, "admin@vigie.test", password) is None
    finally:
        store.close()


def test_demo_reports_an_unusable_data_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    result = subprocess.run(
        [sys.executable, "-m", "vigie", "demo", "--no-serve", "--data-dir", str(blocker / "data")],
        env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "vigie: demo:" in result.stderr and "Traceback" not in result.stderr
