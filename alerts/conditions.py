"""Which clients meet each rule right now, and the facts an alert message shows.

Every condition reads the churn tables of one site as they are at `now`
(rows after `now` are ignored, so a run can be replayed for a past moment)
and returns {customer_id: Hit}. Joins are done here in Python on small
per-site dictionaries rather than in SQL: ClickHouse 18.16 and chdb disagree
on JOIN defaults, and a site's client list fits in memory.

Clients whose contract has ended, or who were deleted from the CRM import, are
gone already: no rule alerts about them.
"""
import functools
from dataclasses import dataclass

from vigie.alerts.clock import add_months, aware

PURCHASE_TYPES = ("purchase", "renewal")


@dataclass(frozen=True)
class Hit:
    """One client meeting one rule: the measured value and the reason in words."""
    customer_id: str
    value: float
    detail: str


@dataclass(frozen=True)
class ClientFacts:
    """What an alert shows beside the rule: owner, latest score and reasons, last purchase."""
    owner: str = ""
    probability: float = -1.0  # -1: never scored
    reasons: tuple = ()
    last_purchase: object = None


# The loyalty-profitability matrix's cells (analytics/portfolio.py places the clients).
MATRIX_CELLS = {"strangers": "Strangers", "butterflies": "Butterflies", "true_friends": "True friends",
                "barnacles": "Barnacles"}


class SiteData:
    """The tables of one site as of `now`, each read at most once per run.

    Several rules (and the alert facts) need the same latest scores and last
    purchases; reading them once keeps a run to one pass over each table.

    `audiences(store, site, now)`: {customer_id: (matrix cell, CLV)}. Placing
    clients needs customer lifetime value, which analytics computes and this
    package may not import, so the composition root (vigie) hands it in.
    """

    def __init__(self, store, site, now, audiences=None):
        self.store, self.site, self.now = store, site, now
        self._audiences = audiences

    @functools.cached_property
    def matrix(self):
        if self._audiences is None:
            raise ValueError("loyalty-profitability matrix rules need the customer value audiences: "
                             "pass audiences= (vigie wires them for serve, the CLI and the demo)")
        return self._audiences(self.store, self.site, self.now)

    @functools.cached_property
    def clients(self):
        return customers(self.store, self.site)

    @functools.cached_property
    def gone(self):
        """Clients whose contract ended or who were deleted from the CRM: never alerted."""
        return {row[0] for row in self.store.query(
            "SELECT customer_id FROM customers FINAL WHERE site = %(site)s "
            "AND (deleted = 1 OR contract_status = 'ended')", {"site": self.site})}

    @functools.cached_property
    def scores(self):
        return latest_scores(self.store, self.site, self.now)

    @functools.cached_property
    def last_purchases(self):
        return last_purchases(self.store, self.site, self.now)


def customers(store, site):
    """{customer_id: (owner, contract_status, created_at)} of the site's current clients."""
    rows = store.query(
        "SELECT customer_id, owner, contract_status, created_at FROM customers FINAL "
        "WHERE site = %(site)s AND deleted = 0", {"site": site})
    return {cid: (owner, status, aware(created)) for cid, owner, status, created in rows}


def latest_scores(store, site, now):
    """{customer_id: (latest probability, previous probability or None, latest reasons)}."""
    rows = store.query(
        """
        SELECT customer_id,
               arrayReverseSort(groupArray((as_of, scored_at, probability)))[1].3,
               if(count() > 1, arrayReverseSort(groupArray((as_of, scored_at, probability)))[2].3,
                  -1.0),
               argMax(reasons, (as_of, scored_at))
        FROM churn_scores
        WHERE site = %(site)s AND scored_at <= %(now)s
        GROUP BY customer_id
        """, {"site": site, "now": now})
    return {cid: (latest, None if previous < 0 else previous, tuple(reasons))
            for cid, latest, previous, reasons in rows}


def last_purchases(store, site, now, customer_ids=None):
    """{customer_id: last purchase}, of every client or only of `customer_ids` (a page of them)."""
    only = "" if customer_ids is None else " AND customer_id IN %(ids)s"
    if customer_ids is not None and not customer_ids:
        return {}
    rows = store.query(
        "SELECT customer_id, max(ts) FROM transactions FINAL WHERE site = %(site)s "
        f"AND type IN %(types)s AND ts <= %(now)s{only} GROUP BY customer_id",
        {"site": site, "types": PURCHASE_TYPES, "now": now, "ids": tuple(customer_ids or ())})
    return {cid: aware(ts) for cid, ts in rows}


