"""`vigie import access-log`: backfill a site from nginx/Apache access logs.

Lines go through the collector's pipeline exactly as live events do (the same
checks, enrichment, bot filter and visitor ids), dated by the log, and reach
ClickHouse in large batches through the collector's write buffer.
"""
import argparse
import contextlib
import datetime
import functools
import gzip
import io
import os
import sys
import time
from urllib.parse import urlsplit

from vigie.collector import Collector
from vigie.collector.access_log import FORMATS, import_lines
from vigie.collector.import_workers import ReadStopped, WorkerFailed, import_in_parallel
from vigie.cli_common import (CommandError, _command, _migrated_store, _settings, import_subparsers,
                              registered_site)
from vigie.warehouse import open_store
from vigie.warehouse.log_imports import file_digest, find_import, record_import
from vigie.warehouse.sites import SiteError, normalise_domain

IMPORT_BATCH_ROWS = 20_000  # rows per INSERT: large batches are what ClickHouse likes
# Flushes go by size during an import; the timer only catches a slow trickle (stdin).
IMPORT_FLUSH_SECONDS = 30.0
MAX_AUTO_JOBS = 4  # past a few processes the reader and ClickHouse become the limit
READ_ERRORS = (EOFError, OSError, gzip.BadGzipFile)


class Progress:
    """A one-line progress report on stderr, redrawn at most twice a second."""

    def __init__(self, stream, total_bytes=None, position=None):
        self.stream, self.total_bytes, self.position = stream, total_bytes, position
        self.started = self._last = time.monotonic()
        self.interactive = stream.isatty()

    def __call__(self, summary, final=False):
        now = time.monotonic()
        if not final and now - self._last < (0.5 if self.interactive else 10.0):
            return
        self._last = now
        rate = summary.lines / max(now - self.started, 1e-6)
        done = ""
        if self.total_bytes and self.position is not None:
            done = f"{min(100.0, 100.0 * self.position() / self.total_bytes):5.1f}% "
        line = (f"{done}{summary.lines:,} lines, {summary.accepted:,} pageviews, "
                f"{rate:,.0f} lines/s")
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _open_log(path):
    """(text lines, raw binary file or None, size or None); '-' is stdin; .gz is decompressed."""
    if path == "-":
        raw = sys.stdin.buffer
        size = None
    else:
        if not os.path.isfile(path):
            raise CommandError(f"{path}: no such file")
        try:
            raw = open(path, "rb")
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read: {exc.strerror}") from None
        size = os.fstat(raw.fileno()).st_size
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    binary = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw
    # Logs are ASCII in practice; undecodable bytes must not stop an import.
    text = io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline="")
    return text, (raw if path != "-" else None), size


def cmd_import_access_log(args):
    if args.format not in FORMATS:
        raise CommandError(f"unknown log format {args.format!r}; use one of {', '.join(FORMATS)}")
    settings = _settings(args)
    try:
        domain = normalise_domain(args.site)
    except SiteError as exc:
        raise CommandError(str(exc)) from None
    lines, raw, size = _open_log(args.file)
    try:
        store = _migrated_store(settings)
        try:
            _import(args, settings, store, domain, lines, raw, size)
        finally:
            store.close()
    finally:
        if raw is not None:
            raw.close()


def _import(args, settings, store, domain, lines, raw, size):
    registered_site(store, domain)
    jobs = _jobs(args, settings)
    digest = _refuse_a_second_import(store, domain, args) if raw is not None else None
    progress = Progress(sys.stderr, size, raw.tell if raw is not None else None)
    try:
        summary, unwritten = _run(args, settings, store, domain, lines, progress, jobs, digest)
    except ReadStopped as stopped:
        raise CommandError(f"{args.file}: reading stopped: {stopped}; the pageviews of the lines "
                           f"read before were imported ({stopped.unwritten} could not be "
                           "written)") from None
    except WorkerFailed as exc:
        raise CommandError(f"{exc}; the import stopped part way (the pageviews of the lines "
                           "handled before are stored) and is not recorded; see the log above"
                           ) from None
    progress(summary, final=True)
    _print_summary(summary, domain)
    if unwritten:
        raise CommandError(f"{unwritten} pageviews could not be written to the store; "
                           "see the log above")
    failed = sum(summary.skipped.get(r, 0) for r in ("store_unavailable", "internal_error"))
    if failed:
        raise CommandError(f"{failed} lines could not be processed (store unavailable or "
                           "internal error); see the log above")
    if digest is not None:
        # Only a complete import is recorded: a failed one may be run again.
        record_import(store, domain, digest, os.path.abspath(args.file), summary.lines,
                      summary.accepted)


