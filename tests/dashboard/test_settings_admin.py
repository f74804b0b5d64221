"""Settings for admins beyond accounts: editing a site, alert channels with a test
notification (real SMTP and HTTP receivers on loopback), and the job status."""
import datetime
import json
import re

import pytest

from vigie.alerts.destinations import add_channel, list_channels
from vigie.alerts.engine import RUN_CLAIMS_JOB
from vigie.analytics.job_catalog import JOBS
from vigie.analytics.jobs import Job, JobContext, run_window
from tests.alerts.receivers import SmtpInbox, WebhookReceiver, closed_port
from tests.dashboard.conftest import find_component, login
from tests.dashboard.patterns import click
from tests.dashboard.test_churn_page import texts
from tests.dashboard.test_settings_page import page
from tests.dashboard.worked_day import SITE, TIMEZONE, day_events
from tests.factories import at, insert_events
from vigie.warehouse.run_claims import claim_sites
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

SECRET = "S3cretPassw0rd"
CHANNEL_OUTPUTS = [("channel-message", "children"), ("channels-panel", "children"),
                   ("channel-url", "value")]


@pytest.fixture
def settings(settings):
    """One attempt per test notification, so a dead channel answers at once."""
    return settings.replace(alert_delivery_attempts=1, alert_retry_seconds=0.01)


@pytest.fixture
def shop(store):
    return add_site(store, SITE, TIMEZONE, extra_hostnames=["pay.example.net"], identify_customers=True)


def channels(client, site=SITE, add=None, remove=None):
    """The channels callback: add=(name, url, mode) or remove=name, else just show the site's."""
    name, url, mode = add or (None, None, "each")
    inputs = [("channel-site", "value", site), ("channel-add", "n_clicks", 1 if add else 0),
              [({"type": "channel-remove", "name": remove}, "n_clicks", 1)] if remove else []]
    clicked = (({"type": "channel-remove", "name": remove}, "n_clicks") if remove else
               ("channel-add", "n_clicks") if add else ("channel-site", "value"))
    return click(client, CHANNEL_OUTPUTS, inputs,
                 [("channel-name", "value", name), ("channel-url", "value", url),
                  ("channel-mode", "value", mode)], clicked)


def send_test(client, name, site=SITE):
    trigger = {"type": "channel-test", "name": name}
    answer = click(client, [("channel-test-message", "children")], [[(trigger, "n_clicks", 1)]],
                   [("channel-site", "value", site)], (trigger, "n_clicks"))
    return texts(answer["channel-test-message"])[0]


def channel_rows(panel):
    body = find_component(panel, "channels-table")["props"]["children"][1]["props"]["children"]
    return [texts(row)[:3] for row in body]


def test_an_admin_adds_tests_and_removes_channels(signed_in, store, shop):
    with SmtpInbox() as inbox, WebhookReceiver() as webhook:
        mail = channels(signed_in, add=("retention-email", inbox.url(), "digest"))
        assert texts(mail["channel-message"]) == [
            f"Channel retention-email saved for {SITE}: " + list_channels(store, SITE)[0].target + "."]
        assert mail["channel-url"] == ""  # the URL is never sent back to the page
        hook_url = f"json://robot:{SECRET}@127.0.0.1:{webhook.port}/hook"
        hook = channels(signed_in, add=("crm-hook", hook_url, "each"))
        assert channel_rows(hook["channels-panel"]) == [
            ["crm-hook", "one message per alert", f"json://robot:****@127.0.0.1:{webhook.port}/hook"],
            ["retention-email", "daily digest", list_channels(store, SITE)[1].target]]
        assert SECRET not in json.dumps(hook)

        assert send_test(signed_in, "retention-email") == "Test notification sent through retention-email."
        assert send_test(signed_in, "crm-hook") == "Test notification sent through crm-hook."
        [message] = inbox.messages
        assert message["Subject"] == f"Vigie test notification for {SITE}"
        assert "the Vigie dashboard (ana@shop.example)" in message.get_body(("plain",)).get_content()
        [payload] = webhook.bodies
        assert payload["title"] == f"Vigie test notification for {SITE}"

    removed = channels(signed_in, remove="crm-hook")
    assert texts(removed["channel-message"]) == [f"Channel crm-hook removed from {SITE}."]
    assert [c.name for c in list_channels(store, SITE)] == ["retention-email"]


