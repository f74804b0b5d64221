"""Email reports from hand-built traffic, through a real SMTP server on loopback, both backends.

The site runs on Europe/Paris time. Now is Wednesday 11 March 2026, 09:00 UTC, so
the last complete week is Monday 2 to Sunday 8 March (local) and the week
before is 23 February to 1 March; the last complete month is February, the
month before January. Visits are hand-built in each of those, and one on
Sunday 8 March at 23:30 local (22:30 UTC) that belongs to the week, and
one on Monday 9 March at 00:30 local (Sunday 23:30 UTC) that does not.
"""
import concurrent.futures
import datetime
import re
import time

import pytest

from vigie.alerts.delivery import deliveries
from vigie.analytics.breakdowns import breakdown
from vigie.analytics.email_report import figure, last_complete_period, period_before
from vigie.analytics.goals import add_goal, conversions
from vigie.analytics.job_catalog import JOBS
from vigie.analytics.jobs import JobContext, run_window
from vigie.analytics.period import Period
from vigie.analytics.query import aggregate
from vigie.email_reports import run_reports, send_report
from vigie.warehouse.report_subscriptions import (SubscriptionError, add_subscription,
                                                  all_subscriptions, remove_subscription,
                                                  report_sends)
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user, set_access
from tests.alerts.receivers import closed_port
from tests.factories import at, event, insert_events, past_goal_change

SITE = "reports.test"
NOW = at("2026-03-11 09:00:00")
WEEK = Period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 8), "day")
WEEK_BEFORE = Period(datetime.date(2026, 2, 23), datetime.date(2026, 3, 1), "day")
MONTH = Period(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28), "day")
CONTEXT = JobContext(timeout_minutes=30, engaged_seconds=10)
ANA = "ana@reports.test"


def no_sleep(_seconds):
    pass


def traffic():
    rows = []
    # The week: 5 visitors; 2 from Google, one reaching /thank-you (the goal) with revenue.
    for v, (day, source, path) in enumerate([("03-02", "Google", "/"), ("03-03", "Google", "/pricing"),
                                             ("03-04", "", "/blog"), ("03-05", "Newsletter", "/"),
                                             ("03-07", "", "/pricing")], start=1):
        rows.append(event(SITE, f"2026-{day} 10:00:00", visitor=v, source=source, pathname=path))
    rows.append(event(SITE, "2026-03-03 10:02:00", visitor=2, pathname="/thank-you", name="purchase",
                      revenue=49.5, currency="EUR"))
    rows.append(event(SITE, "2026-03-03 10:01:00", visitor=2, pathname="/thank-you"))
    rows.append(event(SITE, "2026-03-04 10:00:40", visitor=3, pathname="/blog", name="engagement",
                      engaged_ms=40000))
    rows.append(event(SITE, "2026-03-08 22:30:00", visitor=6, pathname="/<b>late</b>"))
    rows.append(event(SITE, "2026-03-08 23:30:00", visitor=7, pathname="/next-week"))
    # The week before: 2 visitors.
    rows.append(event(SITE, "2026-02-24 10:00:00", visitor=20, source="Google"))
    rows.append(event(SITE, "2026-02-26 10:00:00", visitor=21, pathname="/pricing"))
    rows.append(event(SITE, "2026-02-26 10:03:00", visitor=21, pathname="/"))
    # January, for the monthly comparison.
    rows.append(event(SITE, "2026-01-15 10:00:00", visitor=30))
    return rows


@pytest.fixture
def shop(store):
    site = add_site(store, SITE, "Europe/Paris")
    add_goal(store, SITE, "event", "purchase", name="Bought", revenue=True)
    past_goal_change(store, site)
    insert_events(store, traffic())
    run_window(store, JOBS["sessions"], site, at("2026-01-01 00:00:00"), at("2026-03-11 00:00:00"), CONTEXT)
    add_user(store, ANA, "a-long-password", role="marketer", sites=[SITE])
    return site


@pytest.fixture
def report_settings(settings, inbox):
    return settings.replace(report_mail_url=f"mailto://127.0.0.1:{inbox.port}?from=vigie@reports.test",
                            public_url="https://stats.reports.test", alert_retry_seconds=0.01)