def _jobs(args, settings):
    """How many processes parse the log: one per core for a server, one for chdb."""
    embedded = urlsplit(settings.store_url).scheme == "chdb"
    if args.jobs is None:
        return 1 if embedded else max(1, min(os.cpu_count() or 1, MAX_AUTO_JOBS))
    if args.jobs > 1 and embedded:
        raise CommandError("--jobs: the embedded store (chdb) is written by one process only; "
                           "use --jobs 1, or a ClickHouse server for a parallel import")
    return args.jobs


def _started_collector(store, settings, salt_lock=None):
    collector = Collector(store, settings.replace(buffer_max_rows=IMPORT_BATCH_ROWS,
                                                  buffer_max_seconds=IMPORT_FLUSH_SECONDS),
                          salt_lock=salt_lock)
    # The buffer's own thread writes each full batch while the next lines are
    # parsed: the import never stands still waiting for ClickHouse to take one.
    # No fsync every 50 ms: each batch is fsynced when sealed, and an import
    # cut short is reported as such (and not recorded), so it can be run again.
    collector.start(group_commit=False)
    return collector


@contextlib.contextmanager
def _worker_collector(settings, salt_lock):
    """A worker's collector on its own connection (a forked child must not share the parent's)."""
    store = open_store(settings.store_url)
    try:
        collector = _started_collector(store, settings, salt_lock)
        try:
            yield collector
        finally:
            collector.close()
    finally:
        store.close()


def _run(args, settings, store, domain, lines, progress, jobs, digest):
    """(summary, events left unwritten): the import, in this process or in `jobs` workers.

    Event ids come from the file's digest and line numbers (not for standard
    input): running the import again after an interruption stores each line once.
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    if jobs > 1:
        return import_in_parallel(functools.partial(_worker_collector, settings), domain, lines,
                                  args.format, jobs, progress=progress, now=now,
                                  read_errors=READ_ERRORS, file_key=digest)
    collector = _started_collector(store, settings)
    try:
        summary = import_lines(collector, domain, lines, args.format, progress=progress, now=now,
                               file_key=digest)
    except READ_ERRORS as exc:
        raise ReadStopped(exc, None, collector.close()) from None
    return summary, collector.close()


def _refuse_a_second_import(store, domain, args):
    """The file's digest; CommandError if it was imported into this site before (no --force)."""
    digest = file_digest(args.file)
    previous = find_import(store, domain, digest)
    if previous is not None and not args.force:
        raise CommandError(
            f"{args.file} was already imported into {domain} on {previous.imported_at:%Y-%m-%d %H:%M} "
            f"UTC ({previous.accepted:,} pageviews, as {previous.file_name}); importing it again "
            "would add nothing. Use --force to run it again anyway (lines already stored are "
            "skipped)")
    return digest


def _print_summary(summary, domain):
    skipped = sum(summary.skipped.values())
    print(f"{summary.lines:,} lines read: {summary.accepted:,} pageviews imported into "
          f"{domain}, {skipped:,} lines skipped")
    for reason, count in sorted(summary.skipped.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {reason}: {count:,}")


def _positive_jobs(text):
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if not 1 <= jobs <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes from 1 to 64")
    return jobs


def register(commands):
    imports = import_subparsers(commands)
    access = _command(imports, "access-log",
                      "backfill pageviews from an nginx/Apache access log")
    access.add_argument("file", metavar="FILE", help="the log file ('-' for standard input; "
                                                     ".gz files are decompressed)")
    access.add_argument("--site", required=True, metavar="DOMAIN",
                        help="the registered site the log belongs to")
    access.add_argument("--format", default="combined", metavar="FORMAT",
                        help=f"log format: {', '.join(FORMATS)} (default combined)")
    access.add_argument("--jobs", type=_positive_jobs, metavar="N",
                        help="processes parsing the log (default: one per CPU, up to "
                             f"{MAX_AUTO_JOBS}, for a ClickHouse server; 1 for chdb)")
    access.add_argument("--force", action="store_true",
                        help="run the import even if the file was imported into the site before "
                             "(lines already stored are skipped)")
    access.set_defaults(func=cmd_import_access_log)
