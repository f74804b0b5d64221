"""`vigie reports list | send` through the CLI's main(), mailing a real SMTP server on loopback."""
import pytest

from tests.alerts.receivers import SmtpInbox
from tests.cli.inprocess import run_vigie_here as run_vigie
from vigie.warehouse import open_store
from vigie.warehouse.migrations import migrate
from vigie.warehouse.report_subscriptions import add_subscription
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

SITE = "reports-cli.test"
ANA = "ana@reports-cli.test"


@pytest.fixture
def subscribed(cli_store_url):
    store = open_store(cli_store_url)
    try:
        migrate(store)
        add_site(store, SITE, "UTC")
        add_user(store, ANA, "a-long-password", role="marketer", sites=[SITE])
        return add_subscription(store, ANA, SITE, "weekly", ANA)
    finally:
        store.close()


def test_list_send_and_send_again(cli_store_url, subscribed, tmp_path):
    assert "report_mail_url is not set" in run_vigie(cli_store_url, "reports", "send").stderr
    listed = run_vigie(cli_store_url, "reports", "list")
    assert listed.returncode == 0
    assert listed.stdout.split("\t")[:4] == [subscribed.subscription_id, SITE, "weekly", ANA]
    assert "never sent" in listed.stdout
    with SmtpInbox() as inbox:
        config = tmp_path / "vigie.toml"
        config.write_text(f'report_mail_url = "mailto://127.0.0.1:{inbox.port}?from=v@reports-cli.test"\n'
                          'alert_retry_seconds = 0.01\n')
        run = ["--config", str(config), "reports", "send"]
        first = run_vigie(cli_store_url, *run)
        assert first.returncode == 0, first.stderr
        assert first.stdout.startswith("email reports: 1 sent, 0 failed")
        assert run_vigie(cli_store_url, *run).stdout.startswith("email reports: 0 sent, 0 failed")
        assert len(inbox.messages) == 1
        again = run_vigie(cli_store_url, *run, "--subscription", subscribed.subscription_id)
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith(f"sent the weekly report of {SITE} for ")
        assert len(inbox.messages) == 2 and all(m["To"] == ANA for m in inbox.messages)
        unknown = run_vigie(cli_store_url, *run, "--subscription", "0123456789abcdef")
        assert unknown.returncode == 2 and "no subscription '0123456789abcdef'" in unknown.stderr
    assert "last: sent" in run_vigie(cli_store_url, "reports", "list").stdout
    assert run_vigie(cli_store_url, "reports", "list", "--site", "nope.test").returncode == 2


@pytest.mark.parametrize("command", [["reports"], ["reports", "list"], ["reports", "send"]])
def test_every_reports_command_has_help(command, capsys):
    from vigie.cli import main
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: vigie {' '.join(command)}")
