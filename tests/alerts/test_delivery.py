"""Delivery through apprise to a real SMTP server and a real HTTP webhook on loopback."""
import logging
import mailbox

import pytest

from vigie.alerts.destinations import ChannelError, add_channel, list_channels, mask_url
from vigie.alerts.delivery import deliveries, notify_test
from vigie.alerts.engine import run_site
from vigie.alerts.rules import add_rule
from tests.alert_factories import add_customers, add_purchases, add_score
from tests.alerts.receivers import closed_port
from tests.factories import at

NOW = at("2024-06-01 08:00:00")
REASONS = ["No visit for 45 days", "Basket size down 60%"]


def risky_client(store, site):
    add_customers(store, ("c-1042", "2023-01-01", "active", "ana@shop.example.com"))
    add_purchases(store, "c-1042", "2024-02-14")
    add_score(store, "c-1042", "2024-05-31", 0.82, REASONS)
    return add_rule(store, site, "risk_above", threshold=0.7, severity="high", name="High risk")


def body_of(message):
    return message.get_body(("plain",)).get_content()


def test_each_new_alert_reaches_email_and_webhook(store, site, alert_settings, inbox, webhook):
    risky_client(store, site)
    add_channel(store, site, "mail", inbox.url())
    add_channel(store, site, "hook", webhook.url())
    summary = run_site(store, alert_settings, site, NOW, sleep=lambda s: None)
    assert (len(summary.opened), summary.sent, summary.failed) == (1, 2, 0)
    alert_id = summary.opened[0].alert_id

    [message] = inbox.messages
    assert message["Subject"] == "Churn alert (high): client c-1042 - High risk"
    assert message["To"] == "retention@shop.example.com"
    text = body_of(message)
    for expected in ("Client: c-1042", "Severity: high", "Churn probability: 82%",
                     "- No visit for 45 days", "- Basket size down 60%",
                     "Last purchase: 2024-02-14", "Owner: ana@shop.example.com", alert_id):
        assert expected in text

    [payload] = webhook.bodies
    assert payload["title"] == "Churn alert (high): client c-1042 - High risk"
    assert "Client: c-1042" in payload["message"] and "- No visit for 45 days" in payload["message"]

    log = deliveries(store, site, alert_id)
    assert sorted((r["channel"], r["attempt"], r["status"]) for r in log) == [
        ("hook", 1, "sent"), ("mail", 1, "sent")]

    # The next run updates the alert and sends nothing new.
    again = run_site(store, alert_settings, site, NOW, sleep=lambda s: None)
    assert (again.opened, again.updated, again.sent) == ([], 1, 0)
    assert len(inbox.messages) == 1 and len(webhook.bodies) == 1


def test_a_dead_channel_is_retried_then_logged_failed_without_blocking_others(
        store, site, alert_settings, webhook, caplog):
    risky_client(store, site)
    secret_url = f"json://robot:S3cretPassw0rd@127.0.0.1:{closed_port()}/hook?token=T0kenValue99"
    add_channel(store, site, "broken", secret_url)
    add_channel(store, site, "hook", webhook.url())
    waits = []
    with caplog.at_level(logging.DEBUG):
        summary = run_site(store, alert_settings, site, NOW, sleep=waits.append)
    assert (summary.sent, summary.failed) == (1, 1)
    assert len(webhook.bodies) == 1
    assert waits == [0.01, 0.02]       # alert_retry_seconds, doubled; none after the last try

    rows = [r for r in deliveries(store, site) if r["channel"] == "broken"]
    assert [(r["attempt"], r["status"]) for r in rows] == [(1, "failed"), (2, "failed"),
                                                           (3, "failed")]
    assert all(r["error"] for r in rows)
    assert rows[0]["target"].startswith("json://robot:")
    everything = repr(deliveries(store, site)) + caplog.text + repr(list_channels(store, site)[0].target)
    assert "S3cretPassw0rd" not in everything and "T0kenValue99" not in everything