def test_a_failing_channel_says_why_without_its_secret(signed_in, store, shop):
    add_channel(store, SITE, "dead-hook", f"json://robot:{SECRET}@127.0.0.1:{closed_port()}/hook")
    said = send_test(signed_in, "dead-hook")
    assert said == ("Test notification through dead-hook failed: A Connection error occurred sending "
                    "JSON notification to 127.0.0.1. Check the URL, then see the delivery log on the "
                    "Alerts page.")
    assert SECRET not in said
    assert send_test(signed_in, "nothing-here") == f"Site {SITE} has no channel 'nothing-here'."


def test_bad_channel_input_is_explained(signed_in, store, shop):
    def said(**kwargs):
        return texts(channels(signed_in, **kwargs)["channel-message"])[0]
    assert "channel name 'no spaces'" in said(add=("no spaces", "json://127.0.0.1/hook", "each"))
    refused = said(add=("x", f"gopher://user:{SECRET}@example.com/", "each"))
    assert "is not a notification URL apprise understands" in refused and SECRET not in refused
    assert said(add=("x", "json://127.0.0.1/hook", "hourly")) == "Choose what the channel sends."
    assert said(remove="ghost") == f"site {SITE} has no channel 'ghost'"
    assert said(site="not a domain") == \
        "'not a domain' is not a domain name (expected something like shop.example.com)"
    kept = channels(signed_in, add=("x", "json://127.0.0.1/hook", "hourly"))
    assert kept["channel-url"] is None  # left as typed in the browser, not sent back
    assert list_channels(store, SITE) == []
    empty = channels(signed_in)
    assert find_component(empty["channels-panel"], "channels-table-empty") is not None


def test_edit_fills_the_form_with_the_sites_settings(signed_in, store, shop):
    trigger = {"type": "site-edit", "domain": SITE}
    outputs = [("site-domain", "value"), ("site-timezone", "value"), ("site-hostnames", "value"),
               ("site-flags", "value")]
    answer = click(signed_in, outputs, [[(trigger, "n_clicks", 1)]], (), (trigger, "n_clicks"))
    assert answer == {"site-domain": SITE, "site-timezone": TIMEZONE,
                      "site-hostnames": "pay.example.net", "site-flags": ["identify", "respect"]}


def _failing_job(store, site, since, until, context, version):
    raise ValueError("the events table is missing column 'pathname'")


def test_job_status_shows_runs_watermarks_and_failures(signed_in, store, shop):
    insert_events(store, day_events())
    context = JobContext()
    run_window(store, JOBS["sessions"], shop, at("2024-03-09 00:00:00"), at("2024-03-11 00:00:00"),
               context)
    broken = Job("checks", "a job that fails", (), (), datetime.timedelta(days=1), _failing_job,
                 lambda *a: None)
    with pytest.raises(ValueError):
        run_window(store, broken, shop, at("2024-03-10 00:00:00"), at("2024-03-11 00:00:00"), context)
    claim_sites(store, RUN_CLAIMS_JOB, [SITE], 7, settle_seconds=0, sleep=lambda s: None)

    shown = page(signed_in)
    body = find_component(shown, "job-status-table")["props"]["children"][1]["props"]["children"]
    rows = [texts(row) for row in body]
    finished = [row.pop(4) for row in rows]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", f) for f in finished), finished
    # Sessions run in three-day chunks counted from the epoch; 2024-03-09 starts one, so the
    # window is a single chunk: the six visits of 2024-03-10 (visitor 1, 2, 3 twice, 4
    # and 5) and the worked day's visit that starts on 2024-03-09, seven session rows.
    assert rows == [
        ["checks", SITE, "failed", "2024-03-10 00:00 → 2024-03-11 00:00", "0", "—", "1",
         "ValueError: the events table is missing column 'pathname'"],
        ["sessions", SITE, "ok", "2024-03-09 00:00 → 2024-03-11 00:00", "7", "2024-03-11 00:00", "0",
         "—"],
    ]
    [alert_run] = find_component(shown, "alert-runs-table")["props"]["children"][1]["props"]["children"]
    assert texts(alert_run)[0] == SITE


def test_a_marketer_cannot_see_or_use_channels_or_job_status(client, store, shop):
    add_user(store, "mia@shop.example", "a long password", role="marketer", sites=[SITE])
    assert login(client, "mia@shop.example", "a long password").status_code == 302
    refused = channels(client, add=("mail", "json://127.0.0.1/hook", "each"))
    assert "Settings are for admins" in texts(refused["channel-message"])[0]
    assert refused["channels-panel"] is None and list_channels(store, SITE) == []
    add_channel(store, SITE, "hook", "json://127.0.0.1/hook")
    assert "Settings are for admins" in send_test(client, "hook")
    assert "job-status-table" not in json.dumps(page(client))
