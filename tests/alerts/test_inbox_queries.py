"""Pages of the alert inbox and of the at-risk clients: filtered, sorted and counted in the store."""
import pytest

from vigie.alerts.churn_queries import at_risk_page, score_distribution
from vigie.alerts.client_data.queries import customer_owners
from vigie.alerts.clock import NEVER
from vigie.alerts.conditions import last_purchases
from vigie.alerts.state import (Alert, AlertError, UNASSIGNED, acknowledge, inbox_page, inbox_rules,
                                save_run)
from tests.alert_factories import SITE, add_customers, add_purchases, add_score
from tests.factories import at

OTHER = "other.example"


def _alert(alert_id, customer_id, rule_id, severity, owner, probability, opened, site=SITE):
    when = at(f"2026-11-{opened} 06:00:00")
    return Alert(site=site, alert_id=alert_id, customer_id=customer_id, rule_id=rule_id,
                 rule_kind="risk_above", rule_name={"r1": "Risk", "r2": "Spend"}[rule_id],
                 severity=severity, owner=owner, state="open", detail="d", value=probability,
                 probability=probability, reasons=(), last_purchase=NEVER, opened_at=when,
                 updated_at=when, snoozed_until=NEVER, resolved_at=NEVER, outcome="", note="")


@pytest.fixture
def inbox(store):
    save_run(store, [_alert("a1", "c10", "r1", "high", "zoe", 0.90, 20),
                     _alert("a2", "c11", "r1", "medium", "", 0.75, 21),
                     _alert("a3", "c20", "r2", "low", "", 0.30, 19),
                     _alert("a4", "c21", "r2", "high", "sam", 0.80, 22),
                     _alert("a5", "c12", "r1", "high", "", 0.95, 18),
                     _alert("a6", "c13", "r1", "high", "", 0.85, 23),
                     _alert("b1", "c10", "r1", "high", "", 0.99, 24, site=OTHER)], [],
             at("2026-11-24 06:00:00"))
    acknowledge(store, "a6", "rita")
    return store


def ids(page):
    return [a.alert_id for a in page.alerts]


def test_pages_of_the_inbox_newest_first_with_the_total(inbox):
    first = inbox_page(inbox, SITE, limit=2)
    assert (ids(first), first.total, first.offset, first.limit) == (["a4", "a2"], 5, 0, 2)
    assert ids(inbox_page(inbox, SITE, offset=2, limit=2)) == ["a1", "a3"]
    last = inbox_page(inbox, SITE, offset=4, limit=2)
    assert (ids(last), last.total) == (["a5"], 5)
    assert ids(inbox_page(inbox, SITE, offset=6, limit=2)) == []
    assert ids(inbox_page(inbox, SITE, state="acknowledged")) == ["a6"]


def test_the_inbox_sorts_in_the_store(inbox):
    assert ids(inbox_page(inbox, SITE, sort="oldest")) == ["a5", "a3", "a1", "a2", "a4"]
    assert ids(inbox_page(inbox, SITE, sort="severity")) == ["a4", "a1", "a5", "a2", "a3"]
    assert ids(inbox_page(inbox, SITE, sort="probability")) == ["a5", "a1", "a4", "a2", "a3"]
    assert ids(inbox_page(inbox, SITE, sort="client")) == ["a1", "a2", "a5", "a3", "a4"]
    assert ids(inbox_page(inbox, SITE, sort="severity", offset=1, limit=2)) == ["a1", "a5"]


def test_the_inbox_filters_in_the_store_and_counts_what_matches(inbox):
    def shown(**filters):
        page = inbox_page(inbox, SITE, **filters)
        return ids(page), page.total
    assert shown(severity="high") == (["a4", "a1", "a5"], 3)
    assert shown(rule_id="r2") == (["a4", "a3"], 2)
    assert shown(owner=UNASSIGNED) == (["a2", "a3", "a5"], 3)
    assert shown(owner="zoe") == (["a1"], 1)
    assert shown(client_prefix="c1") == (["a2", "a1", "a5"], 3)
    assert shown(client_prefix="c1", severity="high", limit=1) == (["a1"], 2)
    assert shown(client_prefix="c%") == ([], 0)    # no LIKE wildcard
    assert shown(severity="low", owner="zoe") == ([], 0)


