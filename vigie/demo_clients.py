"""The demo shop's clients: CRM rows, subscription histories and contracts.

Clients subscribe to coffee deliveries, each on a rhythm of their own (a
renewal every one to ten weeks, an extra order now and then, a rare
refund). Some leave, in the three ways the churn model and the alert rules
are meant to catch:
- fading: renewals thin out for a few months before they stop;
- lapsed: renewals simply stop;
- cancelled: the client gives notice (a dated cancellation and a contract
  end date), renews until the end date, then stops.
About one client in eight is leaving around the moment the demo starts, so
the latest scores and the alert rules have something to find; the others
leave at random over the years, and the CRM ends the contracts of those
long gone. Clients who have not left yet sign in on
the site; those about to leave visit less and less.
`generate_clients` is deterministic: the same seed and `now` give the same
clients, transaction for transaction.
"""
import csv
import datetime
import random
from dataclasses import dataclass, field

HISTORY_DAYS = 600          # the oldest client joined this long before now
MEAN_STAY_DAYS = 700        # mean time a client stays, when not leaving now
LEAVING_NOW_SHARE = 0.12
# (weight, plan, price EUR, days between renewals)
PLANS = [(30, "discovery", 19.90, 56), (40, "classic", 29.90, 28), (20, "barista", 44.90, 14),
         (10, "office", 119.00, 21)]
OWNERS = ["claire@roastery.example", "malik@roastery.example", ""]
STYLES = ("fading", "lapsed", "cancelled")
STYLE_WEIGHTS = (35, 20, 45)
CUSTOMER_COLUMNS = ["customer_id", "created_at", "plan", "contract_status", "contract_ended_at",
                    "segment", "owner"]
TRANSACTION_COLUMNS = ["customer_id", "transaction_id", "timestamp", "amount", "currency", "type"]


@dataclass
class DemoCustomer:
    customer_id: str
    created_at: datetime.datetime
    plan: str
    segment: str
    owner: str
    leaves_at: datetime.datetime   # may be after now: the client has not left yet
    style: str                     # how they leave: one of STYLES
    contract_status: str = "active"
    contract_ended_at: datetime.datetime = None
    transactions: list = field(default_factory=list)  # (time, amount, type)

    def active_at(self, moment):
        return self.leaves_at > moment

    def fading_web(self, now):
        """Still a client, but about to leave: their visits thin out."""
        return self.active_at(now) and self.leaves_at < now + datetime.timedelta(days=45)


def _pick(rng, weighted):
    roll = rng.uniform(0, sum(w for w, *_ in weighted))
    for weight, *item in weighted:
        roll -= weight
        if roll <= 0:
            return item
    return weighted[-1][1:]


def _renewals(rng, customer, price, gap_days, now):
    """Renewals and extra orders from the first day to the leaving day (or now)."""
    day = datetime.timedelta(days=1)
    end = min(customer.leaves_at, now)
    fade_from = customer.leaves_at - 5 * gap_days * day
    moment = customer.created_at + rng.uniform(0, 3) * day
    while moment < end:
        customer.transactions.append((moment, price, "renewal"))
        if rng.random() < 0.12:
            customer.transactions.append((moment + rng.uniform(1, 9) * day,
                                          round(price * rng.choice([0.5, 1, 2]), 2), "purchase"))
        if rng.random() < 0.03:
            customer.transactions.append((moment + rng.uniform(2, 10) * day, price, "refund"))
        gap = gap_days * rng.uniform(0.75, 1.25)
        if customer.style == "fading" and moment >= fade_from:
            gap *= 2.5
        moment += gap * day
    customer.transactions = sorted(t for t in customer.transactions if t[0] < now)


def _contract(rng, customer, now):
    day = datetime.timedelta(days=1)
    if customer.style != "cancelled":
        # A subscription nobody renews ends a while after the last renewal:
        # clients long gone are recorded as such in the CRM.
        expiry = customer.leaves_at + rng.uniform(30, 90) * day
        if expiry < now:
            customer.contract_ended_at, customer.contract_status = expiry, "ended"
        return
    notice = customer.leaves_at - rng.uniform(20, 75) * day
    if notice < now:
        customer.transactions.append((notice, 0.0, "cancellation"))
        customer.transactions.sort()
        customer.contract_ended_at = customer.leaves_at
        customer.contract_status = "ended" if customer.leaves_at <= now else "cancelled"


def _customer(rng, index, now):
    day = datetime.timedelta(days=1)
    plan, price, gap_days = _pick(rng, PLANS)
    created = now - rng.uniform(30, HISTORY_DAYS) * day
    if rng.random() < LEAVING_NOW_SHARE:
        leaves_at = now + rng.uniform(-20, 40) * day
        style = STYLES[index % len(STYLES)]
    else:
        leaves_at = created + rng.expovariate(1 / MEAN_STAY_DAYS) * day
        style = rng.choices(STYLES, STYLE_WEIGHTS)[0]
    customer = DemoCustomer(f"cust-{index:05d}", created.replace(microsecond=0), plan,
                            "business" if plan == "office" else "consumer", rng.choice(OWNERS),
                            leaves_at, style)
    _renewals(rng, customer, price, gap_days, now)
    _contract(rng, customer, now)
    return customer


def generate_clients(count, seed, now=None):
    """`count` DemoCustomers with their transactions, all dated before `now`."""
    rng = random.Random(f"clients-{seed}")
    now = (now or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc)
    return [_customer(rng, index, now) for index in range(count)]


def _utc(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_csvs(customers, customers_path, transactions_path):
    """The two files `vigie import customers|transactions` read (docs/churn-data.md)."""
    with open(customers_path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CUSTOMER_COLUMNS)
        for c in customers:
            writer.writerow([c.customer_id, _utc(c.created_at), c.plan, c.contract_status,
                             _utc(c.contract_ended_at) if c.contract_ended_at else "", c.segment,
                             c.owner])
    with open(transactions_path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(TRANSACTION_COLUMNS)
        number = 0
        for c in customers:
            for moment, amount, kind in c.transactions:
                number += 1
                writer.writerow([c.customer_id, f"INV-{number:06d}", _utc(moment), f"{amount:.2f}",
                                 "EUR", kind])
    return number
