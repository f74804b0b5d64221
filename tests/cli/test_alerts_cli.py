"""`vigie alerts ...` on a real ClickHouse server (a real subprocess per command) and on chdb."""
import re

import pytest

from tests.alert_factories import SITE, add_customers, add_score
from tests.alerts.receivers import WebhookReceiver
from tests.cli.inprocess import run_vigie_here
from tests.cli.test_cli import run_vigie
from warehouse import open_store
from warehouse.migrations import migrate


@pytest.fixture
def webhook():
    with WebhookReceiver() as receiver:
        yield receiver


def vigie_ok(url, *args):
    result = run_vigie(url, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_rules_run_and_follow_up_from_the_command_line(server_url, webhook):
    vigie_ok(server_url, "sites", "add", SITE)
    store = open_store(server_url)
    try:
        migrate(store)
        add_customers(store, ("c-77", "2023-01-01", "cancelled"))
        add_score(store, "c-77", "2024-05-31", 0.64, ["Fewer logins since March"])
    finally:
        store.close()

    added = vigie_ok(server_url, "alerts", "rules", "add", "--site", SITE, "--kind",
                     "contract_cancelled", "--severity", "high", "--owner", "team@shop.example.com")
    rule_id = re.search(r"rule (r[0-9a-f]{8}) added", added).group(1)
    assert rule_id in vigie_ok(server_url, "alerts", "rules", "list", "--site", SITE)
    vigie_ok(server_url, "alerts", "channels", "add", "--site", SITE, "hook",
             webhook.url().replace("json://", "json://bot:Passw0rdXyz@"))
    listed = vigie_ok(server_url, "alerts", "channels", "list", "--site", SITE)
    assert "Passw0rdXyz" not in listed and "bot:****@127.0.0.1" in listed

    ran = vigie_ok(server_url, "alerts", "run", "--site", SITE)
    assert "1 new alert(s)" in ran and "1 message(s) sent, 0 failed" in ran
    assert "Fewer logins since March" in webhook.bodies[0]["message"]
    alert_id = re.search(r"^(a[0-9a-f]{12})\t", ran, re.M).group(1)
    again = vigie_ok(server_url, "alerts", "run", "--site", SITE)
    assert "0 new alert(s), 1 already alerted" in again and len(webhook.bodies) == 1

    listed = vigie_ok(server_url, "alerts", "list", "--state", "open", "--site", SITE)
    assert listed.split("\t")[:5] == [alert_id, SITE, "c-77", "high", "open"]
    vigie_ok(server_url, "alerts", "ack", alert_id, "--by", "ana")
    vigie_ok(server_url, "alerts", "snooze", alert_id, "--until", "2099-01-01", "--by", "ana")
    vigie_ok(server_url, "alerts", "assign", alert_id, "bob@shop.example.com", "--by", "ana")
    resolved = vigie_ok(server_url, "alerts", "resolve", alert_id, "--outcome", "churned",
                        "--note", "left for a competitor", "--by", "bob")
    assert "resolved: churned" in resolved
    shown = vigie_ok(server_url, "alerts", "show", alert_id)
    actions = re.findall(r"\t(\w+)\t(\w+) -> (\w+)", shown)
    assert actions == [("vigie", "opened", "open"), ("ana", "acknowledged", "acknowledged"),
                       ("ana", "snoozed", "snoozed"), ("ana", "assigned", "snoozed"),
                       ("bob", "resolved", "resolved")]
    assert "left for a competitor" in shown and "Passw0rdXyz" not in shown
    precision = vigie_ok(server_url, "alerts", "precision", "--site", SITE)
    assert f"{rule_id}\tcontract cancelled\tresolved 1\tchurned 1" in precision
    assert precision.strip().endswith("precision 100%")

    tested = vigie_ok(server_url, "alerts", "notify-test", "--site", SITE)
    assert tested.startswith("hook\t") and "sent" in tested
    assert webhook.bodies[-1]["title"] == f"Vigie test notification for {SITE}"


BAD_COMMANDS = [
    (["alerts", "snooze", "a1", "--until", "tomorrow"], "'tomorrow' is not a date"),
    (["alerts", "resolve", "a1", "--outcome", "maybe"], "invalid choice: 'maybe'"),
    (["alerts", "rules", "add", "--site", SITE, "--kind", "risk_above", "--threshold", "70"],
     "between 0 and 1"),
    (["alerts", "rules", "add", "--site", SITE, "--kind", "no_purchase", "--months", "six"],
     "'six' is not a whole number"),
    (["alerts", "ack", "a000000000000"], "no alert 'a000000000000'"),
    (["alerts", "list", "--limit", "-5"], "'-5' must be positive"),
    (["alerts", "run", "--site", "nowhere.example.net"], "no site 'nowhere.example.net'"),
    (["alerts", "channels", "add", "--site", SITE, "x", "gopher://u:Hunter22@h/"],
     "not a notification URL"),
    (["alerts", "notify-test", "--site", SITE], "has no channels"),
]


def test_bad_alert_commands_get_one_clear_line(cli_store_url):
    # In this process: the subprocess of the test above, whose alert history
    # needs each step in a second of its own, would add nothing here.
    url = cli_store_url
    assert run_vigie_here(url, "sites", "add", SITE).returncode == 0
    for args, message in BAD_COMMANDS:
        result = run_vigie_here(url, *args)
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr and "Traceback" not in result.stderr, args
        assert "Hunter22" not in result.stderr


@pytest.mark.parametrize("command", [
    ["alerts"], ["alerts", "run"], ["alerts", "list"], ["alerts", "ack"], ["alerts", "snooze"],
    ["alerts", "resolve"], ["alerts", "assign"], ["alerts", "rules"], ["alerts", "rules", "add"],
    ["alerts", "channels", "add"], ["alerts", "notify-test"], ["alerts", "digest"],
])
def test_every_alerts_command_has_help(command, capsys):
    from vigie.cli import main
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: vigie {' '.join(command)}")
