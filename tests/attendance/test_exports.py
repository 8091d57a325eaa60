"""Exports: the outcomes and matrix tables, CSV and XLSX, the same numbers as the pages."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from copkit.attendance.exports import matrix_table, outcomes_table, table_csv, tables_xlsx
from copkit.attendance.selectors import graduation_event
from copkit.attendance.services import attendance_mark, cohort_close
from tests.attendance import factories as f

REQUIRED = [
    "learner",
    "track",
    "sessions_planned",
    "sessions_attended",
    "absences",
    "graduation_event",
    "eligible",
    "outcome",
]


def test_outcomes_csv_before_and_after_close(facilitator, staff) -> None:
    c = f.cohort(facilitator=facilitator)
    ana = f.enroll(c, "ana")
    ben = f.enroll(c, "ben", track="open")
    ben.learner.display_name = "=HYPERLINK(1)"  # a formula-looking name stays text
    ben.learner.save()
    now = f.after_course(c)
    for e, absent in ((ana, {5}), (ben, {1, 2, 3})):
        for n in range(1, 17):
            status = "absent" if n in absent else "present"
            attendance_mark(
                enrollment=e, session=f.session(c, n), status=status, by=facilitator, now=now
            )
        attendance_mark(
            enrollment=e,
            session=graduation_event(cohort=c),
            status="present",
            by=facilitator,
            now=now,
        )
    rows = list(csv.DictReader(io.StringIO(table_csv(outcomes_table(cohort=c)))))
    assert set(REQUIRED) <= set(rows[0])
    by_name = {r["learner"]: r for r in rows}
    assert by_name["ana"]["outcome"] == "open" and by_name["ana"]["eligible"] == "yes"
    cohort_close(cohort=c, by=staff, now=now)
    rows = list(csv.DictReader(io.StringIO(table_csv(outcomes_table(cohort=c)))))
    by_name = {r["learner"]: r for r in rows}
    ana_row = {k: by_name["ana"][k] for k in REQUIRED}
    assert ana_row == {
        "learner": "ana",
        "track": "certification",
        "sessions_planned": "16",
        "sessions_attended": "15",
        "absences": "1",
        "graduation_event": "yes",
        "eligible": "yes",
        "outcome": "graduated",
    }
    ben_row = by_name["ben"]
    assert ben_row["name"] == "'=HYPERLINK(1)"
    assert (ben_row["eligible"], ben_row["outcome"], ben_row["absences"]) == (
        "no",
        "not_completed",
        "3",
    )


def test_matrix_and_xlsx(facilitator) -> None:
    c = f.cohort(facilitator=facilitator, sessions=4)
    e = f.enroll(c, "ana")
    attendance_mark(
        enrollment=e, session=f.session(c, 2), status="late", by=facilitator, now=f.after_course(c)
    )
    header, body = matrix_table(cohort=c)
    assert header[:6] == ["learner", "name", "session 1", "session 2", "session 3", "session 4"]
    assert body[0][:6] == ["ana", "ana", "unmarked", "late", "unmarked", "unmarked"]
    data = tables_xlsx({"Matrix": (header, body), "Outcomes": outcomes_table(cohort=c)})
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Matrix", "Outcomes"]
    assert book["Matrix"]["D2"].value == "late"
    assert book["Matrix"]["A1"].font.bold
