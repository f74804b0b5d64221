"""`vigie import customers|transactions|web-revenue`: client data for churn.

Exit status: 0 when every row was imported, 1 when some rows were rejected
(the valid ones are imported unless --strict), 2 when the file or the
arguments are unusable (nothing imported).
"""
import datetime
import os
import sys
import time
from zoneinfo import ZoneInfo

from vigie.alerts.client_data.csv_import import CsvOptions, import_csv
from vigie.alerts.client_data.csv_layout import ImportFailed
from vigie.alerts.client_data.kinds import CUSTOMERS, TRANSACTIONS
from vigie.alerts.client_data.web_revenue import copy_web_revenue
from vigie.cli_common import (CommandError, _command, _migrated_store, _settings, import_subparsers,
                              registered_site)

# Rejections printed on the terminal; the --rejects file has them all.
SHOWN_REJECTIONS = 50
# Smaller files import in a blink: a progress line would only be noise.
PROGRESS_MIN_BYTES = 1024 * 1024


class Progress:
    """Percent done on stderr: rewritten in place on a terminal, every tenth in a log."""

    def __init__(self, out=None):
        self.out = out = out or sys.stderr  # the stderr of the moment, not of the import
        self.live = hasattr(out, "isatty") and out.isatty()
        self.last = {}
        self.started = time.monotonic()

    def __call__(self, stage, done, total):
        percent = done * 100 // max(total, 1)
        step = 1 if self.live else 10
        if stage in self.last and percent // step == self.last[stage] // step and done != total:
            return
        self.last[stage] = percent
        unit = "bytes" if stage == "checking" else "rows"
        line = f"{stage}: {percent:3d}% ({done:,}/{total:,} {unit}, {time.monotonic() - self.started:.0f} s)"
        end = "" if self.live and done != total else "\n"
        print(("\r" if self.live else "") + line, end=end, file=self.out, flush=True)


def _delimiter(text):
    return "\t" if text in ("tab", "\\t") else text


def _print_rejections(report, rejects_path):
    for r in report.rejected[:SHOWN_REJECTIONS]:
        where = f"line {r.line}" + (f", {r.field}" if r.field else "")
        print(f"rejected {where}: {r.reason}", file=sys.stderr)
    hidden = report.rejections - min(len(report.rejected), SHOWN_REJECTIONS)
    if hidden > 0:
        print(f"... and {hidden:,} more" + ("" if rejects_path else " (write them all with --rejects FILE)"),
              file=sys.stderr)


def cmd_import_file(args, kind):
    options = CsvOptions(mapping=tuple(args.map or ()), delimiter=_delimiter(args.delimiter),
                         encoding=args.encoding, date_format=args.date_format,
                         timezone=args.timezone, currency=getattr(args, "currency", "") or "",
                         strict=args.strict)
    store = _migrated_store(_settings(args))
    try:
        site = registered_site(store, args.site)
        progress = None
        try:
            if os.path.getsize(args.file) >= PROGRESS_MIN_BYTES:
                progress = Progress()
        except OSError:
            pass  # import_csv names the unreadable file
        try:
            report = import_csv(store, site, args.file, kind, options, progress, args.rejects)
        except ImportFailed as exc:
            for problem in exc.problems:
                print(f"line {problem.line}, {problem.field or 'file'}: {problem.reason}",
                      file=sys.stderr)
            raise CommandError(f"{exc}; nothing was imported") from None
    finally:
        store.close()
    _print_rejections(report, args.rejects)
    if args.rejects and report.rejected:
        print(f"rejected rows written to {args.rejects}", file=sys.stderr)
    if report.ignored_columns:
        print(f"columns ignored: {', '.join(report.ignored_columns)}", file=sys.stderr)
    print(f"{kind.name}: {report.rows:,} rows read, {report.imported:,} imported, "
          f"{report.rejected_rows:,} rejected" +
          (" (--strict: nothing imported)" if args.strict and report.rejected_rows else ""))
    if report.rejected_rows:
        sys.exit(1)


def cmd_import_web_revenue(args):
    store = _migrated_store(_settings(args))
    try:
        site = registered_site(store, args.site)
        since = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        if args.since:
            try:
                since = datetime.datetime.fromisoformat(args.since)
            except ValueError:
                raise CommandError(f"--since {args.since!r} is not a date (e.g. 2024-03-01)") from None
            if since.tzinfo is None:
                since = since.replace(tzinfo=ZoneInfo(site.timezone))
        count = copy_web_revenue(store, site.domain, since)
    finally:
        store.close()
    print(f"web revenue: {count:,} revenue events of identified clients copied into transactions")


def _file_options(parser, kind):
    parser.add_argument("file", metavar="FILE.csv", help=f"the {kind.name} CSV file, header row first")
    parser.add_argument("--site", required=True, metavar="DOMAIN", help="the registered site the data belongs to")
    parser.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                        help=f"read FIELD from another column, e.g. 'customer_id=Client ID' "
                             f"(repeatable; fields: {', '.join(kind.fields)})")
    parser.add_argument("--date-format", metavar="FORMAT",
                        help="strptime format of the dates, e.g. '%%d/%%m/%%Y' (default: ISO 8601)")
    parser.add_argument("--timezone", metavar="ZONE",
                        help="IANA zone of dates written without an offset (default: the site's)")
    parser.add_argument("--delimiter", default=",", metavar="CHAR",
                        help="field separator: one character, or 'tab' (default ',')")
    parser.add_argument("--encoding", default="utf-8-sig",
                        help="the file's text encoding, e.g. latin-1 or cp1252 (default UTF-8)")
    parser.add_argument("--rejects", metavar="FILE",
                        help="also write the rejected rows (line, field, reason, value) to this CSV")
    parser.add_argument("--strict", action="store_true",
                        help="import nothing if any row is rejected")


def register(commands):
    kinds = import_subparsers(commands)
    customers = _command(kinds, "customers", "import clients from a CSV file (see docs/churn-data.md)")
    _file_options(customers, CUSTOMERS)
    customers.set_defaults(func=lambda args: cmd_import_file(args, CUSTOMERS))

    transactions = _command(kinds, "transactions",
                            "import purchases, renewals, refunds and cancellations from a CSV file")
    _file_options(transactions, TRANSACTIONS)
    transactions.add_argument("--currency", metavar="CODE",
                              help="currency of rows without one, e.g. EUR (then the column is optional)")
    transactions.set_defaults(func=lambda args: cmd_import_file(args, TRANSACTIONS))

    web = _command(kinds, "web-revenue",
                   "copy revenue events of identified clients into transactions (idempotent)")
    web.add_argument("--site", required=True, metavar="DOMAIN", help="the registered site")
    web.add_argument("--since", metavar="DATE",
                     help="only events at or after this date, e.g. 2024-03-01 (default: all)")
    web.set_defaults(func=cmd_import_web_revenue)
