"""`vigie import customers|transactions|web-revenue` through the CLI's main(), on real stores."""

import pathlib

import pytest

from tests.cli.inprocess import run_vigie_here as run_vigie
from tests.factories import event, insert_events
from vigie.warehouse import open_store

CUSTOMERS = ("customer_id,created_at,plan\n"
             "C-1,2024-01-15,pro\n"
             "C-2,2024-02-01,basic\n"
             "C-3,2024-02-03,basic\n")


@pytest.fixture(params=["chdb", "clickhouse"])
def url(request):
    return request.getfixturevalue("cli_store_url" if request.param == "chdb" else "server_url")


@pytest.fixture
def shop(url):
    assert run_vigie(url, "sites", "add", "shop.example.com").returncode == 0
    return url


def test_importing_a_file_twice_reports_and_stores_the_same_counts(shop, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS)
    for _ in range(2):
        result = run_vigie(shop, "import", "customers", str(path), "--site", "shop.example.com")
        assert result.returncode == 0, result.stderr
        assert result.stdout == "customers: 3 rows read, 3 imported, 0 rejected\n"
    if shop.startswith("clickhouse"):
        with open_store(shop) as store:
            assert store.query_value("SELECT count() FROM customers FINAL") == 3


def test_rejected_rows_are_printed_and_written_and_the_exit_status_is_1(chdb_url, tmp_path):
    run_vigie(chdb_url, "sites", "add", "shop.example.com")
    path, rejects = tmp_path / "tx.csv", tmp_path / "rejects.csv"
    path.write_text("Client;Date;Amount;Devise\n"
                    "C-1;01/03/2024;10.5;EUR\n"
                    "C-1;31/02/2024;10;EUR\n"
                    "C-2;02/03/2024;12;euros\n")
    result = run_vigie(chdb_url, "import", "transactions", str(path), "--site", "shop.example.com",
                       "--delimiter", ";", "--date-format", "%d/%m/%Y", "--map", "customer_id=Client",
                       "--map", "timestamp=Date", "--map", "amount=Amount", "--map", "currency=Devise",
                       "--rejects", str(rejects))
    assert result.returncode == 1
    assert result.stdout == "transactions: 3 rows read, 1 imported, 2 rejected\n"
    assert "rejected line 3, timestamp: '31/02/2024' does not match the date format '%d/%m/%Y'" in result.stderr
    assert "rejected line 4, currency: 'euros' is not a 3-letter currency code" in result.stderr
    assert rejects.read_text().splitlines()[1:] == [
        "3,timestamp,'31/02/2024' does not match the date format '%d/%m/%Y',31/02/2024",
        "4,currency,'euros' is not a 3-letter currency code such as EUR or USD,euros"]


def test_strict_mode_imports_nothing(chdb_url, tmp_path):
    run_vigie(chdb_url, "sites", "add", "shop.example.com")
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS + "C-4,someday,pro\n")
    result = run_vigie(chdb_url, "import", "customers", str(path), "--site", "shop.example.com", "--strict")
    assert result.returncode == 1
    assert result.stdout == ("customers: 4 rows read, 0 imported, 1 rejected "
                             "(--strict: nothing imported)\n")


