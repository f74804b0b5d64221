"""Importing customers and transactions from CSV files.

The file is read twice. The first pass checks everything: the header, the
mapping, and every row (the rejects report). Only when that pass reaches the
end of the file without a fatal problem does the second pass write the valid
rows, in batches, all with one version. So an unreadable file, a bad mapping
or an undecodable byte on the last line imports nothing, and a row is either
written whole or reported, never half-written. Re-reading instead of keeping
the rows in memory lets files of millions of rows through in bounded memory.
"""
import codecs
import csv
import datetime
import logging
import os
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vigie.alerts.client_data.csv_layout import ImportFailed, Rejection, parse_mapping, plan_layout
from vigie.alerts.client_data.fields import UTC, FieldError, Parsing, parse_currency
from vigie.alerts.client_data.writes import ORIGIN_CSV, new_version

log = logging.getLogger(__name__)

BATCH_ROWS = 5000
# Rejections kept in the report (for printing); a rejects file gets them all.
KEPT_REJECTIONS = 1000


@dataclass(frozen=True)
class CsvOptions:
    """How to read one file. mapping: ['field=Column', ...] as given to --map.

    timezone: IANA name for timestamps without an offset (None: the site's).
    date_format: strptime format (None: ISO 8601).
    strict: import nothing when any row is rejected.
    """
    mapping: tuple = ()
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    date_format: str = None
    timezone: str = None
    currency: str = ""
    strict: bool = False
    batch_rows: int = BATCH_ROWS


@dataclass
class ImportReport:
    kind: str
    rows: int = 0              # data rows read (the header excluded)
    imported: int = 0          # rows written
    rejected: list = field(default_factory=list)  # the first Rejection(line, field, reason, value)s
    rejected_rows: int = 0
    rejections: int = 0        # all rejections (a row may have several)
    ignored_columns: tuple = ()


