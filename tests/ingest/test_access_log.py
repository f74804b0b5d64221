"""Access-log import on both backends: a hand-written log, line by line accounted for."""
import datetime
import gzip
import io
import os

import pytest

from vigie.collector import Collector
from vigie.collector.access_log import SkippedLine, import_lines, is_page, parse_log_time
from vigie.collector.identity import visitor_id
from vigie.warehouse.salts import salt_for_day
from vigie.warehouse.sites import add_site

UTC = datetime.timezone.utc
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:118.0) Gecko/20100101 Firefox/118.0"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/124.0.0.0 Safari/537.36")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def line(ip, when, request, status, referrer="-", ua=FIREFOX):
    return f'{ip} - - [{when}] "{request}" {status} 512 "{referrer}" "{ua}"'


# 15 lines: 5 pageviews, 3 assets, 2 non-GET, 2 errors, 1 bot, 2 malformed.
COMBINED = "\n".join([
    line("203.0.113.1", "10/Mar/2024:09:00:00 +0200", "GET / HTTP/1.1", 200),
    line("203.0.113.1", "10/Mar/2024:09:01:30 +0200", "GET /pricing?utm_source=news HTTP/1.1",
         200, referrer="https://www.google.com/"),
    line("203.0.113.1", "10/Mar/2024:09:01:31 +0200", "GET /static/app.css?v=3 HTTP/1.1", 200),
    line("203.0.113.1", "10/Mar/2024:09:01:31 +0200", "GET /img/logo.PNG HTTP/1.1", 200),
    line("203.0.113.1", "10/Mar/2024:09:01:32 +0200", "GET /favicon.ico HTTP/1.1", 200),
    line("203.0.113.1", "10/Mar/2024:09:02:00 +0200", "POST /login HTTP/1.1", 302),
    line("203.0.113.2", "10/Mar/2024:09:03:00 +0200", "GET /missing HTTP/1.1", 404),
    line("203.0.113.2", "10/Mar/2024:09:03:10 +0200", "GET /boom HTTP/1.1", 500),
    line("66.249.66.1", "10/Mar/2024:09:04:00 +0200", "GET / HTTP/1.1", 200, ua=GOOGLEBOT),
    "this is not a log line",
    line("203.0.113.2", "10/Mar/2024:23:59:59 -0500", "GET /blog/post.html HTTP/2.0", 304,
         ua=CHROME),
    line("203.0.113.2", "11/Mar/2024:05:00:00 +0000", "HEAD / HTTP/1.1", 200, ua=CHROME),
    line("203.0.113.3", "11/Mar/2024:06:00:00 +0000", "GET /about HTTP/1.1", 301),
    "",
    line("203.0.113.4", "11/Mar/2024:07:00:00 +0000", "GET /docs/ HTTP/1.1", 200,
         ua='Mozilla/5.0 \\"quoted\\" Firefox/118.0'),
]) + "\n"
EXPECTED_SKIPPED = {"asset": 3, "not_get": 2, "error_status": 2, "bot_pattern": 1, "malformed": 2}


@pytest.fixture
def shop(store):
    add_site(store, "shop.test")
    return store


def stored(store):
    return store.query("SELECT ts, pathname, referrer_host, utm_source, visitor_id, browser "
                       "FROM events ORDER BY ts")


def test_a_hand_written_log_is_accounted_for_line_by_line(shop, settings):
    collector = Collector(shop, settings)
    summary = import_lines(collector, "shop.test", io.StringIO(COMBINED), "combined")
    assert collector.close() == 0
    assert (summary.lines, summary.accepted, summary.skipped) == (15, 5, EXPECTED_SKIPPED)
    rows = stored(shop)
    assert [(ts, path) for ts, path, *_ in rows] == [
        (datetime.datetime(2024, 3, 10, 7, 0, 0, tzinfo=UTC), "/"),
        (datetime.datetime(2024, 3, 10, 7, 1, 30, tzinfo=UTC), "/pricing"),
        (datetime.datetime(2024, 3, 11, 4, 59, 59, tzinfo=UTC), "/blog/post.html"),
        (datetime.datetime(2024, 3, 11, 6, 0, 0, tzinfo=UTC), "/about"),
        (datetime.datetime(2024, 3, 11, 7, 0, 0, tzinfo=UTC), "/docs/"),
    ]
    assert rows[1][2:4] == ("google.com", "news")
    salt = salt_for_day(shop, datetime.date(2024, 3, 10), create=False)
    assert rows[0][4] == rows[1][4] == visitor_id(salt, "shop.test", "203.0.113.1", FIREFOX)
    assert [r[5] for r in rows] == ["Firefox", "Firefox", "Chrome", "Firefox", "Firefox"]


