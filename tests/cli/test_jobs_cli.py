"""`vigie jobs` through the CLI's main(), and the jobs in the running server's scheduler."""
import datetime

import pytest

from tests.cli.inprocess import run_vigie_here as run_vigie
from tests.factories import event, insert_events
from vigie.scheduler import Scheduler
from warehouse import open_store
from warehouse.migrations import migrate
from warehouse.sites import add_site


@pytest.fixture
def chdb_url(cli_store_url):
    return cli_store_url


@pytest.mark.parametrize("args, message", [
    (["jobs", "run", "nope"], "unknown job 'nope'"),
    (["jobs", "run", "sessions", "--since", "March"], "'March' is not a date like 2026-03-01"),
    (["jobs", "run", "sessions", "--until", "2026-03-01"], "--until needs --since"),
    (["jobs", "run", "sessions", "--since", "2026-03-02", "--until", "2026-03-01"], "must be after --since"),
    (["jobs", "run", "sessions", "--since", "2026-03-01", "--site", "nope.test"], "unknown site 'nope.test'"),
])
def test_bad_job_arguments_are_named(chdb_url, args, message):
    result = run_vigie(chdb_url, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["jobs"], ["jobs", "list"], ["jobs", "run"], ["jobs", "status"]])
def test_every_jobs_command_has_help(command, capsys):
    from vigie.cli import main
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: vigie {' '.join(command)}")


def test_list_run_and_status(server_url):
    store = open_store(server_url)
    try:
        migrate(store)
        add_site(store, "shop.test", "UTC")
        insert_events(store, [event("shop.test", "2026-03-10 09:00:00", visitor=1),
                              event("shop.test", "2026-03-11 09:00:00", visitor=2)])
    finally:
        store.close()
    listed = run_vigie(server_url, "jobs", "list")
    assert listed.returncode == 0 and "sessions\tevery 300 s" in listed.stdout
    assert "reads events, goals; writes sessions" in listed.stdout

    ran = run_vigie(server_url, "jobs", "run", "sessions", "--since", "2026-03-10", "--until", "2026-03-12")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [
        "sessions shop.test 2026-03-10 00:00 -> 2026-03-11 00:00: 1 rows (1/2)",
        "sessions shop.test 2026-03-11 00:00 -> 2026-03-12 00:00: 1 rows (2/2)",
        "sessions shop.test: 2 rows"]
    rolled = run_vigie(server_url, "jobs", "run", "rollups", "--since", "2026-03-10", "--until", "2026-03-12",
                       "--site", "shop.test")
    assert rolled.returncode == 0, rolled.stderr

    status = run_vigie(server_url, "jobs", "status")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0].startswith("rollups\tshop.test\tok\t2026-03-11 00:00 -> 2026-03-12 00:00")
    assert lines[1].split("\t")[:5] == [
        "sessions", "shop.test", "ok", "2026-03-11 00:00 -> 2026-03-12 00:00", "1 rows"]
    assert "done up to 2026-03-12 00:00" in lines[1] and "0 failed run(s)" in lines[1]


def test_the_server_schedules_each_job_on_its_own(settings, store):
    from vigie.app import create_app
    app = create_app(settings, store=store, start_background=False)
    try:
        names = app.extensions["vigie"].scheduler.job_names
        assert "job:sessions" in names and "job:rollups" in names
    finally:
        app.extensions["vigie"].close()


def test_scheduled_jobs_fill_sessions(settings, store):
    from vigie.background_jobs import schedule_jobs
    add_site(store, "shop.test", "UTC")
    # an hour ago: the first run covers today (and yesterday at most), not a long backfill
    hour_ago = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(hours=1)
    insert_events(store, [event("shop.test", hour_ago)])
    scheduler = Scheduler()
    schedule_jobs(scheduler, store, settings)
    scheduler.run_pending(now=float("inf"))
    assert store.query_value("SELECT count() FROM sessions FINAL WHERE deleted = 0") == 1