@pytest.mark.parametrize("args, message", [
    (["--map", "customer_id=Client ID"], "bad mapping: the file has no column 'Client ID'"),
    (["--map", "customer_id"], "bad mapping 'customer_id': write FIELD=COLUMN"),
    (["--timezone", "Mars/Base"], "'Mars/Base' is not an IANA time zone"),
    (["--encoding", "nope"], "'nope' is not a known encoding"),
])
def test_fatal_problems_exit_2_and_import_nothing(chdb_url, tmp_path, args, message):
    run_vigie(chdb_url, "sites", "add", "shop.example.com")
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS)
    result = run_vigie(chdb_url, "import", "customers", str(path), "--site", "shop.example.com", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_bad_sites_files_and_dates_are_named(chdb_url, tmp_path):
    run_vigie(chdb_url, "sites", "add", "shop.example.com")
    missing = run_vigie(chdb_url, "import", "customers", str(tmp_path / "none.csv"), "--site",
                        "shop.example.com")
    assert missing.returncode == 2 and "cannot read" in missing.stderr and "none.csv" in missing.stderr
    unknown = run_vigie(chdb_url, "import", "web-revenue", "--site", "elsewhere.example.com")
    assert unknown.returncode == 2
    assert "no site 'elsewhere.example.com' is registered" in unknown.stderr
    since = run_vigie(chdb_url, "import", "web-revenue", "--site", "shop.example.com", "--since", "May")
    assert since.returncode == 2 and "--since 'May' is not a date" in since.stderr
    no_site = run_vigie(chdb_url, "import", "customers", "x.csv")
    assert no_site.returncode == 2 and "--site" in no_site.stderr


def test_web_revenue_copy_is_idempotent(server_store_url):
    run_vigie(server_store_url, "sites", "add", "shop.example.com")
    with open_store(server_store_url) as store:
        insert_events(store, [
            event("shop.example.com", "2024-03-01 10:00:00", "purchase", 1, customer_id="C-1",
                  revenue=30.0, currency="EUR"),
            event("shop.example.com", "2024-03-09 10:00:00", "purchase", 1, customer_id="C-1",
                  revenue=12.5, currency="EUR"),
        ])
    for _ in range(2):
        result = run_vigie(server_store_url, "import", "web-revenue", "--site", "shop.example.com")
        assert result.returncode == 0, result.stderr
        assert result.stdout == ("web revenue: 2 revenue events of identified clients copied "
                                 "into transactions\n")
    since = run_vigie(server_store_url, "import", "web-revenue", "--site", "shop.example.com",
                      "--since", "2024-03-05")
    assert since.stdout.startswith("web revenue: 1 revenue events")
    with open_store(server_store_url) as store:
        assert store.query("SELECT count(), sum(amount) FROM transactions FINAL") == [(2, 42.5)]


def test_a_big_file_shows_progress(chdb_url, tmp_path):
    run_vigie(chdb_url, "sites", "add", "shop.example.com")
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("customer_id,created_at,plan,notes\n")
        for i in range(20000):
            f.write(f"C-{i:06d},2024-01-15,pro,{'x' * 40}\n")
    result = run_vigie(chdb_url, "import", "customers", str(path), "--site", "shop.example.com")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "customers: 20,000 rows read, 20,000 imported, 0 rejected\n"
    assert "checking: 100%" in result.stderr and "importing: 100% (20,000/20,000 rows" in result.stderr


def test_help_names_the_options(chdb_url):
    result = run_vigie(chdb_url, "import", "transactions", "--help")
    assert result.returncode == 0
    for option in ("--map", "--date-format", "--timezone", "--delimiter", "--encoding", "--rejects",
                   "--strict", "--currency"):
        assert option in result.stdout
    listing = run_vigie(chdb_url, "import", "--help").stdout
    assert "customers" in listing and "transactions" in listing and "web-revenue" in listing


@pytest.fixture
def chdb_url(cli_store_url):
    return cli_store_url


@pytest.fixture
def server_store_url(server_url):
    return server_url


def test_the_example_files_import_cleanly_with_the_documented_commands(shop):
    """examples/*.csv with exactly the commands docs/churn-data.md gives."""
    examples = pathlib.Path(__file__).resolve().parents[2] / "examples"
    docs = (examples.parent / "docs" / "churn-data.md").read_text()
    expected = {"customers": "customers: 8 rows read, 8 imported, 0 rejected\n",
                "transactions": "transactions: 20 rows read, 20 imported, 0 rejected\n"}
    for kind, summary in expected.items():
        command = f"vigie import {kind} examples/{kind}.csv --site shop.example.com"
        assert command in docs
        result = run_vigie(shop, "import", kind, str(examples / f"{kind}.csv"), "--site", "shop.example.com")
        assert (result.returncode, result.stdout, result.stderr) == (0, summary, "")
    with open_store(shop) as store:
        statuses = dict(store.query("SELECT contract_status, count() FROM customers FINAL "
                                    "GROUP BY contract_status"))
        assert statuses == {"active": 6, "cancelled": 1, "ended": 1}
        kinds = dict(store.query("SELECT type, sum(amount) FROM transactions FINAL GROUP BY type"))
        assert kinds["refund"] == -44.9 and kinds["cancellation"] == 0
        assert set(kinds) == {"purchase", "renewal", "refund", "cancellation"}
