"""Traffic alerts from hand-built traffic, through a real SMTP server and webhook on loopback.

The site (UTC) on Tuesday 10 March 2026 at 12:00:
- current visitors (last 5 minutes): 4 - two from Google, one from Hacker News, one direct;
- yesterday, Monday 9 March: 3 visitors; the six Mondays before: 11, 10, 8, 10, 12, 10
  visitors (oldest first), so the usual Monday is their median, 10, and 3 is 30 % of it.
"""
import datetime

import pytest

from vigie.alerts.delivery import deliveries
from vigie.alerts.destinations import add_channel
from vigie.alerts.engine import run_site
from vigie.alerts.traffic_alerts import run_traffic_alerts, usual_visitors
from vigie.alerts.traffic_settings import TrafficAlertError, get_traffic_settings, set_traffic_settings
from tests.factories import at, event, insert_events

NOW = at("2026-03-10 12:00:00")
MONDAYS = {"2026-01-26": 11, "2026-02-02": 10, "2026-02-09": 8, "2026-02-16": 10, "2026-02-23": 12,
           "2026-03-02": 10, "2026-03-09": 3}
HOUR = datetime.timedelta(hours=1)


def no_sleep(_seconds):
    pass


def mondays(store, site):
    rows = []
    for day, visitors in MONDAYS.items():
        for v in range(visitors):
            rows.append(event(site, f"{day} 10:{v:02d}:00", visitor=1000 + v))
            # Engagement alone never makes a visitor.
            rows.append(event(site, f"{day} 10:{v:02d}:30", "engagement", visitor=1000 + v))
    insert_events(store, rows)


def spike(store, site, now, first_visitor=1):
    moments = [now - datetime.timedelta(seconds=s) for s in (30, 60, 90, 240)]
    insert_events(store, [
        event(site, moments[0], visitor=first_visitor, source="Google", referrer_host="google.com"),
        event(site, moments[1], visitor=first_visitor + 1, source="Google", referrer_host="google.com"),
        event(site, moments[2], visitor=first_visitor + 2, referrer_host="news.ycombinator.com"),
        event(site, moments[3], visitor=first_visitor + 3),
    ])


@pytest.fixture
def traffic(store, site):
    mondays(store, site)
    spike(store, site, NOW)
    return site


def test_settings_are_checked_and_kept(store, site, inbox):
    assert not get_traffic_settings(store, site).enabled
    with pytest.raises(TrafficAlertError, match="no site 'nowhere.example' is registered"):
        set_traffic_settings(store, "nowhere.example", spike_visitors=10)
    with pytest.raises(TrafficAlertError, match="the drop threshold .* from 0 to 99, not 120"):
        set_traffic_settings(store, site, drop_percent=120)
    with pytest.raises(TrafficAlertError, match="weeks the usual is computed over .* from 4 to 8"):
        set_traffic_settings(store, site, baseline_weeks=2)
    with pytest.raises(TrafficAlertError, match="has no alert channel 'team'"):
        set_traffic_settings(store, site, channels=["team"])
    add_channel(store, site, "team", inbox.url())
    set_traffic_settings(store, site, spike_visitors=50, channels=["team"])
    kept = set_traffic_settings(store, site, drop_percent=40)
    assert (kept.spike_visitors, kept.drop_percent, kept.baseline_weeks, kept.channels) == (50, 40, 6, ("team",))
    assert get_traffic_settings(store, site) == kept


def test_the_usual_is_a_median_and_needs_enough_history():
    assert usual_visitors([10, 12, 10, 8, 10, 11]) == 10.0
    assert usual_visitors([0, 0, 4, 6]) == 2.0
    assert usual_visitors([0, 0, 0, 6]) is None


def test_spike_and_drop_reach_email_and_webhook_with_the_top_sources(
        store, traffic, settings, inbox, webhook):
    add_channel(store, traffic, "mail", inbox.url())
    add_channel(store, traffic, "hook", webhook.url())
    set_traffic_settings(store, traffic, spike_visitors=4, drop_percent=50)
    summary = run_site(store, settings, traffic, NOW, sleep=no_sleep)
    assert [n.kind for n in summary.traffic_notices] == ["spike", "drop"]
    assert (summary.sent, summary.failed) == (4, 0)

    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert subjects == [f"Traffic drop on {traffic}: 3 visitors on Mon 2026-03-09, 30 % of the usual 10",
                        f"Traffic spike on {traffic}: 4 current visitors"]
    spike_text = next(m for m in inbox.messages if "spike" in m["Subject"]).get_body(("plain",)).get_content()
    for line in ("Current visitors (last 5 minutes): 4 (alert threshold 4)", "- Google: 2",
                 "- Direct / None: 1", "- news.ycombinator.com: 1"):
        assert line in spike_text
    drop = next(b for b in webhook.bodies if "drop" in b["title"])
    assert "median of the 6 Mondays before: 11, 10, 8, 10, 12, 10" in drop["message"]

    keys = store.query("SELECT notification_id FROM traffic_notifications ORDER BY kind")
    for (key,) in keys:
        assert sorted(r["channel"] for r in deliveries(store, traffic, key)) == ["hook", "mail"]

    # Ten minutes later nothing is new: the spike was just notified, the drop's day too.
    later = run_site(store, settings, traffic, NOW + datetime.timedelta(minutes=10), sleep=no_sleep)
    assert later.traffic_notices == [] and len(inbox.messages) == 2


def test_no_alert_below_the_thresholds_or_when_off(store, traffic, settings, inbox):
    add_channel(store, traffic, "mail", inbox.url())
    set_traffic_settings(store, traffic, spike_visitors=5, drop_percent=30)
    # 4 current visitors < 5; 3 visitors is 30 % of 10, not below it.
    assert run_traffic_alerts(store, settings, traffic, NOW, no_sleep).notices == []
    set_traffic_settings(store, traffic, spike_visitors=0, drop_percent=0)
    assert run_traffic_alerts(store, settings, traffic, NOW, no_sleep).notices == []
    assert inbox.messages == []


def test_at_most_two_a_day_per_site(store, traffic, settings, inbox):
    add_channel(store, traffic, "mail", inbox.url())
    set_traffic_settings(store, traffic, spike_visitors=4, drop_percent=50)
    assert len(run_traffic_alerts(store, settings, traffic, NOW, no_sleep).notices) == 2
    # 13 hours later a new spike may be notified again, but two were sent in the last 24 hours.
    spike(store, traffic, NOW + 13 * HOUR, first_visitor=50)
    capped = run_traffic_alerts(store, settings, traffic, NOW + 13 * HOUR, no_sleep)
    assert (capped.notices, capped.capped) == ([], 1)
    # A day and an hour after the first two, the cap has room again.
    spike(store, traffic, NOW + 25 * HOUR, first_visitor=90)
    again = run_traffic_alerts(store, settings, traffic, NOW + 25 * HOUR, no_sleep)
    assert [n.kind for n in again.notices] == ["spike"]
    assert len(inbox.messages) == 3
    assert store.query_value("SELECT count() FROM traffic_notifications") == 3


def test_named_channels_only(store, traffic, settings, inbox, webhook):
    add_channel(store, traffic, "mail", inbox.url())
    add_channel(store, traffic, "hook", webhook.url())
    set_traffic_settings(store, traffic, spike_visitors=4, channels=["hook"])
    run = run_traffic_alerts(store, settings, traffic, NOW, no_sleep)
    assert [n.kind for n in run.notices] == ["spike"] and run.sent == 1
    assert inbox.messages == [] and len(webhook.bodies) == 1
