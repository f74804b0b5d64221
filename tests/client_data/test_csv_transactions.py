"""Importing transactions from CSV on both backends: types, signs, ids, rejections, idempotency."""
import datetime

import pytest

from vigie.alerts.client_data.csv_import import CsvOptions, ImportFailed, import_csv
from vigie.alerts.client_data.kinds import TRANSACTIONS
from vigie.alerts.client_data.queries import customer_transactions
from tests.client_data.conftest import SITE, count

UTC = datetime.timezone.utc

# No transaction_id column: ids are derived. Lines 3 and 4 are the same
# purchase twice on one day (two real purchases), line 6 a refund given
# positive, line 7 a cancellation without an amount.
WITHOUT_IDS = """
    customer_id,timestamp,amount,currency,type
    C-001,2024-03-01T10:00:00Z,120.00,EUR,purchase
    C-001,2024-03-05T00:00:00Z,19.90,eur,
    C-001,2024-03-05T00:00:00Z,19.90,EUR,Purchase
    C-002,2024-02-01T08:00:00Z,300,EUR,renewal
    C-002,2024-02-10T08:00:00Z,50,EUR,refund
    C-002,2024-04-01T08:00:00Z,,,cancellation
"""


def totals(store):
    """(rows, sum of amounts) as the churn features read them (FINAL)."""
    rows, amount = store.query("SELECT count(), sum(amount) FROM transactions FINAL "
                               "WHERE site = %(s)s", {"s": SITE})[0]
    return rows, round(amount, 2)


def test_rows_without_ids_get_stable_ids_and_identical_purchases_stay_two(store, site, csv_file):
    report = import_csv(store, site, csv_file(WITHOUT_IDS), TRANSACTIONS)
    assert (report.rows, report.imported, report.rejected) == (6, 6, [])
    # 120 + 19.90 + 19.90 + 300 - 50 + 0
    assert totals(store) == (6, 409.8)

    c1 = customer_transactions(store, SITE, "C-001")
    assert [(t.ts, t.amount, t.currency, t.type, t.origin) for t in c1] == [
        (datetime.datetime(2024, 3, 5, tzinfo=UTC), 19.9, "EUR", "purchase", "csv"),
        (datetime.datetime(2024, 3, 5, tzinfo=UTC), 19.9, "EUR", "purchase", "csv"),
        (datetime.datetime(2024, 3, 1, 10, tzinfo=UTC), 120.0, "EUR", "purchase", "csv"),
    ]
    assert len({t.transaction_id for t in c1}) == 3
    assert all(t.transaction_id.startswith("auto_") for t in c1)

    c2 = customer_transactions(store, SITE, "C-002")
    assert [(t.type, t.amount, t.currency) for t in c2] == [
        ("cancellation", 0.0, ""), ("refund", -50.0, "EUR"), ("renewal", 300.0, "EUR")]


def test_importing_the_same_file_twice_gives_the_same_data(store, site, csv_file):
    path = csv_file(WITHOUT_IDS)
    import_csv(store, site, path, TRANSACTIONS)
    first_ids = sorted(t.transaction_id for t in customer_transactions(store, SITE, "C-001"))
    import_csv(store, site, path, TRANSACTIONS, CsvOptions(batch_rows=2))
    assert totals(store) == (6, 409.8)
    assert sorted(t.transaction_id for t in customer_transactions(store, SITE, "C-001")) == first_ids


def test_given_ids_mapped_columns_default_currency_and_a_day_first_format(store, site, csv_file):
    path = csv_file("""
        Client\tInvoice\tDate\tTotal\tKind\tComment
        A\tF-1\t05/03/2024 14:00\t99.5\tpurchase\tfirst order
        A\tF-2\t06/03/2024 09:15\t-10\trefund\t
        B\tF-1\t07/03/2024 00:00\t10\trenewal\t
    """)
    options = CsvOptions(mapping=("customer_id=Client", "transaction_id=Invoice", "timestamp=Date",
                                  "amount=Total", "type=Kind"),
                         delimiter="\t", date_format="%d/%m/%Y %H:%M", currency="chf")
    report = import_csv(store, site, path, TRANSACTIONS, options)
    assert (report.rows, report.imported, report.rejected) == (3, 3, [])
    assert report.ignored_columns == ("Comment",)
    a = customer_transactions(store, SITE, "A")
    # Paris time in March is UTC+1.
    assert [(t.transaction_id, t.ts, t.amount, t.currency) for t in a] == [
        ("F-2", datetime.datetime(2024, 3, 6, 8, 15, tzinfo=UTC), -10.0, "CHF"),
        ("F-1", datetime.datetime(2024, 3, 5, 13, 0, tzinfo=UTC), 99.5, "CHF"),
    ]
    assert [t.transaction_id for t in customer_transactions(store, SITE, "B")] == ["F-1"]