def _parsing(options, site):
    try:
        zone = ZoneInfo(options.timezone or site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFailed(f"{options.timezone!r} is not an IANA time zone (e.g. Europe/Paris)") from None
    if options.date_format is not None:
        if "%" not in options.date_format:
            raise ImportFailed(f"date format {options.date_format!r} has no % directive "
                               "(e.g. %d/%m/%Y or '%d/%m/%Y %H:%M')")
        try:
            datetime.datetime.now().strftime(options.date_format)
        except ValueError as exc:
            raise ImportFailed(f"date format {options.date_format!r} is not valid: {exc}") from None
    try:
        currency = parse_currency(options.currency, Parsing(), required=False)
    except FieldError as exc:
        raise ImportFailed(f"--currency: {exc}") from None
    return Parsing(zone, options.date_format, currency, datetime.datetime.now(UTC))


def _check_reading_options(options):
    if len(options.delimiter) != 1 or options.delimiter in "\r\n\"":
        raise ImportFailed(f"delimiter {options.delimiter!r} must be one character "
                           "(e.g. ',' ';' or a tab), not a quote or a line break")
    try:
        codec = codecs.lookup(options.encoding)
    except LookupError:
        raise ImportFailed(f"{options.encoding!r} is not a known encoding (e.g. utf-8, latin-1, cp1252)") from None
    if codec.name.startswith(("utf-16", "utf-32")):
        # Lines are split on the byte \n, which these encodings do not use alone.
        raise ImportFailed(f"{options.encoding} files are not supported: save the file as UTF-8")


class _Reader:
    """Numbered CSV rows of a file, with fatal errors that name the line.

    Lines are decoded one at a time (not in the large chunks a text file
    wrapper reads) so an undecodable byte is reported on its own line.
    """

    def __init__(self, path, options):
        self.path, self.options = path, options
        try:
            self.raw = open(path, "rb")
        except OSError as exc:
            raise ImportFailed(f"cannot read {path}: {exc.strerror or exc}") from None
        self.size = os.fstat(self.raw.fileno()).st_size
        self.physical_line = 0
        # strict: broken quoting is an error, not a field that silently swallows
        # the rest of the file (an unclosed quote on the last line included).
        self.reader = csv.reader(self._lines(), delimiter=options.delimiter, strict=True)

    def _lines(self):
        decoder = codecs.getincrementaldecoder(self.options.encoding)()
        for raw_line in self.raw:
            self.physical_line += 1
            try:
                yield decoder.decode(raw_line)
            except UnicodeDecodeError as exc:
                reason = f"not valid {self.options.encoding} ({exc.reason})"
                raise ImportFailed(f"{self.path}: line {self.physical_line} is {reason}; give the "
                                   "file's encoding with --encoding",
                                   [Rejection(self.physical_line, "", reason, "")]) from None

    def position(self):
        return self.raw.tell()

    def __iter__(self):
        """(line, cells): the line a row starts on (a quoted field may span lines)."""
        while True:
            line = self.reader.line_num + 1
            try:
                cells = next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                reason = ("a quoted field opened here is never closed" if "end of data" in str(exc)
                          else str(exc))
                raise ImportFailed(f"{self.path}: line {line} is not valid CSV ({reason}); "
                                   "nothing was imported",
                                   [Rejection(line, "", f"not valid CSV: {reason}", "")]) from None
            yield line, cells

    def close(self):
        self.raw.close()


def _rows(path, options, kind, parsing, on_header, progress=None):
    """(line, record or None, rejections) for every data row; ImportFailed if the file is unusable."""
    reader = _Reader(path, options)
    try:
        rows = iter(reader)
        first = next(rows, None)
        if first is None:
            raise ImportFailed(f"{path} is empty: expected a header row first")
        required = kind.required + (("currency",) if kind.name == "transactions"
                                    and not parsing.default_currency else ())
        layout = plan_layout(first[1], kind, parse_mapping(options.mapping), required)
        on_header(layout)
        session = kind.session(parsing)
        width = len(layout.header)
        for count, (line, cells) in enumerate(rows, 1):
            if progress and count % 1000 == 0:
                progress(reader.position(), reader.size)
            if len(cells) != width:
                yield line, None, [Rejection(line, "row", f"row has {len(cells)} fields, "
                                                          f"the header has {width}", "")]
                continue
            values = {name: cells[index] for name, index in layout.field_columns.items()}
            attributes = [(name, cells[index]) for index, name in layout.attribute_columns]
            record, problems = session.validate(values, attributes, f"line {line}")
            if not problems:
                yield line, record, []
                continue
            cell_of = dict(values, **dict(attributes))
            yield line, None, [Rejection(line, p.field, p.reason, cell_of.get(p.field, ""))
                               for p in problems]
        if progress:
            progress(reader.size, reader.size)
    finally:
        reader.close()


def import_csv(store, site, path, kind, options=CsvOptions(), progress=None, rejects_path=None):
    """Check then import one file for `site` (a warehouse.sites.Site); returns an ImportReport.

    Raises ImportFailed (nothing written) for a file-level problem.
    progress(stage, done, total): stage 'checking' counts bytes, 'importing' rows.
    rejects_path: a CSV file receiving every rejection (line, field, reason,
    value) as it is found; the report itself keeps the first KEPT_REJECTIONS.
    """
    _check_reading_options(options)
    parsing = _parsing(options, site)
    report = ImportReport(kind.name)
    before = _stamp(path)
    with _RejectsFile(rejects_path) as rejects:
        try:
            _check(path, options, kind, parsing, report, rejects, progress)
        except ImportFailed as exc:
            rejects.write(exc.problems)
            raise
    valid = report.rows - report.rejected_rows
    if (options.strict and report.rejected_rows) or not valid:
        return report
    if _stamp(path) != before:
        raise ImportFailed(f"{path} changed while it was being checked; nothing was imported")
    version, batch = new_version(), []
    for line, record, rejections in _rows(path, options, kind, parsing, lambda layout: None):
        if record is None:
            continue
        batch.append(record)
        if len(batch) >= options.batch_rows:
            report.imported += _flush(store, site, kind, batch, version, report, progress, valid)
    report.imported += _flush(store, site, kind, batch, version, report, progress, valid)
    log.info("imported %d %s for %s from %s (%d rows rejected)", report.imported, kind.name,
             site.domain, path, report.rejected_rows)
    return report


def _check(path, options, kind, parsing, report, rejects, progress):
    """The first pass: count rows and report rejections; writes nothing to the store."""
    def remember_header(layout):
        if not kind.keeps_attributes:
            used = set(layout.field_columns.values())
            report.ignored_columns = tuple(n for i, n in enumerate(layout.header) if i not in used)

    check_progress = progress and (lambda done, total: progress("checking", done, total))
    for line, record, rejections in _rows(path, options, kind, parsing, remember_header,
                                          check_progress):
        report.rows += 1
        if rejections:
            report.rejected_rows += 1
            report.rejections += len(rejections)
            rejects.write(rejections)
            report.rejected.extend(rejections[:max(KEPT_REJECTIONS - len(report.rejected), 0)])


class _RejectsFile:
    """Rejections streamed to a CSV file (or nowhere), so memory stays flat."""

    def __init__(self, path):
        self.path, self.file, self.out = path, None, None

    def __enter__(self):
        if self.path:
            try:
                self.file = open(self.path, "w", newline="", encoding="utf-8")
            except OSError as exc:
                raise ImportFailed(f"cannot write the rejects file {self.path}: "
                                   f"{exc.strerror or exc}") from None
            self.out = csv.writer(self.file)
            self.out.writerow(["line", "field", "reason", "value"])
        return self

    def write(self, rejections):
        if self.out:
            self.out.writerows(rejections)

    def __exit__(self, *exc):
        if self.file:
            self.file.close()


def _stamp(path):
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise ImportFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    return stat.st_size, stat.st_mtime_ns


def _flush(store, site, kind, batch, version, report, progress, total):
    if not batch:
        return 0
    written = kind.session.write(store, site.domain, batch, ORIGIN_CSV, version)
    batch.clear()
    if progress:
        progress("importing", report.imported + written, total)
    return written