def test_another_sites_alerts_never_show(inbox):
    assert "b1" not in ids(inbox_page(inbox, SITE, client_prefix="c10"))
    assert ids(inbox_page(inbox, OTHER)) == ["b1"]
    assert inbox_page(inbox, "nobody.example").total == 0
    assert inbox_rules(inbox, SITE) == [("r1", "Risk"), ("r2", "Spend")]


def test_bad_inbox_requests_are_refused_by_name(inbox):
    with pytest.raises(AlertError, match="sort 'cheapest'"):
        inbox_page(inbox, SITE, sort="cheapest")
    with pytest.raises(AlertError, match="state 'closed'"):
        inbox_page(inbox, SITE, state="closed")
    with pytest.raises(AlertError, match="1 to 200 alerts"):
        inbox_page(inbox, SITE, limit=201)
    with pytest.raises(AlertError, match="negative"):
        inbox_page(inbox, SITE, offset=-1)


@pytest.fixture
def scored(store):
    add_score(store, "c1", "2026-11-01", 0.99)   # an older run: never shown
    for cid, probability in (("c1", 0.91), ("c2", 0.75), ("c3", 0.42), ("c4", 0.08), ("c5", 0.05),
                             ("c6", 1.0)):
        add_score(store, cid, "2026-11-20", probability)
    add_score(store, "b1", "2026-11-20", 0.97, site=OTHER)
    return store


def clients(page):
    return [s.customer_id for s in page.scores]


def test_pages_of_at_risk_clients_sorted_and_counted(scored):
    first = at_risk_page(scored, SITE, limit=2)
    assert (clients(first), first.total) == (["c6", "c1"], 6)
    assert clients(at_risk_page(scored, SITE, offset=2, limit=3)) == ["c2", "c3", "c4"]
    assert clients(at_risk_page(scored, SITE, order="asc", limit=2)) == ["c5", "c4"]
    high = at_risk_page(scored, SITE, risk_band="high")    # add_score: high from 0.7
    assert (clients(high), high.total) == (["c6", "c1", "c2"], 3)
    low = at_risk_page(scored, SITE, risk_band="low", order="asc", offset=1, limit=1)
    assert (clients(low), low.total) == (["c4"], 3)
    assert clients(at_risk_page(scored, OTHER)) == ["b1"]
    with pytest.raises(ValueError, match="order 'up'"):
        at_risk_page(scored, SITE, order="up")


def test_the_score_distribution_is_summed_in_the_store(scored):
    bands, bins = score_distribution(scored, SITE)
    assert bands == {"high": 3, "medium": 0, "low": 3}
    expected = [0] * 20
    for number in (18, 15, 8, 1, 1, 19):    # 0.91, 0.75, 0.42, 0.08, 0.05, 1.0 (last bin)
        expected[number] += 1
    assert bins == expected
    assert score_distribution(scored, "nobody.example") == ({"high": 0, "medium": 0, "low": 0}, [0] * 20)


def test_owners_and_last_purchases_of_a_page_of_clients(store):
    add_customers(store, ("c1", "2024-01-01", "active", "zoe"), ("c2", "2024-01-01", "active"),
                  ("c3", "2024-01-01", "active", "yann"))
    add_customers(store, ("c1", "2024-01-01", "active", "boris"), site=OTHER)
    add_purchases(store, "c1", "2026-10-01", "2026-11-01")
    add_purchases(store, "c2", "2026-09-01")
    add_purchases(store, "c1", "2026-11-15", site=OTHER)
    assert customer_owners(store, SITE, ["c1", "c2"]) == {"c1": "zoe"}
    assert customer_owners(store, SITE) == {"c1": "zoe", "c3": "yann"}
    assert customer_owners(store, SITE, []) == {}
    now = at("2026-11-20 00:00:00")
    assert last_purchases(store, SITE, now, ["c1"]) == {"c1": at("2026-11-01 12:00:00")}
    assert last_purchases(store, SITE, now, []) == {}
    assert set(last_purchases(store, SITE, now)) == {"c1", "c2"}