def test_every_bad_row_is_reported_with_its_line_and_field(store, site, csv_file):
    path = csv_file("""
        customer_id,transaction_id,timestamp,amount,currency,type
        ,T1,2024-03-01,10,EUR,purchase
        C,T2,01/03/2024,10,EUR,purchase
        C,T3,2024-03-01,"10,50",EUR,purchase
        C,T4,2024-03-01,10,EUR,gift
        C,T5,2024-03-01,10,EURO,purchase
        C,T6,2024-03-01,10,,purchase
        C,T7,2024-03-01,-10,EUR,renewal
        C,T8,2024-03-01,,EUR,purchase
        C,T9,2024-03-01,10,EUR,purchase
        C,T9,2024-03-02,12,EUR,purchase
        C,T10,2999-03-01,10,EUR,purchase
    """)
    report = import_csv(store, site, path, TRANSACTIONS)
    assert [(r.line, r.field, r.value) for r in report.rejected] == [
        (2, "customer_id", ""),
        (3, "timestamp", "01/03/2024"),
        (4, "amount", "10,50"),
        (5, "type", "gift"),
        (6, "currency", "EURO"),
        (7, "currency", ""),
        (8, "amount", "-10"),
        (9, "amount", ""),
        (11, "transaction_id", "T9"),
        (12, "timestamp", "2999-03-01"),
    ]
    reasons = [r.reason for r in report.rejected]
    assert reasons[2].startswith("'10,50' is not an amount")
    assert reasons[3] == "'gift' is not a transaction type (purchase, renewal, refund, cancellation)"
    assert reasons[4] == "'EURO' is not a 3-letter currency code such as EUR or USD"
    assert reasons[5] == "currency is empty (give a 3-letter code such as EUR)"
    assert reasons[6] == "a renewal cannot be negative (send money returned as type refund)"
    assert reasons[8] == "this transaction_id for this customer already appears at line 10"
    assert (report.rows, report.rejected_rows, report.imported) == (11, 10, 1)
    assert totals(store) == (1, 10.0)


def test_a_missing_currency_column_is_fatal_unless_a_default_is_given(store, site, csv_file):
    path = csv_file("""
        customer_id,timestamp,amount
        C,2024-03-01,10
    """)
    with pytest.raises(ImportFailed) as failure:
        import_csv(store, site, path, TRANSACTIONS)
    assert [(p.field, p.reason) for p in failure.value.problems] == [
        ("currency", "required column 'currency' is missing (map another column with "
                     "--map currency=COLUMN)")]
    assert count(store, "transactions") == 0
    report = import_csv(store, site, path, TRANSACTIONS, CsvOptions(currency="USD"))
    assert report.imported == 1
    assert [t.currency for t in customer_transactions(store, SITE, "C")] == ["USD"]


def test_a_bad_default_currency_is_fatal(store, site, csv_file):
    with pytest.raises(ImportFailed, match="--currency: 'dollars' is not a 3-letter currency"):
        import_csv(store, site, csv_file(WITHOUT_IDS), TRANSACTIONS, CsvOptions(currency="dollars"))


@pytest.mark.parametrize("last_line", ['C-003,2024-03-02T10:00:00Z,10,EUR,"purchase',
                                       'C-003,"2024-03-02T10:00:00Z"x,10,EUR,purchase'])
def test_broken_quoting_on_the_last_line_imports_nothing(store, site, csv_file, last_line):
    path = csv_file(WITHOUT_IDS + "    " + last_line + "\n")
    with pytest.raises(ImportFailed, match="line 8 is not valid CSV") as failure:
        import_csv(store, site, path, TRANSACTIONS)
    assert "nothing was imported" in str(failure.value)
    assert [p.line for p in failure.value.problems] == [8]
    assert count(store, "transactions") == 0
