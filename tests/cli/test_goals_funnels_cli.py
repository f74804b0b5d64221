"""`vigie goals` and `vigie funnels` through the CLI's main(), on an embedded store."""
import pytest

from tests.cli.inprocess import run_vigie_here as run_vigie


@pytest.fixture
def chdb_url(cli_store_url):
    assert run_vigie(cli_store_url, "sites", "add", "shop.example.com").returncode == 0
    return cli_store_url


def test_goals_add_list_remove(chdb_url):
    added = run_vigie(chdb_url, "goals", "add", "shop.example.com", "--event", "purchase",
                      "--name", "Purchase", "--revenue")
    assert added.returncode == 0, added.stderr
    goal_id = added.stdout.split("goal added: ")[1].split("\t")[0]
    assert run_vigie(chdb_url, "goals", "add", "shop.example.com", "--page", "/blog/*").returncode == 0
    listed = run_vigie(chdb_url, "goals", "list", "Shop.Example.com").stdout.splitlines()
    assert listed[0] == f"{goal_id}\tPurchase\tevent purchase (revenue)"
    assert listed[1].endswith("\tVisit /blog/*\tpage /blog/*")
    assert run_vigie(chdb_url, "goals", "remove", "shop.example.com", goal_id).returncode == 0
    assert len(run_vigie(chdb_url, "goals", "list", "shop.example.com").stdout.splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["goals", "add", "shop.example.com"], "one of the arguments --page --event is required"),
    (["goals", "add", "nowhere.example.com", "--event", "x"], "no site 'nowhere.example.com'"),
    (["goals", "add", "shop.example.com", "--page", "thanks"], "must start with /"),
    (["goals", "add", "shop.example.com", "--page", "/t", "--revenue"], "only custom-event goals"),
    (["goals", "remove", "shop.example.com", "abc"], "has no goal 'abc'"),
    (["funnels", "add", "shop.example.com", "--name", "F", "--step", "click:/x"],
     "must look like page:/pricing or event:signup"),
    (["funnels", "add", "shop.example.com", "--name", "F", "--step", "page:/x"], "2 to 8 steps, not 1"),
    (["funnels", "add", "shop.example.com", "--name", "F", "--step", "page:/a", "--step", "event:b",
      "--within-days", "0"], "'0' must be between 1 and 90"),
    (["funnels", "remove", "shop.example.com", "abc"], "has no funnel 'abc'"),
])
def test_bad_arguments_are_named(chdb_url, args, message):
    result = run_vigie(chdb_url, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_funnels_add_list_remove(chdb_url):
    added = run_vigie(chdb_url, "funnels", "add", "shop.example.com", "--name", "Signup",
                      "--step", "page:/pricing", "--step", "event:signup", "--within-days", "7")
    assert added.returncode == 0, added.stderr
    funnel_id = added.stdout.split("funnel added: ")[1].split("\t")[0]
    listed = run_vigie(chdb_url, "funnels", "list", "shop.example.com").stdout
    assert listed == f"{funnel_id}\tSignup\twithin 7 days\tpage:/pricing > event:signup\n"
    duplicate = run_vigie(chdb_url, "funnels", "add", "shop.example.com", "--name", "signup",
                          "--step", "page:/a", "--step", "page:/b")
    assert duplicate.returncode == 2 and "already has a funnel named 'signup'" in duplicate.stderr
    assert run_vigie(chdb_url, "funnels", "remove", "shop.example.com", funnel_id).returncode == 0
    assert "no funnels yet" in run_vigie(chdb_url, "funnels", "list", "shop.example.com").stdout
