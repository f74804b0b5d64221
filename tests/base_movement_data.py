"""Hand-built clients for the base movement tests (query, Stats API, dashboard).

As of 2026-05-01 with a horizon H of 60 days, four monthly periods: January
to April 2026. A client is lost on the day after their last purchase before a
gap of more than 60 days, once those 60 days have passed (day + 60 <= May 1),
or on the day their contract ended. March (its last day + 60 = May 30) and
April are provisional; February (Feb 28 + 60 = Apr 29) and January are final.

- A, lost at a month boundary: bought 2025-11-20, 2026-01-10 and 2026-01-31
  (gaps 51 and 21 days). Lost on Feb 1 (known on Apr 2): at the start of
  January and of February, lost in February. A purchase on May 1, the as-of
  date itself, changes nothing.
- B, a reactivation: bought 2025-11-01 (lost Nov 2), then 2026-02-10 (gap of
  101 days: reactivated in February) and 2026-03-05. Mar 6 + 60 = May 5 is
  after May 1, so B is not lost yet: at the start of March and April.
- C, a contract that ended: renewals 2026-01-15, 02-15, 03-15, contract ended
  2026-03-31 23:00. New in January, lost on Mar 31 by the contract (the 60
  quiet days after Mar 15 have not passed). Plan "pro"; every other client
  is on "standard".
- D, a one-time buyer: 2026-02-27 only; lost Feb 28 (known Apr 29). New and
  lost in February, never at a period's start.
- E, a provisional newcomer: 2026-03-20 only; Mar 21 + 60 = May 20, not known
  yet: new in March, at the start and end of April.
- F, long gone: bought 2025-06-01 only (lost 2025-06-02).
- G, refunds and notices are not purchases: bought 2025-12-01 (lost Dec 2),
  then a refund on 2026-01-20 and a cancellation on 01-25.
- H, a contract that ends after the as-of date (2026-06-30): bought 2026-04-10,
  new in April, at its end.
- "gone" is deleted (a purchase in February, not counted); another site's
  client is not counted either.

Movement (start + new + reactivated - lost = end; churn rate = lost of the
clients at the start / clients at the start):

| period | start | new | react. | lost | of start | end | rate  | provisional |
|--------|-------|-----|--------|------|----------|-----|-------|-------------|
| Jan    | 1 (A) | 1 C | 0      | 0    | 0        | 2   | 0.0   | no          |
| Feb    | 2 A C | 1 D | 1 B    | 2 AD | 1 (A)    | 2   | 50.0  | no          |
| Mar    | 2 C B | 1 E | 0      | 1 C  | 1 (C)    | 2   | 50.0  | yes         |
| Apr    | 2 B E | 1 H | 0      | 0    | 0        | 3   | 0.0   | yes         |

Revenue (purchase and renewal amounts, 100 each unless said: A's purchase of
Jan 31 is 150, B's of Mar 5 is 60, C's renewals 30; G's refund is not
revenue). Per period: Dec G 100; Jan A 250, C 30; Feb B 100, C 30, D 100;
Mar B 60, C 30, E 100; Apr H 100. Moved period over period, as recurring
revenue is (first purchases: A and B in November, G in December):
- Jan: start G's December 100; new C 30; reactivated A 250 (bought before,
  not in December); churned G 100; end 280.
- Feb: start 280; new D 100; reactivated B 100; C stays at 30; churned A 250;
  end 230.
- Mar: start 230; new E 100; B 100 -> 60: contraction 40; C stays at 30;
  churned D 100; end 190.
- Apr: start 190; new H 100; churned B 60, C 30, E 100 (190); end 100.

Churn scores as of 2026-02-01 (the latest run; an earlier run of that date
says otherwise and must be ignored): A 0.8 high, B 0.7 high, C 0.2 low,
F 0.9 high. They are the scores at the start of February, March and April
(the latest scoring date on or before the start, less than 60 days before
it); January has none. Realised churn over [start, start + 60 days), the
churn label's window:
- February, [Feb 1, Apr 2): A no purchase (churned), B bought Feb 10
  (stayed), C bought but its contract ended on Mar 31 (churned), F churned:
  3 of 4; predicted 0.8 + 0.7 + 0.2 + 0.9 = 2.6, mean 0.65;
- March, [Mar 1, Apr 30): the same 3 of 4;
- April, [Apr 1, May 31): not over on May 1, so not realised yet.
"""
import datetime

