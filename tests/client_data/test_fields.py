"""Parsing single values: what is accepted, how it is stored, and the reasons for refusals."""
import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from vigie.alerts.client_data.fields import (
    FieldError, Parsing, parse_amount, parse_contract_status, parse_currency, parse_datetime,
    parse_id, parse_type,
)

UTC = datetime.timezone.utc
NOW = datetime.datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
PARIS = Parsing(ZoneInfo("Europe/Paris"), None, "", NOW)


@pytest.mark.parametrize("text, expected", [
    ("2024-03-10", datetime.datetime(2024, 3, 9, 23, 0, tzinfo=UTC)),            # Paris midnight, winter
    ("2024-05-10 14:30:00", datetime.datetime(2024, 5, 10, 12, 30, tzinfo=UTC)),  # summer time
    ("2024-03-10T14:30:00Z", datetime.datetime(2024, 3, 10, 14, 30, tzinfo=UTC)),
    ("2024-03-10T14:30:00+05:00", datetime.datetime(2024, 3, 10, 9, 30, tzinfo=UTC)),
    (" 2024-03-10T14:30:05.987 ", datetime.datetime(2024, 3, 10, 13, 30, 5, tzinfo=UTC)),
])
def test_iso_dates_without_offset_are_read_in_the_given_zone(text, expected):
    assert parse_datetime(text, PARIS) == expected


def test_a_custom_format_reads_day_first_dates():
    parsing = Parsing(ZoneInfo("UTC"), "%d/%m/%Y", "", NOW)
    assert parse_datetime("03/02/2024", parsing) == datetime.datetime(2024, 2, 3, tzinfo=UTC)
    with pytest.raises(FieldError, match="does not match the date format '%d/%m/%Y'"):
        parse_datetime("2024-02-03", parsing)


@pytest.mark.parametrize("text, reason", [
    ("", "date is empty"),
    ("10/03/2024", "not an ISO 8601 date"),
    ("2024-02-30", "not an ISO 8601 date"),
    ("1969-12-31", "outside the dates Vigie can store"),
    ("2204-01-01", "outside the dates"),
    ("2024-06-03", "in the future"),
])
def test_bad_dates_are_refused_with_a_reason(text, reason):
    with pytest.raises(FieldError, match=reason):
        parse_datetime(text, PARIS)


def test_an_optional_date_may_be_empty_and_a_contract_end_may_be_in_the_future():
    assert parse_datetime("", PARIS, required=False) is None
    assert parse_datetime("2025-01-01T00:00:00Z", PARIS, allow_future=True) == \
        datetime.datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("text, expected", [
    ("12.50", Decimal("12.50")), ("-3", Decimal(-3)), ("+0.5", Decimal("0.5")), (".5", Decimal("0.5")),
])
def test_amounts(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["12,50", "1 000", "1,000.00", "ten", "1e5", "€12", "nan"])
def test_amounts_in_other_notations_are_refused(text):
    with pytest.raises(FieldError, match="is not an amount"):
        parse_amount(text)


def test_an_optional_amount_is_zero_when_empty_and_huge_amounts_are_refused():
    assert parse_amount("", required=False) == 0
    with pytest.raises(FieldError, match="amount is empty"):
        parse_amount("  ")
    with pytest.raises(FieldError, match="too large"):
        parse_amount("1000000000000")


def test_currencies_are_upper_case_iso_codes_with_an_optional_default():
    assert parse_currency(" eur ", PARIS) == "EUR"
    assert parse_currency("", Parsing(default_currency="USD")) == "USD"
    for bad in ("EURO", "E1R", "€"):
        with pytest.raises(FieldError, match="not a 3-letter currency code"):
            parse_currency(bad, PARIS)
    with pytest.raises(FieldError, match="currency is empty"):
        parse_currency("", PARIS)


def test_types_statuses_and_ids():
    assert parse_type(" Refund ") == "refund"
    assert parse_type("") == "purchase"
    with pytest.raises(FieldError, match="'gift' is not a transaction type"):
        parse_type("gift")
    assert parse_contract_status("Canceled") == "cancelled"
    assert parse_contract_status("") == ""
    with pytest.raises(FieldError, match="not a contract status"):
        parse_contract_status("paused")
    assert parse_id("  C-1 ") == "C-1"
    with pytest.raises(FieldError, match="longer than 200"):
        parse_id("x" * 201)
    with pytest.raises(FieldError, match="control characters"):
        parse_id("a\tb")
