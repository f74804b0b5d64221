"""Alert rules whose audience is a cell of the loyalty-profitability matrix, on both backends.

With a CLV cut-off no client reaches, every client is low profit, so the cells
follow from tenure alone: days since the first purchase of each of the twelve
clients of tests/customer_value_data.py (recency + 10 x (orders - 1)):
c01 300, c02 290 (contract ended: never alerted), c03 280, c04 240, c05 210,
c06 130, c07 120, c08 120, c09 40, c10 40, c11 5, c12 32. Above 100 days is a
long relationship: barnacles c01, c03-c08; strangers c09-c12.
"""
import datetime

import pytest

from tests.customer_value_data import S, seed_portfolio
from vigie.alerts.conditions import MATRIX_CELLS
from vigie.alerts.engine import evaluate_site
from vigie.alerts.rules import KINDS, RuleError, add_rule
from vigie.analytics.portfolio import CELLS
from vigie.audiences import matrix_audiences
from vigie.warehouse.sites import add_site

NOW = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture
def shop(store):
    add_site(store, S, "UTC")
    return seed_portfolio(store)


def test_matrix_cell_rules_alert_the_cells_clients(store, shop, alert_settings):
    settings = alert_settings.replace(matrix_value_cutoff=1e9, matrix_tenure_cutoff_days=100)
    strangers = add_rule(store, S, "matrix_strangers", severity="low")
    barnacles = add_rule(store, S, "matrix_barnacles", severity="low")
    add_rule(store, S, "matrix_true_friends")
    summary = evaluate_site(store, settings, S, NOW, audiences=matrix_audiences(settings))
    opened = {}
    for alert in summary.opened:
        opened.setdefault(alert.rule_id, []).append(alert.customer_id)
    assert sorted(opened[strangers.rule_id]) == ["c09", "c10", "c11", "c12"]
    assert sorted(opened[barnacles.rule_id]) == ["c01", "c03", "c04", "c05", "c06", "c07", "c08"]
    assert len(opened) == 2     # nobody is a true friend below an unreachable CLV cut-off
    alert = next(a for a in summary.opened if a.customer_id == "c12")
    assert alert.detail.startswith("Strangers in the loyalty-profitability matrix (CLV ")
    assert strangers.name == "Strangers (loyalty-profitability matrix)"


def test_a_matrix_rule_without_audiences_says_what_is_missing(store, shop, alert_settings):
    add_rule(store, S, "matrix_butterflies")
    with pytest.raises(ValueError, match="need the customer value audiences"):
        evaluate_site(store, alert_settings, S, NOW)


def test_the_matrix_kinds_are_the_cells_and_take_no_parameter(store, shop):
    assert set(MATRIX_CELLS) == set(CELLS)
    assert {k for k in KINDS if k.startswith("matrix_")} == {f"matrix_{c}" for c in CELLS}
    with pytest.raises(RuleError, match="unknown rule kind 'matrix_friends'"):
        add_rule(store, S, "matrix_friends")