from tests.churn_factories import customer, insert_customers, insert_transactions, transaction

S = "shop.test"
AS_OF = datetime.date(2026, 5, 1)
HORIZON = 60
SCORED_ON = datetime.date(2026, 2, 1)
SCORES = {"A": (0.8, "high"), "B": (0.7, "high"), "C": (0.2, "low"), "F": (0.9, "high")}

PURCHASES = {
    "A": ["2025-11-20", "2026-01-10", "2026-01-31 23:59:59"],
    "B": ["2025-11-01", "2026-02-10", "2026-03-05"],
    "D": ["2026-02-27"],
    "E": ["2026-03-20"],
    "F": ["2025-06-01"],
    "G": ["2025-12-01"],
    "H": ["2026-04-10"],
}

AMOUNTS = {("A", "2026-01-31 23:59:59"): 150, ("B", "2026-03-05"): 60}

# (period, revenue start, new, reactivated, expansion, contraction, churned, end)
REVENUE = [
    ("2026-01-01", 100, 30, 250, 0, 0, 100, 280),
    ("2026-02-01", 280, 100, 100, 0, 0, 250, 230),
    ("2026-03-01", 230, 100, 0, 0, 40, 100, 190),
    ("2026-04-01", 190, 100, 0, 0, 0, 190, 100),
]

# (period, start, new, reactivated, lost, lost_from_start, end, churn_rate, provisional)
MOVEMENT = [
    ("2026-01-01", 1, 1, 0, 0, 0, 2, 0.0, False),
    ("2026-02-01", 2, 1, 1, 2, 1, 2, 50.0, False),
    ("2026-03-01", 2, 1, 0, 1, 1, 2, 50.0, True),
    ("2026-04-01", 2, 1, 0, 0, 0, 3, 0.0, True),
]


def _noon(day):
    return day if " " in day else day + " 12:00:00"


def seed_base_movement(store):
    people = [customer(S, cid, created_at="2025-01-01", plan="pro" if cid == "C" else "standard")
              for cid in "ABDEFG"]
    people += [customer(S, "C", created_at="2025-12-01", plan="pro", contract_status="ended",
                        contract_ended_at="2026-03-31 23:00:00"),
               customer(S, "H", created_at="2026-04-01", contract_ended_at="2026-06-30"),
               customer(S, "gone")]
    insert_customers(store, people)
    deleted = list(customer(S, "gone"))
    deleted[-2], deleted[-1] = 2, 1
    insert_customers(store, [tuple(deleted)])
    rows = [transaction(S, cid, _noon(day), amount=AMOUNTS.get((cid, day), 100))
            for cid, days in PURCHASES.items() for day in days]
    rows += [transaction(S, "C", _noon(day), amount=30, type="renewal")
             for day in ("2026-01-15", "2026-02-15", "2026-03-15")]
    rows += [transaction(S, "G", _noon("2026-01-20"), amount=-100, type="refund"),
             transaction(S, "G", _noon("2026-01-25"), amount=0, type="cancellation"),
             transaction(S, "A", "2026-05-01 00:00:00"),
             transaction(S, "gone", _noon("2026-02-03")),
             transaction("other.test", "A", _noon("2026-02-03"))]
    insert_transactions(store, rows)
    seed_scores(store)
    return store


def seed_scores(store):
    columns = ["site", "customer_id", "as_of", "scored_at", "model_version", "probability", "risk_band",
               "reasons", "reason_features"]
    run = datetime.datetime(2026, 2, 1, 3, tzinfo=datetime.timezone.utc)
    earlier = run - datetime.timedelta(hours=1)
    rows = [(S, cid, SCORED_ON, run, "m1", p, band, [], []) for cid, (p, band) in SCORES.items()]
    rows += [(S, cid, SCORED_ON, earlier, "m0", 0.01, "low", [], []) for cid in "ABCDEF"]
    store.insert("churn_scores", columns, rows)


def movement_settings(store_url, tmp_path):
    """The tests' settings with the 60-day churn horizon these clients are worked out for."""
    from vigie.settings import load_settings
    return load_settings(environ={}, overrides={
        "store_url": store_url, "secret_key": "test-secret-key", "buffer_max_seconds": 0.2,
        "spool_dir": str(tmp_path / "spool"), "churn_horizon_days": HORIZON})
