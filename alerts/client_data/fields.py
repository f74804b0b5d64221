"""Parsing one field of client data: dates, amounts, currencies, types, statuses, ids.

Each parser takes the raw text (CSV cell, or API value already turned into
text) and returns the stored value, or raises FieldError with a reason a
person can act on. The reasons quote the offending value so a rejects report
is readable without the source file at hand.
"""
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

UTC = datetime.timezone.utc

# DateTime('UTC') is a UInt32 of seconds: nothing before 1970 or after 2105 fits.
EARLIEST = datetime.datetime(1970, 1, 2, tzinfo=UTC)
LATEST = datetime.datetime(2105, 12, 31, tzinfo=UTC)
# Clocks drift and exports are stamped in other time zones; a day of slack
# keeps "in the future" for real typos (2204 for 2024).
FUTURE_SLACK = datetime.timedelta(days=1)

MAX_ID_LENGTH = 200
MAX_TEXT_LENGTH = 200
MAX_ATTRIBUTE_NAME_LENGTH = 100
MAX_ATTRIBUTE_LENGTH = 1000
MAX_ATTRIBUTES = 100
MAX_AMOUNT = Decimal("1e12")

TRANSACTION_TYPES = ("purchase", "renewal", "refund", "cancellation")
CONTRACT_STATUSES = ("", "active", "cancelled", "ended")
# Spellings people export that mean one of the statuses above.
_STATUS_ALIASES = {"canceled": "cancelled"}

_AMOUNT_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class FieldError(ValueError):
    """One value cannot be stored; the message is the reason."""


@dataclass(frozen=True)
class Parsing:
    """How to read dates and fill gaps, fixed for a whole file or request.

    timezone: applied to timestamps that carry no offset (a ZoneInfo).
    date_format: a strptime format, or None for ISO 8601.
    default_currency: used when a transaction has no currency.
    now: the moment the import started, for "in the future" checks.
    """
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    date_format: str = None
    default_currency: str = ""
    now: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(UTC))


def parse_id(text, what="id"):
    value = (text or "").strip()
    if not value:
        raise FieldError(f"{what} is empty")
    if len(value) > MAX_ID_LENGTH:
        raise FieldError(f"{what} is longer than {MAX_ID_LENGTH} characters")
    if _CONTROL_RE.search(value):
        raise FieldError(f"{what} {value!r} contains control characters")
    return value


def parse_text(text, max_length=MAX_TEXT_LENGTH):
    value = (text or "").strip()
    if len(value) > max_length:
        raise FieldError(f"value is longer than {max_length} characters")
    return value


def parse_datetime(text, parsing, required=True, allow_future=False):
    """An aware UTC datetime (whole seconds), or None when optional and empty."""
    value = (text or "").strip()
    if not value:
        if required:
            raise FieldError("date is empty")
        return None
    try:
        if parsing.date_format:
            parsed = datetime.datetime.strptime(value, parsing.date_format)
        else:
            parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        if parsing.date_format:
            raise FieldError(f"{value!r} does not match the date format {parsing.date_format!r}") from None
        raise FieldError(f"{value!r} is not an ISO 8601 date "
                         "(e.g. 2024-03-10, 2024-03-10 14:30:00 or 2024-03-10T14:30:00+01:00)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=parsing.timezone)
    parsed = parsed.astimezone(UTC).replace(microsecond=0)
    if not EARLIEST <= parsed <= LATEST:
        raise FieldError(f"{value!r} is outside the dates Vigie can store (1970 to 2105)")
    if not allow_future and parsed > parsing.now + FUTURE_SLACK:
        raise FieldError(f"{value!r} is in the future")
    return parsed


def parse_amount(text, required=True):
    """A Decimal; '' is 0 when the amount is optional."""
    value = (text or "").strip()
    if not value:
        if required:
            raise FieldError("amount is empty")
        return Decimal(0)
    if not _AMOUNT_RE.match(value):
        raise FieldError(f"{value!r} is not an amount "
                         "(digits with '.' for decimals and no thousands separator, e.g. 1250.50)")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise FieldError(f"{value!r} is not an amount") from None
    if abs(amount) >= MAX_AMOUNT:
        raise FieldError(f"{value!r} is too large for an amount")
    return amount


def parse_currency(text, parsing, required=True):
    value = (text or "").strip().upper() or parsing.default_currency
    if not value:
        if required:
            raise FieldError("currency is empty (give a 3-letter code such as EUR)")
        return ""
    if not _CURRENCY_RE.match(value):
        raise FieldError(f"{text.strip()!r} is not a 3-letter currency code such as EUR or USD")
    return value


def parse_type(text):
    value = (text or "").strip().lower() or "purchase"
    if value not in TRANSACTION_TYPES:
        raise FieldError(f"{text.strip()!r} is not a transaction type "
                         f"({', '.join(TRANSACTION_TYPES)})")
    return value


def parse_contract_status(text):
    value = (text or "").strip().lower()
    value = _STATUS_ALIASES.get(value, value)
    if value not in CONTRACT_STATUSES:
        raise FieldError(f"{text.strip()!r} is not a contract status (active, cancelled, ended, "
                         "or empty)")
    return value


def parse_attribute(name, text):
    """(name, value) of a free attribute; empty values are dropped by the caller."""
    name = (name or "").strip()
    if not name:
        raise FieldError("attribute name is empty")
    if len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
        raise FieldError(f"attribute name is longer than {MAX_ATTRIBUTE_NAME_LENGTH} characters")
    return name, parse_text(text, MAX_ATTRIBUTE_LENGTH)