def risk_above(data, rule):
    hits = {}
    for cid, (latest, _, _) in data.scores.items():
        if latest >= rule.threshold and cid not in data.gone:
            hits[cid] = Hit(cid, latest, f"churn probability {latest:.0%} "
                                         f"(threshold {rule.threshold:.0%})")
    return hits


def risk_rising(data, rule):
    hits = {}
    for cid, (latest, previous, _) in data.scores.items():
        if previous is None or cid in data.gone:
            continue
        points = round((latest - previous) * 100, 6)
        if points > rule.threshold:
            hits[cid] = Hit(cid, points, f"churn probability rose from {previous:.0%} to "
                                         f"{latest:.0%} (+{points:g} points)")
    return hits


def no_purchase(data, rule):
    """Clients whose last purchase (or, never having bought, their arrival) is too old."""
    now = data.now
    cutoff = add_months(now, -rule.months)
    hits = {}
    for cid, (_, status, created_at) in data.clients.items():
        if status == "ended":
            continue
        latest = data.last_purchases.get(cid)
        if latest is not None and latest < cutoff:
            days = (now - latest).days
            hits[cid] = Hit(cid, days, f"no purchase since {latest:%Y-%m-%d} ({days} days)")
        elif latest is None and created_at is not None and created_at < cutoff:
            days = (now - created_at).days
            hits[cid] = Hit(cid, days, f"no purchase since becoming a client on "
                                       f"{created_at:%Y-%m-%d} ({days} days)")
    return hits


def contract_cancelled(data, rule):
    return {cid: Hit(cid, 1.0, "contract cancelled")
            for cid, (_, status, _) in data.clients.items() if status == "cancelled"}


def purchase_drop(data, rule):
    """Purchases per month over the last `months` against the `baseline_months` before.

    A client with no purchase at all in the baseline has no usual rate to fall
    from (the no_purchase rule covers them).
    """
    recent_start = add_months(data.now, -rule.months)
    base_start = add_months(recent_start, -rule.baseline_months)
    rows = data.store.query(
        "SELECT customer_id, countIf(ts >= %(recent)s), countIf(ts < %(recent)s) "
        "FROM transactions FINAL WHERE site = %(site)s AND type IN %(types)s "
        "AND ts >= %(base)s AND ts < %(now)s GROUP BY customer_id",
        {"site": data.site, "types": PURCHASE_TYPES, "recent": recent_start, "base": base_start,
         "now": data.now})
    hits = {}
    for cid, recent, base in rows:
        if base == 0 or cid in data.gone:
            continue
        recent_rate, usual_rate = recent / rule.months, base / rule.baseline_months
        percent = round(100 * recent_rate / usual_rate, 1)
        if percent < rule.threshold:
            hits[cid] = Hit(cid, percent, (
                f"{recent} purchase(s) in the last {rule.months} month(s): {percent:g}% of the "
                f"usual rate ({base} in the {rule.baseline_months} months before)"))
    return hits


def matrix_cell(data, rule):
    """Active clients placed in the rule's cell of the loyalty-profitability matrix."""
    cell = rule.kind.removeprefix("matrix_")
    return {cid: Hit(cid, clv, f"{MATRIX_CELLS[cell]} in the loyalty-profitability matrix "
                               f"(CLV {clv:,.2f})")
            for cid, (placed, clv) in data.matrix.items() if placed == cell and cid not in data.gone}


CONDITIONS = {
    "risk_above": risk_above,
    "risk_rising": risk_rising,
    "no_purchase": no_purchase,
    "contract_cancelled": contract_cancelled,
    "purchase_drop": purchase_drop,
    **{f"matrix_{cell}": matrix_cell for cell in MATRIX_CELLS},
}


def evaluate(data, rule):
    """{customer_id: Hit} for the clients that meet `rule` at data.now."""
    return CONDITIONS[rule.kind](data, rule)


def client_facts(data, customer_ids):
    """{customer_id: ClientFacts} for the clients about to get or update an alert."""
    facts = {}
    for cid in customer_ids:
        latest, _, reasons = data.scores.get(cid, (-1.0, None, ()))
        facts[cid] = ClientFacts(owner=data.clients.get(cid, ("",))[0], probability=latest,
                                 reasons=reasons, last_purchase=data.last_purchases.get(cid))
    return facts
