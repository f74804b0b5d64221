"""Importing customers from CSV on both backends: columns, mapping, rejections, idempotency."""
import csv
import datetime

import pytest

from vigie.alerts.client_data.csv_import import CsvOptions, ImportFailed, import_csv
from vigie.alerts.client_data.kinds import CUSTOMERS
from vigie.alerts.client_data.queries import get_customer
from tests.client_data.conftest import SITE, count

UTC = datetime.timezone.utc

DEFAULT_COLUMNS = """
    customer_id,created_at,plan,contract_status,contract_ended_at,segment,owner,country,notes
    C-001,2024-01-15,pro,active,,smb,alice@shop.test,FR,
    C-002,2023-11-02T09:30:00Z,basic,Cancelled,2024-05-31,enterprise,bob@shop.test,DE,"calls on Mondays, not Fridays"
    C-003,2024-02-01 08:00:00,,,,,,,
"""


def test_default_columns_are_stored_with_the_others_as_attributes(store, site, csv_file):
    report = import_csv(store, site, csv_file(DEFAULT_COLUMNS), CUSTOMERS)
    assert (report.rows, report.imported, report.rejected) == (3, 3, [])
    assert count(store, "customers") == 3

    first = get_customer(store, SITE, "C-001")
    # Naive dates are read in the site's zone (Paris, UTC+1 in January).
    assert first.created_at == datetime.datetime(2024, 1, 14, 23, 0, tzinfo=UTC)
    assert (first.plan, first.contract_status, first.contract_ended_at) == ("pro", "active", None)
    assert (first.segment, first.owner) == ("smb", "alice@shop.test")
    assert first.attributes == (("country", "FR"),)  # the empty notes cell is not kept

    second = get_customer(store, SITE, "C-002")
    assert second.created_at == datetime.datetime(2023, 11, 2, 9, 30, tzinfo=UTC)
    assert second.contract_status == "cancelled"
    assert second.contract_ended_at == datetime.datetime(2024, 5, 30, 22, 0, tzinfo=UTC)
    assert second.attributes == (("country", "DE"), ("notes", "calls on Mondays, not Fridays"))

    third = get_customer(store, SITE, "C-003")
    assert (third.plan, third.contract_status, third.attributes) == ("", "", ())


def test_mapped_columns_a_day_first_date_format_a_delimiter_and_an_encoding(store, site, csv_file):
    path = csv_file("""
        Client ID;Depuis;Offre;Fin;Région
        Z-1;03/02/2024;Élite;28/02/2025;Île-de-France
        Z-2;15/12/2023;Base;;Bretagne
    """, encoding="latin-1")
    options = CsvOptions(mapping=("customer_id=Client ID", "created_at=Depuis", "plan=Offre",
                                  "contract_ended_at=Fin"),
                         delimiter=";", encoding="latin-1", date_format="%d/%m/%Y", timezone="UTC")
    report = import_csv(store, site, path, CUSTOMERS, options)
    assert (report.rows, report.imported, report.rejected) == (2, 2, [])
    z1 = get_customer(store, SITE, "Z-1")
    assert z1.created_at == datetime.datetime(2024, 2, 3, tzinfo=UTC)
    assert z1.contract_ended_at == datetime.datetime(2025, 2, 28, tzinfo=UTC)
    assert z1.plan == "Élite"
    assert z1.attributes == (("Région", "Île-de-France"),)
    assert get_customer(store, SITE, "Z-2").created_at == datetime.datetime(2023, 12, 15, tzinfo=UTC)


def test_every_bad_row_is_reported_with_its_line_and_field(store, site, csv_file, tmp_path):
    path = csv_file("""
        customer_id,created_at,contract_status,contract_ended_at,plan
        ok-1,2024-01-01,active,,pro
        ,2024-01-01,,,
        bad-date,2024-31-01,,,
        bad-status,2024-01-01,frozen,,
        ends-early,2024-03-01,ended,2024-02-01,
        "multi
        line",not-a-date,,,
        short,2024-01-01
        ok-1,2024-01-02,,,
        two-bad,someday,paused,,
        ok-2,2024-01-03,ended,2024-04-01,basic
    """)
    report = import_csv(store, site, path, CUSTOMERS, rejects_path=tmp_path / "rejects.csv")
    found = [(r.line, r.field) for r in report.rejected]
    assert found == [
        (3, "customer_id"), (4, "created_at"), (5, "contract_status"), (6, "contract_ended_at"),
        (7, "customer_id"), (7, "created_at"), (9, "row"), (10, "customer_id"), (11, "created_at"),
        (11, "contract_status"),
    ]
    reasons = {(r.line, r.field): r.reason for r in report.rejected}
    assert reasons[(3, "customer_id")] == "customer_id is empty"
    assert "'2024-31-01' is not an ISO 8601 date" in reasons[(4, "created_at")]
    assert "'frozen' is not a contract status" in reasons[(5, "contract_status")]
    assert "before the client was created" in reasons[(6, "contract_ended_at")]
    assert "contains control characters" in reasons[(7, "customer_id")]  # the quoted line break
    assert reasons[(9, "row")] == "row has 2 fields, the header has 5"
    assert reasons[(10, "customer_id")] == "this customer_id already appears at line 2"
    assert (report.rows, report.rejected_rows, report.imported) == (10, 8, 2)
    assert count(store, "customers") == 2

    lines = (tmp_path / "rejects.csv").read_text().splitlines()
    assert lines[0] == "line,field,reason,value"
    assert lines[2] == "4,created_at,\"'2024-31-01' is not an ISO 8601 date (e.g. 2024-03-10, " \
                       "2024-03-10 14:30:00 or 2024-03-10T14:30:00+01:00)\",2024-31-01"
    with open(tmp_path / "rejects.csv", newline="") as f:
        records = list(csv.reader(f))
    assert len(records) == 1 + 10
    assert records[5] == ["7", "customer_id", "customer_id 'multi\\nline' contains control characters",
                          "multi\nline"]


