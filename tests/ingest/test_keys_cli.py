"""`vigie keys add|list|revoke` on both backends; the token works exactly until revoked."""
import re

import pytest

from vigie.warehouse.api_keys import verify_api_key
from vigie.warehouse.sites import add_site


def test_add_prints_a_working_token_once_and_list_never_shows_it(run_cli, store):
    add_site(store, "shop.test")
    code, out, err = run_cli("keys", "add", "WWW.Shop.Test", "--name", "billing backend")
    assert code == 0, err
    [token] = re.findall(r"^vk_[0-9a-f]{12}_[0-9a-f]{64}$", out, re.M)
    key = verify_api_key(store, token)
    assert key.site == "shop.test" and key.name == "billing backend"
    assert f"API key {key.key_id} created for shop.test (billing backend)" in out

    code, out, _ = run_cli("keys", "list")
    assert code == 0
    [line] = out.splitlines()
    assert line.startswith(f"{key.key_id}\tshop.test\t") and line.endswith("\tbilling backend")
    assert token.split("_")[2] not in out


def test_list_filters_by_site(run_cli, store):
    add_site(store, "shop.test")
    add_site(store, "blog.test")
    run_cli("keys", "add", "shop.test")
    run_cli("keys", "add", "blog.test")
    run_cli("keys", "add", "blog.test")
    code, out, _ = run_cli("keys", "list", "--site", "blog.test")
    assert code == 0
    assert [line.split("\t")[1] for line in out.splitlines()] == ["blog.test", "blog.test"]
    code, out, _ = run_cli("keys", "list")
    assert len(out.splitlines()) == 3


def test_revoke_makes_the_token_useless(run_cli, store):
    add_site(store, "shop.test")
    _, out, _ = run_cli("keys", "add", "shop.test")
    token = re.search(r"vk_\S+", out).group(0)
    key_id = token.split("_")[1]
    code, out, err = run_cli("keys", "revoke", key_id)
    assert code == 0, err
    assert f"API key {key_id} revoked" in out
    assert verify_api_key(store, token) is None
    assert run_cli("keys", "list")[1].startswith("no API keys yet")
    code, _, err = run_cli("keys", "revoke", key_id)
    assert code == 2 and f"no active API key '{key_id}'" in err and "Traceback" not in err


def test_unknown_sites_and_bad_arguments_get_one_clear_line(run_cli, store):
    code, _, err = run_cli("keys", "add", "nope.test")
    assert code == 2
    assert err.strip() == ("vigie: no site 'nope.test' is registered "
                           "(add it with: vigie sites add nope.test)")
    code, _, err = run_cli("keys", "add", "not a domain")
    assert code == 2 and "not a domain name" in err
    code, _, err = run_cli("keys", "list", "--site", "nope.test")
    assert code == 2 and "no site 'nope.test'" in err
    code, _, err = run_cli("keys", "frobnicate")
    assert code == 2 and "invalid choice: 'frobnicate'" in err
    assert list(store.query("SELECT count() FROM api_keys")) == [(0,)]


@pytest.mark.parametrize("command", [
    ["keys"], ["keys", "add"], ["keys", "list"], ["keys", "revoke"], ["import"],
    ["import", "access-log"],
])
def test_every_command_has_help(command, capsys):
    from vigie.cli import main
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: vigie {' '.join(command)}")
    assert len(out.splitlines()) > 3