def parts(message):
    """(text part, HTML part) of a received multipart/alternative email."""
    found = {p.get_content_type(): p.get_content() for p in message.walk() if not p.is_multipart()}
    return found["text/plain"], found["text/html"]


def test_periods_are_whole_local_weeks_and_months():
    assert last_complete_period("weekly", datetime.date(2026, 3, 11)) == WEEK
    assert last_complete_period("weekly", datetime.date(2026, 3, 9)) == WEEK
    assert last_complete_period("weekly", datetime.date(2026, 3, 8)) == WEEK_BEFORE
    assert period_before("weekly", WEEK) == WEEK_BEFORE
    assert last_complete_period("monthly", datetime.date(2026, 3, 1)) == MONTH
    assert period_before("monthly", MONTH) == Period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), "day")


def test_subscriptions_are_checked(store, shop):
    with pytest.raises(SubscriptionError, match="not an email address"):
        add_subscription(store, ANA, SITE, "weekly", "ana at reports")
    with pytest.raises(SubscriptionError, match="use weekly or monthly"):
        add_subscription(store, ANA, SITE, "daily", ANA)
    with pytest.raises(SubscriptionError, match="no site 'other.test' is registered"):
        add_subscription(store, ANA, "other.test", "weekly", ANA)
    sub = add_subscription(store, ANA, SITE, "weekly", ANA)
    with pytest.raises(SubscriptionError, match="already gets the weekly report"):
        add_subscription(store, ANA, SITE, "weekly", ANA.upper())
    with pytest.raises(SubscriptionError, match="no such subscription among yours"):
        remove_subscription(store, "bob@reports.test", sub.subscription_id)
    remove_subscription(store, ANA, sub.subscription_id)
    assert all_subscriptions(store) == []


def test_the_weekly_email_carries_the_query_layers_numbers(store, shop, report_settings, inbox):
    sub = add_subscription(store, ANA, SITE, "weekly", "ana.inbox@reports.test")
    run = run_reports(store, report_settings, NOW, settle_seconds=0, sleep=no_sleep)
    assert run.sent == [(sub.subscription_id, WEEK.start)] and not run.failed
    [message] = inbox.messages
    assert message["To"] == "ana.inbox@reports.test"
    assert message["Subject"].startswith("Weekly report for reports.test: 6 visitors, Mon 02 Mar 2026")
    text, page = parts(message)
    now, before = aggregate(store, shop, WEEK), aggregate(store, shop, WEEK_BEFORE)
    # The hand-built week, as the query layer counts it (the late Sunday visit in, Monday's out).
    assert (now["visitors"], now["visits"], before["visitors"]) == (6, 6, 2)
    for label, metric, kind in [("Visitors", "visitors", "count"), ("Visits", "visits", "count"),
                                ("Pageviews", "pageviews", "count"), ("Bounce rate", "bounce_rate", "percent"),
                                ("Visit duration", "visit_duration", "duration"),
                                ("Conversions", "conversions", "count"), ("Revenue", "revenue", "money")]:
        line = f"{label}: {figure(now[metric], kind)}"
        assert line in text, line
        assert f"against {figure(before[metric], kind)} the week before" in text.split(line)[1].split("\n")[0]
    assert "Visitors: 6 (+200.0 % against 2 the week before)" in text
    sources = breakdown(store, shop, WEEK, "source", limit=5)
    pages = breakdown(store, shop, WEEK, "pages", limit=5)
    assert [(r["value"], r["visitors"]) for r in sources] == [("Direct / None", 3), ("Google", 2),
                                                              ("Newsletter", 1)]
    for row in sources:
        assert f"- {row['value']}: {row['visitors']} visitors, {row['visits']} visits" in text
    for row in pages:
        assert f"- {row['value']}: {row['visitors']} visitors, {row['pageviews']} pageviews" in text
    [goal] = conversions(store, shop, WEEK)
    assert goal["visitors"] == 1 and goal["revenue"] == 49.5
    assert "- Bought: 1 visitors converted, 1 completions, conversion rate 16.7 %, revenue 49.50" in text
    assert "/next-week" not in text
    # HTML: escaped values, inline styles, nothing fetched from elsewhere.
    assert "/&lt;b&gt;late&lt;/b&gt;" in page and "<b>late</b>" not in page
    assert not re.search(r"<(img|link|script|style)\b", page) and "src=" not in page
    link = "https://stats.reports.test/?site=reports.test&amp;period=custom&amp;from=2026-03-02&amp;to=2026-03-08"
    assert f'href="{link}"' in page
    assert link.replace("&amp;", "&") in text
    unsubscribe = re.search(r"https://stats\.reports\.test/reports/unsubscribe/\S+", text).group(0)
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [attempt] = [d for d in deliveries(store, SITE) if d["alert_id"].startswith("report:")]
    assert attempt["status"] == "sent" and "127.0.0.1" in attempt["target"]


