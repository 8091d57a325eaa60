"""The attendance matrix and the outcomes of a cohort as tables, CSV and XLSX.

The tables are built from :func:`copkit.attendance.selectors.cohort_matrix`, so they show the
same numbers as the pages. Cells that start like a formula are prefixed with ``'`` so that a
spreadsheet never runs them.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from copkit.academy.models import Cohort
from copkit.attendance.selectors import cohort_matrix

__all__ = [
    "OUTCOME_COLUMNS",
    "Table",
    "matrix_table",
    "outcomes_table",
    "table_csv",
    "tables_xlsx",
]

Table = tuple[list[str], list[list[str | int]]]

OUTCOME_COLUMNS = [
    "learner",
    "name",
    "track",
    "enrollment_status",
    "sessions_planned",
    "sessions_attended",
    "absences",
    "absences_left",
    "unmarked",
    "graduation_event",
    "eligible",
    "standing",
    "outcome",
    "basis",
    "waiver_reason",
    "reasons",
]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def matrix_table(*, cohort: Cohort, now: datetime | None = None) -> Table:
    """One row per learner, one column per planned session (and the graduation event)."""
    sessions, event, rows = cohort_matrix(cohort=cohort, now=now)
    header = ["learner", "name", *[f"session {s.number}" for s in sessions]]
    if event is not None:
        header.append("graduation event")
    header += ["attended", "absences", "absences_left", "standing"]
    body: list[list[str | int]] = []
    for row in rows:
        line: list[str | int] = [
            row.enrollment.learner.username,
            str(row.enrollment.learner),
            *[m.value for m in row.marks],
        ]
        if event is not None:
            line.append(row.graduation_event.value)
        st = row.standing
        line += [st.attended, st.absences_used, st.absences_left, st.status_label]
        body.append(line)
    return header, body


def outcomes_table(*, cohort: Cohort, now: datetime | None = None) -> Table:
    """One row per enrollment: the counts, eligibility, and the recorded outcome if closed.

    While the cohort is open, ``outcome`` is ``open``; ``eligible`` is the rule's verdict now.
    """
    _, _, rows = cohort_matrix(cohort=cohort, now=now)
    body: list[list[str | int]] = []
    for row in rows:
        st = row.standing
        outcome = row.outcome
        body.append(
            [
                row.enrollment.learner.username,
                str(row.enrollment.learner),
                row.enrollment.track,
                row.enrollment.status,
                st.planned,
                st.attended,
                st.absences_used,
                st.absences_left,
                st.unmarked,
                _yes(st.graduation_event_attended),
                _yes(st.eligible),
                st.status_label,
                outcome.outcome if outcome else "open",
                outcome.basis if outcome else "",
                row.waiver.reason if row.waiver else "",
                "; ".join(st.reasons),
            ]
        )
    return list(OUTCOME_COLUMNS), body


def _safe(value: str | int) -> str | int:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table_csv(table: Table) -> str:
    """The table as CSV text (with a header row)."""
    header, body = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for line in body:
        writer.writerow([_safe(v) for v in line])
    return buffer.getvalue()


def tables_xlsx(sheets: dict[str, Table]) -> bytes:
    """A workbook with one sheet per table, header in bold."""
    workbook = Workbook()
    first = True
    for title, (header, body) in sheets.items():
        sheet = workbook.active if first else workbook.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = title[:31]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in body:
            sheet.append([_safe(v) for v in line])
        sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
