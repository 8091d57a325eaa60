"""The Discourse reader: a hand-made forum, the real AskCI export, hostile input, fuzzing."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copkit.community.errors import ImportFormatError
from copkit.community.sources.discourse import READER
from tests.community.recording_sink import RecordingSink

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "discourse" / "forum.example.org"
DATASETS = Path(
    os.environ.get("COPKIT_DATASETS")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
)
ASKCI = DATASETS / "discourse-askci-2019"


def read(path: Path) -> RecordingSink:
    sink = RecordingSink()
    READER.read(path, sink)
    return sink


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_forum_maps_every_rule() -> None:
    assert READER.detect(FIXTURE)
    assert READER.origin(FIXTURE) == "forum.example.org"
    sink = read(FIXTURE)
    assert sink.spaces == {
        "5": {"name": "Help & Questions", "kind": "category", "created_by": None},
        "6": {"name": "Welcome", "kind": "category", "created_by": None},
    }
    assert set(sink.members) == {"1", "2", "3", "4", "-1"}
    assert sink.members["1"]["roles"] == ("admin", "moderator")
    assert sink.members["1"]["handle"] == "alice"
    assert sink.members["1"]["joined_at"] == at("2023-01-02T10:00:00")
    assert sink.members["-1"]["is_bot"] is True
    assert not sink.members["2"]["is_bot"]

    got = {k: (a["kind"], a["parent"], a["thread"], a["actor"]) for k, a in sink.activities.items()}
    assert got == {
        "1001": ("post", None, "1001", "1"),
        "1002": ("answer", "1001", "1001", "2"),
        "1003": ("answer", "1001", "1001", "3"),  # reply_to_post_number 1 is the root
        "1004": ("reply", "1002", "1001", "1"),
        "1007": ("answer", "1001", "1001", "3"),  # its target (post 6) was deleted
        "1008": ("reply", "1001", "1001", "1"),  # the asker's own follow-up
        "1010": ("post", None, "1010", "-1"),
        "1011": ("reply", "1010", "1010", "2"),
        "1012": ("reply", "1011", "1010", "4"),
    }
    assert sink.activities["1001"]["is_question"] is True
    assert sink.activities["1010"]["is_question"] is False
    assert sink.activities["1001"]["space"] == "5"
    assert sink.activities["1001"]["text"] == "<p>Where should notes live?</p>"
    assert sink.activities["1003"]["created_at"] == at("2024-01-10T11:00:00")

    assert sorted(
        (i["kind"], i["actor"], i["target"], i["activity"]) for i in sink.interactions
    ) == [
        ("accept", "1", "3", "1003"),
        ("reaction", "1", "3", "1003"),
        ("reaction", "4", "3", "1003"),
    ]
    assert dict(sink.skips) == {
        "companion file (topic list, tags, raw posts)": 1,
        "like without the liker (the topic JSON gives a count)": 3,
        "small action post (closed, pinned...)": 1,
        "deleted post": 1,
        "reply target missing: attached to the topic's root": 1,
        "like by the author or by an unnamed user": 1,
    }


def test_single_topic_file() -> None:
    sink = read(FIXTURE / "t" / "102.json")
    assert set(sink.activities) == {"1010", "1011", "1012"}
    assert sink.spaces["6"]["name"] == "category 6"  # no categories.json beside a lone file


# --- the real export: exact against counts computed here from the raw files -----------------


def test_askci_is_exact() -> None:
    if not ASKCI.is_dir():
        pytest.skip(f"shared dataset discourse-askci-2019 is absent ({ASKCI})")
    topics = [
        json.loads(f.read_text(encoding="utf-8"))
        for f in sorted(ASKCI.rglob("*.json"))
        if "-post-" in f.name
    ]
    expected: dict[str, str | None] = {}  # post id -> parent post id
    for topic in topics:
        posts = topic["post_stream"]["posts"]
        kept = [p for p in posts if p["post_type"] not in (2, 3) and not p["deleted_at"]]
        number_to_id = {p["post_number"]: str(p["id"]) for p in kept}
        root = number_to_id[1]
        for p in kept:
            target = p["reply_to_post_number"]
            if p["post_number"] == 1:
                expected[str(p["id"])] = None
            else:
                expected[str(p["id"])] = number_to_id.get(target, root) if target else root
    explicit_links = sum(
        1
        for topic in topics
        for p in topic["post_stream"]["posts"]
        if p["reply_to_post_number"] not in (None, 1)
        and p["reply_to_post_number"] in {q["post_number"] for q in topic["post_stream"]["posts"]}
    )

    assert READER.origin(ASKCI) == "ask.cyberinfrastructure.org"
    sink = read(ASKCI)
    assert len(topics) == 179
    assert {k: a["parent"] for k, a in sink.activities.items()} == expected
    assert sum(1 for a in sink.activities.values() if a["kind"] == "post") == len(topics)
    roots = {a["thread"] for a in sink.activities.values()}
    to_non_root = sum(1 for a in sink.activities.values() if a["parent"] not in (None, *roots))
    assert to_non_root == explicit_links
    usernames = {p["username"] for t in topics for p in t["post_stream"]["posts"]}
    assert {m["handle"] for m in sink.members.values()} == usernames


# --- hostile and broken input ----------------------------------------------------------------


def copy_with(tmp_path: Path, name: str, content: bytes) -> Path:
    folder = tmp_path / "forum"
    shutil.copytree(FIXTURE, folder)
    (folder / name).write_bytes(content)
    return folder


def test_truncated_json_names_file_and_line(tmp_path: Path) -> None:
    data = (FIXTURE / "t" / "101.json").read_bytes()
    folder = copy_with(tmp_path, "t/101.json", data[: len(data) // 2])
    with pytest.raises(ImportFormatError, match=r"101\.json: line \d+: invalid JSON"):
        READER.read(folder, RecordingSink())


def test_non_topic_json_is_refused(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "notes.json", b'{\n  "hello": "world"\n}\n')
    with pytest.raises(ImportFormatError, match=r"notes\.json: line 1: not a Discourse topic"):
        READER.read(folder, RecordingSink())


def test_not_utf8(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "t/103.json", b'{"post_stream": "\xff\xfe"}')
    with pytest.raises(ImportFormatError, match=r"103\.json"):
        READER.read(folder, RecordingSink())


def test_post_without_date(tmp_path: Path) -> None:
    topic = json.loads((FIXTURE / "t" / "102.json").read_text())
    del topic["post_stream"]["posts"][1]["created_at"]
    folder = copy_with(tmp_path, "t/102.json", json.dumps(topic).encode())
    with pytest.raises(ImportFormatError, match=r"102\.json: post #2: created_at missing"):
        READER.read(folder, RecordingSink())


def test_empty_folder(tmp_path: Path) -> None:
    assert not READER.detect(tmp_path)
    with pytest.raises(ImportFormatError, match="no Discourse topic files"):
        READER.read(tmp_path, RecordingSink())


# --- fuzzing ---------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers(-3, 9) | st.text(max_size=8)
posts = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(1, 40),
            "post_number": st.integers(1, 6),
            "created_at": st.sampled_from(["2024-01-01T00:00:00.000Z", "2024-02-02T10:00:00Z"]),
            "user_id": st.integers(-2, 5),
        },
        optional={
            "username": st.sampled_from(["a", "b", "c", ""]),
            "reply_to_post_number": st.none() | st.integers(1, 7),
            "post_type": st.sampled_from([1, 2, 3, 4]),
            "deleted_at": st.none() | st.just("2024-03-01T00:00:00Z"),
            "accepted_answer": st.booleans(),
            "cooked": st.text(max_size=10),
            "actions_summary": st.lists(
                st.fixed_dictionaries(
                    {"id": st.sampled_from([2, 3])},
                    optional={
                        "count": st.integers(0, 3),
                        "users": st.lists(
                            st.fixed_dictionaries(
                                {"id": st.integers(-1, 5)},
                                optional={"username": st.sampled_from(["a", "b", "z"])},
                            ),
                            max_size=3,
                        ),
                    },
                ),
                max_size=2,
            ),
        },
    ),
    max_size=6,
)
topics = st.fixed_dictionaries(
    {"post_stream": st.fixed_dictionaries({"posts": posts})},
    optional={
        "category_id": st.integers(1, 3) | json_scalars,
        "qa_enabled": st.booleans(),
        "accepted_answer": st.fixed_dictionaries({"post_number": st.integers(1, 6)}),
    },
)


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(topics, min_size=1, max_size=3), st.integers(0, 5000), st.booleans())
def test_fuzzed_topics(data: list[dict[str, Any]], cut: int, truncate: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seen: set[int] = set()
        for index, topic in enumerate(data):
            # post ids are unique forum-wide in Discourse; keep that true of the input
            for post in topic["post_stream"]["posts"]:
                post["id"] = post["id"] + 100 * index
            payload = json.dumps(topic).encode()
            if truncate and index == 0:
                payload = payload[: cut % (len(payload) + 1)]
            (folder / f"{index}.json").write_bytes(payload)
            seen.update(p["id"] for p in topic["post_stream"]["posts"])
        sink = RecordingSink()
        try:
            READER.read(folder, sink)
        except ImportFormatError as exc:
            assert ".json" in str(exc)
            return
        assert {int(k) for k in sink.activities} <= seen