def test_monthly_report_compares_with_the_month_before(store, shop, report_settings, inbox):
    add_subscription(store, ANA, SITE, "monthly", ANA)
    run_reports(store, report_settings, NOW, settle_seconds=0, sleep=no_sleep)
    [message] = inbox.messages
    text, _ = parts(message)
    now, before = aggregate(store, shop, MONTH), aggregate(store, shop, Period(
        datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), "day"))
    assert (now["visitors"], before["visitors"]) == (2, 1)
    assert "Visitors: 2 (+100.0 % against 1 the month before)" in text
    assert message["Subject"].startswith("Monthly report for reports.test: 2 visitors, Sun 01 Feb 2026")


def test_each_period_is_sent_once_across_runs_and_workers(store, shop, report_settings, inbox):
    add_subscription(store, ANA, SITE, "weekly", ANA)
    # Two workers at once in the same slot: both find the week due, one wins the claim.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: run_reports(store, report_settings, NOW, settle_seconds=0.5,
                                                   sleep=no_sleep), range(2)))
    assert sorted((len(r.sent), r.not_ours) for r in runs) == [(0, 1), (1, 0)]
    # Later runs find the week sent.
    for hours in (0, 3):
        later = run_reports(store, report_settings, NOW + datetime.timedelta(hours=hours),
                            settle_seconds=0, sleep=no_sleep)
        assert not later.sent and not later.not_ours
    assert len(inbox.messages) == 1
    # The next Monday, the next week is due.
    next_week = run_reports(store, report_settings, at("2026-03-16 09:00:00"), settle_seconds=0,
                            sleep=no_sleep)
    assert [day for _, day in next_week.sent] == [datetime.date(2026, 3, 9)]
    assert len(inbox.messages) == 2


def test_a_failed_send_is_logged_and_retried_at_the_next_run(store, shop, report_settings, inbox):
    sub = add_subscription(store, ANA, SITE, "weekly", ANA)
    down = report_settings.replace(report_mail_url=f"mailto://127.0.0.1:{closed_port()}?from=v@reports.test")
    failed = run_reports(store, down, NOW, settle_seconds=0, sleep=no_sleep)
    assert failed.failed == [(sub.subscription_id, WEEK.start)] and not inbox.messages
    assert [r["status"] for r in report_sends(store, sub.subscription_id)] == ["failed"]
    assert [d["status"] for d in deliveries(store, SITE)] == ["failed"] * report_settings.alert_delivery_attempts
    retried = run_reports(store, report_settings, NOW + datetime.timedelta(hours=1), settle_seconds=0,
                          sleep=no_sleep)
    assert retried.sent == [(sub.subscription_id, WEEK.start)] and len(inbox.messages) == 1
    assert [r["status"] for r in report_sends(store, sub.subscription_id)] == ["failed", "sent"]