def test_the_report_keeps_the_first_rejections_and_the_rejects_file_all(store, site, csv_file,
                                                                       tmp_path):
    path = csv_file("customer_id,created_at\n" + "".join(f"C{i},\n" for i in range(1005)))
    rejects = tmp_path / "rejects.csv"
    report = import_csv(store, site, path, CUSTOMERS, rejects_path=rejects)
    assert (report.rows, report.rejected_rows, report.rejections) == (1005, 1005, 1005)
    assert len(report.rejected) == 1000
    assert report.rejected[-1] == (1001, "created_at", "date is empty", "")
    with open(rejects, newline="") as f:
        records = list(csv.reader(f))
    assert len(records) == 1 + 1005
    assert records[-1] == ["1006", "created_at", "date is empty", ""]


def test_strict_mode_imports_nothing_when_a_row_is_rejected(store, site, csv_file):
    path = csv_file("""
        customer_id,created_at
        a,2024-01-01
        b,yesterday
    """)
    report = import_csv(store, site, path, CUSTOMERS, CsvOptions(strict=True))
    assert (report.rows, report.rejected_rows, report.imported) == (2, 1, 0)
    assert count(store, "customers") == 0


@pytest.mark.parametrize("text, options, message, problem", [
    ("customer_id,created_at,plan,Plan\nA,2024-01-01,x,y\n", CsvOptions(),
     "header row is not usable", (1, "Plan", "column 'Plan' appears twice (columns 3 and 4)")),
    ("customer_id,plan\nA,x\n", CsvOptions(),
     "do not fit a customers file", (1, "created_at", "required column 'created_at' is missing "
                                                      "(map another column with --map created_at=COLUMN)")),
    ("id,created_at\nA,2024-01-01\n", CsvOptions(mapping=("customer_id=ID",)),
     "do not fit", (1, "customer_id", "bad mapping: the file has no column 'ID'")),
    ("id,created_at\nA,2024-01-01\n", CsvOptions(mapping=("client=id",)),
     "do not fit", (1, "client", "bad mapping: 'client' is not a customers field (customer_id, "
                                 "created_at, plan, contract_status, contract_ended_at, segment, owner)")),
    ("id,created_at,plan,offer\nA,2024-01-01,x,y\n", CsvOptions(mapping=("customer_id=id", "plan=offer")),
     "do not fit", (1, "plan", "bad mapping: plan is mapped from 'offer' but the file also has "
                               "a column 'plan'")),
    ("customer_id,created_at,\nA,2024-01-01,\n", CsvOptions(),
     "header row is not usable", (1, "column 3", "column has no name")),
])
def test_file_level_problems_import_nothing(store, site, csv_file, text, options, message, problem):
    with pytest.raises(ImportFailed, match=message) as failure:
        import_csv(store, site, csv_file(text), CUSTOMERS, options)
    assert tuple(failure.value.problems[0][:3]) == problem
    assert count(store, "customers") == 0


def test_an_undecodable_last_line_imports_nothing(store, site, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"customer_id,created_at\nA,2024-01-01\nB,2024-01-02\n\xff\xfe,2024-01-03\n")
    with pytest.raises(ImportFailed, match="line 4 is not valid utf-8-sig"):
        import_csv(store, site, str(path), CUSTOMERS)
    assert count(store, "customers") == 0


@pytest.mark.parametrize("options, message", [
    (CsvOptions(delimiter=";;"), "must be one character"),
    (CsvOptions(encoding="klingon"), "not a known encoding"),
    (CsvOptions(encoding="utf-16"), "save the file as UTF-8"),
    (CsvOptions(timezone="Mars/Olympus"), "not an IANA time zone"),
    (CsvOptions(date_format="dd/mm/yyyy"), "has no % directive"),
    (CsvOptions(mapping=("customer_id",)), "write FIELD=COLUMN"),
])
def test_bad_options_import_nothing(store, site, csv_file, options, message):
    with pytest.raises(ImportFailed, match=message):
        import_csv(store, site, csv_file(DEFAULT_COLUMNS), CUSTOMERS, options)
    assert count(store, "customers") == 0


def test_missing_and_empty_files_are_fatal(store, site, csv_file, tmp_path):
    with pytest.raises(ImportFailed, match="cannot read .*nowhere.csv"):
        import_csv(store, site, str(tmp_path / "nowhere.csv"), CUSTOMERS)
    with pytest.raises(ImportFailed, match="is empty: expected a header row"):
        import_csv(store, site, csv_file(""), CUSTOMERS)


def test_importing_the_same_file_twice_gives_the_same_data(store, site, csv_file):
    path = csv_file(DEFAULT_COLUMNS)
    import_csv(store, site, path, CUSTOMERS)
    import_csv(store, site, path, CUSTOMERS, CsvOptions(batch_rows=2))
    assert count(store, "customers") == 3
    assert get_customer(store, SITE, "C-002").plan == "basic"


def test_a_later_import_updates_a_client(store, site, csv_file):
    import_csv(store, site, csv_file(DEFAULT_COLUMNS), CUSTOMERS)
    import_csv(store, site, csv_file("""
        customer_id,created_at,plan,contract_status,contract_ended_at
        C-001,2024-01-15,enterprise,ended,2024-05-01
    """, name="update.csv"), CUSTOMERS)
    assert count(store, "customers") == 3
    updated = get_customer(store, SITE, "C-001")
    assert (updated.plan, updated.contract_status) == ("enterprise", "ended")
    assert updated.attributes == ()  # a row replaces the whole client, attributes included
