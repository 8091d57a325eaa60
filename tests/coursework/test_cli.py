from __future__ import annotations

import sys
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from copkit.cli import app, main
from copkit.coursework import notifications
from tests.coursework.factories import NOW, cohort_make, enroll, session_make
from tests.coursework.fake_slack import FakeSlack

pytestmark = pytest.mark.django_db(transaction=True)


def test_reminders_send_twice_sends_once(slack: FakeSlack, tmp_path: object) -> None:
    cohort = cohort_make()
    enroll(cohort)
    notifications.channel_webhook_set(cohort=cohort, url=slack.url)
    session_make(cohort, starts_at=NOW + timedelta(hours=3))
    runner = CliRunner()
    args = ["reminders", "send", "--data-dir", str(tmp_path), "--now", NOW.isoformat()]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "sent 2, failed 0" in first.output
    second = runner.invoke(app, args)
    assert "sent 0, failed 0, already sent 2" in second.output
    assert len(slack.received) == 1


@pytest.mark.parametrize(
    ("now", "message"),
    [("yesterday", "is not an ISO 8601 date-time"), ("2026-03-02T09:00", "has no time zone")],
)
def test_bad_now_is_one_line_error(
    now: str, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["copkit", "reminders", "send", "--now", now])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert message in " ".join(err.split()) and "Traceback" not in err
