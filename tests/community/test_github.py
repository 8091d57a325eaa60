"""The GitHub reader: real-shaped REST fixtures, paginated files, hostile input, fuzzing."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copkit.community.errors import ImportFormatError
from copkit.community.sources.github import READER
from tests.community.recording_sink import RecordingSink

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "github" / "octo-org__cop-handbook"


def read(path: Path) -> RecordingSink:
    sink = RecordingSink()
    READER.read(path, sink)
    return sink


def test_repository_maps_every_rule() -> None:
    assert READER.detect(FIXTURE)
    assert READER.origin(FIXTURE) == "octo-org/cop-handbook"
    sink = read(FIXTURE)
    assert sink.spaces == {
        "octo-org/cop-handbook": {
            "name": "octo-org/cop-handbook",
            "kind": "repository",
            "created_by": None,
        }
    }
    assert {k: (m["handle"], m["is_bot"], m["roles"]) for k, m in sink.members.items()} == {
        "5001": ("alice-cop", False, ("owner",)),
        "5002": ("bobbuilds", False, ("collaborator",)),
        "5003": ("carol-r", False, ()),
        "49699333": ("dependabot[bot]", True, ()),
    }
    got = {k: (a["kind"], a["parent"], a["thread"], a["actor"]) for k, a in sink.activities.items()}
    assert got == {
        "#1": ("post", None, "#1", "5001"),
        "#2": ("post", None, "#2", "5002"),
        "#3": ("post", None, "#3", "49699333"),
        "#4": ("post", None, "#4", "5003"),
        "comment:1900000001": ("answer", "#1", "#1", "5002"),  # a question issue
        "comment:1900000002": ("reply", "#1", "#1", "5001"),  # the asker's own reply
        "comment:1900000003": ("reply", "#2", "#2", "5001"),
        "comment:1900000004": ("reply", "#4", "#4", "5001"),
        "review:2000000001": ("reply", "#2", "#2", "5001"),
        "review-comment:2100000001": ("reply", "review:2000000001", "#2", "5001"),
        "review-comment:2100000002": ("reply", "review-comment:2100000001", "#2", "5002"),
    }
    assert [k for k, a in sink.activities.items() if a["is_question"]] == ["#1"]
    assert sink.activities["#1"]["created_at"] == datetime(2024, 2, 1, 9, 15, tzinfo=UTC)
    assert sink.activities["review:2000000001"]["created_at"] == datetime(
        2024, 2, 2, 16, 25, tzinfo=UTC
    )
    assert sink.activities["#4"]["text"] == (
        'Typo in the welcome page\n\n"comunity" should be "community".'
    )
    assert sink.interactions == []
    assert dict(sink.skips) == {
        "comment on an issue not in issues.json": 1,
        "pending review (not submitted)": 1,
        "reaction without the reactor (the REST payload gives counts)": 3,
    }


def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    shutil.copytree(FIXTURE, folder)
    return folder


def test_paginated_files_and_gh_paginate_output(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    issues = json.loads((folder / "issues.json").read_text())
    (folder / "issues.json").unlink()
    (folder / "repository.json").unlink()
    (folder / "issues-1.json").write_text(json.dumps(issues[:2]))
    (folder / "issues-2.json").write_text(json.dumps(issues[2:]))
    comments = json.loads((folder / "comments.json").read_text())
    # gh api --paginate writes one array per page, back to back
    (folder / "comments.json").write_text(json.dumps(comments[:2]) + json.dumps(comments[2:]))
    assert READER.origin(folder) == "octo-org/cop-handbook"  # from repository_url
    assert read(folder).activities == read(FIXTURE).activities


def test_only_issues(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    shutil.copy(FIXTURE / "issues.json", folder)
    assert read(folder).kinds() == {"post": 4}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("comments.json", b'[{"id": 1,\n "issue_url": ', r"comments\.json: line 2: invalid JSON"),
        (
            "issues.json",
            b'{"message": "Bad credentials"}',
            r"issues\.json: line 1: expected a JSON",
        ),
        ("issues.json", b"", r"issues\.json: line 1: empty file"),
        ("reviews.json", b"[1, 2]", r"reviews\.json: item 0: not a JSON object"),
        ("comments.json", b'[{"id": 7, "user": {"id": 1}}]', r"comments\.json: item 0: no issue"),
        ("issues.json", b'[{"id": 1, "number": 1, "user": {"id": 2}}]', r"issues\.json: item 0: "),
        ("issues.json", b"\xff\xfe[]", r"issues\.json: line 1: not UTF-8"),
    ],
    ids=["truncated", "error-object", "empty", "not-objects", "no-url", "no-date", "not-utf8"],
)
def test_broken_input_names_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    folder = copy(tmp_path)
    (folder / name).write_bytes(content)
    with pytest.raises(ImportFormatError, match=message):
        READER.read(folder, RecordingSink())


def test_missing_issues(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    (folder / "issues.json").unlink()
    assert not READER.detect(folder)
    with pytest.raises(ImportFormatError, match=r"repo: issues\.json is missing"):
        READER.read(folder, RecordingSink())


# --- fuzzing ---------------------------------------------------------------------------------

users = st.none() | st.fixed_dictionaries(
    {"id": st.integers(1, 4), "login": st.sampled_from(["a", "b", "x[bot]"])},
    optional={"type": st.sampled_from(["User", "Bot"])},
)
when = st.sampled_from(["2024-01-01T00:00:00Z", "2024-05-05T12:00:00Z"])
issue_url = st.integers(1, 5).map(lambda n: f"https://api.github.com/repos/o/r/issues/{n}")
pull_url = st.integers(1, 5).map(lambda n: f"https://api.github.com/repos/o/r/pulls/{n}")
assoc = st.sampled_from(["OWNER", "MEMBER", "NONE", "CONTRIBUTOR"])
ISSUES = st.lists(
    st.fixed_dictionaries(
        {"id": st.integers(1, 6), "number": st.integers(1, 5), "user": users, "created_at": when},
        optional={
            "labels": st.lists(
                st.fixed_dictionaries({"name": st.sampled_from(["question", "bug"])})
            ),
            "title": st.text(max_size=5),
            "body": st.none() | st.text(max_size=5),
            "author_association": assoc,
            "reactions": st.fixed_dictionaries({"total_count": st.integers(0, 2)}),
        },
    ),
    max_size=5,
)
COMMENTS = st.lists(
    st.fixed_dictionaries(
        {"id": st.integers(1, 4), "issue_url": issue_url, "user": users, "created_at": when},
        optional={"body": st.text(max_size=5), "author_association": assoc},
    ),
    max_size=6,
)
REVIEWS = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(1, 4),
            "pull_request_url": pull_url,
            "user": users,
            "state": st.sampled_from(["APPROVED", "COMMENTED", "PENDING"]),
            "submitted_at": when,
        }
    ),
    max_size=4,
)
REVIEW_COMMENTS = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(21, 40),
            "pull_request_url": pull_url,
            "user": users,
            "created_at": when,
        },
        optional={
            "in_reply_to_id": st.integers(21, 24),
            "pull_request_review_id": st.integers(1, 4),
        },
    ),
    max_size=4,
)


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ISSUES, COMMENTS, REVIEWS, REVIEW_COMMENTS, st.integers(0, 3000))
def test_fuzzed_repositories(
    issues: list[dict[str, Any]],
    comments: list[dict[str, Any]],
    reviews: list[dict[str, Any]],
    review_comments: list[dict[str, Any]],
    cut: int,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, items in [
            ("issues.json", issues),
            ("comments.json", comments),
            ("reviews.json", reviews),
            ("review_comments.json", review_comments),
        ]:
            payload = json.dumps(items)
            if name == "comments.json" and cut < len(payload):
                payload = payload[:cut]  # sometimes truncated
            (folder / name).write_text(payload)
        sink = RecordingSink()
        try:
            READER.read(folder, sink)
        except ImportFormatError as exc:
            assert ".json" in str(exc)
