"""Importing customers, vehicles and bookings from CSV files a company already keeps.

A file's kind is read from its header row, and files are imported in dependency order whatever
order they are given in. Every row is written in its own savepoint: a bad row is rejected with
its file, line and reason, kept in `import_rejections`, and never takes the file's good rows
with it. Importing the same file again changes nothing and queues no syncs.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ez_pipelines.canonical.changes import Change
from ez_pipelines.canonical.customers import InvalidRecord
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.importer_rows import FORMATS, FileFormat, RowContext
from ez_pipelines.canonical.models import ImportRejection
from ez_pipelines.canonical.money import InvalidAmount

log = logging.getLogger(__name__)

# Rows per write transaction; each row still gets its own savepoint inside it.
BATCH_ROWS = 500
_ROW_FAILURES = (InvalidRecord, InvalidAmount, IntegrityError, DataError)


class ImportRefused(ValueError):
    """The import cannot start (an unknown header, a file that is not text); nothing was written."""


@dataclass(frozen=True)
class Rejection:
    file_name: str
    line: int
    record_id: str | None
    reason: str

    def __str__(self) -> str:
        return f"{self.file_name} line {self.line} ({self.record_id or 'no id'}): {self.reason}"


@dataclass
class FileReport:
    file_name: str
    kind: str
    counts: Counter[Change] = field(default_factory=Counter)
    rejections: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        counts = ", ".join(f"{self.counts[c]} {c.value}" for c in Change)
        return f"{self.file_name} ({self.kind}): {counts}, {len(self.rejections)} rejected"


@dataclass(frozen=True)
class ImportReport:
    files: tuple[FileReport, ...]

    @property
    def rejections(self) -> tuple[Rejection, ...]:
        return tuple(r for f in self.files for r in f.rejections)


@dataclass(frozen=True)
class _SourceFile:
    path: Path
    format: FileFormat
    columns: tuple[str, ...]
    rows: list[tuple[int, list[str]]]


def import_files(
    db: Database,
    paths: Iterable[str | Path],
    *,
    now: datetime,
    default_region: str,
    timezone: str = "Asia/Dubai",
) -> ImportReport:
    """Import every file in `paths`; raise ImportRefused before writing if any cannot be read.

    `default_region` reads phone numbers written without a country code; `timezone` reads
    instants written without an offset.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportRefused(f"timezone {timezone!r} is not an IANA zone name") from None
    order = {f.kind: position for position, f in enumerate(FORMATS)}
    sources = sorted((_read(Path(p)) for p in paths), key=lambda s: order[s.format.kind])
    ctx = RowContext(now=now, default_region=default_region, zone=zone)
    return ImportReport(tuple(_import(db, source, ctx) for source in sources))


def expected_headers() -> str:
    return "\n".join(f"  {f.kind}: {','.join(f.columns)}" for f in FORMATS)


def _read(path: Path) -> _SourceFile:
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ImportRefused(f"{path.name} is not UTF-8 text (byte {err.start})") from None
    except OSError as err:
        raise ImportRefused(f"{path} cannot be read: {err.strerror}") from None
    reader = csv.reader(io.StringIO(content, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        last_line = reader.line_num
        for values in reader:
            # A quoted field may span lines; a row is reported at the line where it starts.
            line, last_line = last_line + 1, reader.line_num
            if any(v.strip() for v in values):
                rows.append((line, values))
    except csv.Error as err:
        raise ImportRefused(f"{path.name} line {reader.line_num} is not valid CSV: {err}") from None
    if header is None:
        raise ImportRefused(
            f"{path.name} is empty; expected a header row, one of:\n" + expected_headers()
        )
    columns = tuple(name.strip().lower() for name in header)
    matches = [f for f in FORMATS if sorted(f.columns) == sorted(columns)]
    if not matches:
        raise ImportRefused(
            f"{path.name} has the header {','.join(columns)!r}, which is none of ours. "
            "Expected one of:\n" + expected_headers()
        )
    return _SourceFile(path, matches[0], columns, rows)


def _import(db: Database, source: _SourceFile, ctx: RowContext) -> FileReport:
    report = FileReport(source.path.name, source.format.kind)
    for start in range(0, len(source.rows), BATCH_ROWS):
        with db.write() as session:
            for line, values in source.rows[start : start + BATCH_ROWS]:
                _import_row(session, source, line, values, ctx, report)
    log.info(
        "imported %s: %d created, %d updated, %d unchanged, %d rejected",
        report.file_name,
        report.counts[Change.CREATED],
        report.counts[Change.UPDATED],
        report.counts[Change.UNCHANGED],
        len(report.rejections),
    )
    return report


def _import_row(
    session: Session,
    source: _SourceFile,
    line: int,
    values: list[str],
    ctx: RowContext,
    report: FileReport,
) -> None:
    row = dict(zip(source.columns, (v.strip() for v in values), strict=False))
    record_id = row.get(source.format.id_column) or None
    try:
        if len(values) != len(source.columns):
            raise InvalidRecord(f"has {len(values)} fields, the header has {len(source.columns)}")
        if any("\x00" in v for v in values):
            # PostgreSQL cannot store a NUL in text; it is never part of a real value anyway.
            raise InvalidRecord("contains a NUL character")
        with session.begin_nested():
            change = source.format.write(session, row, ctx)
            # Flushed inside the savepoint, so a constraint the store enforces rolls back this
            # row alone.
            session.flush()
    except OperationalError:
        # The store itself failed (gone, locked): nothing about this row, so stop the import.
        raise
    except Exception as err:
        if not isinstance(err, _ROW_FAILURES):
            log.exception("unexpected error importing %s line %d", report.file_name, line)
        rejection = Rejection(report.file_name, line, record_id, _reason(err, record_id))
        report.rejections.append(rejection)
        session.add(
            ImportRejection(
                file_name=rejection.file_name[:255],
                row_number=line,
                record_id=record_id[:64] if record_id else None,
                reason=rejection.reason,
                rejected_at=ctx.now,
            )
        )
        log.warning("rejected %s line %d (%s)", report.file_name, line, record_id)
        return
    report.counts[change] += 1


def _reason(err: Exception, record_id: str | None) -> str:
    if isinstance(err, IntegrityError | DataError):
        return f"the store refused the row: {str(err.orig).strip().splitlines()[0]}"
    if not isinstance(err, _ROW_FAILURES):
        return f"could not be read ({type(err).__name__}: {str(err)[:200]})"
    reason = str(err)
    if record_id:
        # Canonical messages start by naming the record, which the rejection names already.
        reason = re.sub(rf"^\w+ {re.escape(record_id)}: ", "", reason)
    return reason
