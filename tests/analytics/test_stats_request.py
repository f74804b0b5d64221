"""Stats API building blocks that need no store: who may read what, and CSV cells."""
import datetime

from vigie.analytics.stats_csv import cell, csv_text
from vigie.analytics.stats_request import Principal, account_principal
from vigie.warehouse.users import User


def test_a_principal_with_sites_reads_only_those():
    key = Principal("api key abc", frozenset({"shop.test"}), is_key=True)
    assert key.may_read("shop.test") and not key.may_read("other.test")
    assert key.refusal("other.test") == "site: this API key is for shop.test, not other.test"
    assert Principal("user a@b.test", frozenset()).refusal("x.test") == "site: this account may not see x.test"


def test_admin_accounts_read_every_site():
    assert account_principal(User("root@shop.test", True)).may_read("anything.test")


def test_csv_cells_never_become_formulas():
    assert [cell(v) for v in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "/ok", -1, 2.5, None]] == [
        "'=1+2", "'+1", "'-1", "'@SUM(A1)", "'\tx", "/ok", -1, 2.5, ""]
    assert cell({"EUR": 12.5, "USD": 3.0}) == "EUR 12.5; USD 3.0"
    assert cell([100.0, 50.0]) == "100.0 50.0"
    assert cell(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.timezone.utc)) == "2026-03-10 09:00:00"
    assert csv_text([{"a": 'x,"y"', "b": 1}], ["a", "b"]) == 'a,b\r\n"x,""y""",1\r\n'