def test_common_and_vhost_formats(shop, settings):
    common = ('203.0.113.9 - frank [10/Mar/2024:10:00:00 +0000] "GET /a HTTP/1.1" 200 10\n'
              '203.0.113.9 - - [10/Mar/2024:10:00:05 +0000] "GET /a.js HTTP/1.1" 200 10\n'
              '203.0.113.9 - - [10/Mar/2024:10:00:05 +0000] "GET /b HTTP/1.1" 200 10 "-" "x"\n')
    vhost = "\n".join([
        "www.shop.test:443 " + line("203.0.113.9", "10/Mar/2024:11:00:00 +0000", "GET /c HTTP/1.1", 200),
        "blog.shop.test:80 " + line("203.0.113.9", "10/Mar/2024:11:00:01 +0000", "GET /d HTTP/1.1", 200),
        "evil.example:443 " + line("203.0.113.9", "10/Mar/2024:11:00:02 +0000", "GET /e HTTP/1.1", 200),
        line("203.0.113.9", "10/Mar/2024:11:00:03 +0000", "GET /f HTTP/1.1", 200),
    ])
    collector = Collector(shop, settings)
    first = import_lines(collector, "shop.test", io.StringIO(common), "common")
    second = import_lines(collector, "shop.test", io.StringIO(vhost), "vhost_combined")
    collector.close()
    # A combined line is also a valid common line: the extra fields are ignored.
    assert (first.accepted, first.skipped) == (2, {"asset": 1})
    assert (second.accepted, second.skipped) == (2, {"foreign_hostname": 1, "malformed": 1})
    assert shop.query("SELECT hostname, pathname FROM events ORDER BY ts") == [
        ("shop.test", "/a"), ("shop.test", "/b"), ("www.shop.test", "/c"),
        ("blog.shop.test", "/d")]


def test_lines_dated_in_the_future_are_skipped(shop, settings):
    now = datetime.datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    log = "\n".join([line("203.0.113.9", "10/Mar/2024:12:04:00 +0000", "GET / HTTP/1.1", 200),
                     line("203.0.113.9", "10/Mar/2024:12:06:00 +0000", "GET / HTTP/1.1", 200)])
    collector = Collector(shop, settings)
    summary = import_lines(collector, "shop.test", io.StringIO(log), "combined", now=now)
    collector.close()
    assert (summary.accepted, summary.skipped) == (1, {"future_timestamp": 1})


def test_pages_and_log_times():
    assert [is_page(p) for p in ("/", "/blog/post", "/index.php", "/a.HTML", "/v1.2/", "/x.css",
                                 "/robots.txt", "/fonts/a.woff2", "/feed.xml?x=1.2")] == \
        [True, True, True, True, True, False, False, False, False]
    assert parse_log_time("01/Jan/2024:00:30:00 +0130") == datetime.datetime(2023, 12, 31, 23, 0,
                                                                              tzinfo=UTC)
    assert parse_log_time("01/Jan/2024:23:59:59 -0530") == datetime.datetime(2024, 1, 2, 5, 29, 59,
                                                                              tzinfo=UTC)
    for bad in ("32/Jan/2024:00:00:00 +0000", "01/Foo/2024:00:00:00 +0000",
                "01/Jan/2024:24:00:00 +0000", "01/Jan/2024:10:00:60 +0000",
                "01/Jan/0001:00:00:00 +0100", "2024-01-01T00:00:00Z"):
        with pytest.raises(SkippedLine) as skipped:
            parse_log_time(bad)
        assert skipped.value.reason == "malformed"


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(COMBINED)
    return path


def test_the_cli_prints_progress_and_a_summary(run_cli, shop, log_file):
    code, out, err = run_cli("import", "access-log", str(log_file), "--site", "shop.test")
    assert code == 0, err
    assert out.splitlines() == [
        "15 lines read: 5 pageviews imported into shop.test, 10 lines skipped",
        "  asset: 3", "  error_status: 2", "  malformed: 2", "  not_get: 2", "  bot_pattern: 1"]
    assert "15 lines, 5 pageviews" in err and "lines/s" in err
    assert shop.query_value("SELECT count() FROM events") == 5