def test_failed_runs_stop_after_report_retry_runs(store, shop, report_settings, inbox, caplog):
    sub = add_subscription(store, ANA, SITE, "weekly", ANA)
    down = report_settings.replace(report_mail_url=f"mailto://127.0.0.1:{closed_port()}?from=v@reports.test",
                                   report_retry_runs=2, alert_delivery_attempts=1)
    runs = [run_reports(store, down, NOW + datetime.timedelta(hours=h), settle_seconds=0, sleep=no_sleep)
            for h in range(3)]
    assert [len(r.failed) for r in runs] == [1, 1, 0]
    assert [r.given_up for r in runs] == [0, 0, 1]
    assert [r["status"] for r in report_sends(store, sub.subscription_id)] == ["failed", "failed"]
    assert "failed 2 runs: given up" in caplog.text
    # Even once the mail server is back, that week stays given up; the next week is sent.
    back = report_settings.replace(report_retry_runs=2)
    assert not run_reports(store, back, NOW + datetime.timedelta(hours=4), settle_seconds=0,
                           sleep=no_sleep).sent
    next_week = run_reports(store, back, at("2026-03-16 09:00:00"), settle_seconds=0, sleep=no_sleep)
    assert [day for _, day in next_week.sent] == [datetime.date(2026, 3, 9)] and len(inbox.messages) == 1


def test_a_report_the_mail_server_took_is_not_sent_again(store, shop, report_settings, inbox):
    sub = add_subscription(store, ANA, SITE, "weekly", ANA)
    assert send_report(store, report_settings, sub, shop, WEEK, sleep=no_sleep)
    # The run that sent it could not write its record (a store error right after the send).
    store.execute("ALTER TABLE report_sends DELETE WHERE subscription_id = %(id)s",
                  {"id": sub.subscription_id})
    wait_until_empty(store, sub.subscription_id)
    run = run_reports(store, report_settings, NOW, settle_seconds=0, sleep=no_sleep)
    assert run.sent == [(sub.subscription_id, WEEK.start)]
    assert len(inbox.messages) == 1  # read from the delivery log, not mailed twice
    assert [r["status"] for r in report_sends(store, sub.subscription_id)] == ["sent"]


def wait_until_empty(store, subscription_id, seconds=10):
    """ALTER ... DELETE is a background mutation on the server: wait (bounded) for it."""
    deadline = time.monotonic() + seconds
    while report_sends(store, subscription_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not report_sends(store, subscription_id)


@pytest.mark.parametrize("backend", ["chdb"], indirect=True)  # a start-up check: no query
def test_the_server_warns_when_report_links_would_name_its_bind_address(store, settings, caplog):
    from vigie.app import create_app
    for public_url, warned in (("", True), ("https://stats.reports.test", False)):
        caplog.clear()
        app = create_app(settings.replace(report_mail_url="mailto://127.0.0.1:25?from=v@reports.test",
                                          public_url=public_url), store=store, start_background=False)
        app.extensions["vigie"].close()
        assert ("public_url is not set" in caplog.text) is warned


def test_no_report_for_an_account_that_lost_the_site(store, shop, report_settings, inbox):
    add_subscription(store, ANA, SITE, "weekly", ANA)
    set_access(store, ANA, sites=[])
    run = run_reports(store, report_settings, NOW, settle_seconds=0, sleep=no_sleep)
    assert run.skipped == 1 and not run.sent and not inbox.messages


def test_the_unsubscribe_link_works_once_without_sign_in(store, shop, report_settings, inbox, app):
    sub = add_subscription(store, ANA, SITE, "weekly", ANA)
    send_report(store, report_settings, sub, shop, WEEK, sleep=no_sleep)
    text, _ = parts(inbox.messages[0])
    path = re.search(r"https://stats\.reports\.test(/reports/unsubscribe/\S+)", text).group(1)
    client = app.test_client()
    shown = client.get(path)
    assert shown.status_code == 200 and b"Stop this email report?" in shown.data
    assert all_subscriptions(store) == [sub]  # looking is not unsubscribing
    # A guessed token or id gets the same answer as an ended subscription.
    wrong = [path[:-4] + "AAAA", path.replace(sub.subscription_id, "0123456789abcdef")]
    for other in wrong:
        assert client.get(other).status_code == 404 and client.post(other).status_code == 404
    done = client.post(path)
    assert done.status_code == 200 and b"Unsubscribed" in done.data
    assert all_subscriptions(store) == []
    again = client.post(path)
    assert again.status_code == 404 and b"does not unsubscribe anything" in again.data
    run = run_reports(store, report_settings, NOW + datetime.timedelta(days=7), settle_seconds=0,
                      sleep=no_sleep)
    assert not run.sent and len(inbox.messages) == 1
