"""The one row validator behind every way client data comes in.

CSV rows and API items are both turned into a mapping of field name -> text
(plus free attributes for customers) and checked here, so a CSV import and an
API call accept and reject exactly the same things. A row yields either a
record ready to store or the list of its problems, one per bad field, so a
rejects report shows everything wrong with a row at once.
"""
import hashlib
from collections import namedtuple
from dataclasses import dataclass

from vigie.alerts.client_data.fields import (
    MAX_ATTRIBUTES, FieldError, parse_amount, parse_attribute, parse_contract_status,
    parse_currency, parse_datetime, parse_id, parse_text, parse_type,
)

CUSTOMER_FIELDS = ("customer_id", "created_at", "plan", "contract_status", "contract_ended_at",
                   "segment", "owner")
CUSTOMER_REQUIRED = ("customer_id", "created_at")
TRANSACTION_FIELDS = ("customer_id", "transaction_id", "timestamp", "amount", "currency", "type")
TRANSACTION_REQUIRED = ("customer_id", "timestamp", "amount")

Problem = namedtuple("Problem", "field reason")


@dataclass(frozen=True)
class Customer:
    customer_id: str
    created_at: object
    plan: str = ""
    contract_status: str = ""
    contract_ended_at: object = None
    segment: str = ""
    owner: str = ""
    attributes: tuple = ()  # ((name, value), ...) in the order given


@dataclass(frozen=True)
class Transaction:
    customer_id: str
    transaction_id: str
    ts: object
    amount: float
    currency: str
    type: str
    origin: str = ""  # csv, api or web once stored; empty while being imported


class _Checker:
    """Collects one Problem per failing field while parsing a row."""

    def __init__(self):
        self.problems = []

    def __call__(self, field, parse, *args, **kwargs):
        try:
            return parse(*args, **kwargs)
        except FieldError as exc:
            self.problems.append(Problem(field, str(exc)))
            return None


def validate_customer(values, attributes, parsing):
    """(Customer, []) or (None, [Problem, ...]) for one client.

    values: field name -> text for CUSTOMER_FIELDS (missing = empty).
    attributes: (name, text) pairs kept as free attributes; empty ones are dropped.
    """
    check = _Checker()
    get = lambda name: values.get(name) or ""  # noqa: E731
    customer_id = check("customer_id", parse_id, get("customer_id"), "customer_id")
    created_at = check("created_at", parse_datetime, get("created_at"), parsing)
    status = check("contract_status", parse_contract_status, get("contract_status"))
    ended_at = check("contract_ended_at", parse_datetime, get("contract_ended_at"), parsing,
                     required=False, allow_future=True)
    texts = {name: check(name, parse_text, get(name)) for name in ("plan", "segment", "owner")}
    kept = []
    for name, text in attributes:
        pair = check(name or "attribute", parse_attribute, name, text)
        if pair and pair[1]:
            kept.append(pair)
    if len(kept) > MAX_ATTRIBUTES:
        check.problems.append(Problem("attributes", f"{len(kept)} attributes; at most "
                                                    f"{MAX_ATTRIBUTES} are kept per client"))
    if created_at and ended_at and ended_at < created_at:
        check.problems.append(Problem("contract_ended_at", "contract ends before the client was "
                                                           "created (created_at)"))
    if check.problems:
        return None, check.problems
    return Customer(customer_id, created_at, texts["plan"], status, ended_at, texts["segment"],
                    texts["owner"], tuple(kept)), []


def validate_transaction(values, parsing):
    """(Transaction, []) or (None, [Problem, ...]) for one transaction.

    The sign convention is applied here: refunds are stored negative whatever
    sign they were given with; purchases, renewals and cancellations may not
    be negative. A cancellation may have no amount (stored as 0). A missing
    transaction_id stays '' until TransactionIds.assign derives one.
    """
    check = _Checker()
    get = lambda name: values.get(name) or ""  # noqa: E731
    customer_id = check("customer_id", parse_id, get("customer_id"), "customer_id")
    transaction_id = ""
    if get("transaction_id").strip():
        transaction_id = check("transaction_id", parse_id, get("transaction_id"), "transaction_id")
    ts = check("timestamp", parse_datetime, get("timestamp"), parsing)
    kind = check("type", parse_type, get("type"))
    amount = check("amount", parse_amount, get("amount"), required=kind != "cancellation")
    if amount is not None and kind is not None:
        if kind == "refund":
            amount = -abs(amount)
        elif amount < 0:
            check.problems.append(Problem("amount", f"a {kind} cannot be negative "
                                                    "(send money returned as type refund)"))
    currency = check("currency", parse_currency, get("currency"), parsing,
                     required=bool(amount))
    if check.problems:
        return None, check.problems
    return Transaction(customer_id, transaction_id, ts, float(amount), currency, kind), []


class TransactionIds:
    """Derives ids for transactions that come without one, deterministically.

    The id hashes the stored content (customer, time, amount, currency, type)
    and the ordinal of that content within the file or request: the same file
    imported twice gives the same ids (so the rows replace each other), while
    two identical purchases on one line each stay two transactions.
    """

    def __init__(self):
        self._seen = {}

    def assign(self, transaction):
        if transaction.transaction_id:
            return transaction
        content = "\x1f".join((transaction.customer_id, transaction.ts.isoformat(),
                               repr(transaction.amount), transaction.currency, transaction.type))
        # A short digest as the key keeps the memory per distinct row small.
        seen_key = hashlib.blake2b(content.encode("utf-8"), digest_size=16).digest()
        ordinal = self._seen.get(seen_key, 0) + 1
        self._seen[seen_key] = ordinal
        digest = hashlib.sha256(f"{content}\x1f{ordinal}".encode("utf-8")).hexdigest()
        t = transaction
        return Transaction(t.customer_id, "auto_" + digest[:24], t.ts, t.amount, t.currency, t.type,
                           t.origin)


class DuplicateKeys:
    """Remembers where each key was first seen, to refuse a second row for it.

    Two rows with one key in a single import would be stored with the same
    version, and which one the table keeps would be left to chance.
    """

    def __init__(self):
        self._first = {}

    def check(self, key, where, field, what):
        """A Problem if `key` was already seen, else None (and remember `where`)."""
        first = self._first.setdefault(key, where)
        if first == where:
            return None
        return Problem(field, f"{what} already appears at {first}")