def test_gzip_and_stdin(run_cli, shop, tmp_path, monkeypatch):
    gz = tmp_path / "access.log.gz"
    gz.write_bytes(gzip.compress(COMBINED.encode()))
    code, out, err = run_cli("import", "access-log", str(gz), "--site", "shop.test")
    assert code == 0, err
    assert out.startswith("15 lines read: 5 pageviews")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(
        gzip.compress(COMBINED.encode())))))
    code, out, err = run_cli("import", "access-log", "-", "--site", "shop.test")
    assert code == 0, err
    assert out.startswith("15 lines read: 5 pageviews")
    assert shop.query_value("SELECT count() FROM events") == 10


@pytest.mark.parametrize("args, message", [
    (["import", "access-log", "{missing}", "--site", "shop.test"], "no such file"),
    (["import", "access-log", "{log}", "--site", "nope.test"], "no site 'nope.test' is registered"),
    (["import", "access-log", "{log}", "--site", "shop.test", "--format", "json"],
     "unknown log format 'json'; use one of common, combined, vhost_combined"),
    (["import", "access-log", "{log}"], "the following arguments are required: --site"),
])
def test_bad_arguments_get_one_clear_line(run_cli, shop, log_file, tmp_path, args, message):
    args = [a.format(log=log_file, missing=tmp_path / "missing.log") for a in args]
    code, out, err = run_cli(*args)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert shop.query_value("SELECT count() FROM events") == 0


def test_the_same_file_is_not_imported_twice_without_force(run_cli, shop, log_file, tmp_path):
    assert run_cli("import", "access-log", str(log_file), "--site", "shop.test")[0] == 0
    copy = tmp_path / "renamed.log"
    copy.write_bytes(log_file.read_bytes())
    code, out, err = run_cli("import", "access-log", str(copy), "--site", "shop.test")
    assert code == 2 and out == ""
    assert f"{copy} was already imported into shop.test on " in err
    assert f"(5 pageviews, as {log_file}); importing it again would add nothing" in err
    assert shop.query_value("SELECT count() FROM events") == 5
    code, out, err = run_cli("import", "access-log", str(copy), "--site", "shop.test", "--force")
    assert code == 0, err
    assert shop.query_value("SELECT count() FROM events") == 5  # each line is stored once
    # Another site may import the same file.
    add_site(shop, "blog.test")
    code, out, _ = run_cli("import", "access-log", str(log_file), "--site", "blog.test")
    # The combined format has no host: every page is taken to be on --site.
    assert code == 0 and "5 pageviews imported into blog.test" in out


def test_a_truncated_gzip_file_stops_with_one_clear_line(run_cli, shop, tmp_path):
    gz = tmp_path / "cut.log.gz"
    gz.write_bytes(gzip.compress((COMBINED * 200).encode())[:-40])
    code, out, err = run_cli("import", "access-log", str(gz), "--site", "shop.test")
    assert code == 2
    [message] = err.strip().splitlines()[-1:]
    assert message.startswith(f"vigie: {gz}: reading stopped: ") and "Traceback" not in err
    assert shop.query_value("SELECT count() FROM access_log_imports") == 0


def test_an_import_run_again_after_a_kill_stores_each_line_once(run_cli, shop, settings, tmp_path,
                                                                monkeypatch):
    """Killed with batches stored and more still spooled; the re-run finishes the job."""
    from vigie.collector.spool import spool_directory
    from tests.collector.test_spool import crash
    from vigie.warehouse.log_imports import file_digest
    pages = [line(f"198.51.100.{n % 50}", f"10/Mar/2024:10:{n // 60:02d}:{n % 60:02d} +0000",
                  f"GET /p{n} HTTP/1.1", 200) for n in range(200)]
    log_file = tmp_path / "big.log"
    log_file.write_text("\n".join(pages) + "\n")
    first = Collector(shop, settings.replace(buffer_max_rows=50, buffer_max_seconds=3600))
    done = import_lines(first, "shop.test", io.StringIO("\n".join(pages[:120]) + "\n"),
                        "combined", file_key=file_digest(str(log_file)))
    assert done.accepted == 120 and shop.query_value("SELECT count() FROM events") == 100
    crash(first)  # kill -9: 20 pageviews wait in its spool segment
    monkeypatch.setenv("VIGIE_SPOOL_DIR", settings.spool_dir)
    code, out, err = run_cli("import", "access-log", str(log_file), "--site", "shop.test")
    assert code == 0, err
    assert "200 pageviews imported" in out
    assert shop.query("SELECT count(), uniqExact(pathname), uniqExact(event_id) FROM events") == \
        [(200, 200, 200)]
    assert not [n for n in os.listdir(spool_directory(settings.spool_dir, settings.store_url))
                if n.endswith(".seg")]
