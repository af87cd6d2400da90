"""What an import did: counters, rejected and adjusted rows, the CSV report file, the progress bar."""

from __future__ import annotations

import csv
import datetime as dt
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from dashboard.exports import csv_text
from dashboard.importers.errors import ADJUSTED, REJECTED, RowIssue

# Exit codes of `tissu import …` (documented in docs/real-data.md).
EXIT_OK = 0  # every row in scope was accepted
EXIT_REJECTED_ROWS = 1  # imported, but some rows were rejected (see the report)
EXIT_NOTHING_IMPORTED = 2  # bad file or arguments: the database is unchanged

REPORT_COLUMNS = ("file", "line", "siret", "action", "reason", "detail")


@dataclass
class ImportReport:
    """Counters and row issues of one import; `counts` keys are plain English labels."""

    kind: str
    counts: dict[str, int] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)

    def reject(self, file: str, line: int, siret: str, reason: str, detail: str) -> None:
        self.issues.append(RowIssue(file, line, siret, REJECTED, reason, detail))

    def adjust(self, file: str, line: int, siret: str, reason: str, detail: str) -> None:
        self.issues.append(RowIssue(file, line, siret, ADJUSTED, reason, detail))

    def count(self, label: str, n: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + n

    @property
    def rejected(self) -> list[RowIssue]:
        return [i for i in self.issues if i.action == REJECTED]

    @property
    def adjusted(self) -> list[RowIssue]:
        return [i for i in self.issues if i.action == ADJUSTED]

    def reasons(self, action: str) -> Counter:
        return Counter(i.reason for i in self.issues if i.action == action)

    @property
    def exit_code(self) -> int:
        return EXIT_REJECTED_ROWS if self.rejected else EXIT_OK

    def summary_lines(self) -> list[str]:
        """The on-screen summary: counters, then rejections and adjustments by reason."""
        width = max([len(k) for k in self.counts] + [len("rejected rows"), len("adjusted rows")]) + 2
        lines = [f"  {label:<{width}}{n:>12,}" for label, n in self.counts.items()]
        for action, title in ((REJECTED, "rejected rows"), (ADJUSTED, "adjusted rows")):
            reasons = self.reasons(action)
            rows = len({(i.file, i.line) for i in self.issues if i.action == action})
            lines.append(f"  {title:<{width}}{rows:>12,}")
            lines += [f"    {reason:<{width - 2}}{n:>12,}" for reason, n in sorted(reasons.items())]
        return lines

    def write_csv(self, path: Path) -> Path:
        """Write every issue (file, line, siret, action, reason, detail) as UTF-8 CSV; returns the path.

        The file is opened in a spreadsheet, and `detail` quotes the rejected values as the source file had
        them: text a spreadsheet would run as a formula gets a leading `'` (`dashboard.exports.csv_text`).
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(REPORT_COLUMNS)
            for issue in sorted(self.issues, key=lambda i: (i.file, i.line, i.action, i.reason)):
                writer.writerow([csv_text(str(issue.file)), issue.line, csv_text(str(issue.siret)), issue.action,
                                 csv_text(str(issue.reason)), csv_text(str(issue.detail))])
        return path


@dataclass
class ImportOutcome:
    """What `tissu import …` reports: the row issues, the dataset written, the report file."""

    report: ImportReport
    dataset: object | None = None  # repository.DatasetInfo of the dataset written
    report_file: Path | None = None

    @property
    def exit_code(self) -> int:
        return self.report.exit_code


def outcome_with_issues_file(report: ImportReport, report_dir: Path | str | None, kind: str) -> ImportOutcome:
    """The outcome of an import whose row issues, if any, are written to a new CSV in `report_dir` (when given)."""
    outcome = ImportOutcome(report=report)
    if report.issues and report_dir is not None:
        outcome.report_file = report.write_csv(report_path(Path(report_dir), kind))
    return outcome


def report_path(directory: Path, kind: str, *, now: dt.datetime | None = None) -> Path:
    """A new file name `import-<kind>-<YYYYMMDD-HHMMSS>.csv` in `directory` (never overwrites)."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    path = directory / f"import-{kind}-{stamp}.csv"
    n = 1
    while path.exists():
        n += 1
        path = directory / f"import-{kind}-{stamp}-{n}.csv"
    return path


class Progress:
    """A progress bar on stderr: bar (when the size is known), rows read, rows kept, rows per second.

    On a terminal the line is redrawn in place; otherwise (logs, CI) a plain line is printed every
    `log_every` seconds. `enabled=False` prints nothing.
    """

    def __init__(self, label: str, *, stream: TextIO | None = None, enabled: bool = True,
                 interval: float = 0.25, log_every: float = 15.0):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.interval = interval if self.tty else log_every
        self.started = time.perf_counter()
        self._last = self.started
        self.rows_read = 0
        self.rows_kept = 0
        self.fraction: float | None = None

    def update(self, *, rows_read: int, rows_kept: int, fraction: float | None = None, force: bool = False) -> None:
        self.rows_read, self.rows_kept, self.fraction = rows_read, rows_kept, fraction
        now = time.perf_counter()
        if self.enabled and (force or now - self._last >= self.interval):
            self._last = now
            self._draw(end="" if self.tty else "\n")

    def line(self) -> str:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = self.rows_read / elapsed
        bar = ""
        if self.fraction is not None:
            done = int(20 * min(max(self.fraction, 0.0), 1.0))
            bar = f"[{'#' * done}{'.' * (20 - done)}] {100 * min(self.fraction, 1.0):3.0f}%  "
        return (f"{self.label}  {bar}{self.rows_read:,} rows read  {self.rows_kept:,} kept  "
                f"{rate / 1e6:.2f} M rows/s  {elapsed:.0f} s")

    def _draw(self, end: str) -> None:
        text = self.line()
        self.stream.write(("\r" + text + "\x1b[K") if self.tty else text)
        self.stream.write(end)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            if self.fraction is not None:
                self.fraction = 1.0
            self._draw(end="\n")
