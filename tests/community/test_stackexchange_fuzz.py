"""Hypothesis fuzzing of the Stack Exchange reader: any input ends in a clean import that
follows the Sink protocol, or in an ImportFormatError naming the file; never anything else."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copkit.community.errors import ImportFormatError
from copkit.community.sources.stackexchange import READER
from tests.community.recording_sink import RecordingSink

FIXTURE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "stackexchange" / "tiny.stackexchange.com"
)
NAMES = ("Posts.xml", "Users.xml", "Comments.xml", "Votes.xml", "Tags.xml")

small_ids = st.integers(min_value=-1, max_value=6).map(str)
dates = st.sampled_from(["2020-01-01T00:00:00.000", "2021-06-30T23:59:59", "2019-02-28T12:00:00"])
texts = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), max_size=8
)


def rows(
    tag: str,
    required: dict[str, st.SearchStrategy[str]],
    optional: dict[str, st.SearchStrategy[str]],
) -> st.SearchStrategy[str]:
    """A well-formed XML file of ``<row>`` elements with random (often dangling) references."""
    row = st.fixed_dictionaries(required, optional=optional).map(
        lambda d: "  <row " + " ".join(f"{k}={quoteattr(v)}" for k, v in d.items()) + " />"
    )
    return st.lists(row, max_size=12).map(
        lambda lines: (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            + f"<{tag}>\n"
            + "\n".join(lines)
            + f"\n</{tag}>\n"
        )
    )


POSTS = rows(
    "posts",
    {
        "Id": small_ids,
        "PostTypeId": st.sampled_from(["1", "2", "2", "4", "5", "7"]),
        "CreationDate": dates,
        "ParentId": small_ids,
    },
    {
        "AcceptedAnswerId": small_ids,
        "OwnerUserId": small_ids,
        "OwnerDisplayName": texts,
        "Tags": st.sampled_from(["<a><b>", "|a|", "", "<>", "||", "<b>"]),
        "Title": texts,
        "Body": texts,
    },
)
USERS = rows("users", {"Id": small_ids}, {"CreationDate": dates, "DisplayName": texts})
COMMENTS = rows(
    "comments",
    {"Id": small_ids, "PostId": small_ids, "CreationDate": dates},
    {"UserId": small_ids, "UserDisplayName": texts, "Text": texts},
)
VOTES = rows(
    "votes",
    {"PostId": small_ids, "VoteTypeId": st.sampled_from(["1", "2"]), "CreationDate": dates},
    {"Id": small_ids},
)
TAGS = rows("tags", {"TagName": st.sampled_from(["a", "b", "c"])}, {"Id": small_ids})


def check(folder: Path) -> None:
    sink = RecordingSink()
    try:
        READER.read(folder, sink)
    except ImportFormatError as exc:
        assert any(name in str(exc) for name in NAMES), str(exc)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts=POSTS, users=USERS, comments=COMMENTS, votes=VOTES, tags=TAGS)
def test_generated_dumps(posts: str, users: str, comments: str, votes: str, tags: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, text in zip(NAMES, (posts, users, comments, votes, tags), strict=True):
            (folder / name).write_text(text, encoding="utf-8")
        check(folder)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    cut=st.integers(min_value=0, max_value=4000),
    junk=st.binary(max_size=16),
)
def test_damaged_files(name: str, cut: int, junk: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "site"
        shutil.copytree(FIXTURE, folder)
        data = (folder / name).read_bytes()
        cut = min(cut, len(data))
        (folder / name).write_bytes(data[:cut] + junk + data[cut + len(junk) :])
        check(folder)