def test_daily_digest_lists_the_days_new_alerts_once(store, site, alert_settings, inbox):
    add_customers(store, ("c1", "2023-01-01", "cancelled"), ("c2", "2023-01-01", "active"))
    add_score(store, "c2", "2024-05-31", 0.91, ["Stopped using the mobile app"])
    add_rule(store, site, "contract_cancelled", severity="medium", name="Contract cancelled")
    add_rule(store, site, "risk_above", threshold=0.7, severity="high", name="High risk")
    add_channel(store, site, "daily", inbox.url(), mode="digest")

    first = run_site(store, alert_settings, site, NOW, sleep=lambda s: None)
    assert len(first.opened) == 2 and first.sent == 0 and inbox.messages == []
    next_day = at("2024-06-02 06:00:00")
    second = run_site(store, alert_settings, site, next_day, sleep=lambda s: None)
    assert second.digests_sent == 1
    [digest] = inbox.messages
    assert digest["Subject"] == "Churn alerts for shop.example.com on 2024-06-01: 2 new"
    lines = body_of(digest).strip().splitlines()
    ids = {a.customer_id: a.alert_id for a in first.opened}
    assert lines == [
        "[high] High risk: 1 new alert",
        f"- client c2: probability 91%; Stopped using the mobile app; owner unassigned; alert {ids['c2']}",
        "",
        "[medium] Contract cancelled: 1 new alert",
        f"- client c1: probability not scored yet; contract cancelled; owner unassigned; alert {ids['c1']}"]
    third = run_site(store, alert_settings, site, at("2024-06-02 18:00:00"), sleep=lambda s: None)
    assert third.digests_sent == 0 and len(inbox.messages) == 1


def test_rules_send_only_to_the_channels_they_name(store, site, alert_settings, inbox, webhook):
    add_customers(store, ("c1", "2023-01-01", "cancelled"))
    add_rule(store, site, "contract_cancelled", channels=["hook"])
    add_channel(store, site, "mail", inbox.url())
    add_channel(store, site, "hook", webhook.url())
    summary = run_site(store, alert_settings, site, NOW, sleep=lambda s: None)
    assert summary.sent == 1 and len(webhook.bodies) == 1 and inbox.messages == []


def test_notify_test_reaches_every_channel(store, site, alert_settings, inbox, webhook):
    add_channel(store, site, "mail", inbox.url())
    add_channel(store, site, "hook", webhook.url())
    results = notify_test(store, alert_settings, site, sleep=lambda s: None)
    assert sorted((c.name, ok) for c, ok in results) == [("hook", True), ("mail", True)]
    assert inbox.messages[0]["Subject"] == "Vigie test notification for shop.example.com"
    assert webhook.bodies[0]["title"] == "Vigie test notification for shop.example.com"


def test_bad_channels_are_refused_without_echoing_secrets(store, site):
    with pytest.raises(ChannelError, match="not a notification URL") as error:
        add_channel(store, site, "x", "gopher://user:Hunter22@example.com/")
    assert "Hunter22" not in str(error.value)
    with pytest.raises(ChannelError, match="mode 'hourly'"):
        add_channel(store, site, "x", "json://127.0.0.1/hook", mode="hourly")
    with pytest.raises(ChannelError, match="channel name"):
        add_channel(store, site, "no spaces", "json://127.0.0.1/hook")
    with pytest.raises(ChannelError, match="no site"):
        add_channel(store, "nowhere.example.net", "x", "json://127.0.0.1/hook")
    assert list_channels(store, site) == []


def test_masking_hides_passwords_and_tokens():
    assert mask_url("json://robot:S3cret@hooks.example.com/in?token=abc") == \
        "json://robot:****@hooks.example.com/in"
    masked = mask_url("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#retention")
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in masked and masked.startswith("slack://")


