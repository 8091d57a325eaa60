"""docs/attendance.md: the worked example says what the rule says."""

from __future__ import annotations

import re
from pathlib import Path

from copkit.attendance.rules import CourseRules, Mark, PlannedSession, graduation_standing

DOC = Path(__file__).resolve().parents[2] / "docs" / "attendance.md"
P, L, E, A = Mark.PRESENT, Mark.LATE, Mark.EXCUSED, Mark.ABSENT
LENA = {1: P, 2: P, 3: A, 4: P, 5: L, 6: P, 7: E, 8: P, 9: P, 10: P}
SESSIONS = [PlannedSession(n, f"Session {n}") for n in range(1, 17)]


def _quotes() -> list[str]:
    blocks = re.findall(r"((?:^> .*\n)+)", DOC.read_text(encoding="utf-8"), flags=re.M)
    return [" ".join(line[2:].strip() for line in b.splitlines()) for b in blocks]


def test_worked_example_matches_the_rule() -> None:
    rules = CourseRules()
    after_ten = graduation_standing(sessions=SESSIONS, marks=LENA, rules=rules)
    missed = graduation_standing(sessions=SESSIONS, marks={**LENA, 11: A}, rules=rules)
    attended = graduation_standing(
        sessions=SESSIONS,
        marks={**LENA, **dict.fromkeys(range(11, 17), P)},
        rules=rules,
        graduation_event=P,
    )
    assert _quotes() == [after_ten.explanation, missed.explanation, attended.explanation]
    assert after_ten.at_risk and missed.cannot_graduate and attended.eligible