def test_an_mbox_channel_appends_each_alert_to_a_local_mail_file(store, site, alert_settings, tmp_path):
    risky_client(store, site)
    path = tmp_path / "alerts.mbox"
    add_channel(store, site, "local", f"mbox://{path}")
    add_channel(store, site, "typo", f"mbox://{tmp_path}/missing/alerts.mbox")
    summary = run_site(store, alert_settings, site, NOW, sleep=lambda s: None)
    assert (len(summary.opened), summary.sent, summary.failed) == (1, 1, 1)
    [message] = mailbox.mbox(str(path))
    assert message["Subject"] == "Churn alert (high): client c-1042 - High risk"
    assert "Client: c-1042" in message.get_payload() and summary.opened[0].alert_id in message.get_payload()
    log = {(r["channel"], r["status"]) for r in deliveries(store, site)}
    assert log == {("local", "sent"), ("typo", "failed")}
    # A directory that does not exist is a failure, not a directory made on the fly.
    assert not (tmp_path / "missing").exists()
    assert notify_test(store, alert_settings, site, sleep=lambda s: None, channel_name="local")[0][1]
    assert len(mailbox.mbox(str(path))) == 2


def _opened(n, rule_name, severity, probability, day="2024-06-01"):
    from vigie.alerts.clock import NEVER
    from vigie.alerts.state import Alert
    when = at(f"{day} 06:00:00")
    return Alert(site="shop.example.com", alert_id=f"a-{rule_name[:4]}-{n:03d}", customer_id=f"c{n:03d}",
                 rule_id=rule_name, rule_kind="risk_above", rule_name=rule_name, severity=severity,
                 owner="", state="open", detail="d", value=probability, probability=probability,
                 reasons=(f"reason {n}",), last_purchase=NEVER, opened_at=when, updated_at=when,
                 snoozed_until=NEVER, resolved_at=NEVER, outcome="", note="")


def test_a_big_day_is_one_grouped_message_per_digest_channel(store, site, alert_settings, inbox, webhook):
    from vigie.alerts.delivery import DIGEST_CLIENTS_PER_GROUP, send_digest
    cap = DIGEST_CLIENTS_PER_GROUP
    # cap + 3 high-risk alerts (probabilities falling with n), two low ones, and one of another day.
    alerts = ([_opened(n, "High risk", "high", 0.99 - n / 1000) for n in range(cap + 3)]
              + [_opened(900 + n, "Spend dropped", "low", 0.2) for n in range(2)]
              + [_opened(999, "High risk", "high", 0.5, day="2024-05-31")])
    add_channel(store, site, "daily-mail", inbox.url(), mode="digest")
    add_channel(store, site, "daily-hook", webhook.url(), mode="digest")
    add_channel(store, site, "each-mail", inbox.url("each@shop.example.com"))
    day = at("2024-06-01 00:00:00").date()
    assert send_digest(store, alert_settings, site, day, alerts, sleep=lambda s: None) == (2, 0)
    [message] = inbox.messages      # the 'each' channel gets no digest
    assert message["To"] == "retention@shop.example.com"
    assert message["Subject"] == f"Churn alerts for shop.example.com on 2024-06-01: {cap + 5} new"
    lines = body_of(message).strip().splitlines()
    listed = [f"- client c{n:03d}: probability {0.99 - n / 1000:.0%}; reason {n}; owner unassigned; "
              f"alert a-High-{n:03d}" for n in range(cap)]
    assert lines == (
        [f"[high] High risk: {cap + 3} new alerts"] + listed
        + ["- ... and 3 more (the Alerts page lists them all: filter on this rule)", "",
           "[low] Spend dropped: 2 new alerts",
           "- client c900: probability 20%; reason 900; owner unassigned; alert a-Spen-900",
           "- client c901: probability 20%; reason 901; owner unassigned; alert a-Spen-901"])
    [payload] = webhook.bodies
    assert payload["title"] == message["Subject"]
    assert payload["message"].strip().splitlines() == lines
    assert sorted(r["alert_id"] for r in deliveries(store, site)) == ["digest:2024-06-01"] * 2
    # The next run of the same day sends nothing again.
    assert send_digest(store, alert_settings, site, day, alerts, sleep=lambda s: None) == (0, 0)
    assert len(inbox.messages) == 1 and len(webhook.bodies) == 1
